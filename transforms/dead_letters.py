"""Dead letters: the one way every stage routes what it drops.

As in datatrove's base filter, a stage's step only decides: per element it yields the
records it keeps and a `DeadLetter` (stage, reason, detail, payload) for each record it
drops. `route` does the rest: dead letters go to their own output, DEAD_LETTERS, with a
Beam counter per `<stage>.<reason>` (namespace themis.dead_letters) (and one per kept record when the step names it).
`Step` is the DoFn base for steps with state (a sandbox, a store); `Routed` applies a
step, or a plain function, and returns the stage's outputs as a dict:
{main: kept records, DEAD_LETTERS: dropped ones, and any other output the step tags}.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional, Union

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindows
from schemas import DeadLetter
from transforms.counters import DEAD_LETTER_NAMESPACE, count

DEAD_LETTERS = "dead_letters"


def route(results: Iterable[Any], stage: str = "", kept: Optional[str] = None) -> Iterator[Any]:
    """Yield records as they are and dead letters tagged DEAD_LETTERS, with a counter per dead
    letter's `<stage>.<reason>`, and `<stage>.<kept>` per record when `kept` is given."""
    for record in results:
        if isinstance(record, DeadLetter):
            count(f"{record.stage}.{record.reason}", namespace=DEAD_LETTER_NAMESPACE)
            yield beam.pvalue.TaggedOutput(DEAD_LETTERS, record)
        else:
            if kept:
                count(f"{stage}.{kept}")
            yield record


def in_global_window(outputs: Iterable[Any]) -> Iterator[Any]:
    """`route`'s outputs as `finish_bundle` must emit them: as windowed values, in the global window
    (every build is a batch pipeline)."""
    for output in outputs:
        if isinstance(output, beam.pvalue.TaggedOutput):
            yield beam.pvalue.TaggedOutput(output.tag, GlobalWindows.windowed_value(output.value))
        else:
            yield GlobalWindows.windowed_value(output)


class Step(beam.DoFn):
    """A stage's per-element work: subclasses implement `decide(element, *side_inputs)`, yielding kept
    records (TaggedOutput for a stage's other outputs) and DeadLetters; `stage` and `kept` name the
    counter of kept records (none when `kept` is None)."""

    stage = ""
    kept: Optional[str] = None

    def decide(self, element, *args, **kwargs) -> Iterable[Any]:
        raise NotImplementedError

    def process(self, element, *args, **kwargs) -> Iterator[Any]:
        yield from route(self.decide(element, *args, **kwargs), self.stage, self.kept)


class _FunctionStep(Step):
    def __init__(self, fn: Callable[..., Iterable[Any]], stage: str, kept: Optional[str]):
        self.fn, self.stage, self.kept = fn, stage, kept

    def decide(self, element, *args, **kwargs) -> Iterable[Any]:
        return self.fn(element, *args, **kwargs)


class Routed(beam.PTransform):
    """`pcoll | Routed(step, "tasks")` -> {"tasks": kept records, "dead_letters": dropped ones}.

    `step`: a Step, or a function of (element, *args) returning an iterable of records and
    DeadLetters (then `stage` and `kept` name its kept counter); `others`: the names of further
    outputs the step tags; `args`: extra arguments (side inputs) passed to each call.
    """

    def __init__(self, step: Union[Step, Callable[..., Iterable[Any]]], main: str, others: tuple[str, ...] = (),
                 args: tuple = (), stage: str = "", kept: Optional[str] = None):
        super().__init__()
        self.step = step if isinstance(step, Step) else _FunctionStep(step, stage, kept)
        self.main, self.others, self.args = main, others, args

    def expand(self, pcoll) -> dict:
        results = pcoll | "Route" >> beam.ParDo(self.step, *self.args).with_outputs(
            DEAD_LETTERS, *self.others, main=self.main)
        return {name: results[name] for name in (self.main, DEAD_LETTERS, *self.others)}
