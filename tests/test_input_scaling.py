"""--scale_inputs: perf cases from a Python task's own tests, their inputs scaled."""
from __future__ import annotations

import json
import os

import pyarrow.parquet as pq
import pytest

from pipelines.build import make_options, run_build
from sandboxes import Limits, open_sandbox
from schemas.records import Candidate, PerfSpec, Task
from transforms.input_scaling import MAX_CALLS, perf_code, scalable_calls, solution_name, with_scaled_perf
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, runtime_rule
from transforms.measure_pairs import measure_stage
from transforms.parse import parse_task
from transforms.sequential_ab import more_stages_needed

HUMANEVAL_CHECK = '''
def check(candidate):
    assert candidate([1, 2, 3], 2) == [3]
    assert candidate("ab", 1) == "b"
    assert candidate([1, 2, 3], 2) == [3]          # the same call again
    assert candidate(xs, 2) == []                   # not a literal
    assert candidate(5, 2) == 0                     # nothing to scale
    assert abs(candidate((1.5,), 0) - 1.5) < 1e-6   # nested in another expression
    assert other([9], 1) == 1                       # not the solution
check(f)
'''


def test_the_solutions_literal_calls_with_a_sequence_are_found_once_in_order():
    assert scalable_calls(HUMANEVAL_CHECK, "f") == [([1, 2, 3], 2), ("ab", 1), ((1.5,), 0)]
    assert scalable_calls("assert f([1], k=2) == 1\nassert f(*[[1]]) == 1\nassert f([]) == 0\n", "f") == []
    assert scalable_calls("assert f([1, 2]) == 3\n", "f") == [([1, 2],)]  # MBPP: the entry point by name
    assert scalable_calls("def check(:\n", "f") == []


def test_the_solution_is_the_entry_point_else_what_the_tests_hand_to_check():
    assert solution_name(HUMANEVAL_CHECK, "g") == "g"
    assert solution_name(HUMANEVAL_CHECK, "") == "f"  # HumanEval-X: `check(f)` at the end
    assert solution_name("assert f([1]) == 1\n", "") == ""
    assert solution_name("check(f)\ncheck(g)\n", "") == ""  # which one is unclear


def test_perf_code_repeats_each_sequence_whole_to_the_size_and_prints_a_digest():
    assert perf_code("f", [([1, 2, 3], 2), ("ab", 1)], 5) == (
        "import hashlib as _themis_digest\n\n"
        "print(_themis_digest.sha256(repr(f([1, 2, 3, 1, 2, 3], 2)).encode()).hexdigest())\n"
        "print(_themis_digest.sha256(repr(f('ababab', 1)).encode()).hexdigest())\n")
    assert perf_code("f", [([1, 2, 3, 4, 5, 6],)], 5).count("[1, 2, 3, 4, 5, 6]") == 1  # already large enough


def task(language: str = "py", tests: dict | None = None, entry_point: str = "f") -> Task:
    row = {"task_id": "t", "language": language, "prompt": "p", "entry_point": entry_point,
           "tests": tests or {"code": HUMANEVAL_CHECK}, "candidates": [{"code": "def f(xs, k):\n    return xs[k:]\n"}]}
    parsed = parse_task("ref", row, "jsonl", {})
    assert isinstance(parsed, Task), parsed
    return parsed


def test_only_python_tasks_with_an_entry_point_tests_and_no_perf_of_their_own_are_scaled():
    scaled = with_scaled_perf(task(), 4)
    assert scaled.tests.perf == PerfSpec(code=perf_code("f", [([1, 2, 3], 2), ("ab", 1), ((1.5,), 0)], 4))
    assert scaled.tests.code == task().tests.code  # correctness keeps the task's own tests
    own = task(tests={"code": HUMANEVAL_CHECK, "perf": {"code": "print(f([1] * 9, 1))"}})
    unnamed = task(entry_point="", tests={"code": "assert f([1], 2) == []\n"})
    for unchanged in (task(language="js"), unnamed, own, task(tests={"code": "assert f(1, 2)"})):
        assert with_scaled_perf(unchanged, 4) == unchanged
    assert with_scaled_perf(task(), 0) == task()


def test_at_most_max_calls_are_scaled():
    code = "".join(f"assert f([{i}], 0) == []\n" for i in range(MAX_CALLS + 2))
    assert with_scaled_perf(task(tests={"code": code}), 2).tests.perf.code.count("print(") == MAX_CALLS


SCALED_HUMANEVAL = 114  # the other 50 call the solution on numbers only, or on computed arguments


def test_how_many_humaneval_python_tasks_get_scaled_perf_cases(shared_data):
    with open(os.path.join(shared_data, "humanevalx", "humaneval_python.jsonl")) as f:
        tasks = [parse_task(f"humaneval:{i}", json.loads(line), "humanevalx", {}) for i, line in enumerate(f)]
    assert all(isinstance(t, Task) for t in tasks) and len(tasks) == 164
    assert sum(not with_scaled_perf(t, 1000).tests.perf.is_empty for t in tasks) == SCALED_HUMANEVAL


# The running maximum of a list, summed: linear, and quadratic through prefix slices. The task's
# tests are three elements long, so that only the scaled inputs separate the two.
LINEAR = "def f(xs):\n    best, total = xs[0], 0\n    for x in xs:\n        best = max(best, x)\n        total += best\n    return total\n"
QUADRATIC = "def f(xs):\n    return sum(max(xs[:i + 1]) for i in range(len(xs)))\n"


def judged(sandbox, t: Task) -> tuple:
    """(winner, reason): the build's staged A/B rule on the linear (a) and quadratic (b) solutions."""
    a, b = (Candidate(candidate_id=Candidate.make_id("t", "Python", code), task_id="t", language="Python", prompt="",
                      code=code, origin="submission", tests=t.tests) for code in (LINEAR, QUADRATIC))
    config, stages = LabelConfig(), []
    while more_stages_needed(stages, config):
        stages.append(measure_stage(sandbox, a, b, config.ab_repetitions))
    verdict = runtime_rule(Side(a, stages[0].a), Side(b, stages[0].b), stages, config)
    return verdict.winner, verdict.reason


def test_scaled_inputs_separate_a_linear_from_a_quadratic_solution_that_the_tests_cannot():
    small = task(tests={"code": "def check(candidate):\n    assert candidate([3, 1, 2]) == 9\ncheck(f)\n"})
    box = open_sandbox("process", Limits(cpu_seconds=5.0, wall_seconds=20.0))
    try:
        assert judged(box, small) == (None, "below_resolution")
        assert judged(box, with_scaled_perf(small, 3000))[0] == "a"
    finally:
        box.close()


@pytest.mark.slow
def test_a_build_with_scale_inputs_labels_the_linear_solution_faster(tmp_path):
    row = {"task_id": "python/running_max", "language": "Python", "prompt": "Sum the running maximum of xs.",
           "tests": {"code": "def check(candidate):\n    assert candidate([3, 1, 2]) == 9\ncheck(f)\n"},
           "candidates": [{"code": LINEAR, "origin": "reference"}, {"code": QUADRATIC, "origin": "submission"}]}
    (tmp_path / "tasks.jsonl").write_text(json.dumps(row) + "\n")
    manifest = run_build(make_options([
        "--input", str(tmp_path / "tasks.jsonl"), "--output", str(tmp_path / "out"), "--repetitions", "1",
        "--aspects", "Functional_Correctness,Runtime_Efficiency", "--scale_inputs", "3000",
        "--direct_num_workers", "1"]))
    assert manifest["counts"]["scale_inputs"] == {"scaled": 1}
    pairs = pq.read_table(str(tmp_path / "out" / "data")).to_pylist()
    assert [(p["aspect"], p["chosen"]) for p in pairs] == [("Runtime_Efficiency", LINEAR)]
