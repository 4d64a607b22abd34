"""Routing shared by the source transforms: dead letters to their own output, every outcome counted."""
from __future__ import annotations

from typing import Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas import DeadLetter


def routed(items: Iterable, stage: str, kept: str) -> Iterator:
    """Yields records to the main output (counter `<stage>.<kept>`) and dead letters tagged
    `dead_letters` (counter `<stage>.<reason>`)."""
    for item in items:
        if isinstance(item, DeadLetter):
            Metrics.counter("themis", f"{stage}.{item.reason}").inc()
            yield beam.pvalue.TaggedOutput("dead_letters", item)
        else:
            Metrics.counter("themis", f"{stage}.{kept}").inc()
            yield item
