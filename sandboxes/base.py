"""The contract every execution backend (process, docker) fulfils.

A backend runs a Candidate (its code plus its task's tests) and returns a
Measurement: status, and per repetition CPU time, wall time and peak memory.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
from typing import Optional, Protocol, Sequence

from schemas import Candidate, Measurement, content_id


@dataclasses.dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 10.0
    wall_seconds: float = 30.0
    memory_bytes: int = 1024 * 1024 * 1024
    pids: int = 128
    output_bytes: int = 1024 * 1024
    file_size_bytes: int = 64 * 1024 * 1024
    open_files: int = 256
    compile_seconds: float = 60.0


class SandboxUnavailable(RuntimeError):
    """Isolation cannot be set up here; the message says what to install or which flag opts out."""


class Sandbox(Protocol):
    backend: str
    limits: Limits

    def run_many(self, candidates: Sequence[Candidate], repetitions: int = 1, mode: str = "single") -> list[Measurement]:
        """Measure each candidate (compile once per unique source), in input order; `mode="sanitize"`:
        C and C++ built with ASan + UBSan (sandboxes/languages.py)."""

    def submit_many(self, candidates: Sequence[Candidate], repetitions: int = 1,
                    mode: str = "single") -> list[concurrent.futures.Future[Measurement]]:
        """Start measuring, as run_many, and return at once: a future per candidate, in input order. Every
        caller's runs share the sandbox's `workers` threads, so calls that overlap never run more than
        `workers` programs at once."""

    def run_ab(self, a: Candidate, b: Candidate, repetitions: int,
               core: Optional[int] = None) -> tuple[Measurement, Measurement]:
        """Measure two programs alternately (A B A B ...) so drift hits both equally; with `core`,
        every run on that one CPU."""

    def baseline(self, language: str) -> Measurement:
        """A minimal program's measurement: the language's start-up footprint."""

    def close(self) -> None:
        """Release processes, containers and temporary files."""


# Bumped when a backend's measured figures change, so stored measurements of the old and the new
# sandbox are never mixed. Revision 1 is the bare backend name (keys stored before revisions existed).
# process 2: sandboxes prepared ahead of their runs (parked launchers), bwrap --as-pid-1, a static launcher.
# process 3, docker 2: a run passes only with the harness's completion token (languages.py).
REVISIONS = {"process": 3, "docker": 2}


def measurement_key(candidate: Candidate, backend: str, limits: Limits, repetitions: int, mode: str = "single") -> str:
    """Content address of a measurement: what was run, where (backend and its revision), and how."""
    revision = REVISIONS.get(backend, 1)
    where = backend if revision == 1 else f"{backend}@{revision}"
    return content_id("measurement", mode, where, dataclasses.asdict(limits), repetitions,
                      candidate.language, candidate.code, functional_tests(candidate))


def functional_tests(candidate: Candidate) -> dict:
    """The tests a run measures: `tests.security` runs apart (transforms/security_tests.py), and
    keys made before it existed stay valid."""
    return {k: v for k, v in candidate.tests.to_dict().items() if k != "security"}
