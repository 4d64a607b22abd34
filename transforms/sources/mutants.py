"""Verified mutants: Functional_Correctness negatives made by small tree-sitter edits.

Operators (each a byte-range edit at one syntax node, the same for all eight
languages up to node names):
    relational   < <= > >= == != (=== !==) swapped with their neighbour
    arithmetic   + - * / swapped (+ <-> -, * <-> /) in binary expressions
    constant     an integer literal n -> n + 1 or n - 1 (off by one)
    negate       the condition of an if / elif / while / do-while wrapped in a negation
    delete       an expression or assignment statement removed (`pass` in Python, `;` in C-like code)

A mutant must parse without errors (alone, or followed by its test code when the
candidate is a fragment that the test completes). Which sites are used is drawn with a seed
derived from the candidate's content, so reruns produce the same mutants. A
mutant is kept only when the sandbox (the execute stage, one run) shows it fails
the task's tests; one that passes is an equivalent mutant and is dropped with
that reason.
"""
from __future__ import annotations

import dataclasses
import random
import re
from typing import Iterable, Iterator, NamedTuple, Optional, Union

import apache_beam as beam
import tree_sitter
from apache_beam.metrics import Metrics

from schemas import Candidate, CandidateSpec, DeadLetter, Task, content_id
from transforms.candidates import task_candidates
from transforms.execute import Execute, ExecuteConfig
from transforms.grammars import parser_for
from transforms.dead_letters import DEAD_LETTERS, Routed
from transforms.store import StoreRef

STAGE = "sources.mutants"

OPERATORS: tuple[str, ...] = ("relational", "arithmetic", "constant", "negate", "delete")

_SWAPS = {
    "relational": {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "===": "!==", "!==": "==="},
    "arithmetic": {"+": "-", "-": "+", "*": "/", "/": "*"},
}
_BINARY_PARENTS = {"binary_expression", "binary_operator", "comparison_operator", "binary"}
_INTEGER_TYPES = {"integer", "number_literal", "decimal_integer_literal", "number", "int_literal", "integer_literal"}
_CONDITIONAL_TYPES = {"if_statement", "while_statement", "do_statement", "elif_clause", "if", "elsif", "while", "unless"}
_PARENTHESISED = {"parenthesized_expression", "condition_clause"}
_STATEMENT_TYPES = {"expression_statement", "assignment_statement", "inc_statement", "dec_statement"}
_RUBY_STATEMENT_TYPES = {"assignment", "operator_assignment", "call"}
_RUBY_BODIES = {"body_statement", "then", "else", "do", "block_body", "begin"}
_EMPTY_STATEMENT = {"Python": "pass", "Go": "", "Ruby": ""}  # others: ";"


@dataclasses.dataclass(frozen=True)
class MutantConfig:
    operators: tuple[str, ...] = OPERATORS
    max_mutants: int = 3  # per candidate
    origins: tuple[str, ...] = ("reference", "submission", "commit_new")  # candidates worth mutating


class Site(NamedTuple):
    start: int  # byte offsets into the UTF-8 source
    end: int
    replacement: str
    operator: str
    line: int  # 1-based


def parses(language: str, code: str) -> bool:
    return not parser_for(language).parse(code.encode("utf-8")).root_node.has_error


def _negation(language: str, text: str) -> str:
    return f"not ({text})" if language == "Python" else f"!({text})"


def _sites_at(node: tree_sitter.Node, language: str) -> Iterator[Site]:
    text = node.text.decode("utf-8")
    line = node.start_point[0] + 1
    parent = node.parent
    if not node.is_named and parent is not None and parent.type in _BINARY_PARENTS:
        for operator, swaps in _SWAPS.items():
            if node.type in swaps:
                yield Site(node.start_byte, node.end_byte, swaps[node.type], operator, line)
    if node.type in _INTEGER_TYPES and re.fullmatch(r"\d+", text):
        yield Site(node.start_byte, node.end_byte, str(int(text) + 1), "constant", line)
        if int(text) > 0:
            yield Site(node.start_byte, node.end_byte, str(int(text) - 1), "constant", line)
    condition = node.child_by_field_name("condition") if node.type in _CONDITIONAL_TYPES else None
    if condition is not None:
        cond = condition.text.decode("utf-8")
        negated = (f"({_negation(language, cond[1:-1])})" if condition.type in _PARENTHESISED and cond.startswith("(")
                   else _negation(language, cond))
        yield Site(condition.start_byte, condition.end_byte, negated, "negate", condition.start_point[0] + 1)
    deletable = (node.type in _STATEMENT_TYPES if language != "Ruby"
                 else node.type in _RUBY_STATEMENT_TYPES and parent is not None and parent.type in _RUBY_BODIES)
    is_docstring = node.named_child_count == 1 and node.named_children[0].type == "string"
    if deletable and not is_docstring:
        yield Site(node.start_byte, node.end_byte, _EMPTY_STATEMENT.get(language, ";"), "delete", line)


def _program(language: str, code: str, context: str) -> Optional[str]:
    """What to parse: the code alone, or (when it is a fragment, e.g. a method whose class the
    test closes) the code followed by its test code; None when neither parses."""
    for program in (code, f"{code}\n{context}" if context else None):
        if program is not None and parses(language, program):
            return program
    return None


def mutation_sites(language: str, code: str, operators: Iterable[str] = OPERATORS, context: str = "") -> list[Site]:
    """Every applicable edit inside `code`, in document order (empty when it does not parse)."""
    program = _program(language, code, context)
    if program is None:
        return []
    limit = len(code.encode("utf-8"))
    wanted = set(operators)
    sites: list[Site] = []
    stack = [parser_for(language).parse(program.encode("utf-8")).root_node]
    while stack:
        node = stack.pop()
        sites += [s for s in _sites_at(node, language) if s.operator in wanted and s.end <= limit]
        stack.extend(reversed(node.children))
    return sorted(sites)


def apply_site(code: str, site: Site) -> str:
    raw = code.encode("utf-8")
    return (raw[:site.start] + site.replacement.encode("utf-8") + raw[site.end:]).decode("utf-8")


def mutate(candidate: Candidate, config: MutantConfig = MutantConfig(), seed: int = 0) -> list[Candidate]:
    """Up to `max_mutants` parsing mutants of a candidate, the same ones on every run."""
    context = candidate.tests.code
    sites = mutation_sites(candidate.language, candidate.code, config.operators, context)
    rng = random.Random(content_id("mutants", seed, candidate.candidate_id, candidate.code))
    mutants: list[Candidate] = []
    seen = {candidate.code}
    for site in rng.sample(sites, len(sites)):
        if len(mutants) >= config.max_mutants:
            break
        code = apply_site(candidate.code, site)
        if code in seen or not code.strip() or _program(candidate.language, code, context) is None:
            continue
        seen.add(code)
        original = candidate.code.encode("utf-8")[site.start:site.end].decode("utf-8")
        metadata = {"mutant_of": candidate.candidate_id, "operator": site.operator, "line": str(site.line),
                    "edit": f"{original} -> {site.replacement}"[:200]}
        mutants.append(candidate.replace(
            candidate_id=Candidate.make_id(candidate.task_id, candidate.language, code),
            code=code, origin="mutant", metadata=metadata))
    return mutants


_FAILING = {"test_failure", "runtime_error", "timeout", "memory_limit", "output_limit"}


def verdict(mutant: Candidate, status: str) -> Union[Candidate, DeadLetter]:
    """Keep a mutant the tests reject; drop one that passes (equivalent) or never ran."""
    if status in _FAILING:
        return mutant.replace(metadata={**mutant.metadata, "status": status})
    reason = {"ok": "equivalent_mutant", "compile_error": "mutant_compile_error"}.get(status, "sandbox_error")
    return DeadLetter.of(STAGE, reason, mutant.to_dict(), record_id=mutant.candidate_id, detail=f"sandbox status {status}")


# ---- Beam -------------------------------------------------------------------

class _Mutate(beam.DoFn):
    def __init__(self, config: MutantConfig, seed: int):
        self._config, self._seed = config, seed

    def process(self, candidate: Candidate) -> Iterator[Candidate]:
        if candidate.origin not in self._config.origins:
            return
        if candidate.tests.is_empty:  # nothing could show the mutant is wrong
            Metrics.counter("themis", f"{STAGE}.skipped_no_tests").inc()
            return
        mutants = mutate(candidate, self._config, self._seed)
        Metrics.counter("themis", f"{STAGE}.generated").inc(len(mutants))
        yield from mutants


def _judge(item) -> list[Union[Candidate, DeadLetter]]:
    """A mutant with its measurement -> kept or dead-lettered; repeated mutants keep one copy."""
    _id, grouped = item
    mutants, measurements = list(grouped["mutants"]), list(grouped["measurements"])
    if not measurements:  # Execute dead-lettered it (sandbox error or unavailable)
        return []
    return [verdict(mutants[0], measurements[0].status)] + [
        DeadLetter.of(STAGE, "duplicate_mutant", m.to_dict(), record_id=m.candidate_id,
                      detail="another candidate of the task mutates to the same program") for m in mutants[1:]]


class VerifiedMutants(beam.PTransform):
    """Candidates -> {"candidates": mutants that fail their tests, "dead_letters": the rest,
    "generated": every mutant made}.

    Mutants run once each through the execute stage (`transforms.execute.Execute`),
    so sandbox set-up, batching and the measurement store (`store_path`) are the build's own;
    `seed` is mixed into the choice of mutation sites.
    """

    def __init__(self, config: MutantConfig = MutantConfig(), execute: ExecuteConfig = ExecuteConfig(repetitions=1),
                 store_path: Optional[StoreRef] = None, seed: int = 0):
        super().__init__()
        self.config, self.execute, self.store_path, self.seed = config, execute, store_path, seed

    def expand(self, candidates):
        mutants = candidates | "Mutate" >> beam.ParDo(_Mutate(self.config, self.seed))
        measured = mutants | "Spread" >> beam.Reshuffle() | "Execute" >> Execute(self.execute, self.store_path)
        out = ({"mutants": mutants | "MutantById" >> beam.Map(lambda m: (m.candidate_id, m)),
                "measurements": measured["measurements"] | "MeasurementById" >> beam.Map(lambda x: (x.candidate_id, x))}
               | "Join" >> beam.CoGroupByKey()
               | "Judge" >> Routed(_judge, "candidates", stage=STAGE, kept="kept"))
        dead = (measured[DEAD_LETTERS], out[DEAD_LETTERS]) | "DeadLetters" >> beam.Flatten()
        return {"candidates": out["candidates"], DEAD_LETTERS: dead, "generated": mutants}


def _with_mutants(item) -> Iterator[Task]:
    _task_id, grouped = item
    for task in grouped["tasks"]:
        mutants = sorted(grouped["mutants"], key=lambda m: m.candidate_id)
        yield task.replace(candidates=task.candidates + [
            CandidateSpec(code=m.code, origin="mutant", metadata=m.metadata) for m in mutants])


class AddVerifiedMutants(beam.PTransform):
    """Tasks -> {"tasks": the same Tasks with their verified mutants appended as candidates (origin
    `mutant`), "dead_letters", "generated" and "verified": the mutants made and kept}; arguments as
    VerifiedMutants'."""

    def __init__(self, config: MutantConfig = MutantConfig(), execute: ExecuteConfig = ExecuteConfig(repetitions=1),
                 store_path: Optional[StoreRef] = None, seed: int = 0):
        super().__init__()
        self.config, self.execute, self.store_path, self.seed = config, execute, store_path, seed

    def expand(self, tasks):
        # the task keeps all its candidates; only distinct programs are mutated
        candidates = tasks | "Explode" >> beam.FlatMap(lambda t: task_candidates(t)[0])
        verified = candidates | "Verify" >> VerifiedMutants(self.config, self.execute, self.store_path, self.seed)
        joined = ({"tasks": tasks | "TaskById" >> beam.Map(lambda t: (t.task_id, t)),
                   "mutants": verified["candidates"] | "MutantByTask" >> beam.Map(lambda m: (m.task_id, m))}
                  | "Join" >> beam.CoGroupByKey()
                  | "Append" >> beam.FlatMap(_with_mutants))
        return {"tasks": joined, DEAD_LETTERS: verified[DEAD_LETTERS], "generated": verified["generated"],
                "verified": verified["candidates"]}
