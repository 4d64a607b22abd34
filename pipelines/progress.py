"""What a running build shows: per-stage counts, and a rate and ETA for the execute and A/B stages.

Pure functions turn counters ({"namespace:name": n}) into a `Progress` and a line; `shown` runs a
thin thread that polls a source every --progress_interval seconds and writes the line: rewritten
in place on a terminal, a plain line otherwise (CI=true, a pipe, a Dataflow log). Sources:
`MetricsSource`, any PipelineResult whose `metrics().query()` answers while it runs (Dataflow, the
portable runners, pipelines.dask_runner), and `MirrorSource`, the local side channel of
transforms/counters.py for the DirectRunner, whose totals are known once their stage has begun. The last line
always comes from Beam's committed metrics of the finished pipeline.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from typing import IO, Iterator, Mapping, Optional, Protocol

from apache_beam.runners.runner import PipelineState

from transforms.counters import DEAD_LETTER_NAMESPACE, NAMESPACE, read_mirror

TASKS, CANDIDATES = f"{NAMESPACE}:parse.tasks", f"{NAMESPACE}:candidates.candidates"
EXECUTED, FROM_STORE, NO_TESTS = (f"{NAMESPACE}:execute.{n}" for n in ("executed", "cached", "no_tests"))
AB_PROPOSED, AB_DONE = f"{NAMESPACE}:ab.proposed", f"{NAMESPACE}:ab.done"
PAIRS_PREFIX, DEAD_PREFIX = f"{NAMESPACE}:label.pairs.", f"{DEAD_LETTER_NAMESPACE}:"
# A stage's total is known once the step making its inputs has finished (labels from pipelines/build.py),
# or once the stage has begun: a GroupByKey (transforms/execute.py BatchedByKey) stands before execute and
# before A/B, and in a batch pipeline it emits nothing until all of its input is in. The second is what
# the local runner, which names no finished step while it runs, can tell.
TOTAL_KNOWN_AFTER = {"execute": "Candidates/", "ab": "StaticLabels/"}
LIVE_PREFIX, LOG_PREFIX = "\r", "themis build: progress "
CLEAR_TO_END = "\x1b[K"


@dataclasses.dataclass(frozen=True)
class Progress:
    tasks: int
    candidates: int
    executed: int  # run in a sandbox by this build
    from_store: int  # answered by the measurement store
    execute_done: int  # executed, from store, without tests, or dead-lettered by execute
    execute_total: Optional[int]  # None until the candidates are all known
    ab_done: int
    ab_total: Optional[int]
    pairs: int
    dead_letters: int


def progress_of(counters: Mapping[str, int], finished_steps=frozenset()) -> Progress:
    """Counters ("namespace:name" -> n) and the steps known finished -> the figures shown."""
    def total(stage: str, key: str, done: int) -> Optional[int]:
        known = done > 0 or any(s.startswith(TOTAL_KNOWN_AFTER[stage]) for s in finished_steps)
        return counters.get(key, 0) if known else None

    def summed(prefix: str) -> int:
        return sum(n for k, n in counters.items() if k.startswith(prefix))

    executed, from_store = counters.get(EXECUTED, 0), counters.get(FROM_STORE, 0)
    execute_done = executed + from_store + counters.get(NO_TESTS, 0) + summed(DEAD_PREFIX + "execute.")
    ab_done = counters.get(AB_DONE, 0)
    return Progress(
        tasks=counters.get(TASKS, 0), candidates=counters.get(CANDIDATES, 0), executed=executed,
        from_store=from_store, execute_done=execute_done, execute_total=total("execute", CANDIDATES, execute_done),
        ab_done=ab_done, ab_total=total("ab", AB_PROPOSED, ab_done), pairs=summed(PAIRS_PREFIX),
        dead_letters=summed(DEAD_PREFIX))


def clock(seconds: float) -> str:
    """12.3 -> '00:12'; 3725 -> '1:02:05'."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def rate_and_eta(done: int, total: Optional[int], seconds: float) -> str:
    """'2.5/s, ETA 00:04' at the mean rate so far; 'ETA unknown' without a total or a rate yet."""
    rate = done / seconds if seconds > 0 else 0.0
    if total is not None and done >= total:
        eta = "done"
    elif total is None or rate == 0:
        eta = "ETA unknown"
    else:
        eta = f"ETA {clock((total - done) / rate)}"
    return f"{rate:.1f}/s, {eta}"


def format_line(p: Progress, seconds: float, stage_seconds: Optional[Mapping[str, float]] = None) -> str:
    """One line, printable characters only. `seconds` since the build started; `stage_seconds`:
    since "execute" and "ab" started (default `seconds`), for their rates."""
    def of(done: int, total: Optional[int]) -> str:
        return f"{done}/{total}" if total is not None else f"{done}"

    execute, ab = ((stage_seconds or {}).get(stage, seconds) for stage in ("execute", "ab"))
    return (f"{clock(seconds)} tasks {p.tasks}, candidates {p.candidates}, "
            f"execute {of(p.execute_done, p.execute_total)} (executed {p.executed}, from store {p.from_store}; "
            f"{rate_and_eta(p.execute_done, p.execute_total, execute)}), "
            f"A/B {of(p.ab_done, p.ab_total)} ({rate_and_eta(p.ab_done, p.ab_total, ab)}), "
            f"pairs {p.pairs}, dead letters {p.dead_letters}")


def live_terminal(stream: IO) -> bool:
    """A terminal a line can be rewritten on: a TTY, and not CI."""
    return stream.isatty() and os.environ.get("CI", "").lower() not in ("true", "1")


class Source(Protocol):
    def counters(self) -> dict[str, int]: ...

    def finished_steps(self) -> set[str]: ...


class MirrorSource:
    """The local runner's side channel: counts its worker processes write under `folder`."""

    def __init__(self, folder: str):
        self.folder = folder

    def counters(self) -> dict[str, int]:
        return read_mirror(self.folder)

    def finished_steps(self) -> set[str]:
        return set()


class MetricsSource:
    """Beam's metrics of a PipelineResult: committed once finished; while running, the larger of
    attempted (Dataflow updates it as bundles run) and committed (the Dask runner's finished partitions)."""

    def __init__(self, result):
        self.result = result

    def counters(self) -> dict[str, int]:
        done = self.result.state == PipelineState.DONE
        totals: dict[str, int] = {}
        for r in self.result.metrics().query()["counters"]:
            value = r.committed if done and r.committed is not None else max(r.committed or 0, r.attempted or 0)
            key = f"{r.key.metric.namespace}:{r.key.metric.name}"
            totals[key] = totals.get(key, 0) + (value or 0)
        return totals

    def finished_steps(self) -> set[str]:
        finished = getattr(self.result, "finished_steps", None)  # pipelines.dask_runner's result
        return finished() if finished else set()


class Display:
    """Writes the progress of `source` to `stream` every `interval` seconds from a daemon thread."""

    def __init__(self, stream: IO, interval: float, source: Optional[Source] = None):
        self.stream, self.interval, self.source = stream, interval, source
        self.live = live_terminal(stream)
        self._start = self._previous = time.monotonic()  # the build's start, the previous line's time
        self._began: dict[str, float] = {}  # when "execute" and "ab" began (at the latest)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            source = self.source
            if source is None:
                continue
            try:
                self.write(progress_of(source.counters(), source.finished_steps()))
            except Exception:  # noqa: BLE001 - a display must never take the build down; next poll retries
                continue

    def write(self, p: Progress) -> None:
        now = time.monotonic()
        for stage, done in (("execute", p.execute_done), ("ab", p.ab_done)):
            if done and stage not in self._began:  # it began after the previous line: rate from there
                self._began[stage] = self._previous
        self._previous = now
        line = format_line(p, now - self._start, {stage: now - t for stage, t in self._began.items()})
        self.stream.write(f"{LIVE_PREFIX}{line}{CLEAR_TO_END}" if self.live else f"{LOG_PREFIX}{line}\n")
        self.stream.flush()

    def finish(self, source: Source) -> None:
        """Stop polling and write the final figures of `source`, the finished pipeline's: every step
        has finished, so every total is known."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.write(progress_of(source.counters(), set(TOTAL_KNOWN_AFTER.values())))
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.live:
            self.stream.write(f"{LIVE_PREFIX}{CLEAR_TO_END}")
            self.stream.flush()
            self.live = False  # cleared once


@contextlib.contextmanager
def shown(stream: IO, interval: float, source: Optional[Source] = None) -> Iterator[Optional[Display]]:
    """A running Display (None when `interval` is 0: no progress); closed on the way out."""
    if interval <= 0:
        yield None
        return
    display = Display(stream, interval, source)
    display.start()
    try:
        yield display
    finally:
        display.close()
