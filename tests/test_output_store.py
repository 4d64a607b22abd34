"""The measurement store travels with the output (issue 18 §1-3), with real builds:

- a build on a Dask cluster whose workers each keep a private, empty cache in a private temp
  dir; `themis regenerate --from OUTPUT` (no --store) executes nothing, reproduces the shards;
- the same with OUTPUT on a non-local Beam file system (tests/support/dir_filesystem.py), and
  `themis report` of it;
- incremental: A, then A+B with --reuse_store A executes only B's programs; shards equal a
  build over A+B from the same measurements;
- kill -9 of the driver mid-build, rerun: every stored record kept, none measured again;
- kill -9 of a Dask worker mid-build: Dask runs its lost tasks again on the other worker and the
  build finishes, every record stored once, none measured twice (the other worker reads what the
  dead one stored: transforms/store.py's refresh before executing); when Dask gives up on a task
  instead (its workers died more often than allowed), the build stops with one line, no _SUCCESS,
  and the same command run again finishes it, executing only what was not stored;
- the same program under two tasks on a Dask cluster: one measurement and one A/B measurement per
  pair of programs stored, none re-executed by regenerate, which reproduces the shards (the keyed
  grouping before execution and before A/B; tests/test_execute.py and tests/test_startup_stub.py
  have the deterministic cases that fail without it).
"""
from __future__ import annotations

import json
import os
import pathlib
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))
from dir_filesystem import PREFIX  # noqa: E402  (registers the themistest:// scheme)

from dask_cluster import LocalDaskCluster  # noqa: E402
from kill_build import kill_build_when, kill_worker_when  # noqa: E402
from pipelines.build import make_options, run_build  # noqa: E402
from pipelines.cli import main as cli_main  # noqa: E402
from transforms import store_files  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

TASKS = ("python/top_k_frequent", "python/password_hashing")  # 3 + 2 candidates, one of them buggy
MORE = ("javascript/balanced_brackets",)
EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples" / "tasks.jsonl"
# every kind of record: measurements, A/B stages, baselines, static reports
FLAGS = ["--repetitions", "1", "--ab_repetitions", "4", "--ab_max_stages", "1", "--alpha", "0.2", "--num_shards", "2",
         "--splits", "train=0.5,test=0.5", "--analyzers", "none"]
IN_PROCESS = ["--runner", "DirectRunner", "--direct_running_mode", "in_memory"]


def _corpus(path: pathlib.Path, task_ids) -> pathlib.Path:
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines()]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows if r["task_id"] in task_ids))
    return path


def _files(out: pathlib.Path, folder: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / folder).glob("*")) if p.is_file()}


def _stored(out: str) -> dict[tuple[str, str], str]:
    rows = list(store_files.read_rows([store_files.store_dir_of(out)]))
    keys = {(kind, key): body for kind, key, body, _ in rows}
    assert len(keys) == len(rows), "a key stored twice"
    return keys


def _executed(manifest: dict) -> dict[str, int]:
    return {kind: n["stored"] for kind, n in manifest["store_writes"].items() if n.get("stored")}


def _a_bundle_stored(out: pathlib.Path) -> bool:
    return (out / "store").is_dir() and any(p.suffix == ".parquet" for p in (out / "store").iterdir())


def _stored_count(out: pathlib.Path, kind: str) -> int:
    if not (out / "store").is_dir():
        return 0
    return sum(1 for row in store_files.read_rows([store_files.store_dir_of(str(out))]) if row[0] == kind)


def _assert_regenerates_without_executing(out: pathlib.Path, again: pathlib.Path) -> None:
    assert cli_main(["regenerate", "--from", str(out), "--output", str(again), "--direct_num_workers", "1"]) == 0
    manifest = json.loads((again / "manifest.json").read_text())
    assert _executed(manifest) == {}
    assert "not_in_store" not in json.dumps(manifest["counts"])
    assert _files(again, "data") == _files(out, "data") and _files(out, "data")
    assert (again / "ties.jsonl").read_bytes() == (out / "ties.jsonl").read_bytes()


def test_regenerate_from_a_dask_build_with_private_caches_executes_nothing(tmp_path):
    corpus = _corpus(tmp_path / "tasks.jsonl", TASKS)
    out = tmp_path / "out"
    with LocalDaskCluster(n_workers=2, nthreads=2, private_tmp=True) as cluster:
        manifest = run_build(make_options(["--input", str(corpus), "--output", str(out), "--store", "tmp", *FLAGS,
                                           "--runner", "dask", f"--dask_client_address={cluster.address}"]))
    assert not (out / "store.sqlite").exists()  # the workers' caches stayed in their temp dirs
    stored = _stored(str(out))
    assert {kind for kind, _ in stored} == {"measurement", "ab", "baseline", "static"}
    assert sum(_executed(manifest).values()) == len(stored)  # each record measured once
    assert all(v.endswith(".parquet") for v in os.listdir(out / "store"))
    assert sorted(store_files.kind_of(p) for p in os.listdir(out / "store")) == sorted({k for k, _ in stored})

    _assert_regenerates_without_executing(out, tmp_path / "re")


def test_a_build_and_regenerate_on_a_non_local_file_system_never_open_output_directly(tmp_path, monkeypatch):
    root = tmp_path / "fs"
    root.mkdir()
    monkeypatch.setenv("THEMIS_TEST_FS_ROOT", str(root))
    corpus = _corpus(tmp_path / "tasks.jsonl", TASKS)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # a plain open() or os.makedirs of a themistest:// path would land here
    out = PREFIX + "out"
    manifest = run_build(make_options(["--input", str(corpus), "--output", out, *FLAGS, *IN_PROCESS]))
    assert sum(_executed(manifest).values()) == len(_stored(out)) > 0
    assert cli_main(["regenerate", "--from", out, "--output", PREFIX + "re", *IN_PROCESS]) == 0
    again = json.loads((root / "re" / "manifest.json").read_text())
    assert _executed(again) == {} and "not_in_store" not in json.dumps(again["counts"])
    assert _files(root / "re", "data") == _files(root / "out", "data") and _files(root / "out", "data")
    assert sorted(os.listdir(root / "out")) == ["README.md", "_SUCCESS", "data", "dead_letters", "manifest.json",
                                                "store", "ties.jsonl"]
    assert cli_main(["report", out]) == 0
    assert sorted(os.listdir(root / "out" / "report")) == ["drops.png", "index.html", "margins.png", "pairs.png",
                                                           "ties.png"]
    assert os.listdir(work) == []


def test_incremental_build_executes_only_the_new_tasks(tmp_path):
    first = tmp_path / "a"
    run_build(make_options(["--input", str(_corpus(tmp_path / "a.jsonl", TASKS)), "--output", str(first),
                            *FLAGS, *IN_PROCESS]))
    union = _corpus(tmp_path / "ab.jsonl", TASKS + MORE)
    grown = tmp_path / "ab"
    manifest = run_build(make_options(["--input", str(union), "--output", str(grown), "--reuse_store", str(first),
                                       *FLAGS, *IN_PROCESS]))
    writes = manifest["store_writes"]
    # the 3 JavaScript candidates are measured and scanned; the 5 Python ones come from A's store
    assert writes["measurement"] == {"stored": 3, "copied": 5}
    assert writes["static"] == {"stored": 3, "copied": 5}
    assert _stored(str(first)).items() <= _stored(str(grown)).items()
    # a from-scratch build over A+B from the same measurements: the same shards, nothing executed
    fresh = run_build(make_options(["--input", str(union), "--output", str(tmp_path / "fresh"), "--reuse_store",
                                    str(grown), "--store", str(tmp_path / "empty.sqlite"), *FLAGS, *IN_PROCESS]))
    assert _executed(fresh) == {}
    assert _files(tmp_path / "fresh", "data") == _files(grown, "data") and _files(grown, "data")


def test_a_build_killed_mid_run_resumes_from_its_output_store(tmp_path):
    corpus = _corpus(tmp_path / "tasks.jsonl", TASKS + MORE)
    out = tmp_path / "out"
    args = ["--input", str(corpus), "--output", str(out), *FLAGS]
    kill_build_when([*args, "--direct_num_workers", "1"], lambda: _a_bundle_stored(out), timeout=300, poll=0.05)
    assert not (out / "_SUCCESS").exists()
    before = _stored(str(out))  # every finished file reads back whole
    assert before
    manifest = run_build(make_options(args + IN_PROCESS))
    assert (out / "_SUCCESS").exists()
    after = _stored(str(out))
    assert {k: after[k] for k in before} == before  # nothing stored was lost or replaced
    # nothing stored was executed again: what this run stored is exactly what was missing
    assert sum(_executed(manifest).values()) == len(after) - len(before) > 0
    assert all(check["holds"] for check in manifest["invariants"].values())


def test_the_same_program_under_two_tasks_is_measured_once_on_a_dask_cluster(tmp_path):
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if json.loads(line)["task_id"] in TASKS]
    twins = [{**row, "task_id": row["task_id"] + "_twin"} for row in rows]  # same code and tests: same keys
    corpus = tmp_path / "tasks.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows + twins))
    out = tmp_path / "out"
    with LocalDaskCluster(n_workers=2, nthreads=2, private_tmp=True) as cluster:
        manifest = run_build(make_options(["--input", str(corpus), "--output", str(out), "--store", "tmp", *FLAGS,
                                           "--runner", "dask", f"--dask_client_address={cluster.address}"]))
    rows_stored = [key for kind, key, _, _ in store_files.read_rows([store_files.store_dir_of(str(out))])
                   if kind == "measurement"]
    assert len(rows_stored) == len(set(rows_stored)) == _executed(manifest)["measurement"]
    assert len(rows_stored) == sum(len(r["candidates"]) for r in rows)  # the twins added no execution
    _assert_regenerates_without_executing(out, tmp_path / "re")


def test_a_dask_worker_killed_mid_build_loses_no_record_and_measures_none_twice(tmp_path):
    corpus = _corpus(tmp_path / "tasks.jsonl", TASKS + MORE)
    candidates = sum(len(json.loads(line)["candidates"]) for line in corpus.read_text().splitlines())
    out = tmp_path / "out"
    # No nanny: the dead worker is not replaced, so the survivor runs its lost tasks again, with an index
    # of OUTPUT/store/ read before the dead worker stored its measurements (a fresh process reads it whole).
    with LocalDaskCluster(n_workers=2, nthreads=1, private_tmp=True, nanny=False) as cluster:
        killed, status, stderr = kill_worker_when(
            ["--input", str(corpus), "--output", str(out), "--store", "tmp", *FLAGS, "--runner", "dask",
             f"--dask_client_address={cluster.address}"],
            lambda: _stored_count(out, "measurement") == candidates and cluster.busiest_worker_pid(),
            timeout=400, poll=0.05)
        assert killed is not None and killed not in cluster.pids()  # mid-build, with tasks and results on it
    # Dask ran the lost tasks again: the build finished as if nothing had happened
    assert (status, "Traceback" in stderr) == (0, False), stderr
    assert (out / "_SUCCESS").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert all(check["holds"] for check in manifest["invariants"].values())
    stored = _stored(str(out))  # no key twice, every file whole
    assert {kind for kind, _ in stored} == {"measurement", "ab", "baseline", "static"}
    assert sum(_executed(manifest).values()) == len(stored)  # a task run again measured nothing again
    assert _executed(manifest)["measurement"] == _executed(manifest)["static"] == candidates  # none lost
    _assert_regenerates_without_executing(out, tmp_path / "re")


def test_a_build_whose_dask_task_loses_more_workers_than_allowed_stops_in_one_line_and_resumes(tmp_path):
    corpus = _corpus(tmp_path / "tasks.jsonl", TASKS + MORE)
    out = tmp_path / "out"
    # Dask gives up on a task whose worker dies more than allowed-failures times (3 by default: a task
    # that makes its worker run out of memory); 0 here, so that one kill is enough.
    with LocalDaskCluster(n_workers=2, nthreads=1, private_tmp=True, nanny=False,
                          env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}) as cluster:
        args = ["--input", str(corpus), "--output", str(out), "--store", "tmp", *FLAGS, "--runner", "dask",
                f"--dask_client_address={cluster.address}"]
        killed, status, stderr = kill_worker_when(args, lambda: _a_bundle_stored(out) and cluster.busiest_worker_pid(),
                                                  timeout=400, poll=0.05)
        assert killed is not None and killed not in cluster.pids()
        assert (status, "Traceback" in stderr) == (1, False), stderr
        last = stderr.splitlines()[-1]
        assert last.startswith("themis build: the Dask workers running one task died 1 time(s), more than "
                               "distributed.scheduler.allowed-failures=0 allows (the last: tcp://127.0.0.1:"), stderr
        assert last.endswith("; its log says why, out of memory?); rerun the same command to finish (measurements "
                             "are kept in the store)")
        assert not (out / "_SUCCESS").exists()
        before = _stored(str(out))  # every finished file reads back whole
        assert before
        manifest = run_build(make_options(args))  # the same command, on the worker left
    assert (out / "_SUCCESS").exists()
    after = _stored(str(out))
    assert {k: after[k] for k in before} == before  # nothing stored was lost or replaced
    # nothing stored was executed again: what this run stored is exactly what was missing; and nothing of
    # the failed build went on storing after it exited (its bundle then running finished on the worker)
    assert sum(_executed(manifest).values()) == len(after) - len(before) > 0
    assert all(check["holds"] for check in manifest["invariants"].values())


def test_a_build_and_regenerate_on_a_cluster_without_workers_stop_in_one_line(tmp_path, capsys):
    corpus = _corpus(tmp_path / "tasks.jsonl", TASKS[:1])
    out = tmp_path / "out"
    build = ["--input", str(corpus), "--output", str(out), *FLAGS]
    run_build(make_options(build + IN_PROCESS))  # a finished build to regenerate
    with LocalDaskCluster(n_workers=0) as cluster:
        dask = ["--runner", "dask", f"--dask_client_address={cluster.address}", "--dask_no_worker_timeout", "2"]
        for command in (["regenerate", "--from", str(out), "--output", str(tmp_path / "again"), *dask],
                        ["build", *build, "--overwrite", *dask]):
            capsys.readouterr()
            assert cli_main(command) == 1
            lines = capsys.readouterr().err.strip().splitlines()
            assert lines[-1] == (f"themis {command[0]}: no Dask worker joined the scheduler at {cluster.address} "
                                 "within 2 s (--dask_no_worker_timeout); start workers (`dask worker ADDRESS`); rerun "
                                 "the same command to finish (measurements are kept in the store)"), lines
            assert not any("Traceback" in line for line in lines)
    assert not (tmp_path / "again" / "_SUCCESS").exists() and not (out / "_SUCCESS").exists()
