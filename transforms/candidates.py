"""Tasks -> self-contained Candidate records, one per distinct program of a task."""
from __future__ import annotations

from typing import Iterator, Union

import apache_beam as beam

from schemas import Candidate, DeadLetter, Task
from transforms.routing import DEAD_LETTERS, route

STAGE = "candidates"


def explode_task(task: Task) -> Iterator[Union[Candidate, DeadLetter]]:
    """Each candidate of a task with its content id; repeated code is dead-lettered."""
    seen: set[str] = set()
    for spec in task.candidates:
        candidate_id = Candidate.make_id(task.task_id, task.language, spec.code)
        if candidate_id in seen:
            yield DeadLetter.of(STAGE, "duplicate_candidate", spec.to_dict(), candidate_id,
                                f"task {task.task_id} lists the same code twice")
            continue
        seen.add(candidate_id)
        yield Candidate(
            candidate_id=candidate_id, task_id=task.task_id, language=task.language, prompt=task.prompt,
            code=spec.code, origin=spec.origin, tests=task.tests, entry_point=task.entry_point,
            source=task.source, subset=task.subset, metadata=dict(spec.metadata),
        )


class ExplodeCandidates(beam.PTransform):
    """Task -> {"candidates": Candidate, "dead_letters": DeadLetter}."""

    def expand(self, tasks):
        out = tasks | "Explode" >> beam.FlatMap(lambda t: route(explode_task(t), STAGE, "candidates")).with_outputs(
            DEAD_LETTERS, main="candidates")
        return {"candidates": out.candidates, "dead_letters": out.dead_letters}
