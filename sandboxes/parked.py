"""Sandboxes prepared ahead of time, each in its own fresh per-run cgroup, waiting for a run.

Most of a run's start-up does not depend on the run: joining a cgroup (writing a pid into
`cgroup.procs` waits for an RCU grace period, 5-40 ms) and bubblewrap's namespaces and
mounts. So a pool keeps a few `launcher park GROUP... -- COMMAND` parked: each joined a new
run group, then started COMMAND (bubblewrap with `launcher serve` inside, or `launcher serve`
alone), which waits on a socket. A run takes one and sends its stdio, report pipe, the mounts
of its code (detached mounts from open_tree(2)), environment and command; `serve` runs it.
One long-lived thread parks the replacements: bubblewrap's --die-with-parent follows the
thread that spawned it, so that thread must outlive every run it started.

A waiting launcher is a small static process that does nothing, so the group's peak memory
and CPU are still the run's own; every run still gets a fresh group and a fresh sandbox.
"""
from __future__ import annotations

import collections
import ctypes
import os
import signal
import socket
import threading
from typing import Optional, Sequence

from sandboxes.cgroups import CgroupError, CgroupTree, RunGroup

_OPEN_TREE = 428  # the same syscall number on every architecture (added in Linux 5.2)
_OPEN_TREE_CLONE, _AT_RECURSIVE = 1, 0x8000
_libc = ctypes.CDLL(None, use_errno=True)


def detached_mount(path: str) -> int:
    """A detached bind mount of `path` (an fd) that a sandbox's `launcher serve` attaches inside it."""
    fd = _libc.syscall(_OPEN_TREE, -100, os.fsencode(path), _OPEN_TREE_CLONE | os.O_CLOEXEC | _AT_RECURSIVE)
    if fd < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"open_tree({path}): {os.strerror(errno)}")
    return fd


class Parked:
    """One parked launcher: its process, its run group (None without cgroups), its control socket and
    the read end of its stderr while parked (what it said if it died before its run)."""

    def __init__(self, pid: int, group: Optional[RunGroup], control: socket.socket, errors: int):
        self.pid, self.group, self.control, self.errors = pid, group, control, errors
        self.status: Optional[int] = None  # wait status once reaped
        self.cpu_before_ns = 0  # the group's CPU time when its run was handed over (its set-up's)

    def alive(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is None

    def start(self, argv: Sequence[str], env: dict[str, str], cwd: str, fds: Sequence[int],
              mounts: Sequence[tuple[str, int]] = ()) -> None:
        """Hand over the run: fds become its stdin, stdout, stderr and report fd 3, each mount ("ro /code",
        detached mount fd) is attached, then argv runs in cwd."""
        payload = b"\0".join([os.fsencode(cwd), *(os.fsencode(f"{k}={v}") for k, v in env.items()), b"",
                              *(os.fsencode(where) for where, _ in mounts), b"",
                              *(os.fsencode(a) for a in argv)]) + b"\0"
        try:
            sent = socket.send_fds(self.control, [payload], [*fds, *(fd for _, fd in mounts)])
            self.control.sendall(payload[sent:])
        finally:
            self.control.close()  # end of stream: the launcher execs

    def kill(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)  # our unreaped child: the pid cannot have been reused

    def wait(self) -> int:
        if self.status is None:
            self.status = os.waitpid(self.pid, 0)[1]
        return self.status

    def failure(self) -> str:
        """What a launcher that died while parked wrote on its stderr."""
        os.set_blocking(self.errors, False)
        try:
            return os.read(self.errors, 4096).decode("utf-8", "replace").strip()
        except BlockingIOError:
            return ""

    def release(self) -> None:
        """End the launcher if it still runs, reap it, and remove its run group."""
        self.control.close()
        if self.errors >= 0:
            os.close(self.errors)
            self.errors = -1
        self.kill()
        self.wait()
        if self.group is not None:
            self.group.destroy()


class LauncherPool:
    """Keeps `size` launchers parked in fresh run groups limited to `memory_bytes` and `pids`, each
    running `command` (which ends in `launcher serve`)."""

    def __init__(self, launcher: str, cgroups: Optional[CgroupTree], memory_bytes: int, pids: int, size: int,
                 command: Sequence[str]):
        self.launcher, self.cgroups, self.size, self.command = launcher, cgroups, size, list(command)
        self.memory_bytes, self.pids = memory_bytes, pids
        self._parked: collections.deque[Parked] = collections.deque()
        self._parking: Optional[RunGroup] = None  # the group of the launcher being parked now
        self._error: Optional[Exception] = None
        self._closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._keep_parked, name="themis-parked-launchers", daemon=True)
        self._thread.start()

    def _park(self) -> Parked:
        group = self.cgroups.new_run() if self.cgroups is not None else None
        with self._cond:
            self._parking = group
        try:
            if group is not None:
                group.limit(self.memory_bytes, self.pids)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            errors, errors_w = os.pipe()
            try:
                pid = os.posix_spawn(
                    self.launcher, [self.launcher, "park", *(group.procs_files if group else ()), "--", *self.command],
                    {}, file_actions=[(os.POSIX_SPAWN_DUP2, theirs.fileno(), 0),
                                      (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                      (os.POSIX_SPAWN_DUP2, errors_w, 2)],
                    setsid=True)
            except BaseException:
                ours.close()
                os.close(errors)
                raise
            finally:
                theirs.close()
                os.close(errors_w)
        except BaseException:
            if group is not None:
                group.destroy()
            raise
        return Parked(pid, group, ours, errors)

    def _keep_parked(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or (len(self._parked) < self.size and self._error is None))
                if self._closed:
                    return
            try:
                parked = self._park()
            except Exception as exc:  # noqa: BLE001 (any failure must reach a take, or takes would wait forever)
                with self._cond:  # the next take reports it; parking resumes after that
                    self._parking = None
                    self._error = exc
                    self._cond.notify_all()
                continue
            with self._cond:
                self._parking = None
                if not self._closed:
                    self._parked.append(parked)
                    self._cond.notify_all()
                    continue
            parked.release()
            return

    def take(self) -> Parked:
        """The oldest live parked launcher (waiting for the thread if none is left). One killed while
        parked (OOM killer, an operator) is replaced; one that failed on its own fails the take."""
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._parked or self._error is not None or self._closed)
                if self._closed:
                    raise OSError("the sandbox is closed")
                if not self._parked:
                    error, self._error = self._error, None
                    self._cond.notify_all()
                    raise error
                parked = self._parked.popleft()
                self._cond.notify_all()
            if parked.alive():
                return parked
            failure = parked.failure()
            parked.release()
            if not os.WIFSIGNALED(parked.status):
                raise OSError(f"the sandbox failed before its run (exit {os.waitstatus_to_exitcode(parked.status)})"
                              f": {failure}")

    def start(self, argv: Sequence[str], env: dict[str, str], cwd: str, fds: Sequence[int],
              mounts: Sequence[tuple[str, int]] = ()) -> Parked:
        """Run argv in a parked launcher; one that died just before the hand-over is replaced."""
        while True:
            parked = self.take()
            try:
                if parked.group is not None:
                    parked.cpu_before_ns = parked.group.cpu_ns()
                parked.start(argv, env, cwd, fds, mounts)
                return parked
            except (BrokenPipeError, ConnectionResetError):
                parked.release()
            except BaseException:
                parked.release()
                raise

    def resize(self, size: int) -> None:
        """Keep `size` parked from now on (extra ones wait for a run; none is ended)."""
        with self._cond:
            self.size = size
            self._cond.notify_all()

    def parked_pids(self) -> list[int]:
        with self._cond:
            return sorted(p.pid for p in self._parked)

    def parked_dirs(self) -> set[str]:
        """Cgroup directories of the parked launchers (and of the one being parked): no run's processes."""
        with self._cond:
            groups = [p.group for p in self._parked] + [self._parking]
        return {path for group in groups if group is not None for path in group.dirs.values()}

    def close(self) -> None:
        """Stop parking and end every parked launcher; none is left running and no group remains."""
        with self._cond:
            self._closed = True
            left = list(self._parked)
            self._parked.clear()
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join()
        for parked in left:
            try:
                parked.release()
            except (OSError, CgroupError):
                pass
