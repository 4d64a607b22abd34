"""The SQLite store shared by a build's workers."""
from __future__ import annotations

import multiprocessing
import sqlite3

from transforms.store import Store


def _open(path: str, start: multiprocessing.synchronize.Barrier, results: multiprocessing.Queue) -> None:
    start.wait()
    try:
        Store(path)
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 (the test reports what each worker saw)
        results.put(repr(exc))


def test_workers_opening_a_fresh_store_together_all_get_it(tmp_path):
    # Switching a new file to WAL ignores SQLite's busy timeout: before the retry, about one
    # round in six had a worker fail at once with "database is locked".
    seen = []
    for round_ in range(30):
        path = str(tmp_path / f"store-{round_}.sqlite")
        start, results = multiprocessing.Barrier(8), multiprocessing.Queue()
        workers = [multiprocessing.Process(target=_open, args=(path, start, results)) for _ in range(8)]
        for worker in workers:
            worker.start()
        seen += [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join()
    assert seen == ["ok"] * 240
    assert sqlite3.connect(tmp_path / "store-0.sqlite").execute("PRAGMA journal_mode").fetchone() == ("wal",)
