"""Pairs of one task: join its records into sides, drop repeated programs, choose the pairs the
rules judge, keep at most max_pairs_per_task per criterion, and turn verdicts into records
(PreferencePair, tie rows, dead letters).

Memory and output per task are bounded whatever its number of candidates: pairs are drawn
among at most MAX_PAIRED_SIDES distinct programs (the rest are 'not_paired'), verdicts are
judged one pair at a time and only the best ones per criterion are kept while they stream by,
and at most LISTED_PER_KIND dead letters of one reason (and ties of one criterion) are written
per task; one more record gives the count of the rest. Below these bounds every pair is judged
and every record listed.
"""
from __future__ import annotations

import collections
import dataclasses
import json
import statistics
from typing import Iterable, Iterator, Optional, Sequence

from schemas.records import Candidate, DeadLetter, Measurement, PreferencePair, StaticReport, content_id
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, Verdict, correctness_rule, memory_rule, readability_rule, security_rule
from transforms.normalize import normalize_code
from transforms.splits import split_of
from transforms.system_prompts import system_prompt

STAGE = "label"
SECURITY_ANALYZER = "semgrep"
READABILITY_ANALYZER = "tree-sitter"
# 200 programs give 19,900 pairs per criterion: a few seconds of rules for the largest task.
MAX_PAIRED_SIDES = 200
LISTED_PER_KIND = 100


def build_sides(candidates: Iterable[Candidate], measurements: Iterable[Measurement],
                reports: Iterable[StaticReport]) -> list[Side]:
    """Join a task's records by candidate id, ordered by candidate id."""
    by_id = {m.candidate_id: m for m in sorted(measurements, key=lambda m: m.measurement_key)}
    static: dict[tuple[str, str], StaticReport] = {}
    others = collections.defaultdict(dict)  # candidate id -> {analyzer: report} of the other security analyzers
    for report in sorted(reports, key=lambda r: r.report_key):
        static[(report.candidate_id, report.analyzer)] = report
        if report.analyzer not in (SECURITY_ANALYZER, READABILITY_ANALYZER):
            others[report.candidate_id][report.analyzer] = report
    return [Side(c, by_id.get(c.candidate_id), static.get((c.candidate_id, SECURITY_ANALYZER)),
                 static.get((c.candidate_id, READABILITY_ANALYZER)),
                 tuple(r for _, r in sorted(others[c.candidate_id].items())))
            for c in sorted({c.candidate_id: c for c in candidates}.values(), key=lambda c: c.candidate_id)]


def distinct_sides(sides: Sequence[Side]) -> tuple[list[Side], list[DeadLetter]]:
    """One side per program up to comments and spacing between tokens (transforms/normalize.py); the others are
    dead letters ('duplicate_candidate'), so a pair never compares a program with itself."""
    kept: dict[str, Side] = {}
    dropped = []
    for side in sides:
        key = normalize_code(side.candidate.code, side.candidate.language)
        if key in kept:
            dropped.append(DeadLetter.of(STAGE, "duplicate_candidate", {"candidate_id": side.candidate.candidate_id},
                                         side.candidate.candidate_id,
                                         f"same program as {kept[key].candidate.candidate_id} after removing "
                                         "comments and the spacing between tokens"))
        else:
            kept[key] = side
    return list(kept.values()), dropped


def paired_sides(sides: Sequence[Side]) -> tuple[list[Side], list[DeadLetter]]:
    """The sides (ordered by candidate id) that pairs are drawn among: the first MAX_PAIRED_SIDES,
    a hash sample since ids are content hashes; the others are dead letters ('not_paired')."""
    unpaired = [DeadLetter.of(STAGE, "not_paired", {"candidate_id": side.candidate.candidate_id},
                              side.candidate.candidate_id,
                              f"task {side.candidate.task_id} has {len(sides)} distinct programs: pairs are drawn "
                              f"among the {MAX_PAIRED_SIDES} with the smallest candidate ids")
                for side in sides[MAX_PAIRED_SIDES:]]
    return list(sides[:MAX_PAIRED_SIDES]), unpaired


def side_pairs(sides: Sequence[Side]) -> Iterator[tuple[Side, Side]]:
    return ((sides[i], sides[j]) for i in range(len(sides)) for j in range(i + 1, len(sides)))


def static_verdicts(sides: Sequence[Side], cpu_limit: float,
                    footprints: dict[str, tuple[int, Optional[Measurement]]], config: LabelConfig) -> Iterator[Verdict]:
    """Verdicts of every rule that needs no further measurement, pair by pair of sides (`cpu_limit`:
    as correctness_rule takes it; `footprints`: candidate id -> (its start-up stub's peak memory, its
    run on the task's perf cases or None); a pair with a side missing there gets no memory verdict)."""
    for a, b in side_pairs(sides):
        verdicts = []
        if "Functional_Correctness" in config.aspects:
            verdicts.append(correctness_rule(a, b, cpu_limit, config))
        found = footprints.get(a.candidate.candidate_id), footprints.get(b.candidate.candidate_id)
        if "Memory_Efficiency" in config.aspects and None not in found:
            perf = (found[0][1], found[1][1])
            verdicts.append(memory_rule(a, b, (found[0][0], found[1][0]), config, None if None in perf else perf))
        if "Security_Hardness" in config.aspects:
            verdicts.append(security_rule(a, b, config))
        if "Readability_Maintainability" in config.aspects:
            verdicts.append(readability_rule(a, b, config))
        yield from (v for v in verdicts if v is not None)


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


@dataclasses.dataclass
class Selection:
    """One task's verdicts, sorted out: the pairs kept, the ties, the labelled pairs over the task
    cap (listed up to LISTED_PER_KIND, then counted), and how many of each there were."""

    kept: list[Verdict]
    ties: list[dict]             # tie rows, LISTED_PER_KIND per criterion, then one 'unlisted' row
    over_cap: list[DeadLetter]   # 'over_task_cap' dead letters, LISTED_PER_KIND, then one with the count
    labelled: int = 0            # verdicts with a winner
    over_cap_count: int = 0      # labelled pairs not kept


def select_pairs(verdicts: Iterable[Verdict], config: LabelConfig) -> Selection:
    """At most max_pairs_per_task labelled pairs per task and criterion, largest margin first
    (pair id breaks ties); the rest are 'over_task_cap'. Verdicts stream through: per criterion
    only the best max_pairs_per_task + LISTED_PER_KIND are held at any time."""
    max_pairs = config.max_pairs_per_task
    held = max_pairs + LISTED_PER_KIND
    best: dict[str, list[tuple[tuple[float, str], Verdict]]] = collections.defaultdict(list)
    labelled: collections.Counter = collections.Counter()
    ties: dict[str, list[dict]] = collections.defaultdict(list)
    unlisted_ties: collections.Counter = collections.Counter()
    task_id = language = ""
    for verdict in verdicts:
        task_id, language = verdict.a.candidate.task_id, verdict.a.candidate.language
        if verdict.winner is None:
            if len(ties[verdict.aspect]) < LISTED_PER_KIND:
                ties[verdict.aspect].append(tie_record(verdict))
            else:
                unlisted_ties[verdict.aspect] += 1
            continue
        labelled[verdict.aspect] += 1
        ranked = best[verdict.aspect]
        ranked.append(((-verdict.margin, pair_id(verdict)), verdict))
        if len(ranked) >= 2 * held:
            ranked.sort(key=lambda item: item[0])
            del ranked[held:]
    selection = Selection(kept=[], ties=[], over_cap=[], labelled=sum(labelled.values()))
    for aspect in sorted(best):
        ranked = [verdict for _, verdict in sorted(best[aspect], key=lambda item: item[0])]
        selection.kept += ranked[:max_pairs]
        room = LISTED_PER_KIND - len(selection.over_cap)
        selection.over_cap += [DeadLetter.of(STAGE, "over_task_cap", _summary(v), pair_id(v),
                                             f"{aspect}: task {task_id} already has {max_pairs} pairs "
                                             "with larger margins (raise --max_pairs_per_task to keep more)")
                               for v in ranked[max_pairs:max_pairs + max(room, 0)]]
        selection.over_cap_count += max(labelled[aspect] - max_pairs, 0)
    if selection.over_cap_count > len(selection.over_cap):
        selection.over_cap.append(unlisted(task_id, "over_task_cap", selection.over_cap_count - len(selection.over_cap)))
    for aspect in sorted(ties):
        selection.ties += ties[aspect]
        if unlisted_ties[aspect]:
            selection.ties.append({"id": content_id("tie", aspect, task_id, "unlisted"), "aspect": aspect,
                                   "task_id": task_id, "language": language, "reason": "unlisted",
                                   "unlisted": unlisted_ties[aspect]})
    return selection


def cap_per_kind(letters: Sequence[DeadLetter], task_id: str) -> list[DeadLetter]:
    """At most LISTED_PER_KIND dead letters of each reason, then one giving the count of the rest."""
    by_reason: dict[str, list[DeadLetter]] = collections.defaultdict(list)
    for letter in letters:
        by_reason[letter.reason].append(letter)
    capped = []
    for reason, group in by_reason.items():
        capped += group[:LISTED_PER_KIND]
        if len(group) > LISTED_PER_KIND:
            capped.append(unlisted(task_id, reason, len(group) - LISTED_PER_KIND))
    return capped


def unlisted(task_id: str, reason: str, count: int) -> DeadLetter:
    """The dead letter standing for `count` more of one reason in one task."""
    return DeadLetter.of(STAGE, reason, {"task_id": task_id, "unlisted": count}, task_id,
                         f"{count} more '{reason}' records of task {task_id} are not listed "
                         f"(at most {LISTED_PER_KIND} per task and reason)")


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
