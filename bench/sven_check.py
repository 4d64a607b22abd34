"""Dev-set check of the semgrep rule pack on SVEN vulnerability fixes (C, C++, Python), or on any set in its format.

For each fix, `func_src_before` is vulnerable and `func_src_after` is fixed.
recall: the vulnerable version has a finding (rule id, counted per rule) that
the fixed version lacks; inversion: the fixed version has one the vulnerable
version lacks. "labelled" is what the Security_Hardness rule would say with its
defaults: findings of MEDIUM or higher, and no parse error or timeout on either
side. Reported per CWE for train.jsonl (used to tune the rules) and val.jsonl
(held out). With --analyzers, the field's analyzers are heard beside semgrep (the table is
for all of them) and a second table gives each one's contribution: labelled right and wrong
with semgrep alone, semgrep plus that analyzer, and all.

    python bench/sven_check.py [--data ../shared/data/sven] [--split train --split val]
                               [--cwe CWE-476 ...] [--detail fixes.jsonl] [--analyzers cppcheck,flawfinder,bandit]
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
from transforms.analyzers import TOOLS
from transforms.analyzers.base import scan_reports
from transforms.security import SecurityConfig, scan_candidates
from transforms.security_merge import merged_findings

LANGUAGE_BY_EXTENSION = {"py": "Python", "c": "C", "h": "C", "cpp": "Cpp", "cc": "Cpp", "cxx": "Cpp", "C": "Cpp"}


def candidate(row: dict, side: str, index: int) -> Candidate:
    language = row.get("language") or LANGUAGE_BY_EXTENSION[row["file_name"].rsplit(".", 1)[-1]]
    code = row[f"func_src_{side}"]
    return Candidate(candidate_id=f"{index}-{side}", task_id=str(index), language=language, prompt=row["func_name"],
                     code=code, origin="commit_old" if side == "before" else "commit_new", tests=TestSpec())


def compare(before: Side, after: Side) -> dict:
    """How one fix's two scans differ: any finding, and what the Security_Hardness rule labels."""
    any_before = collections.Counter(f.rule_id for f in merged_findings((before.security, *before.analyzers)))
    any_after = collections.Counter(f.rule_id for f in merged_findings((after.security, *after.analyzers)))
    verdict = security_rule(before, after, LabelConfig())
    winner = verdict.winner if verdict else None
    return {"recalled": sorted((any_before - any_after).elements()), "inverted": sorted((any_after - any_before).elements()),
            "labelled_right": winner == "b", "labelled_wrong": winner == "a",
            "errors": bool(before.security.errors) + bool(after.security.errors)}


def check(path: str, store: str | None, cwes: set[str], analyzers: list[str]) -> tuple[list[str], dict, list[dict]]:
    rows = [(i, row) for i, row in enumerate(json.loads(line) for line in open(path, encoding="utf-8"))
            if not cwes or row["vul_type"].upper() in cwes]
    candidates = [candidate(r, side, i) for i, r in rows for side in ("before", "after")]
    started = time.perf_counter()
    reports = scan_candidates(candidates, SecurityConfig(batch_size=500), store)
    others = {}  # analyzer -> {candidate index: report}
    for name in analyzers:
        readable = [j for j, c in enumerate(candidates) if c.language in TOOLS[name].languages]
        found = scan_reports(TOOLS[name], [candidates[j] for j in readable], 500, 30, store)
        others[name] = dict(zip(readable, found))
    seconds = time.perf_counter() - started

    def side(j: int, names) -> Side:
        return Side(candidates[j], security=reports[j],
                    analyzers=tuple(others[n][j] for n in names if j in others[n]))

    configs = {"semgrep": [], **{f"semgrep + {n}": [n] for n in analyzers}}
    if len(analyzers) > 1:
        configs["all"] = analyzers
    contribution = {name: collections.Counter() for name in configs}
    per_cwe: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    per_language: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    rules_hit: collections.Counter = collections.Counter()
    details = []
    for k, (i, row) in enumerate(rows):
        for name, names in configs.items():
            verdict = security_rule(side(2 * k, names), side(2 * k + 1, names), LabelConfig())
            contribution[name]["right"] += bool(verdict and verdict.winner == "b")
            contribution[name]["wrong"] += bool(verdict and verdict.winner == "a")
        fix = compare(side(2 * k, analyzers), side(2 * k + 1, analyzers))
        details.append({"index": i, "cwe": row["vul_type"].upper(), "file": row["file_name"],
                        "function": row["func_name"], **fix})
        for stats in (per_cwe[row["vul_type"].upper()], per_language[candidates[2 * k].language]):
            stats["n"] += 1
            stats["recall"] += bool(fix["recalled"])
            stats["inversion"] += bool(fix["inverted"])
            stats["right"] += fix["labelled_right"]
            stats["wrong"] += fix["labelled_wrong"]
            stats["errors"] += fix["errors"]
        rules_hit.update(set(fix["recalled"]))
    total: collections.Counter = sum(per_cwe.values(), collections.Counter())
    lines = table("CWE", per_cwe, total)
    if len(per_language) > 1:
        lines += [""] + table("language", per_language, total)
    if analyzers:
        lines += ["", "| heard | labelled right | labelled wrong |", "| --- | ---: | ---: |"]
        lines += [f"| {name} | {c['right']} | {c['wrong']} |" for name, c in contribution.items()]
    return lines, {"seconds": seconds, "files": len(candidates), "rules_hit": rules_hit,
                   "files_with_errors": total["errors"]}, details


def table(key: str, groups: dict[str, collections.Counter], total: collections.Counter) -> list[str]:
    lines = [f"| {key} | fixes | recall | inversions | labelled right | labelled wrong |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, s in [*sorted(groups.items()), ("**all**", total)]:
        n = s["n"]
        lines.append(f"| {name} | {n} | {s['recall']} ({s['recall'] / n:.1%}) | {s['inversion']} ({s['inversion'] / n:.1%}) | "
                     f"{s['right']} ({s['right'] / n:.1%}) | {s['wrong']} ({s['wrong'] / n:.1%}) |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder with train.jsonl and val.jsonl")
    parser.add_argument("--split", action="append", default=None)
    parser.add_argument("--store", default=None, help="reuse reports from this store (kind 'static')")
    parser.add_argument("--cwe", action="append", default=[], help="only fixes of this CWE (e.g. CWE-476); repeatable")
    parser.add_argument("--detail", default=None, help="write one JSON line per fix: rules recalled and inverted")
    parser.add_argument("--analyzers", default="", help="comma-separated analyzers heard beside semgrep")
    args = parser.parse_args()
    args.data = args.data or shared_data_dir("sven")
    detail = open(args.detail, "w", encoding="utf-8") if args.detail else None
    for split in args.split or ["train", "val"]:
        lines, info, details = check(os.path.join(args.data, f"{split}.jsonl"), args.store,
                                     {cwe.upper() for cwe in args.cwe},
                                     [n for n in args.analyzers.split(",") if n])
        if detail:
            detail.writelines(json.dumps({"split": split, **d}) + "\n" for d in details)
        print(f"\n### {os.path.basename(os.path.normpath(args.data))} {split} ({info['files']} files scanned in {info['seconds']:.1f} s, "
              f"{info['files_with_errors']} with parse errors or timeouts)\n")
        print("\n".join(lines))
        print("\nrules behind the recalled fixes: " + ", ".join(f"{r} {n}" for r, n in info["rules_hit"].most_common()))
    if detail:
        detail.close()


if __name__ == "__main__":
    main()
