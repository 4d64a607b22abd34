"""How often a flaky canonical solution would still be chosen: measure one HumanEval-X task's
reference MEASUREMENTS times at --repetitions R (as the execute stage does) and count the outcomes
the Functional_Correctness rule sees: every repetition passed (a label, chosen), passed and then
failed (flaky: a tie), failed on the first run (a plain failure: no label against a failing mutant).

    python bench/flaky_reference.py --task Go/95 --repetitions 5 --measurements 40
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.canonical_pass_rates import candidates  # noqa: E402
from sandboxes import Limits, open_sandbox  # noqa: E402
from transforms.label_config import LabelConfig  # noqa: E402
from transforms.label_rules import flaky, outcome  # noqa: E402
from schemas import canonical_language  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Go/95")
    parser.add_argument("--backend", default="process")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--measurements", type=int, default=40)
    args = parser.parse_args(argv)
    language = canonical_language(args.task.split("/", 1)[0])
    reference = next(c for c in candidates("humanevalx", language) if c.task_id == args.task)
    limits, config = Limits(wall_seconds=60), LabelConfig()
    start = time.monotonic()
    with open_sandbox(args.backend, limits) as sandbox:
        measured = sandbox.run_many([reference] * args.measurements, repetitions=args.repetitions)
    seen = collections.Counter(
        "every repetition passed" if m.status == "ok" else "flaky (passed, then failed)"
        if flaky(m, limits.cpu_seconds, config) else "failed on the first run"
        if outcome(m, limits.cpu_seconds, config) is False else f"no verdict ({m.status})" for m in measured)
    print(f"{args.task}, {args.measurements} measurements of {args.repetitions} repetitions, "
          f"{time.monotonic() - start:.0f} s ({args.backend})")
    print("| outcome | measurements |\n|---|---|")
    for name, n in sorted(seen.items()):
        print(f"| {name} | {n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
