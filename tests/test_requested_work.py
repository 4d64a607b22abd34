"""Only the requested work (issue 18 §5): `--aspects` decides which analyzers and measurements
are composed, and manifest.json says what was left out and why."""
from __future__ import annotations

import json
import pathlib
import shutil

import apache_beam as beam
import pytest

from pipelines.build import build_pipeline, make_options, not_run, run_build
from pipelines.options import ThemisOptions
from pipelines.stage_configs import build_config
from transforms.read import resolve_sources

TASKS = ("python/top_k_frequent", "python/password_hashing")  # 3 + 2 candidates, one of them buggy
OPTIONAL = ("Security", "Readability", "MeasureStubFootprints", "MeasurePairs")


def _composed(corpus: pathlib.Path, tmp_path: pathlib.Path, aspects: str) -> set[str]:
    """The optional stages composed by build_pipeline for `aspects` (the pipeline is not run)."""
    options = make_options(["--input", str(corpus), "--output", str(tmp_path / "out"), "--aspects", aspects])
    config = build_config(options.view_as(ThemisOptions))
    pipeline = beam.Pipeline(runner="DirectRunner")
    try:
        build_pipeline(pipeline, config, resolve_sources(config.input.input, config.input.format))
        labels = {t.unique_name for t in pipeline.to_runner_api().components.transforms.values()}
    finally:
        shutil.rmtree(pipeline.local_tempdir, ignore_errors=True)  # Beam removes it only in run()
    return {name for name in OPTIONAL if name in labels}


@pytest.mark.parametrize("aspects, composed", [
    ("Functional_Correctness", set()),
    ("Security_Hardness", {"Security"}),
    ("Readability_Maintainability", {"Readability"}),
    ("Memory_Efficiency", {"MeasureStubFootprints"}),
    ("Runtime_Efficiency", {"MeasurePairs"}),
    ("Functional_Correctness,Security_Hardness", {"Security"}),
    ("all", set(OPTIONAL)),
])
def test_aspects_decide_the_optional_stages(corpus, tmp_path, aspects, composed):
    assert _composed(corpus, tmp_path, aspects) == composed


def test_not_run_names_each_stage_left_out_and_why():
    assert not_run(("Functional_Correctness", "Memory_Efficiency")) == {
        "security": "semgrep, the added analyzers, security tests and the sanitizer build not run: Security_Hardness not in --aspects",
        "readability": "tree-sitter metrics not run: Readability_Maintainability not in --aspects",
        "measure_pairs": "A/B runtime measurements not run: Runtime_Efficiency not in --aspects",
    }
    assert not_run(("Functional_Correctness", "Memory_Efficiency", "Security_Hardness",
                    "Readability_Maintainability", "Runtime_Efficiency")) == {}


@pytest.mark.slow
def test_correctness_only_build_runs_execute_and_nothing_else(corpus, tmp_path):
    manifest = run_build(make_options([
        "--input", str(corpus), "--output", str(tmp_path / "out"), "--aspects", "Functional_Correctness",
        "--repetitions", "1", "--direct_num_workers", "1"]))
    assert sorted(manifest["not_run"]) == ["baselines", "measure_pairs", "readability", "security"]
    assert sorted(manifest["invariants"]) == ["candidates", "execute", "label", "parse", "read", "static_labels"]
    assert manifest["invariants"]["execute"] == {"in": 5, "out": 5, "dropped": {}, "holds": True}
    assert all(stage["holds"] for stage in manifest["invariants"].values())
    # top_k_frequent: reference and submission each beat the buggy one; password_hashing: a tie
    assert manifest["counts"]["pairs"]["train"] == {"Functional_Correctness": {"Python": 2}}
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Security_Hardness" not in json.dumps(manifest["counts"]) and card


@pytest.mark.slow
def test_two_in_process_builds_in_one_process_both_execute(corpus, tmp_path):
    """The first build removes its private temp dir, the sandbox's folders with it."""
    for name in ("first", "second"):
        manifest = run_build(make_options([
            "--input", str(corpus), "--output", str(tmp_path / name), "--aspects", "Functional_Correctness",
            "--repetitions", "1", "--direct_running_mode", "in_memory", "--progress_interval", "0"]))
        assert manifest["invariants"]["execute"] == {"in": 5, "out": 5, "dropped": {}, "holds": True}, name
