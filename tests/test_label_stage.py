"""The label stages on Beam's DirectRunner: grouping by task, caps, ties, dead letters, determinism."""
from __future__ import annotations

import collections
import json
import pickle

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline

from bench.bench_pairing import task as big_task
from schemas.records import Candidate, Finding, Measurement, StaticReport, TestSpec
from transforms.label import CapPairsPerCell, GroupByTask, LabelTask, StaticLabels
from transforms.label_config import LabelConfig

MB = 1024 * 1024


def _records():
    """Two Python tasks: t1 with 4 candidates (one failing, one a duplicate), t2 without tests."""
    tests = TestSpec(code="assert add(1, 2) == 3")
    codes = {
        "good": "def add(a, b):\n    return a + b\n",
        "dup": "def add(a, b):  # same program\n    return a+b\n",
        "slow": "def add(a, b):\n    total = 0\n    for x in (a, b):\n        total += x\n    return total\n",
        "bad": "def add(a, b):\n    return a - b\n",
    }
    candidates, measurements, reports = [], [], []
    for name, code in codes.items():
        c = Candidate(candidate_id=Candidate.make_id("t1", "Python", code), task_id="t1", language="Python",
                      prompt="Add.", code=code, origin="submission", tests=tests, source="unit", subset="s")
        candidates.append(c)
        measurements.append(Measurement(candidate_id=c.candidate_id, task_id="t1", language="Python",
                                        status="test_failure" if name == "bad" else "ok", backend="process",
                                        cpu_seconds=[0.02] * 5, peak_memory_bytes=[9 * MB] * 5,
                                        measurement_key=f"m-{name}"))
        findings = [Finding(rule_id="eval-use", cwe="CWE-95", severity="HIGH", line=2)] if name == "slow" else []
        reports.append(StaticReport(candidate_id=c.candidate_id, task_id="t1", language="Python", analyzer="semgrep",
                                    findings=findings, report_key=f"s-{name}"))
        score = {"good": 90.0, "dup": 90.0, "slow": 60.0, "bad": 85.0}[name]
        reports.append(StaticReport(candidate_id=c.candidate_id, task_id="t1", language="Python",
                                    analyzer="tree-sitter", metrics={"lines": float(code.count("\n"))},
                                    readability_score=score, report_key=f"r-{name}"))
    commit = {"criteria": "Readability_Maintainability", "sha": "f00"}
    for origin, code, score in (("commit_old", "x = [ i for i in range(10) if i%2==0 ]\n", 40.0),
                                ("commit_new", "evens = list(range(0, 10, 2))\n", 70.0)):
        c = Candidate(candidate_id=Candidate.make_id("t2", "Python", code), task_id="t2", language="Python",
                      prompt="Refactor.", code=code, origin=origin, tests=TestSpec(), metadata=commit, source="commits")
        candidates.append(c)
        reports.append(StaticReport(candidate_id=c.candidate_id, task_id="t2", language="Python",
                                    analyzer="tree-sitter", readability_score=score, report_key=f"r-{origin}"))
    return candidates, measurements, reports


def _dump(rows: list, path: str) -> None:
    with open(path, "wb") as fh:
        pickle.dump(rows, fh)


def _run(config: LabelConfig, where) -> dict:
    """Runs the static label stages (and the cell cap when set); returns its three outputs as lists (through files: workers are other processes)."""
    candidates, measurements, reports = _records()
    names = ("pairs", "ties", "dead_letters")
    with BeamTestPipeline() as p:
        grouped = {"candidates": p | "C" >> beam.Create(candidates), "measurements": p | "M" >> beam.Create(measurements),
                   "reports": p | "R" >> beam.Create(reports)} | GroupByTask()
        out = grouped | StaticLabels(config, cpu_limit=10.0)
        if config.max_pairs_per_cell:
            capped = out["pairs"] | CapPairsPerCell(config)
            out = {"pairs": capped["pairs"], "ties": out["ties"],
                   "dead_letters": (out["dead_letters"], capped["dead_letters"]) | beam.Flatten()}
        for name in names:
            out[name] | f"Collect{name}" >> beam.combiners.ToList() | f"Dump{name}" >> beam.Map(
                _dump, str(where / name))
    collected = {}
    for name in names:
        with open(where / name, "rb") as fh:
            collected[name] = pickle.load(fh)
    return collected


STATIC = "Functional_Correctness,Security_Hardness,Readability_Maintainability"


def test_label_stage_pairs_ties_and_dead_letters(tmp_path):
    result = _run(LabelConfig(aspects=STATIC, max_pairs_per_task=1), tmp_path)
    pairs = sorted(result["pairs"], key=lambda p: (p.task_id, p.aspect))
    assert [(p.task_id, p.aspect) for p in pairs] == [
        ("t1", "Functional_Correctness"), ("t1", "Readability_Maintainability"), ("t1", "Security_Hardness"),
        ("t2", "Readability_Maintainability")]
    codes = {name: c.code for name, c in zip(("good", "dup", "slow", "bad"), _records()[0])}
    # t1: distinct programs good, slow, bad ('dup' is 'good' after normalisation)
    assert pairs[0].rejected == codes["bad"] and pairs[0].chosen in (codes["good"], codes["slow"])
    assert (pairs[1].chosen, pairs[1].rejected) == (codes["good"], codes["slow"])
    assert json.loads(pairs[1].evidence)["readability_score"] == {"chosen": 90.0, "rejected": 60.0}
    assert (pairs[2].chosen, pairs[2].rejected) == (codes["good"], codes["slow"])
    assert json.loads(pairs[2].evidence)["extra_findings"] == {"eval-use": 1}
    refactor = pairs[3]
    assert refactor.chosen == "evens = list(range(0, 10, 2))\n" and refactor.chosen_origin == "commit_new"
    assert json.loads(refactor.evidence)["basis"] == "refactoring_commit"
    reasons = sorted((d.reason for d in result["dead_letters"]))
    # one duplicate; correctness: good>bad, slow>bad -> 1 over the cap
    assert reasons == ["duplicate_candidate", "over_task_cap"]
    assert result["ties"] == []


def test_label_stage_is_deterministic_and_caps_cells(tmp_path):
    config = LabelConfig(aspects=STATIC, max_pairs_per_task=3)
    first, second = _run(config, tmp_path), _run(config, tmp_path)
    assert sorted(p.to_dict()["id"] for p in first["pairs"]) == sorted(p.id for p in second["pairs"])
    assert sorted(json.dumps(p.to_dict(), sort_keys=True) for p in first["pairs"]) == \
        sorted(json.dumps(p.to_dict(), sort_keys=True) for p in second["pairs"])
    assert len(first["pairs"]) == 5  # correctness 2, security 1, readability t1 1, t2 1
    capped = _run(LabelConfig(aspects=STATIC, max_pairs_per_task=3, max_pairs_per_cell=1), tmp_path)
    assert sorted((p.language, p.aspect) for p in capped["pairs"]) == [
        ("Python", "Functional_Correctness"), ("Python", "Readability_Maintainability"),
        ("Python", "Security_Hardness")]
    over = [d for d in capped["dead_letters"] if d.reason == "over_cell_cap"]
    assert len(over) == 2
    kept_ids = {p.id for p in capped["pairs"]}
    assert kept_ids | {d.record_id for d in over} == {p.id for p in first["pairs"]}


def test_a_task_of_10000_distinct_candidates_gives_bounded_output():
    """Pairing used to be quadratic before any cap (200 candidates: 9,997 dead letters; 10,000:
    about 50 million verdicts). Now pairs are drawn among 200 programs and each kind of record is
    listed at most 100 times per task, with one more record counting the rest."""
    step = LabelTask(LabelConfig(), cpu_limit=10.0)
    outputs = list(step.process(big_task(10_000)))  # the task bench/bench_pairing.py times
    tagged = collections.defaultdict(list)
    for output in outputs:
        tagged[output.tag if isinstance(output, TaggedOutput) else "pairs"].append(
            output.value if isinstance(output, TaggedOutput) else output)
    counts = dict(tagged["counts"])
    assert counts["stages/label/out"] == 200 and counts["stages/label/dropped/not_paired"] == 9_800
    dead = collections.Counter(d.reason for d in tagged["dead_letters"])
    assert dead == {"not_paired": 101, "over_task_cap": 101}
    unlisted = {d.reason: json.loads(d.payload) for d in tagged["dead_letters"] if "unlisted" in d.payload}
    assert unlisted["not_paired"] == {"task_id": "big", "unlisted": 9_700}
    labelled = counts["stages/static_labels/in"]
    assert counts["stages/static_labels/out"] == 12 and counts["stages/static_labels/dropped/over_task_cap"] == labelled - 12
    assert unlisted["over_task_cap"]["unlisted"] == labelled - 12 - 100
    assert sorted(collections.Counter(p.aspect for p in tagged["pairs"]).items()) == [
        ("Functional_Correctness", 3), ("Memory_Efficiency", 3), ("Readability_Maintainability", 3),
        ("Security_Hardness", 3)]
    assert [t["aspect"] for t in tagged["ties"]] == ["Memory_Efficiency"] * 101 and tagged["ties"][-1]["unlisted"] > 0
    assert len(tagged["proposals"]) == 3
    assert sum(len(d.payload) for d in tagged["dead_letters"]) < 2_000_000
