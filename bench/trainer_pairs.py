"""Functional-correctness pairs from McEval for the trainer benchmark, without the Beam build.

A stand-in for `themis build --format mceval` while its execute stage is not on
this branch: the build's own pure functions run in one process. Every McEval
task's canonical solution and up to `--mutants` tree-sitter mutants of it
(transforms.sources.mutants) run against the task's tests in the process sandbox;
transforms.label's correctness rule turns (passes, fails) into pairs, with the
label stage's system prompts and task-level train/test split. Writes
OUTPUT/data/{train,test}-00000-of-00001.parquet (PreferencePair schema) and
OUTPUT/bench.parquet (the test split in the CodeRewardBench layout).

    python bench/trainer_pairs.py --mceval ../shared/data/mceval --output out/trainer_pairs
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import pyarrow as pa  # noqa: E402

from sandboxes import open_sandbox  # noqa: E402
from sandboxes.base import Limits  # noqa: E402
from schemas import Candidate, Task  # noqa: E402
from transforms.adapters import to_task_dict  # noqa: E402
from transforms.candidates import explode_task  # noqa: E402
from transforms.label import LabelConfig, build_sides, distinct_sides, select_pairs, static_verdicts, to_pair  # noqa: E402
from transforms.shards import pairs_table, shard_name, write_parquet  # noqa: E402
from transforms.sources.mutants import MutantConfig, mutate  # noqa: E402


def task_pairs(task: Task, sandbox, label: LabelConfig, mutants: int) -> tuple[list, collections.Counter]:
    stats: collections.Counter = collections.Counter()
    references = [c for c in explode_task(task) if isinstance(c, Candidate)]
    candidates = references + [m for c in references for m in mutate(c, MutantConfig(max_mutants=mutants))]
    measurements = sandbox.run_many(candidates)
    stats.update(f"{'reference' if c.origin == 'reference' else 'mutant'}:{m.status}"
                 for c, m in zip(candidates, measurements))
    sides, _ = distinct_sides(build_sides(candidates, measurements, []))
    verdicts, _ = select_pairs(static_verdicts(sides, None, label), label)
    return [to_pair(v, label) for v in verdicts], stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mceval", required=True, help="folder of McEval <Language>.jsonl files")
    parser.add_argument("--output", required=True)
    parser.add_argument("--mutants", type=int, default=3, help="mutants tried per canonical solution")
    parser.add_argument("--splits", default="train=0.8,test=0.2", help="task-level split, as `themis build`")
    parser.add_argument("--max_tasks", type=int, default=0, help="per language (0: all)")
    args = parser.parse_args()
    label = LabelConfig(aspects="Functional_Correctness", splits=args.splits)
    sandbox = open_sandbox("process", Limits())
    pairs, stats = [], collections.Counter()
    try:
        for path in sorted(glob.glob(os.path.join(args.mceval, "*.jsonl"))):
            with open(path) as f:
                rows = [json.loads(line) for line in f if line.strip()]
            for row in rows[: args.max_tasks or None]:
                task = Task.from_dict(to_task_dict(row, "mceval"))
                found, counts = task_pairs(task, sandbox, label, args.mutants)
                pairs += found
                stats.update(counts)
                stats[f"pairs:{task.language}"] += len(found)
            print(os.path.basename(path), {k: v for k, v in sorted(stats.items()) if k.startswith("pairs:")},
                  file=sys.stderr, flush=True)
    finally:
        sandbox.close()
    data = os.path.join(args.output, "data")
    os.makedirs(data, exist_ok=True)
    for split in sorted({p.split for p in pairs}):
        write_parquet(pairs_table(sorted((p for p in pairs if p.split == split), key=lambda p: p.id)),
                      os.path.join(data, shard_name(split, 0, 1)))
    bench = [{"prompt": p.input, "chosen": p.chosen, "rejected": p.rejected, "language": p.language,
              "aspect": p.aspect, "subset": "mceval-mutants", "id": p.id} for p in pairs if p.split == "test"]
    write_parquet(pa.Table.from_pylist(sorted(bench, key=lambda r: r["id"])), os.path.join(args.output, "bench.parquet"))
    summary = {"pairs": len(pairs), "by_split": collections.Counter(p.split for p in pairs), "runs": stats}
    with open(os.path.join(args.output, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
