"""Refuse an unusable output path with one line, before a command does any work or creates anything.

An --output that is a file, lies under a file, or sits where this user cannot write was a
traceback from deep inside Beam or the trainer after work had started. `output_problem`
finds the nearest existing ancestor and probes it by creating (and removing) a temporary
file there: that is the only test that holds for root and read-only mounts alike, and it
leaves nothing behind. Remote paths (gs://, s3://) are left to their filesystem.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Iterator, Optional


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


@contextlib.contextmanager
def private_tmpdir(prefix: str = "themis-build-") -> Iterator[str]:
    """Point TMPDIR (this process and the workers, semgrep and compilers it starts) at a fresh
    folder under the current one, and remove it on the way out, Ctrl-C included: Beam's workers
    leave tmp*, beam-temp* and beam-requirements-cache there and semgrep its semgrep-* folders."""
    folder = tempfile.mkdtemp(prefix=prefix)
    saved_env, saved_module = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = folder, folder
    try:
        yield folder
    finally:
        tempfile.tempdir = saved_module
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)
