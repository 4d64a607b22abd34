"""The process backend: bubblewrap namespaces + a per-run cgroup + a small launcher.

Each run gets a fresh cgroup and a fresh sandbox, both prepared before the run
is known (sandboxes/parked.py: joining a cgroup and setting up namespaces and
mounts are the slow steps, so no run waits for them): the launcher joins the
group, execs bwrap (no network, own PID/IPC/UTS/cgroup namespaces, read-only
system, private tmpfs /work and /tmp, nothing of the host's home), whose pid 1
is `launcher serve`, waiting. The run sends it the program's code (a detached
mount), stdio and command; it mounts the code, gives up CAP_SYS_ADMIN and runs
`launcher run` in place (drops to `nobody`, sets rlimits, forks the program,
waits, reports CPU, wall and peak RSS, then kills anything left in the
namespace). The launcher is a tiny static C program, so the Python worker's
memory never shows up in the program's peak.

Peak memory is the cgroup's high-water mark (the whole process tree, page cache
of files it wrote included) where cgroups exist; CPU is user+sys of the program
and the children it waited for. Sources compile once per unique build key.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from typing import Optional, Sequence

from sandboxes.base import Limits, SandboxUnavailable, measurement_key
from sandboxes.cgroups import CgroupError, CgroupTree
from sandboxes.languages import (CODE_DIR, COMPLETION_ENV, CPP_FLAGS, GOCACHE_DIR, HARNESS_DIR, HARNESS_SOURCE,
                                 PCH_DIR, TESTS_DID_NOT_COMPLETE, WORK_DIR, Build, completed, completion_token, program_text, spec)
from sandboxes.parked import LauncherPool, detached_mount
from schemas import Candidate, Measurement, TestSpec

NOBODY = 65534
LAUNCHER_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "launcher", "launcher.c")
LAUNCHER_PATH = "/.themis/launcher"
TAIL_CHARS = 2000
COMPILER_HEAD_CHARS = TAIL_CHARS - 200  # room for the [themis] lines after it
REPORT_FD = 3  # where a parked launcher puts the run's report pipe
STACK_BYTES = 64 * 1024 * 1024  # deep recursion in benchmark solutions; the cgroup still caps memory
# The launcher stretches the wall limit by the time a program waited for a CPU, up to this factor.
WALL_STRETCH = 3
# --as-pid-1: the launcher is the namespace's init itself (one process fewer per run).
_ISOLATE = ("--as-pid-1", "--unshare-pid", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL")
_NAMESPACES = ("--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "themis")


def cache_dir() -> str:
    return os.environ.get("THEMIS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "themis")


def build_launcher() -> str:
    """Compile the launcher once per source version into the cache; return its path.

    Static where the C library allows: no dynamic loading each time it is executed."""
    with open(LAUNCHER_SOURCE, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()[:16]
    target = os.path.join(cache_dir(), f"launcher-{digest}")
    if os.access(target, os.X_OK):
        return target
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise SandboxUnavailable("the sandbox launcher needs a C compiler: `apt-get install gcc`")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = f"{target}.{os.getpid()}.tmp"
    done = subprocess.run([compiler, "-O2", "-static", "-o", tmp, LAUNCHER_SOURCE, "-lseccomp"],
                          capture_output=True, text=True)
    if done.returncode != 0:  # no static libc (libc6-dev without libc.a): dynamic works too
        done = subprocess.run([compiler, "-O2", "-o", tmp, LAUNCHER_SOURCE, "-lseccomp"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SandboxUnavailable(f"cannot compile the sandbox launcher (it needs libseccomp-dev): "
                                 f"{done.stderr.strip()[-500:]}")
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)
    return target


def build_cpp_pch() -> Optional[str]:
    """Precompile <bits/stdc++.h> once per g++ version (from system headers only, outside the sandbox)."""
    gxx = shutil.which("g++")
    if gxx is None:
        return None
    version = subprocess.run([gxx, "-dumpfullversion"], capture_output=True, text=True).stdout.strip()
    machine = subprocess.run([gxx, "-dumpmachine"], capture_output=True, text=True).stdout.strip()
    header = f"/usr/include/{machine}/c++/{version.split('.')[0]}/bits/stdc++.h"
    if not os.path.exists(header):
        return None
    directory = os.path.join(cache_dir(), "pch-" + hashlib.sha256(f"{version} {machine} {CPP_FLAGS}".encode())
                             .hexdigest()[:16])
    target = os.path.join(directory, "bits", "stdc++.h.gch")
    if not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        done = subprocess.run([gxx, *CPP_FLAGS, "-x", "c++-header", "-o", tmp, header], capture_output=True)
        if done.returncode != 0:
            return None
        os.replace(tmp, target)
    return directory


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


def compiler_head(stderr: str) -> str:
    """A compiler's first errors are the cause (javac: `package ... does not exist`), the many after
    them mostly follow from it: a failed compile keeps the head of its output, cut at a line end."""
    if len(stderr) <= COMPILER_HEAD_CHARS:
        return stderr
    head = stderr[:COMPILER_HEAD_CHARS]
    head = head[: head.rfind("\n") + 1] or head
    return f"{head}[themis] {len(stderr) - len(head)} more characters of compiler output cut"


@dataclasses.dataclass
class _Compiled:
    directory: str
    failure: Optional[RunResult] = None


def _parse_report(line: str) -> dict[str, int]:
    return {k: int(v) for k, v in (item.split("=", 1) for item in line.split())}


def _same_output(actual: str, expected: str) -> bool:
    """Stdout comparison that ignores trailing whitespace on lines and at the end."""
    def norm(text: str) -> list[str]:
        return [line.rstrip() for line in text.rstrip().splitlines()]
    return norm(actual) == norm(expected)


def _sweep_stale_roots() -> None:
    """Remove build directories of workers that died without closing their sandbox (SIGKILL)."""
    base = tempfile.gettempdir()
    for name in os.listdir(base):
        parts = name.split("-")
        if len(parts) == 4 and name.startswith("themis-sandbox-") and parts[2].isdigit():
            try:
                os.kill(int(parts[2]), 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(base, name), ignore_errors=True)
            except PermissionError:
                pass


def _cleanup(root: str, pool: Optional[LauncherPool], cgroups: Optional[CgroupTree]) -> None:
    if pool is not None:
        pool.close()
    if cgroups is not None:
        cgroups.close()
    shutil.rmtree(root, ignore_errors=True)


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


class ProcessSandbox:
    backend = "process"
    seccomp = True  # the launcher's syscall filter (off only to measure its cost, bench/bench_sandbox.py)

    def __init__(self, limits: Limits = Limits(), allow_unisolated: bool = False, workers: int = 0,
                 max_builds: int = 512):
        self.limits = limits
        self.workers = workers or os.cpu_count() or 1
        self.max_builds = max_builds
        self.launcher = build_launcher()
        self.bwrap = shutil.which("bwrap")
        self.is_root = os.geteuid() == 0
        self._mounts = self._system_mounts()
        self.cgroups: Optional[CgroupTree] = None
        problems = self._check_isolation()
        if problems and not allow_unisolated:
            if self.cgroups is not None:
                self.cgroups.close()
            raise SandboxUnavailable(
                "cannot isolate programs: " + "; ".join(problems)
                + ". Fix that, or pass --sandbox docker, or --allow_unisolated to run without isolation (unsafe)")
        self.isolation_notes = problems  # what is missing when running unisolated
        _sweep_stale_roots()
        self.root = tempfile.mkdtemp(prefix=f"themis-sandbox-{os.getpid()}-")
        self.gocache = os.path.join(cache_dir(), "go-build")
        for path in (self.root, self.gocache):
            os.makedirs(path, exist_ok=True)
            self._give_to_nobody(path)
        self._builds: OrderedDict[str, concurrent.futures.Future] = OrderedDict()
        self._builds_lock = threading.Lock()
        self._pch: Optional[str] = None
        self._pch_once = threading.Lock()
        self._baselines: dict[str, Measurement] = {}
        # As root, whole sandboxes wait for their runs, which arrive with their code as detached mounts.
        # Otherwise (bubblewrap in a user namespace, or no isolation) launchers wait and start it per run.
        self.prebuilt = self.bwrap_ok and self.is_root
        serve = [LAUNCHER_PATH, "serve", "--drop-admin"] if self.prebuilt else [self.launcher, "serve"]
        self._pool = LauncherPool(self.launcher, self.cgroups, limits.memory_bytes, limits.pids, self.workers + 1,
                                  [*self._sandbox_args(), "--", *serve] if self.prebuilt else serve)
        # Host files, launchers and cgroups go away on close(), garbage collection or interpreter exit,
        # whichever is first.
        self._finalizer = weakref.finalize(self, _cleanup, self.root, self._pool, self.cgroups)
        self.counters = self._probe_counters()

    @property
    def workers(self) -> int:
        return self._workers

    @workers.setter
    def workers(self, count: int) -> None:
        """Concurrent runs of run_many: one launcher parked for each, and one more so a run rarely finds
        none ready (the pool exists once the constructor has checked isolation)."""
        self._workers = count
        if getattr(self, "_pool", None) is not None:
            self._pool.resize(count + 1)

    # -- setup ---------------------------------------------------------------------------------

    def _check_isolation(self) -> list[str]:
        problems = []
        if self.bwrap is None:
            problems.append("bubblewrap not found (`apt-get install bubblewrap`)")
            self.bwrap_ok = False
        else:
            done = subprocess.run([self.bwrap, *_ISOLATE, *_NAMESPACES, *self._mounts, "--", "/bin/true"],
                                  capture_output=True, text=True)
            self.bwrap_ok = done.returncode == 0
            if not self.bwrap_ok:
                problems.append(f"bubblewrap cannot create namespaces ({done.stderr.strip()[-300:]})")
        if not self.is_root:
            problems.append("per-run cgroups and dropping to an unprivileged user need root")
        else:
            try:
                self.cgroups = CgroupTree.open()
            except CgroupError as exc:
                problems.append(str(exc))
        return problems

    def _probe_counters(self) -> bool:
        result = self._launch(("/bin/true",), None, self.limits, perf=True, writable_code=False)
        return result.instructions >= 0

    def _give_to_nobody(self, path: str) -> None:
        if self.is_root:
            os.chown(path, NOBODY, NOBODY)

    @staticmethod
    def _system_mounts() -> list[str]:
        # /etc whole and read-only: one mount instead of many (each costs start-up time); what in it is
        # secret (shadow, ssh host keys) is root-only, and the program runs as nobody.
        args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--perms", "0755", "--dir", "/.themis"]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        return args

    # -- one execution -------------------------------------------------------------------------

    def _sandbox_args(self) -> list[str]:
        """bubblewrap for a sandbox prepared ahead of its run: `launcher serve` keeps CAP_SYS_ADMIN only
        to mount the run's code at the directories made here (and CAP_SETPCAP to drop both for good)
        before the run starts."""
        return [self.bwrap, *_ISOLATE, "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP", *_NAMESPACES,
                *self._common_mounts(),
                "--dir", CODE_DIR, "--dir", GOCACHE_DIR, "--dir", PCH_DIR]

    def _common_mounts(self) -> list[str]:
        return [*self._mounts, "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--tmpfs", "/tmp", "--perms", "0777", "--tmpfs", WORK_DIR,
                "--ro-bind", HARNESS_SOURCE, HARNESS_DIR, "--ro-bind", self.launcher, LAUNCHER_PATH]

    def _code_mounts(self, code_dir: Optional[str], writable_code: bool, gocache: bool) -> list[tuple[str, str, bool]]:
        """(host directory, sandbox directory, writable) of a run's code, Go build cache and C++ header."""
        mounts = []
        if code_dir is not None:
            mounts.append((code_dir, CODE_DIR, writable_code))
        if gocache:
            mounts.append((self.gocache, GOCACHE_DIR, True))
        if self._pch and writable_code:
            mounts.append((self._pch, PCH_DIR, False))
        return mounts

    def _bwrap_args(self, code_dir: Optional[str], writable_code: bool, gocache: bool, cwd: str) -> list[str]:
        """bubblewrap started for one run (when sandboxes cannot be prepared ahead: not root)."""
        args = [self.bwrap, *_ISOLATE, *_NAMESPACES, *self._common_mounts()]
        for host, inside, writable in self._code_mounts(code_dir, writable_code, gocache):
            args += ["--bind" if writable else "--ro-bind", host, inside]
        return args + ["--chdir", cwd]

    def _relocate(self, text: str, code_dir: Optional[str]) -> str:
        """Unisolated runs see host paths instead of the sandbox's fixed mount points."""
        if self.bwrap_ok:
            return text
        text = text.replace(HARNESS_DIR, HARNESS_SOURCE).replace(GOCACHE_DIR, self.gocache)
        text = text.replace(PCH_DIR, self._pch or PCH_DIR)
        return text.replace(CODE_DIR, code_dir) if code_dir else text

    def _launch(self, argv: Sequence[str], code_dir: Optional[str], limits: Limits, *, env: Optional[dict] = None,
                stdin: str = "", writable_code: bool = False, gocache: bool = False, cwd: str = WORK_DIR,
                perf: bool = False, wall_seconds: Optional[float] = None, cpu_seconds: Optional[float] = None,
                ) -> RunResult:
        """One execution under `limits`: this sandbox's own, whose memory and pids limits the parked
        launchers' groups already carry."""
        wall = wall_seconds or limits.wall_seconds
        cpu = cpu_seconds or limits.cpu_seconds
        scratch = None
        try:
            inner = [LAUNCHER_PATH if self.bwrap_ok else self.launcher, "run", "--result-fd", str(REPORT_FD),
                     "--wall-ms", str(int(wall * 1000)), "--cpu", str(max(1, int(cpu + 0.999))),
                     "--fsize", str(limits.file_size_bytes), "--nofile", str(limits.open_files),
                     "--stack", str(STACK_BYTES)]
            if self.bwrap_ok:
                inner.append("--pidns")
            if self.is_root:
                inner += ["--uid", str(NOBODY), "--gid", str(NOBODY)]
            if perf:
                inner.append("--perf")
            if self.seccomp:
                inner.append("--seccomp")
            inner += ["--", *(self._relocate(a, code_dir) for a in argv)]
            mounts = []
            if self.prebuilt:
                command = inner
                mounts = self._code_mounts(code_dir, writable_code, gocache)
            elif self.bwrap_ok:
                command = [*self._bwrap_args(code_dir, writable_code, gocache, cwd), "--", *inner]
                cwd = ""
            else:
                scratch = tempfile.mkdtemp(prefix="themis-work-")
                self._give_to_nobody(scratch)
                command = inner
                cwd = scratch if cwd == WORK_DIR else self._relocate(cwd, code_dir)
            run_env = {k: self._relocate(v, code_dir) for k, v in (env or {"PATH": "/usr/bin:/bin"}).items()}
            if scratch:
                run_env.update(HOME=scratch, TMPDIR=scratch)
            return self._communicate(command, run_env, stdin, limits, wall, cwd, mounts)
        except (OSError, CgroupError) as exc:
            return RunResult("sandbox_error", detail=f"sandbox failed: {exc}")
        finally:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)

    def _communicate(self, command: list[str], env: dict, stdin: str, limits: Limits, wall: float,
                     cwd: str, mounts: Sequence[tuple[str, str, bool]]) -> RunResult:
        (out_r, out_w), (err_r, err_w), (report_r, report_w) = os.pipe(), os.pipe(), os.pipe()
        if stdin:  # a file, not a pipe: no writer thread, and the program may read it at its own pace
            with tempfile.TemporaryFile() as stdin_file:
                stdin_file.write(stdin.encode("utf-8"))
                stdin_file.seek(0)
                stdin_fd = os.dup(stdin_file.fileno())
        else:
            stdin_fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        parked = None
        trees: list[tuple[str, int]] = []
        try:
            try:
                for host, inside, writable in mounts:
                    trees.append((f"{'rw' if writable else 'ro'} {inside}", detached_mount(host)))
                parked = self._pool.start(command, env, cwd, (stdin_fd, out_w, err_w, report_w), trees)
            finally:
                for fd in (stdin_fd, out_w, err_w, report_w, *(fd for _, fd in trees)):
                    os.close(fd)
            out, err = bytearray(), bytearray()
            overflow = killed = False
            deadline = time.monotonic() + WALL_STRETCH * wall + 10.0  # the launcher enforces `wall`; this guards it
            with selectors.DefaultSelector() as sel:
                sel.register(out_r, selectors.EVENT_READ, out)
                sel.register(err_r, selectors.EVENT_READ, err)
                while sel.get_map():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        killed = True
                        break
                    for key, _ in sel.select(timeout=min(left, 1.0)):
                        chunk = os.read(key.fd, 65536)
                        if not chunk:
                            sel.unregister(key.fileobj)
                            continue
                        key.data.extend(chunk)
                        if len(key.data) > limits.output_bytes:
                            overflow = True
                    if overflow:
                        break
            if overflow or killed:
                parked.kill()  # bwrap's init dies with it, taking the namespace down
            parked.wait()
            with os.fdopen(report_r, "rb", closefd=False) as fh:
                report_line = fh.read().decode("ascii", "replace").strip()
            stats = parked.group.stats() if parked.group is not None else None
        finally:
            for fd in (out_r, err_r, report_r):
                os.close(fd)
            if parked is not None:
                try:
                    parked.release()
                except (OSError, CgroupError):
                    pass
        result, report = result_from_report(bytes(out), bytes(err), report_line, limits)
        if stats is not None and stats.peak_memory_bytes:
            result.peak_memory_bytes = stats.peak_memory_bytes
        if stats is not None and stats.cpu_ns:  # every descendant's; the launcher's rusage misses orphans
            result.cpu_seconds = (stats.cpu_ns - parked.cpu_before_ns) / 1e9
        result.status, result.detail = self._classify(report, stats, overflow, killed, limits, wall, result)
        return result

    @staticmethod
    def _classify(report, stats, overflow: bool, killed: bool, limits: Limits, wall: float,
                  result: RunResult) -> tuple[str, str]:
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
        if result.exit_code == 0:
            return "ok", ""
        return "failed", f"exit code {result.exit_code}" if result.signal is None else f"signal {result.signal}"

    # -- compile once, run many ---------------------------------------------------------------

    def _compile(self, build: Build) -> _Compiled:
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
        except BaseException as exc:  # never leave waiters hanging
            future.set_result(_Compiled("", RunResult("sandbox_error", detail=f"compile failed: {exc}")))
        self._evict()
        return future.result()

    def _evict(self) -> None:
        with self._builds_lock:
            while len(self._builds) > self.max_builds:
                _, old = self._builds.popitem(last=False)
                if old.done() and old.result().directory:
                    shutil.rmtree(old.result().directory, ignore_errors=True)

    def _do_compile(self, build: Build) -> _Compiled:
        directory = os.path.join(self.root, build.key[:32])
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, text in build.files.items():
            path = os.path.join(directory, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self._relocate(text, directory))
        if self.is_root:
            for base, dirs, files in os.walk(directory):
                for name in [*dirs, *files, ""]:
                    os.chown(os.path.join(base, name), NOBODY, NOBODY)
        if not build.compile:
            return _Compiled(directory)
        if build.language == "Cpp" and "bits/stdc++.h" in build.files["prog.cpp"]:
            with self._pch_once:
                if self._pch is None:
                    self._pch = build_cpp_pch() or ""
        limits = self.limits
        result = self._launch(build.compile, directory, limits, env=build.env, writable_code=True,
                              gocache=build.uses_gocache, cwd=build.compile_cwd,
                              wall_seconds=limits.compile_seconds, cpu_seconds=limits.compile_seconds)
        if result.status == "ok":
            return _Compiled(directory)
        if result.status in ("timeout", "memory_limit", "output_limit", "failed"):
            what = {"failed": "", "timeout": "compiler timed out; ", "memory_limit": "compiler ran out of memory; ",
                    "output_limit": "compiler output exceeded the limit; "}[result.status]
            result.detail = what + result.detail
            result.status = "compile_error"
        if result.status == "compile_error":
            result.stderr = compiler_head(result.stderr)
        return _Compiled(directory, result)

    def _run_tests(self, build: Build, directory: str, tests: TestSpec, perf: bool) -> RunResult:
        language = spec(build.language)
        cases = tests.cases if tests.cases and not tests.code.strip() else [None]
        total: Optional[RunResult] = None
        for case in cases:
            token = completion_token()
            result = self._launch(build.run, directory, self.limits, env={**build.env, COMPLETION_ENV: token},
                                  perf=perf, stdin=case.stdin if case else "")
            finished, result.stderr = completed(result.stderr, token)
            if result.status == "failed":
                result.status = language.failure_status(result.stderr, result.stdout)
            elif result.status == "ok" and case is not None and not _same_output(result.stdout, case.expected_stdout):
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

    def _prepare(self, candidate: Candidate, sanitize: bool = False) -> tuple[Build, _Compiled]:
        build = spec(candidate.language).prepare(program_text(candidate), self.limits.memory_bytes, sanitize)
        return build, self._compile(build)

    def _repeat(self, candidate: Candidate, repetitions: int, sanitize: bool = False) -> tuple[list[RunResult], RunResult]:
        build, compiled = self._prepare(candidate, sanitize)
        if compiled.failure is not None:
            return [], compiled.failure
        runs: list[RunResult] = []
        for _ in range(max(1, repetitions)):
            result = self._run_tests(build, compiled.directory, candidate.tests, self.counters)
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

    def run_many(self, candidates: Sequence[Candidate], repetitions: int = 1, mode: str = "single") -> list[Measurement]:
        if len(candidates) <= 1 or self.workers == 1:
            return [self.measure(c, repetitions, mode) for c in candidates]
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(lambda c: self.measure(c, repetitions, mode), candidates))

    def run_ab(self, a: Candidate, b: Candidate, repetitions: int) -> tuple[Measurement, Measurement]:
        prepared = [self._prepare(a), self._prepare(b)]
        runs: list[list[RunResult]] = [[], []]
        last: list[Optional[RunResult]] = [c.failure for _, c in prepared]
        for _ in range(max(1, repetitions) if all(r is None for r in last) else 0):
            for i, ((build, compiled), candidate) in enumerate(zip(prepared, (a, b))):
                result = self._run_tests(build, compiled.directory, candidate.tests, self.counters)
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
        """Host pids of processes still running in this sandbox's cgroups (none between runs), but for
        the launchers parked for the next runs."""
        if self.cgroups is None:
            return []
        found: dict[str, list[int]] = {}
        for base in dict.fromkeys(self.cgroups.bases.values()):
            for directory, _, files in os.walk(base):
                if "cgroup.procs" in files:
                    try:
                        with open(os.path.join(directory, "cgroup.procs"), encoding="ascii") as fh:
                            found[directory] = [int(p) for p in fh.read().split()]
                    except FileNotFoundError:  # a run's group removed while we looked
                        pass
        parked = self._pool.parked_dirs()  # after reading: a launcher parked meanwhile is in it
        return sorted({pid for directory, pids in found.items() if directory not in parked for pid in pids})

    def close(self) -> None:
        self._finalizer()

    def __enter__(self) -> "ProcessSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
