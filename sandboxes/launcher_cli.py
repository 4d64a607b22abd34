"""The command line of `launcher run` (sandboxes/launcher/launcher.c), the same in both backends."""
from __future__ import annotations

from typing import Optional, Sequence

from sandboxes.base import Limits

LAUNCHER_PATH = "/.themis/launcher"  # where a sandbox sees the launcher
REPORT_FD = 3  # where the launcher writes its report line
STACK_BYTES = 64 * 1024 * 1024  # deep recursion in benchmark solutions; the cgroup still caps memory
# The launcher stretches the wall limit by the time a program waited for a CPU, up to this factor.
WALL_STRETCH = 3


def run_command(launcher: str, limits: Limits, wall: float, cpu: float, options: Sequence[str],
                argv: Sequence[str], core: Optional[int] = None) -> list[str]:
    """`launcher run` of `argv` under `limits` with a wall and a CPU limit in seconds, and `options`
    (--pidns, --uid/--gid, --perf, --seccomp) before the program; `core`: the one CPU it runs on."""
    pinned = ["--core", str(core)] if core is not None else []
    return [launcher, "run", "--result-fd", str(REPORT_FD), "--wall-ms", str(int(wall * 1000)),
            "--cpu", str(max(1, int(cpu + 0.999))), "--fsize", str(limits.file_size_bytes),
            "--nofile", str(limits.open_files), "--stack", str(STACK_BYTES), *pinned, *options, "--", *argv]
