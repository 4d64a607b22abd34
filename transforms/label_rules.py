"""The five labelling rules: for two candidates of one task, which is preferred, by how much
(the margin) and on what evidence; when the evidence is not strong enough a rule records
a tie instead of guessing.

- Functional_Correctness: one passes every test, the other fails a test or does
  not compile. Sandbox errors and timeouts the machine caused (the program did
  not use its CPU budget) are never failures.
- Runtime_Efficiency: both pass; interleaved A/B runs in up to ab_max_stages
  stages of ab_repetitions runs per side, decided by the sequential test of
  `transforms.sequential_ab` (a label only when the Mann-Whitney U test on all
  runs so far gives p below alpha / ab_max_stages and the Hodges-Lehmann
  CPU-time ratio is at least runtime_ratio; bench/RESULTS.md, "Labelling").
- Memory_Efficiency: both pass; ratio of median peak memory above the
  language's baseline footprint >= r (tiny footprints are floored, so noise
  around the baseline never makes a label).
- Security_Hardness: one has findings of at least the minimum severity that the
  other lacks (and not the other way round); both pass the tests where tests
  exist. A mined security-fix commit is recorded as supporting evidence.
- Readability_Maintainability: readability scores differ by at least the
  threshold, and both pass the tests, or (without tests) the two sides are the
  two versions of a refactoring commit.
"""
from __future__ import annotations

import collections
import dataclasses
import statistics
from typing import Any, Iterable, Optional, Sequence

from schemas.records import Candidate, Finding, Measurement, StaticReport
from transforms.label_config import SEVERITY_RANK, LabelConfig
from transforms.security_merge import PRIMARY, heard, merged_findings
from transforms.sequential_ab import cpu_times, decide_stages, unusable_stages

# Statuses that are the program's fault; `timeout` joins them only when the program used its CPU budget.
FAILING_STATUSES = frozenset({"test_failure", "compile_error", "runtime_error", "memory_limit", "output_limit"})
COMMIT_ORIGINS = frozenset({"commit_old", "commit_new"})


@dataclasses.dataclass(frozen=True)
class Side:
    """One candidate with everything measured and found about it."""

    candidate: Candidate
    measurement: Optional[Measurement] = None
    security: Optional[StaticReport] = None
    readability: Optional[StaticReport] = None
    analyzers: tuple[StaticReport, ...] = ()  # the other security analyzers' reports (bandit, cppcheck, ...)

    @property
    def has_tests(self) -> bool:
        return not self.candidate.tests.is_empty

    @property
    def passes(self) -> bool:
        return self.measurement is not None and self.measurement.status == "ok"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A rule's decision on two sides: `winner` is 'a', 'b', or None for a recorded tie."""

    aspect: str
    a: Side
    b: Side
    winner: Optional[str]
    margin: float
    evidence: dict
    p_value: Optional[float] = None
    reason: str = ""

    @property
    def chosen(self) -> Side:
        return self.a if self.winner == "a" else self.b

    @property
    def rejected(self) -> Side:
        return self.b if self.winner == "a" else self.a


def _oriented(per_side: dict[str, tuple], winner: Optional[str]) -> dict[str, dict]:
    """{'cpu': (a, b)} -> {'cpu': {'chosen': .., 'rejected': ..}} (or {'a': .., 'b': ..} for a tie)."""
    names = {"a": ("chosen", "rejected"), "b": ("rejected", "chosen"), None: ("a", "b")}[winner]
    return {key: {names[0]: a, names[1]: b} for key, (a, b) in per_side.items()}


def _verdict(aspect: str, a: Side, b: Side, winner: Optional[str], margin: float,
             per_side: dict[str, tuple], shared: dict, p_value: Optional[float] = None, reason: str = "") -> Verdict:
    evidence = {**shared, **_oriented(per_side, winner)}
    if reason:
        evidence["tie_reason"] = reason
    return Verdict(aspect, a, b, winner, margin, evidence, p_value, reason)


# ---------------------------------------------------------------- correctness

def outcome(measurement: Optional[Measurement], cpu_limit: float, config: LabelConfig) -> Optional[bool]:
    """True: passes every test; False: the program's own failure; None: no verdict (unmeasured,
    sandbox error, or a timeout the machine caused). `cpu_limit`: the CPU seconds it ran under."""
    if measurement is None:
        return None
    if measurement.status == "ok":
        return True
    if measurement.status in FAILING_STATUSES:
        return False
    if measurement.status == "timeout":
        used = max(measurement.cpu_seconds, default=0.0)
        return False if used >= config.timeout_cpu_fraction * cpu_limit else None
    return None


def correctness_rule(a: Side, b: Side, cpu_limit: float, config: LabelConfig) -> Optional[Verdict]:
    """`cpu_limit`: the CPU seconds per run the measurements were made under (--cpu_limit)."""
    if not (a.has_tests and b.has_tests):
        return None
    outcomes = (outcome(a.measurement, cpu_limit, config), outcome(b.measurement, cpu_limit, config))
    if None in outcomes or outcomes[0] == outcomes[1]:
        return None
    winner = "a" if outcomes[0] else "b"
    per_side = {"status": (a.measurement.status, b.measurement.status),
                "exit_code": (a.measurement.exit_code, b.measurement.exit_code),
                "stderr_tail": (a.measurement.stderr_tail[-500:], b.measurement.stderr_tail[-500:])}
    return _verdict("Functional_Correctness", a, b, winner, 1.0, per_side, {"rule": "passes_vs_fails"})


# ---------------------------------------------------------------- runtime

def runtime_rule(a: Side, b: Side, stages: Sequence[tuple[Measurement, Measurement]],
                 config: LabelConfig) -> Optional[Verdict]:
    """`stages`: the interleaved A/B measurements of a and b (in that order), one pair per stage,
    at least one, as many as `more_stages_needed` asked for. Fewer (a regenerate with thresholds
    that want more stages than the build measured) end in a tie on the stages there are, saying so."""
    if not (a.passes and b.passes):
        return None
    aspect = "Runtime_Efficiency"
    shared: dict[str, Any] = {"rule": "staged_mann_whitney_u_and_hodges_lehmann_ratio", "alpha": config.alpha,
                              "stage_alpha": config.alpha / config.ab_max_stages, "min_ratio": config.runtime_ratio,
                              "continue_ratio": config.ab_continue_ratio, "max_stages": config.ab_max_stages}
    unusable = unusable_stages(stages)
    if unusable:
        per_side = {"cpu_seconds": ([t for ma, _ in stages for t in ma.cpu_seconds],
                                    [t for _, mb in stages for t in mb.cpu_seconds]),
                    "ab_status": (stages[-1][0].status, stages[-1][1].status)}
        return _verdict(aspect, a, b, None, 1.0, per_side, shared, reason=unusable)
    decisions = decide_stages(cpu_times(stages), config)
    used = cpu_times(stages[: len(decisions)])
    times = ([t for ta, _ in used for t in ta], [t for _, tb in used for t in tb])
    per_side = {"cpu_seconds": times, "median_cpu_seconds": (statistics.median(times[0]), statistics.median(times[1]))}
    last = decisions[-1]
    shared.update(p_value=last.p_value, ratio=last.ratio, stages=[d.to_evidence() for d in decisions])
    if last.decision == "label":
        return _verdict(aspect, a, b, last.faster, last.ratio, per_side, shared, last.p_value)
    reason = last.reason
    if last.decision == "continue":  # the store holds fewer stages than these thresholds ask for
        shared["unmeasured_stages"] = config.ab_max_stages - len(decisions)
        reason = "not_significant" if last.p_value >= last.level else "ratio_below_threshold"
    return _verdict(aspect, a, b, None, last.ratio, per_side, shared, last.p_value, reason)


# ---------------------------------------------------------------- memory

def memory_rule(a: Side, b: Side, baseline_bytes: int, config: LabelConfig) -> Optional[Verdict]:
    """`baseline_bytes`: the median peak memory of a minimal program in this language."""
    if not (a.passes and b.passes) or not (a.measurement.peak_memory_bytes and b.measurement.peak_memory_bytes):
        return None
    aspect = "Memory_Efficiency"
    floor = int(config.memory_floor_mb * 1024 * 1024)
    peaks = (int(statistics.median(a.measurement.peak_memory_bytes)),
             int(statistics.median(b.measurement.peak_memory_bytes)))
    above = (max(peaks[0] - baseline_bytes, floor), max(peaks[1] - baseline_bytes, floor))
    ratio = max(above) / min(above)
    per_side = {"peak_memory_bytes": (list(a.measurement.peak_memory_bytes), list(b.measurement.peak_memory_bytes)),
                "median_peak_bytes": peaks, "above_baseline_bytes": (peaks[0] - baseline_bytes, peaks[1] - baseline_bytes)}
    shared = {"rule": "peak_ratio_above_baseline", "baseline_bytes": baseline_bytes, "floor_bytes": floor,
              "ratio": ratio, "min_ratio": config.memory_ratio}
    if ratio < config.memory_ratio:
        return _verdict(aspect, a, b, None, ratio, per_side, shared, reason="ratio_below_threshold")
    winner = "a" if above[0] < above[1] else "b"
    return _verdict(aspect, a, b, winner, ratio, per_side, shared)


# ---------------------------------------------------------------- security

def serious_rule_counts(report: StaticReport, min_severity: str) -> collections.Counter:
    """rule id -> how many findings of at least `min_severity` the report has."""
    return serious_counts(report.findings, min_severity)


def serious_counts(findings: Iterable[Finding], min_severity: str) -> collections.Counter:
    floor = SEVERITY_RANK[min_severity.upper()]
    return collections.Counter(f.rule_id for f in findings if SEVERITY_RANK.get(f.severity.upper(), 0) >= floor)


def _finding_dicts(findings: Iterable[Finding], rule_ids: Iterable[str]) -> list[dict]:
    wanted = set(rule_ids)
    return [f.to_dict() for f in findings if f.rule_id in wanted]


def commit_evidence(a: Side, b: Side, aspect: str) -> Optional[dict]:
    """When a and b are the old and new version of a mined commit whose message names
    `aspect` (metadata 'criteria', comma-separated), which side is the new one and the commit."""
    if {a.candidate.origin, b.candidate.origin} != COMMIT_ORIGINS:
        return None
    new = a if a.candidate.origin == "commit_new" else b
    metadata = new.candidate.metadata
    if aspect not in metadata.get("criteria", "").split(","):
        return None
    commit = {key: metadata[key] for key in ("repo", "sha", "path", "criteria") if key in metadata}
    commit["message"] = metadata.get("message", "")[:500]
    return {"new": "a" if new is a else "b", "commit": commit}


def _with_commit(verdict: Verdict, commit: Optional[dict]) -> Verdict:
    if commit is None:
        return verdict
    record = {**commit["commit"], "agrees": verdict.winner == commit["new"]}
    return dataclasses.replace(verdict, evidence={**verdict.evidence, "commit": record})


def security_rule(a: Side, b: Side, config: LabelConfig) -> Optional[Verdict]:
    if a.security is None or b.security is None or a.security.errors or b.security.errors:
        return None  # a failed scan is not a clean bill of health
    if a.has_tests and not (a.passes and b.passes):
        return None
    # semgrep and the analyzers with a clean report on both sides, one finding per tool-crossing (CWE, line)
    usable, not_heard = heard(a.analyzers, b.analyzers)
    findings = [merged_findings((side.security, *side.analyzers), [PRIMARY, *usable]) for side in (a, b)]
    serious = [serious_counts(found, config.security_min_severity) for found in findings]
    extra_a, extra_b = serious[0] - serious[1], serious[1] - serious[0]
    if bool(extra_a) == bool(extra_b):
        return None  # same weaknesses, or each has some the other lacks
    winner = "b" if extra_a else "a"
    extra = extra_a or extra_b
    per_side = {"findings": (_finding_dicts(findings[0], serious[0]), _finding_dicts(findings[1], serious[1]))}
    shared = {"rule": "findings_only_in_rejected", "min_severity": config.security_min_severity.upper(),
              "extra_findings": dict(sorted(extra.items()))}
    if a.analyzers or b.analyzers:
        shared["analyzers"] = [PRIMARY, *usable]
        if not_heard:
            shared["not_heard"] = not_heard
    # one weakness flagged by two rules (same CWE, same line) counts once in the margin
    lost = findings[0] if winner == "b" else findings[1]
    weaknesses = {(f.cwe, f.line) for f in lost if f.rule_id in extra}
    margin = float(min(sum(extra.values()), len(weaknesses)))
    verdict = _verdict("Security_Hardness", a, b, winner, margin, per_side, shared)
    return _with_commit(verdict, commit_evidence(a, b, "Security_Hardness"))


# ---------------------------------------------------------------- readability

def readability_rule(a: Side, b: Side, config: LabelConfig) -> Optional[Verdict]:
    if a.readability is None or b.readability is None or a.readability.errors or b.readability.errors:
        return None  # unparsable code has no trustworthy score
    scores = (a.readability.readability_score, b.readability.readability_score)
    if None in scores or abs(scores[0] - scores[1]) < config.readability_threshold:
        return None
    commit = commit_evidence(a, b, "Readability_Maintainability")
    if a.has_tests:
        if not (a.passes and b.passes):
            return None
        basis = "both_pass_tests"
    elif commit is not None:
        basis = "refactoring_commit"
    else:
        return None
    winner = "a" if scores[0] > scores[1] else "b"
    names = sorted(set(a.readability.metrics) & set(b.readability.metrics))
    per_side = {"readability_score": scores,
                "metrics": (dict(sorted(a.readability.metrics.items())), dict(sorted(b.readability.metrics.items())))}
    chosen, rejected = (a, b) if winner == "a" else (b, a)
    shared = {"rule": "readability_score_difference", "basis": basis, "threshold": config.readability_threshold,
              "metric_deltas": {n: chosen.readability.metrics[n] - rejected.readability.metrics[n] for n in names}}
    verdict = _verdict("Readability_Maintainability", a, b, winner, abs(scores[0] - scores[1]), per_side, shared)
    return _with_commit(verdict, commit)

