"""Dev-set check of the semgrep rule pack on SVEN vulnerability fixes (C, C++, Python).

For each fix, `func_src_before` is vulnerable and `func_src_after` is fixed.
recall: the vulnerable version has a finding (rule id, counted per rule) that
the fixed version lacks; inversion: the fixed version has one the vulnerable
version lacks. Reported per CWE for train.jsonl (used to tune the rules) and
val.jsonl (held out).

    python bench/sven_check.py [--data ../shared/data/sven] [--split train --split val]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.shared_data import shared_data_dir
from schemas.records import Candidate, TestSpec
from transforms.security import SecurityConfig, scan_candidates

LANGUAGE_BY_EXTENSION = {"py": "Python", "c": "C", "h": "C", "cpp": "Cpp", "cc": "Cpp", "cxx": "Cpp", "C": "Cpp"}


def candidate(row: dict, side: str, index: int) -> Candidate:
    language = LANGUAGE_BY_EXTENSION[row["file_name"].rsplit(".", 1)[-1]]
    code = row[f"func_src_{side}"]
    return Candidate(candidate_id=f"{index}-{side}", task_id=str(index), language=language, prompt=row["func_name"],
                     code=code, origin="commit_old" if side == "before" else "commit_new", tests=TestSpec())


def rule_counts(report) -> collections.Counter:
    return collections.Counter(f.rule_id for f in report.findings)


def check(path: str, store: str | None) -> tuple[list[str], dict]:
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    candidates = [candidate(r, side, i) for i, r in enumerate(rows) for side in ("before", "after")]
    started = time.perf_counter()
    reports = scan_candidates(candidates, SecurityConfig(batch_size=500, store_path=store))
    seconds = time.perf_counter() - started
    per_cwe: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    rules_hit: collections.Counter = collections.Counter()
    for i, row in enumerate(rows):
        before, after = rule_counts(reports[2 * i]), rule_counts(reports[2 * i + 1])
        stats = per_cwe[row["vul_type"].upper()]
        stats["n"] += 1
        if before - after:
            stats["recall"] += 1
            rules_hit.update((before - after).keys())
        if after - before:
            stats["inversion"] += 1
        stats["errors"] += bool(reports[2 * i].errors) + bool(reports[2 * i + 1].errors)
    lines = ["| CWE | fixes | recall | inversions |", "| --- | ---: | ---: | ---: |"]
    total = collections.Counter()
    for cwe in sorted(per_cwe):
        s = per_cwe[cwe]
        total.update(s)
        lines.append(f"| {cwe} | {s['n']} | {s['recall']} ({s['recall'] / s['n']:.0%}) | "
                     f"{s['inversion']} ({s['inversion'] / s['n']:.1%}) |")
    lines.append(f"| **all** | {total['n']} | {total['recall']} ({total['recall'] / total['n']:.1%}) | "
                 f"{total['inversion']} ({total['inversion'] / total['n']:.1%}) |")
    return lines, {"seconds": seconds, "files": len(candidates), "rules_hit": rules_hit,
                   "files_with_errors": total["errors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder with train.jsonl and val.jsonl")
    parser.add_argument("--split", action="append", default=None)
    parser.add_argument("--store", default=None, help="reuse reports from this store (kind 'static')")
    args = parser.parse_args()
    args.data = args.data or shared_data_dir("sven")
    for split in args.split or ["train", "val"]:
        lines, info = check(os.path.join(args.data, f"{split}.jsonl"), args.store)
        print(f"\n### SVEN {split} ({info['files']} files scanned in {info['seconds']:.1f} s, "
              f"{info['files_with_errors']} with parse errors or timeouts)\n")
        print("\n".join(lines))
        print("\nrules behind the recalled fixes: " + ", ".join(f"{r} {n}" for r, n in info["rules_hit"].most_common()))


if __name__ == "__main__":
    main()
