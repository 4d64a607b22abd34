"""The label stage: a task's measurements and static reports become preference pairs.

`LabelTasks` groups records by task, applies the rules (`transforms.label_rules`) to the
pairs of each task (`transforms.pair_selection`), measures the runtime proposals A/B,
and caps pairs per task and criterion, and optionally per language and criterion.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.records import DeadLetter, PreferencePair
from transforms.execute import ExecuteConfig
from transforms.label_config import LabelConfig
from transforms.label_rules import Verdict, runtime_rule
from transforms.measure_pairs import MeasureBaselines, MeasurePairs
from transforms.pair_selection import (
    STAGE, build_sides, cell_rank, distinct_sides, runtime_proposals, select_pairs, static_verdicts, tie_record,
    to_pair,
)


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

    def __init__(self, config: LabelConfig, execute: ExecuteConfig):
        super().__init__()
        self.config, self.execute = config, execute

    def expand(self, inputs: dict):
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
