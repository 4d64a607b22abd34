"""Solution corpora: CodeNet trees and JSONL rows grouped into Tasks."""
from __future__ import annotations

import json
import os

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from schemas import DeadLetter, Task
from transforms.sources.tasks import CorpusConfig, CorpusSource, html_to_text, problem_tasks, read_codenet_problem

PY_OK = "a, b = map(int, input().split())\nprint(a + b)\n"
PY_WRONG = "a, b = map(int, input().split())\nprint(a - b)\n"
C_OK = '#include <stdio.h>\nint main(void) { int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a + b); return 0; }\n'

SUBMISSIONS = [
    {"submission_id": "s1", "problem_id": "p00001", "language": "Python", "status": "Accepted", "code": PY_OK},
    {"submission_id": "s2", "problem_id": "p00001", "language": "Python", "status": "Wrong Answer", "code": PY_WRONG},
    {"submission_id": "s3", "problem_id": "p00001", "language": "Python", "status": "Accepted", "code": PY_OK + "\n\n"},
    {"submission_id": "s4", "problem_id": "p00001", "language": "C", "status": "Accepted", "code": C_OK},
    {"submission_id": "s5", "problem_id": "p00001", "language": "Haskell", "status": "Accepted", "code": "main = pure ()"},
    {"submission_id": "s6", "problem_id": "p00001", "language": "C++", "status": "Compile Error", "code": " "},
    {"submission_id": "s7", "problem_id": "p00002", "language": "Python", "status": "Accepted", "code": "print(1)\n"},
]
PROBLEM = {"problem_id": "p00001", "prompt": "Read two integers and print their sum.",
           "tests": [{"stdin": "1 2\n", "expected_stdout": "3\n"}]}


def _split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Task)], [i for i in items if isinstance(i, DeadLetter)]


def test_groups_submissions_by_problem_and_language():
    tasks, dead = _split(problem_tasks("p00001", PROBLEM, [s for s in SUBMISSIONS if s["problem_id"] == "p00001"]))
    assert [(t.language, len(t.candidates)) for t in tasks] == [("C", 1), ("Python", 2)]
    python = tasks[1]
    assert python.prompt == PROBLEM["prompt"] and python.tests.cases[0].expected_stdout == "3\n"
    assert sorted((c.metadata["submission_id"], c.metadata["status"]) for c in python.candidates) == [
        ("s1", "Accepted"), ("s2", "Wrong Answer")]
    assert {c.origin for c in python.candidates} == {"submission"}
    assert sorted((d.reason, d.record_id) for d in dead) == [
        ("duplicate_submission", "s3"), ("empty_code", "s6"), ("unknown_language", "s5")]


def test_status_filter_and_candidate_limit():
    rows = [s for s in SUBMISSIONS if s["problem_id"] == "p00001"]
    tasks, dead = _split(problem_tasks("p00001", PROBLEM, rows, CorpusConfig(statuses=("Accepted",))))
    assert [(t.language, len(t.candidates)) for t in tasks] == [("C", 1), ("Python", 1)]
    assert ("status_filtered", "s2") in [(d.reason, d.record_id) for d in dead]
    tasks, dead = _split(problem_tasks("p00001", PROBLEM, rows, CorpusConfig(max_candidates=1)))
    assert [len(t.candidates) for t in tasks] == [1, 1]
    assert sorted(d.reason for d in dead) == ["empty_code", "over_candidate_limit", "over_candidate_limit", "unknown_language"]


def test_problem_without_statement_drops_its_submissions():
    tasks, dead = _split(problem_tasks("p00002", None, [SUBMISSIONS[-1]]))
    assert tasks == [] and [(d.reason, d.record_id) for d in dead] == [("no_problem", "s7")]


def _codenet_tree(root: str) -> None:
    os.makedirs(os.path.join(root, "metadata"))
    os.makedirs(os.path.join(root, "problem_descriptions"))
    io_dir = os.path.join(root, "derived", "input_output", "data", "p00001")
    os.makedirs(io_dir)
    with open(os.path.join(io_dir, "input.txt"), "w") as fh:
        fh.write("1 2\n")
    with open(os.path.join(io_dir, "output.txt"), "w") as fh:
        fh.write("3\n")
    with open(os.path.join(root, "problem_descriptions", "p00001.html"), "w") as fh:
        fh.write("<h1>Sum</h1>\n<p>Read two integers &amp; print their sum.</p>")
    with open(os.path.join(root, "metadata", "p00001.csv"), "w") as fh:
        fh.write("submission_id,problem_id,user_id,date,language,original_language,filename_ext,status,cpu_time,memory\n")
        for sid, lang, ext, status in (("s1", "Python", "py", "Accepted"), ("s2", "Python", "py", "Wrong Answer"),
                                       ("s4", "C", "c", "Accepted")):
            fh.write(f"{sid},p00001,u1,1400000000,{lang},{lang},{ext},{status},10,2048\n")
    for sid, lang, ext, code in (("s1", "Python", "py", PY_OK), ("s2", "Python", "py", PY_WRONG), ("s4", "C", "c", C_OK)):
        os.makedirs(os.path.join(root, "data", "p00001", lang), exist_ok=True)
        with open(os.path.join(root, "data", "p00001", lang, f"{sid}.{ext}"), "w") as fh:
            fh.write(code)


def test_reads_a_codenet_tree(tmp_path):
    _codenet_tree(str(tmp_path))
    problem, subs = read_codenet_problem(str(tmp_path), "p00001")
    assert problem["prompt"] == "Sum\nRead two integers & print their sum."
    assert problem["tests"] == [{"stdin": "1 2\n", "expected_stdout": "3\n"}]
    assert [(s["submission_id"], s["code"]) for s in subs] == [("s1", PY_OK), ("s2", PY_WRONG), ("s4", C_OK)]
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | CorpusSource(codenet_root=str(tmp_path))
        shapes = out["tasks"] | beam.Map(lambda t: (t.language, sorted(c.metadata["status"] for c in t.candidates),
                                                    t.subset, t.source))
        assert_that(shapes, equal_to([("C", ["Accepted"], "p00001", "codenet"),
                                      ("Python", ["Accepted", "Wrong Answer"], "p00001", "codenet")]))


def test_jsonl_corpus_in_beam(tmp_path):
    subs, probs = tmp_path / "subs.jsonl", tmp_path / "problems.jsonl"
    subs.write_text("".join(json.dumps(s) + "\n" for s in SUBMISSIONS) + "not json\n")
    probs.write_text(json.dumps(PROBLEM) + "\n")
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | CorpusSource(submissions=str(subs), problems=str(probs))
        assert_that(out["tasks"] | beam.Map(lambda t: (t.language, len(t.candidates))), equal_to([("C", 1), ("Python", 2)]))
        assert_that(out["dead_letters"] | beam.Map(lambda d: d.reason), equal_to(
            ["bad_row", "duplicate_submission", "empty_code", "no_problem", "unknown_language"]), label="dead")
    counters = {r.key.metric.name: r.committed for r in p.result.metrics().query()["counters"]}
    assert counters == {"sources.tasks.tasks": 2, "sources.tasks.bad_row": 1, "sources.tasks.duplicate_submission": 1,
                        "sources.tasks.empty_code": 1, "sources.tasks.no_problem": 1, "sources.tasks.unknown_language": 1}


def test_html_to_text():
    assert html_to_text("<p>a &lt; b</p>\n\n\n<p>c</p>") == "a < b\n\nc"


def test_malformed_problem_tests_drop_its_submissions():
    broken = dict(PROBLEM, tests=[{"stdin": "1 2\n"}])
    tasks, dead = _split(problem_tasks("p00001", broken, SUBMISSIONS[:2]))
    assert tasks == [] and [d.reason for d in dead] == ["bad_problem", "bad_problem"]
    assert "expected_stdout: is required" in dead[0].detail
