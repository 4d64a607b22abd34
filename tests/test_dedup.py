"""Exact and near dedup on real MBXP solutions with constructed duplicates; decontamination against McEval."""
from __future__ import annotations

import json
import os
import re

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from schemas import Candidate, CandidateSpec, Task, TestSpec
from transforms.dedup import (
    Contamination, Decontaminate, Deduplicate, MinHashConfig, MinHasher, load_benchmark_texts, normalise, similarity,
)

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")
if not os.path.isdir(DATA):
    DATA = "/work/shared/data"


def _mbxp_python(limit: int) -> list[Candidate]:
    rows = [json.loads(line) for line in open(os.path.join(DATA, "mbxp", "mbpp_release_v1.jsonl"), encoding="utf-8")]
    rows = [r for r in rows if r.get("canonical_solution")][:limit]
    return [_candidate(r["task_id"], r["prompt"] + r["canonical_solution"]) for r in rows]


def _candidate(task_id: str, code: str) -> Candidate:
    return Candidate(candidate_id=Candidate.make_id(task_id, "Python", code), task_id=task_id, language="Python",
                     prompt="", code=code, origin="submission", tests=TestSpec())


def _near_copy(code: str) -> str:
    """A light edit: re-indented with tabs and a comment appended (a few new shingles)."""
    return code.replace("    ", "\t") + "\n# adapted from the reference solution\n"


def _run(transform, records, kept: list[str], dead: list[tuple[str, str]]) -> dict[str, int]:
    """Runs the transform, asserts the kept ids and (reason, id) of the dead letters; returns the counters."""
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | beam.Create(records) | transform
        kept_ids = out["records"] | "KeptIds" >> beam.Map(lambda r: getattr(r, "candidate_id", None) or r.task_id)
        assert_that(kept_ids, equal_to(kept), label="kept")
        assert_that(out["dead_letters"] | "Dead" >> beam.Map(lambda d: (d.reason, d.record_id)), equal_to(dead),
                    label="dead")
    return {r.key.metric.name: r.committed for r in p.result.metrics().query()["counters"]}


def test_minhash_estimates_track_edits():
    hasher = MinHasher(MinHashConfig())
    base = _mbxp_python(3)[2].code
    assert similarity(hasher.signature(base), hasher.signature(base)) == 1.0
    assert similarity(hasher.signature(base), hasher.signature(_near_copy(base))) > 0.75
    assert similarity(hasher.signature(base), hasher.signature(_mbxp_python(3)[0].code)) < 0.2
    assert MinHashConfig().bands() == (11, 11)
    assert normalise("a  \r\n\r\n\tb\n") == "a\n\tb"


def test_dedup_drops_exactly_the_constructed_duplicates():
    originals = _mbxp_python(60)
    hasher = MinHasher(MinHashConfig())
    signatures = [hasher.signature(c.code) for c in originals]
    natural = [(i, j) for i in range(len(originals)) for j in range(i)
               if similarity(signatures[i], signatures[j]) >= 0.75]
    assert natural == []  # the corpus itself has no near duplicates at this threshold
    exact = [_candidate(c.task_id, c.code.replace("\n", "  \r\n") + "\n\n") for c in originals[:5]]
    near = [_candidate(c.task_id, _near_copy(c.code)) for c in originals[5:10]]
    for c, copy in zip(originals[5:10], near):
        assert similarity(hasher.signature(c.code), hasher.signature(copy.code)) >= 0.75
    records = originals + exact + near
    pairs = list(zip(originals[:10], exact + near))
    dead = [("exact_duplicate" if i < 5 else "near_duplicate", max(a.candidate_id, b.candidate_id))
            for i, (a, b) in enumerate(pairs)]
    kept = [c.candidate_id for c in records if c.candidate_id not in {d[1] for d in dead}]
    assert len(kept) == 60  # records in = kept + dropped
    counters = _run(Deduplicate(MinHashConfig()), records, kept, dead)
    assert counters == {"dedup.exact_duplicate": 5, "dedup.near_duplicate": 5}


def test_a_stricter_threshold_keeps_light_edits():
    originals = _mbxp_python(12)
    near = [_candidate(c.task_id, _near_copy(c.code)) for c in originals[5:10]]
    counters = _run(Deduplicate(MinHashConfig(threshold=0.99)), originals + near,
                    [c.candidate_id for c in originals + near], [])
    assert counters == {}


def _task(task_id: str, prompt: str) -> Task:
    return Task(task_id=task_id, language="Python", prompt=prompt, tests=TestSpec(),
                candidates=[CandidateSpec(code="pass\n")])


def test_decontamination_against_mceval_prompts():
    benchmark = load_benchmark_texts([os.path.join(DATA, "mceval", "Python.jsonl")])
    assert len(benchmark) == 50
    clean = [_task(c.task_id, c.code) for c in _mbxp_python(20)]
    words = re.findall(r"\w+", benchmark[7])
    verbatim = [_task(f"leak{i}", f"Please solve:\n{benchmark[i]}\nThanks.") for i in (0, 1, 2)]
    thirteen = _task("leak13", "intro " + " ".join(words[10:23]) + " outro")
    twelve = _task("safe12", "intro " + " ".join(words[10:22]) + " outro")
    records = clean + verbatim + [thirteen, twelve]
    assert Contamination(benchmark).match(thirteen.prompt) == (7, 1)
    leaked = ["leak0", "leak1", "leak2", "leak13"]
    kept = [t.task_id for t in records if t.task_id not in leaked]
    counters = _run(Decontaminate(benchmark, n=13), records, kept, [("contaminated", t) for t in leaked])
    assert len(kept) == 21 and counters == {"dedup.contaminated": 4}


def test_benchmark_loader_names_bad_lines(tmp_path):
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"prompt": "x"}\nnot json\n')
    with pytest.raises(ValueError, match=r"b.jsonl:2: not JSON"):
        load_benchmark_texts([str(bad)])
    plain = tmp_path / "b.txt"
    plain.write_text("whole file")
    assert load_benchmark_texts([str(plain)]) == ["whole file"]
