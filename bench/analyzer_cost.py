"""Scan time per 100 files with and without the field's analyzers, side by side in one run.

The same canonical McEval/MBXP solutions (N per language in C, Cpp, Python, JavaScript, no
store) are scanned by semgrep alone and by semgrep plus every analyzer that reads the
language, alternating the two configurations for R rounds so machine load hits both alike.

    python bench/analyzer_cost.py [--per-language 50] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.rule_noise import solutions  # noqa: E402
from transforms.analyzers import TOOLS  # noqa: E402
from transforms.analyzers.base import scan_reports  # noqa: E402
from transforms.security import SEMGREP  # noqa: E402

LANGUAGES = ("C", "Cpp", "Python", "JavaScript")


def scan(programs: list, with_analyzers: bool) -> dict[str, float]:
    """Seconds per tool for one scan of `programs`."""
    seconds = {}
    for tool in (SEMGREP, *TOOLS.values()) if with_analyzers else (SEMGREP,):
        readable = [c for c in programs if c.language in tool.languages]
        started = time.perf_counter()
        scan_reports(tool, readable, 500, 30)
        seconds[tool.name] = time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    programs = [c for language in LANGUAGES for c in solutions(language)[:args.per_language]]
    runs: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(args.rounds):
        for with_analyzers in (False, True):
            runs[with_analyzers].append(scan(programs, with_analyzers))
    per_100 = 100 / len(programs)
    print(f"{len(programs)} files ({', '.join(LANGUAGES)}), {args.rounds} alternating rounds, median seconds "
          f"per 100 files; load average before: {os.getloadavg()[0]:.1f}\n")
    print("| configuration | tool | s / 100 files |\n| --- | --- | ---: |")
    for with_analyzers, label in ((False, "semgrep alone"), (True, "semgrep + analyzers")):
        for name in runs[with_analyzers][0]:
            print(f"| {label} | {name} | {statistics.median(r[name] for r in runs[with_analyzers]) * per_100:.2f} |")
        total = statistics.median(sum(r.values()) for r in runs[with_analyzers]) * per_100
        print(f"| {label} | **total** | **{total:.2f}** |")


if __name__ == "__main__":
    main()
