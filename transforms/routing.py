"""Route a stage's results: records to the main output, dead letters to their own, each counted."""
from __future__ import annotations

from typing import Any, Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas import DeadLetter

DEAD_LETTERS = "dead_letters"


def route(records: Iterable[Any], stage: str, kept: str) -> Iterator[Any]:
    """Yield records as-is and dead letters tagged DEAD_LETTERS, with a counter per reason."""
    for record in records:
        if isinstance(record, DeadLetter):
            Metrics.counter("themis", f"{record.stage}.{record.reason}").inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTERS, record)
        else:
            Metrics.counter("themis", f"{stage}.{kept}").inc()
            yield record
