"""Deterministic outputs: hash-sharded Parquet for pairs, sorted JSONL for dead letters and ties.

Beam's WriteToParquet places rows wherever bundles happen to fall, so two runs of
the same build differ. Here a row's shard is a hash of its id, rows are sorted
within a shard, and each file is written under a temporary name and renamed, so
the same pairs always give byte-identical files and a crash never leaves half a
shard under a final name.
"""
from __future__ import annotations

import hashlib
import json
from typing import Callable, Iterable

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from schemas import PreferencePair


def shard_index(record_id: str, num_shards: int) -> int:
    return int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:16], 16) % num_shards


def shard_name(split: str, index: int, num_shards: int) -> str:
    return f"{split}-{index:05d}-of-{num_shards:05d}.parquet"


def _join(directory: str, name: str) -> str:
    return FileSystems.join(directory, name)


def _replace(tmp: str, final: str) -> None:
    if FileSystems.exists(final):
        FileSystems.delete([final])
    FileSystems.rename([tmp], [final])


def pairs_table(pairs: Iterable[PreferencePair]) -> pa.Table:
    rows = [p.to_dict() for p in sorted(pairs, key=lambda p: p.id)]
    return pa.Table.from_pylist(rows, schema=PreferencePair.arrow_schema())


def write_parquet(table: pa.Table, path: str) -> str:
    """Write under a temporary name, then rename into place."""
    tmp = path + ".tmp"
    with FileSystems.create(tmp) as fh:
        pq.write_table(table, fh, compression="zstd")
    _replace(tmp, path)
    return path


def write_jsonl(rows: Iterable[dict], path: str) -> str:
    lines = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)
    tmp = path + ".tmp"
    with FileSystems.create(tmp) as fh:
        for line in lines:
            fh.write(line.encode("utf-8") + b"\n")
    _replace(tmp, path)
    return path


def fill_missing_shards(data_dir: str, splits: Iterable[str], num_shards: int) -> list[str]:
    """Write empty shards for (split, index) that received no rows, so every split is complete."""
    written = []
    for split in splits:
        for index in range(num_shards):
            path = _join(data_dir, shard_name(split, index, num_shards))
            if not FileSystems.exists(path):
                written.append(write_parquet(pairs_table([]), path))
    return written


class _WriteGroups(beam.PTransform):
    """Records -> one file per key: `key_of(record)` groups them, `write(key, records)` writes a group's
    file and returns its path; outputs the paths."""

    def __init__(self, key_of: Callable[[object], object], write: Callable[[object, Iterable], str]):
        super().__init__()
        self.key_of, self.write = key_of, write

    def expand(self, records):
        key_of = self.key_of
        return (records
                | "Key" >> beam.Map(lambda r: (key_of(r), r))
                | "Group" >> beam.GroupByKey()
                | "Write" >> beam.MapTuple(self.write))


class WriteShards(_WriteGroups):
    """PreferencePair -> `DIR/<split>-NNNNN-of-MMMMM.parquet`; outputs the written paths."""

    def __init__(self, data_dir: str, num_shards: int):
        super().__init__(
            lambda p: (p.split, shard_index(p.id, num_shards)),
            lambda key, rows: write_parquet(pairs_table(rows), _join(data_dir, shard_name(key[0], key[1], num_shards))))


class WriteJsonlGroups(_WriteGroups):
    """Records (dicts, or records with `to_dict`) -> one sorted JSONL file per group name
    (`DIR/<name>.jsonl`); outputs the paths."""

    def __init__(self, directory: str, group_of: Callable[[object], str]):
        super().__init__(group_of, lambda name, rows: write_jsonl(
            (r.to_dict() if hasattr(r, "to_dict") else r for r in rows), _join(directory, f"{name}.jsonl")))
