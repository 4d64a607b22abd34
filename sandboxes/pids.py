"""Is a process still there: the test that tells a dead worker's leftovers from a live one's."""
from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True unless no process has this pid (one we may not signal is alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
