"""Start a `themis build` in its own process group and kill -9 all of it at a chosen moment."""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time
from typing import Callable, Sequence

REPO = pathlib.Path(__file__).resolve().parents[2]


def kill_build_when(args: Sequence[str], ready: Callable[[], bool], timeout: float, poll: float) -> None:
    """Run `python -m pipelines.cli build *args`; once `ready()` holds (or `timeout` seconds pass, or the
    build ends) SIGKILL its whole process group, driver and workers alike, and reap it."""
    process = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "build", *args], cwd=REPO,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline and not ready():
            time.sleep(poll)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
