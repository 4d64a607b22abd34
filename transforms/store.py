"""Content-addressed store of measurements and static reports (SQLite).

Keys are content ids (what was run or scanned, and how), so a rerun, a resumed
build or `themis regenerate` finds every finished measurement and executes
nothing twice. Writes commit per batch: a build killed midway keeps what it stored.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from typing import Iterable, Optional, TypeVar

from schemas.records import Record

R = TypeVar("R", bound=Record)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID
"""


_PATIENCE_S = 120  # how long a connection waits for another process's lock


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (readers and one writer at once; it stays set in the file).

    Switching a new file to WAL needs a lock that SQLite does not wait for (the busy timeout
    does not apply), so workers opening a fresh store together would fail at once with
    "database is locked": they retry instead, and skip the switch once another has made it."""
    deadline = time.monotonic() + _PATIENCE_S
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store:
    """A process-safe SQLite table of (kind, key) -> record JSON."""

    def __init__(self, path: str):
        self.path = path
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._local = threading.local()
        with self._connection() as conn:
            conn.execute(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=_PATIENCE_S, isolation_level=None)
            _use_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, kind: str, key: str, record_type: type[R]) -> Optional[R]:
        return self.get_many(kind, [key], record_type).get(key)

    def get_many(self, kind: str, keys: Iterable[str], record_type: type[R]) -> dict[str, R]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, R] = {}
        conn = self._connection()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT key, body FROM records WHERE kind=? AND key IN ({marks})", [kind, *chunk])
            for key, body in rows:
                found[key] = record_type.from_dict(json.loads(body))
        return found

    def put_many(self, kind: str, items: Iterable[tuple[str, Record]]) -> None:
        rows = [(kind, key, json.dumps(rec.to_dict(), sort_keys=True)) for key, rec in items]
        if not rows:
            return
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO records (kind, key, body) VALUES (?, ?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def put(self, kind: str, key: str, record: Record) -> None:
        self.put_many(kind, [(key, record)])

    def count(self, kind: Optional[str] = None) -> int:
        conn = self._connection()
        if kind is None:
            return conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        return conn.execute("SELECT COUNT(*) FROM records WHERE kind=?", [kind]).fetchone()[0]
