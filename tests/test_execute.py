"""The execute stage: store first, sandbox for the rest, dead letters for machine failures."""
from __future__ import annotations

import threading

import apache_beam as beam
import pytest
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from sandboxes import Limits
from sandboxes.engine import results_of
from sandboxes.process import ProcessSandbox
from schemas import Candidate, Measurement, TestSpec
from transforms.execute import Execute, ExecuteConfig, finish_batch, measure_batch, start_batch
from transforms.store import Store

LIMITS = Limits(cpu_seconds=2.0, wall_seconds=10.0, memory_bytes=256 * 2 ** 20, compile_seconds=30.0)


def cand(task: str, code: str, test: str = "", language: str = "Python") -> Candidate:
    return Candidate(candidate_id=Candidate.make_id(task, language, code), task_id=task, language=language,
                     prompt="", code=code, origin="submission", tests=TestSpec(code=test))


ADD = "def add(a, b):\n    return a + b\n"
CANDIDATES = [
    cand("t1", ADD, "assert add(1, 2) == 3\n"),
    cand("t2", ADD, "assert add(1, 2) == 3\n"),  # same program as t1: measured once
    cand("t1", "def add(a, b):\n    return a - b\n", "assert add(1, 2) == 3\n"),
    cand("t1", "def add(a, b) return\n", "assert add(1, 2) == 3\n"),
    cand("t3", ADD),  # no tests: static criteria only
    cand("t4", "#include <stdio.h>\nint main(void) { puts(\"c\"); return 0; }\n", "", "C").replace(
        tests=TestSpec(code="/* main above */")),
]


def test_measure_batch_uses_the_store_and_runs_each_program_once(process_sandbox, tmp_path):
    config = ExecuteConfig(limits=LIMITS, repetitions=2)
    store = Store(str(tmp_path / "store.sqlite"))
    first = measure_batch(CANDIDATES, config, process_sandbox, store)
    assert [m.status for m in first.measurements] == ["ok", "ok", "test_failure", "compile_error", "ok"]
    assert [m.task_id for m in first.measurements[:2]] == ["t1", "t2"]
    assert first.measurements[0].measurement_key == first.measurements[1].measurement_key
    assert first.dead_letters == []
    assert first.counts == {"no_tests": 1, "executed": 5, "status.ok": 3, "status.test_failure": 1,
                            "status.compile_error": 1}
    assert store.count("measurement") == 4
    assert all(len(m.cpu_seconds) == 2 for m in first.measurements if m.status == "ok")

    again = measure_batch(CANDIDATES, config, process_sandbox, store)
    assert again.counts["cached"] == 5 and "executed" not in again.counts
    assert again.measurements == first.measurements


def test_a_batch_started_behind_a_slow_one_is_finished_first(process_sandbox):
    """The execute stage keeps a few batches in flight: one slow program holds its own worker, and the
    next batch's programs run on the other meanwhile, instead of waiting for the slow batch to end."""
    config = ExecuteConfig(limits=LIMITS, repetitions=1)
    slow = start_batch([cand("slow", "import time\ntime.sleep(3)\n", "pass\n")], config, process_sandbox)
    fast = finish_batch(start_batch(CANDIDATES[:3], config, process_sandbox))
    assert [m.status for m in fast.measurements] == ["ok", "ok", "test_failure"]
    assert not any(future.done() for future in slow.running.values())
    assert [m.status for m in finish_batch(slow).measurements] == ["ok"]


def test_overlapping_submissions_share_the_sandboxs_workers(process_sandbox, monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()
    measure = process_sandbox.measure

    def counted(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return measure(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(process_sandbox, "measure", counted)
    sleepy = [cand(f"s{i}", f"import time\ntime.sleep(0.3)\nX = {i}\n", "assert X >= 0\n") for i in range(4)]
    first, second = process_sandbox.submit_many(sleepy[:2]), process_sandbox.submit_many(sleepy[2:])
    assert [m.status for m in results_of(first + second)] == ["ok"] * 4
    assert peak[0] == process_sandbox.workers == 2


def test_regenerate_never_executes(tmp_path):
    config = ExecuteConfig(limits=LIMITS, allow_execute=False)
    out = measure_batch(CANDIDATES[:1], config, None, Store(str(tmp_path / "s.sqlite")))
    assert out.measurements == []
    assert [(d.stage, d.reason, d.record_id) for d in out.dead_letters] == [
        ("execute", "not_in_store", CANDIDATES[0].candidate_id)]


def test_sandbox_failures_become_dead_letters_and_are_not_stored(tmp_path):
    # pids.max=0: the sandbox cannot even start its namespace init, a failure of the machine, not the program
    broken = Limits(pids=0, wall_seconds=5.0)
    config, store_path = ExecuteConfig(limits=broken, repetitions=1), str(tmp_path / "s.sqlite")
    with ProcessSandbox(broken) as box:
        out = measure_batch(CANDIDATES[:1], config, box, Store(store_path))
    assert out.measurements == []
    assert [d.reason for d in out.dead_letters] == ["sandbox_error"]
    assert Store(store_path).count() == 0
    unavailable = measure_batch(CANDIDATES[:1], config, None, None, sandbox_error="bwrap missing")
    assert [(d.reason, d.detail) for d in unavailable.dead_letters] == [("sandbox_unavailable", "bwrap missing")]


@pytest.mark.slow
def test_execute_transform_end_to_end(tmp_path):
    # batches of one: more than InFlightStep.in_flight, so records come out of both process and finish_bundle
    config = ExecuteConfig(limits=LIMITS, repetitions=1, workers=2, batch_size=1)
    store_path = str(tmp_path / "store.sqlite")
    pipeline = test_pipeline.TestPipeline()
    outputs = pipeline | beam.Create(CANDIDATES) | Execute(config, store_path)
    statuses = outputs["measurements"] | "Status" >> beam.Map(lambda m: (m.task_id, m.status))
    assert_that(statuses, equal_to([("t1", "ok"), ("t2", "ok"), ("t1", "test_failure"), ("t1", "compile_error"),
                                    ("t4", "ok")]), label="measured")
    assert_that(outputs["dead_letters"], equal_to([]), label="no dead letters")
    result = pipeline.run()
    result.wait_until_finish()
    counters = {c.key.metric.name: c.committed for c in result.metrics().query()["counters"]}
    assert counters["execute.no_tests"] == 1
    assert counters.get("execute.executed", 0) + counters.get("execute.cached", 0) == 5
    assert Store(store_path).count("measurement") == 4
    assert isinstance(Store(store_path).get_many("measurement", [config.key(CANDIDATES[0])], Measurement)
                      [config.key(CANDIDATES[0])], Measurement)


def test_the_worker_count_reaches_the_sandbox_when_it_opens():
    from transforms.execute import SandboxHandle

    handle = SandboxHandle(ExecuteConfig(limits=LIMITS, workers=3))
    try:
        assert handle.error == "" and handle.sandbox.workers == 3
    finally:
        handle.sandbox.close()


def test_candidates_sharing_a_key_are_executed_once_even_in_separate_batches():
    """Batches of one and no store: only the keyed grouping can bring t1's and t2's program together,
    so both get the same measurement (the same timings), not two executions that differ."""
    config = ExecuteConfig(limits=LIMITS, repetitions=1, workers=1, batch_size=1)
    with test_pipeline.TestPipeline() as pipeline:
        outputs = pipeline | beam.Create(CANDIDATES[:2]) | Execute(config, None)
        as_measured = outputs["measurements"] | "Unattributed" >> beam.Map(
            lambda m: m.replace(candidate_id="", task_id="").to_dict()) | beam.combiners.ToList()
        assert_that(as_measured | beam.Map(lambda ms: len(ms) == 2 and ms[0] == ms[1]), equal_to([True]))
