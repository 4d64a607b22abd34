"""The dataset card and `themis report` on a build directory written with the project's own writers."""
from __future__ import annotations

import json
import os

import yaml

from pipelines import manifest as mf
from pipelines.card import render_card
from pipelines.cli import main as cli_main
from schemas.records import DeadLetter, PreferencePair

COUNTS = mf.fold_counts([
    ("pairs/train/Functional_Correctness/Python", 4), ("pairs/train/Runtime_Efficiency/C", 2),
    ("pairs/test/Functional_Correctness/C", 1), ("ties/Runtime_Efficiency", 3),
    ("dead_letters/label/duplicate_candidate", 2), ("dead_letters/execute/not_in_store", 1),
])
MANIFEST = {
    "input": {"spec": "examples/tasks.jsonl", "format": "jsonl", "fingerprint": "ab" * 32},
    "config": {"sandbox": "process", "alpha": 0.001, "runtime_ratio": 1.5, "memory_ratio": 1.2,
               "max_pairs_per_task": 2, "ab_repetitions": 12, "ab_max_stages": 3,
               "security_min_severity": "high"},
    "counts": COUNTS,
    "invariants": {"read": {"in": 5, "out": 4, "dropped": {"too_large": 1}, "holds": True}},
}


def test_card_front_matter_tables_and_thresholds():
    card = render_card(MANIFEST)
    _, front, body = card.split("---\n", 2)
    info = yaml.safe_load(front)["dataset_info"]
    assert [f["name"] for f in info["features"]] == [f.name for f in PreferencePair.arrow_schema()]
    assert {f["name"]: f["dtype"] for f in info["features"]}["margin"] == "float64"
    assert info["splits"] == [{"name": "test", "num_examples": 1}, {"name": "train", "num_examples": 6}]
    assert "| criterion | C | Python | total |" in body
    assert "| Functional_Correctness | 1 | 4 | 5 |" in body
    assert "| Runtime_Efficiency | 2 | 0 | 2 |" in body
    assert "| **total** | 3 | 4 | 7 |" in body
    assert ("in up to 3 stages of 12 runs each, and each side's CPU time over its stub's is compared (at least 5 ms: "
            "both under it is a `below_resolution` tie); after each stage, labelled when a two-sided Mann-Whitney U test on "
            "all runs so far gives p < 0.001 / 3 (Bonferroni over the stages) and the Hodges-Lehmann CPU-time ratio "
            "(median of the pairwise ratios) is at least 1.5; a tie, recorded in ties.jsonl, when that ratio is "
            "under 1.1 or after the last stage.") in body
    assert "severity HIGH or higher" in body
    assert "| label.duplicate_candidate | 2 |" in body and "| Runtime_Efficiency | 3 |" in body


def _build_dir(root) -> str:
    """manifest.json, one shard, dead letters and ties, as the build writes them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(root / "data")
    os.makedirs(root / "dead_letters")
    mf.write_json(MANIFEST, str(root / mf.MANIFEST_FILE))
    rows = [PreferencePair(id=f"p{i}", system="", input="task", chosen="a", rejected="b", language="C",
                           aspect="Runtime_Efficiency", subset="", source="t", split="train", task_id="t",
                           chosen_id="a", rejected_id="b", chosen_origin="submission", rejected_origin="submission",
                           margin=1.3 + i / 10, p_value=0.001).to_dict() for i in range(2)]
    pq.write_table(pa.Table.from_pylist(rows, schema=PreferencePair.arrow_schema()),
                   root / "data" / "train-00000-of-00001.parquet")
    with open(root / "dead_letters" / "label.jsonl", "w") as fh:
        for _ in range(2):
            fh.write(json.dumps(DeadLetter.of("label", "duplicate_candidate", {}).to_dict()) + "\n")
    with open(root / "ties.jsonl", "w") as fh:
        fh.write(json.dumps({"aspect": "Runtime_Efficiency", "reason": "not_significant"}) + "\n")
    return str(root)


def test_report_writes_html_and_pngs(tmp_path, capsys):
    build = _build_dir(tmp_path / "build")
    assert cli_main(["report", build]) == 0
    report = os.path.join(build, "report")
    assert sorted(os.listdir(report)) == ["drops.png", "index.html", "margins.png", "pairs.png", "ties.png"]
    for name in ("drops.png", "margins.png", "pairs.png", "ties.png"):
        with open(os.path.join(report, name), "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    page = open(os.path.join(report, "index.html"), encoding="utf-8").read()
    assert "<b>7</b> pairs, 2 dropped records, 1 recorded ties" in page
    assert "<td>read</td><td>5</td><td>4</td><td>1</td><td>holds</td>" in page
    assert "report written to" in capsys.readouterr().out


def test_report_and_regenerate_explain_a_missing_build(tmp_path, capsys):
    assert cli_main(["report", str(tmp_path)]) == 2
    assert "manifest.json not found" in capsys.readouterr().err
    assert cli_main(["regenerate", "--from", str(tmp_path), "--output", str(tmp_path / "new")]) == 2
    assert "--from must be the output directory of a finished `themis build`" in capsys.readouterr().err
