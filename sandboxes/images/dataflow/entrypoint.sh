#!/bin/sh
# Dataflow worker entrypoint: refuse to start when the sandbox cannot isolate
# programs (the reason goes to the worker log), else hand over to Beam's boot.
set -e
python -m pipelines.worker_startup
exec /opt/apache/beam/boot "$@"
