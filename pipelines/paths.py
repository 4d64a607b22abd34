"""Refuse an unusable output path with one line, before a command does any work or creates anything.

An --output that is a file, lies under a file, or sits where this user cannot write was a
traceback from deep inside Beam or the trainer after work had started. `output_problem`
finds the nearest existing ancestor and probes it by creating (and removing) a temporary
file there: that is the only test that holds for root and read-only mounts alike, and it
leaves nothing behind. Remote paths (gs://, s3://) are left to their filesystem.
"""
from __future__ import annotations

import os
import tempfile
from typing import Optional


def _nearest_existing(path: str) -> str:
    while not os.path.lexists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _writable_dir(folder: str) -> bool:
    try:
        fd, probe = tempfile.mkstemp(prefix=".themis-probe-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def output_problem(path: str, flag: str = "--output", is_dir: bool = True) -> Optional[str]:
    """Why `path` cannot be written as a directory (`is_dir`) or a file, or None when it can."""
    if "://" in path:
        return None
    path = os.path.abspath(path)
    wrong_kind = (os.path.lexists(path) and not os.path.isdir(path)) if is_dir else os.path.isdir(path)
    if wrong_kind:
        return f"{flag} {path} is a {'file' if is_dir else 'directory'}; give a {'directory' if is_dir else 'file'} path"
    existing = _nearest_existing(path if is_dir else os.path.dirname(path))
    if not os.path.isdir(existing):
        return f"{flag} {path}: {existing} is a file, not a directory"
    if not _writable_dir(existing):
        return f"{flag} {path}: {existing} is not writable by this user"
    return None
