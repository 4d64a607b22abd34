"""A secure/insecure dev set in SVEN's format from the OWASP Benchmark's test cases (Python and Java).

The OWASP Benchmark (OWASP-Benchmark/BenchmarkPython, GPL-3.0; BenchmarkJava, GPL-2.0) is the field's
scorecard for security analyzers: each test case is one small web handler (a Flask view, a servlet)
that takes request input to one sink, and `expectedresults-*.csv` says whether it is a real
vulnerability (`true`) or a safe look-alike (`false`: a constant in place of the input, a sanitizer,
a safe algorithm or API) and its CWE. Each real vulnerability is paired with a safe test case of the
same category (in turn, so every safe one is used), `func_src_before` the vulnerable one; both lose
the license header the generator puts on top. At most `--per-category` vulnerable cases per category,
chosen by a hash of the test name; rows are split by another hash of it (0-7 train, 8-f val) before
anything is scanned. Read from a git mirror (no work tree):

    python bench/owasp_benchmark_devset.py --out DIR [--per-category 30] REPO_DIR
"""
from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import itertools
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import git, write_splits  # noqa: E402

# test file extension -> (language, repository, licence)
PROJECTS = {".py": ("Python", "BenchmarkPython", "GPL-3.0"), ".java": ("Java", "BenchmarkJava", "GPL-2.0")}
TEST_FILE = re.compile(r"(?:^|/)(BenchmarkTest\d{5})(\.py|\.java)$")
# the generator's license header: a leading docstring (Python) or block comment (Java)
HEADER = re.compile(r"\A\s*(?:'''.*?'''|\"\"\".*?\"\"\"|/\*.*?\*/)\s*", re.S)


def expected_results(repo: str) -> list[tuple[str, str, bool, str]]:
    """(test name, category, real vulnerability, CWE number) from the newest expectedresults-*.csv."""
    names = sorted((p for p in git(repo, "ls-tree", "--name-only", "HEAD").splitlines() if p.startswith("expectedresults-")),
                   key=lambda p: [int(n) for n in re.findall(r"\d+", p)])
    if not names:
        raise SystemExit(f"{repo}: no expectedresults-*.csv at the top of HEAD; is it an OWASP Benchmark mirror?")
    lines = [line for line in git(repo, "show", f"HEAD:{names[-1]}").splitlines() if line and not line.startswith("#")]
    return [(name.strip(), category.strip(), real.strip() == "true", cwe.strip())
            for name, category, real, cwe, *_ in csv.reader(lines)]


def rows_of(repo: str, per_category: int) -> tuple[list[dict], collections.Counter]:
    commit = git(repo, "rev-parse", "HEAD").strip()
    paths = {m.group(1): (path, m.group(2)) for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
             if (m := TEST_FILE.search(path))}
    by_category: dict[str, tuple[list, list]] = collections.defaultdict(lambda: ([], []))
    skipped: collections.Counter = collections.Counter()
    for name, category, real, cwe in expected_results(repo):
        if name not in paths:
            skipped["no test file"] += 1
            continue
        by_category[category][0 if real else 1].append((name, cwe))
    rows = []
    for category, (vulnerable, safe) in sorted(by_category.items()):
        vulnerable = sorted(vulnerable, key=lambda t: hashlib.sha256(f"pick {t[0]}".encode()).hexdigest())[:per_category]
        if not safe:
            skipped[f"{category}: no safe test case"] += len(vulnerable)
            continue
        for (bad, cwe), (good, _) in zip(vulnerable, itertools.cycle(sorted(safe))):
            path, extension = paths[bad]
            language, project, licence = PROJECTS[extension]
            sources = [HEADER.sub("", git(repo, "show", f"HEAD:{paths[n][0]}"), count=1) for n in (bad, good)]
            digest = hashlib.sha256(bad.encode()).hexdigest()
            rows.append({"split": "train" if digest[0] in "01234567" else "val", "func_name": f"{bad} vs {good}",
                         "func_src_before": sources[0], "func_src_after": sources[1], "vul_type": f"cwe-{cwe}",
                         "file_name": os.path.basename(path), "language": language, "rule": category,
                         "licence": licence, "commit_link": f"https://github.com/OWASP-Benchmark/{project}/blob/{commit}/{path}"})
    return rows, skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-category", type=int, default=30, help="vulnerable test cases per category at most")
    parser.add_argument("repo", help="a git mirror of OWASP-Benchmark/BenchmarkPython or BenchmarkJava")
    args = parser.parse_args()
    write_splits(args.out, *rows_of(args.repo, args.per_category))


if __name__ == "__main__":
    main()
