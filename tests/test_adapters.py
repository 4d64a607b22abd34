import glob
import json
import os

import pytest

from schemas import Task
from transforms.adapters import AdapterError, apply_column_map, detect_format, to_task_dict
from transforms.parse import parse_task

MCEVAL_COUNTS = {"C": 50, "Cpp": 50, "CSharp": 50, "Go": 50, "Java": 53, "JavaScript": 50, "Python": 50, "Ruby": 50}
# MBXP rows with a canonical solution; the others have none and are dead-lettered as no_candidates.
MBXP_COUNTS = {"mbcpp_release_v1.2": 773, "mbcsp_release_v1.2": 725, "mbgp_release_v1.1": 0,
               "mbjp_release_v1.2": 874, "mbjsp_release_v1.2": 938, "mbpp_release_v1": 974,
               "mbrbp_release_v1.2": 784}


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_every_mceval_file_loads_with_auto_detection(shared_data):
    by_language = {}
    for path in sorted(glob.glob(os.path.join(shared_data, "mceval", "*.jsonl"))):
        for i, row in enumerate(_rows(path)):
            task = parse_task(f"{path}:{i}", row, "auto", {})
            assert isinstance(task, Task), task
            by_language[task.language] = by_language.get(task.language, 0) + 1
            assert task.source == "mceval" and task.candidates[0].origin == "reference"
            assert task.prompt == row["instruction"]
            assert task.tests.code == row["test"]
    assert by_language == MCEVAL_COUNTS


def test_mceval_python_joins_prompt_and_solution_with_a_newline(shared_data):
    row = _rows(os.path.join(shared_data, "mceval", "Python.jsonl"))[0]
    task = parse_task("x", row, "mceval", {})
    assert task.candidates[0].code == row["prompt"] + "\n" + row["canonical_solution"]


@pytest.mark.parametrize("name", sorted(MBXP_COUNTS))
def test_mbxp_files_load(shared_data, name):
    rows = _rows(os.path.join(shared_data, "mbxp", name + ".jsonl"))
    results = [parse_task(str(i), row, "mbxp", {}) for i, row in enumerate(rows)]
    tasks = [r for r in results if isinstance(r, Task)]
    dead = [r for r in results if not isinstance(r, Task)]
    assert len(tasks) == MBXP_COUNTS[name]
    assert {d.reason for d in dead} <= {"no_candidates"}
    assert len(tasks) + len(dead) == len(rows)
    by_id = {row["task_id"]: row for row in rows}
    for task in tasks:
        row = by_id[task.task_id]
        assert task.prompt.startswith(row["description"].strip())
        assert task.candidates[0].code.endswith(row["canonical_solution"])


def test_humanevalpack_rows_give_reference_and_buggy_candidates():
    row = {"task_id": "JavaScript/0", "declaration": "const add = (a, b) => {\n",
           "prompt": "/* add a and b */\nconst add = (a, b) => {\n", "canonical_solution": "  return a + b;\n};\n",
           "buggy_solution": "  return a - b;\n};\n", "test": "if (add(1, 2) !== 3) process.exit(1);\n",
           "instruction": "Write a JavaScript function add(a, b)."}
    assert detect_format(row) == "humanevalx"
    task = Task.from_dict(to_task_dict(row, "auto"))
    assert task.language == "JavaScript"
    assert [(c.origin, c.code) for c in task.candidates] == [
        ("reference", row["prompt"] + row["canonical_solution"]),
        ("buggy", row["prompt"] + row["buggy_solution"]),
    ]


def test_multiple_completions_become_llm_candidates():
    row = {"name": "HumanEval_0_add", "language": "rb", "prompt": "def add(a, b)\n",
           "completions": ["  a + b\nend\n", "  a - b\nend\n"], "tests": "raise unless add(1, 2) == 3\n"}
    task = Task.from_dict(to_task_dict(row, "multiple"))
    assert task.task_id == "HumanEval_0_add" and task.language == "Ruby"
    assert [c.origin for c in task.candidates] == ["llm", "llm"]
    assert task.tests.code == row["tests"]


def test_column_map_renames_input_columns():
    row = {"problem_id": "p1", "lang": "cpp", "question": "Print 1.", "solutions": [{"code": "int main(){}"}],
           "tests": {"cases": [{"stdin": "", "expected_stdout": "1\n"}]}}
    mapped = apply_column_map(row, {"task_id": "problem_id", "language": "lang", "prompt": "question",
                                    "candidates": "solutions"})
    task = Task.from_dict(to_task_dict(mapped, "auto"))
    assert (task.task_id, task.language, task.prompt) == ("p1", "Cpp", "Print 1.")


def test_unknown_rows_name_their_fields():
    with pytest.raises(AdapterError, match="cannot tell the format of this row \\(fields: a, b\\)"):
        detect_format({"a": 1, "b": 2})


def test_mbxp_python_tests_call_check_on_the_entry_point(shared_data):
    # MBXP's Python tests define check(candidate) but never call it; without the call every program passes.
    row = _rows(os.path.join(shared_data, "mbxp", "mbpp_release_v1.jsonl"))[0]
    task = parse_task("x", row, "mbxp", {})
    assert task.tests.code == row["test"].rstrip() + "\n\n\ncheck(min_cost)\n"


def test_python_tests_that_already_call_check_are_left_alone():
    row = {"task_id": "Python/0", "prompt": "def f():\n", "canonical_solution": "    return 1\n",
           "entry_point": "f", "test": "def check(candidate):\n    assert candidate() == 1\n\ncheck(f)\n"}
    assert Task.from_dict(to_task_dict(row, "mbxp")).tests.code == row["test"]
