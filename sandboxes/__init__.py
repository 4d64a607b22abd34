"""Execution backends: `process` (bubblewrap + cgroups) and `docker` (warm containers)."""
from __future__ import annotations

from sandboxes.base import Limits, Sandbox, SandboxUnavailable, measurement_key


def open_sandbox(backend: str, limits: Limits, allow_unisolated: bool = False, workers: int = 0) -> Sandbox:
    """Open a backend by name (`workers` concurrent runs, 0: one per core); raises SandboxUnavailable
    with what to do when it cannot start."""
    if backend == "process":
        from sandboxes.process import ProcessSandbox

        return ProcessSandbox(limits, allow_unisolated=allow_unisolated, workers=workers)
    if backend == "docker":
        from sandboxes.docker import DockerSandbox

        return DockerSandbox(limits, workers=workers)
    raise ValueError(f"unknown sandbox backend {backend!r}: use 'process' or 'docker'")


__all__ = ["Limits", "Sandbox", "SandboxUnavailable", "measurement_key", "open_sandbox"]
