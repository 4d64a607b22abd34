"""The Dask runner on a real loopback cluster (a scheduler and two worker processes).

Each pipeline writes what it saw into files, so the same pipeline's results on the
DirectRunner and on the cluster can be compared exactly.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import time

import apache_beam as beam
import pytest
from apache_beam.metrics import Metrics
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.dask.dask_runner import DaskRunner as BeamDaskRunner

from dask_cluster import ClusterError, LocalDaskCluster, dask_cluster, stat_fields  # noqa: F401 (fixture)
from pipelines.dask_runner import DaskRunner
from pipelines.runners import RunLost

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]


class SplitParity(beam.DoFn):
    def process(self, n):
        yield beam.pvalue.TaggedOutput("odd", n) if n % 2 else n


class HoldUntilFinish(beam.DoFn):
    """Emits everything in finish_bundle, as BatchElements does with its last batch."""

    def start_bundle(self):
        self.held = []

    def process(self, n):
        self.held.append(n)

    def finish_bundle(self):
        from apache_beam.transforms.window import GlobalWindow
        from apache_beam.utils.windowed_value import WindowedValue

        for n in self.held:
            yield WindowedValue(n, 0, [GlobalWindow()])


class CountSetups(beam.DoFn):
    """Records (pid, instance) per element, and a file per setup and per teardown."""

    def __init__(self, directory: str):
        self.directory = directory

    def setup(self):
        self.token = f"{os.getpid()}-{id(self)}"
        pathlib.Path(self.directory, f"setup-{self.token}").touch()

    def process(self, n):
        yield self.token

    def teardown(self):
        pathlib.Path(self.directory, f"teardown-{self.token}").touch()


class PoolHolder:
    """Stands for a sandbox pool: an object every DoFn instance of a process should share."""


class UseSharedPool(beam.DoFn):
    def __init__(self):
        from apache_beam.utils import shared

        self.shared = shared.Shared()

    def setup(self):
        self.pool = self.shared.acquire(PoolHolder)

    def process(self, n):
        import time

        time.sleep(0.05)  # keep bundles overlapping on the worker's two threads
        yield (os.getpid(), id(self), id(self.pool))


class Seen(beam.DoFn):
    def __init__(self, name: str):
        self.name = name
        self.counter = Metrics.counter("themis", f"test.{name}")

    def process(self, element):
        self.counter.inc()
        yield element


class StallOnceStarted(beam.DoFn):
    """Marks that an element started, then holds the worker far longer than any test waits."""

    def __init__(self, directory: str):
        self.directory = directory

    def process(self, n):
        pathlib.Path(self.directory, f"started-{n}").touch()
        time.sleep(600)
        yield n


def write_sorted(directory: str, name: str):
    def write(items):
        path = pathlib.Path(directory, f"{name}.json")
        path.write_text(json.dumps(sorted(items, key=repr)))
        return str(path)
    return write


def sink(pcoll, directory: str, name: str):
    """Collect a PCollection into DIR/NAME.json (a separate leaf of the pipeline)."""
    return (pcoll
            | f"Key{name}" >> beam.Map(lambda x: (None, x))
            | f"Group{name}" >> beam.GroupByKey()
            | f"Write{name}" >> beam.MapTuple(lambda _, xs: write_sorted(directory, name)(list(xs))))


def feature_pipeline(p: beam.Pipeline, out: str) -> None:
    numbers = p | "Numbers" >> beam.Create(list(range(40)))
    parity = numbers | "Parity" >> beam.ParDo(SplitParity()).with_outputs("odd", main="even")
    sink(parity.even, out, "even")
    sink(parity.odd, out, "odd")
    sink(numbers | "Hold" >> beam.ParDo(HoldUntilFinish()), out, "finish_bundle")
    words = p | "Words" >> beam.Create(["go", "java", "go", "c", "java", "go"] * 7)
    sink(words | "One" >> beam.Map(lambda w: (w, 1)) | "Count" >> beam.CombinePerKey(sum), out, "word_counts")
    total = numbers | "SeenSide" >> beam.ParDo(Seen("side_source")) | "Total" >> beam.CombineGlobally(sum)
    sink(numbers | "WithTotal" >> beam.Map(lambda n, t: (n, t), t=beam.pvalue.AsSingleton(total)), out, "side")
    sink(numbers | "SeenMain" >> beam.ParDo(Seen("main")), out, "seen")
    sink(numbers | "Setups" >> beam.ParDo(CountSetups(out)), out, "setup_tokens")
    # A Flatten read by two transforms, each input read only by the Flatten: dask's graph
    # optimiser would leave one-shot iterators there and the second reader would see nothing.
    shifted = ((numbers | "Plus100" >> beam.Map(lambda n: n + 100), numbers | "Plus200" >> beam.Map(lambda n: n + 200))
               | "Shifted" >> beam.Flatten())
    sink(shifted, out, "flatten_first_reader")
    sink(shifted | "Tenfold" >> beam.Map(lambda n: n * 10), out, "flatten_second_reader")


def run(runner, argv: list[str], out: pathlib.Path):
    out.mkdir()
    pipeline = beam.Pipeline(runner=runner, options=PipelineOptions(argv))
    feature_pipeline(pipeline, str(out))
    result = pipeline.run()
    result.wait_until_finish()
    return result, {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}


def counter(result, name: str) -> int:
    found = result.metrics().query(beam.metrics.MetricsFilter().with_name(f"test.{name}"))["counters"]
    return sum(r.committed for r in found)


@pytest.fixture(scope="module")
def direct_run(tmp_path_factory):
    return run("DirectRunner", [], tmp_path_factory.mktemp("direct") / "out")


def test_every_feature_matches_the_direct_runner(dask_cluster, direct_run, tmp_path):  # noqa: F811
    direct_result, expected = direct_run
    result, got = run(DaskRunner(), [f"--dask_client_address={dask_cluster.address}"], tmp_path / "dask")

    names = ["even", "odd", "finish_bundle", "word_counts", "side", "seen", "flatten_first_reader",
             "flatten_second_reader"]
    assert {n: got.get(n) for n in names} == {n: expected[n] for n in names}
    assert got["odd"] == sorted(range(1, 40, 2), key=repr)
    assert got["word_counts"] == [["c", 7], ["go", 21], ["java", 14]]
    assert len(got["flatten_first_reader"]) == len(got["flatten_second_reader"]) == 80
    # Counters come back, and a side input's producer ran once per element, not once per partition.
    assert counter(result, "main") == counter(direct_result, "main") == 40
    assert counter(result, "side_source") == 40


def test_dofn_instances_are_reused_across_bundles_and_torn_down_at_the_end(dask_cluster, tmp_path):  # noqa: F811
    _, got = run(DaskRunner(), [f"--dask_client_address={dask_cluster.address}"], tmp_path / "dask")
    tokens = set(got["setup_tokens"])
    setups = {p.name.split("-", 1)[1] for p in (tmp_path / "dask").glob("setup-*")}
    teardowns = {p.name.split("-", 1)[1] for p in (tmp_path / "dask").glob("teardown-*")}
    per_process: dict[str, int] = {}
    for token in tokens:
        pid = token.split("-")[0]
        per_process[pid] = per_process.get(pid, 0) + 1
    # 40 elements in 8 bundles (2 per worker thread), yet at most one instance per thread.
    assert len(per_process) <= 2 and max(per_process.values()) <= 2 and len(tokens) < 8
    assert teardowns == setups == tokens


def test_one_shared_pool_per_worker_process_across_concurrent_dofn_instances(dask_cluster, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    pipeline = beam.Pipeline(runner=DaskRunner(), options=PipelineOptions(
        [f"--dask_client_address={dask_cluster.address}", "--dask_npartitions=8"]))
    sink(pipeline | beam.Create(list(range(32))) | beam.ParDo(UseSharedPool()), str(out), "pools")
    pipeline.run().wait_until_finish()
    seen = json.loads((out / "pools.json").read_text())
    instances, pools = {}, {}
    for pid, instance, pool in seen:
        instances.setdefault(pid, set()).add(instance)
        pools.setdefault(pid, set()).add(pool)
    assert max(len(i) for i in instances.values()) == 2  # two threads: two DoFn instances in a process
    assert all(len(p) == 1 for p in pools.values())  # ...sharing one pool


def test_beams_own_dask_runner_still_loses_sinks_and_mixes_tagged_outputs(dask_cluster, tmp_path):  # noqa: F811
    """Why pipelines/dask_runner.py exists; when this fails, Beam fixed it and ours can shrink."""
    out = tmp_path / "beam"
    out.mkdir()
    pipeline = beam.Pipeline(runner=BeamDaskRunner(),
                             options=PipelineOptions([f"--dask_client_address={dask_cluster.address}"]))
    numbers = pipeline | beam.Create(list(range(10)))
    parity = numbers | beam.ParDo(SplitParity()).with_outputs("odd", main="even")
    sink(parity.odd, str(out), "odd")
    sink(numbers | "Hold" >> beam.ParDo(HoldUntilFinish()), str(out), "finish_bundle")
    sink(parity.even, str(out), "even")
    result = pipeline.run()
    result.wait_until_finish()
    result.client.close()
    written = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert written == {"even": sorted(range(10), key=repr)}  # only the last sink ran, with odd numbers in it
    with pytest.raises(NotImplementedError):
        result.metrics()


def test_cluster_teardown_kills_what_workers_spawned():
    import subprocess

    from distributed import Client

    cluster = LocalDaskCluster(n_workers=2).start()
    with Client(cluster.address) as client:
        # A grandchild that outlives its task, as a leaked sandbox process would.
        orphans = list(client.run(lambda: subprocess.Popen(["sleep", "300"]).pid).values())
    started = cluster.pids()
    assert set(orphans) <= set(started) and len(started) >= 1 + 2 + 2
    cluster.stop()
    assert [pid for pid in started if os.path.exists(f"/proc/{pid}") and _state(pid) != "Z"] == []


def test_cluster_teardown_names_a_process_that_left_the_workers_group():
    import subprocess

    from distributed import Client

    cluster = LocalDaskCluster(n_workers=1).start()
    with Client(cluster.address) as client:
        # In its own process group killpg cannot reach it: teardown must find it and say what it was.
        escaped = list(client.run(lambda: subprocess.Popen(["sleep", "301"], process_group=0).pid).values())
    with pytest.raises(ClusterError) as failure:
        cluster.stop()
    # its parent is whichever process adopted it when the worker died
    assert re.search(rf"\n{escaped[0]} state S parent \d+ group {escaped[0]}: sleep 301$", str(failure.value))
    assert _state(escaped[0]) == "Z"


def _state(pid: int) -> str:
    return (stat_fields(pid) or ["Z"])[0]


def _patient_pipeline(cluster: LocalDaskCluster, seconds: int) -> beam.Pipeline:
    return beam.Pipeline(runner=DaskRunner(), options=PipelineOptions(
        [f"--dask_client_address={cluster.address}", f"--dask_no_worker_timeout={seconds}"]))


def _run_lost(call) -> tuple[RunLost, float]:
    """The RunLost `call()` raises, and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(RunLost) as lost:
        call()
    return lost.value, time.monotonic() - started


def test_a_run_on_a_cluster_without_workers_stops_once_the_timeout_passes():
    with LocalDaskCluster(n_workers=0) as cluster:
        pipeline = _patient_pipeline(cluster, 2)
        _ = pipeline | beam.Create([1, 2]) | beam.Map(str)
        lost, waited = _run_lost(pipeline.run)
    assert str(lost) == (f"no Dask worker joined the scheduler at {cluster.address} within 2 s "
                         "(--dask_no_worker_timeout); start workers (`dask worker ADDRESS`)")
    assert 2 <= waited < 30


def test_a_run_whose_every_worker_leaves_stops_once_the_timeout_passes(tmp_path):
    with LocalDaskCluster(n_workers=1, nanny=False) as cluster:
        pipeline = _patient_pipeline(cluster, 3)
        _ = pipeline | beam.Create([1]) | beam.ParDo(StallOnceStarted(str(tmp_path)))
        result = pipeline.run()
        deadline = time.monotonic() + 60
        while not (tmp_path / "started-1").exists():
            assert time.monotonic() < deadline, cluster.logs()
            time.sleep(0.1)
        os.kill(cluster.busiest_worker_pid(), signal.SIGKILL)
        lost, waited = _run_lost(result.wait_until_finish)
    assert str(lost) == (f"the Dask cluster at {cluster.address} has had no worker for 3 s "
                         "(--dask_no_worker_timeout): every worker left")
    assert 3 <= waited < 30
    assert result.state == "FAILED"
