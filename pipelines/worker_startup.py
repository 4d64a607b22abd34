"""Start-up check for remote workers: can this machine isolate programs the way the build asks?

A worker that cannot isolate must not start taking work: it would fail every
bundle later, or (with a careless fallback) run untrusted code unisolated.

- Dask: `dask worker ADDRESS --preload pipelines.dask_preload`; the worker
  refuses to start and logs the reason.
- Dataflow: the custom worker image (sandboxes/images/dataflow/Dockerfile) runs
  `python -m pipelines.worker_startup` before Beam's boot; the container exits
  with the reason in the worker log.

The backend comes from the environment, since neither hook sees pipeline flags:
THEMIS_SANDBOX (`process`, the default, or `docker`) and THEMIS_ALLOW_UNISOLATED=1.
"""
from __future__ import annotations

import os
import socket
import sys
from typing import Optional, Sequence

from sandboxes import Limits, SandboxUnavailable, open_sandbox


def check_isolation(backend: str = "process", allow_unisolated: bool = False) -> list[str]:
    """Open and close the backend once; raises SandboxUnavailable, else returns its isolation notes."""
    sandbox = open_sandbox(backend, Limits(), allow_unisolated=allow_unisolated)
    try:
        return list(getattr(sandbox, "isolation_notes", []))
    finally:
        sandbox.close()


def check_from_environment(environ: Optional[dict] = None) -> str:
    """Run the check configured by THEMIS_SANDBOX / THEMIS_ALLOW_UNISOLATED; returns a one-line verdict."""
    env = os.environ if environ is None else environ
    backend = env.get("THEMIS_SANDBOX", "process")
    allow_unisolated = env.get("THEMIS_ALLOW_UNISOLATED", "") not in ("", "0", "false")
    try:
        notes = check_isolation(backend, allow_unisolated)
    except SandboxUnavailable as exc:
        raise SandboxUnavailable(f"worker {socket.gethostname()} (pid {os.getpid()}) cannot run the "
                                 f"{backend} sandbox: {exc}") from None
    if notes:
        return f"{backend} sandbox ready WITHOUT full isolation (THEMIS_ALLOW_UNISOLATED): {'; '.join(notes)}"
    return f"{backend} sandbox ready, isolated"


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        print(f"themis: {check_from_environment()}", file=sys.stderr)
    except SandboxUnavailable as exc:
        print(f"themis: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
