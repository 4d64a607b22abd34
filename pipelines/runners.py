"""Runner names the build accepts on top of Beam's own.

`--runner dask` (or `DaskRunner`) selects `pipelines.dask_runner.DaskRunner`, which
runs the unchanged pipeline on a dask.distributed cluster given by
`--dask_client_address HOST:PORT` (or `--dask_scheduler_file`; with neither, Dask
starts a local cluster). Every other name goes to Beam as is
(DirectRunner, DataflowRunner, a dotted class path, ...).
"""
from __future__ import annotations

import sys
from typing import Optional

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineRunner

DASK_RUNNER = "pipelines.dask_runner.DaskRunner"
RESUME_HINT = "rerun the same command to finish (measurements are kept in the store)"
_ALIASES = {"dask": DASK_RUNNER, "daskrunner": DASK_RUNNER}


class RunLost(RuntimeError):
    """The runner gave up on the run because the machines running it died (killed, out of memory):
    nothing is wrong with the input, and the same command run again finishes the build."""


def interrupted(exc: Optional[BaseException]) -> bool:
    """Whether `exc` is a Ctrl-C, or was raised while handling one: the in-process runner re-raises a
    KeyboardInterrupt met inside a DoFn as a RuntimeError naming the step."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def stopped_run_exit(command: str, exc: BaseException) -> int:
    """For a run the machines lost or Ctrl-C stopped: one line on stderr saying to rerun, and the exit
    status (1 and 130); any other exception is raised again."""
    if isinstance(exc, RunLost):
        print(f"{command}: {exc}; {RESUME_HINT}", file=sys.stderr)
        return 1
    if interrupted(exc):
        print(f"{command}: interrupted; {RESUME_HINT}", file=sys.stderr)
        return 130
    raise exc


def resolve_runner(options: PipelineOptions) -> PipelineOptions:
    """Replace a runner alias in `options` by the class path Beam can load; returns `options`."""
    standard = options.view_as(StandardOptions)
    if standard.runner and standard.runner.lower() in _ALIASES:
        standard.runner = _ALIASES[standard.runner.lower()]
    return options


def is_dask(options: PipelineOptions) -> bool:
    return resolve_runner(options).view_as(StandardOptions).runner == DASK_RUNNER


def local_runner(options: PipelineOptions) -> Optional[PipelineRunner]:
    """For a batch DirectRunner build, the runner the DirectRunner would end on, built directly:
    Beam's FnApiRunner with the build's options for its workers. Beam's SwitchingDirectRunner first
    tries the PrismRunner, which downloads a Go binary from GitHub on every build (a failed attempt
    and a second translation of the pipeline offline, 1-1.5 s; online, a runner the build's local
    progress and worker settings do not serve). None for any other runner: Beam loads it by name."""
    standard = options.view_as(StandardOptions)
    if standard.runner not in ("DirectRunner", "SwitchingDirectRunner") or standard.streaming:
        return None
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.fn_api_runner import fn_runner
    from apache_beam.runners.portability.portable_runner import JobServiceHandle

    provision = beam_provision_api_pb2.ProvisionInfo(
        pipeline_options=JobServiceHandle.encode_pipeline_options(options.get_all_options()))
    return fn_runner.FnApiRunner(provision_info=fn_runner.ExtendedProvisionInfo(provision))
