"""SVEN vulnerability fixes as tasks in the native format, for a `themis build` on static criteria.

Each fix becomes one task with two candidates and no tests: the vulnerable function
(`commit_old`) and the fixed one (`commit_new`). A build labels them on the criteria that
need no tests (Security_Hardness from the semgrep pack, Readability_Maintainability), so the
trainer benchmark gets measured security pairs besides the correctness ones.

    python bench/sven_tasks.py --output out/rm/sven.jsonl [--data ../shared/data/sven]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.shared_data import shared_data_dir  # noqa: E402
from bench.sven_check import LANGUAGE_BY_EXTENSION  # noqa: E402
from schemas.records import Task  # noqa: E402


def task(row: dict, split: str, index: int) -> dict:
    language = LANGUAGE_BY_EXTENSION[row["file_name"].rsplit(".", 1)[-1]]
    return Task.from_dict({
        "task_id": f"sven/{split}/{index}", "language": language, "source": "sven", "subset": row["vul_type"].upper(),
        "prompt": f"Write the {language} function `{row['func_name']}` (from {row['file_name']}).",
        "tests": {}, "candidates": [{"code": row["func_src_before"], "origin": "commit_old"},
                                    {"code": row["func_src_after"], "origin": "commit_new"}],
    }).to_dict()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="the SVEN folder (default: shared/data/sven)")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    data = args.data or shared_data_dir("sven")
    count = 0
    with open(args.output, "w", encoding="utf-8") as out:
        for split in ("train", "val"):
            with open(os.path.join(data, f"{split}.jsonl"), encoding="utf-8") as fh:
                for index, line in enumerate(fh):
                    out.write(json.dumps(task(json.loads(line), split, index), sort_keys=True) + "\n")
                    count += 1
    print(f"wrote {count} tasks to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
