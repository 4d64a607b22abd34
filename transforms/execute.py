"""The execute stage: Candidate -> Measurement, through a sandbox and the measurement store.

`measure_batch` is the pure part (unit-tested without Beam), in two halves: `start_batch` skips
candidates without tests, answers from the store what was measured before and starts the rest once
per unique measurement key; `finish_batch` waits, stores the results and attributes them. A
`sandbox_error` (the machine's fault: the sandbox broke, or the machine was too busy to finish a
program) is never stored and becomes a dead letter, so a rerun retries it; every program outcome
(ok, test_failure, timeout, ...) is a Measurement.

`Execute` is the thin Beam wrapper: one sandbox per worker process (apache_beam.utils.shared),
candidates batched and grouped by language so compile-once/run-many holds, a few batches in flight
at once over the sandbox's `workers` concurrent executions per process.
"""
from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import os
import tempfile
from typing import Callable, Iterable, Optional

import apache_beam as beam
from apache_beam.utils import shared

from sandboxes import Limits, measurement_key, open_sandbox
from sandboxes.engine import wait_or_cancel
from schemas import Candidate, DeadLetter, Measurement
from transforms.counters import count
from transforms.dead_letters import Routed, Step
from transforms.in_flight import InFlightStep, Started
from transforms.store import Store, StoreRef, open_store

STAGE = "execute"
KIND = "measurement"


@dataclasses.dataclass(frozen=True)
class ExecuteConfig:
    backend: str = "process"          # or "docker"
    limits: Limits = Limits()
    repetitions: int = 5
    allow_execute: bool = True         # False (themis regenerate): store only; missing -> dead letter "not_in_store"
    allow_unisolated: bool = False
    workers: int = 0                   # concurrent executions per worker process (0: cores)
    batch_size: int = 32

    def key(self, candidate: Candidate, mode: str = "single") -> str:
        return measurement_key(candidate, self.backend, self.limits, self.repetitions, mode)


@dataclasses.dataclass
class BatchResult:
    measurements: list[Measurement] = dataclasses.field(default_factory=list)
    dead_letters: list[DeadLetter] = dataclasses.field(default_factory=list)
    counts: collections.Counter = dataclasses.field(default_factory=collections.Counter)


def _dead(reason: str, candidate: Candidate, detail: str) -> DeadLetter:
    return DeadLetter.of(STAGE, reason, candidate.to_dict(), record_id=candidate.candidate_id, detail=detail)


def _attributed(candidate: Candidate, measured: Measurement, key: str) -> Measurement:
    """A measurement found by content key, attributed to this candidate (same code and tests, maybe another task)."""
    return measured.replace(candidate_id=candidate.candidate_id, task_id=candidate.task_id,
                            language=candidate.language, measurement_key=key)


@dataclasses.dataclass
class PendingBatch:
    """A batch whose programs are running: what `start_batch` looked up and submitted, for `finish_batch`."""

    store: Optional[Store]
    todo: list[tuple[Candidate, str]]               # candidates with tests, and their keys
    stored: dict[str, Measurement]                  # key -> measured before
    running: dict[str, concurrent.futures.Future]   # key -> its run, one per unique key not stored
    failed: dict[str, tuple[str, str]]              # key -> (reason, detail): not run
    no_tests: int = 0


def start_batch(candidates: Iterable[Candidate], config: ExecuteConfig, sandbox=None, store: Optional[Store] = None,
                sandbox_error: str = "", mode: str = "single") -> PendingBatch:
    """Look the batch up in the store and start running the rest, once per unique measurement key.
    `sandbox_error` set means no sandbox could be opened: what needs executing is dead-lettered."""
    todo, no_tests = [], 0
    for candidate in candidates:
        if candidate.tests.is_empty:
            no_tests += 1
        else:
            todo.append((candidate, config.key(candidate, mode)))
    stored = store.get_many(KIND, [k for _, k in todo], Measurement) if store is not None and todo else {}
    unique: dict[str, Candidate] = {}
    for candidate, key in todo:
        if key not in stored:
            unique.setdefault(key, candidate)
    running: dict[str, concurrent.futures.Future] = {}
    failed: dict[str, tuple[str, str]] = {}
    if unique and not config.allow_execute:
        failed = {k: ("not_in_store", "not measured before; run `themis build` to execute it") for k in unique}
    elif unique and sandbox_error:
        failed = {k: ("sandbox_unavailable", sandbox_error) for k in unique}
    elif unique:
        ordered = sorted(unique.items(), key=lambda item: item[1].language)  # one language at a time
        try:
            running = dict(zip((k for k, _ in ordered), sandbox.submit_many(
                [c for _, c in ordered], repetitions=config.repetitions, mode=mode)))
        except Exception as exc:  # a broken sandbox must not take the pipeline down
            failed = {k: ("sandbox_error", f"{type(exc).__name__}: {exc}") for k in unique}
    return PendingBatch(store, todo, stored, running, failed, no_tests)


def finish_batch(pending: PendingBatch) -> BatchResult:
    """Wait for the batch's runs, store their results, and attribute every measurement to its candidates.
    A `sandbox_error` (the machine's fault) is never stored and becomes a dead letter, so a rerun retries it."""
    out = BatchResult()
    out.counts["no_tests"] += pending.no_tests
    fresh: dict[str, Measurement] = {}
    failed = dict(pending.failed)
    wait_or_cancel(pending.running.values())
    for key, future in pending.running.items():
        try:
            measured = future.result()
        except Exception as exc:  # as in start_batch: the sandbox broke under this program
            failed[key] = ("sandbox_error", f"{type(exc).__name__}: {exc}")
            continue
        if measured.status == "sandbox_error":
            failed[key] = ("sandbox_error", measured.stderr_tail)
        else:
            fresh[key] = measured.replace(measurement_key=key)
    if pending.store is not None and fresh:
        pending.store.put_many(KIND, fresh.items())
    for candidate, key in pending.todo:
        if key in pending.stored:
            out.counts["cached"] += 1
            out.measurements.append(_attributed(candidate, pending.stored[key], key))
        elif key in fresh:
            out.counts["executed"] += 1
            out.measurements.append(_attributed(candidate, fresh[key], key))
        else:
            reason, detail = failed[key]
            out.dead_letters.append(_dead(reason, candidate, detail))
    for m in out.measurements:
        out.counts[f"status.{m.status}"] += 1
    return out


def measure_batch(candidates: Iterable[Candidate], config: ExecuteConfig, sandbox=None,
                  store: Optional[Store] = None, sandbox_error: str = "", mode: str = "single") -> BatchResult:
    """Measure a batch: skip candidates without tests, answer from the store what was measured before,
    execute the rest once per unique measurement key, store the results. `mode="sanitize"`: the
    ASan + UBSan build of C and C++ (transforms/sanitize.py)."""
    return finish_batch(start_batch(candidates, config, sandbox, store, sandbox_error, mode))


class SandboxHandle:
    """Weak-referenceable holder for the one sandbox of a worker process (or why there is none)."""

    def __init__(self, config: ExecuteConfig):
        self.sandbox = None
        self.error = ""
        try:
            self.sandbox = open_sandbox(config.backend, config.limits, config.allow_unisolated, config.workers)
        except Exception as exc:  # SandboxUnavailable and friends: reported per candidate as dead letters
            self.error = f"cannot open the {config.backend!r} sandbox: {exc}"


_SHARED = shared.Shared()


def shared_sandbox(config: ExecuteConfig) -> SandboxHandle:
    """This worker process's sandbox for `config`, opened once and shared by every stage that runs
    programs (the execute stage, and the labelling stage's A/B runs and baselines). Keyed by the temp
    dir too: a build gives its process a private one and removes it at the end, with the sandbox's
    folders in it, so a second build in the same process (in_memory) needs a sandbox of its own."""
    return _SHARED.acquire(lambda: SandboxHandle(config), tag=f"{config!r}:{os.getpid()}:{tempfile.gettempdir()}")


class SharedSandboxStep(Step):
    """A step that runs programs: this worker process's shared sandbox (`_handle`) and the
    measurement store (`store`, None without one), opened at setup."""

    def __init__(self, execute: ExecuteConfig, store_path: Optional[StoreRef]):
        self.execute, self.store_path = execute, store_path

    def setup(self) -> None:
        self._handle = shared_sandbox(self.execute)
        self.store = open_store(self.store_path)


class _StartedBatch(Started):
    def __init__(self, pending: PendingBatch):
        super().__init__(list(pending.running.values()))
        self.pending = pending

    def finish(self) -> list:
        result = finish_batch(self.pending)
        for name, n in result.counts.items():
            count(f"{STAGE}.{name}", n)
        return [*result.measurements, *result.dead_letters]


class _ExecuteBatches(InFlightStep, SharedSandboxStep):
    """A few batches in flight (transforms/in_flight.py), their programs on the sandbox's `workers` threads."""

    stage = STAGE

    def start(self, groups: list[Iterable[Candidate]]) -> Started:
        batch = [candidate for group in groups for candidate in group]
        return _StartedBatch(start_batch(batch, self.execute, self._handle.sandbox, self.store, self._handle.error))


class BatchedByKey(beam.PTransform):
    """PCollection[X] -> PCollection[list[list[X]]]: batches of groups of the elements sharing `key(x)`, so
    each key is in one batch (one worker measures it once per build), as many groups a batch as
    BatchElements makes between `min_batch_size` and `max_batch_size`."""

    def __init__(self, key: Callable, min_batch_size: int, max_batch_size: int):
        super().__init__()
        self.key, self.min_batch_size, self.max_batch_size = key, min_batch_size, max_batch_size

    def expand(self, elements):
        key = self.key
        return (elements
                | "KeyBy" >> beam.Map(lambda element: (key(element), element))
                | "SameKeyTogether" >> beam.GroupByKey()
                | "Groups" >> beam.Values()
                | "Batch" >> beam.BatchElements(min_batch_size=self.min_batch_size, max_batch_size=self.max_batch_size))


class Execute(beam.PTransform):
    """PCollection[Candidate] -> {"measurements": PCollection[Measurement], "dead_letters": PCollection[DeadLetter]}.

    `store_path`: the measurement store, consulted before executing and written after (None: no store).
    Candidates are grouped by measurement key first, so every candidate sharing a key (the same program
    under two tasks) lands in one batch and the key is executed exactly once per build: two workers
    measuring it at once would store two results, and the label could use the one a reader does not keep.
    """

    def __init__(self, config: ExecuteConfig = ExecuteConfig(), store_path: Optional[StoreRef] = None):
        super().__init__()
        self.config, self.store_path = config, store_path

    def expand(self, candidates):
        return (candidates
                | "BatchedByMeasurement" >> BatchedByKey(self.config.key, 1, self.config.batch_size)
                | "Measure" >> Routed(_ExecuteBatches(self.config, self.store_path), "measurements"))


class _SandboxReportsFn(SharedSandboxStep):
    kept = "reports"

    def __init__(self, stage: str, reports, config: ExecuteConfig, store_path: Optional[StoreRef]):
        super().__init__(config, store_path)
        self.stage, self.reports = stage, reports

    def decide(self, batch: list[Candidate]) -> Iterable:
        return self.reports(batch, self.execute, self._handle.sandbox, self.store, self._handle.error)


class SandboxReports(beam.PTransform):
    """PCollection[Candidate] -> {"reports", "dead_letters"}: `reports(batch, config, sandbox, store,
    sandbox_error)` (the sanitizer build, the security tests) on this worker's shared sandbox and store."""

    def __init__(self, stage: str, reports, config: ExecuteConfig, store_path: Optional[StoreRef] = None):
        super().__init__()
        self.stage, self.reports, self.config, self.store_path = stage, reports, config, store_path

    def expand(self, candidates):
        return (candidates
                | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=self.config.batch_size)
                | "Run" >> Routed(_SandboxReportsFn(self.stage, self.reports, self.config, self.store_path),
                                  "reports"))
