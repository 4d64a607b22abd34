"""Dev-set check of the semgrep rule pack on SVEN vulnerability fixes (C, C++, Python).

For each fix, `func_src_before` is vulnerable and `func_src_after` is fixed.
recall: the vulnerable version has a finding (rule id, counted per rule) that
the fixed version lacks; inversion: the fixed version has one the vulnerable
version lacks. "labelled" is what the Security_Hardness rule would say with its
defaults: findings of MEDIUM or higher, and no parse error or timeout on either
side. Reported per CWE for train.jsonl (used to tune the rules) and val.jsonl
(held out).

    python bench/sven_check.py [--data ../shared/data/sven] [--split train --split val]
                               [--cwe CWE-476 ...] [--detail fixes.jsonl]
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
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, security_rule
from transforms.security import SecurityConfig, scan_candidates

LANGUAGE_BY_EXTENSION = {"py": "Python", "c": "C", "h": "C", "cpp": "Cpp", "cc": "Cpp", "cxx": "Cpp", "C": "Cpp"}


def candidate(row: dict, side: str, index: int) -> Candidate:
    language = LANGUAGE_BY_EXTENSION[row["file_name"].rsplit(".", 1)[-1]]
    code = row[f"func_src_{side}"]
    return Candidate(candidate_id=f"{index}-{side}", task_id=str(index), language=language, prompt=row["func_name"],
                     code=code, origin="commit_old" if side == "before" else "commit_new", tests=TestSpec())


def compare(before: Side, after: Side) -> dict:
    """How one fix's two scans differ: any finding, and what the Security_Hardness rule labels."""
    any_before = collections.Counter(f.rule_id for f in before.security.findings)
    any_after = collections.Counter(f.rule_id for f in after.security.findings)
    verdict = security_rule(before, after, LabelConfig())
    winner = verdict.winner if verdict else None
    return {"recalled": sorted((any_before - any_after).elements()), "inverted": sorted((any_after - any_before).elements()),
            "labelled_right": winner == "b", "labelled_wrong": winner == "a",
            "errors": bool(before.security.errors) + bool(after.security.errors)}


def check(path: str, store: str | None, cwes: set[str]) -> tuple[list[str], dict, list[dict]]:
    rows = [(i, row) for i, row in enumerate(json.loads(line) for line in open(path, encoding="utf-8"))
            if not cwes or row["vul_type"].upper() in cwes]
    candidates = [candidate(r, side, i) for i, r in rows for side in ("before", "after")]
    started = time.perf_counter()
    reports = scan_candidates(candidates, SecurityConfig(batch_size=500), store)
    seconds = time.perf_counter() - started
    per_cwe: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    rules_hit: collections.Counter = collections.Counter()
    details = []
    for k, (i, row) in enumerate(rows):
        fix = compare(*(Side(candidates[j], security=reports[j]) for j in (2 * k, 2 * k + 1)))
        details.append({"index": i, "cwe": row["vul_type"].upper(), "file": row["file_name"],
                        "function": row["func_name"], **fix})
        stats = per_cwe[row["vul_type"].upper()]
        stats["n"] += 1
        stats["recall"] += bool(fix["recalled"])
        stats["inversion"] += bool(fix["inverted"])
        stats["right"] += fix["labelled_right"]
        stats["wrong"] += fix["labelled_wrong"]
        stats["errors"] += fix["errors"]
        rules_hit.update(set(fix["recalled"]))
    lines = ["| CWE | fixes | recall | inversions | labelled right | labelled wrong |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    total: collections.Counter = collections.Counter()
    for cwe in sorted(per_cwe):
        total.update(per_cwe[cwe])
    for name, s in [*sorted(per_cwe.items()), ("**all**", total)]:
        n = s["n"]
        lines.append(f"| {name} | {n} | {s['recall']} ({s['recall'] / n:.1%}) | {s['inversion']} ({s['inversion'] / n:.1%}) | "
                     f"{s['right']} ({s['right'] / n:.1%}) | {s['wrong']} ({s['wrong'] / n:.1%}) |")
    return lines, {"seconds": seconds, "files": len(candidates), "rules_hit": rules_hit,
                   "files_with_errors": total["errors"]}, details


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder with train.jsonl and val.jsonl")
    parser.add_argument("--split", action="append", default=None)
    parser.add_argument("--store", default=None, help="reuse reports from this store (kind 'static')")
    parser.add_argument("--cwe", action="append", default=[], help="only fixes of this CWE (e.g. CWE-476); repeatable")
    parser.add_argument("--detail", default=None, help="write one JSON line per fix: rules recalled and inverted")
    args = parser.parse_args()
    args.data = args.data or shared_data_dir("sven")
    detail = open(args.detail, "w", encoding="utf-8") if args.detail else None
    for split in args.split or ["train", "val"]:
        lines, info, details = check(os.path.join(args.data, f"{split}.jsonl"), args.store,
                                     {cwe.upper() for cwe in args.cwe})
        if detail:
            detail.writelines(json.dumps({"split": split, **d}) + "\n" for d in details)
        print(f"\n### SVEN {split} ({info['files']} files scanned in {info['seconds']:.1f} s, "
              f"{info['files_with_errors']} with parse errors or timeouts)\n")
        print("\n".join(lines))
        print("\nrules behind the recalled fixes: " + ", ".join(f"{r} {n}" for r, n in info["rules_hit"].most_common()))
    if detail:
        detail.close()


if __name__ == "__main__":
    main()
