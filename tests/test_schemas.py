import pytest

from schemas import (
    Candidate, DeadLetter, Measurement, PreferencePair, SchemaError, StaticReport, Task, canonical_language,
)
from schemas.records import SCHEMA_VERSION_KEY

TASK = {
    "task_id": "py/add", "language": "py", "prompt": "Add two numbers.",
    "tests": {"code": "assert add(1, 2) == 3"},
    "candidates": [{"code": "def add(a, b):\n    return a + b", "origin": "reference"}],
}


def test_aliases_map_to_canonical_names():
    assert [canonical_language(a) for a in ("c++", "cpp", "c#", "cs", "js", "py", "rb", "GO", "Java", "c")] == [
        "Cpp", "Cpp", "CSharp", "CSharp", "JavaScript", "Python", "Ruby", "Go", "Java", "C"]


def test_task_round_trip_canonicalises_language():
    task = Task.from_dict(TASK)
    assert task.language == "Python"
    assert Task.from_dict(task.to_dict()) == task


@pytest.mark.parametrize("change, message, reason", [
    ({"language": "klingon"}, "Task.language: unknown language 'klingon'", "unknown_language"),
    ({"prompt": "  "}, "Task.prompt: must not be empty", "empty"),
    ({"candidates": [{"code": ""}]}, "Task.candidates[0].code: must not be empty", "empty"),
    ({"candidates": [{"code": "x", "origin": "alien"}]}, "Task.candidates[0].origin: 'alien' is not one of", "invalid_value"),
    ({"tests": {"code": 3}}, "Task.tests.code: expected str, got int", "wrong_type"),
    ({"candidates": "x"}, "Task.candidates: expected a list, got str", "wrong_type"),
])
def test_validation_names_the_bad_field(change, message, reason):
    with pytest.raises(SchemaError) as err:
        Task.from_dict({**TASK, **change})
    assert str(err.value).startswith(message)
    assert err.value.reason == reason


def test_missing_field_is_named():
    row = dict(TASK)
    del row["prompt"]
    with pytest.raises(SchemaError, match=r"^Task.prompt: is required$") as err:
        Task.from_dict(row)
    assert err.value.reason == "missing_field"


def test_arrow_schemas_carry_version_and_round_trip():
    import pyarrow as pa

    pair = PreferencePair(id="p", system="", input="i", chosen="c", rejected="r", language="C",
                          aspect="Functional_Correctness", subset="", source="s", split="train", task_id="t",
                          chosen_id="a", rejected_id="b", chosen_origin="reference", rejected_origin="buggy",
                          margin=1.0, p_value=None)
    report = StaticReport.from_dict({
        "candidate_id": "a", "task_id": "t", "language": "C", "analyzer": "semgrep",
        "findings": [{"rule_id": "r", "cwe": "CWE-120", "severity": "HIGH", "line": 3}], "metrics": {"x": 1.0}})
    for record in (pair, report, Measurement(candidate_id="a", task_id="t", language="C", status="ok",
                                             backend="process", cpu_seconds=[0.5], peak_memory_bytes=[10])):
        schema = type(record).arrow_schema()
        assert schema.metadata[SCHEMA_VERSION_KEY] == b"1"
        table = pa.Table.from_pylist([record.to_dict()], schema=schema)
        assert type(record).from_dict(table.to_pylist()[0]) == record


def test_candidate_ids_are_content_addresses():
    a = Candidate.make_id("t", "C", "int main(){}")
    assert a == Candidate.make_id("t", "C", "int main(){}")
    assert a != Candidate.make_id("t", "C", "int main(){ }")
    assert len(a) == 64


def test_dead_letter_truncates_payload():
    letter = DeadLetter.of("read", "too_large", "x" * 10_000, "f:1")
    assert len(letter.payload) == DeadLetter.PAYLOAD_LIMIT
