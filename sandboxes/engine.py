"""The sandbox engine: what both backends share, over a small launcher protocol.

A backend (`sandboxes/process.py`, `sandboxes/docker.py`) only runs one command of
the launcher (`Runner.launch`) in an execution environment it holds for a
language (`Launcher.holding`), and writes a build's files where its runs see
them (`Launcher.stage`). Everything else is here and the same for both: run
results and their status, compile once per build key (an LRU of build
directories), running a program's tests, `run_ab`, baselines and the
Measurement records; so the two backends give the same statuses for the same
programs.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import shutil
import signal
import tempfile
import threading
import weakref
from collections import OrderedDict
from typing import Callable, ContextManager, Iterable, Optional, Protocol, Sequence

from sandboxes.base import Limits, measurement_key
from sandboxes.launcher_cli import WALL_STRETCH
from sandboxes.languages import COMPLETION_ENV, TESTS_DID_NOT_COMPLETE, Build, completed, completion_token, program_text, spec
from sandboxes.pids import pid_alive
from schemas import Candidate, Measurement, TestSpec

TAIL_CHARS = 2000
COMPILER_HEAD_CHARS = TAIL_CHARS - 200  # room for the [themis] lines after it
ROOT_PREFIX = "themis-sandbox-"  # build directories: themis-sandbox-<owner pid>-<random>


@dataclasses.dataclass
class RunResult:
    """One execution of one program (or one compile)."""

    status: str
    exit_code: Optional[int] = None
    signal: Optional[int] = None
    cpu_seconds: float = 0.0
    rusage_cpu_seconds: float = 0.0  # the launcher's wait4 figure: the cgroup's cross-check
    wall_seconds: float = 0.0
    peak_memory_bytes: int = 0
    instructions: int = -1
    max_rss_bytes: int = 0  # the largest single process (wait4), for comparison with the cgroup figure
    stdout: str = ""
    stderr: str = ""
    detail: str = ""


class Runner(Protocol):
    def launch(self, argv: Sequence[str], code_dir: Optional[str], limits: Limits, *, env: Optional[dict] = None,
               stdin: str = "", writable_code: bool = False, gocache: bool = False, cwd: str = ...,
               perf: bool = False, wall_seconds: Optional[float] = None, cpu_seconds: Optional[float] = None,
               core: Optional[int] = None) -> RunResult:
        """One execution of `argv` by the launcher, the build's files of `code_dir` at CODE_DIR
        (writable for compiles: what they write comes back to `code_dir`); `core`: the CPU it is pinned to."""


class Launcher(Protocol):
    backend: str
    counters: bool  # instruction counts (perf) can be read

    def holding(self, language: str, gocache: bool = False) -> ContextManager[Runner]:
        """Where this thread's runs of `language` go while held (with `gocache`: Go compiles that
        share the build cache)."""

    def stage(self, build: Build, directory: str) -> None:
        """Write the build's files into `directory` as its runs will see them."""

    def owned_pids(self) -> list[int]:
        """Host pids of processes left from runs (none between runs)."""

    def close(self) -> None:
        """Release processes, containers and what the launcher wrote."""


def compiler_head(stderr: str) -> str:
    """A compiler's first errors are the cause (javac: `package ... does not exist`), the many after
    them mostly follow from it: a failed compile keeps the head of its output, cut at a line end."""
    if len(stderr) <= COMPILER_HEAD_CHARS:
        return stderr
    head = stderr[:COMPILER_HEAD_CHARS]
    head = head[: head.rfind("\n") + 1] or head
    return f"{head}[themis] {len(stderr) - len(head)} more characters of compiler output cut"


@dataclasses.dataclass
class Compiled:
    directory: str
    failure: Optional[RunResult] = None


def _parse_report(line: str) -> dict[str, int]:
    return {k: int(v) for k, v in (item.split("=", 1) for item in line.split())}


def _same_output(actual: str, expected: str) -> bool:
    """Stdout comparison that ignores trailing whitespace on lines and at the end."""
    def norm(text: str) -> list[str]:
        return [line.rstrip() for line in text.rstrip().splitlines()]
    return norm(actual) == norm(expected)


def result_from_report(out: bytes, err: bytes, report_line: str,
                       limits: Limits) -> tuple[RunResult, Optional[dict[str, int]]]:
    """One launcher run as a RunResult (output capped), and the launcher's report (None: it sent none)."""
    result = RunResult("ok", stdout=out[: limits.output_bytes].decode("utf-8", "replace"),
                       stderr=err[: limits.output_bytes].decode("utf-8", "replace"))
    report = _parse_report(report_line) if report_line else None
    if report is not None:
        result.exit_code = report["exit"] if report["exit"] >= 0 else None
        result.signal = report["signal"] or None
        result.cpu_seconds = result.rusage_cpu_seconds = (report["utime_us"] + report["stime_us"]) / 1e6
        result.wall_seconds = report["wall_ns"] / 1e9
        result.peak_memory_bytes = result.max_rss_bytes = report["maxrss_kb"] * 1024
        result.instructions = report["instructions"]
    return result, report


def classify(report, stats, overflow: bool, killed: bool, limits: Limits, wall: float,
             result: RunResult, disk_full: bool = False) -> tuple[str, str]:
    """(status, detail) of one launcher run from its report and its group's `stats` (GroupStats or None);
    `disk_full`: the run's writable directories were full when it ended (docker's sized tmpfs)."""
    oom = stats is not None and stats.oom_kills > 0
    if overflow:
        return "output_limit", f"output exceeded {limits.output_bytes} bytes"
    if oom:
        return "memory_limit", f"peak memory reached the {limits.memory_bytes}-byte limit"
    if report is None:
        why = "the launcher did not report within the wall limit" if killed else "the launcher did not report"
        return "sandbox_error", f"{why}: {result.stderr.strip()[-300:]}"
    if report["exec_errno"]:
        return "sandbox_error", f"cannot execute the program: {os.strerror(report['exec_errno'])}"
    if report["timed_out"] == 2:
        return "sandbox_error", (f"machine overloaded: the program waited {report['runq_ns'] / 1e9:.1f} s "
                                 f"for a CPU and could not finish within {WALL_STRETCH}x the wall limit")
    if report["timed_out"]:
        return "timeout", f"wall time exceeded {wall:g} s"
    if result.signal == signal.SIGXCPU or (
            result.signal == signal.SIGKILL and result.cpu_seconds >= limits.cpu_seconds * 0.99):
        if stats is not None and (stats.limit_hits or stats.peak_memory_bytes >= limits.memory_bytes):
            # At its limit a program's allocations enter the kernel's reclaim, which can use up its
            # CPU time before the OOM killer ends it: it ran out of memory, not of work to do.
            return "memory_limit", (f"reached the {limits.memory_bytes}-byte memory limit and ran out of CPU "
                                    f"time ({limits.cpu_seconds:g} s) there")
        return "timeout", f"CPU time exceeded {limits.cpu_seconds:g} s"
    if result.signal == signal.SIGXFSZ:
        return "output_limit", f"a file exceeded {limits.file_size_bytes} bytes"
    if disk_full and result.exit_code != 0:
        return "output_limit", "the program's files filled the sandbox's disk"
    if result.exit_code == 0:
        return "ok", ""
    return "failed", f"exit code {result.exit_code}" if result.signal is None else f"signal {result.signal}"


def write_files(directory: str, files: dict[str, str], edit: Callable[[str], str] = lambda text: text) -> None:
    """A build's files below `directory`, each text passed through `edit`."""
    for name, text in files.items():
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(edit(text))


def sweep_stale_roots() -> None:
    """Remove build directories of workers that died without closing their sandbox (SIGKILL)."""
    base = tempfile.gettempdir()
    for name in os.listdir(base):
        parts = name.split("-")
        if len(parts) == 4 and name.startswith(ROOT_PREFIX) and parts[2].isdigit() and not pid_alive(int(parts[2])):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def _cleanup(launcher: Launcher, root: str) -> None:
    launcher.close()
    shutil.rmtree(root, ignore_errors=True)


def wait_or_cancel(futures: Iterable[concurrent.futures.Future],
                   return_when: str = concurrent.futures.ALL_COMPLETED) -> None:
    """Wait for the futures (`return_when` as concurrent.futures.wait); on Ctrl-C (or any error) while
    waiting, cancel the ones not started yet, so that stopping does not wait for a queue of programs."""
    futures = list(futures)
    try:
        concurrent.futures.wait(futures, return_when=return_when)
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def results_of(futures: Sequence[concurrent.futures.Future]) -> list:
    """The futures' results in order, waited for as `wait_or_cancel` does."""
    wait_or_cancel(futures)
    return [future.result() for future in futures]


class Engine:
    """The Sandbox protocol (sandboxes/base.py) over one backend's launcher."""

    def __init__(self, launcher: Launcher, limits: Limits, workers: int = 0, max_builds: int = 512):
        self.launcher = launcher
        self.backend = launcher.backend
        self.limits = limits
        self.workers = workers or os.cpu_count() or 1
        self.max_builds = max_builds
        sweep_stale_roots()
        self.root = tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-")
        self._builds: OrderedDict[str, concurrent.futures.Future] = OrderedDict()
        self._builds_lock = threading.Lock()
        self._baselines: dict[str, Measurement] = {}
        self._runs: Optional[tuple[int, concurrent.futures.ThreadPoolExecutor]] = None  # submit_many's threads and
        # their number, made on first use
        self._runs_lock = threading.Lock()
        # The launcher's processes, containers and host files, and the build directories, go away on
        # close(), garbage collection or interpreter exit, whichever is first.
        self._finalizer = weakref.finalize(self, _cleanup, launcher, self.root)

    # -- compile once, run many ---------------------------------------------------------------

    def _compile(self, build: Build) -> Compiled:
        with self._builds_lock:
            future = self._builds.get(build.key)
            owner = future is None
            if owner:
                future = concurrent.futures.Future()
                self._builds[build.key] = future
            else:
                self._builds.move_to_end(build.key)
        if not owner:
            return future.result()
        try:
            future.set_result(self._do_compile(build))
        except Exception as exc:  # the candidate's result, for every waiter
            future.set_result(Compiled("", RunResult("sandbox_error", detail=f"compile failed: {exc}")))
        except BaseException as exc:  # Ctrl-C stops the build, not this candidate: waiters stop too
            with self._builds_lock:
                self._builds.pop(build.key, None)
            future.set_exception(exc)
            raise
        self._evict()
        return future.result()

    def _evict(self) -> None:
        with self._builds_lock:
            while len(self._builds) > self.max_builds:
                _, old = self._builds.popitem(last=False)
                if old.done() and old.result().directory:
                    shutil.rmtree(old.result().directory, ignore_errors=True)

    def _do_compile(self, build: Build) -> Compiled:
        directory = os.path.join(self.root, build.key[:32])
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        self.launcher.stage(build, directory)
        if not build.compile:
            return Compiled(directory)
        limits = self.limits
        with self.launcher.holding(build.language, gocache=build.uses_gocache) as runner:
            result = runner.launch(build.compile, directory, limits, env=build.env, writable_code=True,
                                   gocache=build.uses_gocache, cwd=build.compile_cwd,
                                   wall_seconds=limits.compile_seconds, cpu_seconds=limits.compile_seconds)
        if result.status == "ok":
            return Compiled(directory)
        if result.status in ("timeout", "memory_limit", "output_limit", "failed"):
            what = {"failed": "", "timeout": "compiler timed out; ", "memory_limit": "compiler ran out of memory; ",
                    "output_limit": "compiler output exceeded the limit; "}[result.status]
            result.detail = what + result.detail
            result.status = "compile_error"
        if result.status == "compile_error":
            result.stderr = compiler_head(result.stderr)
        return Compiled(directory, result)

    def _run_tests(self, build: Build, directory: str, tests: TestSpec, core: Optional[int] = None) -> RunResult:
        language = spec(build.language)
        cases = tests.cases if tests.cases and not tests.code.strip() else [None]
        total: Optional[RunResult] = None
        with self.launcher.holding(build.language) as runner:
            for case in cases:
                token = completion_token()
                result = runner.launch(build.run, directory, self.limits, env={**build.env, COMPLETION_ENV: token},
                                       perf=self.launcher.counters, stdin=case.stdin if case else "", core=core)
                finished, result.stderr = completed(result.stderr, token)
                if result.status == "failed":
                    result.status = language.failure_status(result.stderr, result.stdout)
                elif result.status == "ok" and case is not None and not _same_output(result.stdout,
                                                                                     case.expected_stdout):
                    result.status, result.detail = "test_failure", "stdout differs from the expected output"
                elif result.status == "ok" and case is None and tests.code.strip() and not finished:
                    # exit 0 without the token: the program ended before its tests did (see languages.py)
                    result.status, result.detail = "test_failure", TESTS_DID_NOT_COMPLETE
                if total is None:
                    total = result
                else:  # one figure per repetition: summed over the cases, memory as the maximum
                    total.cpu_seconds += result.cpu_seconds
                    total.rusage_cpu_seconds += result.rusage_cpu_seconds
                    total.wall_seconds += result.wall_seconds
                    total.peak_memory_bytes = max(total.peak_memory_bytes, result.peak_memory_bytes)
                    total.instructions = total.instructions + result.instructions if result.instructions >= 0 else -1
                    total.status, total.exit_code, total.signal = result.status, result.exit_code, result.signal
                    total.stdout, total.stderr, total.detail = result.stdout, result.stderr, result.detail
                if result.status != "ok":
                    break
        return total

    # -- the Sandbox protocol ------------------------------------------------------------------

    def measure(self, candidate: Candidate, repetitions: int = 1, mode: str = "single") -> Measurement:
        """Compile once, then run the candidate's tests `repetitions` times (stopping at a failure)."""
        key = measurement_key(candidate, self.backend, self.limits, repetitions, mode)
        runs, last = self._repeat(candidate, repetitions, sanitize=mode == "sanitize")
        return self._measurement(candidate, key, runs, last)

    def _prepare(self, candidate: Candidate, sanitize: bool = False) -> tuple[Build, Compiled]:
        build = spec(candidate.language).prepare(program_text(candidate), self.limits.memory_bytes, sanitize)
        return build, self._compile(build)

    def _repeat(self, candidate: Candidate, repetitions: int, sanitize: bool = False) -> tuple[list[RunResult], RunResult]:
        build, compiled = self._prepare(candidate, sanitize)
        if compiled.failure is not None:
            return [], compiled.failure
        runs: list[RunResult] = []
        for _ in range(max(1, repetitions)):
            result = self._run_tests(build, compiled.directory, candidate.tests)
            runs.append(result)
            if result.status != "ok":
                break
        return runs, runs[-1]

    def _measurement(self, candidate: Candidate, key: str, runs: list[RunResult], last: RunResult) -> Measurement:
        stderr = last.stderr if not last.detail else f"{last.stderr}\n[themis] {last.detail}"
        return Measurement(
            candidate_id=candidate.candidate_id, task_id=candidate.task_id, language=candidate.language,
            status=last.status, backend=self.backend,
            cpu_seconds=[r.cpu_seconds for r in runs], wall_seconds=[r.wall_seconds for r in runs],
            rusage_cpu_seconds=[r.rusage_cpu_seconds for r in runs],
            peak_memory_bytes=[r.peak_memory_bytes for r in runs],
            instructions=[r.instructions for r in runs] if runs and all(r.instructions >= 0 for r in runs) else [],
            exit_code=last.exit_code, signal=last.signal,
            stdout_tail=last.stdout[-TAIL_CHARS:], stderr_tail=stderr[-TAIL_CHARS:], measurement_key=key)

    def submit_many(self, candidates: Sequence[Candidate], repetitions: int = 1,
                    mode: str = "single") -> list[concurrent.futures.Future]:
        with self._runs_lock:
            if self._runs is None or self._runs[0] != self.workers:  # ProcessSandbox.workers may change
                if self._runs is not None:
                    self._runs[1].shutdown(wait=False)  # what it has queued still runs
                self._runs = (self.workers, concurrent.futures.ThreadPoolExecutor(self.workers, "sandbox-run"))
            return [self._runs[1].submit(self.measure, c, repetitions, mode) for c in candidates]

    def run_many(self, candidates: Sequence[Candidate], repetitions: int = 1, mode: str = "single") -> list[Measurement]:
        return results_of(self.submit_many(candidates, repetitions, mode))

    def run_ab(self, a: Candidate, b: Candidate, repetitions: int,
               core: Optional[int] = None) -> tuple[Measurement, Measurement]:
        prepared = [self._prepare(a), self._prepare(b)]
        runs: list[list[RunResult]] = [[], []]
        last: list[Optional[RunResult]] = [c.failure for _, c in prepared]
        for _ in range(max(1, repetitions) if all(r is None for r in last) else 0):
            for i, ((build, compiled), candidate) in enumerate(zip(prepared, (a, b))):
                result = self._run_tests(build, compiled.directory, candidate.tests, core)
                runs[i].append(result)
                last[i] = result
            if any(r.status != "ok" for r in last):
                break
        return tuple(self._measurement(c, measurement_key(c, self.backend, self.limits, repetitions, "ab"),
                                       runs[i], last[i]) for i, c in enumerate((a, b)))

    def baseline(self, language: str) -> Measurement:
        if language not in self._baselines:
            hello = Candidate(candidate_id=f"baseline-{language}", task_id="baseline", language=language,
                              prompt="", code=spec(language).hello, origin="reference", tests=TestSpec())
            self._baselines[language] = self.measure(hello, repetitions=5, mode="baseline")
        return self._baselines[language]

    def owned_pids(self) -> list[int]:
        """Host pids of processes still running from this sandbox's runs (none between runs)."""
        return self.launcher.owned_pids()

    def close(self) -> None:
        with self._runs_lock:
            if self._runs is not None:
                self._runs[1].shutdown(wait=False, cancel_futures=True)
        self._finalizer()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
