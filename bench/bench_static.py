"""Static-analysis throughput, side by side in one run.

1. semgrep: files/s with one semgrep process per batch (the pipeline's way) vs one
   process per file, on McEval programs in all 8 languages.
2. tree-sitter metrics: files/s on one core (this process) over every McEval
   program (prompt + canonical solution, ~30 lines each).

Rates are given per wall-clock second and per CPU second (user + system of this
process or of the semgrep children): on a shared, overloaded machine the CPU
figure is the one that measures the code rather than the neighbours.

    python bench/bench_static.py [--per_file 8] [--batched 400] [--rounds 3]
"""
from __future__ import annotations

import argparse
import collections
import os
import platform
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.shared_data import mceval_solutions, shared_data_dir
from transforms.readability import readability_metrics
from transforms.analyzers.base import _scan_batch
from transforms.security import SEMGREP


def semgrep_throughput(programs: list[tuple[str, str]], per_file: int, batched: int) -> list[str]:
    """Distinct programs, interleaved by language, scanned both ways."""
    by_language = collections.defaultdict(list)
    for language, code in programs:
        by_language[language].append(code)
    interleaved = [(lang, codes[i]) for i in range(max(map(len, by_language.values())))
                   for lang, codes in sorted(by_language.items()) if i < len(codes)]
    items = [(f"k{i}", lang, code) for i, (lang, code) in enumerate(interleaved)]
    batch = (items * (batched // len(items) + 1))[:batched]
    batch = [(f"b{i}", lang, code) for i, (_, lang, code) in enumerate(batch)]

    wall, cpu = _timed(lambda: [_scan_batch(SEMGREP, [item], timeout_s=30) for item in items[:per_file]], children=True)
    single = (per_file / wall, per_file / cpu)
    results = {}
    wall, cpu = _timed(lambda: results.update(_scan_batch(SEMGREP, batch, timeout_s=30)), children=True)
    batched = (len(batch) / wall, len(batch) / cpu)
    findings = sum(len(f) for f, _ in results.values())
    return [
        "| semgrep mode | files | files/s (wall) | files/s (CPU) |",
        "| --- | ---: | ---: | ---: |",
        f"| one process per file | {per_file} | {single[0]:.2f} | {single[1]:.2f} |",
        f"| one process per batch | {len(batch)} | {batched[0]:.1f} | {batched[1]:.1f} |",
        f"| **speed-up** | | **{batched[0] / single[0]:.0f}x** | **{batched[1] / single[1]:.0f}x** |",
        "",
        f"({findings} findings in the batch.)",
    ]


def _cpu_seconds(children: bool) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(work, children: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of work()."""
    wall, cpu = time.perf_counter(), _cpu_seconds(children)
    work()
    return time.perf_counter() - wall, _cpu_seconds(children) - cpu


def metrics_throughput(programs: list[tuple[str, str]], rounds: int) -> list[str]:
    for language, code in programs:  # load grammars and warm caches before timing
        readability_metrics(code, language)
    per_language: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0])

    def run() -> None:
        for _ in range(rounds):
            for language, code in programs:
                t0 = time.process_time()
                readability_metrics(code, language)
                stats = per_language[language]
                stats[0] += 1
                stats[1] += time.process_time() - t0
                stats[2] += code.count("\n") + 1

    wall, cpu = _timed(run, children=False)
    lines = ["| language | files | mean lines | files/s (CPU) |", "| --- | ---: | ---: | ---: |"]
    for language, (n, seconds, line_count) in sorted(per_language.items()):
        lines.append(f"| {language} | {n} | {line_count / n:.0f} | {n / seconds:.0f} |")
    count = sum(s[0] for s in per_language.values())
    mean_lines = sum(s[2] for s in per_language.values()) / count
    lines.append(f"| **all** | {count} | {mean_lines:.0f} | **{count / cpu:.0f}** ({count / wall:.0f} per wall second) |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="McEval folder (C.jsonl, CPP.jsonl, ...)")
    parser.add_argument("--per_file", type=int, default=8, help="files scanned with one semgrep process each")
    parser.add_argument("--batched", type=int, default=400, help="files scanned with one semgrep process")
    parser.add_argument("--rounds", type=int, default=3, help="passes over McEval for the metrics timing")
    args = parser.parse_args()
    programs = mceval_solutions(args.data or shared_data_dir("mceval"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
    print("\n".join(semgrep_throughput(programs, args.per_file, args.batched)))
    print()
    print("\n".join(metrics_throughput(programs, args.rounds)))


if __name__ == "__main__":
    main()
