"""A secure/insecure dev set in SVEN's format from OWASP Juice Shop's coding challenges (JavaScript).

OWASP Juice Shop (juice-shop/juice-shop, MIT) is an intentionally vulnerable shop written in TypeScript.
For some of its challenges it ships a "find it, fix it" exercise: the vulnerable code is marked in the
source (`// vuln-code-snippet start KEY` ... `end KEY`, with lines hidden from the exercise), and
`data/static/codefixes/KEY_N.ts` holds candidate fixes of that snippet, exactly one of them named
`KEY_N_correct.ts`; the others look plausible and leave the flaw in. The snippet is read as it was in the commit that last
changed the correct fix, since the source has moved on since. Each challenge gives rows whose
`func_src_after` is the correct fix and whose `func_src_before` is the vulnerable snippet or one of the
wrong fixes (`rule` says which): secure and insecure implementations of one task, written by people.
Identical pairs (two challenges that share a snippet) are kept once. Challenges in Solidity or YAML,
and those without a weakness we can name, are left out. Rows are split by a hash of the vulnerable
snippet (0-7 train, 8-f val), so every row of one snippet is on one side, before anything is scanned.
Read from a git mirror (no work tree):

    python bench/juiceshop_devset.py --out DIR REPO_DIR

The code is TypeScript; semgrep's JavaScript parser reads its annotations, and the rows are labelled
as JavaScript, the pipeline's language for it.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import os
import re
import sys
import textwrap

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import git, write_splits  # noqa: E402

CODEFIXES = "data/static/codefixes"
FIX_FILE = re.compile(rf"^{CODEFIXES}/(\w+?)_(\d+)(_correct)?\.(\w+)$")
MARKER = "vuln-code-snippet"
# An Angular component's method cut out of its class (`ngAfterViewInit () {`) parses only inside one.
METHOD = re.compile(r"\A\s*(?:async\s+)?(?!(?:if|for|while|switch|catch|function)\b)\w+\s*\([^()]*\)\s*(?::[^{=]+)?\{")
# Each challenge's weakness, by our reading of its description and its fixes (the suite names a
# category and a cheat sheet, not a CWE). The chatbot's prompt injections are left out: no analyzer of
# ours looks for them, and their snippet was refactored under the fixes.
CWE_BY_CHALLENGE = {
    "dbSchemaChallenge": "CWE-89", "unionSqlInjectionChallenge": "CWE-89", "loginAdminChallenge": "CWE-89",
    "loginBenderChallenge": "CWE-89", "loginJimChallenge": "CWE-89",
    "noSqlReviewsChallenge": "CWE-943",
    "localXssChallenge": "CWE-79", "restfulXssChallenge": "CWE-79", "xssBonusChallenge": "CWE-79",
    "redirectChallenge": "CWE-601", "redirectCryptoCurrencyChallenge": "CWE-601",
    "registerAdminChallenge": "CWE-915",
    "forgedReviewChallenge": "CWE-639", "changeProductChallenge": "CWE-285", "adminSectionChallenge": "CWE-285",
    "web3SandboxChallenge": "CWE-285",
    "accessLogDisclosureChallenge": "CWE-532", "directoryListingChallenge": "CWE-548",
    "exposedMetricsChallenge": "CWE-200",
    "weakPasswordChallenge": "CWE-521", "resetPasswordMortyChallenge": "CWE-307",
    "scoreBoardChallenge": "CWE-656", "tokenSaleChallenge": "CWE-656",
}


def snippet(source: str, key: str) -> str | None:
    """The exercise's view of challenge `key` in `source`: the lines from its start marker to its end
    marker, without hidden lines (a `hide-line`, and everything from the first `hide-start` to the
    last `hide-end`) and without the marker comments; None when `source` holds no such snippet."""
    lines = source.splitlines()
    opened = [i for i, line in enumerate(lines) if re.search(rf"{MARKER} start\b.*\b{key}\b", line)]
    closed = [i for i, line in enumerate(lines) if re.search(rf"{MARKER} end\b.*\b{key}\b", line)]
    if not opened or not closed or closed[-1] <= opened[0]:
        return None
    body = lines[opened[0]:closed[-1] + 1]
    starts = [i for i, line in enumerate(body) if f"{MARKER} hide-start" in line]
    ends = [i for i, line in enumerate(body) if f"{MARKER} hide-end" in line]
    if starts and ends:
        body = body[:starts[0]] + body[ends[-1] + 1:]
    kept = []
    for line in body:
        if f"{MARKER} hide-line" in line:
            continue
        code = re.sub(rf"\s*(//|#)\s*{MARKER}\b.*$", "", line)
        if code.strip() or not re.search(rf"{MARKER} (start|end)\b", line):  # a marker may close a line of code
            kept.append(code)
    return "\n".join(kept).strip("\n")


def as_program(code: str) -> str:
    """`code` dedented, and a method put back into a class, so that a parser reads it as a whole."""
    code = textwrap.dedent(code).strip("\n")
    return f"class Snippet {{\n{code}\n}}" if METHOD.match(code) else code


def rows_of(repo: str) -> tuple[list[dict], collections.Counter]:
    commit = git(repo, "rev-parse", "HEAD").strip()
    paths = git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    fixes: dict[str, dict[str, str]] = collections.defaultdict(dict)  # key -> {"1": path, "2_correct": path}
    non_typescript: set[str] = set()  # Solidity contracts, YAML security questions
    for path in paths:
        if (m := FIX_FILE.match(path)) and m.group(4) != "ts":
            non_typescript.add(m.group(1))
        elif m:
            fixes[m.group(1)][m.group(2) + (m.group(3) or "")] = path
    marked = collections.defaultdict(list)  # key -> files whose snippet markers name it
    for found in git(repo, "grep", "-l", "-e", f"{MARKER} start", "HEAD", "--", "*.ts").splitlines():
        path = found.split(":", 1)[1]  # git grep names a tree's file HEAD:path
        for key in re.findall(rf"{MARKER} start ([\w ]+)", git(repo, "show", found)):
            for name in key.split():
                marked[name].append(path)
    rows, seen = [], set()
    left_out = collections.Counter({"challenge not in TypeScript": len(non_typescript)} if non_typescript else {})
    for key, files in sorted(fixes.items()):
        correct = [name for name in files if name.endswith("_correct")]
        if key not in CWE_BY_CHALLENGE:
            left_out["no weakness we can name"] += 1
            continue
        if len(correct) != 1 or len(marked[key]) != 1:
            left_out["not one correct fix and one marked file"] += 1
            continue
        # the snippet as it was when the correct fix was last written: the source moves on after it
        written = git(repo, "log", "-1", "--format=%H", "HEAD", "--", files[correct[0]]).strip() or "HEAD"
        original = snippet(git(repo, "show", f"{written}:{marked[key][0]}"), key)
        if original is None:
            left_out["snippet markers unbalanced"] += 1
            continue
        after = git(repo, "show", f"HEAD:{files[correct[0]]}").strip("\n")
        befores = [("vulnerable snippet", original)] + [
            (f"wrong fix {name}", git(repo, "show", f"HEAD:{path}").strip("\n"))
            for name, path in sorted(files.items()) if name not in correct]
        digest = hashlib.sha256(original.encode()).hexdigest()
        for kind, before in befores:
            if (before, after) in seen:
                left_out["same pair as another challenge's"] += 1
                continue
            seen.add((before, after))
            rows.append({"split": "train" if digest[0] in "01234567" else "val", "func_name": f"{key}: {kind}",
                         "func_src_before": as_program(before), "func_src_after": as_program(after),
                         "vul_type": CWE_BY_CHALLENGE[key].lower(), "file_name": os.path.basename(marked[key][0]),
                         "language": "JavaScript", "rule": kind, "licence": "MIT",
                         "commit_link": f"https://github.com/juice-shop/juice-shop/blob/{commit}/{files[correct[0]]}"})
    return rows, left_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("repo", help="a git mirror of juice-shop/juice-shop")
    args = parser.parse_args()
    write_splits(args.out, *rows_of(args.repo))


if __name__ == "__main__":
    main()
