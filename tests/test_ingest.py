"""Read -> parse -> candidates on a corrupt input: nothing stops the build, nothing is lost."""
import json

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from transforms.candidates import ExplodeCandidates
from transforms.parse import ParseTasks
from transforms.read import ReadRows, resolve_sources


def task(task_id, language="Python", codes=("def f():\n    return 1",), prompt="Return 1."):
    return {"task_id": task_id, "language": language, "prompt": prompt, "tests": {"code": "assert f() == 1"},
            "candidates": [{"code": c, "origin": "reference"} for c in codes]}


def write_corrupt_corpus(path):
    lines = [
        json.dumps(task("good", codes=("def f():\n    return 1", "def f():\n    return 2"))).encode(),
        b'{"task_id": "broken", "language": ',                                   # invalid JSON
        json.dumps({k: v for k, v in task("no-prompt").items() if k != "prompt"}).encode(),
        json.dumps(task("klingon", language="klingon")).encode(),
        json.dumps(task("latin1")).encode()[:-2] + b'\xe9\xff"}',               # not UTF-8
        json.dumps(task("empty-code", codes=("   ",))).encode(),
        json.dumps(task("huge", codes=("x = 1\n" * 900_000,))).encode(),        # ~5 MB
        json.dumps(task("dup", codes=("def f():\n    return 1",))).encode(),
        json.dumps(task("dup", codes=("def f():\n    return 11",))).encode(),   # same id again
        json.dumps(task("twice", codes=("def f():\n    return 1",) * 2)).encode(),
        b'[1, 2, 3]',
        b"",                                                                   # blank lines are not records
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return 11


def test_corrupt_input_is_dead_lettered_with_reasons_and_counts_balance(tmp_path):
    corpus = tmp_path / "tasks.jsonl"
    n_records = write_corrupt_corpus(corpus)
    with beam.Pipeline() as p:
        read = p | ReadRows(resolve_sources(str(corpus)), max_record_bytes=1 << 20)
        parsed = read["rows"] | ParseTasks("auto", {})
        exploded = parsed["tasks"] | ExplodeCandidates()
        dead = [read["dead_letters"], parsed["dead_letters"], exploded["dead_letters"]] | "Dead" >> beam.Flatten()
        assert_that(dead | beam.Map(lambda d: (d.stage, d.reason, d.record_id.rsplit(":", 1)[-1] if d.stage != "candidates" else "")),
                    equal_to([
                        ("read", "invalid_json", "2"), ("read", "not_utf8", "5"), ("read", "too_large", "7"),
                        ("read", "not_an_object", "11"), ("parse", "missing_field", "3"),
                        ("parse", "unknown_language", "4"), ("parse", "empty", "6"),
                        ("parse", "duplicate_task_id", "dup"), ("candidates", "duplicate_candidate", ""),
                    ]), label="DeadLetters")
        assert_that(parsed["tasks"] | beam.Map(lambda t: t.task_id), equal_to(["good", "dup", "twice"]), label="Tasks")
        assert_that(exploded["candidates"] | beam.Map(lambda c: (c.task_id, c.code[-2:])),
                    equal_to([("good", " 1"), ("good", " 2"), ("dup", "11"), ("twice", " 1")]), label="Candidates")
        # records in = out + dropped, per stage
        n_rows = read["rows"] | "CountRows" >> beam.combiners.Count.Globally()
        n_read_dead = read["dead_letters"] | "CountReadDead" >> beam.combiners.Count.Globally()
        assert_that((n_rows, n_read_dead) | "Both" >> beam.Flatten() | beam.CombineGlobally(sum),
                    equal_to([n_records]), label="ReadBalance")


def test_duplicate_ids_keep_the_same_record_whatever_the_order(tmp_path):
    from schemas import Task, content_id

    rows = [task("dup", codes=("def f():\n    return 1",)), task("dup", codes=("def f():\n    return 11",))]
    expected = min(rows, key=lambda r: content_id(Task.from_dict(r).to_dict()))["candidates"][0]["code"]
    for name, order in (("ab", rows), ("ba", rows[::-1])):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in order) + "\n")
        with beam.Pipeline() as p:
            parsed = p | ReadRows(resolve_sources(str(path)))
            kept = parsed["rows"] | ParseTasks()
            assert_that(kept["tasks"] | beam.Map(lambda t: t.candidates[0].code), equal_to([expected]))


def _read_task_ids(spec, fmt="auto"):
    with beam.Pipeline() as p:
        read = p | ReadRows(resolve_sources(spec, fmt))
        parsed = read["rows"] | ParseTasks(fmt)
        ids = parsed["tasks"] | beam.Map(lambda t: (t.task_id, t.language, len(t.candidates)))
        assert_that(ids, equal_to([("a", "Cpp", 2), ("b", "Ruby", 1)]))


ROWS = [task("a", language="c++", codes=("int f(){return 1;}", "int f(){return 2;}")),
        task("b", language="rb", codes=("def f = 1",))]


def test_parquet_input(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "tasks.parquet")
    _read_task_ids(str(tmp_path / "tasks.parquet"))


def test_datasets_directory_input(tmp_path):
    import datasets

    datasets.Dataset.from_list(ROWS).save_to_disk(str(tmp_path / "ds"))
    _read_task_ids(str(tmp_path / "ds"))
    datasets.DatasetDict({"train": datasets.Dataset.from_list(ROWS)}).save_to_disk(str(tmp_path / "dd"))
    _read_task_ids(str(tmp_path / "dd"), "datasets")
