"""Edge cases of each labelling rule, on constructed measurements and reports."""
from __future__ import annotations

import dataclasses
import json
import pathlib
import statistics
import subprocess
import sys

import pytest

from schemas.records import Candidate, Finding, Measurement, StaticReport, TestSpec
from transforms.label_config import LabelConfig, LabelConfigError
from transforms.label_rules import (
    Side, correctness_rule, memory_rule, outcome, readability_rule, runtime_rule, security_rule,
)
from transforms.pair_selection import (
    build_sides, distinct_sides, runtime_proposals, select_pairs, static_verdicts, to_pair,
)
from transforms.sequential_ab import (
    ABStage, decide_stages, hodges_lehmann_ratio, min_u_p_value, more_stages_needed, u_test_p_value,
)
from transforms.normalize import normalize_code

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

CONFIG = LabelConfig()
CPU_LIMIT = 10.0  # --cpu_limit's default
TESTS = TestSpec(code="assert add(1, 2) == 3")
MB = 1024 * 1024


def candidate(code: str, tests: TestSpec = TESTS, origin: str = "submission", **metadata: str) -> Candidate:
    return Candidate(candidate_id=Candidate.make_id("t1", "Python", code), task_id="t1", language="Python",
                     prompt="Add two numbers.", code=code, origin=origin, tests=tests, metadata=metadata)


def measured(c: Candidate, status: str = "ok", cpu=(0.1,) * 5, peak=(10 * MB,) * 5) -> Measurement:
    if status != "ok":  # the sandbox stops repeating at the first failure
        cpu, peak = cpu[:1], peak[:1]
    return Measurement(candidate_id=c.candidate_id, task_id=c.task_id, language=c.language, status=status,
                       backend="process", cpu_seconds=list(cpu), wall_seconds=list(cpu),
                       peak_memory_bytes=list(peak), exit_code=0 if status == "ok" else 1)


def side(code: str, status: str = "ok", tests: TestSpec = TESTS, **kw) -> Side:
    c = candidate(code, tests)
    return Side(c, measured(c, status, **kw) if not tests.is_empty else None)


A_CODE = "def add(a, b):\n    return a + b\n"
B_CODE = "def add(a, b):\n    return sum([a, b])\n"


# ------------------------------------------------------------ correctness

@pytest.mark.parametrize("status", ["test_failure", "compile_error", "runtime_error", "memory_limit"])
def test_correctness_prefers_the_passing_side(status):
    a, b = side(A_CODE), side(B_CODE, status)
    verdict = correctness_rule(b, a, CPU_LIMIT, CONFIG)
    assert verdict.winner == "b" and verdict.chosen is a and verdict.rejected is b
    assert verdict.margin == 1.0
    assert verdict.evidence["status"] == {"chosen": "ok", "rejected": status}


def test_correctness_never_counts_sandbox_errors_or_missing_measurements():
    assert correctness_rule(side(A_CODE), side(B_CODE, "sandbox_error"), CPU_LIMIT, CONFIG) is None
    assert correctness_rule(side(A_CODE), Side(candidate(B_CODE)), CPU_LIMIT, CONFIG) is None


def test_correctness_timeout_is_a_failure_only_when_the_program_used_its_cpu():
    busy = side(B_CODE, "timeout", cpu=(9.5,))
    idle = side(B_CODE, "timeout", cpu=(0.2,))
    unmeasured = side(B_CODE, "timeout", cpu=())
    assert outcome(busy.measurement, CPU_LIMIT, CONFIG) is False
    assert outcome(idle.measurement, CPU_LIMIT, CONFIG) is None
    assert outcome(unmeasured.measurement, CPU_LIMIT, CONFIG) is None
    assert correctness_rule(side(A_CODE), busy, CPU_LIMIT, CONFIG).winner == "a"
    assert correctness_rule(side(A_CODE), idle, CPU_LIMIT, CONFIG) is None
    # the threshold follows the configured CPU limit
    assert outcome(idle.measurement, 0.2, CONFIG) is False


def test_correctness_needs_one_pass_and_one_fail_and_tests():
    assert correctness_rule(side(A_CODE), side(B_CODE), CPU_LIMIT, CONFIG) is None
    assert correctness_rule(side(A_CODE, "test_failure"), side(B_CODE, "compile_error"), CPU_LIMIT, CONFIG) is None
    empty = TestSpec()
    assert correctness_rule(side(A_CODE, tests=empty), side(B_CODE, tests=empty), CPU_LIMIT, CONFIG) is None


# ------------------------------------------------------------ runtime

def ab(a: Side, b: Side, *stages, status=("ok", "ok"), stubs=None, stub_status=("ok", "ok")):
    """One ABStage per stage from (times_a, times_b) pairs; `status` and `stub_status` for the last stage.
    `stubs`: (a's stub times, b's stub times) of every stage (default: zero, so marginals are the times)."""
    def stub(s: Side, times, state):
        return measured(s.candidate, state, cpu=times)
    out = []
    for i, (times_a, times_b) in enumerate(stages):
        last = i == len(stages) - 1
        stub_a, stub_b = stubs or ([0.0] * len(times_a), [0.0] * len(times_b))
        out.append(ABStage(measured(a.candidate, status[0] if last else "ok", cpu=times_a),
                           measured(b.candidate, status[1] if last else "ok", cpu=times_b),
                           stub(a, stub_a, stub_status[0] if last else "ok"),
                           stub(b, stub_b, stub_status[1] if last else "ok")))
    return tuple(out)


# no two runs alike (the U test takes its exact distribution then, as on real CPU times), median 0.1
FAST = [0.1002, 0.1021, 0.0980, 0.1012, 0.0991, 0.0998, 0.1030, 0.0970, 0.1007, 0.0985]
SLOW = [t * 1.3 for t in FAST]


def scaled(times, factor):
    return [t * factor for t in times]


def test_hodges_lehmann_ratio_on_hand_computed_examples():
    # pairwise ratios 2/1 2/2 2/3 3/1 3/2 3/3 6/1 6/2 6/3 = 2, 1, .67, 3, 1.5, 1, 6, 3, 2: median 2
    assert hodges_lehmann_ratio([2, 3, 6], [1, 2, 3]) == pytest.approx(2.0, rel=1e-12)
    assert hodges_lehmann_ratio([1, 2, 3], [2, 3, 6]) == pytest.approx(0.5, rel=1e-12)
    # four ratios .25, .5, 1, 2: an even count takes the geometric mean of the middle two
    assert hodges_lehmann_ratio([1, 2], [1, 4]) == pytest.approx(0.5 ** 0.5, rel=1e-12)
    # one outlier run moves it little, where a ratio of medians of two runs would jump
    assert hodges_lehmann_ratio([1.3, 1.3, 1.3, 9.0], [1.0, 1.0, 1.0, 1.0]) == pytest.approx(1.3, rel=1e-12)


def test_min_u_p_value_is_complete_separation():
    assert min_u_p_value(5) == pytest.approx(2 / 252)  # 2 of the C(10, 5) orderings
    assert min_u_p_value(6) == pytest.approx(2 / 924)
    for runs in range(1, 16):  # the U test's own p-value when the two sides do not overlap
        assert min_u_p_value(runs) == pytest.approx(u_test_p_value(range(runs), range(runs, 2 * runs)), rel=1e-9)
    # exact beyond 8 runs a side too (the normal approximation says 1.8e-4): one stage of the default 10
    # rounds can reach the default level, 0.001 / 6
    assert min_u_p_value(10) == pytest.approx(2 / 184756) and min_u_p_value(10) < 0.001 / 6


def test_u_test_falls_back_to_the_normal_approximation_when_runs_tie():
    """Marginals floored at the same value tie; the exact distribution assumes they do not."""
    tied = [0.005] * 4 + [0.006 + i / 1000 for i in range(6)]
    assert u_test_p_value(tied, [0.02 + i / 1000 for i in range(10)]) == pytest.approx(1.7265e-4, rel=1e-3)  # tie-corrected
    assert u_test_p_value(tied[4:] + [0.0051, 0.0052, 0.0053, 0.0054], [0.02 + i / 1000 for i in range(10)]) \
        == pytest.approx(2 / 184756)


def test_stages_stop_early_on_a_clear_tie():
    same = (FAST, list(reversed(FAST)))
    decisions = decide_stages([same, same, same], CONFIG)
    assert [(d.stage, d.runs, d.decision, d.reason) for d in decisions] == [(1, 10, "tie", "clear_tie")]
    assert decisions[0].ratio == pytest.approx(1.0) and decisions[0].p_value > 0.5


def test_stages_continue_on_a_borderline_ratio_and_tie_after_the_last():
    borderline = (scaled(FAST, 1.15), FAST)  # significant, but 1.15 < runtime_ratio 1.2 and >= continue 1.1
    decisions = decide_stages([borderline] * 6, CONFIG)
    assert [d.decision for d in decisions] == ["continue"] * 5 + ["tie"]
    assert decisions[-1].reason == "ratio_below_threshold" and [d.runs for d in decisions] == [10, 20, 30, 40, 50, 60]
    assert all(d.p_value < CONFIG.alpha / 6 and d.ratio == pytest.approx(1.15) for d in decisions)
    # given fewer stages than it wants, the last decision says so
    assert [d.decision for d in decide_stages([borderline], CONFIG)] == ["continue"]
    # the same runs label at a lower threshold
    assert decide_stages([borderline], LabelConfig(runtime_ratio=1.14))[0].decision == "label"


def test_stages_test_at_a_bonferroni_level():
    slower = [(SLOW[:5], FAST[:5]), (SLOW[5:], FAST[5:])]
    # 5 runs per side, no overlap: p = 2/252 = 0.0079, under alpha 0.01 but not under 0.01 / 3
    one_look = decide_stages(slower, LabelConfig(alpha=0.01, ab_repetitions=5, ab_max_stages=1))
    assert [(d.decision, d.faster, d.level) for d in one_look] == [("label", "b", 0.01)]
    three_looks = decide_stages(slower, LabelConfig(alpha=0.01, ab_repetitions=5, ab_max_stages=3))
    assert [(d.decision, d.runs) for d in three_looks] == [("continue", 5), ("label", 10)]
    assert three_looks[0].p_value == pytest.approx(2 / 252) and three_looks[0].level == pytest.approx(0.01 / 3)
    assert three_looks[1].ratio == pytest.approx(1.3) and three_looks[1].faster == "b"


def test_runtime_labels_a_significant_large_difference():
    a, b = side(A_CODE), side(B_CODE)
    verdict = runtime_rule(a, b, ab(a, b, (SLOW, FAST)), CONFIG)
    assert verdict.winner == "b"
    assert verdict.margin == pytest.approx(1.3)
    assert verdict.p_value < 0.001
    assert verdict.evidence["cpu_seconds"] == {"chosen": FAST, "rejected": SLOW}
    assert verdict.evidence["median_marginal_cpu_seconds"]["chosen"] == pytest.approx(0.1)
    assert verdict.evidence["stage_alpha"] == pytest.approx(0.001 / 6)
    assert [(s["stage"], s["runs"], s["decision"]) for s in verdict.evidence["stages"]] == [(1, 10, "label")]


def test_runtime_evidence_holds_every_stage_and_ignores_stages_after_the_decision():
    a, b = side(A_CODE), side(B_CODE)
    stages = ab(a, b, (scaled(FAST, 1.15), FAST), (scaled(FAST, 1.45), FAST), (SLOW, FAST))
    verdict = runtime_rule(a, b, stages, CONFIG)
    assert verdict.winner == "b"
    assert [(s["stage"], s["runs"], s["decision"]) for s in verdict.evidence["stages"]] == [
        (1, 10, "continue"), (2, 20, "label")]
    assert len(verdict.evidence["cpu_seconds"]["rejected"]) == 20
    assert verdict.margin == verdict.evidence["stages"][-1]["ratio"] == verdict.evidence["ratio"]


def test_runtime_significant_but_small_ratio_is_a_tie():
    a, b = side(A_CODE), side(B_CODE)
    small = (scaled(FAST, 1.105), FAST)
    verdict = runtime_rule(a, b, ab(a, b, *[small] * 6), CONFIG)
    assert verdict.winner is None and verdict.reason == "ratio_below_threshold"
    assert verdict.p_value < CONFIG.alpha / 6 and len(verdict.evidence["stages"]) == 6
    # the measuring loops stop on this alone: after ab_max_stages nothing more is wanted
    assert more_stages_needed(ab(a, b, *[small] * 5), CONFIG)
    assert not more_stages_needed(ab(a, b, *[small] * 6), CONFIG)
    assert verdict.evidence["cpu_seconds"]["a"][0] == pytest.approx(1.105 * FAST[0])


def test_runtime_large_ratio_without_significance_is_a_tie():
    a, b = side(A_CODE), side(B_CODE)
    # the ratio is 1.25, but the samples overlap heavily (one stage is all there is)
    times_a = [0.10, 0.30, 0.15, 0.31, 0.16]
    times_b = [0.08, 0.25, 0.12, 0.24, 0.13]
    verdict = runtime_rule(a, b, ab(a, b, (times_a, times_b)), LabelConfig(alpha=0.01, ab_repetitions=5, ab_max_stages=1))
    assert verdict.winner is None and verdict.reason == "not_significant"
    assert verdict.margin == pytest.approx(1.25) and verdict.p_value == pytest.approx(0.4206, abs=1e-4)


def test_runtime_with_fewer_stored_stages_than_wanted_is_a_tie_saying_so():
    a, b = side(A_CODE), side(B_CODE)
    verdict = runtime_rule(a, b, ab(a, b, (scaled(FAST, 1.15), FAST)), CONFIG)
    assert verdict.winner is None and verdict.reason == "ratio_below_threshold"
    assert verdict.evidence["unmeasured_stages"] == 5
    assert more_stages_needed(ab(a, b, (scaled(FAST, 1.15), FAST)), CONFIG)
    assert not more_stages_needed(ab(a, b, (SLOW, FAST)), CONFIG)


def test_runtime_failed_ab_runs_are_ties_and_failing_sides_are_skipped():
    a, b = side(A_CODE), side(B_CODE)
    failed = ab(a, b, (scaled(FAST, 1.15), FAST), (SLOW, FAST), status=("ok", "sandbox_error"))
    assert runtime_rule(a, b, failed, CONFIG).reason == "ab_run_failed"
    assert not more_stages_needed(failed, CONFIG)
    assert runtime_rule(a, b, ab(a, b, ([0.0] * 5, [0.0] * 5)), CONFIG).reason == "below_timer_resolution"
    failing = side(B_CODE, "test_failure")
    assert runtime_rule(a, failing, ab(a, failing, (SLOW, FAST)), CONFIG) is None


def jitter(base: float, spread: float, n: int = 10, shift: int = 0) -> list[float]:
    """n times around base, deterministic and unordered (a permutation of evenly spaced offsets)."""
    return [base + spread * (((i + shift) * 7) % n - n / 2) / n for i in range(n)]


def test_runtime_compares_the_tests_work_not_the_start_up():
    """a's process starts 9 ms slower (an import) and does the same work: the old rule labelled b,
    the marginal over each side's stub ties; the raw figures stay in the evidence."""
    a, b = side(A_CODE), side(B_CODE)
    work_a, work_b = jitter(0.02, 0.002), jitter(0.02, 0.002, shift=3)
    stub_a, stub_b = jitter(0.020, 0.001, shift=1), jitter(0.011, 0.001, shift=5)
    full_a = [w + s for w, s in zip(work_a, stub_a)]
    full_b = [w + s for w, s in zip(work_b, stub_b)]
    assert decide_stages([(full_a, full_b)], CONFIG)[0].decision == "label"  # the process figures differ
    verdict = runtime_rule(a, b, ab(a, b, (full_a, full_b), stubs=(stub_a, stub_b)), CONFIG)
    assert verdict.winner is None and verdict.reason == "clear_tie"
    assert verdict.evidence["cpu_seconds"] == {"a": full_a, "b": full_b}
    assert verdict.evidence["stub_cpu_seconds"] == {"a": stub_a, "b": stub_b}
    assert verdict.evidence["marginal_cpu_seconds"]["a"] == pytest.approx(work_a)
    assert verdict.evidence["measure"] == "cpu_over_startup_stub"


def test_runtime_finds_a_1_3x_difference_in_work_under_a_10x_start_up():
    a, b = side(A_CODE), side(B_CODE)
    stub_a, stub_b = jitter(1.0, 0.004, shift=2), jitter(1.0, 0.004, shift=4)
    full_a = [s + w for s, w in zip(stub_a, SLOW)]
    full_b = [s + w for s, w in zip(stub_b, FAST)]
    assert decide_stages([(full_a, full_b)], CONFIG)[0].decision == "tie"  # 1.1 / 1.13 of the process: lost
    verdict = runtime_rule(a, b, ab(a, b, (full_a, full_b), stubs=(stub_a, stub_b)), CONFIG)
    assert verdict.winner == "b" and verdict.margin == pytest.approx(1.3, rel=0.02)


def test_runtime_a_stub_shared_by_both_sides_is_taken_off_as_the_median_of_its_runs():
    """Same imports on both sides: one stub program; its noise (here 40 ms, more than the 7.5 ms
    difference in work) does not enter the marginals, which are each run's time minus the stub's median."""
    a, b = side(A_CODE), side(B_CODE)
    stub_a, stub_b = jitter(0.25, 0.04, shift=2), jitter(0.25, 0.04, shift=5)
    full_a, full_b = [0.25 + t for t in jitter(0.0325, 0.002, shift=1)], [0.25 + t for t in jitter(0.025, 0.002)]
    shared = tuple(s._replace(a_stub=s.a_stub.replace(candidate_id="stub"), b_stub=s.b_stub.replace(candidate_id="stub"))
                   for s in ab(a, b, (full_a, full_b), stubs=(stub_a, stub_b)))
    verdict = runtime_rule(a, b, shared, CONFIG)
    assert verdict.winner == "b" and verdict.margin == pytest.approx(1.3, rel=0.02)
    stub = statistics.median(stub_a + stub_b)
    assert verdict.evidence["marginal_cpu_seconds"]["rejected"] == pytest.approx([t - stub for t in full_a])
    # subtracted round by round, the stubs' noise swamps the difference
    assert runtime_rule(a, b, ab(a, b, (full_a, full_b), stubs=(stub_a, stub_b)), CONFIG).winner is None


def test_runtime_work_below_the_floor_is_a_below_resolution_tie():
    a, b = side(A_CODE), side(B_CODE)
    stub = jitter(0.03, 0.001)
    tiny_a = [s + w for s, w in zip(stub, jitter(0.001, 0.0005))]
    tiny_b = [s + w for s, w in zip(stub, jitter(0.004, 0.0005, shift=1))]  # 4x more work, both under 5 ms
    verdict = runtime_rule(a, b, ab(a, b, (tiny_a, tiny_b), stubs=(stub, stub)), CONFIG)
    assert verdict.winner is None and verdict.reason == "below_resolution"
    assert not more_stages_needed(ab(a, b, (tiny_a, tiny_b), stubs=(stub, stub)), CONFIG)
    # one side above the floor: the other counts as the floor, and the difference is resolved
    big_b = [s + w for s, w in zip(stub, jitter(0.05, 0.002, shift=1))]
    verdict = runtime_rule(a, b, ab(a, b, (tiny_a, big_b), stubs=(stub, stub)), CONFIG)
    assert verdict.winner == "a" and verdict.margin == pytest.approx(0.05 / 0.005, rel=0.05)
    assert verdict.evidence["floor_seconds"] == 0.005


def test_runtime_a_failed_start_up_stub_is_a_tie():
    a, b = side(A_CODE), side(B_CODE)
    stages = ab(a, b, (SLOW, FAST), stub_status=("ok", "compile_error"))
    verdict = runtime_rule(a, b, stages, CONFIG)
    assert verdict.winner is None and verdict.reason == "startup_stub_failed"
    assert verdict.evidence["ab_status"] == {"a": ["ok", "ok"], "b": ["ok", "compile_error"]}
    assert not more_stages_needed(stages, CONFIG)


def test_runtime_proposals_rank_by_single_run_ratio_and_cap():
    sides = [side(f"def add(a, b):\n    return a + b + {i} - {i}\n", cpu=(0.1 * (i + 1),) * 5) for i in range(4)]
    sides.append(side("def add(a, b):\n    return b + a\n", "test_failure"))
    proposals = runtime_proposals(sorted(sides, key=lambda s: s.candidate.candidate_id), CONFIG)
    assert len(proposals) == CONFIG.ab_pairs_per_task
    ratios = [max(p[0].measurement.cpu_seconds[0], p[1].measurement.cpu_seconds[0])
              / min(p[0].measurement.cpu_seconds[0], p[1].measurement.cpu_seconds[0]) for p in proposals]
    assert ratios == pytest.approx([4.0, 3.0, 2.0])
    assert len(runtime_proposals(sides, LabelConfig(ab_pairs_per_task=10))) == 6  # 4 passing: all 6 pairs
    assert runtime_proposals(sides, LabelConfig(aspects=("Memory_Efficiency",))) == []


# ------------------------------------------------------------ memory

def test_memory_ratio_is_taken_above_the_baseline():
    base = 30 * MB
    lean, fat = side(A_CODE, peak=(40 * MB,) * 5), side(B_CODE, peak=(43 * MB,) * 5)
    # raw ratio 43/40 = 1.075, above baseline 13/10 = 1.3
    verdict = memory_rule(fat, lean, (base, base), CONFIG)
    assert verdict.winner == "b"
    assert verdict.margin == pytest.approx(1.3)
    assert verdict.evidence["above_stub_bytes"] == {"chosen": 10 * MB, "rejected": 13 * MB}
    assert verdict.evidence["stub_peak_bytes"] == {"chosen": base, "rejected": base}
    assert memory_rule(fat, lean, (0, 0), CONFIG).winner is None


def test_memory_an_imports_footprint_is_the_stubs_not_the_programs():
    """fat imports 8 MB of modules it never uses and holds as much data as lean: a tie (it was a label
    over the language's bare footprint); a program holding its data at import time is not excused."""
    lean, fat = side(A_CODE, peak=(14 * MB,) * 5), side(B_CODE, peak=(22 * MB,) * 5)
    verdict = memory_rule(lean, fat, (10 * MB, 18 * MB), CONFIG)
    assert verdict.winner is None and verdict.margin == pytest.approx(1.0)
    assert memory_rule(lean, fat, (10 * MB, 10 * MB), CONFIG).winner == "a"


def test_memory_noise_near_the_baseline_is_floored():
    base = 30 * MB
    a, b = side(A_CODE, peak=(base + 100_000,) * 5), side(B_CODE, peak=(base + 600_000,) * 5)
    verdict = memory_rule(a, b, (base, base), CONFIG)
    assert verdict.winner is None and verdict.margin == 1.0 and verdict.reason == "ratio_below_threshold"
    assert memory_rule(a, b, (base, base), LabelConfig(memory_floor_mb=0.05)).winner == "a"


def test_memory_uses_the_median_peak_and_needs_both_to_pass():
    a = side(A_CODE, peak=(10 * MB, 10 * MB, 80 * MB, 10 * MB, 10 * MB))
    b = side(B_CODE, peak=(12 * MB,) * 5)
    assert memory_rule(a, b, (0, 0), CONFIG).margin == pytest.approx(1.2)
    assert memory_rule(a, side(B_CODE, "test_failure", peak=(50 * MB,)), (0, 0), CONFIG) is None


# ------------------------------------------------------------ security

def scanned(s: Side, *findings: tuple[str, str], errors=()) -> Side:
    report = StaticReport(candidate_id=s.candidate.candidate_id, task_id="t1", language="Python", analyzer="semgrep",
                          findings=[Finding(rule_id=r, cwe="CWE-78", severity=sev, line=3) for r, sev in findings],
                          errors=list(errors))
    return Side(s.candidate, s.measurement, security=report)


def test_security_prefers_the_side_without_the_extra_serious_finding():
    a = scanned(side(A_CODE), ("shell-true", "HIGH"), ("eval", "MEDIUM"))
    b = scanned(side(B_CODE), ("eval", "MEDIUM"), ("debug-print", "LOW"))
    verdict = security_rule(a, b, CONFIG)
    assert verdict.winner == "b" and verdict.margin == 1.0
    assert verdict.evidence["extra_findings"] == {"shell-true": 1}
    assert [f["rule_id"] for f in verdict.evidence["findings"]["rejected"]] == ["shell-true", "eval"]
    assert [f["rule_id"] for f in verdict.evidence["findings"]["chosen"]] == ["eval"]


def test_security_margin_counts_a_weakness_flagged_by_two_rules_once():
    # two SQL rules both flag one spliced query on line 3; a second query on line 5 is one more
    one = scanned(side(A_CODE), ("sql-formatting", "HIGH"), ("sql-value-spliced", "HIGH"))
    two = dataclasses.replace(one, security=dataclasses.replace(one.security, findings=[
        *one.security.findings, Finding(rule_id="sql-formatting", cwe="CWE-78", severity="HIGH", line=5)]))
    clean = scanned(side(B_CODE))
    verdict = security_rule(one, clean, CONFIG)
    assert verdict.winner == "b" and verdict.margin == 1.0
    assert verdict.evidence["extra_findings"] == {"sql-formatting": 1, "sql-value-spliced": 1}
    assert security_rule(two, clean, CONFIG).margin == 2.0


def test_security_ignores_low_findings_failed_scans_and_failing_tests_and_ties_a_conflict():
    low = scanned(side(A_CODE), ("debug-print", "LOW"))
    clean = scanned(side(B_CODE))
    assert security_rule(low, clean, CONFIG) is None
    assert security_rule(low, clean, LabelConfig(security_min_severity="LOW")).winner == "b"
    # semgrep's own severity names map onto the same scale
    assert security_rule(scanned(side(A_CODE), ("x", "WARNING")), clean, CONFIG).winner == "b"
    # each side has a weakness the other lacks: a recorded tie naming both
    crossed = security_rule(scanned(side(A_CODE), ("x", "HIGH"), ("z", "LOW")), scanned(side(B_CODE), ("y", "HIGH")),
                            CONFIG)
    assert (crossed.winner, crossed.reason, crossed.margin) == (None, "conflicting_findings", 0.0)
    assert crossed.evidence["extra_findings"] == {"a": {"x": 1}, "b": {"y": 1}}
    assert crossed.evidence["tie_reason"] == "conflicting_findings"
    assert [[f["rule_id"] for f in crossed.evidence["findings"][s]] for s in "ab"] == [["x"], ["y"]]
    assert security_rule(scanned(side(A_CODE), ("x", "HIGH")), scanned(side(B_CODE), errors=["timeout"]), CONFIG) is None
    assert security_rule(scanned(side(A_CODE), ("x", "HIGH")), scanned(side(B_CODE, "test_failure")), CONFIG) is None


def test_security_without_tests_and_with_commit_evidence():
    empty = TestSpec()
    commit = {"criteria": "Security_Hardness,Readability_Maintainability", "sha": "abc", "message": "fix injection"}
    old = candidate("os.system('ls ' + d)\n", empty, "commit_old", **commit)
    new = candidate("subprocess.run(['ls', d])\n", empty, "commit_new", **commit)
    a, b = scanned(Side(old), ("os-system", "HIGH")), scanned(Side(new))
    verdict = security_rule(a, b, CONFIG)
    assert verdict.winner == "b"
    assert verdict.evidence["commit"] == {"agrees": True, "sha": "abc", "message": "fix injection",
                                          "criteria": "Security_Hardness,Readability_Maintainability"}


# ------------------------------------------------------------ readability

def read(s: Side, score: float, errors=(), **metrics: float) -> Side:
    report = StaticReport(candidate_id=s.candidate.candidate_id, task_id="t1", language="Python",
                          analyzer="tree-sitter", metrics=metrics, readability_score=score, errors=list(errors))
    return Side(s.candidate, s.measurement, readability=report)


def test_readability_needs_the_threshold_and_both_passing():
    a = read(side(A_CODE), 80.0, cyclomatic=2.0, max_depth=1.0)
    b = read(side(B_CODE), 65.0, cyclomatic=5.0, max_depth=3.0)
    verdict = readability_rule(a, b, CONFIG)
    assert verdict.winner == "a" and verdict.margin == 15.0
    assert verdict.evidence["metric_deltas"] == {"cyclomatic": -3.0, "max_depth": -2.0}
    assert verdict.evidence["basis"] == "both_pass_tests"
    assert readability_rule(a, read(side(B_CODE), 75.0), CONFIG) is None
    assert readability_rule(a, read(side(B_CODE, "test_failure"), 10.0), CONFIG) is None
    assert readability_rule(a, read(side(B_CODE), 10.0, errors=["2 syntax error node(s)"]), CONFIG) is None


def test_readability_without_tests_needs_a_refactoring_commit():
    empty = TestSpec()
    plain = [read(Side(candidate(code, empty)), score) for code, score in ((A_CODE, 90.0), (B_CODE, 50.0))]
    assert readability_rule(*plain, CONFIG) is None
    old = read(Side(candidate(B_CODE, empty, "commit_old", criteria="Readability_Maintainability")), 50.0)
    new = read(Side(candidate(A_CODE, empty, "commit_new", criteria="Readability_Maintainability")), 90.0)
    verdict = readability_rule(old, new, CONFIG)
    assert verdict.winner == "b" and verdict.evidence["basis"] == "refactoring_commit"
    assert verdict.evidence["commit"]["agrees"] is True


# ------------------------------------------------------------ task level

def test_identical_programs_after_normalisation_are_never_paired():
    a = candidate("def add(a, b):\n    return a + b\n")
    twin = candidate("def add(a,b):  # sum\n    return a+b\n")
    other = candidate(B_CODE)
    assert normalize_code(a.code, "Python") == normalize_code(twin.code, "Python")
    sides = build_sides([other, twin, a], [measured(a), measured(twin), measured(other)], [])
    assert [s.candidate.candidate_id for s in sides] == sorted(c.candidate_id for c in (a, twin, other))
    kept, dropped = distinct_sides(sides)
    first, second = sorted([a.candidate_id, twin.candidate_id])
    assert {s.candidate.candidate_id for s in kept} == {first, other.candidate_id}
    assert [(d.reason, d.record_id) for d in dropped] == [("duplicate_candidate", second)]


def test_select_pairs_caps_per_task_and_criterion_by_margin():
    config = LabelConfig(max_pairs_per_task=2)
    sides = [read(side(f"def add(a, b):\n    return a + b + {i} - {i}\n"), 10.0 * i) for i in range(4)]
    verdicts = list(static_verdicts(sides, CPU_LIMIT, {}, config))
    assert len(verdicts) == 6  # scores 10 apart: every pair reaches the threshold of 10
    selection = select_pairs(verdicts, config)
    assert [v.margin for v in selection.kept] == [30.0, 20.0]
    assert len(selection.over_cap) == 4 and {d.reason for d in selection.over_cap} == {"over_task_cap"}
    assert (selection.labelled, selection.over_cap_count, selection.ties) == (6, 4, [])


def test_to_pair_is_deterministic_and_carries_evidence():
    a, b = side(A_CODE), side(B_CODE, "compile_error")
    pair = to_pair(correctness_rule(a, b, CPU_LIMIT, CONFIG), CONFIG)
    again = to_pair(correctness_rule(a, b, CPU_LIMIT, CONFIG), CONFIG)
    assert pair == again
    assert pair.chosen == A_CODE and pair.rejected == B_CODE and pair.split == "train"
    assert json.loads(pair.evidence)["status"] == {"chosen": "ok", "rejected": "compile_error"}
    assert pair.chosen_id == a.candidate.candidate_id


def test_config_errors_name_the_flag_and_flag_strings_are_parsed():
    with pytest.raises(LabelConfigError, match="--runtime_ratio"):
        LabelConfig(runtime_ratio=0.8)
    with pytest.raises(LabelConfigError, match="--aspects"):
        LabelConfig(aspects="Speed")
    with pytest.raises(LabelConfigError, match="--ab_continue_ratio"):
        LabelConfig(ab_continue_ratio=1.3)
    # 2 x 2 = 4 runs per side: at best p = 2/70 = 0.029, never under 0.001 / 2
    with pytest.raises(LabelConfigError, match=r"--ab_repetitions 2 x --ab_max_stages 2 = 4 runs per side can never"):
        LabelConfig(ab_repetitions=2, ab_max_stages=2)
    with pytest.raises(LabelConfigError, match="--ab_repetitions 4 x --ab_max_stages 1"):
        LabelConfig(ab_repetitions=4, ab_max_stages=1)
    LabelConfig(alpha=0.01, ab_repetitions=5, ab_max_stages=1)  # 2/252 < 0.01
    LabelConfig(aspects="Functional_Correctness", ab_repetitions=2, ab_max_stages=2)  # no A/B stage: no check
    config = LabelConfig(aspects="Runtime_Efficiency, Memory_Efficiency", splits="train=0.9,test=0.1")
    assert config.aspects == ("Runtime_Efficiency", "Memory_Efficiency")
    assert config.splits == (("train", 0.9), ("test", 0.1))
    assert LabelConfig(aspects="all").aspects == LabelConfig().aspects


def test_checking_a_config_imports_no_scipy():
    """Every command validates its LabelConfig; scipy costs over a second of CPU to import."""
    code = ("import sys; from pipelines.build import make_options; from transforms.label_config import LabelConfig; "
            "LabelConfig(); print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert done.stdout.strip() == "[]"
