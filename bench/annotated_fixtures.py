"""Line-level dev set from another rule set's annotated fixtures: does our pack flag the lines its
authors marked vulnerable, and leave alone the lines they marked safe? Two suites are read.

semgrep-rules (semgrep/semgrep-rules, LGPL-2.1 with the Commons Clause; read here, nothing copied)
keeps beside each rule `X.yaml` a fixture `X.<ext>` whose lines are annotated `ruleid: X` (the next
code line is vulnerable) or `ok: X` (it is safe); `todoruleid` marks a vulnerable line their rule
misses and `todook` a safe line it flags, so those count as vulnerable and safe too. Only rules with
`category: security` and `subcategory: vuln` are read (their `audit` rules mark lines to review, not
flaws), in the 7 languages the suite has fixtures for. A vulnerable line is caught when our pack has
a finding of at least `--min-severity` on it; a safe line with one is a false alarm, the kind of
finding that inverts a pair.

CodeQL's query tests (`--suite codeql`: github/codeql's predecessors Semmle/ql and github/codeql-go, MIT)
keep under `<language>/ql/test/query-tests/Security*/.../CWE-NNN/` test programs whose lines carry
`// BAD` or `// NOT OK` (vulnerable) and `// GOOD` or `// OK` (safe), with remarks such as `[NOT DETECTED]`
or `[FALSE POSITIVE]` about their own query that do not change what the line is. A comment after code
marks its statement (the lines back to the previous one that ends with `;`, `{` or `}`, as a chained
call spans several and semgrep reports a match's first line); a comment on a line of its own marks
the code under it up to the next blank line or annotation. The CWE is the folder's, and an annotation
speaks for its folder's query only, so there a finding counts when it is of that weakness (the same CWE,
or one of a family below: `ioutil.WriteFile(p, ..., 0666) // OK` under CWE-022 says nothing of the mode).

Brakeman's tests (`--suite brakeman`: presidentbeef/brakeman, read at e91b901b7, the last commit under the MIT
licence) scan Rails apps under `test/apps/` and assert that a warning of a type is (`assert_warning`) or is not
(`assert_no_warning`) reported at a line of a file. The Ruby files' lines so asserted are the set: a warning of
weak confidence (Brakeman's maybe) is left out, as are a line both asserted and denied, a file regex that matches
several files, and the types that name no weakness in the code (Rails versions, default routes, session settings).
A finding counts when its CWE is one of the type's (`BRAKEMAN_CWES`).

Files are split by a hash of their path (0-7 train, 8-f val) before anything is scanned. Reported per
language and per CWE (per warning type for Brakeman), from a git mirror (`--rev`: the commit to read, HEAD unless given):

    python bench/annotated_fixtures.py REPO_DIR [--suite semgrep-rules|codeql|brakeman] [--rev REV] [--split train|val]
        [--language Go ...] [--detail F]
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
from transforms.sources.commits import EXTENSIONS, language_of  # noqa: E402

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


Span = tuple[int, int, bool, str]  # first and last line (1-based), vulnerable?, CWE


def annotated_lines(code: str, rules: dict[str, str]) -> list[Span]:
    """The code line under each semgrep annotation for one of `rules`."""
    lines, found, pending = code.splitlines(), [], []
    for number, line in enumerate(lines, start=1):
        match = ANNOTATION.match(line)
        if match:
            for rule_id in (r.strip() for r in match.group(2).split(",")):
                if rule_id in rules:
                    pending.append((match.group(1) in ("ruleid", "todoruleid"), rules[rule_id]))
            continue
        if pending and line.strip():
            found += [(number, number, vulnerable, cwe) for vulnerable, cwe in dict.fromkeys(pending)]
            pending = []
    return found


def _in_split(path: str, split: str) -> bool:
    return (hashlib.sha256(path.encode()).hexdigest()[0] in "01234567") == (split == "train")


def semgrep_fixtures(repo: str, rev: str, languages: set[str], split: str) -> list[tuple[str, str, str, list[Span]]]:
    """(path, language, code, annotated spans) for each semgrep-rules fixture of the split."""
    paths = set(git(repo, "ls-tree", "-r", "--name-only", rev).splitlines())
    found = []
    for path in sorted(paths):
        folder = path.split("/", 1)[0]
        if folder not in LANGUAGE_BY_FOLDER or not path.endswith(".yaml"):
            continue
        language, extension = LANGUAGE_BY_FOLDER[folder]
        fixture = path[:-len(".yaml")] + extension
        if language not in languages or fixture not in paths or not _in_split(fixture, split):
            continue
        rules = vulnerable_rules(git(repo, "show", f"{rev}:{path}"))
        code = git(repo, "show", f"{rev}:{fixture}")
        lines = annotated_lines(code, rules) if rules else []
        if lines:
            found.append((fixture, language, code, lines))
    return found


CODEQL_TEST = re.compile(r"(?:^|/)ql/test/query-tests/[Ss]ecurity[^/]*/(?:.*/)?CWE-0*(\d+)/")
# NOT OK before OK; upper case only, as the suite writes them (a URL's "//ok" is not one)
CODEQL_MARK = r"(?:{comment})\s*(NOT OK|BAD|OK|GOOD)\b"
STATEMENT_SPAN = 6  # lines a statement, or the code under an annotation, is read back or on for


def codeql_annotated_lines(code: str, cwe: str, python: bool) -> list[Span]:
    """The statement (or the code under a comment line) each BAD/NOT OK/GOOD/OK annotation marks."""
    comment = "#" if python else "//"
    own_line = re.compile(r"^\s*" + CODEQL_MARK.format(comment=comment))
    trailing = re.compile(r"^\s*\S.*?" + CODEQL_MARK.format(comment=comment))
    lines = code.splitlines()

    def annotated(number: int) -> bool:
        return bool(trailing.search(lines[number - 1]) or own_line.match(lines[number - 1]))

    def continues(previous: str) -> bool:  # the statement goes on to the next line
        text = previous.split(f" {comment} ")[0].rstrip()
        if python:
            return text.endswith(("(", "[", "{", ",", "\\"))
        return bool(text) and not text.endswith((";", "{", "}")) and not text.lstrip().startswith(("#", "//", "/*", "*"))

    found = []
    for number, line in enumerate(lines, start=1):
        if match := own_line.match(line):
            last = number
            while last < min(len(lines), number + STATEMENT_SPAN) and lines[last].strip() and not annotated(last + 1):
                last += 1
            if last > number:
                found.append((number + 1, last, match.group(1) in ("NOT OK", "BAD"), cwe))
        elif match := trailing.match(line):
            first = number
            while first > max(1, number - STATEMENT_SPAN) and not annotated(first - 1) and continues(lines[first - 2]):
                first -= 1
            found.append((first, number, match.group(1) in ("NOT OK", "BAD"), cwe))
    return found


def codeql_fixtures(repo: str, rev: str, languages: set[str], split: str) -> list[tuple[str, str, str, list[Span]]]:
    """(path, language, code, annotated spans) for each CodeQL query-test program of the split."""
    found = []
    for path in sorted(git(repo, "ls-tree", "-r", "--name-only", rev).splitlines()):
        folder, language = CODEQL_TEST.search(path), language_of(path)
        if not folder or language not in languages or not _in_split(path, split):
            continue
        code = git(repo, "show", f"{rev}:{path}")
        lines = codeql_annotated_lines(code, f"CWE-{folder.group(1)}", language == "Python")
        if lines:
            found.append((path, language, code, lines))
    return found


# CWEs that name one weakness at different grains (CodeQL's folder, our rule's metadata)
FAMILIES = [{"CWE-22", "CWE-23", "CWE-73"}, {"CWE-78", "CWE-88"}, {"CWE-79", "CWE-80", "CWE-116"}, {"CWE-89", "CWE-943"},
            {"CWE-94", "CWE-95"}, {"CWE-312", "CWE-315", "CWE-532", "CWE-256"}, {"CWE-295", "CWE-297"},
            {"CWE-327", "CWE-326", "CWE-328", "CWE-329", "CWE-330", "CWE-338", "CWE-916"}, {"CWE-730", "CWE-1333", "CWE-400"},
            {"CWE-119", "CWE-120", "CWE-121", "CWE-122", "CWE-125", "CWE-129", "CWE-131", "CWE-170", "CWE-193", "CWE-242",
             "CWE-676", "CWE-787", "CWE-805"}, {"CWE-190", "CWE-191", "CWE-681", "CWE-197"}, {"CWE-476", "CWE-690"},
            {"CWE-415", "CWE-416"}, {"CWE-915", "CWE-1321"},  # CodeQL files prototype pollution under CWE-915
            {"CWE-200", "CWE-201", "CWE-209", "CWE-497"}]  # and an exception's trace in a response under CWE-201


def same_weakness(weakness: str, finding_cwe: str) -> bool:
    """Whether a finding speaks for a line annotated with `weakness` (a CWE, or a Brakeman warning type)."""
    return any(cwe == finding_cwe or any({cwe, finding_cwe} <= family for family in FAMILIES)
               for cwe in BRAKEMAN_CWES.get(weakness, {weakness}))


# Brakeman's warning types that name a weakness in the code, and the CWEs a finding of ours may carry for one
BRAKEMAN_CWES = {"Cross-Site Scripting": {"CWE-79"}, "SQL Injection": {"CWE-89"}, "Command Injection": {"CWE-78"},
                 "Redirect": {"CWE-601"}, "File Access": {"CWE-22"}, "Path Traversal": {"CWE-22"},
                 "Dynamic Render Path": {"CWE-22"}, "Mass Assignment": {"CWE-915"}, "Attribute Restriction": {"CWE-915"},
                 "Dangerous Eval": {"CWE-95"}, "Dangerous Send": {"CWE-470", "CWE-94"},
                 "Remote Code Execution": {"CWE-94", "CWE-95", "CWE-470", "CWE-502"},
                 "Cross-Site Request Forgery": {"CWE-352"}, "Denial of Service": {"CWE-400", "CWE-1333"},
                 "Format Validation": {"CWE-20", "CWE-625", "CWE-777"}, "Weak Hash": {"CWE-328"},
                 "SSL Verification Bypass": {"CWE-295"}, "Basic Auth": {"CWE-798"}, "Authentication": {"CWE-798"},
                 "Timing Attack": {"CWE-208"}, "Information Disclosure": {"CWE-200"}, "Unscoped Find": {"CWE-639"}}
ASSERTION = re.compile(r"assert_(no_)?warning\b(.*?)(?=\n\s*(?:assert_|end\b|def\b)|\Z)", re.S)
SCANNED_APP = re.compile(r"run_scan\(?\s*[\"']([^\"']+)[\"']")


def _field(assertion: str, name: str, value: str) -> str | None:
    match = re.search(rf"(?::{name}\s*=>|\b{name}:)\s*{value}", assertion)
    return match.group(1) if match else None


def brakeman_fixtures(repo: str, rev: str, languages: set[str], split: str) -> list[tuple[str, str, str, list[Span]]]:
    """(path, language, code, annotated spans) for each Ruby file of Brakeman's test apps that its tests say
    has (assert_warning, of high or medium confidence) or has not (assert_no_warning) a warning at a line."""
    if "Ruby" not in languages:
        return []
    paths = git(repo, "ls-tree", "-r", "--name-only", rev).splitlines()
    marks: dict[tuple[str, int, str], set[bool]] = collections.defaultdict(set)
    for test in (p for p in paths if p.startswith("test/tests/") and p.endswith(".rb")):
        text = git(repo, "show", f"{rev}:{test}")
        app = SCANNED_APP.search(text)
        if not app:
            continue
        app_files = [p for p in paths if p.startswith(f"test/apps/{app.group(1)}/") and p.endswith(".rb")]
        for match in ASSERTION.finditer(text):
            assertion, vulnerable = match.group(2), not match.group(1)
            kind, line = _field(assertion, "warning_type", r'"([^"]+)"'), _field(assertion, "line", r"(\d+)")
            confidence = _field(assertion, "confidence", r"(\d)")
            relative = _field(assertion, "relative_path", r'"([^"]+)"')
            pattern = _field(assertion, "file", r"/((?:\\.|[^/\\])+)/")
            if kind not in BRAKEMAN_CWES or not line or (vulnerable and confidence == "2"):  # weak: Brakeman's maybe
                continue
            if relative:
                found = [p for p in app_files if p.endswith("/" + relative)]
            else:
                found = [p for p in app_files if pattern and re.search(pattern, p)]
            if len(found) == 1:
                marks[(found[0], int(line), kind)].add(vulnerable)
    by_path: dict[str, list[Span]] = collections.defaultdict(list)
    for (path, line, kind), said in sorted(marks.items()):
        if len(said) == 1 and _in_split(path, split):  # (a line both asserted and denied is left out)
            by_path[path].append((line, line, said.pop(), kind))
    return [(path, "Ruby", git(repo, "show", f"{rev}:{path}"), spans) for path, spans in sorted(by_path.items())]


SUITES = {"semgrep-rules": semgrep_fixtures, "codeql": codeql_fixtures, "brakeman": brakeman_fixtures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", help="a git mirror of semgrep/semgrep-rules, Semmle/ql, github/codeql-go or presidentbeef/brakeman")
    parser.add_argument("--suite", default="semgrep-rules", choices=sorted(SUITES))
    parser.add_argument("--rev", default="HEAD", help="the commit to read (codeql-go's tests were removed at its HEAD; "
                        "Brakeman's licence is no longer MIT after e91b901b7)")
    parser.add_argument("--split", default="train", choices=("train", "val"))
    parser.add_argument("--language", action="append", default=None, help="only this language; repeatable")
    parser.add_argument("--min-severity", default="MEDIUM", choices=sorted(SEVERITY_RANK))
    parser.add_argument("--detail", help="write one JSON line per annotated line: caught or flagged, and by what")
    args = parser.parse_args()
    languages = set(args.language or EXTENSIONS.values())
    found = SUITES[args.suite](args.repo, args.rev, languages, args.split)
    candidates = [Candidate(candidate_id=f"fixture-{i}", task_id=path, language=language, prompt=path, code=code,
                            origin="submission", tests=TestSpec()) for i, (path, language, code, _) in enumerate(found)]
    reports = scan_reports(SEMGREP, candidates, 100, 30)
    by_language: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    by_cwe: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    details = []
    for (path, language, _, lines), report in zip(found, reports):
        serious = [f for f in report.findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[args.min_severity]]
        for first, last, vulnerable, cwe in lines:
            kind = "vulnerable" if vulnerable else "safe"
            rules = sorted({f.rule_id for f in serious if first <= f.line <= last
                            and (args.suite == "semgrep-rules" or same_weakness(cwe, f.cwe))})
            for counter in (by_language[language], by_cwe[f"{language} {cwe}"]):
                counter[kind] += 1
                counter[f"{kind} flagged"] += bool(rules)
            details.append({"fixture": path, "line": last, "first_line": first, "cwe": cwe, "vulnerable": vulnerable,
                            "rules": rules, "errors": bool(report.errors)})
    print(f"### {args.suite} fixtures, {args.split}: {len(found)} files, {sum(bool(r.errors) for r in reports)} with "
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
