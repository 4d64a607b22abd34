"""How often each security rule fires on McEval and MBXP canonical solutions.

Benchmark solutions are small, self-contained programs with no attacker-facing input, so a
rule that fires on many of them flags ordinary code: in a build it would decide
Security_Hardness labels between two correct candidates on noise. The program scanned is
the candidate a build scans: the canonical solution as the adapters read it, tests excluded.

    python bench/rule_noise.py [--languages C,Cpp,Python] [--min-severity LOW|MEDIUM|HIGH]
                               [--analyzers semgrep,bandit,cppcheck,flawfinder,eslint,sanitizer] [--limit N]

Each analyzer is counted on its own (findings per 100 solutions and rules that fired);
`sanitizer` runs each C/C++ solution with its tests in the process sandbox, built with ASan + UBSan.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.canonical_pass_rates import MBXP, MCEVAL, candidates  # noqa: E402
from transforms.label_rules import serious_counts  # noqa: E402
from transforms.analyzers import TOOLS  # noqa: E402
from transforms.analyzers.base import scan_reports  # noqa: E402
from sandboxes.languages import SANITIZED  # noqa: E402
from transforms.execute import ExecuteConfig  # noqa: E402
from transforms.sanitize import sanitizer_reports  # noqa: E402
from transforms.security import SEMGREP  # noqa: E402


def solutions(language: str) -> list:
    return [c for suite, names in (("mceval", MCEVAL), ("mbxp", MBXP)) if language in names
            for c in candidates(suite, language)]


def sanitized(programs: list) -> list:
    """The sanitizer's reports: each program with its tests, once, in the process sandbox."""
    from sandboxes import Limits, open_sandbox

    limits = Limits(cpu_seconds=10.0, wall_seconds=60.0, memory_bytes=1024 * 2 ** 20)
    sandbox = open_sandbox("process", limits)
    try:
        return sanitizer_reports(programs, ExecuteConfig(limits=limits), sandbox)
    finally:
        sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default="C,Cpp,Python")
    parser.add_argument("--min-severity", default="LOW")
    parser.add_argument("--analyzers", default="semgrep")
    parser.add_argument("--limit", type=int, default=0, help="at most this many solutions per language")
    args = parser.parse_args()
    tools = {"semgrep": SEMGREP, **TOOLS}
    known = sorted(set(MBXP) | set(MCEVAL))
    unknown = [name for name in args.languages.split(",") if name not in known]
    if unknown:  # "C#" or "C++" would otherwise print nothing at all
        parser.error(f"unknown language {', '.join(unknown)}: expected some of {','.join(known)}")
    unknown = [name for name in args.analyzers.split(",") if name not in tools and name != "sanitizer"]
    if unknown:
        parser.error(f"unknown analyzer {', '.join(unknown)}: expected some of {','.join([*tools, 'sanitizer'])}")
    for language in args.languages.split(","):
        programs = solutions(language)[:args.limit or None]
        for name in args.analyzers.split(","):
            if name == "sanitizer":
                if language not in SANITIZED:
                    continue
                reports = sanitized(programs)
            elif language not in tools[name].languages:
                continue
            else:
                reports = scan_reports(tools[name], programs, 500, 30)
            counts = [serious_counts(report.findings, args.min_severity) for report in reports]
            fired = collections.Counter(rule for found in counts for rule in found)
            flagged = sum(bool(found) for found in counts)
            findings = sum(sum(found.values()) for found in counts)
            errors = sum(bool(r.errors) for r in reports)
            print(f"\n{language} {name}: {len(programs)} canonical solutions, {flagged} ({flagged / len(programs):.1%}) "
                  f"with a finding of {args.min_severity.upper()} or higher, {100 * findings / len(programs):.1f} "
                  f"findings per 100, {errors} with scan errors")
            for rule, n in fired.most_common():
                print(f"  {rule}: {n} ({n / len(programs):.1%})")


if __name__ == "__main__":
    main()
