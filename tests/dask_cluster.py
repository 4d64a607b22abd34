"""A real `dask.distributed` cluster on loopback for tests and benchmarks.

One `dask scheduler` process and N `dask worker` processes, each started in its own
session so that teardown can kill the whole process group (nanny, worker, and any
sandboxed program a worker spawned) and then verify that nothing is left.

    with LocalDaskCluster(n_workers=2) as cluster:
        run_build(options_with(f"--dask_client_address={cluster.address}"))

or, in a test module, `from dask_cluster import dask_cluster` and ask for the
`dask_cluster` fixture (one cluster per module).
"""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
from typing import Callable, Optional

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]


class ClusterError(RuntimeError):
    """The cluster did not start or did not stop; the message carries the processes' logs."""


class LocalDaskCluster:
    """Scheduler + `n_workers` worker processes (one thread each by default) on 127.0.0.1."""

    def __init__(self, n_workers: int = 2, nthreads: int = 1, preload: Optional[str] = None,
                 env: Optional[dict[str, str]] = None, start_timeout: float = 60.0, private_tmp: bool = False,
                 nanny: bool = True):
        """`private_tmp`: each worker gets its own empty TMPDIR (so its own `--store tmp` cache);
        `nanny=False`: no nanny process restarts a worker that dies, the others take over its tasks."""
        self.n_workers = n_workers
        self.private_tmp = private_tmp
        self.nanny = nanny
        self.nthreads = nthreads
        self.preload = preload
        self.start_timeout = start_timeout
        self.env = {**os.environ, "PYTHONPATH": _pythonpath(), **(env or {})}
        self._tmp: Optional[tempfile.TemporaryDirectory] = None
        self._procs: dict[str, subprocess.Popen] = {}
        self.address: str = ""

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> "LocalDaskCluster":
        self._tmp = tempfile.TemporaryDirectory(prefix="themis-dask-")
        root = pathlib.Path(self._tmp.name)
        scheduler_file = root / "scheduler.json"
        try:
            self._spawn("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(scheduler_file)])
            self.address = self._wait_for(lambda: _read_address(scheduler_file), "the scheduler to write its address")
            for i in range(self.n_workers):
                args = ["worker", self.address, "--host", "127.0.0.1", "--name", f"worker-{i}",
                        "--nthreads", str(self.nthreads), "--nworkers", "1", "--no-dashboard",
                        "--memory-limit", "0", "--local-directory", str(root / f"worker-{i}"),
                        "--death-timeout", "30", "--nanny" if self.nanny else "--no-nanny"]
                if self.preload:
                    args += ["--preload", self.preload]
                env = {}
                if self.private_tmp:
                    (root / f"tmp-{i}").mkdir()
                    env["TMPDIR"] = str(root / f"tmp-{i}")
                self._spawn(f"worker-{i}", args, env)
            self._wait_for(self._all_workers_registered, f"{self.n_workers} workers to register")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM every process group, SIGKILL what is left after 10 s, then check none survived."""
        procs = list(self._procs.values())
        for proc in procs:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in procs:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        leftovers = _members_after(procs, 5)
        described = [_describe(pid) for pid in leftovers]  # before the kill, for the error
        for pid in leftovers:
            _kill(pid)
        _members_after(procs, 5)  # so that they are gone when stop returns
        self._procs = {}
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        if leftovers:
            raise ClusterError("processes survived the cluster's teardown and were killed:\n" + "\n".join(described))

    def __enter__(self) -> "LocalDaskCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- inspection ---------------------------------------------------------------------------

    def pids(self) -> list[int]:
        """Every live process the cluster started (scheduler, nannies, workers and their children)."""
        return sorted(pid for proc in self._procs.values() for pid in _session_members(proc.pid))

    def busiest_worker_pid(self) -> Optional[int]:
        """The pid of the worker process (the nanny's child, if any) holding the most results in memory among those
        with tasks assigned now (the one whose loss costs most), or None when no worker has a task."""
        from distributed import Client

        with Client(self.address, timeout=5) as client:
            busy = [address for address, keys in client.processing().items() if keys]
            held = client.has_what()
            pids = client.run(os.getpid)
        ranked = sorted((address for address in busy if address in pids), key=lambda a: (-len(held.get(a, ())), a))
        return pids[ranked[0]] if ranked else None

    def logs(self) -> str:
        if self._tmp is None:
            return ""
        parts = []
        for log in sorted(pathlib.Path(self._tmp.name).glob("*.log")):
            parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)

    # -- internals ----------------------------------------------------------------------------

    def _spawn(self, name: str, args: list[str], env: Optional[dict[str, str]] = None) -> None:
        log = open(pathlib.Path(self._tmp.name) / f"{name}.log", "wb")
        with log:
            self._procs[name] = subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log,
                                                 stderr=subprocess.STDOUT, env={**self.env, **(env or {})},
                                                 cwd=str(REPO_ROOT),
                                                 start_new_session=True)

    def _all_workers_registered(self) -> bool:
        from distributed import Client

        with Client(self.address, timeout=5) as client:
            return len(client.scheduler_info(n_workers=-1)["workers"]) >= self.n_workers

    def _wait_for(self, probe: Callable[[], object], what: str):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            dead = [name for name, proc in self._procs.items() if proc.poll() is not None]
            if dead:
                raise ClusterError(f"dask {', '.join(dead)} exited while waiting for {what}:\n{self.logs()}")
            try:
                value = probe()
            except OSError:
                value = None
            if value:
                return value
            time.sleep(0.2)
        raise ClusterError(f"timed out after {self.start_timeout:.0f} s waiting for {what}:\n{self.logs()}")


def _pythonpath() -> str:
    """Scheduler and workers import the project from this checkout, and test modules (pytest
    imports them as top-level modules) so that DoFns defined in a test unpickle there."""
    existing = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")] + ([existing] if existing else []))


def _read_address(scheduler_file: pathlib.Path) -> Optional[str]:
    try:
        return json.loads(scheduler_file.read_text())["address"]
    except (FileNotFoundError, ValueError, KeyError):
        return None


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _members_after(procs: list[subprocess.Popen], grace_s: float) -> list[int]:
    """Processes still alive in the sessions of `procs` after up to `grace_s`: a killed group
    member other than the leader (which `wait` reaped) may take a moment to exit under load."""
    deadline = time.monotonic() + grace_s
    while True:
        members = [pid for proc in procs for pid in _session_members(proc.pid)]
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.1)


def stat_fields(pid: int) -> Optional[list[str]]:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, pgrp, session, ...);
    None once the process is gone."""
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _describe(pid: int) -> str:
    """pid, state, parent, process group and command line of a live process."""
    fields = stat_fields(pid)
    try:
        command = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        command = None
    if fields is None or command is None:
        return f"{pid} (gone)"
    return f"{pid} state {fields[0]} parent {fields[1]} group {fields[2]}: {command.strip()[:300]}"


def _session_members(sid: int) -> list[int]:
    """Live processes whose session id is `sid` (the session each cluster process leads)."""
    members = []
    for proc in pathlib.Path("/proc").glob("[0-9]*"):
        fields = stat_fields(int(proc.name))
        # zombies are already dead
        if fields is not None and int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(proc.name))
    return members


@pytest.fixture(scope="module")
def dask_cluster():
    """Two worker processes with two threads each, shared by one module's tests; torn down with a
    leftover check."""
    cluster = LocalDaskCluster(n_workers=2, nthreads=2).start()
    try:
        yield cluster
    finally:
        cluster.stop()
