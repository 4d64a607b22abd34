"""Pairs of one task: join its records into sides, drop repeated programs, choose the pairs the
rules judge, keep at most max_pairs_per_task per criterion, and turn verdicts into records
(PreferencePair, tie rows, dead letters)."""
from __future__ import annotations

import collections
import json
import statistics
from typing import Iterable, Optional, Sequence

from schemas.records import Candidate, DeadLetter, Measurement, PreferencePair, StaticReport, content_id
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, Verdict, correctness_rule, memory_rule, readability_rule, security_rule
from transforms.normalize import normalize_code
from transforms.splits import split_of
from transforms.system_prompts import system_prompt

STAGE = "label"
SECURITY_ANALYZER = "semgrep"
READABILITY_ANALYZER = "tree-sitter"


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


def static_verdicts(sides: Sequence[Side], cpu_limit: float, baseline_bytes: Optional[int],
                    config: LabelConfig) -> list[Verdict]:
    """Verdicts of every rule that needs no further measurement, over all pairs of sides
    (`cpu_limit` and `baseline_bytes`: as correctness_rule and memory_rule take them)."""
    verdicts = []
    for a, b in side_pairs(sides):
        if "Functional_Correctness" in config.aspects:
            verdicts.append(correctness_rule(a, b, cpu_limit, config))
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
