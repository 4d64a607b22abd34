"""Content-addressed store of measurements and static reports.

Keys are content ids (what was run or scanned, and how), so a rerun, a resumed
build or `themis regenerate` finds every finished measurement and executes
nothing twice.

The source of truth is Parquet under OUTPUT/store/ (transforms/store_files.py), written
through Beam's FileSystems by the stages themselves, one file per stored batch, so it
travels with the output to any file system and a build killed midway keeps what it
stored. `Store` (SQLite) is only a per-worker cache; `LayeredStore` puts the two
together behind the same get_many/put_many.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
from typing import Iterable, Optional, TypeVar, Union

from schemas.records import Record
from transforms import store_files

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
        self.put_bodies(kind, [(key, body_of(rec)) for key, rec in items])

    def put_bodies(self, kind: str, items: Iterable[tuple[str, str]]) -> None:
        rows = [(kind, key, body) for key, body in items]
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


def body_of(record: Record) -> str:
    """A record as stored: its JSON with sorted keys (the same bytes in the cache and in Parquet)."""
    return json.dumps(record.to_dict(), sort_keys=True)


@dataclasses.dataclass(frozen=True)
class StoreSpec:
    """Where a build's stored records live: `output_dir` (OUTPUT/store/, read and appended to),
    `reuse` (earlier builds' store dirs or outputs, read only) and `cache_path` (this worker's
    SQLite cache)."""

    cache_path: str  # or WORKER_TMP
    output_dir: str
    reuse: tuple[str, ...] = ()
    run: str = ""  # the build run: marks what it writes; a worker process indexes the stores once per run


WORKER_TMP = "tmp"  # as a cache path: a file in each worker's own temp dir, chosen on the worker


def cache_file(spec: StoreSpec) -> str:
    """The SQLite cache of `spec` on this worker."""
    if spec.cache_path != WORKER_TMP:
        return spec.cache_path
    digest = hashlib.sha256(spec.output_dir.encode("utf-8")).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), "themis-store-cache", f"{digest}.sqlite")


StoreRef = Union[str, StoreSpec]  # a bare SQLite path: a cache-only store (tests, the LLM cache)


class LayeredStore:
    """get_many/put_many over OUTPUT/store/ (truth), the reused stores, and the SQLite cache.

    A record answered from a reused store or from the cache alone is appended to OUTPUT/store/
    too, so that the output holds every record its shards were made from."""

    def __init__(self, spec: StoreSpec):
        self.spec = spec
        self.cache = Store(cache_file(spec))
        self._own, self._reused = store_files.shared_index(spec.output_dir, spec.reuse, spec.run)

    def get_many(self, kind: str, keys: Iterable[str], record_type: type[R]) -> dict[str, R]:
        keys = list(dict.fromkeys(keys))
        bodies = {k: self._own.get(kind, k) for k in keys}
        if None in bodies.values():  # another worker of this build may have stored it since
            self._own.refresh([self.spec.output_dir])
            bodies = {k: self._own.get(kind, k) for k in keys}
        copied = {k: self._reused.get(kind, k) for k, b in bodies.items() if b is None}
        copied = {k: b for k, b in copied.items() if b is not None}
        rest = [k for k, b in bodies.items() if b is None and k not in copied]
        cached = {k: body_of(r) for k, r in self.cache.get_many(kind, rest, record_type).items()}
        self._append(kind, {**copied, **cached}, "copied")
        self.cache.put_bodies(kind, copied.items())
        found = {k: b for k, b in bodies.items() if b is not None}
        found.update(copied)
        found.update(cached)
        return {k: record_type.from_dict(json.loads(b)) for k, b in found.items()}

    def put_many(self, kind: str, items: Iterable[tuple[str, Record]]) -> None:
        bodies = {key: body_of(rec) for key, rec in items}
        self.cache.put_bodies(kind, bodies.items())
        self._append(kind, bodies, "stored")

    def _append(self, kind: str, bodies: dict[str, str], how: str) -> None:
        """Write `bodies` to OUTPUT/store/, marked as this run's and `how`: "stored" (made by this
        build: executed or scanned) or "copied" (found in a reused store or the cache only)."""
        if bodies:
            origin = f"{self.spec.run}/{how}"
            store_files.write_bundle(self.spec.output_dir, kind, sorted(bodies.items()), origin)
            self._own.add(kind, bodies, origin)

    def get(self, kind: str, key: str, record_type: type[R]) -> Optional[R]:
        return self.get_many(kind, [key], record_type).get(key)

    def put(self, kind: str, key: str, record: Record) -> None:
        self.put_many(kind, [(key, record)])


def open_store(ref: Optional[StoreRef]):
    """The store for `ref`: None -> None, a path -> its SQLite Store, a StoreSpec -> a LayeredStore."""
    if ref is None or ref == "":
        return None
    return LayeredStore(ref) if isinstance(ref, StoreSpec) else Store(ref)
