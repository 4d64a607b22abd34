"""CodeRewardBench-style evaluation: accuracy overall and by criterion, language and subset.

The bench is a Parquet with `prompt, chosen, rejected, language, aspect, subset, id`,
or our own shards (a build directory or glob), of which one split is scored: a build's
test split holds pairs from tasks the training split never saw.
A pair counts as correct when the chosen response's reward is strictly higher.
Each system-prompt mode (none, all criteria, the row's criterion) is scored.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from typing import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trainer.data import DataError, has_pair_columns, read_table
from trainer.prompts import MODES, system_prompt
from trainer.scoring import Scorer

BENCH_COLUMNS = ("prompt", "chosen", "rejected", "language", "aspect", "subset", "id")


def load_bench(path: str, split: str = "test") -> list[dict]:
    table = read_table(path)
    if "prompt" not in table.column_names and has_pair_columns(table.column_names):
        present = sorted(set(table["split"].to_pylist()))
        table = table.filter(pc.equal(table["split"], split))
        if not table.num_rows:
            raise DataError(f"{path} has no pairs in split {split!r} (it has {present}): pass --split")
        table = table.rename_columns(["prompt" if name == "input" else name for name in table.column_names])
    missing = [c for c in BENCH_COLUMNS if c not in table.column_names]
    if missing:
        raise DataError(f"{path}: missing columns {missing}; a bench needs {', '.join(BENCH_COLUMNS)}")
    return table.select(list(BENCH_COLUMNS)).to_pylist()


def accuracy_report(rows: list[dict], correct: list[bool]) -> dict:
    """Overall accuracy and accuracy by aspect, language and subset (with counts)."""
    def group(key: str) -> dict:
        hits: dict[str, list[bool]] = defaultdict(list)
        for row, ok in zip(rows, correct):
            hits[row[key]].append(ok)
        return {k: {"accuracy": sum(v) / len(v), "n": len(v)} for k, v in sorted(hits.items())}

    return {"accuracy": sum(correct) / len(correct), "n": len(correct),
            "by_aspect": group("aspect"), "by_language": group("language"), "by_subset": group("subset")}


def evaluate(model_dir: str, bench: str, output: str, modes: Sequence[str] = MODES, batch_size: int = 8,
             max_length: int | None = None, split: str = "test") -> dict:
    """Scores the bench under each mode; writes results.json and scores.parquet to `output`."""
    rows = load_bench(bench, split)
    if not rows:
        raise DataError(f"{bench} has no rows")
    scorer = Scorer(model_dir, max_length=max_length)
    results = {"model": model_dir, "bench": bench, "modes": {}}
    score_rows = []
    for mode in modes:
        items = []
        for row in rows:
            system = system_prompt(mode, row["aspect"], row["id"])
            items += [(system, row["prompt"], row["chosen"]), (system, row["prompt"], row["rejected"])]
        rewards = scorer.score_many(items, batch_size)
        chosen, rejected = rewards[0::2], rewards[1::2]
        correct = [c > r for c, r in zip(chosen, rejected)]
        results["modes"][mode] = accuracy_report(rows, correct)
        score_rows += [{"id": row["id"], "mode": mode, "language": row["language"], "aspect": row["aspect"],
                        "subset": row["subset"], "chosen_score": c, "rejected_score": r, "correct": ok}
                       for row, c, r, ok in zip(rows, chosen, rejected, correct)]
    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    pq.write_table(pa.Table.from_pylist(score_rows), os.path.join(output, "scores.parquet"))
    return results
