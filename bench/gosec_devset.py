"""A Go secure/insecure dev set in SVEN's format from gosec's own rule samples (Apache-2.0), for the
issue 17 data kinds where Go had none: secure and insecure implementations of the same check.

gosec (securego/gosec, the field's Go security analyzer; its module proxy is out of reach here, so
it cannot run beside our pack) keeps, per rule, whole Go programs with the number of issues the rule
must report (`testutils/gNNN_samples.go`: `{[]string{`code`}, N, config}`). A program with N > 0 is
insecure, one with N = 0 the same rule's secure form. Each insecure program is paired with one secure
program of its rule (in turn, so every secure one is used), `func_src_before` the insecure one; the
row's CWE is gosec's own mapping (`issue/issue.go`). Only the rules whose weakness the rule pack
covers are read (`RULES`: injection, traversal, crypto, randomness, TLS, permissions, temp files,
credentials, deserialization), only one-file samples, and at most `--per-rule` insecure programs per
rule, chosen by a hash of the program (gosec's SQL rule alone has 90). Rows are split by a hash of the insecure
program (0-7 train, 8-f val) before anything is scanned. Read from a git mirror (no work tree):

    python bench/gosec_devset.py --out DIR [--per-rule 20] REPO_DIR
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import itertools
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import git, write_splits  # noqa: E402

# gosec rules of the weaknesses the rule pack targets. Left out: error handling (G104, G307), integer
# conversions (G109, G115), resource limits and server settings (G110, G112, G114, G118, G120), aliasing
# and slice bounds (G601, G602), blocklisted imports (G501-G507: an import is not a flaw in a function).
RULES = ("G101", "G106", "G107", "G111", "G201", "G202", "G203", "G204", "G301", "G302", "G303", "G304",
         "G305", "G306", "G401", "G402", "G403", "G404", "G405", "G406", "G701", "G702", "G703", "G704",
         "G705", "G708", "G709", "G710")
SAMPLE = re.compile(r"\{\s*\[\]string\{((?:\s*`[^`]*`\s*,?)+)\s*\},\s*(\d+),[^\n]*")
CWE_OF_RULE = re.compile(r'"(G\d{3})":\s*"(\d+)"')
# A sample with no issue is not always secure: gosec's taint tests also pin its own misses ("Current
# implementation doesn't track taint through map values ... should be 1 issue but detects 0").
KNOWN_MISS = re.compile(r"(?i)limitation|doesn't track|does not track|not (fully )?tracked|should be \d+ issue")


def samples(source: str) -> list[tuple[list[str], int | None]]:
    """(files, expected issue count) for each sample in one gNNN_samples.go; None for gosec's known misses."""
    found, cursor = [], 0
    for match in SAMPLE.finditer(source):
        remarks = source[cursor:match.start()] + match.group(0).rsplit("`", 1)[-1]  # comments before and after
        cursor = match.end()
        count = int(match.group(2))
        found.append((re.findall(r"`([^`]*)`", match.group(1)),
                      None if count == 0 and KNOWN_MISS.search(remarks) else count))
    return found


def rows_of(repo: str, per_rule: int) -> tuple[list[dict], collections.Counter]:
    commit = git(repo, "rev-parse", "HEAD").strip()
    cwes = dict(CWE_OF_RULE.findall(git(repo, "show", "HEAD:issue/issue.go")))
    rows, skipped = [], collections.Counter()
    for rule in RULES:
        path = f"testutils/{rule.lower()}_samples.go"
        insecure, secure = [], []
        for files, count in samples(git(repo, "show", f"HEAD:{path}")):
            if count is None:
                skipped["gosec's known misses"] += 1
                continue
            if len(files) != 1:
                skipped["several files"] += 1
                continue
            (insecure if count else secure).append(files[0].strip() + "\n")
        insecure = sorted(insecure, key=lambda code: hashlib.sha256(f"pick {code}".encode()).hexdigest())[:per_rule]
        if insecure and not secure:
            skipped[f"{rule}: no secure sample"] += len(insecure)
        for k, (bad, good) in enumerate(zip(insecure, itertools.cycle(secure))):
            digest = hashlib.sha256(bad.encode()).hexdigest()
            rows.append({"split": "train" if digest[0] in "01234567" else "val", "func_name": f"{rule} sample {k}",
                         "func_src_before": bad, "func_src_after": good, "vul_type": f"cwe-{cwes[rule]}",
                         "file_name": "main.go", "language": "Go", "rule": rule, "licence": "Apache-2.0",
                         "commit_link": f"https://github.com/securego/gosec/blob/{commit}/{path}"})
    return rows, skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-rule", type=int, default=20, help="insecure programs per gosec rule at most")
    parser.add_argument("repo", help="a git mirror of securego/gosec")
    args = parser.parse_args()
    write_splits(args.out, *rows_of(args.repo, args.per_rule))


if __name__ == "__main__":
    main()
