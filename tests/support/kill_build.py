"""Start a `themis build` in its own process group and kill -9 it, or one of its workers, at a chosen moment."""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
from typing import Callable, Optional, Sequence, TypeVar

REPO = pathlib.Path(__file__).resolve().parents[2]
T = TypeVar("T")


def _start(args: Sequence[str], stderr) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "build", *args], cwd=REPO,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=stderr)


def _first(process: subprocess.Popen, probe: Callable[[], Optional[T]], deadline: float, poll: float) -> Optional[T]:
    """The first truthy `probe()` while the build runs, or None once it ends or `deadline` passes."""
    while process.poll() is None and time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(poll)
    return None


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def kill_build_when(args: Sequence[str], ready: Callable[[], bool], timeout: float, poll: float) -> None:
    """Run `python -m pipelines.cli build *args`; once `ready()` holds (or `timeout` seconds pass, or the
    build ends) SIGKILL its whole process group, driver and workers alike, and reap it."""
    process = _start(args, subprocess.DEVNULL)
    try:
        _first(process, ready, time.monotonic() + timeout, poll)
    finally:
        _kill_group(process)


def kill_worker_when(args: Sequence[str], victim: Callable[[], Optional[int]], timeout: float,
                     poll: float) -> tuple[Optional[int], int, str]:
    """Run `python -m pipelines.cli build *args`; once `victim()` names a pid (a worker process outside the
    build's group, e.g. on a Dask cluster) SIGKILL that one process and let the build go on to its end.
    Returns (the pid killed or None, the build's exit status, its stderr); a build still running after
    `timeout` seconds is killed, whole, and its status is -9."""
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as stderr:
        process = _start(args, stderr)
        try:
            pid = _first(process, victim, deadline, poll)
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        finally:
            _kill_group(process)
        stderr.seek(0)
        return pid, process.returncode, stderr.read().decode(errors="replace")
