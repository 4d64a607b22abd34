"""Assemble `examples/tasks.jsonl` from the readable sources in `examples/corpus/*.yaml`.

Each YAML file holds one language's tasks with their code as block scalars, so the
programs can be read and edited as code; the JSONL is what `themis build` reads.
Run `python -m examples.build_corpus` after editing a YAML file (a test checks that
the JSONL is up to date).

A candidate's keys other than `code` and `origin` become its string metadata:
`name` (unique within the task), `expect` (pass/fail against the task's tests),
`worse_on` (the criterion on which it loses to the task's reference), `note`, `cwe`.
"""
from __future__ import annotations

import json
import pathlib
import sys

import yaml

from schemas.records import Task

EXAMPLES_DIR = pathlib.Path(__file__).resolve().parent
CORPUS_DIR = EXAMPLES_DIR / "corpus"
TASKS_FILE = EXAMPLES_DIR / "tasks.jsonl"
SOURCE = "themis-examples"


def _candidate(raw: dict) -> dict:
    metadata = {k: str(v) for k, v in raw.items() if k not in ("code", "origin")}
    return {"code": raw["code"], "origin": raw.get("origin", "submission"), "metadata": metadata}


def _task(language: str, raw: dict) -> dict:
    row = {
        "task_id": f"{language.lower()}/{raw['name']}",
        "language": language,
        "prompt": raw["prompt"],
        "tests": raw["tests"],
        "entry_point": raw.get("entry_point", ""),
        "candidates": [_candidate(c) for c in raw["candidates"]],
        "source": SOURCE,
        "subset": raw["subset"],
    }
    return Task.from_dict(row).to_dict()  # validates; names the bad field


def build_rows(corpus_dir: pathlib.Path = CORPUS_DIR) -> list[dict]:
    rows = []
    for path in sorted(corpus_dir.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows += [_task(spec["language"], raw) for raw in spec["tasks"]]
    return rows


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)


def main() -> int:
    rows = build_rows()
    TASKS_FILE.write_text(render(rows), encoding="utf-8")
    print(f"wrote {len(rows)} tasks to {TASKS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
