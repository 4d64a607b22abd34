"""How many real C/C++ functions semgrep parses whole, raw vs as the scanner writes them (`c_macros`).

A function with a parse error (semgrep dropped statements or all of it) or a timeout is
never labelled on Security_Hardness, so this is the share of mined code the label can use.
Runs on SVEN's C and C++ functions (both sides of every fix), raw and rewritten alternately
in one run, and reports files with errors and scan seconds for each.

    python bench/c_parse_rate.py [--data ../shared/data/sven] [--split train --split val] [--rounds 2]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.shared_data import shared_data_dir  # noqa: E402
from bench.sven_check import candidate  # noqa: E402
from transforms.security import EXTENSIONS, run_semgrep, scanned_text  # noqa: E402


def functions(path: str) -> list[tuple[str, str]]:
    """[(language, code)] for both sides of every C/C++ fix in a SVEN split."""
    with open(path, encoding="utf-8") as rows:
        sides = [candidate(row, side, i) for i, row in enumerate(map(json.loads, rows)) for side in ("before", "after")]
    return [(c.language, c.code) for c in sides if c.language in ("C", "Cpp")]


def scan(programs: list[tuple[str, str]], rewrite: bool) -> tuple[int, float]:
    """(files with a parse error or timeout, seconds) for one semgrep process over `programs`."""
    with tempfile.TemporaryDirectory(prefix="themis-parse-") as tmp:
        names = []
        for n, (language, code) in enumerate(programs):
            names.append(f"f{n}{EXTENSIONS[language]}")
            with open(os.path.join(tmp, names[-1]), "w", encoding="utf-8") as fh:
                fh.write(scanned_text(language, code) if rewrite else code)
        started = time.perf_counter()
        output = run_semgrep(names, 30, tmp)
        seconds = time.perf_counter() - started
    return len({os.path.basename(e.get("path") or "") for e in output.get("errors", [])}), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--split", action="append")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    data = args.data or shared_data_dir("sven")
    print("| split | functions | text | with errors | scan s (each round) |\n| --- | ---: | --- | ---: | --- |")
    for split in args.split or ["train", "val"]:
        programs = functions(os.path.join(data, f"{split}.jsonl"))
        results: dict[bool, list[tuple[int, float]]] = {False: [], True: []}
        for _ in range(args.rounds):
            for rewrite in (False, True):
                results[rewrite].append(scan(programs, rewrite))
        for rewrite, runs in results.items():
            errors = sorted({e for e, _ in runs})
            print(f"| {split} | {len(programs)} | {'rewritten' if rewrite else 'raw'} | {'/'.join(map(str, errors))} | "
                  f"{' / '.join(f'{s:.1f}' for _, s in runs)} |")


if __name__ == "__main__":
    main()
