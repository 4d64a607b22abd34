"""Exact dedup, MinHash LSH near-dedup and n-gram decontamination of Tasks or Candidates.

Each is a Beam transform returning {"records", "dead_letters"}; dropped records
carry the reason (`exact_duplicate`, `near_duplicate`, `contaminated`) and what
they duplicate. Which copy survives is decided by id (the smallest content id),
so the result does not depend on input order or runner.

Near-dedup follows the usual MinHash LSH recipe: token shingles of `shingle_size`
tokens, `num_perm` min-hashes, `bands` x `rows` chosen for `threshold`; records
sharing a band bucket are compared on their signatures, and a record is dropped
when one with a smaller id in a shared bucket reaches the threshold. Chains
(A~B, B~C) drop both B and C, as connected-component dedup does.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import zlib
from typing import Iterable, Iterator, Optional, Union

import apache_beam as beam
import numpy as np

from schemas import Candidate, DeadLetter, Task
from transforms.dead_letters import DEAD_LETTERS, Routed, Step

STAGE = "dedup"
Item = Union[Task, Candidate]

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")


def record_id(record: Item) -> str:
    return record.task_id if isinstance(record, Task) else record.candidate_id


def record_text(record: Item) -> str:
    """What is compared: a task's prompt and all its candidates' code, or a candidate's code."""
    if isinstance(record, Task):
        return "\n\n".join([record.prompt] + [c.code for c in record.candidates])
    return record.code


def normalise(text: str) -> str:
    """Whitespace-insensitive form: line endings, trailing spaces and blank lines do not count."""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def exact_key(record: Item) -> str:
    return hashlib.sha256(normalise(record_text(record)).encode("utf-8")).hexdigest()


# ---- MinHash ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class MinHashConfig:
    shingle_size: int = 20  # tokens per shingle (Themis: 20)
    threshold: float = 0.75  # estimated Jaccard similarity that counts as a duplicate (Themis: 0.75)
    num_perm: int = 128
    seed: int = 0

    def __post_init__(self):
        if self.shingle_size < 1 or not 0 < self.threshold < 1 or self.num_perm < 2:
            raise ValueError("MinHash needs shingle_size >= 1, 0 < threshold < 1 and num_perm >= 2")

    def bands(self) -> tuple[int, int]:
        """(bands, rows) minimising false positives + false negatives around the threshold."""
        xs = np.linspace(0.0, 1.0, 201)
        best, best_error = (1, self.num_perm), float("inf")
        for rows in range(1, self.num_perm + 1):
            bands = self.num_perm // rows
            hit = 1.0 - (1.0 - xs ** rows) ** bands
            below, above = xs <= self.threshold, xs > self.threshold
            error = np.trapezoid(hit[below], xs[below]) + np.trapezoid(1.0 - hit[above], xs[above])
            if error < best_error:
                best, best_error = (bands, rows), error
        return best


class MinHasher:
    """Signatures of texts: `num_perm` 32-bit min-hashes of their token shingles."""

    def __init__(self, config: MinHashConfig):
        self.config = config
        rng = np.random.default_rng(config.seed)
        self._mix = rng.integers(1, 2 ** 63, size=config.shingle_size, dtype=np.uint64) | np.uint64(1)
        self._a = rng.integers(1, 2 ** 63, size=(config.num_perm, 1), dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, 2 ** 63, size=(config.num_perm, 1), dtype=np.uint64)

    def shingles(self, text: str) -> np.ndarray:
        """64-bit hashes of the distinct token shingles (the whole text when it is shorter than one)."""
        tokens = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in _TOKEN.findall(text)), dtype=np.uint64)
        k = min(self.config.shingle_size, len(tokens))
        if k == 0:
            return np.zeros(1, dtype=np.uint64)
        n = len(tokens) - k + 1
        with np.errstate(over="ignore"):
            hashes = np.zeros(n, dtype=np.uint64)
            for j in range(k):  # polynomial mix of each window, vectorised over windows
                hashes = (hashes ^ tokens[j:j + n]) * self._mix[j]
        return np.unique(hashes)

    def signature(self, text: str) -> np.ndarray:
        shingles = self.shingles(text)
        with np.errstate(over="ignore"):
            # multiply-shift hashing: the high 32 bits of a*x+b mod 2^64 are a universal hash of x
            return ((self._a * shingles[None, :] + self._b) >> np.uint64(32)).min(axis=1).astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def band_keys(signature: np.ndarray, bands: int, rows: int) -> list[str]:
    return [f"{i}:{hashlib.blake2b(signature[i * rows:(i + 1) * rows].tobytes(), digest_size=12).hexdigest()}"
            for i in range(bands)]


def bucket_duplicates(members: Iterable[tuple[str, np.ndarray]], threshold: float) -> Iterator[tuple[str, str, float]]:
    """(duplicate id, kept id, similarity) for members similar to one with a smaller id."""
    ordered = sorted({m[0]: m for m in members}.values(), key=lambda m: m[0])
    for j, (dup_id, dup_sig) in enumerate(ordered):
        for keep_id, keep_sig in ordered[:j]:
            score = similarity(dup_sig, keep_sig)
            if score >= threshold:
                yield dup_id, keep_id, score
                break


# ---- decontamination --------------------------------------------------------

def ngram_hashes(text: str, n: int) -> set[int]:
    """Hashes of the lower-case word n-grams of a text (none when it has fewer than n words)."""
    words = [w.lower() for w in _WORD.findall(text)]
    return {int.from_bytes(hashlib.blake2b(" ".join(words[i:i + n]).encode("utf-8"), digest_size=8).digest(), "big")
            for i in range(len(words) - n + 1)}


def load_benchmark_texts(paths: Iterable[str], fields: tuple[str, ...] = ("prompt",)) -> list[str]:
    """Benchmark texts from JSONL files (the named fields of each row) or plain-text files (whole file)."""
    texts: list[str] = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            if not path.endswith((".jsonl", ".json")):
                texts.append(fh.read())
                continue
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    raise ValueError(f"{path}:{number}: not JSON; benchmark files are JSONL or plain text") from None
                texts += [row[f] for f in fields if isinstance(row.get(f), str)]
    return texts


class Contamination:
    """The n-grams of benchmark texts, and which benchmark each came from."""

    def __init__(self, benchmarks: Iterable[str], n: int = 13):
        self.n = n
        self.grams: dict[int, int] = {}
        for index, text in enumerate(benchmarks):
            for gram in ngram_hashes(text, n):
                self.grams.setdefault(gram, index)

    def match(self, text: str) -> Optional[tuple[int, int]]:
        """(benchmark index, shared n-grams) for the first benchmark text the text overlaps, else None."""
        hits = [self.grams[g] for g in ngram_hashes(text, self.n) if g in self.grams]
        if not hits:
            return None
        first = min(hits)
        return first, hits.count(first)


# ---- Beam -------------------------------------------------------------------

def _drop(reason: str, record: Item, detail: str) -> DeadLetter:
    return DeadLetter.of(STAGE, reason, record.to_dict(), record_id=record_id(record), detail=detail)


def _split_group(item) -> Iterator:
    _key, records = item
    ordered = sorted(records, key=record_id)
    yield ordered[0]
    for record in ordered[1:]:
        yield _drop("exact_duplicate", record, f"same as {record_id(ordered[0])}")


class ExactDedup(beam.PTransform):
    """Keeps one record per normalised content hash."""

    def expand(self, records):
        return (records
                | "Key" >> beam.Map(lambda r: (exact_key(r), r))
                | "Group" >> beam.GroupByKey()
                | "Split" >> Routed(_split_group, "records", stage=STAGE))


class _Sign(beam.DoFn):
    def __init__(self, config: MinHashConfig):
        self._config = config

    def setup(self):
        self._hasher = MinHasher(self._config)

    def process(self, record):
        yield record_id(record), (record, self._hasher.signature(record_text(record)))


def _keep_or_drop(item) -> Iterator:
    _id, grouped = item
    records, marks = grouped["records"], grouped["marks"]
    for record, _sig in records:
        if marks:
            kept, score = min(marks)
            yield _drop("near_duplicate", record, f"similar to {kept} (estimated Jaccard {score:.2f})")
        else:
            yield record


class NearDedup(beam.PTransform):
    """MinHash LSH near-duplicate removal (Themis: 20-token shingles, threshold 0.75)."""

    def __init__(self, config: MinHashConfig = MinHashConfig()):
        super().__init__()
        self.config = config

    def expand(self, records):
        bands, rows = self.config.bands()
        threshold = self.config.threshold
        signed = records | "Sign" >> beam.ParDo(_Sign(self.config))
        marks = (signed
                 | "Bands" >> beam.FlatMap(lambda kv: [(key, (kv[0], kv[1][1])) for key in band_keys(kv[1][1], bands, rows)])
                 | "Buckets" >> beam.GroupByKey()
                 | "Compare" >> beam.FlatMap(lambda kv: [(d, (k, s)) for d, k, s in bucket_duplicates(kv[1], threshold)]))
        return ({"records": signed, "marks": marks}
                | "Join" >> beam.CoGroupByKey()
                | "Decide" >> Routed(_keep_or_drop, "records", stage=STAGE))


class Deduplicate(beam.PTransform):
    """Exact dedup, then near dedup."""

    def __init__(self, config: MinHashConfig = MinHashConfig()):
        super().__init__()
        self.config = config

    def expand(self, records):
        exact = records | "Exact" >> ExactDedup()
        near = exact["records"] | "Near" >> NearDedup(self.config)
        dead = (exact[DEAD_LETTERS], near[DEAD_LETTERS]) | "DeadLetters" >> beam.Flatten()
        return {"records": near["records"], DEAD_LETTERS: dead}


class _Screen(Step):
    stage = STAGE

    def __init__(self, contamination: Contamination):
        self._contamination = contamination

    def decide(self, record) -> Iterator:
        # a task's text holds its prompt; a candidate's prompt is checked along with its code
        text = record_text(record) if isinstance(record, Task) else f"{record.prompt}\n\n{record.code}"
        hit = self._contamination.match(text)
        if hit is None:
            yield record
        else:
            index, shared = hit
            yield _drop("contaminated", record, f"shares {shared} {self._contamination.n}-grams with benchmark text #{index}")


class Decontaminate(beam.PTransform):
    """Drops records sharing any word n-gram (Themis: 13) with the benchmark texts the user supplies."""

    def __init__(self, benchmarks: Iterable[str], n: int = 13):
        super().__init__()
        self.contamination = Contamination(benchmarks, n)

    def expand(self, records):
        return records | "Screen" >> Routed(_Screen(self.contamination), "records")
