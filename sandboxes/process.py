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
of files it wrote included) where cgroups exist; CPU is the run's cgroup's too.
This module is the launcher protocol of sandboxes/engine.py on this host; the
engine compiles once per build key, runs the tests and gives the statuses.
"""
from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

from sandboxes.base import Limits, SandboxUnavailable
from sandboxes.cgroups import CgroupError, CgroupTree
from sandboxes.engine import Engine, RunResult, classify, result_from_report, write_files
from sandboxes.host_builds import build_cpp_pch, build_launcher, cache_dir
from sandboxes.languages import CODE_DIR, GOCACHE_DIR, HARNESS_DIR, HARNESS_SOURCE, PCH_DIR, WORK_DIR, Build
from sandboxes.launcher_cli import LAUNCHER_PATH, WALL_STRETCH, run_command
from sandboxes.parked import LauncherPool, detached_mount

NOBODY = 65534
# --as-pid-1: the launcher is the namespace's init itself (one process fewer per run).
_ISOLATE = ("--as-pid-1", "--unshare-pid", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL")
_NAMESPACES = ("--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "themis")


class ProcessLauncher:
    """The launcher protocol of sandboxes/engine.py on this host: bubblewrap, per-run cgroups and
    launchers parked ahead of their runs. It is its own Runner: no state is held per language."""

    backend = "process"
    seccomp = True  # the launcher's syscall filter (off only to measure its cost, bench/bench_sandbox.py)

    def __init__(self, limits: Limits, allow_unisolated: bool = False, workers: int = 1):
        self.limits = limits
        self.binary = build_launcher()
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
        self.gocache = os.path.join(cache_dir(), "go-build")
        os.makedirs(self.gocache, exist_ok=True)
        self.give_to_nobody(self.gocache)
        self._pch: Optional[str] = None
        self._pch_once = threading.Lock()
        # As root, whole sandboxes wait for their runs, which arrive with their code as detached mounts.
        # Otherwise (bubblewrap in a user namespace, or no isolation) launchers wait and start it per run.
        self.prebuilt = self.bwrap_ok and self.is_root
        serve = [LAUNCHER_PATH, "serve", "--drop-admin"] if self.prebuilt else [self.binary, "serve"]
        # One launcher parked for each concurrent run, and one more so a run rarely finds none ready.
        self._pool = LauncherPool(self.binary, self.cgroups, limits.memory_bytes, limits.pids, workers + 1,
                                  [*self._sandbox_args(), "--", *serve] if self.prebuilt else serve)
        self.counters = self._probe_counters()

    def resize(self, workers: int) -> None:
        """Park launchers for `workers` concurrent runs."""
        self._pool.resize(workers + 1)

    @contextmanager
    def holding(self, language: str, gocache: bool = False) -> Iterator["ProcessLauncher"]:
        yield self

    def stage(self, build: Build, directory: str) -> None:
        write_files(directory, build.files, lambda text: self.relocate(text, directory))
        if self.is_root:
            for base, dirs, files in os.walk(directory):
                for name in [*dirs, *files, ""]:
                    os.chown(os.path.join(base, name), NOBODY, NOBODY)
        if build.compile and build.language == "Cpp" and "bits/stdc++.h" in build.files["prog.cpp"]:
            with self._pch_once:
                if self._pch is None:
                    self._pch = build_cpp_pch() or ""

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
        result = self.launch(("/bin/true",), None, self.limits, perf=True, writable_code=False)
        return result.instructions >= 0

    def give_to_nobody(self, path: str) -> None:
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
                "--ro-bind", HARNESS_SOURCE, HARNESS_DIR, "--ro-bind", self.binary, LAUNCHER_PATH]

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

    def relocate(self, text: str, code_dir: Optional[str]) -> str:
        """Unisolated runs see host paths instead of the sandbox's fixed mount points."""
        if self.bwrap_ok:
            return text
        text = text.replace(HARNESS_DIR, HARNESS_SOURCE).replace(GOCACHE_DIR, self.gocache)
        text = text.replace(PCH_DIR, self._pch or PCH_DIR)
        return text.replace(CODE_DIR, code_dir) if code_dir else text

    def launch(self, argv: Sequence[str], code_dir: Optional[str], limits: Limits, *, env: Optional[dict] = None,
               stdin: str = "", writable_code: bool = False, gocache: bool = False, cwd: str = WORK_DIR,
               perf: bool = False, wall_seconds: Optional[float] = None, cpu_seconds: Optional[float] = None,
               core: Optional[int] = None) -> RunResult:
        """One execution under `limits`: this sandbox's own, whose memory and pids limits the parked
        launchers' groups already carry."""
        wall = wall_seconds or limits.wall_seconds
        cpu = cpu_seconds or limits.cpu_seconds
        scratch = None
        try:
            options = ["--pidns"] if self.bwrap_ok else []
            if self.is_root:
                options += ["--uid", str(NOBODY), "--gid", str(NOBODY)]
            if perf:
                options.append("--perf")
            if self.seccomp:
                options.append("--seccomp")
            inner = run_command(LAUNCHER_PATH if self.bwrap_ok else self.binary, limits, wall, cpu, options,
                                [self.relocate(a, code_dir) for a in argv], core)
            mounts = []
            if self.prebuilt:
                command = inner
                mounts = self._code_mounts(code_dir, writable_code, gocache)
            elif self.bwrap_ok:
                command = [*self._bwrap_args(code_dir, writable_code, gocache, cwd), "--", *inner]
                cwd = ""
            else:
                scratch = tempfile.mkdtemp(prefix="themis-work-")
                self.give_to_nobody(scratch)
                command = inner
                cwd = scratch if cwd == WORK_DIR else self.relocate(cwd, code_dir)
            run_env = {k: self.relocate(v, code_dir) for k, v in (env or {"PATH": "/usr/bin:/bin"}).items()}
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
        result.status, result.detail = classify(report, stats, overflow, killed, limits, wall, result)
        return result

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
        self._pool.close()
        if self.cgroups is not None:
            self.cgroups.close()


class ProcessSandbox(Engine):
    """The sandbox engine on this host's processes (sandboxes/engine.py)."""

    def __init__(self, limits: Limits = Limits(), allow_unisolated: bool = False, workers: int = 0,
                 max_builds: int = 512):
        workers = workers or os.cpu_count() or 1
        launcher = ProcessLauncher(limits, allow_unisolated, workers)
        super().__init__(launcher, limits, workers, max_builds)
        launcher.give_to_nobody(self.root)
        self.isolation_notes = launcher.isolation_notes

    @property
    def workers(self) -> int:
        return self._workers

    @workers.setter
    def workers(self, count: int) -> None:
        """Concurrent runs of run_many (the launcher parks one more launcher for each)."""
        self._workers = count
        self.launcher.resize(count)
