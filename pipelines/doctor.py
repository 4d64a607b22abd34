"""`themis doctor`: the sandbox checks (`sandboxes/doctor.py`) plus which security analyzers
this machine offers. semgrep is required; bandit, cppcheck, flawfinder and ESLint are optional:
a missing one is a WARN line naming what to install (a build then runs without it and says so),
never a silent zero. Exit status 0 when everything the build needs is present, 1 otherwise.
"""
from __future__ import annotations

import argparse

from sandboxes import doctor as sandbox_doctor
from transforms.analyzers import TOOLS
from transforms.security import SEMGREP

HELP = __doc__
add_arguments = sandbox_doctor.add_arguments


def analyzer_checks() -> list[dict]:
    checks = []
    for tool in (SEMGREP, *TOOLS.values()):
        why = tool.missing()
        optional = tool is not SEMGREP
        detail = why or f"available ({', '.join(sorted(tool.languages))})"
        checks.append({"check": f"analyzer {tool.name}" + (" (optional)" if optional else ""), "ok": why is None,
                       "detail": detail, "fix": tool.install_hint if why else "", "optional": optional})
    return checks


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    return sandbox_doctor.show(sandbox_doctor.collect(args) + analyzer_checks(), args.json)
