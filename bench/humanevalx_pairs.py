"""Check the Functional_Correctness pairs of a `themis build --format humanevalx` output:
count them per language and run every chosen side again, with its task's tests, in a
fresh sandbox; a chosen side that does not pass is a wrong label.

    python bench/humanevalx_pairs.py OUTPUT_DIR [OUTPUT_DIR ...] [--backend process]

Prints a Markdown table: pairs, pairs by (chosen origin, rejected origin), tasks with a
pair, and chosen sides that fail when run again (with their status).
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import sys

import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.canonical_pass_rates import HUMANEVALX, data_dir  # noqa: E402
from sandboxes import Limits, open_sandbox  # noqa: E402
from schemas import Candidate, Task  # noqa: E402
from transforms.parse import parse_task  # noqa: E402


def tasks(language: str) -> dict[str, Task]:
    """task id -> Task, read from the HumanEval-X file as the build read it."""
    path = os.path.join(data_dir(), "humanevalx", f"{HUMANEVALX[language]}.jsonl")
    with open(path, encoding="utf-8") as fh:
        parsed = (parse_task(str(i), json.loads(line), "humanevalx", {}) for i, line in enumerate(fh))
        return {t.task_id: t for t in parsed if isinstance(t, Task)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outputs", nargs="+")
    parser.add_argument("--backend", default="process")
    args = parser.parse_args(argv)
    pairs = [row for out in args.outputs for path in sorted(glob.glob(os.path.join(out, "data", "*.parquet")))
             for row in pq.read_table(path).to_pylist() if row["aspect"] == "Functional_Correctness"]
    sandbox = open_sandbox(args.backend, Limits(wall_seconds=60))
    print("| language | pairs | chosen/rejected origins | tasks with a pair | chosen fails again |\n|---|---|---|---|---|")
    try:
        for language in sorted({p["language"] for p in pairs}):
            mine = [p for p in pairs if p["language"] == language]
            by_id = tasks(language)
            again = sandbox.run_many([Candidate(candidate_id=p["chosen_id"], task_id=p["task_id"], language=language,
                                                prompt="", code=p["chosen"], origin=p["chosen_origin"],
                                                tests=by_id[p["task_id"]].tests) for p in mine], repetitions=1)
            failing = [(m.task_id, m.status) for m in again if m.status != "ok"]
            origins = collections.Counter(f"{p['chosen_origin']}/{p['rejected_origin']}" for p in mine)
            print(f"| {language} | {len(mine)} | {dict(sorted(origins.items()))} | {len({p['task_id'] for p in mine})} "
                  f"| {len(failing)} {failing[:5] if failing else ''} |", flush=True)
    finally:
        sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
