"""The measurement store as files: Parquet bundles under OUTPUT/store/, through Beam's FileSystems.

Each stored batch is one `<kind>-<bundle>.parquet` (columns kind, key, body: the record's JSON),
named by a hash of its content, written to a temporary name and renamed, so a reader never
sees half a file and a kill -9 loses at most the batch in flight. Files are only added; at the
end of a build `compact` merges each kind's files into one. A key stored twice (two workers
measured the same program) is read from the first file in name order, everywhere.

Works on any file system Beam knows (local paths, gs://, a registered scheme): nothing here
opens a path with plain `open()`.
"""
from __future__ import annotations

import hashlib
import io
import threading
import uuid
from typing import Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

SCHEMA = pa.schema([("kind", pa.string()), ("key", pa.string()), ("body", pa.string())])
STORE_DIR = "store"
_RAW = CompressionTypes.UNCOMPRESSED


def bundle_name(kind: str, rows: Sequence[tuple[str, str]]) -> str:
    """`<kind>-<hash of the rows>.parquet`: the same batch always gets the same name."""
    digest = hashlib.sha256()
    for key, body in rows:
        digest.update(f"{len(key)}:{key}{len(body)}:{body}".encode("utf-8"))
    return f"{kind}-{digest.hexdigest()[:24]}.parquet"


def kind_of(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit("-", 1)[0]


def encode(kind: str, rows: Sequence[tuple[str, str]]) -> bytes:
    table = pa.table({"kind": [kind] * len(rows), "key": [k for k, _ in rows], "body": [b for _, b in rows]},
                     schema=SCHEMA)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def decode(data: bytes) -> list[tuple[str, str, str]]:
    table = pq.read_table(io.BytesIO(data), schema=SCHEMA)
    return list(zip(*(table.column(name).to_pylist() for name in SCHEMA.names)))


def _write_atomically(path: str, data: bytes) -> None:
    directory, name = path.rsplit("/", 1)
    temporary = FileSystems.join(directory, f".{name}.{uuid.uuid4().hex}.tmp")  # never matches *.parquet
    with FileSystems.create(temporary, compression_type=_RAW) as fh:
        fh.write(data)
    FileSystems.rename([temporary], [path])


def write_bundle(store_dir: str, kind: str, rows: Sequence[tuple[str, str]]) -> str:
    """Append `rows` ((key, body), ...) of `kind` as one file; returns its path."""
    path = FileSystems.join(store_dir, bundle_name(kind, rows))
    if not FileSystems.exists(path):
        _write_atomically(path, encode(kind, rows))
    return path


def store_dir_of(location: str) -> str:
    """A build's OUTPUT (or its OUTPUT/store itself) -> the store directory."""
    trimmed = location.rstrip("/")
    return trimmed if trimmed.rsplit("/", 1)[-1] == STORE_DIR else FileSystems.join(trimmed, STORE_DIR)


def bundle_paths(store_dir: str) -> list[str]:
    """The finished bundles under `store_dir`, in name order (temporary files are not listed)."""
    matched = FileSystems.match([FileSystems.join(store_dir, "*.parquet")])[0].metadata_list
    return sorted(m.path for m in matched if not m.path.rsplit("/", 1)[-1].startswith("."))


def read_bundle(path: str) -> list[tuple[str, str, str]]:
    with FileSystems.open(path, compression_type=_RAW) as fh:
        return decode(fh.read())


def read_rows(store_dirs: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """(kind, key, body) of every bundle of every store dir, dirs in the order given, files by name."""
    for store_dir in store_dirs:
        for path in bundle_paths(store_dir):
            yield from read_bundle(path)


class Index:
    """(kind, key) -> body; the first record seen for a key stays (the order readers agree on)."""

    def __init__(self, rows: Iterable[tuple[str, str, str]] = ()):
        self._bodies: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        for kind, key, body in rows:
            self._bodies.setdefault((kind, key), body)

    def get(self, kind: str, key: str):
        return self._bodies.get((kind, key))

    def add(self, kind: str, bodies: dict[str, str]) -> None:
        with self._lock:
            for key, body in bodies.items():
                self._bodies.setdefault((kind, key), body)

    def rows(self, kind: str) -> list[tuple[str, str]]:
        """(key, body) of `kind`, sorted by key."""
        return sorted((key, body) for (k, key), body in self._bodies.items() if k == kind)

    def __len__(self) -> int:
        return len(self._bodies)


_INDEXES: dict[tuple, tuple[Index, Index]] = {}
_INDEXES_LOCK = threading.Lock()


def shared_index(output_dir: str, reuse: Sequence[str], run: str = "") -> tuple[Index, Index]:
    """This process's (own, reused) indexes of a build's stores, read once per build run."""
    memo_key = (output_dir, tuple(reuse), run)
    with _INDEXES_LOCK:
        if memo_key not in _INDEXES:
            _INDEXES[memo_key] = (Index(read_rows([output_dir])), Index(read_rows(reuse)))
        return _INDEXES[memo_key]


def compact(store_dir: str) -> dict[str, int]:
    """Merge each kind's bundles into one (write the merged file first, then delete the parts: a
    kill in between leaves duplicates that readers resolve the same way). Returns files merged per kind."""
    by_kind: dict[str, list[str]] = {}
    for path in bundle_paths(store_dir):
        by_kind.setdefault(kind_of(path), []).append(path)
    merged: dict[str, int] = {}
    for kind, paths in sorted(by_kind.items()):
        if len(paths) < 2:
            continue
        kept = write_bundle(store_dir, kind, Index(row for path in paths for row in read_bundle(path)).rows(kind))
        FileSystems.delete([p for p in paths if p != kept])
        merged[kind] = len(paths)
    return merged
