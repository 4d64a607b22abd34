"""The build's manifest: what went in, with which config and versions, and what came out.

Counts are computed inside the pipeline as PCollections (so they are exact on any
runner) and written to a stats file; the driver folds them into manifest.json.
No timestamps: a rerun of the same build writes the same manifest.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections import defaultdict
from typing import Iterable

from apache_beam.io.filesystems import FileSystems

from schemas import SCHEMA_VERSION
from transforms.dead_letters import DEAD_LETTERS

STATS_FILE = "_stats.json"
MANIFEST_FILE = "manifest.json"
SUCCESS_FILE = "_SUCCESS"


def fingerprint_sources(sources: Iterable[tuple[str, str]]) -> str:
    """sha256 over the input's bytes (files) or the dataset's own fingerprint."""
    digest = hashlib.sha256()
    for kind, path in sorted(sources):
        digest.update(f"{kind}:{path}\n".encode())
        if kind == "datasets":
            digest.update(_dataset_fingerprint(path).encode())
            continue
        with FileSystems.open(path) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _dataset_fingerprint(path: str) -> str:
    import os

    import datasets

    if os.path.isdir(path):
        data = datasets.load_from_disk(path)
        parts = data.values() if isinstance(data, datasets.DatasetDict) else [data]
        return ",".join(d._fingerprint for d in parts)
    return path  # a hub name: its revision is not knowable offline


def versions() -> dict[str, str]:
    found = {"schema": SCHEMA_VERSION}
    for dist in ("themis-pipeline", "apache-beam", "pyarrow", "semgrep", "tree-sitter"):
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def stat_key(*parts: str) -> str:
    return "/".join(parts)


def fold_counts(pairs: Iterable[tuple[str, int]]) -> dict:
    """[("pairs/train/Runtime_Efficiency/C", 3), ...] -> nested dicts."""
    counts: dict = {}
    for key, value in sorted(pairs):
        node = counts
        *path, leaf = key.split("/")
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return counts


def pairs_table_rows(counts: dict) -> list[tuple[str, str, str, int]]:
    """(split, aspect, language, n) rows from the folded counts."""
    rows = []
    for split, aspects in sorted(counts.get("pairs", {}).items()):
        for aspect, languages in sorted(aspects.items()):
            for language, n in sorted(languages.items()):
                rows.append((split, aspect, language, n))
    return rows


def dead_letter_totals(counts: dict) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for stage, reasons in counts.get(DEAD_LETTERS, {}).items():
        for reason, n in reasons.items():
            totals[f"{stage}.{reason}"] += n
    return dict(sorted(totals.items()))


def write_json(obj: dict, path: str) -> None:
    tmp = path + ".tmp"
    with FileSystems.create(tmp) as fh:
        fh.write((json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([tmp], [path])


def read_json(path: str) -> dict:
    with FileSystems.open(path) as fh:
        return json.loads(fh.read().decode("utf-8"))
