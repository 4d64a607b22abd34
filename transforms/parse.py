"""Input rows -> validated Task records; one task per task id.

A row that cannot become a Task (unknown language, missing field, empty code)
becomes a dead letter naming the bad field. When several rows share a task id,
the one with the smallest content id is kept (deterministic on any runner) and
the others are dead-lettered as duplicates.
"""
from __future__ import annotations

from typing import Iterable, Union

import apache_beam as beam

from schemas import DeadLetter, LanguageError, SchemaError, Task, content_id
from transforms.adapters import AdapterError, apply_column_map, to_task_dict
from transforms.dead_letters import DEAD_LETTERS, Routed

STAGE = "parse"


def parse_task(ref: str, row: dict, fmt: str, column_map: dict[str, str]) -> Union[Task, DeadLetter]:
    """One input row as a Task, or a dead letter with the reason and the bad field."""
    try:
        task_dict = to_task_dict(apply_column_map(row, column_map), fmt)
        if isinstance(task_dict.get("candidates"), list) and not task_dict["candidates"]:
            return DeadLetter.of(STAGE, "no_candidates", row, ref, "the row has no solution to use as a candidate")
        task = Task.from_dict(task_dict)
    except SchemaError as exc:
        return DeadLetter.of(STAGE, exc.reason, row, ref, str(exc))
    except LanguageError as exc:
        return DeadLetter.of(STAGE, "unknown_language", row, ref, str(exc))
    except AdapterError as exc:
        return DeadLetter.of(STAGE, "unreadable_format", row, ref, str(exc))
    return task


def pick_task(task_id: str, tasks: Iterable[Task]) -> Iterable[Union[Task, DeadLetter]]:
    """Keep one task per id (smallest content id); the rest are duplicates."""
    ranked = sorted(tasks, key=lambda t: content_id(t.to_dict()))
    yield ranked[0]
    for duplicate in ranked[1:]:
        yield DeadLetter.of(STAGE, "duplicate_task_id", duplicate.to_dict(), task_id,
                            "another record with this task_id was kept")


class ParseTasks(beam.PTransform):
    """(reference, row) -> {"tasks": Task, "dead_letters": DeadLetter}."""

    def __init__(self, fmt: str = "auto", column_map: dict[str, str] | None = None):
        super().__init__()
        self.fmt = fmt
        self.column_map = dict(column_map or {})

    def expand(self, rows):
        parsed = rows | "Parse" >> Routed(lambda kv, fmt, cmap: [parse_task(kv[0], kv[1], fmt, cmap)], "tasks",
                                          args=(self.fmt, self.column_map), stage=STAGE, kept="parsed")
        unique = (
            parsed["tasks"]
            | "ById" >> beam.Map(lambda t: (t.task_id, t))
            | "Group" >> beam.GroupByKey()
            | "Pick" >> Routed(lambda kv: pick_task(kv[0], kv[1]), "tasks", stage=STAGE, kept="tasks")
        )
        dead = (parsed[DEAD_LETTERS], unique[DEAD_LETTERS]) | "Dead" >> beam.Flatten()
        return {"tasks": unique["tasks"], DEAD_LETTERS: dead}
