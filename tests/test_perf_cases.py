"""tests.perf: performance cases used only for runtime and memory, never for correctness."""
from __future__ import annotations

import pytest

from sandboxes import Limits, open_sandbox
from schemas.records import Candidate, IOCase, Measurement, PerfSpec, TestSpec
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, memory_rule, runtime_rule
from transforms.measure_pairs import measure_stage
from transforms.parse import parse_task
from transforms.sequential_ab import ABStage

MB = 1024 * 1024
TASK = {"task_id": "t", "language": "py", "prompt": "p", "candidates": [{"code": "def f(n):\n    return n\n"}]}


@pytest.mark.parametrize("perf, detail", [
    ("f(10)", "Task.tests.perf: expected an object, got str"),
    ({"cases": [{"stdin": 1, "expected_stdout": ""}]}, "Task.tests.perf.cases[0].stdin: expected str, got int"),
    ({"cases": [{"stdin": "1"}]}, "Task.tests.perf.cases[0].expected_stdout: is required"),
    ({"code": "f(1)", "cases": [{"stdin": "", "expected_stdout": ""}]}, "Task.tests.perf: give code or cases, not both"),
])
def test_a_malformed_perf_is_a_parse_dead_letter_naming_the_field(perf, detail):
    dead = parse_task("ref", {**TASK, "tests": {"code": "assert f(1) == 1", "perf": perf}}, "jsonl", {})
    assert (dead.stage, dead.detail) == ("parse", detail)


def test_without_perf_the_measurement_keys_do_not_change():
    assert TestSpec(code="x").to_dict() == {"code": "x", "cases": []}
    assert TestSpec(code="x", perf=PerfSpec(code="y")).to_dict()["perf"] == {"code": "y", "cases": []}


PERF = TestSpec(code="assert f(3) == 3\n", perf=PerfSpec(code="print(f(10))\n"))


def candidate(code: str, tests: TestSpec = PERF) -> Candidate:
    return Candidate(candidate_id=Candidate.make_id("t", "Python", code), task_id="t", language="Python",
                     prompt="", code=code, origin="submission", tests=tests)


def run(c: Candidate, status: str = "ok", cpu=(0.1,) * 10, peak=(10 * MB,) * 5, stdout: str = "10\n") -> Measurement:
    return Measurement(candidate_id=c.candidate_id, task_id="t", language="Python", status=status, backend="process",
                       cpu_seconds=list(cpu), peak_memory_bytes=list(peak), stdout_tail=stdout)


def sides():
    a, b = candidate("def f(n):\n    return n\n"), candidate("def f(n):\n    return n + 0\n")
    return Side(a, run(a)), Side(b, run(b))


def stage(a: Side, b: Side, status=("ok", "ok"), stdout=("10\n", "10\n")) -> ABStage:
    slow, fast = [0.3 + i / 1000 for i in range(10)], [0.1 + i / 1000 for i in range(10)]
    return ABStage(run(a.candidate, status[0], slow, stdout=stdout[0]), run(b.candidate, status[1], fast, stdout=stdout[1]),
                   run(a.candidate, cpu=(0.01,) * 10), run(b.candidate, cpu=(0.01,) * 10))


def test_a_failed_or_disagreeing_perf_run_ties_the_runtime_pair_with_its_reason():
    a, b = sides()
    assert runtime_rule(a, b, [stage(a, b)], LabelConfig()).winner == "b"
    failed = runtime_rule(a, b, [stage(a, b, status=("ok", "timeout"))], LabelConfig())
    assert failed.winner is None and failed.reason == "perf_case_failed"
    assert failed.evidence["ab_status"]["b"] == ["timeout", "ok"]
    differs = runtime_rule(a, b, [stage(a, b, stdout=("10\n", "11\n"))], LabelConfig())
    assert differs.winner is None and differs.reason == "perf_output_differs"
    assert differs.evidence["stdout_tail"] == {"a": "10\n", "b": "11\n"}


def test_memory_on_perf_cases_uses_their_peaks_and_ties_on_a_failed_case():
    a, b = sides()  # the tests' runs: the same 10 MB
    lean, hungry = run(a.candidate, peak=(12 * MB,) * 5), run(b.candidate, peak=(30 * MB,) * 5)
    verdict = memory_rule(a, b, (8 * MB, 8 * MB), LabelConfig(), perf=(lean, hungry))
    assert verdict.winner == "a" and verdict.margin == pytest.approx(22 / 4) and verdict.evidence["cases"] == "perf"
    assert memory_rule(a, b, (8 * MB, 8 * MB), LabelConfig()).winner is None  # the tests alone: a tie
    failed = memory_rule(a, b, (8 * MB, 8 * MB), LabelConfig(), perf=(lean, run(b.candidate, "memory_limit")))
    assert failed.winner is None and failed.reason == "perf_case_failed"


def test_the_ab_stage_runs_the_perf_code_not_the_tests():
    tests = TestSpec(code="assert f(3) == 3\n", perf=PerfSpec(cases=[IOCase("4\n", "8\n")]))
    a = candidate("import sys\ndef f(n):\n    return n\nif __name__ == '__main__' and not sys.stdin.isatty():\n"
                  "    data = sys.stdin.read().strip()\n    if data:\n        print(2 * int(data))\n", tests)
    b = candidate("def f(n):\n    return n\n", PERF)  # the tests print nothing, the perf code f(10)
    box = open_sandbox("process", Limits(cpu_seconds=5.0, wall_seconds=20.0))
    try:
        measured_a = measure_stage(box, a, a, 2)
        measured_b = measure_stage(box, b, b, 2)
    finally:
        box.close()
    assert [m.status for m in measured_a] == ["ok"] * 4 and measured_a.a.stdout_tail == "8\n"
    assert [m.status for m in measured_b] == ["ok"] * 4 and measured_b.a.stdout_tail == "10\n"
