"""Run McEval, MBXP and HumanEval-X canonical solutions in a sandbox backend and report pass rates per language.

    python bench/canonical_pass_rates.py --backend process --suite mceval [--languages C,Go] [--limit 50]

Tasks are read by the same adapters as `themis build --format mceval|mbxp|humanevalx` (program =
prompt + "\\n" + canonical solution + "\\n" + test; MBXP Python gets the `check(entry_point)`
call its tests leave out; HumanEval-X is laid out as its harness does, see transforms/adapters.py).
Prints a Markdown table and every failure with its status and the
tail of its stderr.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sandboxes import Limits, open_sandbox  # noqa: E402
from schemas import Candidate, Task  # noqa: E402
from transforms.candidates import task_candidates  # noqa: E402
from transforms.parse import parse_task  # noqa: E402

DATA = os.environ.get("THEMIS_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
MCEVAL = {"C": "C", "Cpp": "CPP", "CSharp": "Csharp", "Go": "Go", "Java": "Java", "JavaScript": "JavaScript",
          "Python": "Python", "Ruby": "Ruby"}
MBXP = {"Cpp": "mbcpp_release_v1.2", "CSharp": "mbcsp_release_v1.2", "Java": "mbjp_release_v1.2",
        "JavaScript": "mbjsp_release_v1.2", "Python": "mbpp_release_v1", "Ruby": "mbrbp_release_v1.2"}
HUMANEVALX = {"Cpp": "humaneval_cpp", "Go": "humaneval_go", "Java": "humaneval_java", "JavaScript": "humaneval_js",
              "Python": "humaneval_python"}
SUITES = {"mceval": MCEVAL, "mbxp": MBXP, "humanevalx": HUMANEVALX}


def data_dir() -> str:
    for candidate in (DATA, "/work/shared/data"):
        if os.path.isdir(candidate):
            return candidate
    raise SystemExit("no data directory: set THEMIS_DATA to the shared data folder")


def candidates(suite: str, language: str, limit: int = 0) -> list[Candidate]:
    """The canonical solutions of one suite and language, read as `themis build --format SUITE` reads them."""
    name = SUITES[suite][language]
    path = os.path.join(data_dir(), suite, f"{name}.jsonl")
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            task = parse_task(f"{path}:{i}", json.loads(line), suite, {})
            if not isinstance(task, Task):  # a row without a canonical solution
                continue
            out.extend(task_candidates(task)[0])
            if limit and len(out) >= limit:
                break
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="process")
    parser.add_argument("--suite", choices=sorted(SUITES), default="mceval")
    parser.add_argument("--languages", default="")
    parser.add_argument("--limit", type=int, default=0, help="tasks per language (0: all)")
    args = parser.parse_args(argv)
    table = SUITES[args.suite]
    languages = [x for x in args.languages.split(",") if x] or list(table)
    sandbox = open_sandbox(args.backend, Limits(wall_seconds=60))
    rows = []
    try:
        for language in languages:
            todo = candidates(args.suite, language, args.limit)
            start = time.monotonic()
            measured = sandbox.run_many(todo, repetitions=1)
            took = time.monotonic() - start
            statuses = collections.Counter(m.status for m in measured)
            rows.append((language, len(todo), statuses["ok"], took, statuses))
            for m in measured:
                if m.status != "ok":
                    tail = (m.stderr_tail or m.stdout_tail).strip().replace("\n", " | ")[-300:]
                    print(f"FAIL {m.task_id} {m.status}: {tail}", flush=True)
            print(f"{language}: {statuses['ok']}/{len(todo)} in {took:.1f}s {dict(statuses)}", flush=True)
    finally:
        sandbox.close()
    print(f"\n| {args.suite} ({args.backend}) | tasks | pass | rate | seconds |\n|---|---|---|---|---|")
    for language, n, ok, took, _ in rows:
        print(f"| {language} | {n} | {ok} | {ok / max(n, 1):.1%} | {took:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
