"""Perf cases made from a Python task's own tests by scaling their inputs (`--scale_inputs N`).

Benchmark tests call the solution on inputs of a handful of elements, which no runtime label can
tell apart from start-up noise. For a Python task without `tests.perf`, this step finds the
tests' calls of the solution (`candidate(...)` in HumanEval's `check`, the entry point by name in
MBPP-style asserts) whose arguments are all literals and at least one a list, tuple or string,
repeats each such argument until it holds N elements (N characters), and writes perf code that
calls the entry point on those inputs and prints a digest of each result. Runtime and memory then
measure the scaled calls (`transforms.startup_stub.measured_program`), and a pair whose two sides
print different digests, or fail, ties (`perf_output_differs`, `perf_case_failed`) rather than
being labelled: so an input that breaks a precondition of the task (sorted, distinct, a bounded
value) costs a tie, never a wrong label.

What it cannot do: scale numbers (an `n` that sizes the work is left as is; `fib(20 * k)` may
never end), dicts, sets or computed arguments; keep the structure a task needs (repeating
`[1, 2, 3]` gives an unsorted list with duplicates); other languages (their tests' literals would
need a parser per language). A task whose tests have no such call keeps its tests for runtime and
memory, as without the flag.
"""
from __future__ import annotations

import ast
from typing import Optional

from schemas.records import PerfSpec, Task
from transforms.python_parse import parse_python

# The first calls of the tests that can be scaled: enough to cover a task's different inputs,
# few enough that the scaled runs stay well inside --cpu_limit.
MAX_CALLS = 3
_SEQUENCES = (list, tuple, str)
_DIGEST = "_themis_digest"


def _scaled(value, size: int):
    """`value` repeated whole until it holds `size` elements; other values unchanged."""
    if not isinstance(value, _SEQUENCES) or not value or len(value) >= size:
        return value
    return value * -(-size // len(value))


def _literal_args(call: ast.Call) -> Optional[tuple]:
    if call.keywords or any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    try:
        return tuple(ast.literal_eval(arg) for arg in call.args)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def solution_name(test_code: str, entry_point: str) -> str:
    """The name the solution is called by: the task's entry point, else the one function a HumanEval-style
    test hands to its top-level `check(...)` (HumanEval-X rows have no entry point field)."""
    if entry_point:
        return entry_point
    tree = _parsed(test_code)
    checked = [node.value.args[0].id for node in (tree.body if tree else ())
               if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
               and isinstance(node.value.func, ast.Name) and node.value.func.id == "check"
               and len(node.value.args) == 1 and isinstance(node.value.args[0], ast.Name)]
    return checked[0] if len(checked) == 1 else ""


def _parsed(code: str) -> Optional[ast.Module]:
    try:
        return parse_python(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def scalable_calls(test_code: str, name: str) -> list[tuple]:
    """The argument tuples of the tests' calls of the solution (by `name`, or as `candidate` and any
    parameter of a `check` function) that are all literals with at least one non-empty list, tuple or
    string, distinct, in source order."""
    tree = _parsed(test_code)
    if tree is None:
        return []
    names = {"candidate", name} | {arg.arg for node in ast.walk(tree)
                                   if isinstance(node, ast.FunctionDef) and node.name == "check"
                                   for arg in node.args.args}
    found: list[tuple] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names):
            continue
        args = _literal_args(node)
        if args and any(isinstance(a, _SEQUENCES) and a for a in args) and args not in found:
            found.append(args)
    return found


def perf_code(entry_point: str, calls: list[tuple], size: int) -> str:
    """Code appended to a solution: the entry point on each call's scaled arguments, a SHA-256 of each
    result's repr printed, so the two sides' outputs compare without printing large results."""
    lines = [f"import hashlib as {_DIGEST}", ""]
    for args in calls:
        scaled = ", ".join(repr(_scaled(a, size)) for a in args)
        lines.append(f"print({_DIGEST}.sha256(repr({entry_point}({scaled})).encode()).hexdigest())")
    return "\n".join(lines) + "\n"


def with_scaled_perf(task: Task, size: int) -> Task:
    """`task` with perf code from its scaled test inputs, when it is a Python task with tests code that
    names its solution and no perf cases of its own, and `size` > 0; otherwise `task` unchanged."""
    tests = task.tests
    if size <= 0 or task.language != "Python" or not tests.perf.is_empty:
        return task
    name = solution_name(tests.code, task.entry_point)
    calls = scalable_calls(tests.code, name)[:MAX_CALLS] if name else []
    if not calls:
        return task
    perf = PerfSpec(code=perf_code(name, calls, size))
    return task.replace(tests=tests.replace(perf=perf))
