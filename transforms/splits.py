"""Train/test splits by task id: every pair of a task lands in the same split.

The split of a task is a function of its id (and the build seed) alone, so it
never depends on which other tasks are in the build or in what order they come.
"""
from __future__ import annotations

from schemas.records import content_id

SplitSpec = tuple[tuple[str, float], ...]


class SplitError(ValueError):
    """A --splits value that does not describe a partition."""


def parse_splits(text: str) -> SplitSpec:
    """'train=0.9,test=0.1' -> (('train', 0.9), ('test', 0.1)); fractions must sum to 1."""
    spec: list[tuple[str, float]] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, fraction = item.partition("=")
        name = name.strip()
        try:
            value = float(fraction) if sep else float("nan")
        except ValueError:
            value = float("nan")
        if not name or not value >= 0.0:
            raise SplitError(f"--splits: expected name=fraction items like 'train=0.9,test=0.1', got {item!r}")
        if name in dict(spec):
            raise SplitError(f"--splits: split {name!r} is named twice")
        spec.append((name, value))
    if not spec:
        raise SplitError("--splits: name at least one split, e.g. 'train=1.0'")
    total = sum(value for _, value in spec)
    if abs(total - 1.0) > 1e-6:
        raise SplitError(f"--splits: fractions must sum to 1, they sum to {total:g}")
    return tuple(spec)


def split_of(task_id: str, spec: SplitSpec, seed: int = 0) -> str:
    """The split a task belongs to."""
    draw = int(content_id("split", seed, task_id)[:15], 16) / float(1 << 60)
    upper = 0.0
    for name, fraction in spec:
        upper += fraction
        if draw < upper:
            return name
    return next(name for name, fraction in reversed(spec) if fraction > 0)
