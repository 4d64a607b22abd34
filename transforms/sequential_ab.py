"""The sequential A/B test behind Runtime_Efficiency labels; imports no project code.

Two programs run alternately in stages of a few rounds each, each program with its start-up
stub (transforms/startup_stub.py: same runtime and imports, none of its code, no tests), so a
round is A, A's stub, B, B's stub. What is compared is each side's marginal CPU time per round,
its run's minus its stub's (the tests' work, not process start-up), floored at
`runtime_floor_ms` (what the machine resolves): a pair whose marginals are both under the floor
ties as 'below_resolution'. After each stage, on all rounds so far, a two-sided Mann-Whitney U
test is taken at alpha / max_stages (Bonferroni over the looks, so the chance of any false
label stays below alpha) and the ratio is the Hodges-Lehmann estimate (median of all pairwise
ratios a_i / b_j). A stage ends the test with a label (significant and ratio >= min
ratio), a tie (ratio under the continue ratio, or the last stage), or asks for
another stage.

Settings come from any object with `alpha`, `runtime_ratio`, `ab_continue_ratio`,
`ab_max_stages` and `runtime_floor_ms` (the label stage's LabelConfig); measurements from any
object with `status` and `cpu_seconds` (schemas' Measurement).
"""
from __future__ import annotations

import dataclasses
import math
import statistics
from typing import NamedTuple, Protocol, Sequence

import numpy as np


class ABSettings(Protocol):
    alpha: float              # chance of a false label over all stages
    runtime_ratio: float      # smallest ratio worth a label
    ab_continue_ratio: float  # under this ratio the pair is a clear tie
    ab_max_stages: int
    runtime_floor_ms: float   # marginal CPU time the machine resolves; less is floored to it


class Timed(Protocol):
    candidate_id: str
    status: str
    cpu_seconds: Sequence[float]


class ABStage(NamedTuple):
    """One stage of interleaved rounds: each side's program and its start-up stub."""

    a: Timed
    b: Timed
    a_stub: Timed
    b_stub: Timed


def hodges_lehmann_ratio(times_a: Sequence[float], times_b: Sequence[float]) -> float:
    """How many times slower a is than b: exp of the Hodges-Lehmann shift of log times, i.e. the
    median of all pairwise ratios a_i / b_j (the geometric mean of the middle two when their count
    is even, so that swapping a and b inverts it exactly). Uses every run, where a ratio of
    medians rests on one or two runs per side, so it wobbles less from one measurement to the next."""
    logs = np.subtract.outer(np.log(np.asarray(times_a, dtype=float)), np.log(np.asarray(times_b, dtype=float)))
    return float(np.exp(np.median(logs)))


def u_test_p_value(runs_a: Sequence[float], runs_b: Sequence[float]) -> float:
    """Two-sided Mann-Whitney U p-value of a's runs against b's: from the exact distribution of U when no
    two runs tie (scipy's default takes the normal approximation above 8 runs a side, which in the tail
    overstates p about 17 times at 10 runs a side: 1.8e-4 for no overlap at all, exactly 1.1e-5, so no
    first stage could reach a level of 0.001 / 6), the normal approximation with its tie correction
    otherwise (runs floored at the same value)."""
    from scipy.stats import mannwhitneyu  # imported when first used: 1-2 s that builds without runtime pairs save

    method = "exact" if len(set(runs_a) | set(runs_b)) == len(runs_a) + len(runs_b) else "asymptotic"
    return float(mannwhitneyu(runs_a, runs_b, alternative="two-sided", method=method).pvalue)


def min_u_p_value(runs: int) -> float:
    """The smallest two-sided Mann-Whitney U p-value `runs` runs per side can give (no overlap at all): the
    exact test's, 2 of the C(2 runs, runs) equally likely orderings. Closed form, so that checking a
    config does not import scipy (over a second of CPU for every build and every command)."""
    return min(1.0, 2 / math.comb(2 * runs, runs))


@dataclasses.dataclass(frozen=True)
class StageDecision:
    """The sequential A/B test after one stage, on all runs measured so far."""

    stage: int          # 1-based
    runs: int           # runs per side so far
    p_value: float      # two-sided Mann-Whitney U on all runs so far
    ratio: float        # Hodges-Lehmann ratio, slower over faster (>= 1)
    faster: str         # 'a' or 'b'
    level: float        # alpha / ab_max_stages (Bonferroni over the looks)
    decision: str       # 'label', 'tie' or 'continue'
    reason: str = ""    # why a tie

    def to_evidence(self) -> dict:
        return {"stage": self.stage, "runs": self.runs, "p_value": self.p_value, "ratio": self.ratio,
                "faster": self.faster, "decision": self.decision, **({"reason": self.reason} if self.reason else {})}


def decide_stages(stages: Sequence[tuple[Sequence[float], Sequence[float]]],
                  settings: ABSettings) -> list[StageDecision]:
    """The sequential decision over A/B stages of CPU times (each stage: (a's runs, b's runs)).

    After each stage the U test on all runs so far is taken at alpha / ab_max_stages, so the
    chance of any false label over all looks stays below alpha (Bonferroni). Stop with a label
    when it is significant and the ratio is at least runtime_ratio; stop with a tie when the
    ratio is under ab_continue_ratio (clearly no difference worth measuring further) or at the
    last stage; otherwise another stage is needed. Returns the decisions up to the first stop
    (the last one says 'continue' when the given stages did not suffice); later stages are ignored.
    """
    level = settings.alpha / settings.ab_max_stages
    runs_a: list[float] = []
    runs_b: list[float] = []
    decisions: list[StageDecision] = []
    for number, (times_a, times_b) in enumerate(stages[: settings.ab_max_stages], 1):
        runs_a += times_a
        runs_b += times_b
        p_value = u_test_p_value(runs_a, runs_b)
        slowdown = hodges_lehmann_ratio(runs_a, runs_b)
        ratio, faster = (slowdown, "b") if slowdown >= 1.0 else (1.0 / slowdown, "a")
        if p_value < level and ratio >= settings.runtime_ratio:
            decision, reason = "label", ""
        elif ratio < settings.ab_continue_ratio:
            decision, reason = "tie", "clear_tie"
        elif number == settings.ab_max_stages:
            decision, reason = "tie", "not_significant" if p_value >= level else "ratio_below_threshold"
        else:
            decision, reason = "continue", ""
        decisions.append(StageDecision(number, len(runs_a), p_value, ratio, faster, level, decision, reason))
        if decision != "continue":
            break
    return decisions


def _common_stub(stages: Sequence[ABStage]) -> float | None:
    """When both sides' stub is one program (the same imports): the median of all its runs, else None."""
    if any(s.a_stub.candidate_id != s.b_stub.candidate_id for s in stages):
        return None
    return statistics.median([t for s in stages for m in (s.a_stub, s.b_stub) for t in m.cpu_seconds])


def _stage_marginals(stage: ABStage, common: float | None) -> tuple[list[float], list[float]]:
    if common is not None:
        return [f - common for f in stage.a.cpu_seconds], [f - common for f in stage.b.cpu_seconds]
    return ([f - s for f, s in zip(stage.a.cpu_seconds, stage.a_stub.cpu_seconds)],
            [f - s for f, s in zip(stage.b.cpu_seconds, stage.b_stub.cpu_seconds)])


def raw_marginals(stages: Sequence[ABStage]) -> tuple[list[float], list[float]]:
    """Each side's CPU time over its stub's, all stages, unfloored (may be negative). Different stubs
    are subtracted round by round; one stub shared by both sides (the same imports) as the median of
    all its runs, since then the U test compares the raw times (the same value taken off both sides)
    and the stub's own noise need not enter every marginal."""
    common = _common_stub(stages)
    per_stage = [_stage_marginals(stage, common) for stage in stages]
    return [t for a, _ in per_stage for t in a], [t for _, b in per_stage for t in b]


def marginal_times(stages: Sequence[ABStage], settings: ABSettings) -> list[tuple[list[float], list[float]]]:
    """Per stage, each side's marginal CPU times floored at runtime_floor_ms: what decide_stages tests."""
    floor = settings.runtime_floor_ms / 1000.0
    common = _common_stub(stages)
    return [tuple([max(t, floor) for t in side] for side in _stage_marginals(stage, common)) for stage in stages]


def unusable_stages(stages: Sequence[ABStage], settings: ABSettings) -> str:
    """Why these A/B stages cannot be tested (a tie reason), or ''."""
    if any(m.status != "ok" for stage in stages for m in (stage.a, stage.b)):
        return "ab_run_failed"
    if any(m.status != "ok" for stage in stages for m in (stage.a_stub, stage.b_stub)):
        return "startup_stub_failed"
    if any(not m.cpu_seconds or min(m.cpu_seconds) <= 0.0 for stage in stages for m in (stage.a, stage.b)):
        return "below_timer_resolution"
    if max(statistics.median(side) for side in raw_marginals(stages)) < settings.runtime_floor_ms / 1000.0:
        return "below_resolution"
    return ""


def more_stages_needed(stages: Sequence[ABStage], settings: ABSettings) -> bool:
    """Whether the runtime rule wants another A/B stage measured after these."""
    if not stages:
        return True
    if unusable_stages(stages, settings):
        return False
    return decide_stages(marginal_times(stages, settings), settings)[-1].decision == "continue"
