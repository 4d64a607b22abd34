"""Measured memory safety: C and C++ candidates with tests run once more, built with
AddressSanitizer + UndefinedBehaviorSanitizer, under the same tests (`mode="sanitize"`,
both sandbox backends, through execute's `measure_batch`: same sandbox, same store).

The sanitizer's exit code is 0 (sandboxes/languages.py SANITIZE_ENV), so a finding is never a
test failure; its report, read from the run's stderr, becomes findings of a
`StaticReport(analyzer="sanitizer")`: `asan/<kind>` from ASan's SUMMARY line, `ubsan/<error>`
from each UBSan `runtime error`, with CWE and severity from mappings.yaml and the report
lines as the message. The label hears it like any other analyzer (a clean build against one
that is not, both passing the ordinary tests, is a pair); a run the sandbox could not make is
the report's error.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Iterable, Optional

from sandboxes.languages import SANITIZED
from schemas import Candidate, Finding, Measurement, StaticReport
from transforms.analyzers.base import mappings
from transforms.execute import ExecuteConfig, measure_batch
from transforms.store import Store

ANALYZER = "sanitizer"
MODE = "sanitize"
_ASAN = re.compile(r"SUMMARY: AddressSanitizer: (\S+)(?:.*?prog\.(?:c|cpp):(\d+))?")
_UBSAN = re.compile(r"prog\.(?:c|cpp):(\d+):\d+: runtime error: (.+)")


def wants_sanitizer(candidate: Candidate) -> bool:
    return candidate.language in SANITIZED and not candidate.tests.is_empty


def _mapped(table: dict, text: str) -> tuple[str, dict]:
    name = next((key for key in table if key != "default" and text.startswith(key)), "default")
    return name, table[name]


def sanitizer_findings(stderr: str) -> list[Finding]:
    """Findings from a sanitizer build's stderr, one per tool, kind and line."""
    table = mappings()[ANALYZER]
    found: dict[tuple, Finding] = {}
    for match in _ASAN.finditer(stderr):
        kind, line = match.group(1), int(match.group(2) or 0)
        name, meta = _mapped(table["asan"], kind)
        found.setdefault(("asan", kind, line), Finding(
            rule_id=f"asan/{kind}", cwe=meta["cwe"], severity=meta["severity"], line=line, message=match.group(0)[:300]))
    for match in _UBSAN.finditer(stderr):
        line, error = int(match.group(1)), match.group(2)
        name, meta = _mapped(table["ubsan"], error)
        rule = name if name != "default" else " ".join(error.split()[:3])
        found.setdefault(("ubsan", rule, line), Finding(
            rule_id=f"ubsan/{rule.replace(' ', '-')}", cwe=meta["cwe"], severity=meta["severity"], line=line,
            message=f"runtime error: {error}"[:300]))
    return sorted(found.values(), key=lambda f: (f.line, f.rule_id))


def sanitizer_reports(candidates: Iterable[Candidate], config: ExecuteConfig, sandbox=None,
                      store: Optional[Store] = None, sandbox_error: str = "") -> list[StaticReport]:
    """One StaticReport(analyzer="sanitizer") per C/C++ candidate with tests, in order."""
    tested = [c for c in candidates if wants_sanitizer(c)]
    once = dataclasses.replace(config, repetitions=1)
    result = measure_batch(tested, once, sandbox, store, sandbox_error, mode=MODE)
    measured: dict[str, Measurement] = {m.candidate_id: m for m in result.measurements}
    why_not = {d.record_id: f"sanitizer build not run ({d.reason}: {d.detail[:200]})" for d in result.dead_letters}
    reports = []
    for c in tested:
        m = measured.get(c.candidate_id)
        findings = sanitizer_findings(m.stderr_tail) if m is not None else []
        errors = [why_not.get(c.candidate_id, "sanitizer build not run")] if m is None else \
            [f"sanitizer build: {m.status}"] if m.status == "compile_error" else []
        reports.append(StaticReport(candidate_id=c.candidate_id, task_id=c.task_id, language=c.language,
                                    analyzer=ANALYZER, findings=findings, errors=errors,
                                    report_key=once.key(c, MODE)))
    return reports
