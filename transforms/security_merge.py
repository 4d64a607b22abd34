"""One list of security findings per pair side from semgrep and the field's analyzers.

Two tools flagging one CWE on one line are one weakness: the merged finding is the first
tool's (semgrep, then the others by name) and its message names the others (one tool's own
rules are left as they are: the label's margin already counts a (CWE, line) once). A tool whose
report on either side has errors (a crash, a timeout, a file it could not parse) is not heard
on that pair: a failed scan is not a clean bill of health, so its findings count on neither side.
The label decides on each tool's own findings (`heard_findings`) and shows and counts weaknesses merged.
"""
from __future__ import annotations

from typing import Optional, Sequence

from schemas.records import Finding, StaticReport
from transforms.label_config import SEVERITY_RANK

PRIMARY = "semgrep"


def _tool_order(name: str) -> tuple:
    return name != PRIMARY, name  # semgrep first, then the others by name


def _in_order(reports: Sequence[StaticReport], analyzers: Optional[Sequence[str]]) -> list[StaticReport]:
    """`reports` in tool order; only those of `analyzers` when given."""
    ordered = sorted(reports, key=lambda r: _tool_order(r.analyzer))
    return [r for r in ordered if analyzers is None or r.analyzer in analyzers]


def heard(a: Sequence[StaticReport], b: Sequence[StaticReport]) -> tuple[list[str], dict[str, str]]:
    """(analyzers with a clean report on both sides, {analyzer: why it is not heard})."""
    by_side = [{r.analyzer: r for r in side} for side in (a, b)]
    names = sorted(set(by_side[0]) | set(by_side[1]), key=_tool_order)
    usable, not_heard = [], {}
    for name in names:
        reports = [side.get(name) for side in by_side]
        if None in reports:
            not_heard[name] = "no report on side " + "ab"[reports.index(None)]
        elif reports[0].errors or reports[1].errors:
            side = "a" if reports[0].errors else "b"
            not_heard[name] = f"errors on side {side}: {'; '.join((reports[0].errors or reports[1].errors)[:2])[:300]}"
        else:
            usable.append(name)
    return usable, not_heard


def heard_findings(reports: Sequence[StaticReport], analyzers: Sequence[str]) -> list[Finding]:
    """Every finding of the `analyzers`' reports, unmerged: each tool's own say, which the label compares
    side by side, so that a tool flagging both sides alike cancels out even where, on one side, another
    tool's finding on the same CWE and line absorbed it in the merge."""
    return [f for report in _in_order(reports, analyzers) for f in report.findings]


def merged_findings(reports: Sequence[StaticReport], analyzers: Optional[Sequence[str]] = None) -> list[Finding]:
    """The findings of `reports` (only those of `analyzers` when given); a later tool's finding on a
    (CWE, line) an earlier tool flagged is dropped, named in the earlier one's message, and lends it
    its severity when higher."""
    kept: list[Finding] = []
    first: dict[tuple[str, int], int] = {}  # (CWE, line) -> index in kept, from earlier tools only
    also: dict[int, list[str]] = {}
    for report in _in_order(reports, analyzers):
        mine = {}
        for finding in report.findings:
            key = (finding.cwe, finding.line)
            earlier = first.get(key)
            if earlier is None:
                mine.setdefault(key, len(kept))
                kept.append(finding)
                continue
            also.setdefault(earlier, []).append(finding.rule_id)
            if _rank(finding) > _rank(kept[earlier]):
                kept[earlier] = kept[earlier].replace(severity=finding.severity)
        first.update({k: i for k, i in mine.items() if k not in first})
    # in the reports' order (semgrep's first), so semgrep-only evidence is what it was
    return [f.replace(message=f"{f.message} (also {', '.join(sorted(set(also[i])))})") if i in also else f
            for i, f in enumerate(kept)]


def _rank(finding: Finding) -> int:
    return SEVERITY_RANK.get(finding.severity.upper(), 0)
