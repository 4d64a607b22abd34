"""Both static-analysis stages in one Beam pipeline (DirectRunner), with their counters and dead letters."""
import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Candidate, TestSpec
from transforms.readability import MeasureReadability
from transforms.security import ScanSecurity, SecurityConfig


def make(code: str, language: str) -> Candidate:
    return Candidate(candidate_id=Candidate.make_id("t", language, code), task_id="t", language=language,
                     prompt="p", code=code, origin="submission", tests=TestSpec())


CANDIDATES = [
    make('import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n', "Python"),
    make('def load(text):\n    return int(text)\n', "Python"),
    make('const h = require("crypto").createHash("md5");\n', "JavaScript"),
    make('package main\n\nfunc main() {}\n', "Go"),
    make('fun main() = println("hi")\n', "Kotlin"),  # no grammar or rules: a dead letter in each stage
]


def _counter(result, name):
    matches = result.metrics().query(beam.metrics.MetricsFilter().with_name(name))["counters"]
    return sum(m.committed for m in matches)


@pytest.mark.slow
def test_scan_and_measure_in_one_pipeline(tmp_path):
    pipeline = beam.Pipeline(runner="DirectRunner")
    candidates = pipeline | beam.Create(CANDIDATES)
    security = candidates | "Security" >> ScanSecurity(SecurityConfig(), str(tmp_path / "s.db"))
    readability = candidates | "Readability" >> MeasureReadability()

    findings = security["reports"] | "Findings" >> beam.Map(
        lambda r: (r.language, r.analyzer, tuple(f.rule_id for f in r.findings)))
    assert_that(findings, equal_to([
        ("Python", "semgrep", ("python-unsafe-deserialization",)),
        ("Python", "semgrep", ()),
        ("JavaScript", "semgrep", ("js-weak-hash-or-cipher",)),
        ("Go", "semgrep", ()),
    ]), label="security reports")
    assert_that(security["dead_letters"] | "SecDead" >> beam.Map(lambda d: (d.stage, d.reason)),
                equal_to([("security", "unsupported_language")]), label="security dead letters")

    scores = readability["reports"] | "Scores" >> beam.Map(
        lambda r: (r.language, r.analyzer, r.metrics["function_count"], 0 <= r.readability_score <= 100))
    assert_that(scores, equal_to([
        ("Python", "tree-sitter", 1.0, True), ("Python", "tree-sitter", 1.0, True),
        ("JavaScript", "tree-sitter", 0.0, True), ("Go", "tree-sitter", 1.0, True),
    ]), label="readability reports")
    assert_that(readability["dead_letters"] | "ReadDead" >> beam.Map(lambda d: (d.stage, d.reason)),
                equal_to([("readability", "failed")]), label="readability dead letters")

    result = pipeline.run()
    result.wait_until_finish()
    assert _counter(result, "security.scanned") == 4
    assert _counter(result, "security.with_findings") == 2
    assert _counter(result, "security.unsupported_language") == 1
    assert _counter(result, "readability.measured") == 4
    assert _counter(result, "readability.failed") == 1
