"""`ast.parse`, one call at a time in a process.

CPython 3.11 keeps the depth counter of its AST-to-object conversion in interpreter-wide state. A
garbage collection during the conversion can switch threads, and a second thread parsing then
corrupts the counter: `SystemError: AST constructor recursion depth mismatch` (CPython gh-106905).
A Dask worker runs several bundles on threads of one process, so the stages that parse Python
(start-up stubs, input scaling, scanning) share this lock.
"""
from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse_python(code: str) -> ast.Module:
    with _LOCK:
        return ast.parse(code)
