"""Measurements the labelling rules ask for beyond the execute stage, store first:

- interleaved A/B rounds of a runtime pair (once per build for pairs of the same two
  programs, e.g. twin tasks) and the two sides' start-up stubs
  (transforms/startup_stub.py): A, A's stub, B, B's stub, each pair through
  `Sandbox.run_ab`, so drift and neighbours' load hit all four alike; as many
  pairs at a time as the sandbox has workers and this process has CPUs, each pair
  pinned to a CPU that no other pair on the machine holds for all its rounds (a
  pair's own programs never overlap, and no neighbour pair shares their core); in stages
  of ab_repetitions rounds for as long as the runtime rule's sequential test asks
  for more (`transforms.sequential_ab.more_stages_needed`), each stage stored as
  kind "ab" under its own key (the four programs under /a, /b, /a_stub, /b_stub);
- each candidate's start-up stub's peak memory (the memory rule subtracts it), one run of
  FOOTPRINT_RUNS repetitions per distinct stub, stored as kind "baseline".

Keys are content ids of what was run and how, so a rerun or `themis regenerate`
finds them and runs nothing. With `allow_execute=False` a missing entry becomes a
'not_in_store' dead letter instead of a run, except a later A/B stage: the rule
then decides on the stages there are (a regenerate whose thresholds would want
more stages than the build measured).
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import statistics
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Sequence

import apache_beam as beam

from sandboxes import measurement_key
from sandboxes.base import Sandbox
from sandboxes.cores import held_cpu
from schemas.records import Candidate, DeadLetter, Measurement, content_id
from transforms.counters import count
from transforms.dead_letters import Routed
from transforms.execute import BatchedByKey, SharedSandboxStep
from transforms.in_flight import InFlightStep, Started
from transforms.sequential_ab import ABStage, more_stages_needed
from transforms.startup_stub import STUB_VERSION, measured_program, stub_candidate
from transforms.store import StoreRef

if TYPE_CHECKING:
    from transforms.execute import ExecuteConfig
    from transforms.label_config import LabelConfig
    from transforms.label_rules import Side

STAGE = "label"


# Bumped when what an A/B stage measures changes, so stages measured the old way are not reused.
# 2: rounds of A, A's start-up stub, B, B's stub (1: A, B). 3: every run of a pair on one CPU.
AB_METHOD = 3
PROGRAMS = ABStage._fields  # a, b, a_stub, b_stub: the stored names of a stage's four measurements


def ab_key(a: "Side", b: "Side", execute: "ExecuteConfig", repetitions: int, stage: int) -> str:
    """Content address of stage `stage` (1-based) of the A/B measurement of a then b; the programs'
    Measurements are stored under this key + '/a', '/b', '/a_stub' and '/b_stub'."""
    return content_id("ab", AB_METHOD, STUB_VERSION, stage,
                      *(measurement_key(measured_program(s.candidate), execute.backend, execute.limits, repetitions,
                                        "ab") for s in (a, b)))


def _joined(rounds: Sequence[Measurement]) -> Measurement:
    """One program's per-round measurements as one: figures in round order, status and output of the last."""
    last = rounds[-1]
    return last.replace(cpu_seconds=[t for m in rounds for t in m.cpu_seconds],
                        wall_seconds=[t for m in rounds for t in m.wall_seconds],
                        peak_memory_bytes=[p for m in rounds for p in m.peak_memory_bytes],
                        instructions=[n for m in rounds for n in m.instructions]
                        if all(m.instructions for m in rounds) else [])


def measure_stage(sandbox: Sandbox, a: Candidate, b: Candidate, repetitions: int,
                  core: Optional[int] = None) -> ABStage:
    """`repetitions` rounds of a, a's stub, b, b's stub (every other round in the mirror order: b's stub,
    b, a's stub, a, so that no program always follows the same one), stopping at a failure, as one
    ABStage, every run on CPU `core` when given; a and b run their task's perf cases instead of its
    tests when it has some."""
    programs = [p for c in (a, b) for p in (measured_program(c), None)]
    programs[1::2] = [stub_candidate(p) for p in programs[0::2]]  # a, a_stub, b, b_stub
    rounds: list[list[Measurement]] = [[], [], [], []]
    for number in range(max(1, repetitions)):
        order = (0, 1, 2, 3) if number % 2 == 0 else (3, 2, 1, 0)
        for first, second in (order[:2], order[2:]):
            for i, measured in zip((first, second), sandbox.run_ab(programs[first], programs[second], 1, core)):
                rounds[i].append(measured)
        if any(r[-1].status != "ok" for r in rounds):
            break
    a_full, a_stub, b_full, b_stub = (_joined(r) for r in rounds)
    return ABStage(a_full, b_full, a_stub, b_stub)


FOOTPRINT_RUNS = 5  # runs of a start-up stub; its median peak memory is subtracted from its candidates'


def perf_key(program: Candidate, execute: "ExecuteConfig") -> str:
    return measurement_key(program, execute.backend, execute.limits, FOOTPRINT_RUNS, "perf")


def footprint_key(stub: Candidate, execute: "ExecuteConfig") -> str:
    return content_id("stub_footprint", STUB_VERSION,
                      measurement_key(stub, execute.backend, execute.limits, FOOTPRINT_RUNS, "stub"))


class Unmeasured(Exception):
    """A measurement that could not be made; `dead_letter` says why."""

    def __init__(self, dead_letter: DeadLetter):
        super().__init__(dead_letter.detail)
        self.dead_letter = dead_letter


class _StoreFirstStep(SharedSandboxStep):
    """Store lookups first; runs share the execute stage's sandbox of this worker process."""

    stage = STAGE

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


def _payload(a: "Side", b: "Side") -> dict:
    return {"a": a.candidate.candidate_id, "b": b.candidate.candidate_id}


class _StartedPairs(Started):
    def __init__(self, groups: list[list[tuple["Side", "Side"]]], futures: list[concurrent.futures.Future]):
        super().__init__(futures)
        self.groups = groups

    def finish(self) -> Iterator:
        for group, future in zip(self.groups, self.futures):
            outcome = future.result()
            for a, b in group:
                count("ab.done")
                if isinstance(outcome, DeadLetter):
                    yield DeadLetter.of(outcome.stage, outcome.reason, _payload(a, b), outcome.record_id,
                                        outcome.detail)
                else:
                    yield a, b, outcome


class _MeasurePairAB(InFlightStep, _StoreFirstStep):
    """Batches of groups of pairs sharing their A/B key (the same two programs under twin tasks or
    candidates: measured once, for all of them), a few batches in flight (transforms/in_flight.py). Its
    groups run as many at a time as the sandbox has workers and this process has CPUs: a group's
    rounds run in order on one thread, pinned to a CPU that no other group on the machine holds for
    all its rounds, so its programs neither overlap each other nor share their core."""

    def __init__(self, execute: "ExecuteConfig", config: "LabelConfig", store_path: Optional[StoreRef]):
        super().__init__(execute, store_path)
        self.config = config

    def setup(self) -> None:
        super().setup()
        self._cpus = sorted(os.sched_getaffinity(0))
        workers = self._handle.sandbox.workers if self._handle.sandbox is not None else 1
        self._groups = concurrent.futures.ThreadPoolExecutor(max(1, min(len(self._cpus), workers)), "ab-group")

    def teardown(self) -> None:
        self._groups.shutdown(wait=False, cancel_futures=True)

    def start(self, groups: list[list[tuple["Side", "Side"]]]) -> Started:
        return _StartedPairs(groups, [self._groups.submit(self._on_a_cpu_of_its_own, group) for group in groups])

    def _on_a_cpu_of_its_own(self, group: list[tuple["Side", "Side"]]) -> "tuple[ABStage, ...] | DeadLetter":
        with held_cpu(self._cpus) as cpu:
            return self._stages(*group[0], cpu)

    def _stages(self, a: "Side", b: "Side", cpu: int) -> "tuple[ABStage, ...] | DeadLetter":
        """The pair's stages, from the store or measured on CPU `cpu`, or why they could not be."""
        payload = _payload(a, b)
        stages: list[ABStage] = []
        while more_stages_needed(stages, self.config):  # False once ab_max_stages are measured
            key = ab_key(a, b, self.execute, self.config.ab_repetitions, len(stages) + 1)
            found = self.look_up("ab", [f"{key}/{name}" for name in PROGRAMS])
            if len(found) == len(PROGRAMS):
                stages.append(ABStage(*(found[f"{key}/{name}"] for name in PROGRAMS)))
                continue
            if stages and not self.execute.allow_execute:
                break  # regenerate: decide on the stages the build measured
            repetitions = self.config.ab_repetitions
            try:
                result = self.measure(f"A/B measurement (stage {len(stages) + 1}) of this runtime pair", key, payload,
                                      lambda sandbox: measure_stage(sandbox, a.candidate, b.candidate, repetitions, cpu))
            except Unmeasured as failure:
                return failure.dead_letter  # earlier stages stay stored: a rerun measures only what is missing
            if all(m.status != "sandbox_error" for m in result):  # else retried next run
                self.save("ab", [(f"{key}/{name}", m) for name, m in zip(PROGRAMS, result)])
            stages.append(result)
        return tuple(stages)


class _MeasureFootprint(_StoreFirstStep):
    """(stub id, [(task id, candidate id, stub, perf program or None), ...]) -> (task id, (candidate id,
    stub peak bytes, the perf program's Measurement or None)) per candidate; a stub that does not run
    is a dead letter per candidate."""

    def decide(self, element: tuple[str, list[tuple[str, str, Candidate, Optional[Candidate]]]]) -> Iterator:
        users = list(element[1])
        stub = users[0][2]
        key = footprint_key(stub, self.execute)
        perf = {perf_key(program, self.execute): program for *_, program in users if program is not None}
        found = self.look_up("baseline", [key])
        found.update(self.look_up("measurement", list(perf)))
        missing = ([] if key in found else [(key, stub)]) + [(k, p) for k, p in perf.items() if k not in found]
        if missing:
            try:
                measured = self.measure(f"start-up stub footprint for {stub.language}", key,
                                        {"language": stub.language, "stub": stub.code},
                                        lambda sandbox: sandbox.run_many([p for _, p in missing], FOOTPRINT_RUNS))
            except Unmeasured as failure:
                for _, candidate_id, *_ in users:
                    yield dataclasses.replace(failure.dead_letter, record_id=candidate_id)
                return
            found.update((k, m) for (k, _), m in zip(missing, measured))
            keep = [(k, m) for (k, _), m in zip(missing, measured) if m.status != "sandbox_error"]
            self.save("baseline", [(k, m) for k, m in keep if k == key and m.status == "ok" and m.peak_memory_bytes])
            self.save("measurement", [(k, m) for k, m in keep if k != key])
        footprint = found[key]
        for task_id, candidate_id, _, program in users:
            if footprint.status != "ok" or not footprint.peak_memory_bytes:
                yield DeadLetter.of(STAGE, "startup_stub_failed", {"stub": stub.code, **footprint.to_dict()},
                                    candidate_id, f"the start-up stub of this {stub.language} program (its imports, "
                                    f"none of its code) did not run ({footprint.status}): no memory pairs for it")
            else:
                perf_run = found.get(perf_key(program, self.execute)) if program is not None else None
                yield task_id, (candidate_id, int(statistics.median(footprint.peak_memory_bytes)), perf_run)


class MeasurePairs(beam.PTransform):
    """PCollection[(Side, Side)] -> {"measured": (a, b, (ABStage, ...) one per stage),
    "dead_letters"}. `store_path`: the measurement store (None: none). Pairs are grouped by their
    first stage's key before batching, so pairs of the same two programs (twin tasks) are measured
    once per build: measured twice at once, each would label with its own figures and the store
    keep only one, and a regenerate would not reproduce the other."""

    def __init__(self, execute: "ExecuteConfig", config: "LabelConfig", store_path: Optional[StoreRef] = None):
        super().__init__()
        self.execute, self.config, self.store_path = execute, config, store_path

    def expand(self, pairs):
        concurrent_pairs = self.execute.workers or os.cpu_count() or 1  # a batch of them runs at once
        execute, repetitions = self.execute, self.config.ab_repetitions
        return (pairs
                | "BatchedByFirstStage" >> BatchedByKey(lambda pair: ab_key(*pair, execute, repetitions, 1),
                                                       concurrent_pairs, 4 * concurrent_pairs)
                | "RunAB" >> Routed(_MeasurePairAB(self.execute, self.config, self.store_path), "measured"))


class MeasureStubFootprints(beam.PTransform):
    """PCollection[Candidate] -> {"stub_bytes": (task_id, (candidate_id, median peak bytes of its start-up
    stub, the Measurement of its perf cases or None)) for each candidate with tests, "dead_letters"};
    each distinct stub is measured once, and the program on its task's perf cases (tests.perf) when
    there are some. `store_path`: the measurement store (None: none)."""

    def __init__(self, execute: "ExecuteConfig", store_path: Optional[StoreRef] = None):
        super().__init__()
        self.execute, self.store_path = execute, store_path

    def expand(self, candidates):
        return (candidates
                | "Stubs" >> beam.FlatMap(lambda c: [] if c.tests.is_empty else [
                    (stub_candidate(p).candidate_id, (c.task_id, c.candidate_id, stub_candidate(p), None if p is c else p))
                    for p in [measured_program(c)]])
                | "ByStub" >> beam.GroupByKey()
                | "Footprint" >> Routed(_MeasureFootprint(self.execute, self.store_path), "stub_bytes"))
