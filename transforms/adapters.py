"""Turn input rows into task-format dicts: the native format, HumanEval-family files, column maps.

HumanEval-family files (McEval, MBXP, HumanEval-X / HumanEvalPack, MultiPL-E) all
share one shape: a code prompt (signature and docstring), one or more solution
bodies completing it, and test code appended after. One adapter serves them all,
parameterised by the field names each family uses.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Optional

from schemas import canonical_language


class AdapterError(ValueError):
    """A row the chosen format cannot read; the message names the missing field."""


@dataclasses.dataclass(frozen=True)
class Family:
    name: str
    solutions: tuple[tuple[str, str], ...]  # (field, origin); a field may hold a list of completions
    instruction: Optional[str] = None  # natural-language instruction field, if the family has one
    description: Optional[str] = None  # short problem statement to put before the code prompt
    test: str = "test"
    subset: Optional[str] = None
    layout: bool = False  # HumanEval-X / HumanEvalPack: `declaration`, `test_setup` and `import` fields


FAMILIES: dict[str, Family] = {
    "mceval": Family("mceval", solutions=(("canonical_solution", "reference"),), instruction="instruction",
                     subset="level"),
    "mbxp": Family("mbxp", solutions=(("canonical_solution", "reference"),), description="description"),
    "humanevalx": Family("humanevalx", solutions=(("canonical_solution", "reference"), ("buggy_solution", "buggy")),
                         instruction="instruction", layout=True),
    "multiple": Family("multiple", solutions=(("completions", "llm"),), test="tests"),
}


def detect_format(row: dict) -> str:
    """Guess a row's format from its fields (used by `--format auto`)."""
    if "candidates" in row:  # the task format; validation names any missing field
        return "native"
    if "canonical_solution" in row or "completions" in row:
        if "instruction" in row and "level" in row:
            return "mceval"
        if "declaration" in row or "buggy_solution" in row:
            return "humanevalx"
        if "completions" in row:
            return "multiple"
        return "mbxp"
    raise AdapterError(
        "cannot tell the format of this row (fields: " + ", ".join(sorted(row)) + "); "
        "pass --format or --column_map to map its columns to task_id, language, prompt, tests, candidates"
    )


def apply_column_map(row: dict, column_map: dict[str, str]) -> dict:
    """Rename input columns: column_map is {task_field: input_column}."""
    if not column_map:
        return row
    renamed = {k: v for k, v in row.items() if k not in column_map.values()}
    for target, column in column_map.items():
        if column in row:
            renamed[target] = row[column]
    return renamed


def to_task_dict(row: dict, fmt: str) -> dict:
    """A row in format `fmt` (or 'auto') as a dict for `Task.from_dict`."""
    if fmt in ("auto", "jsonl", "parquet", "datasets"):
        fmt = detect_format(row)
    if fmt == "native":
        return row
    family = FAMILIES.get(fmt)
    if family is None:
        raise AdapterError(f"unknown format {fmt!r}: use one of auto, native, {', '.join(FAMILIES)}")
    return _family_task(row, family)


def _text(row: dict, field: str) -> str:
    value = row.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AdapterError(f"{field}: expected text, got {type(value).__name__}")
    return value


def _language(row: dict) -> str:
    if row.get("language"):
        return canonical_language(row["language"])
    task_id = _text(row, "task_id")
    if "/" not in task_id:
        raise AdapterError("language: missing, and task_id has no 'Language/N' prefix to take it from")
    return canonical_language(task_id.split("/", 1)[0])


def _join(prefix: str, body: str) -> str:
    """Prompt + solution body; a newline between them unless one is already there."""
    if not prefix or prefix.endswith("\n") or body.startswith("\n"):
        return prefix + body
    return prefix + "\n" + body


_DEFINES_CHECK = re.compile(r"^def check\(", re.M)
_CALLS_CHECK = re.compile(r"(?<!def )\bcheck\(")


def _python_test(test: str, entry_point: str) -> str:
    """HumanEval-style Python tests define `check(candidate)`; MBXP's never call it (mxeval's
    harness appends the call), so without this every Python program would pass its tests."""
    if entry_point and _DEFINES_CHECK.search(test) and not _CALLS_CHECK.search(test):
        return f"{test.rstrip()}\n\n\ncheck({entry_point})\n"
    return test


def _family_task(row: dict, family: Family) -> dict:
    task_id = _text(row, "task_id") or _text(row, "name")
    if not task_id:
        raise AdapterError("task_id: missing")
    language = _language(row)
    code_prompt = _text(row, "prompt")
    test = _text(row, family.test)
    if family.layout:
        code_prompt, test = _humanevalx_layout(row, language, code_prompt, test)
    candidates = []
    for field, origin in family.solutions:
        value = row.get(field)
        bodies = value if isinstance(value, list) else [value]
        for body in bodies:
            if isinstance(body, str) and body.strip():
                candidates.append({"code": _join(code_prompt, body), "origin": origin})
    instruction = _text(row, family.instruction) if family.instruction else ""
    if not instruction:
        description = _text(row, family.description) if family.description else ""
        lead = f"{description.strip()}\n\n" if description.strip() else ""
        instruction = f"{lead}Complete the following {language} code:\n{code_prompt}"
    if language == "Python":
        test = _python_test(test, _text(row, "entry_point"))
    return {
        "task_id": task_id,
        "language": language,
        "prompt": instruction,
        "tests": {"code": test},
        "candidates": candidates,
        "entry_point": _text(row, "entry_point"),
        "source": family.name,
        "subset": _text(row, family.subset) if family.subset else "",
    }


_HEADER_LINE = re.compile(r"^\s*(?:#\s*include\b|using\s+namespace\b|import\b|from\s+\S+\s+import\b)")
_PACKAGE_LINE = re.compile(r"^package\s+\w+[ \t]*\n?", re.M)


def _humanevalx_layout(row: dict, language: str, prompt: str, test: str) -> tuple[str, str]:
    """(code prompt, test code) put together as HumanEval-X's own harness does.

    The `declaration` field holds the headers the solutions were written against
    (C++: `<algorithm>`, `<math.h>` beyond the prompt's own): the ones the prompt
    lacks go before it. Go: the package line of `test_setup` starts the candidate (then the
    `import` field, if the prompt does not already start with it) and
    the rest of `test_setup` (the test's imports) starts the test code; the Go build
    step (sandboxes/go_imports.py) gathers every import at the head of the program.
    """
    declaration = _text(row, "declaration")
    if not prompt.strip() and not declaration.strip():
        raise AdapterError("prompt: missing (a HumanEval-X row needs `prompt` or `declaration`)")
    if row.get("test") is None:
        raise AdapterError("test: missing (a HumanEval-X row carries its test code in `test`)")
    prompt = prompt or declaration
    present = {line.strip() for line in prompt.splitlines()}
    headers = []
    for line in declaration.splitlines():
        if line.strip() and not _HEADER_LINE.match(line):
            break
        if line.strip() and line.strip() not in present:
            headers.append(line.strip() + "\n")
    prompt = "".join(headers) + prompt
    if language == "Go":
        imports = _text(row, "import")
        if imports.strip() and imports.strip() not in prompt:  # the prompt's own imports, kept apart
            prompt = imports.rstrip("\n") + "\n" + prompt
        setup = _text(row, "test_setup")
        package = _PACKAGE_LINE.search(setup)
        if not _PACKAGE_LINE.search(prompt):
            prompt = (package.group(0).strip() if package else "package main") + "\n\n" + prompt.lstrip("\n")
        test_imports = _PACKAGE_LINE.sub("", setup, count=1).strip("\n")
        if test_imports:
            test = test_imports + "\n\n" + test
    return prompt, test
