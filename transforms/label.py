"""Preference labelling: measurements and static reports become preference pairs.

One pure rule per criterion decides, for two candidates of the same task, which
one is preferred, by how much (the margin) and on what evidence; when the
evidence is not strong enough the rule records a tie instead of guessing.
`select_pairs` caps the pairs per task and criterion, and `LabelTasks` is the
Beam stage around it all.

Rules in brief (thresholds from `LabelConfig`):
- Functional_Correctness: one passes every test, the other fails a test or does
  not compile. Sandbox errors and timeouts the machine caused (the program did
  not use its CPU budget) are never failures.
- Runtime_Efficiency: both pass; interleaved A/B runs in up to ab_max_stages
  stages of ab_repetitions runs per side (a sequential test, `decide_stages`); a
  label only when the Mann-Whitney U test on all runs so far gives p below
  alpha / ab_max_stages (Bonferroni over the looks, so false labels stay below
  alpha) and the CPU-time ratio is at least r. The ratio is the Hodges-Lehmann
  estimate (median of all pairwise ratios a_i / b_j), not literally the ratio of
  medians: it uses every run, so it scatters less, and a true 1.3x difference
  falls under r = 1.2 less often (bench/RESULTS.md, "Labelling"). Measuring
  stops early on a label, or on a ratio under ab_continue_ratio (clearly a tie).
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
import json
import statistics
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Sequence, Union

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics
from scipy.stats import mannwhitneyu

from schemas.records import (
    ASPECTS, Candidate, DeadLetter, Measurement, PreferencePair, StaticReport, content_id,
)
from transforms.normalize import normalize_code
from transforms.splits import SplitSpec, parse_splits, split_of
from transforms.system_prompts import check_probabilities, system_prompt

if TYPE_CHECKING:
    from transforms.execute import ExecuteConfig

STAGE = "label"
SEVERITY_RANK = {"INFO": 0, "LOW": 0, "WARNING": 1, "MEDIUM": 1, "ERROR": 2, "HIGH": 2, "CRITICAL": 3}
# Statuses that are the program's fault; `timeout` joins them only when the program used its CPU budget.
FAILING_STATUSES = frozenset({"test_failure", "compile_error", "runtime_error", "memory_limit", "output_limit"})
SECURITY_ANALYZER = "semgrep"
READABILITY_ANALYZER = "tree-sitter"
COMMIT_ORIGINS = frozenset({"commit_old", "commit_new"})


class LabelConfigError(ValueError):
    """Labelling flags that cannot be used; the message names the flag."""


@dataclasses.dataclass(frozen=True)
class LabelConfig:
    """The `labelling` flags of pipelines/options.py (field names are flag names), plus --splits,
    --cpu_limit, --ab_repetitions and --ab_max_stages. `aspects` and `splits` accept the flag
    strings ('all', 'train=0.9,test=0.1') and are stored parsed."""

    aspects: Union[str, tuple[str, ...]] = ASPECTS
    alpha: float = 0.01
    runtime_ratio: float = 1.2
    memory_ratio: float = 1.2
    memory_floor_mb: float = 1.0
    readability_threshold: float = 10.0
    security_min_severity: str = "MEDIUM"
    timeout_cpu_fraction: float = 0.9
    cpu_limit: float = 10.0
    ab_repetitions: int = 10
    ab_max_stages: int = 3
    ab_continue_ratio: float = 1.1
    max_pairs_per_task: int = 3
    ab_pairs_per_task: int = 3
    max_pairs_per_cell: int = 0
    system_prompt_none: float = 0.15
    system_prompt_single: float = 0.425
    seed: int = 0
    splits: Union[str, SplitSpec] = (("train", 1.0),)

    def __post_init__(self) -> None:
        if isinstance(self.aspects, str):
            names = ASPECTS if self.aspects.strip() == "all" else tuple(
                a.strip() for a in self.aspects.split(",") if a.strip())
            object.__setattr__(self, "aspects", names)
        if isinstance(self.splits, str):
            object.__setattr__(self, "splits", parse_splits(self.splits))
        unknown = [a for a in self.aspects if a not in ASPECTS]
        if unknown or not self.aspects:
            raise LabelConfigError(f"--aspects: unknown criteria {unknown}; use 'all' or names from {', '.join(ASPECTS)}")
        if not 0.0 < self.alpha < 1.0:
            raise LabelConfigError(f"--alpha must lie in (0, 1), got {self.alpha}")
        for flag in ("runtime_ratio", "memory_ratio"):
            if getattr(self, flag) < 1.0:
                raise LabelConfigError(f"--{flag} is a ratio of the larger to the smaller value: use >= 1, got {getattr(self, flag)}")
        if self.security_min_severity.upper() not in SEVERITY_RANK:
            raise LabelConfigError(f"--security_min_severity: use LOW, MEDIUM or HIGH, got {self.security_min_severity!r}")
        for flag in ("max_pairs_per_task", "ab_pairs_per_task"):
            if getattr(self, flag) < 1:
                raise LabelConfigError(f"--{flag} must be at least 1, got {getattr(self, flag)}")
        if not 1.0 <= self.ab_continue_ratio <= self.runtime_ratio:
            raise LabelConfigError(f"--ab_continue_ratio must lie in [1, --runtime_ratio = {self.runtime_ratio:g}] "
                                   f"(below it a pair is a clear tie), got {self.ab_continue_ratio:g}")
        if self.ab_repetitions < 1 or self.ab_max_stages < 1:
            raise LabelConfigError(f"--ab_repetitions and --ab_max_stages must be at least 1, got "
                                   f"{self.ab_repetitions} and {self.ab_max_stages}")
        runs, level = self.ab_repetitions * self.ab_max_stages, self.alpha / self.ab_max_stages
        if min_u_p_value(runs) >= level:
            raise LabelConfigError(
                f"--ab_repetitions {self.ab_repetitions} x --ab_max_stages {self.ab_max_stages} = {runs} runs per "
                f"side can never reach p < --alpha / --ab_max_stages = {level:.2g} (the smallest p-value of "
                f"{runs} runs is {min_u_p_value(runs):.2g}): no runtime pair could be labelled; raise "
                "--ab_repetitions or --alpha")
        check_probabilities(self.system_prompt_none, self.system_prompt_single)


@dataclasses.dataclass(frozen=True)
class Side:
    """One candidate with everything measured and found about it."""

    candidate: Candidate
    measurement: Optional[Measurement] = None
    security: Optional[StaticReport] = None
    readability: Optional[StaticReport] = None

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

def outcome(measurement: Optional[Measurement], config: LabelConfig) -> Optional[bool]:
    """True: passes every test; False: the program's own failure; None: no verdict (unmeasured,
    sandbox error, or a timeout the machine caused)."""
    if measurement is None:
        return None
    if measurement.status == "ok":
        return True
    if measurement.status in FAILING_STATUSES:
        return False
    if measurement.status == "timeout":
        used = max(measurement.cpu_seconds, default=0.0)
        return False if used >= config.timeout_cpu_fraction * config.cpu_limit else None
    return None


def correctness_rule(a: Side, b: Side, config: LabelConfig) -> Optional[Verdict]:
    if not (a.has_tests and b.has_tests):
        return None
    outcomes = (outcome(a.measurement, config), outcome(b.measurement, config))
    if None in outcomes or outcomes[0] == outcomes[1]:
        return None
    winner = "a" if outcomes[0] else "b"
    per_side = {"status": (a.measurement.status, b.measurement.status),
                "exit_code": (a.measurement.exit_code, b.measurement.exit_code),
                "stderr_tail": (a.measurement.stderr_tail[-500:], b.measurement.stderr_tail[-500:])}
    return _verdict("Functional_Correctness", a, b, winner, 1.0, per_side, {"rule": "passes_vs_fails"})


# ---------------------------------------------------------------- runtime

def hodges_lehmann_ratio(times_a: Sequence[float], times_b: Sequence[float]) -> float:
    """How many times slower a is than b: exp of the Hodges-Lehmann shift of log times, i.e. the
    median of all pairwise ratios a_i / b_j (the geometric mean of the middle two when their count
    is even, so that swapping a and b inverts it exactly). Uses every run, where a ratio of
    medians rests on one or two runs per side, so it wobbles less from one measurement to the next."""
    logs = np.subtract.outer(np.log(np.asarray(times_a, dtype=float)), np.log(np.asarray(times_b, dtype=float)))
    return float(np.exp(np.median(logs)))


def min_u_p_value(runs: int) -> float:
    """The smallest two-sided Mann-Whitney U p-value `runs` runs per side can give (no overlap at all)."""
    return float(mannwhitneyu(range(runs), range(runs, 2 * runs), alternative="two-sided").pvalue)


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
                  config: LabelConfig) -> list[StageDecision]:
    """The sequential decision over A/B stages of CPU times (each stage: (a's runs, b's runs)).

    After each stage the U test on all runs so far is taken at alpha / ab_max_stages, so the
    chance of any false label over all looks stays below alpha (Bonferroni). Stop with a label
    when it is significant and the ratio is at least runtime_ratio; stop with a tie when the
    ratio is under ab_continue_ratio (clearly no difference worth measuring further) or at the
    last stage; otherwise another stage is needed. Returns the decisions up to the first stop
    (the last one says 'continue' when the given stages did not suffice); later stages are ignored.
    """
    level = config.alpha / config.ab_max_stages
    runs_a: list[float] = []
    runs_b: list[float] = []
    decisions: list[StageDecision] = []
    for number, (times_a, times_b) in enumerate(stages[: config.ab_max_stages], 1):
        runs_a += times_a
        runs_b += times_b
        p_value = float(mannwhitneyu(runs_a, runs_b, alternative="two-sided").pvalue)
        slowdown = hodges_lehmann_ratio(runs_a, runs_b)
        ratio, faster = (slowdown, "b") if slowdown >= 1.0 else (1.0 / slowdown, "a")
        if p_value < level and ratio >= config.runtime_ratio:
            decision, reason = "label", ""
        elif ratio < config.ab_continue_ratio:
            decision, reason = "tie", "clear_tie"
        elif number == config.ab_max_stages:
            decision, reason = "tie", "not_significant" if p_value >= level else "ratio_below_threshold"
        else:
            decision, reason = "continue", ""
        decisions.append(StageDecision(number, len(runs_a), p_value, ratio, faster, level, decision, reason))
        if decision != "continue":
            break
    return decisions


def _unusable_stages(stages: Sequence[tuple[Measurement, Measurement]]) -> str:
    """Why these A/B stages cannot be tested (a tie reason), or ''."""
    if any(m.status != "ok" for pair in stages for m in pair):
        return "ab_run_failed"
    if any(not m.cpu_seconds or min(m.cpu_seconds) <= 0.0 for pair in stages for m in pair):
        return "below_timer_resolution"
    return ""


def _cpu_times(stages: Sequence[tuple[Measurement, Measurement]]) -> list[tuple[list[float], list[float]]]:
    return [(list(ma.cpu_seconds), list(mb.cpu_seconds)) for ma, mb in stages]


def more_stages_needed(stages: Sequence[tuple[Measurement, Measurement]], config: LabelConfig) -> bool:
    """Whether the runtime rule wants another A/B stage measured after these."""
    if not stages:
        return True
    if _unusable_stages(stages):
        return False
    return decide_stages(_cpu_times(stages), config)[-1].decision == "continue"


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
    unusable = _unusable_stages(stages)
    if unusable:
        per_side = {"cpu_seconds": ([t for ma, _ in stages for t in ma.cpu_seconds],
                                    [t for _, mb in stages for t in mb.cpu_seconds]),
                    "ab_status": (stages[-1][0].status, stages[-1][1].status)}
        return _verdict(aspect, a, b, None, 1.0, per_side, shared, reason=unusable)
    decisions = decide_stages(_cpu_times(stages), config)
    used = _cpu_times(stages[: len(decisions)])
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
    floor = SEVERITY_RANK[min_severity.upper()]
    return collections.Counter(f.rule_id for f in report.findings if SEVERITY_RANK.get(f.severity.upper(), 0) >= floor)


def _finding_dicts(report: StaticReport, rule_ids: Iterable[str]) -> list[dict]:
    wanted = set(rule_ids)
    return [f.to_dict() for f in report.findings if f.rule_id in wanted]


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
    serious = [serious_rule_counts(side.security, config.security_min_severity) for side in (a, b)]
    extra_a, extra_b = serious[0] - serious[1], serious[1] - serious[0]
    if bool(extra_a) == bool(extra_b):
        return None  # same weaknesses, or each has some the other lacks
    winner = "b" if extra_a else "a"
    extra = extra_a or extra_b
    per_side = {"findings": (_finding_dicts(a.security, serious[0]), _finding_dicts(b.security, serious[1]))}
    shared = {"rule": "findings_only_in_rejected", "min_severity": config.security_min_severity.upper(),
              "extra_findings": dict(sorted(extra.items()))}
    # one weakness flagged by two rules (same CWE, same line) counts once in the margin
    loser = a if winner == "b" else b
    weaknesses = {(f.cwe, f.line) for f in loser.security.findings if f.rule_id in extra}
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


# ---------------------------------------------------------------- one task

def build_sides(candidates: Iterable[Candidate], measurements: Iterable[Measurement],
                reports: Iterable[StaticReport]) -> list[Side]:
    """Join a task's records by candidate id, ordered by candidate id."""
    by_id = {m.candidate_id: m for m in sorted(measurements, key=lambda m: m.measurement_key)}
    static: dict[tuple[str, str], StaticReport] = {}
    for report in sorted(reports, key=lambda r: r.report_key):
        static[(report.candidate_id, report.analyzer)] = report
    return [Side(c, by_id.get(c.candidate_id), static.get((c.candidate_id, SECURITY_ANALYZER)),
                 static.get((c.candidate_id, READABILITY_ANALYZER)))
            for c in sorted({c.candidate_id: c for c in candidates}.values(), key=lambda c: c.candidate_id)]


def distinct_sides(sides: Sequence[Side]) -> tuple[list[Side], list[DeadLetter]]:
    """One side per program after comment and whitespace normalisation; the others are
    dead letters ('duplicate_candidate'), so a pair never compares a program with itself."""
    kept: dict[str, Side] = {}
    dropped = []
    for side in sides:
        key = normalize_code(side.candidate.code, side.candidate.language)
        if key in kept:
            dropped.append(DeadLetter.of(STAGE, "duplicate_candidate", {"candidate_id": side.candidate.candidate_id},
                                         side.candidate.candidate_id,
                                         f"same program as {kept[key].candidate.candidate_id} after removing "
                                         "comments and whitespace"))
        else:
            kept[key] = side
    return list(kept.values()), dropped


def side_pairs(sides: Sequence[Side]) -> list[tuple[Side, Side]]:
    return [(sides[i], sides[j]) for i in range(len(sides)) for j in range(i + 1, len(sides))]


def static_verdicts(sides: Sequence[Side], baseline_bytes: Optional[int], config: LabelConfig) -> list[Verdict]:
    """Verdicts of every rule that needs no further measurement, over all pairs of sides."""
    verdicts = []
    for a, b in side_pairs(sides):
        if "Functional_Correctness" in config.aspects:
            verdicts.append(correctness_rule(a, b, config))
        if "Memory_Efficiency" in config.aspects and baseline_bytes is not None:
            verdicts.append(memory_rule(a, b, baseline_bytes, config))
        if "Security_Hardness" in config.aspects:
            verdicts.append(security_rule(a, b, config))
        if "Readability_Maintainability" in config.aspects:
            verdicts.append(readability_rule(a, b, config))
    return [v for v in verdicts if v is not None]


def runtime_proposals(sides: Sequence[Side], config: LabelConfig) -> list[tuple[Side, Side]]:
    """The pairs worth an interleaved A/B measurement: both pass, ordered by the ratio of
    their single-run median CPU times (largest first), at most ab_pairs_per_task (a build
    setting, so that regenerating with another max_pairs_per_task finds them all stored)."""
    if "Runtime_Efficiency" not in config.aspects:
        return []

    def ratio(pair: tuple[Side, Side]) -> float:
        medians = [statistics.median(s.measurement.cpu_seconds or [0.0]) for s in pair]
        return max(medians) / min(medians) if min(medians) > 0 else 1.0

    eligible = [p for p in side_pairs(sides) if p[0].passes and p[1].passes]
    eligible.sort(key=lambda p: (-ratio(p), p[0].candidate.candidate_id, p[1].candidate.candidate_id))
    return eligible[: config.ab_pairs_per_task]


def pair_id(verdict: Verdict) -> str:
    return content_id("pair", verdict.aspect, verdict.chosen.candidate.candidate_id,
                      verdict.rejected.candidate.candidate_id)


def select_pairs(verdicts: Iterable[Verdict], config: LabelConfig) -> tuple[list[Verdict], list[DeadLetter]]:
    """At most max_pairs_per_task labelled pairs per task and criterion, largest margin first
    (pair id breaks ties); the rest become 'over_task_cap' dead letters."""
    groups: dict[tuple[str, str], list[Verdict]] = collections.defaultdict(list)
    for verdict in verdicts:
        if verdict.winner is not None:
            groups[(verdict.a.candidate.task_id, verdict.aspect)].append(verdict)
    kept, surplus = [], []
    for key in sorted(groups):
        ranked = sorted(groups[key], key=lambda v: (-v.margin, pair_id(v)))
        kept += ranked[: config.max_pairs_per_task]
        surplus += [DeadLetter.of(STAGE, "over_task_cap", _summary(v), pair_id(v),
                                  f"{key[1]}: task {key[0]} already has {config.max_pairs_per_task} pairs "
                                  "with larger margins (raise --max_pairs_per_task to keep more)")
                    for v in ranked[config.max_pairs_per_task:]]
    return kept, surplus


def _summary(verdict: Verdict) -> dict:
    return {"aspect": verdict.aspect, "task_id": verdict.a.candidate.task_id, "winner": verdict.winner,
            "a": verdict.a.candidate.candidate_id, "b": verdict.b.candidate.candidate_id,
            "margin": verdict.margin, "p_value": verdict.p_value, "evidence": verdict.evidence}


def to_pair(verdict: Verdict, config: LabelConfig) -> PreferencePair:
    chosen, rejected = verdict.chosen.candidate, verdict.rejected.candidate
    identifier = pair_id(verdict)
    return PreferencePair(
        id=identifier,
        system=system_prompt(identifier, verdict.aspect, config.system_prompt_none, config.system_prompt_single,
                             config.seed),
        input=chosen.prompt, chosen=chosen.code, rejected=rejected.code, language=chosen.language,
        aspect=verdict.aspect, subset=chosen.subset, source=chosen.source,
        split=split_of(chosen.task_id, config.splits, config.seed), task_id=chosen.task_id,
        chosen_id=chosen.candidate_id, rejected_id=rejected.candidate_id,
        chosen_origin=chosen.origin, rejected_origin=rejected.origin,
        margin=float(verdict.margin), p_value=verdict.p_value,
        evidence=json.dumps(verdict.evidence, sort_keys=True, ensure_ascii=False),
    )


def tie_record(verdict: Verdict) -> dict:
    """A recorded tie: the pair, why no label, and the evidence (JSON-ready, keys sorted)."""
    summary = _summary(verdict)
    return {"id": content_id("tie", verdict.aspect, summary["a"], summary["b"]), "aspect": verdict.aspect,
            "task_id": summary["task_id"], "language": verdict.a.candidate.language, "a_id": summary["a"],
            "b_id": summary["b"], "reason": verdict.reason, "margin": verdict.margin, "p_value": verdict.p_value,
            "evidence": json.dumps(verdict.evidence, sort_keys=True, ensure_ascii=False)}


def cell_rank(pair: PreferencePair, seed: int) -> str:
    """Order within a (language, criterion) cell when --max_pairs_per_cell caps it: a hash,
    so the kept pairs are an unbiased sample of the cell."""
    return content_id("cell_rank", seed, pair.id)


# ---------------------------------------------------------------- Beam stage

def _count(name: str) -> None:
    Metrics.counter("themis", f"{STAGE}.{name}").inc()


class _LabelTaskFn(beam.DoFn):
    """One task's records -> pairs of the rules needing nothing more, ties, dead letters,
    and the runtime pairs that need an A/B measurement ('proposals')."""

    def __init__(self, config: LabelConfig):
        self.config = config

    def process(self, element, baselines: dict) -> Iterator:
        _task_id, grouped = element
        sides = build_sides(grouped["candidates"], grouped["measurements"], grouped["reports"])
        kept, duplicates = distinct_sides(sides)
        for dead in duplicates:
            _count(dead.reason)
            yield beam.pvalue.TaggedOutput("dead_letters", dead)
        if kept:  # empty when only records of a candidate dropped upstream arrived
            verdicts = static_verdicts(kept, baselines.get(kept[0].candidate.language), self.config)
            yield from _emit(verdicts, self.config)
            for proposal in runtime_proposals(kept, self.config):
                yield beam.pvalue.TaggedOutput("proposals", proposal)


def _emit(verdicts: Sequence[Verdict], config: LabelConfig) -> Iterator:
    for verdict in verdicts:
        if verdict.winner is None:
            _count(f"ties.{verdict.aspect}")
            yield beam.pvalue.TaggedOutput("ties", tie_record(verdict))
    selected, surplus = select_pairs(verdicts, config)
    for dead in surplus:
        _count(dead.reason)
        yield beam.pvalue.TaggedOutput("dead_letters", dead)
    for verdict in selected:
        _count(f"pairs.{verdict.aspect}")
        yield to_pair(verdict, config)


class _CellCapFn(beam.DoFn):
    def __init__(self, config: LabelConfig):
        self.config = config

    def process(self, pair: PreferencePair, cutoffs: dict) -> Iterator:
        cell = f"{pair.language}/{pair.aspect}"
        if cell_rank(pair, self.config.seed) <= cutoffs[cell]:
            yield pair
        else:
            yield from self._drop(pair, cell)

    def _drop(self, pair: PreferencePair, cell: str) -> Iterator:
        _count("over_cell_cap")
        yield beam.pvalue.TaggedOutput("dead_letters", DeadLetter.of(
            STAGE, "over_cell_cap", {"task_id": pair.task_id, "aspect": pair.aspect, "language": pair.language},
            pair.id, f"{cell} already has {self.config.max_pairs_per_cell} pairs (--max_pairs_per_cell)"))


class LabelTasks(beam.PTransform):
    """{"candidates", "measurements", "reports"} -> {"pairs", "ties", "dead_letters"}.

    Groups by task, applies the rules, measures runtime proposals A/B (store first),
    caps pairs per task and criterion, and optionally per language and criterion.
    """

    def __init__(self, config: LabelConfig, execute: "ExecuteConfig"):
        super().__init__()
        self.config, self.execute = config, execute

    def expand(self, inputs: dict):
        from transforms.measure_pairs import MeasureBaselines, MeasurePairs

        config = self.config
        keyed = {name: inputs[name] | f"Key{name.title()}" >> beam.Map(lambda r: (r.task_id, r))
                 for name in ("candidates", "measurements", "reports")}
        grouped = keyed | "GroupByTask" >> beam.CoGroupByKey()
        dead_letters, ties = [], []

        if "Memory_Efficiency" in config.aspects:
            languages = (inputs["candidates"]
                         | "TestedLanguages" >> beam.FlatMap(lambda c: [] if c.tests.is_empty else [c.language])
                         | "DistinctLanguages" >> beam.Distinct())
            baselines = languages | "Baselines" >> MeasureBaselines(self.execute)
            dead_letters.append(baselines["dead_letters"])
            baseline_view = beam.pvalue.AsDict(baselines["baselines"])
        else:
            baseline_view = beam.pvalue.AsDict(grouped.pipeline | "NoBaselines" >> beam.Create([]))

        labelled = grouped | "Rules" >> beam.ParDo(_LabelTaskFn(config), baseline_view).with_outputs(
            "proposals", "ties", "dead_letters", main="pairs")
        dead_letters.append(labelled.dead_letters)
        ties.append(labelled.ties)
        pairs = [labelled.pairs]
        if "Runtime_Efficiency" in config.aspects:
            measured = labelled.proposals | "MeasureAB" >> MeasurePairs(self.execute, config)
            runtime = (measured["measured"]
                       | "RuntimeRule" >> beam.FlatMap(lambda m: filter(None, [runtime_rule(m[0], m[1], m[2], config)]))
                       | "RuntimeByTask" >> beam.Map(lambda v: (v.a.candidate.task_id, v))
                       | "GroupRuntime" >> beam.GroupByKey()
                       | "EmitRuntime" >> beam.FlatMapTuple(lambda _task, vs: _emit(list(vs), config)).with_outputs(
                           "ties", "dead_letters", main="pairs"))
            dead_letters += [measured["dead_letters"], runtime.dead_letters]
            ties.append(runtime.ties)
            pairs.append(runtime.pairs)
        pairs = pairs | "AllPairs" >> beam.Flatten()

        if config.max_pairs_per_cell > 0:
            cutoffs = (pairs
                       | "CellRank" >> beam.Map(lambda p: (f"{p.language}/{p.aspect}", cell_rank(p, config.seed)))
                       | "KeepSmallest" >> beam.combiners.Top.SmallestPerKey(config.max_pairs_per_cell)
                       | "Cutoff" >> beam.MapTuple(lambda cell, ranks: (cell, max(ranks))))
            capped = pairs | "CellCap" >> beam.ParDo(_CellCapFn(config), beam.pvalue.AsDict(cutoffs)).with_outputs(
                "dead_letters", main="pairs")
            pairs = capped.pairs
            dead_letters.append(capped.dead_letters)

        return {"pairs": pairs,
                "ties": ties | "AllTies" >> beam.Flatten(),
                "dead_letters": dead_letters | "AllDeadLetters" >> beam.Flatten()}
