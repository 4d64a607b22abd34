"""The five labelling rules: for two candidates of one task, which is preferred, by how much
(the margin) and on what evidence; when the evidence is not strong enough a rule records
a tie instead of guessing.

- Functional_Correctness: one passes every test in every repetition, the other
  fails a test or does not compile. Sandbox errors and timeouts the machine
  caused (the program did not use its CPU budget) are never failures; a side
  that passed some repetitions and then failed is flaky: a tie, not a label.
- Runtime_Efficiency: both pass; interleaved A/B rounds (A, A's start-up stub, B,
  B's stub) in up to ab_max_stages stages of ab_repetitions rounds, decided by
  the sequential test of `transforms.sequential_ab` on each side's marginal CPU
  time (its run's minus its stub's: the tests' work, not process start-up; a
  label only when the Mann-Whitney U test on all rounds so far gives p below
  alpha / ab_max_stages and the Hodges-Lehmann ratio is at least runtime_ratio;
  both under runtime_floor_ms: a 'below_resolution' tie; bench/RESULTS.md).
- Memory_Efficiency: both pass; ratio of median peak memory above each side's
  start-up stub's (transforms/startup_stub.py: the runtime and imports without
  the candidate's code) >= r (tiny footprints are floored, so noise around the
  stub's never makes a label).
- Security_Hardness: one has findings of at least the minimum severity that the
  other lacks (and not the other way round: each lacking one the other has is a
  'conflicting_findings' tie); both pass the tests where tests exist. A mined
  security-fix commit is recorded as supporting evidence.
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
from transforms.security_merge import PRIMARY, heard, heard_findings, merged_findings
from transforms.sequential_ab import ABStage, decide_stages, marginal_times, raw_marginals, unusable_stages

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


def flaky(measurement: Measurement, cpu_limit: float, config: LabelConfig) -> bool:
    """The program's own failure after more than one run: the sandbox stops repeating at the first
    failure, so the runs before it passed and the repetitions disagree (Go map order, hash order, ...)."""
    return outcome(measurement, cpu_limit, config) is False and len(measurement.wall_seconds) > 1


def correctness_rule(a: Side, b: Side, cpu_limit: float, config: LabelConfig) -> Optional[Verdict]:
    """`cpu_limit`: the CPU seconds per run the measurements were made under (--cpu_limit).
    Status 'ok' is every repetition passing; a flaky side (neither passes nor fails) makes the pair
    a 'flaky' tie, whatever the other side did (a flaky reference against its failing mutants)."""
    if not (a.has_tests and b.has_tests):
        return None
    outcomes = (outcome(a.measurement, cpu_limit, config), outcome(b.measurement, cpu_limit, config))
    flakes = (flaky(a.measurement, cpu_limit, config), flaky(b.measurement, cpu_limit, config))
    if None in outcomes or (outcomes[0] == outcomes[1] and not any(flakes)):
        return None
    per_side = {"status": (a.measurement.status, b.measurement.status),
                "runs": (len(a.measurement.wall_seconds), len(b.measurement.wall_seconds)),
                "exit_code": (a.measurement.exit_code, b.measurement.exit_code),
                "stderr_tail": (a.measurement.stderr_tail[-500:], b.measurement.stderr_tail[-500:])}
    shared = {"rule": "passes_vs_fails"}
    if any(flakes):
        per_side["flaky"] = flakes
        return _verdict("Functional_Correctness", a, b, None, 1.0, per_side, shared, reason="flaky")
    return _verdict("Functional_Correctness", a, b, "a" if outcomes[0] else "b", 1.0, per_side, shared)


# ---------------------------------------------------------------- runtime

def perf_problem(a: Side, runs: tuple[Measurement, Measurement]) -> str:
    """Why the two sides' runs on their task's perf cases (tests.perf) cannot be compared, or '':
    one failed or timed out ('perf_case_failed'), or the perf code printed different output
    ('perf_output_differs')."""
    if any(m.status != "ok" for m in runs):
        return "perf_case_failed"
    if a.candidate.tests.perf.code.strip() and runs[0].stdout_tail.rstrip() != runs[1].stdout_tail.rstrip():
        return "perf_output_differs"
    return ""


def _perf_reason(a: Side, unusable: str, stages: Sequence[ABStage]) -> str:
    """The A/B stages' tie reason, perf problems named as such when the task has perf cases."""
    if a.candidate.tests.perf.is_empty or unusable not in ("", "ab_run_failed"):
        return unusable
    return perf_problem(a, (stages[-1].a, stages[-1].b)) or unusable


def runtime_rule(a: Side, b: Side, stages: Sequence[ABStage], config: LabelConfig) -> Optional[Verdict]:
    """`stages`: the interleaved A/B measurements of a, b and their start-up stubs, one ABStage per
    stage, at least one, as many as `more_stages_needed` asked for. Fewer (a regenerate with thresholds
    that want more stages than the build measured) end in a tie on the stages there are, saying so.
    The evidence keeps the raw process figures of both programs and both stubs."""
    if not (a.passes and b.passes):
        return None
    aspect = "Runtime_Efficiency"
    shared: dict[str, Any] = {"rule": "staged_mann_whitney_u_and_hodges_lehmann_ratio",
                              "measure": "cpu_over_startup_stub", "alpha": config.alpha,
                              "stage_alpha": config.alpha / config.ab_max_stages, "min_ratio": config.runtime_ratio,
                              "continue_ratio": config.ab_continue_ratio, "max_stages": config.ab_max_stages,
                              "floor_seconds": config.runtime_floor_ms / 1000.0}
    unusable = _perf_reason(a, unusable_stages(stages, config), stages)
    decisions = [] if unusable else decide_stages(marginal_times(stages, config), config)
    used = stages[: len(decisions)] if decisions else stages
    marginal = raw_marginals(used)
    per_side = {"cpu_seconds": ([t for s in used for t in s.a.cpu_seconds], [t for s in used for t in s.b.cpu_seconds]),
                "stub_cpu_seconds": ([t for s in used for t in s.a_stub.cpu_seconds],
                                     [t for s in used for t in s.b_stub.cpu_seconds]),
                "marginal_cpu_seconds": marginal,
                "median_marginal_cpu_seconds": tuple(statistics.median(m) if m else None for m in marginal)}
    if unusable:
        last = used[-1]
        per_side["ab_status"] = ([last.a.status, last.a_stub.status], [last.b.status, last.b_stub.status])
        per_side["stderr_tail"] = (last.a.stderr_tail[-500:], last.b.stderr_tail[-500:])
        if unusable == "perf_output_differs":
            per_side["stdout_tail"] = (last.a.stdout_tail[-500:], last.b.stdout_tail[-500:])
        return _verdict(aspect, a, b, None, 1.0, per_side, shared, reason=unusable)
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

def memory_rule(a: Side, b: Side, stub_bytes: tuple[int, int], config: LabelConfig,
                perf: Optional[tuple[Measurement, Measurement]] = None) -> Optional[Verdict]:
    """`stub_bytes`: the median peak memory of each side's start-up stub (the runtime and its imports);
    `perf`: each side's runs on its task's perf cases, whose peaks then replace the tests' runs'."""
    if not (a.passes and b.passes):
        return None
    aspect = "Memory_Efficiency"
    runs = perf or (a.measurement, b.measurement)
    if perf is not None and (problem := perf_problem(a, perf)):
        per_side = {"perf_status": (perf[0].status, perf[1].status),
                    "stderr_tail": (perf[0].stderr_tail[-500:], perf[1].stderr_tail[-500:]),
                    "stdout_tail": (perf[0].stdout_tail[-500:], perf[1].stdout_tail[-500:])}
        return _verdict(aspect, a, b, None, 1.0, per_side, {"rule": "peak_ratio_above_startup_stub"}, reason=problem)
    if not (runs[0].peak_memory_bytes and runs[1].peak_memory_bytes):
        return None
    floor = int(config.memory_floor_mb * 1024 * 1024)
    peaks = (int(statistics.median(runs[0].peak_memory_bytes)), int(statistics.median(runs[1].peak_memory_bytes)))
    marginal = (peaks[0] - stub_bytes[0], peaks[1] - stub_bytes[1])
    above = (max(marginal[0], floor), max(marginal[1], floor))
    ratio = max(above) / min(above)
    per_side = {"peak_memory_bytes": (list(runs[0].peak_memory_bytes), list(runs[1].peak_memory_bytes)),
                "median_peak_bytes": peaks, "stub_peak_bytes": stub_bytes, "above_stub_bytes": marginal}
    shared = {"rule": "peak_ratio_above_startup_stub", "cases": "perf" if perf else "tests", "floor_bytes": floor,
              "ratio": ratio, "min_ratio": config.memory_ratio}
    if ratio < config.memory_ratio:
        return _verdict(aspect, a, b, None, ratio, per_side, shared, reason="ratio_below_threshold")
    winner = "a" if above[0] < above[1] else "b"
    return _verdict(aspect, a, b, winner, ratio, per_side, shared)


# ---------------------------------------------------------------- security

def serious_counts(findings: Iterable[Finding], min_severity: str) -> collections.Counter:
    """rule id -> how many of `findings` are of at least `min_severity`."""
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
    # semgrep and the analyzers with a clean report on both sides; each tool's own findings decide (one
    # flagging both sides alike cancels out), the merged ones (one per tool-crossing CWE and line) are shown
    usable, not_heard = heard(a.analyzers, b.analyzers)
    tools, floor = [PRIMARY, *usable], config.security_min_severity
    reports = [(side.security, *side.analyzers) for side in (a, b)]
    own = [heard_findings(side, tools) for side in reports]
    serious = [serious_counts(found, floor) for found in own]
    extra_a, extra_b = serious[0] - serious[1], serious[1] - serious[0]
    if not (extra_a or extra_b):
        return None  # the same weaknesses on both sides
    merged = [merged_findings(side, tools) for side in reports]
    per_side = {"findings": tuple(_finding_dicts(found, serious_counts(found, floor)) for found in merged)}
    shared: dict[str, Any] = {"rule": "findings_only_in_rejected", "min_severity": config.security_min_severity.upper()}
    if a.analyzers or b.analyzers:
        shared["analyzers"] = [PRIMARY, *usable]
        if not_heard:
            shared["not_heard"] = not_heard
    if extra_a and extra_b:  # each side has a weakness the other lacks: neither is the safer program
        shared["extra_findings"] = {"a": dict(sorted(extra_a.items())), "b": dict(sorted(extra_b.items()))}
        return _verdict("Security_Hardness", a, b, None, 0.0, per_side, shared, reason="conflicting_findings")
    winner = "b" if extra_a else "a"
    extra = extra_a or extra_b
    shared["extra_findings"] = dict(sorted(extra.items()))
    # one weakness flagged by two rules (same CWE, same line) counts once in the margin
    lost = own[0] if winner == "b" else own[1]
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

