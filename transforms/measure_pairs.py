"""Measurements the labelling rules ask for beyond the execute stage, store first:

- interleaved A/B runs of a runtime pair (`Sandbox.run_ab`: A B A B ..., so drift
  and neighbours' load hit both programs alike), stored as kind "ab";
- each language's baseline footprint (`Sandbox.baseline`), stored as kind "baseline".

Keys are content ids of what was run and how, so a rerun or `themis regenerate`
finds them and runs nothing. With `allow_execute=False` a missing entry becomes a
'not_in_store' dead letter instead of a run.
"""
from __future__ import annotations

import dataclasses
import statistics
from typing import TYPE_CHECKING, Iterator, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics

from sandboxes import measurement_key, open_sandbox
from schemas.records import DeadLetter, Measurement, content_id
from transforms.store import Store

if TYPE_CHECKING:
    from transforms.execute import ExecuteConfig
    from transforms.label import Side

STAGE = "label"


def ab_key(a: "Side", b: "Side", execute: "ExecuteConfig", repetitions: int) -> str:
    """Content address of the A/B measurement of a then b."""
    return content_id("ab", *(measurement_key(s.candidate, execute.backend, execute.limits, repetitions, "ab")
                              for s in (a, b)))


def baseline_key(language: str, execute: "ExecuteConfig") -> str:
    return content_id("baseline", execute.backend, dataclasses.asdict(execute.limits), language)


class _StoreFirst(beam.DoFn):
    """Opens the store per worker, and the sandbox only when something must run."""

    def __init__(self, execute: "ExecuteConfig"):
        self.execute = execute
        self._sandbox = None

    def setup(self) -> None:
        self.store = Store(self.execute.store_path)

    def sandbox(self):
        if self._sandbox is None:
            self._sandbox = open_sandbox(self.execute.backend, self.execute.limits, self.execute.allow_unisolated)
        return self._sandbox

    def teardown(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def dead(self, reason: str, payload: dict, record_id: str, detail: str) -> beam.pvalue.TaggedOutput:
        Metrics.counter("themis", f"{STAGE}.{reason}").inc()
        return beam.pvalue.TaggedOutput("dead_letters", DeadLetter.of(STAGE, reason, payload, record_id, detail))


class _MeasurePairFn(_StoreFirst):
    def __init__(self, execute: "ExecuteConfig", repetitions: int):
        super().__init__(execute)
        self.repetitions = repetitions

    def process(self, pair: tuple["Side", "Side"]) -> Iterator:
        a, b = pair
        key = ab_key(a, b, self.execute, self.repetitions)
        found = self.store.get_many("ab", [f"{key}/a", f"{key}/b"], Measurement)
        if len(found) == 2:
            yield a, b, (found[f"{key}/a"], found[f"{key}/b"])
        elif not self.execute.allow_execute:
            yield self.dead("not_in_store", {"a": a.candidate.candidate_id, "b": b.candidate.candidate_id}, key,
                            "no stored A/B measurement for this runtime pair: regenerate relabels stored "
                            "measurements only; run `themis build` to measure it")
        else:
            measured = self.sandbox().run_ab(a.candidate, b.candidate, self.repetitions)
            if "sandbox_error" not in (measured[0].status, measured[1].status):  # retried on the next run
                self.store.put_many("ab", [(f"{key}/a", measured[0]), (f"{key}/b", measured[1])])
            yield a, b, measured


class _BaselineFn(_StoreFirst):
    def process(self, language: str) -> Iterator:
        key = baseline_key(language, self.execute)
        measurement: Optional[Measurement] = self.store.get("baseline", key, Measurement)
        if measurement is None and self.execute.allow_execute:
            measurement = self.sandbox().baseline(language)
            if measurement.status == "ok":
                self.store.put("baseline", key, measurement)
        if measurement is None:
            yield self.dead("not_in_store", {"language": language}, key,
                            f"no stored baseline footprint for {language}: memory pairs need one; "
                            "run `themis build` to measure it")
        elif measurement.status != "ok" or not measurement.peak_memory_bytes:
            yield self.dead("baseline_failed", measurement.to_dict(), key,
                            f"the minimal {language} program did not run ({measurement.status}): "
                            f"no memory pairs for {language}; see `themis doctor`")
        else:
            yield language, int(statistics.median(measurement.peak_memory_bytes))


class MeasurePairs(beam.PTransform):
    """PCollection[(Side, Side)] -> {"measured": (a, b, (Measurement, Measurement)), "dead_letters"}."""

    def __init__(self, execute: "ExecuteConfig", repetitions: int):
        super().__init__()
        self.execute, self.repetitions = execute, repetitions

    def expand(self, pairs):
        results = pairs | "RunAB" >> beam.ParDo(_MeasurePairFn(self.execute, self.repetitions)).with_outputs(
            "dead_letters", main="measured")
        return {"measured": results.measured, "dead_letters": results.dead_letters}


class MeasureBaselines(beam.PTransform):
    """PCollection[language] (distinct) -> {"baselines": (language, median peak bytes), "dead_letters"}."""

    def __init__(self, execute: "ExecuteConfig"):
        super().__init__()
        self.execute = execute

    def expand(self, languages):
        results = languages | "Baseline" >> beam.ParDo(_BaselineFn(self.execute)).with_outputs(
            "dead_letters", main="baselines")
        return {"baselines": results.baselines, "dead_letters": results.dead_letters}
