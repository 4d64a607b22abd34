"""Solution corpora (CodeNet style): many submissions per problem, grouped into Tasks.

A Task is one (problem, language): the problem statement as prompt, the problem's
stdin/stdout cases as tests, and every submission in that language as a candidate
(origin `submission`, the judge's verdict in `metadata["status"]`).

Two input shapes:
- JSONL. Submissions, one per line: `problem_id`, `language`, `code`, `status`,
  optional `submission_id`; other scalar fields are kept as metadata strings.
  Problems, one per line: `problem_id`, `prompt`, `tests`: [{"stdin", "expected_stdout"}].
- A Project CodeNet tree: `metadata/<pid>.csv` (submission_id, language, status, ...),
  `data/<pid>/<Language>/<submission_id>.<ext>`, `problem_descriptions/<pid>.html`,
  and test cases in `derived/input_output/data/<pid>/input.txt` and `output.txt`
  (one case per problem, as CodeNet ships them).
"""
from __future__ import annotations

import csv
import dataclasses
import glob
import html
import json
import os
import re
from html.parser import HTMLParser
from typing import Iterable, Iterator, Optional, Union

import apache_beam as beam

from schemas import CandidateSpec, DeadLetter, IOCase, SchemaError, Task, TestSpec, content_id
from schemas.languages import LanguageError, canonical_language
from transforms.dedup import normalise
from transforms.dead_letters import DEAD_LETTERS, Routed

STAGE = "sources.tasks"


@dataclasses.dataclass(frozen=True)
class CorpusConfig:
    statuses: tuple[str, ...] = ()  # keep only these verdicts; () keeps all
    max_candidates: int = 0  # per task, chosen by content id; 0 = all
    source: str = "codenet"


def _dead(reason: str, row: dict, detail: str = "") -> DeadLetter:
    return DeadLetter.of(STAGE, reason, row, record_id=str(row.get("submission_id") or row.get("problem_id") or ""),
                         detail=detail)


def problem_tasks(problem_id: str, problem: Optional[dict], submissions: Iterable[dict],
                  config: CorpusConfig = CorpusConfig()) -> Iterator[Union[Task, DeadLetter]]:
    """Tasks (one per language) for one problem, and a dead letter for each submission left out."""
    submissions = list(submissions)
    if problem is None or not str(problem.get("prompt", "")).strip():
        for row in submissions:
            yield _dead("no_problem", row, f"problem {problem_id} has no statement")
        return
    try:
        cases = [IOCase.from_dict(c) for c in problem.get("tests") or []]
    except SchemaError as exc:
        for row in submissions:
            yield _dead("bad_problem", row, f"problem {problem_id}: {exc}")
        return
    by_language: dict[str, dict[str, CandidateSpec]] = {}
    for row in sorted(submissions, key=lambda r: content_id(r.get("code", ""), str(r.get("submission_id", "")))):
        code, status = row.get("code"), str(row.get("status", ""))
        if not isinstance(code, str) or not code.strip():
            yield _dead("empty_code", row)
            continue
        try:
            language = canonical_language(row.get("language", ""))
        except LanguageError as exc:
            yield _dead("unknown_language", row, str(exc))
            continue
        if config.statuses and status not in config.statuses:
            yield _dead("status_filtered", row, status)
            continue
        seen = by_language.setdefault(language, {})
        key = normalise(code)
        if key in seen:
            yield _dead("duplicate_submission", row, f"same code as submission {seen[key].metadata.get('submission_id', '')}")
            continue
        if config.max_candidates and len(seen) >= config.max_candidates:
            yield _dead("over_candidate_limit", row, f"{config.max_candidates} candidates per task")
            continue
        metadata = {k: str(v) for k, v in row.items()
                    if k not in ("code", "problem_id", "language") and isinstance(v, (str, int, float))}
        seen[key] = CandidateSpec(code=code, origin="submission", metadata=metadata)
    for language, candidates in sorted(by_language.items()):
        yield Task(task_id=content_id(config.source, problem_id, language), language=language,
                   prompt=problem["prompt"], tests=TestSpec(cases=cases), candidates=list(candidates.values()),
                   source=config.source, subset=problem_id)


# ---- Project CodeNet tree ---------------------------------------------------

class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    text = html.unescape("".join(parser.parts))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def read_codenet_problem(root: str, problem_id: str) -> tuple[Optional[dict], list[dict]]:
    """(problem, submissions) of one problem in a CodeNet tree."""
    statement = _read(os.path.join(root, "problem_descriptions", f"{problem_id}.html"))
    io_dir = os.path.join(root, "derived", "input_output", "data", problem_id)
    stdin, stdout = _read(os.path.join(io_dir, "input.txt")), _read(os.path.join(io_dir, "output.txt"))
    problem = None if statement is None else {
        "problem_id": problem_id, "prompt": html_to_text(statement),
        "tests": [] if stdin is None or stdout is None else [{"stdin": stdin, "expected_stdout": stdout}],
    }
    submissions = []
    with open(os.path.join(root, "metadata", f"{problem_id}.csv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            path = os.path.join(root, "data", problem_id, row["language"],
                                f"{row['submission_id']}.{row.get('filename_ext', '')}".rstrip("."))
            submissions.append(dict(row, code=_read(path) or ""))
    return problem, submissions


def codenet_problem_ids(root: str) -> list[str]:
    names = glob.glob(os.path.join(root, "metadata", "p*.csv"))
    if not names:
        raise FileNotFoundError(f"{root} has no metadata/p*.csv: is it a Project CodeNet tree?")
    return sorted(os.path.basename(n)[:-4] for n in names)


# ---- Beam -------------------------------------------------------------------

def _parse_rows(line: str) -> Iterator:
    try:
        row = json.loads(line)
        if not isinstance(row, dict) or not isinstance(row.get("problem_id"), str):
            raise ValueError("needs a string `problem_id`")
    except ValueError as exc:
        yield DeadLetter.of(STAGE, "bad_row", line, detail=str(exc))
        return
    yield row["problem_id"], row


def _tree_tasks(problem_id: str, tree: str, config: CorpusConfig) -> Iterable:
    return problem_tasks(problem_id, *read_codenet_problem(tree, problem_id), config)


def _group_tasks(item, config: CorpusConfig) -> Iterable:
    problem_id, grouped = item
    problems = list(grouped["problems"])
    return problem_tasks(problem_id, problems[0] if problems else None, grouped["submissions"], config)


class CorpusSource(beam.PTransform):
    """Pipeline root: JSONL submissions + problems, or a CodeNet tree -> {"tasks", "dead_letters"}."""

    def __init__(self, submissions: str = "", problems: str = "", codenet_root: str = "",
                 config: CorpusConfig = CorpusConfig()):
        super().__init__()
        if not codenet_root and not (submissions and problems):
            raise ValueError("give a CodeNet tree (codenet_root) or both submissions and problems JSONL files")
        self.submissions, self.problems, self.root, self.config = submissions, problems, codenet_root, config

    def expand(self, root):
        config = self.config
        if self.root:
            return (root
                    | "ProblemIds" >> beam.Create(codenet_problem_ids(self.root))
                    | "Spread" >> beam.Reshuffle()
                    | "ReadProblem" >> Routed(_tree_tasks, "tasks", args=(self.root, config), stage=STAGE, kept="tasks"))
        subs = (root | "ReadSubmissions" >> beam.io.ReadFromText(self.submissions)
                | "ParseSubmissions" >> Routed(_parse_rows, "rows", stage=STAGE))
        probs = (root | "ReadProblems" >> beam.io.ReadFromText(self.problems)
                 | "ParseProblems" >> Routed(_parse_rows, "rows", stage=STAGE))
        out = ({"submissions": subs["rows"], "problems": probs["rows"]}
               | "ByProblem" >> beam.CoGroupByKey()
               | "Group" >> Routed(_group_tasks, "tasks", args=(config,), stage=STAGE, kept="tasks"))
        dead = [subs[DEAD_LETTERS], probs[DEAD_LETTERS], out[DEAD_LETTERS]] | "DeadLetters" >> beam.Flatten()
        return {"tasks": out["tasks"], DEAD_LETTERS: dead}
