"""Launchers parked ahead of time, each already inside its own fresh per-run cgroup.

Joining a cgroup is the slow step of starting a run: writing a pid into `cgroup.procs`
waits for an RCU grace period (5-40 ms). So a pool keeps a few launchers (`launcher park`)
that have already joined a new run group and wait on a socket; a run takes one and sends
it its stdio, report pipe, environment and command (bubblewrap), which it execs at once.
One long-lived thread parks the replacements: bubblewrap's --die-with-parent follows the
thread that spawned the launcher, so that thread must outlive every run it started.

A parked launcher is a small static process that does nothing, so the group's peak
memory and CPU are still the run's own; every run still gets a fresh group.
"""
from __future__ import annotations

import collections
import os
import signal
import socket
import threading
from typing import Optional, Sequence

from sandboxes.cgroups import CgroupError, CgroupTree, RunGroup


class Parked:
    """One parked launcher: its process, its run group (None without cgroups) and its control socket."""

    def __init__(self, pid: int, group: Optional[RunGroup], control: socket.socket):
        self.pid, self.group, self.control = pid, group, control
        self.status: Optional[int] = None  # wait status once reaped

    def alive(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is None

    def start(self, argv: Sequence[str], env: dict[str, str], cwd: str, fds: Sequence[int]) -> None:
        """Hand over the run: fds become its stdin, stdout, stderr and report fd 3; then it execs argv."""
        payload = b"\0".join([os.fsencode(cwd), *(os.fsencode(f"{k}={v}") for k, v in env.items()), b"",
                              *(os.fsencode(a) for a in argv)]) + b"\0"
        try:
            sent = socket.send_fds(self.control, [payload], list(fds))
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

    def release(self) -> None:
        """End the launcher if it still runs, reap it, and remove its run group."""
        self.control.close()
        self.kill()
        self.wait()
        if self.group is not None:
            self.group.destroy()


class LauncherPool:
    """Keeps `size` launchers parked in fresh run groups limited to `memory_bytes` and `pids`
    (and, with `unshare`, in new network, IPC, UTS and cgroup namespaces)."""

    def __init__(self, launcher: str, cgroups: Optional[CgroupTree], memory_bytes: int, pids: int, size: int,
                 unshare: bool = False):
        self.launcher, self.cgroups, self.size, self.unshare = launcher, cgroups, size, unshare
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
            try:
                pid = os.posix_spawn(
                    self.launcher, [self.launcher, "park", *(["--unshare"] if self.unshare else []),
                                    *(group.procs_files if group else ())], {},
                    file_actions=[(os.POSIX_SPAWN_DUP2, theirs.fileno(), 0),
                                  (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                  (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)],
                    setsid=True)
            except BaseException:
                ours.close()
                raise
            finally:
                theirs.close()
        except BaseException:
            if group is not None:
                group.destroy()
            raise
        return Parked(pid, group, ours)

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
        """The oldest live parked launcher (waiting for the thread if none is left); dead ones are replaced."""
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
            parked.release()  # killed while parked (OOM killer, an operator): its replacement is coming

    def start(self, argv: Sequence[str], env: dict[str, str], cwd: str, fds: Sequence[int]) -> Parked:
        """Run argv in a parked launcher; one that died just before the hand-over is replaced."""
        while True:
            parked = self.take()
            try:
                parked.start(argv, env, cwd, fds)
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
