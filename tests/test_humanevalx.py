"""HumanEval-X / HumanEvalPack rows in every language, laid out as the dataset's harness does,
run with the libraries its harness provides, in both sandbox backends (issue 16 sections 1, 2)."""
from __future__ import annotations

import json
import os

import pytest

from sandboxes import Limits, SandboxUnavailable, open_sandbox
from schemas import DeadLetter, Task
from transforms.candidates import task_candidates
from transforms.parse import parse_task
from tests.sandbox_suite import candidate

FILES = {"Cpp": "cpp", "Go": "go", "Java": "java", "JavaScript": "js", "Python": "python"}
LIMITS = Limits(wall_seconds=30.0, compile_seconds=60.0)


def rows(shared_data: str, language: str) -> dict[str, dict]:
    with open(os.path.join(shared_data, "humanevalx", f"humaneval_{FILES[language]}.jsonl"), encoding="utf-8") as fh:
        return {row["task_id"]: row for row in map(json.loads, fh)}


def test_go_candidate_starts_with_the_package_line_and_the_test_with_its_imports(shared_data):
    row = rows(shared_data, "Go")["Go/0"]
    task = parse_task("Go/0", row, "humanevalx", {})
    assert task.candidates[0].code == "package main\n\n" + row["prompt"] + row["canonical_solution"]
    assert task.tests.code == ('import (\n    "testing"\n    "github.com/stretchr/testify/assert"\n)\n\n'
                               + row["test"])


def test_go_imports_kept_apart_from_the_prompt_are_put_back(shared_data):
    row = rows(shared_data, "Go")["Go/0"]
    row = {**row, "prompt": row["prompt"][len(row["import"]):]}
    task = parse_task("Go/0", row, "humanevalx", {})
    assert task.candidates[0].code == "package main\n\n" + row["import"] + row["prompt"] + row["canonical_solution"]


def test_cpp_candidate_gets_the_declaration_headers_its_prompt_lacks(shared_data):
    row = rows(shared_data, "Cpp")["CPP/0"]
    task = parse_task("CPP/0", row, "humanevalx", {})
    assert task.candidates[0].code == "#include<algorithm>\n#include<stdlib.h>\n" + row["prompt"] + row["canonical_solution"]


@pytest.mark.parametrize("language", ["Java", "JavaScript", "Python"])
def test_other_languages_are_prompt_plus_solution(shared_data, language):
    for task_id, row in rows(shared_data, language).items():
        task = parse_task(task_id, row, "humanevalx", {})
        assert task.candidates[0].code == row["prompt"] + row["canonical_solution"], task_id
        assert task.tests.code == row["test"]


@pytest.mark.parametrize("missing,message", [
    (("prompt", "declaration"), "prompt: missing (a HumanEval-X row needs `prompt` or `declaration`)"),
    (("test",), "test: missing (a HumanEval-X row carries its test code in `test`)"),
])
def test_a_row_without_the_layout_fields_is_a_dead_letter_naming_the_field(shared_data, missing, message):
    row = {k: v for k, v in rows(shared_data, "Go")["Go/0"].items() if k not in missing}
    dead = parse_task("ref", row, "humanevalx", {})
    assert isinstance(dead, DeadLetter)
    assert (dead.stage, dead.reason, dead.detail) == ("parse", "unreadable_format", message)


@pytest.fixture(scope="module", params=["process", pytest.param("docker", marks=pytest.mark.docker)])
def sandbox(request):
    try:
        box = open_sandbox(request.param, LIMITS)
    except SandboxUnavailable as exc:
        pytest.skip(f"{request.param} backend unavailable: {exc}")
    yield box
    box.close()


# Each needs a fix of issue 16: Go's package line and imports, Boost, OpenSSL with -lcrypto, js-md5.
@pytest.mark.parametrize("language,task_id", [("Go", "Go/0"), ("Go", "Go/162"), ("Cpp", "CPP/22"),
                                              ("Cpp", "CPP/162"), ("JavaScript", "JavaScript/162")])
def test_canonical_solutions_pass(shared_data, sandbox, language, task_id):
    task = parse_task(task_id, rows(shared_data, language)[task_id], "humanevalx", {})
    assert isinstance(task, Task)
    reference = task_candidates(task)[0][0]
    measured = sandbox.run_many([reference], repetitions=1)[0]
    assert measured.status == "ok", measured.stderr_tail


# javac reports every use of the missing class after the missing package: the first error is kept
JAVA_USES = "".join(f'        System.out.println(StringUtils.capitalize("word number {i}"));\n' for i in range(12))


@pytest.mark.parametrize("language,code,named", [
    ("Cpp", "#include <fmt/core.h>\nint main() { return 0; }\n", "fmt/core.h: No such file or directory"),
    ("JavaScript", "const sha = require('js-sha3');\n", "Cannot find module 'js-sha3'"),
    ("Python", "import numpyx\nprint(numpyx.zeros(2))\n", "No module named 'numpyx'"),
    ("Go", 'package main\nimport "github.com/google/uuid"\nfunc main() { println(uuid.NewString()) }\n',
     "cannot find module providing package github.com/google/uuid"),
    ("Java", "import org.apache.commons.lang3.StringUtils;\npublic class Main {\n"
             f"    public static void main(String[] a) {{\n{JAVA_USES}    }}\n}}\n",
     "error: package org.apache.commons.lang3 does not exist"),
])
def test_a_missing_library_is_named_in_stderr_tail(sandbox, language, code, named):
    measured = sandbox.run_many([candidate(language, code)], repetitions=1)[0]
    assert measured.status == ("runtime_error" if language in ("JavaScript", "Python") else "compile_error")
    assert named in measured.stderr_tail
