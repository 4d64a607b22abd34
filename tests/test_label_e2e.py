"""End to end: `themis build` on real McEval Python tasks with variants whose labels are
known, then `themis regenerate` (same config: byte-identical shards; new thresholds:
relabelled without executing anything) and the count invariant across the build."""
from __future__ import annotations

import glob
import json
import os
import sys

import pyarrow.parquet as pq
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))
from kill_build import kill_build_when  # noqa: E402
from pipelines.build import make_options, run_build  # noqa: E402
from pipelines.cli import main as cli_main  # noqa: E402
from transforms.store import Store  # noqa: E402

pytestmark = pytest.mark.slow
MCEVAL = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mceval", "Python.jsonl")
if not os.path.exists(MCEVAL):
    MCEVAL = "/work/shared/data/mceval/Python.jsonl"


def _mceval(task_id: str) -> dict:
    with open(MCEVAL, encoding="utf-8") as fh:
        return next(row for row in map(json.loads, fh) if row["task_id"] == task_id)


def _task(row: dict, variants: dict[str, str]) -> dict:
    reference = row["prompt"] + "\n" + row["canonical_solution"] + "\n"
    return {"task_id": row["task_id"], "language": "Python", "prompt": row["instruction"],
            "tests": {"code": row["test"]}, "source": "mceval", "subset": "test",
            "candidates": [{"code": reference, "origin": "reference"}]
            + [{"code": make(reference), "origin": origin} for origin, make in variants.items()]}


# below_zero: one reference and four variants with a known verdict on one criterion each
BELOW_ZERO = {
    "buggy": lambda ref: ref.replace("balance < 0", "balance <= 0"),                       # fails a test
    "mutant": lambda ref: ref.replace(                                                      # far slower
        "    balance = 0\n", "    balance = 0\n    sum(i * i for i in range(1_000_000))\n"),
    "llm": lambda ref: ref.replace("balance += op", "balance = eval(str(balance) + '+' + str(op))"),  # CWE-95
    "submission": lambda ref: "_BUFFER = b'x' * 20_000_000\n" + ref,                        # 20 MB more
}
FACTORIALS = {
    "buggy": lambda ref: ref.replace("range(1, n + 1)", "range(1, n)"),
    "mutant": lambda ref: ref.replace("    sum_factorials = 0\n", "    sum_factorials = 0  # running total\n"),
}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    corpus = root / "tasks.jsonl"
    with open(corpus, "w", encoding="utf-8") as fh:
        for row, variants in ((_mceval("Python/4"), BELOW_ZERO), (_mceval("Python/10"), FACTORIALS)):
            fh.write(json.dumps(_task(row, variants)) + "\n")
    # Thresholds of 3x separate the intended differences (8x and more) from incidental ones
    # (up to 1.2x between the other variants when the machine is busy).
    flags = ["--input", str(corpus), "--output", str(root / "build"), "--repetitions", "3",
             "--ab_repetitions", "5", "--runtime_ratio", "3", "--memory_ratio", "3", "--splits", "train=0.5,test=0.5", "--num_shards", "2",
             "--direct_num_workers", "2"]
    manifest = run_build(make_options(flags))
    return root, manifest


def _pairs(out) -> list[dict]:
    rows = []
    for path in sorted(glob.glob(os.path.join(out, "data", "*.parquet"))):
        rows += pq.read_table(path).to_pylist()
    return rows


def _shard_bytes(out) -> dict[str, bytes]:
    return {os.path.basename(p): open(p, "rb").read() for p in sorted(glob.glob(os.path.join(out, "data", "*")))}


def test_build_labels_each_criterion_from_its_evidence(build):
    root, _ = build
    pairs = _pairs(root / "build")
    by_aspect: dict[str, list[dict]] = {}
    for pair in pairs:
        by_aspect.setdefault(pair["aspect"], []).append(pair)
    correctness = by_aspect["Functional_Correctness"]
    assert len(correctness) == 4  # below_zero: 4 passing over the buggy one, capped at 3; factorials: 1
    assert {p["rejected_origin"] for p in correctness} == {"buggy"}
    security = by_aspect["Security_Hardness"]
    assert len(security) == 3 and {p["rejected_origin"] for p in security} == {"llm"}
    # the pattern rule and the taint rule both see the eval of the input (one semgrep report: both kept; the
    # margin counts the one weakness once), and bandit's eval-by-name is LOW
    assert all(json.loads(p["evidence"])["extra_findings"] == {"python-code-eval-nonliteral": 1,
                                                               "python-taint-code-injection": 1} for p in security)
    assert all(p["margin"] == 1 for p in security)
    memory = by_aspect["Memory_Efficiency"]
    assert len(memory) == 3 and {p["rejected_origin"] for p in memory} == {"submission"}
    assert all(p["margin"] > 5 for p in memory)
    runtime = by_aspect["Runtime_Efficiency"]
    assert len(runtime) == 3 and {p["rejected_origin"] for p in runtime} == {"mutant"}
    assert all(p["p_value"] < 0.01 and p["margin"] >= 3 for p in runtime)
    evidence = json.loads(runtime[0]["evidence"])
    # 5 runs per side can never reach p < 0.01 / 3 (at best 2/252): the second stage labels
    assert [(s["stage"], s["runs"], s["decision"]) for s in evidence["stages"]] == [(1, 5, "continue"), (2, 10, "label")]
    assert len(evidence["cpu_seconds"]["chosen"]) == len(evidence["cpu_seconds"]["rejected"]) == 10
    # splits by task: each task's pairs in one split
    assert all(len({p["split"] for p in pairs if p["task_id"] == t}) == 1 for t in {p["task_id"] for p in pairs})


def test_count_invariant_across_the_build(build):
    root, manifest = build
    out = root / "build"
    pairs = _pairs(out)
    counted = sum(n for split in manifest["counts"]["pairs"].values() for aspect in split.values()
                  for n in aspect.values())
    assert counted == len(pairs)
    for stage_file in glob.glob(os.path.join(out, "dead_letters", "*.jsonl")):
        stage = os.path.basename(stage_file)[:-len(".jsonl")]
        lines = [json.loads(line) for line in open(stage_file, encoding="utf-8") if line.strip()]
        assert len(lines) == sum(manifest["counts"]["dead_letters"][stage].values())
    label_dead = [json.loads(line) for line in open(out / "dead_letters" / "label.jsonl", encoding="utf-8")]
    assert sorted(d["reason"] for d in label_dead) == ["duplicate_candidate", "over_task_cap"]
    # every stage of the build is checked, not only the first three
    # Python only: bandit is the one analyzer heard; no C/C++ (sanitize) and no security tests
    assert sorted(manifest["invariants"]) == ["analyzers", "baselines", "candidates", "execute", "label",
                                              "measure_pairs", "parse", "read", "readability", "runtime_labels",
                                              "security", "static_labels"]
    assert all(check["holds"] for check in manifest["invariants"].values())
    assert manifest["invariants"]["label"] == {"in": 8, "out": 7, "dropped": {"duplicate_candidate": 1}, "holds": True}
    assert manifest["invariants"]["execute"]["in"] == manifest["invariants"]["execute"]["out"] == 8


def test_regenerate_with_the_build_config_is_byte_identical_and_executes_nothing(build):
    root, manifest = build
    store = Store(manifest["store"])
    stored = store.count()
    assert cli_main(["regenerate", "--from", str(root / "build"), "--output", str(root / "same")]) == 0
    assert _shard_bytes(root / "same") == _shard_bytes(root / "build")
    assert open(root / "same" / "ties.jsonl").read() == open(root / "build" / "ties.jsonl").read()
    assert store.count() == stored


def test_regenerate_with_new_thresholds_relabels_from_the_store(build):
    root, manifest = build
    store = Store(manifest["store"])
    stored = store.count()
    assert cli_main(["regenerate", "--from", str(root / "build"), "--output", str(root / "strict"),
                     "--runtime_ratio", "1000", "--memory_ratio", "1000", "--max_pairs_per_task", "5"]) == 0
    pairs = _pairs(root / "strict")
    aspects = sorted(p["aspect"] for p in pairs)
    assert "Runtime_Efficiency" not in aspects and "Memory_Efficiency" not in aspects
    assert aspects.count("Functional_Correctness") == 5  # the cap no longer bites
    ties = [json.loads(line) for line in open(root / "strict" / "ties.jsonl", encoding="utf-8")]
    runtime_ties = [t for t in ties if t["aspect"] == "Runtime_Efficiency"]
    assert len(runtime_ties) == 3 and {t["reason"] for t in runtime_ties} == {"ratio_below_threshold"}
    # 1000x would want all 6 stages, which the build never measured: decided on the stored ones (two, or three where
    # a busy machine made the build's sequential test go on), and the evidence says how many it lacked
    new_manifest = json.load(open(root / "strict" / "manifest.json"))
    max_stages = new_manifest["config"]["ab_max_stages"]
    evidence = [json.loads(t["evidence"]) for t in runtime_ties]
    assert [e["unmeasured_stages"] for e in evidence] == [max_stages - len(e["stages"]) for e in evidence]
    assert all(0 < len(e["stages"]) < max_stages for e in evidence)
    assert store.count() == stored
    assert new_manifest["config"]["runtime_ratio"] == 1000.0 and new_manifest["config"]["alpha"] == 0.001
    assert "not_in_store" not in json.dumps(new_manifest["counts"].get("dead_letters", {}))


def test_mutants_and_the_cell_cap_are_counted_stages(build):
    root, manifest = build
    out = root / "mutants"
    flags = ["--input", str(root / "tasks.jsonl"), "--output", str(out), "--store", manifest["store"],
             "--repetitions", "3", "--ab_repetitions", "5", "--splits", "train=0.5,test=0.5", "--num_shards", "2",
             "--direct_num_workers", "2", "--mutants", "1", "--aspects", "Functional_Correctness",
             "--max_pairs_per_cell", "2"]
    result = run_build(make_options(flags))
    checks = result["invariants"]
    assert {"mutants", "cap_per_cell"} <= set(checks) and all(check["holds"] for check in checks.values())
    assert checks["mutants"]["in"] > 0 and checks["cap_per_cell"]["out"] == 2
    assert checks["cap_per_cell"]["dropped"] == {"over_cell_cap": checks["cap_per_cell"]["in"] - 2}


def _store_rows(path: str) -> dict[tuple[str, str], str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {(kind, key): body for kind, key, body in conn.execute("SELECT kind, key, body FROM records")}


def test_killed_build_resumes_without_rerunning_what_was_stored(build, tmp_path):
    root, _ = build
    out = tmp_path / "killed"
    store_path = str(out / "store.sqlite")
    args = ["--input", str(root / "tasks.jsonl"), "--output", str(out), "--repetitions", "3", "--ab_repetitions",
            "5", "--splits", "train=0.5,test=0.5", "--num_shards", "2", "--direct_num_workers", "2"]
    kill_build_when(args,
                    lambda: os.path.exists(store_path) and Store(store_path).count("measurement") >= 2,
                    timeout=240, poll=0.2)
    before = _store_rows(store_path)
    assert before and not os.path.exists(out / "_SUCCESS")
    assert cli_main(["build", *args]) == 0
    after = _store_rows(store_path)
    assert {k: after[k] for k in before} == before  # nothing stored was measured again
    assert len(after) > len(before)
    assert _shard_bytes(out) and os.path.exists(out / "_SUCCESS")
