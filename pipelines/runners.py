"""Runner names the build accepts on top of Beam's own.

`--runner dask` (or `DaskRunner`) selects `pipelines.dask_runner.DaskRunner`, which
runs the unchanged pipeline on a dask.distributed cluster given by
`--dask_client_address HOST:PORT` (or `--dask_scheduler_file`; with neither, Dask
starts a local cluster). Every other name goes to Beam as is
(DirectRunner, DataflowRunner, a dotted class path, ...).
"""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

DASK_RUNNER = "pipelines.dask_runner.DaskRunner"
RESUME_HINT = "rerun the same command to finish (measurements are kept in the store)"
_ALIASES = {"dask": DASK_RUNNER, "daskrunner": DASK_RUNNER}


class RunLost(RuntimeError):
    """The runner gave up on the run because the machines running it died (killed, out of memory):
    nothing is wrong with the input, and the same command run again finishes the build."""


def resolve_runner(options: PipelineOptions) -> PipelineOptions:
    """Replace a runner alias in `options` by the class path Beam can load; returns `options`."""
    standard = options.view_as(StandardOptions)
    if standard.runner and standard.runner.lower() in _ALIASES:
        standard.runner = _ALIASES[standard.runner.lower()]
    return options


def is_dask(options: PipelineOptions) -> bool:
    return resolve_runner(options).view_as(StandardOptions).runner == DASK_RUNNER
