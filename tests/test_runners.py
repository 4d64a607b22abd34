"""The local runner's choices and the runners' shared helpers: fast, no cluster, no build."""
from __future__ import annotations

import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipelines.runners import DASK_RUNNER, interrupted, resolve_runner


def test_runner_aliases_resolve_to_the_dask_runner():
    for name in ("dask", "DaskRunner", "daskrunner"):
        options = resolve_runner(PipelineOptions(["--runner", name]))
        assert options.view_as(StandardOptions).runner == DASK_RUNNER
    assert resolve_runner(PipelineOptions(["--runner", "DirectRunner"])).view_as(StandardOptions).runner \
        == "DirectRunner"


def test_a_local_build_gets_the_fn_api_runner_with_its_options_and_never_tries_prism(tmp_path):
    """The DirectRunner would first try Prism, downloading its binary from GitHub on every build."""
    from apache_beam.runners.portability.fn_api_runner.fn_runner import FnApiRunner

    from pipelines.build import make_options
    from pipelines.runners import local_runner

    options = make_options(["--input", "tasks.jsonl", "--output", str(tmp_path), "--direct_num_workers", "3"])
    runner = local_runner(options)
    assert type(runner) is FnApiRunner
    worker_options = {f: v for f, v in runner._provision_info.provision_info.pipeline_options.items()}
    assert (worker_options["beam:option:direct_num_workers:v1"], worker_options["beam:option:output:v1"]) == (
        "3", str(tmp_path))  # Beam encodes option values as strings
    for other in ("dask", "DataflowRunner"):
        assert local_runner(resolve_runner(PipelineOptions(["--runner", other]))) is None
    assert local_runner(PipelineOptions(["--runner", "DirectRunner", "--streaming"])) is None


def test_a_ctrl_c_is_recognised_behind_the_runtime_error_beam_raises_for_it():
    def beam_step():  # what apache_beam.runners.common.DoFnRunner._reraise_augmented does with it
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("KeyboardInterrupt [while running 'Security/Scan']")

    with pytest.raises(RuntimeError) as wrapped:
        beam_step()
    assert interrupted(wrapped.value) and interrupted(KeyboardInterrupt())
    assert not interrupted(RuntimeError("a DoFn failed")) and not interrupted(None)


def test_a_local_build_runs_in_process_unless_given_workers_or_a_mode(tmp_path):
    from apache_beam.options.pipeline_options import DirectOptions

    from pipelines.build import make_options

    def mode(*flags: str) -> tuple[str, int]:
        direct = make_options(["--input", "tasks.jsonl", "--output", str(tmp_path), *flags]).view_as(DirectOptions)
        return direct.direct_running_mode, direct.direct_num_workers

    assert mode() == ("in_memory", 1)
    assert mode("--direct_num_workers", "1") == ("in_memory", 1)
    assert mode("--direct_num_workers", "3") == ("multi_processing", 3)
    assert mode("--direct_running_mode", "multi_processing") == ("multi_processing", 1)
    assert mode("--direct_running_mode=multi_threading") == ("multi_threading", 1)
