"""Valid JSON that used to kill the whole build in Read: each is a dead letter with its reason,
and the rows around it are read (issue 21 section 5)."""
import json

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from transforms.parse import ParseTasks
from transforms.read import ReadRows, resolve_sources


def _task(task_id, prompt="Return 1.", code="def f():\n    return 1"):
    return {"task_id": task_id, "language": "Python", "prompt": prompt, "tests": {"code": "assert f() == 1"},
            "candidates": [{"code": code, "origin": "reference"}]}


def test_hostile_valid_json_is_dead_lettered_and_the_build_goes_on(tmp_path):
    lines = [
        json.dumps(_task("good-1")),
        json.dumps(_task("surrogate-code", code="def f():\n    return '\ud800'")),       # "\ud800" escape
        json.dumps(_task("surrogate-prompt", prompt="Return \udfff.")),
        json.dumps(_task("surrogate-key")).replace('"prompt"', '"\\ud834"', 1),
        json.dumps({**_task("huge-int"), "n": 0}).replace('"n": 0', '"n": ' + "9" * 5000),
        json.dumps({**_task("deep"), "x": 0}).replace('"x": 0', '"x": ' + "[" * 200_000 + "]" * 200_000),
        json.dumps(_task("good-2")),
    ]
    assert '\\ud800' in lines[1] and '\\udfff' in lines[2]
    corpus = tmp_path / "tasks.jsonl"
    corpus.write_text("\n".join(lines) + "\n")
    with beam.Pipeline() as p:
        read = p | ReadRows(resolve_sources(str(corpus)))
        parsed = read["rows"] | ParseTasks("auto", {})
        assert_that(read["dead_letters"] | beam.Map(lambda d: (d.stage, d.reason, d.record_id.rsplit(":", 1)[-1])),
                    equal_to([("read", "lone_surrogate", "2"), ("read", "lone_surrogate", "3"),
                              ("read", "lone_surrogate", "4"), ("read", "integer_too_long", "5"),
                              ("read", "nested_too_deep", "6")]), label="DeadLetters")
        assert_that(parsed["tasks"] | beam.Map(lambda t: t.task_id), equal_to(["good-1", "good-2"]), label="Tasks")
