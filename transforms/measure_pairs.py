"""Measurements the labelling rules ask for beyond the execute stage, store first:

- interleaved A/B runs of a runtime pair (`Sandbox.run_ab`: A B A B ..., so drift
  and neighbours' load hit both programs alike), in stages of ab_repetitions runs
  per side for as long as the runtime rule's sequential test asks for more
  (`transforms.sequential_ab.more_stages_needed`), each stage stored as kind "ab" under
  its own key;
- each language's baseline footprint (`Sandbox.baseline`), stored as kind "baseline".

Keys are content ids of what was run and how, so a rerun or `themis regenerate`
finds them and runs nothing. With `allow_execute=False` a missing entry becomes a
'not_in_store' dead letter instead of a run, except a later A/B stage: the rule
then decides on the stages there are (a regenerate whose thresholds would want
more stages than the build measured).
"""
from __future__ import annotations

import dataclasses
import statistics
from typing import TYPE_CHECKING, Callable, Iterator, Optional

import apache_beam as beam

from sandboxes import measurement_key
from schemas.records import DeadLetter, Measurement, content_id
from transforms.dead_letters import Routed, Step
from transforms.execute import shared_sandbox
from transforms.sequential_ab import more_stages_needed
from transforms.store import Store

if TYPE_CHECKING:
    from transforms.execute import ExecuteConfig
    from transforms.label_config import LabelConfig
    from transforms.label_rules import Side

STAGE = "label"


def ab_key(a: "Side", b: "Side", execute: "ExecuteConfig", repetitions: int, stage: int) -> str:
    """Content address of stage `stage` (1-based) of the A/B measurement of a then b; the side's
    Measurement is stored under this key + '/a' or '/b'."""
    return content_id("ab", stage, *(measurement_key(s.candidate, execute.backend, execute.limits, repetitions, "ab")
                                     for s in (a, b)))


def baseline_key(language: str, execute: "ExecuteConfig") -> str:
    return content_id("baseline", execute.backend, dataclasses.asdict(execute.limits), language)


class Unmeasured(Exception):
    """A measurement that could not be made; `dead_letter` says why."""

    def __init__(self, dead_letter: DeadLetter):
        super().__init__(dead_letter.detail)
        self.dead_letter = dead_letter


class _StoreFirstStep(Step):
    """Store lookups first; runs share the execute stage's sandbox of this worker process."""

    stage = STAGE

    def __init__(self, execute: "ExecuteConfig", store_path: Optional[str]):
        self.execute, self.store_path = execute, store_path

    def setup(self) -> None:
        self._handle = shared_sandbox(self.execute)
        self.store = Store(self.store_path) if self.store_path else None

    def look_up(self, kind: str, keys: list[str]) -> dict[str, Measurement]:
        return self.store.get_many(kind, keys, Measurement) if self.store is not None else {}

    def save(self, kind: str, items: list[tuple[str, Measurement]]) -> None:
        if self.store is not None:
            self.store.put_many(kind, items)

    def measure(self, what: str, record_id: str, payload: dict, run: Callable):
        """run(sandbox); raises Unmeasured when executing is not allowed (regenerate) or fails."""
        if not self.execute.allow_execute:
            raise Unmeasured(DeadLetter.of(STAGE, "not_in_store", payload, record_id,
                                           f"no stored {what}: regenerate relabels stored measurements only; "
                                           "run `themis build` to measure it"))
        if self._handle.error:
            raise Unmeasured(DeadLetter.of(STAGE, "sandbox_unavailable", payload, record_id, self._handle.error))
        try:
            return run(self._handle.sandbox)
        except Exception as exc:  # a broken sandbox must not take the pipeline down
            raise Unmeasured(DeadLetter.of(STAGE, "sandbox_error", payload, record_id,
                                           f"{what}: {type(exc).__name__}: {exc}")) from None


class _MeasurePairAB(_StoreFirstStep):
    def __init__(self, execute: "ExecuteConfig", config: "LabelConfig", store_path: Optional[str]):
        super().__init__(execute, store_path)
        self.config = config

    def decide(self, pair: tuple["Side", "Side"]) -> Iterator:
        a, b = pair
        payload = {"a": a.candidate.candidate_id, "b": b.candidate.candidate_id}
        stages: list[tuple[Measurement, Measurement]] = []
        while more_stages_needed(stages, self.config):  # False once ab_max_stages are measured
            key = ab_key(a, b, self.execute, self.config.ab_repetitions, len(stages) + 1)
            found = self.look_up("ab", [f"{key}/a", f"{key}/b"])
            if len(found) == 2:
                stages.append((found[f"{key}/a"], found[f"{key}/b"]))
                continue
            if stages and not self.execute.allow_execute:
                break  # regenerate: decide on the stages the build measured
            repetitions = self.config.ab_repetitions
            try:
                result = self.measure(f"A/B measurement (stage {len(stages) + 1}) of this runtime pair", key, payload,
                                      lambda sandbox: sandbox.run_ab(a.candidate, b.candidate, repetitions))
            except Unmeasured as failure:
                yield failure.dead_letter  # earlier stages stay stored: a rerun measures only what is missing
                return
            if "sandbox_error" not in (result[0].status, result[1].status):  # else retried next run
                self.save("ab", [(f"{key}/a", result[0]), (f"{key}/b", result[1])])
            stages.append(result)
        yield a, b, tuple(stages)


class _MeasureBaseline(_StoreFirstStep):
    def decide(self, language: str) -> Iterator:
        key = baseline_key(language, self.execute)
        measurement = self.look_up("baseline", [key]).get(key)
        if measurement is None:
            try:
                measurement = self.measure(f"baseline footprint for {language}", key, {"language": language},
                                           lambda sandbox: sandbox.baseline(language))
            except Unmeasured as failure:
                yield failure.dead_letter
                return
            if measurement.status == "ok" and measurement.peak_memory_bytes:
                self.save("baseline", [(key, measurement)])
        if measurement.status != "ok" or not measurement.peak_memory_bytes:
            yield DeadLetter.of(STAGE, "baseline_failed", measurement.to_dict(), key,
                                f"the minimal {language} program did not run ({measurement.status}): "
                                f"no memory pairs for {language}; see `themis doctor`")
        else:
            yield language, int(statistics.median(measurement.peak_memory_bytes))


class MeasurePairs(beam.PTransform):
    """PCollection[(Side, Side)] -> {"measured": (a, b, ((Measurement, Measurement), ...) one per stage),
    "dead_letters"}. `store_path`: the measurement store (None: none)."""

    def __init__(self, execute: "ExecuteConfig", config: "LabelConfig", store_path: Optional[str] = None):
        super().__init__()
        self.execute, self.config, self.store_path = execute, config, store_path

    def expand(self, pairs):
        return pairs | "RunAB" >> Routed(_MeasurePairAB(self.execute, self.config, self.store_path), "measured")


class TestedLanguages(beam.PTransform):
    """PCollection[Candidate] -> each language that has a candidate with tests, once."""

    def expand(self, candidates):
        return (candidates
                | "Tested" >> beam.FlatMap(lambda c: [] if c.tests.is_empty else [c.language])
                | "Distinct" >> beam.Distinct())


class MeasureBaselines(beam.PTransform):
    """PCollection[language] (distinct) -> {"baselines": (language, median peak bytes), "dead_letters"}.
    `store_path`: the measurement store (None: none)."""

    def __init__(self, execute: "ExecuteConfig", store_path: Optional[str] = None):
        super().__init__()
        self.execute, self.store_path = execute, store_path

    def expand(self, languages):
        return languages | "Baseline" >> Routed(_MeasureBaseline(self.execute, self.store_path), "baselines")
