"""Every label a rule would give on real histories: the functions whose findings change in a commit.

Fix sets mined by commit message miss the fixes whose messages name no weakness, and never show the
labels a rule gives on ordinary commits. This reads whole histories instead. For the last N commits of
each project that `git log -G REGEX` selects, both versions of each changed source file (tests left out;
`--filter` keeps only files whose text matches on either side) are scanned with semgrep and the given
rule files. A unit is a function or class, the same name and parameters on both sides, or the file's top
level; a unit whose findings differ between the two versions is one pair, the label a function-level
miner would take. Each pair is printed with its commit's subject and diff, for a person to read and judge.

    python bench/rule_flips.py --rules transforms/rules/java.yaml --grep 'RequirePOST|@POST' \
        [--filter stapler] [--commits 400] [--only RULE_ID,...] REPO_DIR:LANGUAGE ...
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from typing import Iterable, Optional, Sequence

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import FUNCTION_NODES, TEST_PATH, git  # noqa: E402
from transforms.grammars import parser_for  # noqa: E402
from transforms.security import semgrep_executable  # noqa: E402
from transforms.sources.commits import EXTENSIONS  # noqa: E402

CLASS_NODES = {"class_declaration", "class_definition", "class", "interface_declaration"}
TOP = "<top level>"


@dataclasses.dataclass(frozen=True)
class Change:
    project: str
    commit: str
    subject: str
    path: str
    language: str
    old: str
    new: str


@dataclasses.dataclass(frozen=True)
class Flip:
    change: Change
    unit: str
    before: dict[str, int]
    after: dict[str, int]
    old_text: str = ""  # the unit's two versions (the whole file for the top level)
    new_text: str = ""

    @property
    def direction(self) -> str:
        """'fix' when only the old version has more findings of some rule, 'reverse' when only the new one, else 'mixed'."""
        old = any(n > self.after.get(rule, 0) for rule, n in self.before.items())
        new = any(n > self.before.get(rule, 0) for rule, n in self.after.items())
        return "mixed" if old and new else "fix" if old else "reverse"


def units(code: str, language: str) -> dict[str, tuple[int, int, str]]:
    """unit name -> (first line, last line, text) for each function and class of `code`, named by its
    enclosing units, its name and its parameters; a decorated Python definition starts at its decorators.
    Names that occur twice (overloads with the same parameter text) are left out."""
    source = code.encode()
    found: dict[str, list] = collections.defaultdict(list)
    stack = [(parser_for(language).parse(source).root_node, "")]
    while stack:
        node, prefix = stack.pop()
        name = node.child_by_field_name("name")
        if node.type in FUNCTION_NODES[language] | CLASS_NODES and name is not None:
            params = node.child_by_field_name("parameters")
            key = prefix + name.text.decode(errors="replace") + (
                re.sub(r"\s+", " ", params.text.decode(errors="replace")) if params is not None else "")
            outer = node.parent if node.parent is not None and node.parent.type == "decorated_definition" else node
            found[key].append((outer.start_point[0] + 1, outer.end_point[0] + 1,
                               source[outer.start_byte:outer.end_byte].decode(errors="replace")))
            prefix = key + "."
        stack.extend((child, prefix) for child in node.children)
    return {key: spans[0] for key, spans in found.items() if len(spans) == 1}


def unit_counts(spans: dict[str, tuple[int, int, str]], findings: Iterable[tuple[int, str]]) -> dict[str, collections.Counter]:
    """unit name -> rule id -> findings, each (line, rule id) given to the innermost of `spans` (as `units`
    gives them) holding its line."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line, rule in findings:
        holding = [(first, key) for key, (first, last, _) in spans.items() if first <= line <= last]
        counts[max(holding)[1] if holding else TOP][rule] += 1
    return counts


def project_name(repo: str) -> str:
    """The folder that names a clone: /work/.mirror/owner+name/repo/.git -> owner+name."""
    parts = [part for part in os.path.abspath(repo).split(os.sep) if part not in ("repo", ".git")]
    return parts[-1]


def changes(repo: str, language: str, grep: str, commits: int, keep: Optional[str] = None) -> list[Change]:
    """Both versions of each changed, non-test `language` file in the last `commits` non-merge commits
    whose diff matches `grep`; with `keep`, only files whose text matches it on either side."""
    found = []
    suffixes = [f"*{ext}" for ext, name in EXTENSIONS.items() if name == language]
    log = git(repo, "log", "--no-merges", f"-n{commits}", "--format=%H %P%x00%s", "-G", grep, "--", *suffixes).splitlines()
    for entry in log:
        shas, subject = entry.split("\x00", 1)
        if len(shas.split()) != 2:
            continue  # a root commit has no old version
        sha, parent = shas.split()
        for path in git(repo, "diff", "--name-only", parent, sha).splitlines():
            if EXTENSIONS.get(os.path.splitext(path)[1]) != language or TEST_PATH.search(path):
                continue
            old, new = git(repo, "show", f"{parent}:{path}"), git(repo, "show", f"{sha}:{path}")
            if old and new and (keep is None or re.search(keep, old + new, re.I)):
                found.append(Change(project_name(repo), sha[:10], subject, path, language, old, new))
    return found


def scan(rule_files: Sequence[str], texts: dict[str, str], only: Optional[set[str]] = None) -> dict[str, list[tuple[int, str]]]:
    """relative path -> (line, rule id) of each semgrep finding on `texts` (relative path -> text)."""
    with tempfile.TemporaryDirectory() as root:
        for rel, text in texts.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as out:
                out.write(text)
        command = [semgrep_executable(), "--json", "--metrics=off", "--disable-version-check", "--no-git-ignore", "--timeout", "30"]
        for rules in rule_files:
            command += ["--config", rules]
        run = subprocess.run(command + [root], capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"semgrep failed ({run.returncode}): {(run.stderr.strip().splitlines() or [''])[-1]}")
        report = json.loads(run.stdout)
        found = collections.defaultdict(list)
        for result in report["results"]:
            rule = result["check_id"].rsplit(".", 1)[-1]
            if only is None or rule in only:
                found[os.path.relpath(result["path"], root)].append((result["start"]["line"], rule))
        return found


def flips(found_changes: Sequence[Change], rule_files: Sequence[str], only: Optional[set[str]] = None) -> list[Flip]:
    texts = {}
    for i, change in enumerate(found_changes):
        name = os.path.basename(change.path)
        texts[f"{i}/old/{name}"], texts[f"{i}/new/{name}"] = change.old, change.new
    found = scan(rule_files, texts, only)
    pairs = []
    for i, change in enumerate(found_changes):
        name = os.path.basename(change.path)
        old_hits, new_hits = found.get(f"{i}/old/{name}", []), found.get(f"{i}/new/{name}", [])
        if not old_hits and not new_hits:
            continue
        old_units, new_units = units(change.old, change.language), units(change.new, change.language)
        before, after = unit_counts(old_units, old_hits), unit_counts(new_units, new_hits)
        for unit in sorted(before.keys() | after.keys()):
            if before[unit] == after[unit] or (unit != TOP and not (unit in old_units and unit in new_units)):
                continue  # the same findings, or a unit added or removed (no pair to compare)
            old_text, new_text = (change.old, change.new) if unit == TOP else (old_units[unit][2], new_units[unit][2])
            pairs.append(Flip(change, unit, dict(before[unit]), dict(after[unit]), old_text, new_text))
    return pairs


def diff(flip: Flip) -> list[str]:
    """The unified diff of the pair's two versions."""
    return [line for line in difflib.unified_diff(flip.old_text.splitlines(), flip.new_text.splitlines(), lineterm="", n=1)
            if not line.startswith(("---", "+++"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", required=True, action="append", help="a semgrep rule file (repeatable)")
    parser.add_argument("--grep", required=True, help="git log -G regex that selects the commits")
    parser.add_argument("--filter", help="keep only files whose text matches this regex (case-insensitive)")
    parser.add_argument("--commits", type=int, default=400, help="commits per project (default 400)")
    parser.add_argument("--only", help="comma-separated rule ids to count (default: every rule in the files)")
    parser.add_argument("repos", nargs="+", help="REPO_DIR:LANGUAGE")
    args = parser.parse_args()
    found_changes = []
    for spec in args.repos:
        repo, _, language = spec.rpartition(":")
        if language not in FUNCTION_NODES:
            sys.exit(f"{spec}: expected REPO_DIR:LANGUAGE with LANGUAGE one of {', '.join(FUNCTION_NODES)}")
        mined = changes(repo, language, args.grep, args.commits, args.filter)
        print(f"{repo}: {len({c.commit for c in mined})} commits, {len(mined)} files", file=sys.stderr)
        found_changes += mined
    pairs = flips(found_changes, args.rules, set(args.only.split(",")) if args.only else None)
    for n, flip in enumerate(pairs, 1):
        change = flip.change
        print(f"=== {n} {flip.direction} {change.project} {change.commit} {change.path} {flip.unit}\n"
              f"    {change.subject[:100]}\n    before {flip.before} after {flip.after}")
        print("\n".join("    " + line[:160] for line in diff(flip)) + "\n")
    directions = collections.Counter(flip.direction for flip in pairs)
    print(f"{len(pairs)} pairs: " + ", ".join(f"{d} {directions[d]}" for d in ("fix", "reverse", "mixed")))


if __name__ == "__main__":
    main()
