"""Steps that keep a few elements in flight: a slow element holds its own thread, not the stage.

A step that runs programs takes a batch, runs it on several threads and waits for all of it; run
one batch at a time, a stage then waits for each batch's slowest program while the other CPUs
idle (one 2.3 s MBPP program kept the second CPU idle for 2 s of a 10 s build of 328 programs,
bench/RESULTS.md). An `InFlightStep` starts each element's work and returns at once; an element is
finished (its records routed, counted and emitted, as a `Step`'s are) as soon as all its work is
done, whatever the order, and at most `in_flight` are pending: `process` waits for one to finish
beyond that, and `finish_bundle` for the rest. Beam's counters only see the bundle's thread, so
everything but the work itself (lookups, stores, counters) happens there.
"""
from __future__ import annotations

import concurrent.futures
from typing import Any, Iterable, Iterator, Sequence

from sandboxes.engine import wait_or_cancel
from transforms.dead_letters import Step, in_global_window, route


class Started:
    """An element's work under way: `futures` to wait for, then `finish()` for its records and dead
    letters (called on the bundle's thread once every future is done)."""

    def __init__(self, futures: Sequence[concurrent.futures.Future]):
        self.futures = list(futures)

    def done(self) -> bool:
        return all(future.done() for future in self.futures)

    def finish(self) -> Iterable[Any]:
        raise NotImplementedError


class InFlightStep(Step):
    """Subclasses implement `start(element) -> Started` instead of `decide`."""

    in_flight = 4  # elements pending at once: two cover one slow element, a few more several

    def start(self, element) -> Started:
        raise NotImplementedError

    def start_bundle(self) -> None:
        self._pending: list[Started] = []

    def process(self, element) -> Iterator[Any]:
        self._pending.append(self.start(element))
        yield from self._finished(wait=len(self._pending) > self.in_flight)

    def finish_bundle(self) -> Iterator[Any]:
        while self._pending:
            yield from in_global_window(self._finished(wait=True))

    def _finished(self, wait: bool) -> Iterator[Any]:
        """The records of every pending element done by now (with `wait`: once one is)."""
        while wait and not any(started.done() for started in self._pending):
            # the futures not done yet (a done one would end the wait at once); on Ctrl-C, their queued
            # work is cancelled
            wait_or_cancel([f for started in self._pending for f in started.futures if not f.done()],
                           return_when=concurrent.futures.FIRST_COMPLETED)
        done: list[Started] = []
        pending: list[Started] = []
        for started in self._pending:  # one look each: work finishing meanwhile waits for the next call
            (done if started.done() else pending).append(started)
        self._pending = pending
        for started in done:
            yield from route(started.finish(), self.stage, self.kept)
