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
import os
import statistics
from typing import TYPE_CHECKING, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from sandboxes import measurement_key
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
    """Store lookups first; runs share the execute stage's sandbox of this worker process."""

    def __init__(self, execute: "ExecuteConfig"):
        self.execute = execute

    def setup(self) -> None:
        from transforms.execute import _SHARED, _SandboxHandle

        self._handle = _SHARED.acquire(lambda: _SandboxHandle(self.execute), tag=f"{self.execute!r}:{os.getpid()}")
        self.store = Store(self.execute.store_path) if self.execute.store_path else None

    def stored(self, kind: str, keys: list[str]) -> dict[str, Measurement]:
        return self.store.get_many(kind, keys, Measurement) if self.store is not None else {}

    def keep(self, kind: str, items: list[tuple[str, Measurement]]) -> None:
        if self.store is not None:
            self.store.put_many(kind, items)

    def run(self, what: str, record_id: str, payload: dict, measure) -> Iterator:
        """measure(sandbox) when executing is allowed and possible; else a dead letter saying why."""
        if not self.execute.allow_execute:
            yield self.dead("not_in_store", payload, record_id,
                            f"no stored {what}: regenerate relabels stored measurements only; "
                            "run `themis build` to measure it")
        elif self._handle.error:
            yield self.dead("sandbox_unavailable", payload, record_id, self._handle.error)
        else:
            try:
                yield measure(self._handle.sandbox)
            except Exception as exc:  # a broken sandbox must not take the pipeline down
                yield self.dead("sandbox_error", payload, record_id, f"{what}: {type(exc).__name__}: {exc}")

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
        found = self.stored("ab", [f"{key}/a", f"{key}/b"])
        stored = len(found) == 2
        results = [(found[f"{key}/a"], found[f"{key}/b"])] if stored else self.run(
            "A/B measurement of this runtime pair", key, {"a": a.candidate.candidate_id, "b": b.candidate.candidate_id},
            lambda sandbox: sandbox.run_ab(a.candidate, b.candidate, self.repetitions))
        for result in results:
            if isinstance(result, beam.pvalue.TaggedOutput):
                yield result
                continue
            if not stored and "sandbox_error" not in (result[0].status, result[1].status):  # else retried next run
                self.keep("ab", [(f"{key}/a", result[0]), (f"{key}/b", result[1])])
            yield a, b, result


class _BaselineFn(_StoreFirst):
    def process(self, language: str) -> Iterator:
        key = baseline_key(language, self.execute)
        found = self.stored("baseline", [key])
        results = [found[key]] if key in found else self.run(
            f"baseline footprint for {language}", key, {"language": language},
            lambda sandbox: sandbox.baseline(language))
        for measurement in results:
            if isinstance(measurement, beam.pvalue.TaggedOutput):
                yield measurement
            elif measurement.status != "ok" or not measurement.peak_memory_bytes:
                yield self.dead("baseline_failed", measurement.to_dict(), key,
                                f"the minimal {language} program did not run ({measurement.status}): "
                                f"no memory pairs for {language}; see `themis doctor`")
            else:
                if key not in found:
                    self.keep("baseline", [(key, measurement)])
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
