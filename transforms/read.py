"""Read input rows from JSONL, Parquet or a `datasets` dataset, dead-lettering what cannot be read.

Each row travels with a reference (`file:line` or `dataset[index]`) so a dropped
record can be found again. JSONL lines are read as bytes and decoded here, so a
non-UTF-8 line or an oversized one becomes a dead letter instead of stopping the
build. So does valid JSON that Python or Beam cannot carry: a lone surrogate escape
("\\ud800" decodes to a str that Beam's coder cannot encode), an integer over Python's
int-to-str digit limit, and nesting deeper than the recursion limit.
"""
from __future__ import annotations

import json
import os
import re
from typing import Iterator, Union

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from schemas import DeadLetter
from transforms.dead_letters import Routed

STAGE = "read"
Source = tuple[str, str]  # (kind, path or dataset name); kind in jsonl, parquet, datasets
Row = tuple[str, Union[bytes, dict]]
# A \uD800-\uDFFF escape: only then can the decoded row hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_EXTENSIONS = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".parquet")
# A hub dataset is `owner/name`: a path that starts with / or ., or has more parts, is a local one.
_HUB_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


class InputError(ValueError):
    """The --input cannot be resolved; the message says what was looked for."""


def _kind_of(path: str) -> str:
    lowered = path.lower()
    if lowered.endswith((".jsonl", ".json", ".jsonl.gz", ".ndjson")):
        return "jsonl"
    if lowered.endswith(".parquet"):
        return "parquet"
    raise InputError(f"{path}: unknown file type; expected .jsonl, .json, .ndjson or .parquet (or pass --format datasets)")


def resolve_sources(spec: str, fmt: str = "auto") -> list[Source]:
    """Expand --input (paths, globs, a directory, comma-separated) into readable sources, sorted."""
    if fmt == "datasets":
        return [("datasets", spec)]
    sources: list[Source] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if os.path.isdir(part):
            if any(os.path.exists(os.path.join(part, marker)) for marker in ("dataset_info.json", "state.json", "dataset_dict.json")):
                sources.append(("datasets", part))
                continue
            part = os.path.join(part, "*")
        matches = [m.path for r in FileSystems.match([part]) for m in r.metadata_list]
        files = [m for m in matches if m.lower().endswith(_EXTENSIONS)]
        if not files:
            if _HUB_NAME.fullmatch(part) and not part.lower().endswith(_EXTENSIONS) and not os.path.exists(part):
                # `owner/name` with no such local path: a dataset on the hub
                sources.append(("datasets", part))
                continue
            if "*" not in part and "://" not in part and not os.path.exists(part):
                raise InputError(f"--input {part}: no such file or directory")
            raise InputError(f"--input {part}: no .jsonl, .json or .parquet files found")
        sources += [(_kind_of(f), f) for f in files]
    if not sources:
        raise InputError("--input is empty: give a file, a glob, a directory or a dataset name")
    return sorted(set(sources))


def iter_source(source: Source, dataset_split: str = "train") -> Iterator[Row]:
    """Yield (reference, raw line bytes or row dict) for one source."""
    kind, path = source
    if kind == "jsonl":
        with FileSystems.open(path) as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    yield f"{path}:{number}", line
    elif kind == "parquet":
        import pyarrow.parquet as pq

        with FileSystems.open(path) as fh:
            parquet = pq.ParquetFile(fh)
            index = 0
            for batch in parquet.iter_batches(batch_size=1024):
                for row in batch.to_pylist():
                    yield f"{path}[{index}]", row
                    index += 1
    elif kind == "datasets":
        import datasets

        if os.path.isdir(path):
            data = datasets.load_from_disk(path)
            if isinstance(data, datasets.DatasetDict):
                data = data[dataset_split]
        else:
            data = datasets.load_dataset(path, split=dataset_split)
        for index, row in enumerate(data):
            yield f"{path}[{index}]", dict(row)
    else:
        raise InputError(f"unknown source kind {kind!r}")


def decode_row(ref: str, raw: Union[bytes, dict], max_bytes: int) -> Union[dict, DeadLetter]:
    """A row as a dict, or a dead letter saying why it cannot be one."""
    if isinstance(raw, dict):
        size = len(json.dumps(raw, default=str))
        if size > max_bytes:
            return DeadLetter.of(STAGE, "too_large", raw, ref, f"{size} bytes > --max_record_bytes {max_bytes}")
        return raw
    if len(raw) > max_bytes:
        return DeadLetter.of(STAGE, "too_large", raw[:1024].decode("utf-8", "replace"), ref,
                             f"{len(raw)} bytes > --max_record_bytes {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DeadLetter.of(STAGE, "not_utf8", raw.decode("utf-8", "replace"), ref, str(exc))
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        return DeadLetter.of(STAGE, "invalid_json", text, ref, str(exc))
    except RecursionError:
        return DeadLetter.of(STAGE, "nested_too_deep", text[:1024], ref, "nesting deeper than Python's recursion limit")
    except ValueError as exc:  # the only other ValueError json.loads raises: int digits over sys.get_int_max_str_digits()
        return DeadLetter.of(STAGE, "integer_too_long", text[:1024], ref, str(exc))
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(row, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            return DeadLetter.of(STAGE, "lone_surrogate", text, ref, f"a lone surrogate escape: {exc.reason}")
    if not isinstance(row, dict):
        return DeadLetter.of(STAGE, "not_an_object", text, ref, f"expected a JSON object, got {type(row).__name__}")
    return row


def _read_source(source: Source, dataset_split: str, max_bytes: int) -> Iterator[Union[Row, DeadLetter]]:
    for ref, raw in iter_source(source, dataset_split):
        decoded = decode_row(ref, raw, max_bytes)
        yield decoded if isinstance(decoded, DeadLetter) else (ref, decoded)


class ReadRows(beam.PTransform):
    """Sources -> {"rows": (reference, dict), "dead_letters": DeadLetter}."""

    def __init__(self, sources: list[Source], dataset_split: str = "train", max_record_bytes: int = 1 << 20):
        super().__init__()
        self.sources = sources
        self.dataset_split = dataset_split
        self.max_record_bytes = max_record_bytes

    def expand(self, pbegin):
        out = (pbegin | "Sources" >> beam.Create(self.sources)
               | "Read" >> Routed(_read_source, "rows", args=(self.dataset_split, self.max_record_bytes),
                                  stage=STAGE, kept="records"))
        return {**out, "rows": out["rows"] | "Spread" >> beam.Reshuffle()}
