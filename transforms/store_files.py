"""The measurement store as files: Parquet bundles under OUTPUT/store/, through Beam's FileSystems.

Each stored batch is one `<kind>-<bundle>.parquet` (columns kind, key, body: the record's JSON,
origin: "<build run>/<stored|copied>", so a run can count what it executed),
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

SCHEMA = pa.schema([("kind", pa.string()), ("key", pa.string()), ("body", pa.string()), ("origin", pa.string())])
Row = tuple[str, str, str, str]  # kind, key, body, origin
STORE_DIR = "store"
_RAW = CompressionTypes.UNCOMPRESSED


def bundle_name(kind: str, rows: Sequence[tuple[str, str]], origin: str) -> str:
    """`<kind>-<hash of the rows>.parquet`: the same batch always gets the same name."""
    digest = hashlib.sha256(origin.encode("utf-8"))
    for key, body in rows:
        digest.update(f"{len(key)}:{key}{len(body)}:{body}".encode("utf-8"))
    return f"{kind}-{digest.hexdigest()[:24]}.parquet"


def kind_of(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit("-", 1)[0]


def encode(rows: Sequence[Row]) -> bytes:
    table = pa.table({name: [row[i] for row in rows] for i, name in enumerate(SCHEMA.names)}, schema=SCHEMA)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def decode(data: bytes) -> list[Row]:
    table = pq.read_table(io.BytesIO(data), schema=SCHEMA)
    return list(zip(*(table.column(name).to_pylist() for name in SCHEMA.names)))


def _write_atomically(path: str, data: bytes) -> None:
    directory, name = path.rsplit("/", 1)
    temporary = FileSystems.join(directory, f".{name}.{uuid.uuid4().hex}.tmp")  # never matches *.parquet
    with FileSystems.create(temporary, compression_type=_RAW) as fh:
        fh.write(data)
    FileSystems.rename([temporary], [path])


def write_bundle(store_dir: str, kind: str, rows: Sequence[tuple[str, str]], origin: str = "") -> str:
    """Append `rows` ((key, body), ...) of `kind` as one file; returns its path."""
    path = FileSystems.join(store_dir, bundle_name(kind, rows, origin))
    if not FileSystems.exists(path):
        _write_atomically(path, encode([(kind, key, body, origin) for key, body in rows]))
    return path


def write_rows(store_dir: str, kind: str, rows: Sequence[Row]) -> str:
    """Append whole rows (compaction: each keeps its origin) of `kind` as one file; returns its path."""
    digest = hashlib.sha256(encode(rows)).hexdigest()[:24]
    path = FileSystems.join(store_dir, f"{kind}-{digest}.parquet")
    if not FileSystems.exists(path):
        _write_atomically(path, encode(rows))
    return path


def store_dir_of(location: str) -> str:
    """A build's OUTPUT (or its OUTPUT/store itself) -> the store directory."""
    trimmed = location.rstrip("/")
    return trimmed if trimmed.rsplit("/", 1)[-1] == STORE_DIR else FileSystems.join(trimmed, STORE_DIR)


def bundle_paths(store_dir: str) -> list[str]:
    """The finished bundles under `store_dir`, in name order (temporary files are not listed)."""
    matched = FileSystems.match([FileSystems.join(store_dir, "*.parquet")])[0].metadata_list
    return sorted(m.path for m in matched if not m.path.rsplit("/", 1)[-1].startswith("."))


def read_bundle(path: str) -> list[Row]:
    with FileSystems.open(path, compression_type=_RAW) as fh:
        return decode(fh.read())


def read_rows(store_dirs: Iterable[str]) -> Iterator[Row]:
    """(kind, key, body, origin) of every bundle of every store dir, dirs in the order given, files by name."""
    for store_dir in store_dirs:
        for path in bundle_paths(store_dir):
            yield from read_bundle(path)


class Index:
    """(kind, key) -> body; the first record seen for a key stays (the order readers agree on)."""

    def __init__(self, rows: Iterable[Row] = ()):
        self._rows: dict[tuple[str, str], Row] = {}
        self._lock = threading.Lock()
        self._read: set[str] = set()
        for row in rows:
            self._rows.setdefault(row[:2], row)

    def refresh(self, store_dirs: Sequence[str]) -> None:
        """Read the bundles of `store_dirs` not read before (other workers keep adding them)."""
        with self._lock:
            for path in (p for d in store_dirs for p in bundle_paths(d) if p not in self._read):
                try:
                    rows = read_bundle(path)
                except FileNotFoundError:  # compacted away meanwhile: its rows are in the merged file
                    continue
                self._read.add(path)
                for row in rows:
                    self._rows.setdefault(row[:2], row)

    def get(self, kind: str, key: str):
        row = self._rows.get((kind, key))
        return row[2] if row else None

    def add(self, kind: str, bodies: dict[str, str], origin: str = "") -> None:
        with self._lock:
            for key, body in bodies.items():
                self._rows.setdefault((kind, key), (kind, key, body, origin))

    def rows(self, kind: str) -> list[Row]:
        """The rows of `kind`, sorted by key."""
        return sorted(row for (k, _), row in self._rows.items() if k == kind)

    def __len__(self) -> int:
        return len(self._rows)


_INDEXES: dict[tuple, tuple[Index, Index]] = {}
_INDEXES_LOCK = threading.Lock()


def shared_index(output_dir: str, reuse: Sequence[str], run: str = "") -> tuple[Index, Index]:
    """This process's (own, reused) indexes of a build's stores, read once per build run."""
    memo_key = (output_dir, tuple(reuse), run)
    with _INDEXES_LOCK:
        if memo_key not in _INDEXES:
            own, reused = Index(), Index()
            own.refresh([output_dir])
            reused.refresh(reuse)
            _INDEXES[memo_key] = (own, reused)
        return _INDEXES[memo_key]


def compact(store_dir: str) -> dict[str, int]:
    """Merge each kind's bundles into one (write the merged file first, then delete the parts: a
    kill in between leaves duplicates that readers resolve the same way), and delete the temporary
    files of writers killed mid-file (a build compacts once its own writers are done). Returns files
    merged per kind."""
    temporaries = FileSystems.match([FileSystems.join(store_dir, ".*.tmp")])[0].metadata_list
    if temporaries:
        FileSystems.delete([m.path for m in temporaries])
    by_kind: dict[str, list[str]] = {}
    for path in bundle_paths(store_dir):
        by_kind.setdefault(kind_of(path), []).append(path)
    merged: dict[str, int] = {}
    for kind, paths in sorted(by_kind.items()):
        if len(paths) < 2:
            continue
        kept = write_rows(store_dir, kind, Index(row for path in paths for row in read_bundle(path)).rows(kind))
        FileSystems.delete([p for p in paths if p != kept])
        merged[kind] = len(paths)
    return merged


def run_writes(store_dir: str, run: str) -> dict[str, dict[str, int]]:
    """Records build run `run` wrote under `store_dir`, by kind and how ("stored": executed or scanned
    by it, "copied": found in a reused store or a cache)."""
    counts: dict[str, dict[str, int]] = {}
    for kind, _, _, origin in read_rows([store_dir]):
        writer, _, how = origin.rpartition("/")
        if writer == run:
            counts.setdefault(kind, {}).setdefault(how, 0)
            counts[kind][how] += 1
    return dict(sorted(counts.items()))
