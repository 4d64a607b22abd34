"""`python -m transforms.sources`: task JSONL that the build's parser reads back unchanged."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from schemas import Task
from transforms.parse import parse_task
from transforms.sources.__main__ import main

MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
SLOW = "def f(xs):\n    out = []\n    for x in xs:\n        out = out + [x * 2]\n    return out\n"
FAST = "def f(xs):\n    return [x * 2 for x in xs]\n"


def _git(repo: str, *args: str) -> None:
    subprocess.run(["git", "-C", repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.org", *args],
                   check=True, capture_output=True)


def _read(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_commits_to_task_jsonl_with_dedup_and_decontamination(tmp_path):
    repos = []
    for name in ("one", "fork"):  # a fork repeats the same commit: the same task twice
        repo = str(tmp_path / name)
        os.makedirs(repo)
        _git(repo, "init", "-q")
        (tmp_path / name / "LICENSE").write_text(MIT)
        (tmp_path / name / "a.py").write_text(SLOW)
        _git(repo, "add", ".")
        _git(repo, "commit", "-qm", "Initial commit")
        (tmp_path / name / "a.py").write_text(FAST)
        _git(repo, "commit", "-qam", "Speed up f by avoiding quadratic list concatenation")
        repos += ["--repo", repo]
    out = str(tmp_path / "out")
    assert main(["commits", *repos, "--output", out, "--dedup"]) == 0
    rows = _read(os.path.join(out, "tasks.jsonl"))
    dead = _read(os.path.join(out, "dead_letters.jsonl"))
    assert len(rows) == 1 and sorted(d["reason"] for d in dead) == ["exact_duplicate", "multi_file", "multi_file"]
    task = parse_task("tasks.jsonl:1", rows[0], "auto", {})
    assert isinstance(task, Task) and task == Task.from_dict(rows[0])
    assert [c.origin for c in task.candidates] == ["commit_old", "commit_new"] and task.tests.is_empty

    benchmark = tmp_path / "bench.jsonl"
    benchmark.write_text(json.dumps({"prompt": rows[0]["prompt"]}) + "\n")
    clean = str(tmp_path / "clean")
    assert main(["commits", *repos[:2], "--output", clean, "--decontaminate", str(benchmark)]) == 0
    assert _read(os.path.join(clean, "tasks.jsonl")) == []
    assert sorted(d["reason"] for d in _read(os.path.join(clean, "dead_letters.jsonl"))) == ["contaminated", "multi_file"]


def test_corpus_to_task_jsonl(tmp_path):
    subs, probs = tmp_path / "s.jsonl", tmp_path / "p.jsonl"
    subs.write_text("".join(json.dumps({"problem_id": "p1", "language": lang, "code": code, "status": status,
                                        "submission_id": sid}) + "\n"
                            for sid, lang, code, status in (("s1", "Python", "print(3)\n", "Accepted"),
                                                            ("s2", "Python", "print(4)\n", "Wrong Answer"))))
    probs.write_text(json.dumps({"problem_id": "p1", "prompt": "Print 3.", "tests": [
        {"stdin": "", "expected_stdout": "3\n"}]}) + "\n")
    out = str(tmp_path / "out")
    assert main(["corpus", "--submissions", str(subs), "--problems", str(probs), "--output", out]) == 0
    (row,) = _read(os.path.join(out, "tasks.jsonl"))
    task = parse_task("t", row, "auto", {})
    assert sorted(c.metadata["status"] for c in task.candidates) == ["Accepted", "Wrong Answer"]
    assert task.tests.cases[0].expected_stdout == "3\n"


@pytest.mark.slow
def test_mutants_are_appended_to_tasks(tmp_path):
    rows = [json.loads(line) for line in open("/work/shared/data/mceval/C.jsonl", encoding="utf-8")][1:3]
    tasks = [Task.from_dict({"task_id": r["task_id"], "language": "C", "prompt": r["prompt"], "tests": {"code": r["test"]},
                             "candidates": [{"code": r["prompt"] + "\n" + r["canonical_solution"], "origin": "reference"}]})
             for r in rows]
    source = tmp_path / "tasks.jsonl"
    source.write_text("".join(json.dumps(t.to_dict()) + "\n" for t in tasks))
    out = str(tmp_path / "out")
    assert main(["mutants", "--input", str(source), "--output", out, "--max_mutants", "2"]) == 0
    result = {r["task_id"]: [c["origin"] for c in r["candidates"]] for r in _read(os.path.join(out, "tasks.jsonl"))}
    dead = _read(os.path.join(out, "dead_letters.jsonl"))
    # every mutant is either appended (it fails the tests) or dead-lettered (equivalent, or a sandbox error)
    assert sum(o == "mutant" for origins in result.values() for o in origins) + len(dead) == 4
    assert all(origins[0] == "reference" for origins in result.values()) and set(result) == {"C/2", "C/3"}
    assert {d["reason"] for d in dead} <= {"equivalent_mutant", "sandbox_error"}
