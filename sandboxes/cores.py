"""One CPU per A/B pair across every process of the machine.

Each worker process of a build (DirectRunner in multi-process mode, Dask, Dataflow's one SDK
process per core) runs its own A/B pairs; a per-process pool would pin them all to the first CPUs.
A CPU is held by binding the abstract unix socket name `themis-cpu-N`: the kernel lets one socket
hold a name at a time in a network namespace, frees it when the holder closes it or dies (kill -9
included), and leaves no file behind. Sandboxed programs live in their own network namespaces
(bubblewrap, docker), so they cannot take a name.
"""
from __future__ import annotations

import contextlib
import socket
import time
from typing import Iterator, Sequence

_POLL_SECONDS = 0.05
# The names' prefix: one per machine. Tests of the holding itself take their own, so that builds run by
# other tests at the same time (pytest-xdist) cannot hold the CPUs they look at.
SCOPE = "themis-cpu"


@contextlib.contextmanager
def held_cpu(cpus: Sequence[int]) -> Iterator[int]:
    """The first CPU of `cpus` that no other holder has, held until the block ends (waits for one)."""
    while True:
        for cpu in cpus:
            name = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                name.bind(f"\0{SCOPE}-{cpu}")
            except OSError:  # EADDRINUSE: held by another pair, here or in another process
                name.close()
                continue
            try:
                yield cpu
            finally:
                name.close()
            return
        time.sleep(_POLL_SECONDS)
