"""The label stages: a task's measurements and static reports become preference pairs.

    GroupByTask ─> StaticLabels ─┬─> pairs, ties             (correctness, memory, security, readability)
                                 └─> proposals ─> [MeasurePairs] ─> RuntimeLabels ─> pairs, ties
    all pairs ─> CapPairsPerCell (--max_pairs_per_cell)

The rules are `transforms.label_rules`, the choice of pairs within a task
`transforms.pair_selection`; measuring is not done here: pipelines/build.py
composes `MeasureStubFootprints` (before grouping) and `MeasurePairs`
(transforms/measure_pairs.py) between these stages.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import apache_beam as beam

from schemas.records import DeadLetter, PreferencePair
from transforms.counters import count
from transforms.dead_letters import Routed, Step
from transforms.label_config import LabelConfig
from transforms.label_rules import Verdict, runtime_rule
from transforms.pair_selection import (
    STAGE, build_sides, cap_per_kind, cell_rank, distinct_sides, paired_sides, runtime_proposals, select_pairs,
    static_verdicts, to_pair,
)


COUNTS = "counts"  # (manifest count key, n): what the invariant needs that no PCollection holds


def _count(name: str) -> None:
    count(f"{STAGE}.{name}")


def _counts(stage: str, **numbers: int) -> Iterator[beam.pvalue.TaggedOutput]:
    """Count records for the invariant of `stage`: in, out, and dropped_<reason> (as dropped/<reason>)."""
    for name, n in numbers.items():
        if n:
            yield beam.pvalue.TaggedOutput(COUNTS, (f"stages/{stage}/{name.replace('dropped_', 'dropped/', 1)}", n))


class LabelTask(Step):
    """One task's records -> pairs of the rules needing nothing more, ties, dead letters,
    and the runtime pairs that need an A/B measurement ('proposals')."""

    stage = STAGE

    def __init__(self, config: LabelConfig, cpu_limit: float):
        self.config, self.cpu_limit = config, cpu_limit

    def decide(self, element) -> Iterator:
        task_id, grouped = element
        sides = build_sides(grouped["candidates"], grouped["measurements"], grouped["reports"])
        distinct, duplicates = distinct_sides(sides)
        paired, unpaired = paired_sides(distinct)
        yield from cap_per_kind(duplicates + unpaired, task_id)
        yield from _counts("label", out=len(paired), dropped_duplicate_candidate=len(duplicates),
                           dropped_not_paired=len(unpaired))
        if paired:  # empty when only records of a candidate dropped upstream arrived
            footprints = {cid: (stub, perf) for cid, stub, perf in grouped.get("stub_bytes", ())}
            verdicts = static_verdicts(paired, self.cpu_limit, footprints, self.config)
            yield from _task_records(verdicts, "static_labels", self.config)
            for proposal in runtime_proposals(paired, self.config):
                count("ab.proposed")  # the A/B stage's total, for its progress and ETA
                yield beam.pvalue.TaggedOutput("proposals", proposal)


def _task_records(verdicts: Iterable[Verdict], stage: str, config: LabelConfig) -> Iterator:
    """One task's ties, the dead letters of labelled pairs over the task cap, and the pairs kept,
    with the counts of `stage` (labelled verdicts in, pairs out, over the cap dropped)."""
    selection = select_pairs(verdicts, config)
    for tie in selection.ties:
        _count(f"ties.{tie['aspect']}")
        yield beam.pvalue.TaggedOutput("ties", tie)
    yield from selection.over_cap
    for verdict in selection.kept:
        _count(f"pairs.{verdict.aspect}")
        yield to_pair(verdict, config)
    yield from _counts(stage, **{"in": selection.labelled, "out": len(selection.kept),
                                 "dropped_over_task_cap": selection.over_cap_count})


class _CapCell(Step):
    stage = STAGE

    def __init__(self, config: LabelConfig):
        self.config = config

    def decide(self, pair: PreferencePair, cutoffs: dict) -> Iterator:
        cell = f"{pair.language}/{pair.aspect}"
        if cell_rank(pair, self.config.seed) <= cutoffs[cell]:
            yield pair
        else:
            yield DeadLetter.of(
                STAGE, "over_cell_cap", {"task_id": pair.task_id, "aspect": pair.aspect, "language": pair.language},
                pair.id, f"{cell} already has {self.config.max_pairs_per_cell} pairs (--max_pairs_per_cell)")


class GroupByTask(beam.PTransform):
    """{"candidates", "measurements", "reports"[, "stub_bytes"]} -> (task_id, {"candidates": [...],
    "measurements": [...], "reports": [...][, "stub_bytes": [(candidate_id, bytes, perf run), ...]]}); "stub_bytes"
    (MeasureStubFootprints: (task_id, (candidate_id, its start-up stub's peak bytes, perf run))) comes keyed."""

    def expand(self, inputs: dict):
        keyed = {name: inputs[name] | f"Key{name.title()}" >> beam.Map(lambda r: (r.task_id, r))
                 for name in ("candidates", "measurements", "reports")}
        if "stub_bytes" in inputs:
            keyed["stub_bytes"] = inputs["stub_bytes"]
        return keyed | "Group" >> beam.CoGroupByKey()


class StaticLabels(beam.PTransform):
    """Grouped tasks -> {"pairs", "ties", "dead_letters", "proposals", "counts"}: the verdicts that need
    no further measurement, the runtime pairs worth an A/B measurement ('proposals', (Side, Side)), and
    the counts of the stages "label" (candidates -> distinct programs) and "static_labels" (labelled
    verdicts -> pairs kept) for the manifest's invariant.

    `cpu_limit`: the CPU seconds per run the measurements were made under (it tells a timeout the
    program caused from one the machine caused). Memory verdicts need the tasks grouped with their
    "stub_bytes" (GroupByTask).
    """

    def __init__(self, config: LabelConfig, cpu_limit: float):
        super().__init__()
        self.config, self.cpu_limit = config, cpu_limit

    def expand(self, grouped):
        return grouped | "Rules" >> Routed(LabelTask(self.config, self.cpu_limit), "pairs",
                                           others=("ties", "proposals", COUNTS))


class RuntimeLabels(beam.PTransform):
    """MeasurePairs' (a, b, stages) -> {"pairs", "ties", "dead_letters", "counts"} by the runtime rule,
    capped per task (counts: stage "runtime_labels")."""

    def __init__(self, config: LabelConfig):
        super().__init__()
        self.config = config

    def expand(self, measured):
        config = self.config
        return (measured
                | "Rule" >> beam.FlatMap(lambda m: filter(None, [runtime_rule(m[0], m[1], m[2], config)]))
                | "ByTask" >> beam.Map(lambda v: (v.a.candidate.task_id, v))
                | "Group" >> beam.GroupByKey()
                | "Emit" >> Routed(lambda task_verdicts: _task_records(task_verdicts[1], "runtime_labels", config),
                                   "pairs", others=("ties", COUNTS), stage=STAGE))


class CapPairsPerCell(beam.PTransform):
    """Pairs -> {"pairs", "dead_letters"}: at most max_pairs_per_cell per language and criterion, a hash
    sample (`cell_rank`); the rest are 'over_cell_cap' dead letters."""

    def __init__(self, config: LabelConfig):
        super().__init__()
        self.config = config

    def expand(self, pairs):
        config = self.config
        cutoffs = (pairs
                   | "Rank" >> beam.Map(lambda p: (f"{p.language}/{p.aspect}", cell_rank(p, config.seed)))
                   | "KeepSmallest" >> beam.combiners.Top.SmallestPerKey(config.max_pairs_per_cell)
                   | "Cutoff" >> beam.MapTuple(lambda cell, ranks: (cell, max(ranks))))
        return pairs | "Cap" >> Routed(_CapCell(config), "pairs", args=(beam.pvalue.AsDict(cutoffs),))
