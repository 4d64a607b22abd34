"""What `--scale_inputs` gives on real tasks: how many get scaled perf cases, whether the canonical
solution still runs on them, and how much of the tests' work the runtime label gets to see.

    python bench/bench_input_scaling.py --suite humanevalx --size 1000 [--limit 50]

For each Python task of the suite (read by the build's adapters), the canonical solution runs on its
tests and on the scaled perf code, each with its start-up stub, `--repetitions` times in the process
sandbox. Reports the tasks scaled, the scaled runs that pass, and the tests' work (median CPU over
the stub's) on the tests and on the scaled inputs: its median, and how many tasks are above the
5 ms the runtime rule resolves (`--runtime_floor_ms`).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.canonical_pass_rates import SUITES, data_dir  # noqa: E402
from sandboxes import Limits, open_sandbox  # noqa: E402
from schemas import Task  # noqa: E402
from transforms.candidates import task_candidates  # noqa: E402
from transforms.input_scaling import with_scaled_perf  # noqa: E402
from transforms.parse import parse_task  # noqa: E402
from transforms.startup_stub import measured_program, stub_candidate  # noqa: E402

FLOOR_S = 0.005


def work(full, stub) -> float:
    return statistics.median(full.cpu_seconds) - statistics.median(stub.cpu_seconds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", default="humanevalx", choices=sorted(SUITES))
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    with open(os.path.join(data_dir(), args.suite, f"{SUITES[args.suite]['Python']}.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    tasks = [t for i, row in enumerate(rows) if isinstance(t := parse_task(f"{args.suite}:{i}", row, args.suite, {}), Task)]
    tasks = tasks[:args.limit] if args.limit else tasks
    scaled = [s for t in tasks if not (s := with_scaled_perf(t, args.size)).tests.perf.is_empty]
    box = open_sandbox("process", Limits(cpu_seconds=10.0, wall_seconds=30.0))
    tests_work, scaled_work, failed = [], [], []
    try:
        for task in scaled:
            candidate = task_candidates(task)[0][0]
            perf = measured_program(candidate)
            programs = [candidate, stub_candidate(candidate), perf, stub_candidate(perf)]
            runs = box.run_many(programs, args.repetitions)
            if any(m.status != "ok" for m in runs):
                failed.append((task.task_id, [m.status for m in runs]))
                continue
            tests_work.append(work(runs[0], runs[1]))
            scaled_work.append(work(runs[2], runs[3]))
    finally:
        box.close()
    ms = lambda xs: f"{1000 * statistics.median(xs):.1f}" if xs else "-"  # noqa: E731
    print(f"| suite | size | Python tasks | scaled | scaled runs ok | tests' work, median ms (tests / scaled) "
          f"| tasks over {1000 * FLOOR_S:.0f} ms (tests / scaled) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.suite} | {args.size} | {len(tasks)} | {len(scaled)} | {len(tests_work)} | "
          f"{ms(tests_work)} / {ms(scaled_work)} | {sum(w >= FLOOR_S for w in tests_work)} / "
          f"{sum(w >= FLOOR_S for w in scaled_work)} |")
    for task_id, statuses in failed:
        print(f"failed: {task_id} {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
