"""`dask worker ADDRESS --preload pipelines.dask_preload`: no worker without an isolating sandbox.

The check runs on import, on purpose: Dask only logs an exception raised by a
preload's `dask_setup` and starts the worker anyway, while a failed import stops
the worker process before it registers with the scheduler.
"""
import sys

from pipelines.worker_startup import check_from_environment

print(f"themis: {check_from_environment()}", file=sys.stderr, flush=True)
