"""Functional_Correctness on a real flaky program: set iteration order follows Python's per-process
string hash seed, as Go's map order does (HumanEval-X Go/95), so its repetitions disagree."""
from __future__ import annotations

from sandboxes import Limits
from schemas import Candidate, TestSpec
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, correctness_rule, flaky

LIMITS = Limits(cpu_seconds=2.0, wall_seconds=10.0, memory_bytes=256 * 2 ** 20, compile_seconds=30.0)
CONFIG = LabelConfig()
REPETITIONS = 6
TESTS = TestSpec(code='assert first(["apple", "banana"]) == "apple"\n')
# about one process in two iterates the set with "banana" first
FLAKY = "def first(words):\n    return next(iter(set(words)))\n"
STABLE = "def first(words):\n    return min(set(words))\n"


def cand(code: str) -> Candidate:
    return Candidate(candidate_id=Candidate.make_id("first", "Python", code), task_id="first", language="Python",
                     prompt="The first word.", code=code, origin="submission", tests=TESTS)


def test_a_side_whose_repetitions_disagree_is_a_flaky_tie_not_a_rejected_side(process_sandbox):
    stable = process_sandbox.measure(cand(STABLE), REPETITIONS)
    assert (stable.status, len(stable.wall_seconds)) == ("ok", REPETITIONS)
    # a measurement that passed its first run and failed a later one: each of 16 has about an even chance
    runs = process_sandbox.run_many([cand(FLAKY)] * 16, repetitions=REPETITIONS)
    disagreeing = [m for m in runs if m.status == "test_failure" and len(m.wall_seconds) > 1]
    assert disagreeing, [(m.status, len(m.wall_seconds)) for m in runs]
    flaky_side = Side(cand(FLAKY), disagreeing[0])
    assert flaky(disagreeing[0], LIMITS.cpu_seconds, CONFIG)
    verdict = correctness_rule(Side(cand(STABLE), stable), flaky_side, LIMITS.cpu_seconds, CONFIG)
    assert (verdict.winner, verdict.reason) == (None, "flaky")
    assert verdict.evidence["flaky"] == {"a": False, "b": True}
    assert verdict.evidence["runs"] == {"a": REPETITIONS, "b": len(disagreeing[0].wall_seconds)}
    # a program failing on its first run is a plain failure: the stable side is chosen
    plain = next(m for m in runs if m.status == "test_failure" and len(m.wall_seconds) == 1)
    assert correctness_rule(Side(cand(STABLE), stable), Side(cand(FLAKY), plain), LIMITS.cpu_seconds,
                            CONFIG).winner == "a"
    # against a side that always fails (a flaky reference and its mutant) it is a flaky tie, not silence
    against_failure = correctness_rule(flaky_side, Side(cand(FLAKY), plain), LIMITS.cpu_seconds, CONFIG)
    assert (against_failure.winner, against_failure.reason) == (None, "flaky")
    assert against_failure.evidence["flaky"] == {"a": True, "b": False}
