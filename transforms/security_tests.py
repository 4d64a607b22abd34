"""Security tests (`tests.security`): a task's exploit cases, run in the sandbox apart from its tests.

Each exploit case is one run: the security harness code (appended like `tests.code`) and each
stdin case (like `tests.cases`) become a variant of the candidate whose tests are that case
alone, measured through the execute stage's `measure_batch` (same sandbox, same store: a
rerun executes nothing twice), one repetition. A case the program does not pass is a finding
`security_test` (HIGH, the case's CWE) with the case and what happened as its message, in a
`StaticReport(analyzer="security_test")`; the Security_Hardness label hears it like any other
analyzer, and only labels pairs whose two sides pass the functional tests. A case the sandbox
could not run is the report's error: the label does not hear the security tests on that pair.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

from schemas import Candidate, Finding, StaticReport, TestSpec, content_id
from transforms.execute import ExecuteConfig, measure_batch
from transforms.store import Store

ANALYZER = "security_test"


def has_security_tests(candidate: Candidate) -> bool:
    security = candidate.tests.security
    return security is not None and bool(security.code.strip() or security.cases)


def variants(candidate: Candidate) -> list[tuple[str, Candidate]]:
    """(what the case is, the candidate with that case as its only test), one per exploit case."""
    security = candidate.tests.security
    named = []
    if security.code.strip():
        named.append(("security harness code", TestSpec(code=security.code)))
    for index, case in enumerate(security.cases):
        named.append((f"security case {index}: stdin {case.stdin[:120]!r}", TestSpec(cases=[case])))
    return [(what, candidate.replace(tests=tests)) for what, tests in named]


def security_reports(candidates: Iterable[Candidate], config: ExecuteConfig, sandbox=None,
                     store: Optional[Store] = None, sandbox_error: str = "") -> list[StaticReport]:
    """One StaticReport(analyzer="security_test") per candidate with security tests."""
    tested = [c for c in candidates if has_security_tests(c)]
    runs = [(c, what, variant) for c in tested for what, variant in variants(c)]
    once = dataclasses.replace(config, repetitions=1)
    result = measure_batch([v for _, _, v in runs], once, sandbox, store, sandbox_error)
    measured = {m.measurement_key: m for m in result.measurements}
    why_not = "; ".join(sorted({f"{d.reason}: {d.detail[:200]}" for d in result.dead_letters})) or "no result"
    findings: dict[str, list[Finding]] = {c.candidate_id: [] for c in tested}
    errors: dict[str, list[str]] = {c.candidate_id: [] for c in tested}
    for candidate, what, variant in runs:
        m = measured.get(once.key(variant))
        if m is None:
            errors[candidate.candidate_id].append(f"{what}: not run ({why_not})")
        elif m.status != "ok":
            tail = " ".join((m.stderr_tail or m.stdout_tail or "").split())[-300:]
            findings[candidate.candidate_id].append(Finding(
                rule_id=ANALYZER, cwe=candidate.tests.security.cwe, severity="HIGH", line=0,
                message=f"fails {what}: {m.status}{': ' + tail if tail else ''}"))
    return [StaticReport(candidate_id=c.candidate_id, task_id=c.task_id, language=c.language, analyzer=ANALYZER,
                         findings=findings[c.candidate_id], errors=errors[c.candidate_id],
                         report_key=content_id(ANALYZER, c.language, c.code, c.tests.security.to_dict()))
            for c in tested]
