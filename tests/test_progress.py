"""Progress while a build runs (issue 18 §4): the pure figures and line, and real builds showing
it as plain lines (no terminal), as a line rewritten in place (a pseudo-terminal) and on Dask."""
from __future__ import annotations

import json
import os
import pathlib
import pty
import re
import subprocess
import sys

import pytest

from dask_cluster import dask_cluster  # noqa: F401 (fixture)
from pipelines import manifest as mf
from pipelines import progress as pg
from pipelines.progress import CLEAR_TO_END, LOG_PREFIX, Progress, clock, format_line, progress_of, rate_and_eta

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
TASKS = ("python/top_k_frequent", "python/password_hashing")  # the corpus: 3 + 2 candidates, one of them buggy
LINE = re.compile(r"(?P<clock>\d\d:\d\d) tasks (?P<tasks>\d+), candidates (?P<candidates>\d+), "
                  r"execute (?P<execute>\d+)(?:/(?P<execute_total>\d+))? \(executed (?P<executed>\d+), "
                  r"from store (?P<from_store>\d+); [^)]*\), A/B (?P<ab>\d+)(?:/(?P<ab_total>\d+))? \([^)]*\), "
                  r"pairs (?P<pairs>\d+), dead letters (?P<dead>\d+)$")


def test_clock():
    assert [clock(0), clock(12.7), clock(754), clock(3725)] == ["00:00", "00:12", "12:34", "1:02:05"]


def test_rate_and_eta():
    assert rate_and_eta(10, 40, 5.0) == "2.0/s, ETA 00:15"
    assert rate_and_eta(10, None, 5.0) == "2.0/s, ETA unknown"
    assert rate_and_eta(0, 40, 5.0) == "0.0/s, ETA unknown"
    assert rate_and_eta(40, 40, 8.0) == "5.0/s, done"
    assert rate_and_eta(0, None, 0.0) == "0.0/s, ETA unknown"


def test_progress_of_sums_stages_and_knows_totals_once_their_stage_began_or_their_inputs_finished():
    counters = {pg.TASKS: 3, pg.CANDIDATES: 12, pg.EXECUTED: 4, pg.FROM_STORE: 2, pg.NO_TESTS: 1, pg.AB_PROPOSED: 6,
                pg.AB_DONE: 2,
                "themis:label.pairs.Functional_Correctness": 5, "themis:label.pairs.Runtime_Efficiency": 1,
                "themis:label.ties.Runtime_Efficiency": 9, "themis:parse.parsed": 3,
                "themis.dead_letters:execute.sandbox_error": 1, "themis.dead_letters:read.bad_json": 2}
    # execute and A/B have begun: each stands behind a GroupByKey, so all of their inputs are counted
    running = progress_of(counters)
    assert running == Progress(tasks=3, candidates=12, executed=4, from_store=2, execute_done=8, execute_total=12,
                               ab_done=2, ab_total=6, pairs=6, dead_letters=3)
    assert progress_of(counters, {"Candidates/Explode/Route", "StaticLabels/Rules/Route"}) == running
    assert format_line(running, 4.0) == (
        "00:04 tasks 3, candidates 12, execute 8/12 (executed 4, from store 2; 2.0/s, ETA 00:02), "
        "A/B 2/6 (0.5/s, ETA 00:08), pairs 6, dead letters 3")
    assert format_line(running, 9.0, {"execute": 4.0, "ab": 1.0}) == (
        "00:09 tasks 3, candidates 12, execute 8/12 (executed 4, from store 2; 2.0/s, ETA 00:02), "
        "A/B 2/6 (2.0/s, ETA 00:02), pairs 6, dead letters 3")
    # not begun: candidates may still be coming, unless the step making them is known finished
    early = {pg.TASKS: 3, pg.CANDIDATES: 7, pg.AB_PROPOSED: 2}
    assert (progress_of(early).execute_total, progress_of(early).ab_total) == (None, None)
    assert format_line(progress_of(early), 4.0) == (
        "00:04 tasks 3, candidates 7, execute 0 (executed 0, from store 0; 0.0/s, ETA unknown), "
        "A/B 0 (0.0/s, ETA unknown), pairs 0, dead letters 0")
    finished = progress_of(early, {"Candidates/Explode/Route", "StaticLabels/Rules/Route"})
    assert (finished.execute_total, finished.ab_total) == (7, 2)


def test_a_negative_interval_is_one_line_and_exit_2(corpus, tmp_path, capsys):
    from pipelines.build import main

    assert main(["--input", str(corpus), "--output", str(tmp_path / "out"), "--progress_interval", "-1"]) == 2
    assert capsys.readouterr().err == (
        "themis build: --progress_interval must be 0 (no progress) or more seconds, not -1\n")


@pytest.fixture(scope="module")
def corpus_with_a_bad_row(corpus, tmp_path_factory) -> pathlib.Path:
    """The two tasks and one line that is not JSON: a read dead letter."""
    path = tmp_path_factory.mktemp("bad") / "tasks.jsonl"
    path.write_text(corpus.read_text() + "{not json\n")
    return path


def _build_argv(corpus: pathlib.Path, out: pathlib.Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "build", "--input", str(corpus), "--output", str(out),
            "--aspects", "Functional_Correctness", "--repetitions", "1", "--progress_interval", "0.5", *flags]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, **extra}


def _figures(line: str) -> dict[str, int]:
    """The counts of a progress line, executed and from store summed as the manifest counts them."""
    match = LINE.search(line)
    assert match, line
    n = {k: int(v) for k, v in match.groupdict().items() if k not in ("clock", "execute_total", "ab_total") and v is not None}
    n["measured"] = n.pop("executed") + n.pop("from_store")
    return n


def _log_lines(stderr: str) -> list[str]:
    return [line[len(LOG_PREFIX):] for line in stderr.splitlines() if line.startswith(LOG_PREFIX)]


def _manifest_figures(out: pathlib.Path) -> dict[str, int]:
    manifest = json.loads((out / mf.MANIFEST_FILE).read_text())
    stages = manifest["invariants"]
    return {"tasks": stages["parse"]["out"], "candidates": stages["candidates"]["out"],
            "execute": stages["execute"]["in"], "measured": stages["execute"]["out"], "ab": 0,
            "pairs": sum(n for *_, n in mf.pairs_table_rows(manifest["counts"])),
            "dead": sum(mf.dead_letter_totals(manifest["counts"]).values())}


@pytest.mark.slow
def test_build_without_a_terminal_logs_plain_progress_lines_ending_at_the_manifest_counts(
        corpus_with_a_bad_row, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(_build_argv(corpus_with_a_bad_row, out, "--direct_num_workers", "1"), cwd=REPO_ROOT,
                          env=_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = _log_lines(done.stderr)
    assert len(lines) >= 2, done.stderr  # at least one while running, and the final one
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    expected = _manifest_figures(out)
    assert expected["dead"] >= 1 and expected["pairs"] >= 1 and expected["tasks"] == 2
    assert _figures(lines[-1]) == expected
    assert f"execute {expected['execute']}/{expected['candidates']} " in lines[-1]  # totals known at the end
    # once execute has begun, the local runner's lines know its total (a GroupByKey stands before it)
    begun = [line for line in lines if _figures(line)["measured"] > 0]
    assert begun and all(f"/{expected['candidates']} " in line for line in begun), lines
    assert all(_figures(line)["execute"] <= expected["execute"] for line in lines)


@pytest.mark.slow
def test_build_on_a_terminal_rewrites_one_line_and_clears_it(corpus_with_a_bad_row, tmp_path):
    out = tmp_path / "out"
    controller, terminal = pty.openpty()
    process = subprocess.Popen(_build_argv(corpus_with_a_bad_row, out, "--direct_num_workers", "1"), cwd=REPO_ROOT,
                               env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the build closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=600) == 0
    text = b"".join(chunks).decode()
    assert LOG_PREFIX not in text
    live = [part[:-len(CLEAR_TO_END)] for part in text.split("\r") if part.endswith(CLEAR_TO_END) and LINE.search(part[:-len(CLEAR_TO_END)])]
    assert len(live) >= 2, text
    assert _figures(live[-1]) == _manifest_figures(out)
    assert "\r" + CLEAR_TO_END in text  # the live line is cleared at the end
    assert text.index("\r" + CLEAR_TO_END) > text.rindex(live[-1])


SLOW_TASK = {"task_id": "python/slow", "language": "Python", "prompt": "Return 1, slowly.", "entry_point": "slow",
             "tests": {"code": "assert slow() == 1\n"},
             "candidates": [{"code": "import time\n\ndef slow():\n    time.sleep(3)\n    return 1\n", "origin": "reference"}]}


@pytest.mark.slow
def test_dask_build_shows_progress_from_the_clusters_counters(corpus_with_a_bad_row, dask_cluster, tmp_path):  # noqa: F811
    # a program that runs 3 s: the execute stage is still running at a poll after the candidates are known
    # (without it, a whole small build could finish between two polls on a busy machine: CI saw that once)
    corpus = tmp_path / "tasks.jsonl"
    corpus.write_text(corpus_with_a_bad_row.read_text() + json.dumps(SLOW_TASK) + "\n")
    out = tmp_path / "out"
    argv = _build_argv(corpus, out, "--runner", "dask", f"--dask_client_address={dask_cluster.address}")
    done = subprocess.run(argv, cwd=REPO_ROOT, env=_env(CI="true"), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = _log_lines(done.stderr)
    assert len(lines) >= 2, done.stderr
    expected = _manifest_figures(out)
    assert _figures(lines[-1]) == expected
    # Dask says which steps have finished: once the candidates are, the execute stage's total is known
    assert any(re.search(r"execute \d+/%d " % expected["candidates"], line) for line in lines[:-1]), lines


@pytest.mark.slow
def test_the_final_line_counts_every_ab_pair_measured_two_at_a_time(corpus, tmp_path):
    """The A/B stage measures pairs on threads of its own, one per CPU; their counts must still reach
    Beam's metrics, which the final line is made of (it read "A/B 0/N" when counted on those threads)."""
    argv = _build_argv(corpus, tmp_path / "out", "--direct_num_workers", "1", "--sandbox_workers", "2")
    argv[argv.index("Functional_Correctness")] = "Functional_Correctness,Runtime_Efficiency"
    done = subprocess.run(argv, cwd=REPO_ROOT, env=_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    final = LINE.search(_log_lines(done.stderr)[-1])
    proposed = int(final["ab_total"])
    assert proposed >= 2 and int(final["ab"]) == proposed
