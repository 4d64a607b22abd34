"""Tasks -> self-contained Candidate records, one per distinct program of a task."""
from __future__ import annotations

import apache_beam as beam

from schemas import Candidate, DeadLetter, Task
from transforms.dead_letters import Routed

STAGE = "candidates"


def task_candidates(task: Task) -> tuple[list[Candidate], list[DeadLetter]]:
    """Each candidate of a task with its content id, and a dead letter for each repeated code."""
    candidates: dict[str, Candidate] = {}
    repeated = []
    for spec in task.candidates:
        candidate_id = Candidate.make_id(task.task_id, task.language, spec.code)
        if candidate_id in candidates:
            repeated.append(DeadLetter.of(STAGE, "duplicate_candidate", spec.to_dict(), candidate_id,
                                          f"task {task.task_id} lists the same code twice"))
            continue
        candidates[candidate_id] = Candidate(
            candidate_id=candidate_id, task_id=task.task_id, language=task.language, prompt=task.prompt,
            code=spec.code, origin=spec.origin, tests=task.tests, entry_point=task.entry_point,
            source=task.source, subset=task.subset, metadata=dict(spec.metadata),
        )
    return list(candidates.values()), repeated


def explode_task(task: Task) -> list:
    """The task's candidates, then the dead letters of repeated code."""
    candidates, repeated = task_candidates(task)
    return [*candidates, *repeated]


class ExplodeCandidates(beam.PTransform):
    """Task -> {"candidates": Candidate, "dead_letters": DeadLetter}."""

    def expand(self, tasks):
        return tasks | "Explode" >> Routed(explode_task, "candidates", stage=STAGE, kept="candidates")
