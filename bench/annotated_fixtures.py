"""Line-level dev set from another rule set's annotated fixtures: does our pack flag the lines its
authors marked vulnerable, and leave alone the lines they marked safe?

semgrep-rules (semgrep/semgrep-rules, LGPL-2.1 with the Commons Clause; read here, nothing copied)
keeps beside each rule `X.yaml` a fixture `X.<ext>` whose lines are annotated `ruleid: X` (the next
code line is vulnerable) or `ok: X` (it is safe); `todoruleid` marks a vulnerable line their rule
misses and `todook` a safe line it flags, so those count as vulnerable and safe too. Only rules with
`category: security` and `subcategory: vuln` are read (their `audit` rules mark lines to review, not
flaws), in the 7 languages the suite has fixtures for. A vulnerable line is caught when our pack has
a finding of at least `--min-severity` on it; a safe line with one is a false alarm, the kind of
finding that inverts a pair. Fixtures are split by a hash of their path (0-7 train, 8-f val) before
anything is scanned. Reported per language and per CWE (the rule's first), from a git mirror:

    python bench/annotated_fixtures.py REPO_DIR [--split train|val] [--language Go ...] [--detail F]
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import git  # noqa: E402
from schemas.records import Candidate, TestSpec  # noqa: E402
from transforms.analyzers.base import scan_reports  # noqa: E402
from transforms.label_config import SEVERITY_RANK  # noqa: E402
from transforms.security import SEMGREP  # noqa: E402

LANGUAGE_BY_FOLDER = {"c": ("C", ".c"), "csharp": ("CSharp", ".cs"), "go": ("Go", ".go"), "java": ("Java", ".java"),
                      "javascript": ("JavaScript", ".js"), "python": ("Python", ".py"), "ruby": ("Ruby", ".rb")}
ANNOTATION = re.compile(r"^\s*(?://|#|/\*|<!--)\s*(todoruleid|todook|ruleid|ok)\s*:\s*([\w.,\s-]+?)\s*(?:\*/|-->)?\s*$")
CWE = re.compile(r"CWE-\d+")


def vulnerable_rules(text: str) -> dict[str, str]:
    """rule id -> its first CWE, for the security rules of subcategory vuln in one rule file."""
    try:
        rules = yaml.safe_load(text)["rules"]
    except (yaml.YAMLError, KeyError, TypeError):
        return {}
    found = {}
    for rule in rules:
        meta = rule.get("metadata") or {}
        cwes = CWE.findall(" ".join(meta.get("cwe", [])) if isinstance(meta.get("cwe"), list) else str(meta.get("cwe", "")))
        subcategories = meta.get("subcategory") or []
        if meta.get("category") == "security" and "vuln" in subcategories and cwes:
            found[rule["id"]] = cwes[0]
    return found


def annotated_lines(code: str, rules: dict[str, str]) -> list[tuple[int, bool, str]]:
    """(1-based line, vulnerable?, CWE) for each code line annotated for one of `rules`."""
    lines, found, pending = code.splitlines(), [], []
    for number, line in enumerate(lines, start=1):
        match = ANNOTATION.match(line)
        if match:
            for rule_id in (r.strip() for r in match.group(2).split(",")):
                if rule_id in rules:
                    pending.append((match.group(1) in ("ruleid", "todoruleid"), rules[rule_id]))
            continue
        if pending and line.strip():
            found += [(number, vulnerable, cwe) for vulnerable, cwe in dict.fromkeys(pending)]
            pending = []
    return found


def fixtures(repo: str, languages: set[str], split: str) -> list[tuple[str, str, str, list]]:
    """(path, language, code, annotated lines) for each fixture of the split."""
    paths = set(git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines())
    found = []
    for path in sorted(paths):
        folder = path.split("/", 1)[0]
        if folder not in LANGUAGE_BY_FOLDER or not path.endswith(".yaml"):
            continue
        language, extension = LANGUAGE_BY_FOLDER[folder]
        fixture = path[:-len(".yaml")] + extension
        digest = hashlib.sha256(fixture.encode()).hexdigest()
        if language not in languages or fixture not in paths or (digest[0] in "01234567") != (split == "train"):
            continue
        rules = vulnerable_rules(git(repo, "show", f"HEAD:{path}"))
        code = git(repo, "show", f"HEAD:{fixture}")
        lines = annotated_lines(code, rules) if rules else []
        if lines:
            found.append((fixture, language, code, lines))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", help="a git mirror of semgrep/semgrep-rules")
    parser.add_argument("--split", default="train", choices=("train", "val"))
    parser.add_argument("--language", action="append", default=None, help="only this language; repeatable")
    parser.add_argument("--min-severity", default="MEDIUM", choices=sorted(SEVERITY_RANK))
    parser.add_argument("--detail", help="write one JSON line per annotated line: caught or flagged, and by what")
    args = parser.parse_args()
    languages = set(args.language or (language for language, _ in LANGUAGE_BY_FOLDER.values()))
    found = fixtures(args.repo, languages, args.split)
    candidates = [Candidate(candidate_id=f"fixture-{i}", task_id=path, language=language, prompt=path, code=code,
                            origin="submission", tests=TestSpec()) for i, (path, language, code, _) in enumerate(found)]
    reports = scan_reports(SEMGREP, candidates, 100, 30)
    by_language: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    by_cwe: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    details = []
    for (path, language, _, lines), report in zip(found, reports):
        flagged: dict[int, list[str]] = collections.defaultdict(list)
        for finding in report.findings:
            if SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[args.min_severity]:
                flagged[finding.line].append(finding.rule_id)
        for line, vulnerable, cwe in lines:
            kind = "vulnerable" if vulnerable else "safe"
            for counter in (by_language[language], by_cwe[f"{language} {cwe}"]):
                counter[kind] += 1
                counter[f"{kind} flagged"] += bool(flagged[line])
            details.append({"fixture": path, "line": line, "cwe": cwe, "vulnerable": vulnerable,
                            "rules": flagged[line], "errors": bool(report.errors)})
    print(f"### semgrep-rules fixtures, {args.split}: {len(found)} files, {sum(bool(r.errors) for r in reports)} with "
          f"scan errors; findings of {args.min_severity} or higher\n")
    for title, groups in (("language", by_language), ("language and CWE", by_cwe)):
        print(f"| {title} | vulnerable lines | caught | safe lines | flagged (false alarms) |\n| --- | ---: | ---: | ---: | ---: |")
        for key, c in sorted(groups.items(), key=lambda item: (-item[1]["vulnerable"], item[0])):
            print(f"| {key} | {c['vulnerable']} | {c['vulnerable flagged']} ({100 * c['vulnerable flagged'] / max(c['vulnerable'], 1):.1f}%) "
                  f"| {c['safe']} | {c['safe flagged']} ({100 * c['safe flagged'] / max(c['safe'], 1):.1f}%) |")
        print()
    if args.detail:
        with open(args.detail, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(d) + "\n" for d in details)


if __name__ == "__main__":
    main()
