"""Per-run cost of issue 21's hardening, with and without, interleaved in one run (process backend).

    python bench/bench_hardening.py [--runs 20]

1. The launcher's seccomp filter: a compiled C hello world, `--seccomp` on and off.
2. The completion token: a program with a passing test, run through its language's harness entry
   point (the token) and as the program alone (the command before the token), Python, Java, Ruby.
Median wall time of a whole sandboxed run, and median CPU time (the run's cgroup). Prints Markdown.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sandboxes import Limits  # noqa: E402
from sandboxes.languages import COMPLETION_ENV, completion_token, spec  # noqa: E402
from sandboxes.process import ProcessSandbox  # noqa: E402

HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'
TESTED = {
    "Python": "def add(a, b):\n    return a + b\nassert add(2, 2) == 4\n",
    "Ruby": "def add(a, b)\n  a + b\nend\nraise 'Test failed' unless add(2, 2) == 4\n",
    "Java": "class Solution {\n static int add(int a, int b) { return a + b; }\n"
            " public static void main(String[] args) { assert add(2, 2) == 4; }\n}\n",
}


def _without_token(language: str, run: tuple[str, ...]) -> tuple[str, ...]:
    """The run command as it was before the token: the program itself, no harness entry point."""
    if language == "Java":
        return tuple(a for a in run if a != "ThemisMain")
    return tuple(a for a in run if "/harness/" not in a)


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    box = ProcessSandbox(Limits(), workers=1)
    rows = ["| what | with: wall ms | without: wall ms | with: CPU ms | without: CPU ms |", "|---|---|---|---|---|"]
    build = spec("C").prepare(HELLO_C, box.limits.memory_bytes)
    directory = box._compile(build).directory
    timing: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
    for _ in range(args.runs):
        for on in (True, False):
            box.launcher.seccomp = on
            result = box.launcher.launch(build.run, directory, box.limits, env=build.env)
            assert result.status == "ok", result.detail
            timing[on][0].append(result.wall_seconds)
            timing[on][1].append(result.cpu_seconds)
    box.launcher.seccomp = True
    rows.append(f"| seccomp filter, C hello | {_median_ms(timing[True][0])} | {_median_ms(timing[False][0])} | "
                f"{_median_ms(timing[True][1])} | {_median_ms(timing[False][1])} |")
    for language, code in TESTED.items():
        build = spec(language).prepare(code, box.limits.memory_bytes)
        directory = box._compile(build).directory
        commands = {True: build.run, False: _without_token(language, build.run)}
        timing = {True: ([], []), False: ([], [])}
        for _ in range(args.runs):
            for on in (True, False):
                result = box.launcher.launch(commands[on], directory, box.limits,
                                     env={**build.env, COMPLETION_ENV: completion_token()})
                assert result.status == "ok", (result.detail, result.stderr)
                timing[on][0].append(result.wall_seconds)
                timing[on][1].append(result.cpu_seconds)
        rows.append(f"| completion token, {language} | {_median_ms(timing[True][0])} | "
                    f"{_median_ms(timing[False][0])} | {_median_ms(timing[True][1])} | {_median_ms(timing[False][1])} |")
    box.close()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
