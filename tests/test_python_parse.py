"""Python parsed on several threads at once, as a Dask worker's bundles do."""
from __future__ import annotations

import gc
import threading
import time

from transforms.python_parse import parse_python

# Deep enough that the AST conversion recurses, long enough that collections happen during it.
PROGRAM = "x = " + "(" * 60 + "1" + ")" * 60 + "\n" + "".join(
    f"def f{i}(a):\n    return [a + {i} for a in range(3) if a]\n" for i in range(300))


def test_threads_parsing_at_once_all_get_their_tree():
    # A collection that yields the GIL lets another thread parse mid-conversion; with a bare
    # ast.parse, CPython 3.11.7 raises "AST constructor recursion depth mismatch" in this test.
    def switch_threads(phase, info):
        time.sleep(0)

    errors: list[BaseException] = []
    trees: list[int] = []

    def parse_many():
        for _ in range(40):
            try:
                trees.append(len(parse_python(PROGRAM).body))
            except BaseException as error:  # noqa: BLE001 - any error fails the test below
                errors.append(error)

    gc.callbacks.append(switch_threads)
    try:
        threads = [threading.Thread(target=parse_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.callbacks.remove(switch_threads)
    assert errors == []
    assert trees == [301] * 160
