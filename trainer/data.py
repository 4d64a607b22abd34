"""Preference pairs for training: our shards, or any dataset with `input, chosen, rejected`.

A build directory's shards (`DIR/data/*.parquet`) and any Parquet whose columns
are the PreferencePair schema are read with that Arrow schema, so a shard written
by another schema version fails loudly instead of training on wrong columns.
Other data (Parquet/JSON files, a `datasets` directory or hub name) needs
`input, chosen, rejected`; `system, language, aspect, task_id, margin` are optional.
"""
from __future__ import annotations

import dataclasses
import glob
import os
from typing import Optional

import pyarrow as pa
import pyarrow.dataset as pads

from schemas.records import PreferencePair

REQUIRED = ("input", "chosen", "rejected")


class DataError(ValueError):
    """Training data that cannot be used; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Pair:
    system: str
    input: str
    chosen: str
    rejected: str
    language: str = ""
    aspect: str = ""
    task_id: str = ""
    margin: float = 1.0


def _files(spec: str) -> list[str]:
    if os.path.isdir(os.path.join(spec, "data")):
        files = sorted(glob.glob(os.path.join(spec, "data", "**", "*.parquet"), recursive=True))
        if not files:
            raise DataError(f"{spec}/data has no Parquet shards: is the build finished? (`themis build ... --output {spec}`)")
        return files
    if any(ch in spec for ch in "*?["):
        files = sorted(glob.glob(spec, recursive=True))
        if not files:
            raise DataError(f"no files match {spec!r}")
        return files
    if os.path.isfile(spec):
        return [spec]
    return []


def has_pair_columns(names) -> bool:
    """Whether columns `names` hold every PreferencePair column: our shards."""
    return set(PreferencePair.arrow_schema().names) <= set(names)


def _columns(path: str) -> list[str]:
    try:
        return pads.dataset(path, format="parquet").schema.names
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc


def _check_columns(path: str, names: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r} (has {', '.join(names) or 'none'}); "
                        f"training data needs {', '.join(REQUIRED)} (and optionally system)")


def _rows_from_files(files: list[str]) -> list[dict]:
    parquet = [f for f in files if f.endswith(".parquet")]
    columns = {f: _columns(f) for f in parquet}
    for path, names in columns.items():
        _check_columns(path, names)
    if parquet and len(parquet) == len(files) and all(has_pair_columns(c) for c in columns.values()):
        table = pads.dataset(parquet, format="parquet", schema=PreferencePair.arrow_schema()).to_table()
        return table.to_pylist()
    import datasets

    kind = "parquet" if parquet else "json"
    return datasets.load_dataset(kind, data_files=files, split="train").to_list()


def _rows_from_datasets(spec: str, split: str) -> list[dict]:
    import datasets

    try:
        if os.path.isdir(spec):
            ds = datasets.load_from_disk(spec)
        else:
            ds = datasets.load_dataset(spec)
    except Exception as exc:  # datasets raises many types for "not found"
        raise DataError(f"cannot read {spec!r} as a shard directory, file, glob or `datasets` dataset: {exc}") from exc
    if isinstance(ds, datasets.DatasetDict):
        if split not in ds:
            raise DataError(f"{spec!r} has splits {sorted(ds)}, not {split!r}: pass --split")
        ds = ds[split]
    return ds.to_list()


def _pair(row: dict, where: str) -> Pair:
    for name in REQUIRED:
        if not isinstance(row.get(name), str):
            raise DataError(f"{where}: column {name!r} is missing or not text; "
                            f"training data needs {', '.join(REQUIRED)} (and optionally system)")
    margin = row.get("margin")
    return Pair(system=row.get("system") or "", input=row["input"], chosen=row["chosen"],
                rejected=row["rejected"], language=row.get("language") or "", aspect=row.get("aspect") or "",
                task_id=str(row.get("task_id") or ""), margin=1.0 if margin is None else float(margin))


def load_pairs(spec: str, split: Optional[str] = "train") -> list[Pair]:
    """Pairs from `spec`; rows whose `split` column differs from `split` are skipped.

    `split=None` keeps every row. Data without a `split` column is used whole.
    """
    files = _files(spec)
    rows = _rows_from_files(files) if files else _rows_from_datasets(spec, split or "train")
    if split is not None and rows and "split" in rows[0]:
        present = sorted({r["split"] for r in rows})
        rows = [r for r in rows if r["split"] == split]
        if not rows:
            raise DataError(f"{spec!r} has no rows in split {split!r} (it has {present}): pass --split")
    if not rows:
        raise DataError(f"{spec!r} holds no preference pairs")
    return [_pair(row, f"{spec} row {i}") for i, row in enumerate(rows)]


def read_table(path: str) -> pa.Table:
    """A Parquet file or glob as one Arrow table (benchmarks, score inputs)."""
    files = _files(path)
    if not files:
        raise DataError(f"{path!r} does not exist")
    return pads.dataset(files, format="parquet").to_table()
