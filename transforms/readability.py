"""Readability and maintainability metrics from tree-sitter syntax trees, for 8 languages.

`readability_metrics(code, language)` parses once with the per-language grammar
wheel (`tree_sitter_python` etc.; `tree-sitter-languages` is stale and
`tree-sitter-language-pack` downloads grammars at run time) and walks the tree
once. `readability_score(metrics)` folds the metrics into one 0-100 score.
`MeasureReadability` is the Beam stage: Candidate -> StaticReport(analyzer="tree-sitter").

Decision points are counted from keyword and operator tokens (`if`, `for`,
`case`, `catch`, `&&`, `and`, `?` ...), which reads the same across grammars
where node names differ.
"""
from __future__ import annotations

import math
import re
from typing import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.records import Candidate, DeadLetter, StaticReport, content_id
from transforms.dead_letters import Routed, Step
from transforms.grammars import parser_for
from transforms.unclosed_blocks import close_blocks

ANALYZER = "tree-sitter"
METRICS_VERSION = "3"  # part of every report key: bump when the same code is measured differently


# Tokens that open a branch: cyclomatic complexity = 1 + their count.
_DECISION_TOKENS = frozenset({
    "if", "elif", "elsif", "unless", "for", "foreach", "while", "until", "case", "when",
    "catch", "except", "rescue", "&&", "||", "and", "or", "?", "??",
})
# Control structures that nest; an `if` that is the `else` branch of another
# `if` continues the chain instead of nesting deeper.
_NESTING_NODES = frozenset({
    "if_statement", "for_statement", "for_in_statement", "for_range_loop", "enhanced_for_statement",
    "foreach_statement", "while_statement", "do_statement", "switch_statement", "switch_expression",
    "expression_switch_statement", "type_switch_statement", "select_statement", "try_statement",
    "with_statement", "match_statement", "catch_clause", "except_clause",
    "if", "unless", "while", "until", "for", "case", "begin", "if_modifier", "unless_modifier",
    "while_modifier", "until_modifier",
})
_IF_NODES = frozenset({"if_statement", "if"})
_ELSE_PARENTS = frozenset({"else_clause", "else", "if_statement"})
_FUNCTION_NODES = {
    "C": frozenset({"function_definition"}),
    "Cpp": frozenset({"function_definition", "lambda_expression"}),
    "CSharp": frozenset({"method_declaration", "constructor_declaration", "local_function_statement",
                         "lambda_expression", "operator_declaration"}),
    "Go": frozenset({"function_declaration", "method_declaration", "func_literal"}),
    "Java": frozenset({"method_declaration", "constructor_declaration", "lambda_expression"}),
    "JavaScript": frozenset({"function_declaration", "function_expression", "arrow_function",
                             "method_definition", "generator_function_declaration"}),
    "Python": frozenset({"function_definition", "lambda"}),
    "Ruby": frozenset({"method", "singleton_method", "lambda"}),
}
_PARAMETER_LISTS = frozenset({
    "parameters", "formal_parameters", "parameter_list", "method_parameters", "lambda_parameters",
    "block_parameters", "lambda_parameter_list",
})
_COMMENT_NODES = frozenset({"comment", "line_comment", "block_comment"})
_IDENTIFIER_NODES = frozenset({
    "identifier", "field_identifier", "property_identifier", "type_identifier", "constant",
    "shorthand_property_identifier", "shorthand_property_identifier_pattern", "namespace_identifier",
    "package_identifier", "instance_variable",
})
# Short names that are conventional, not cryptic.
_CONVENTIONAL_SHORT_NAMES = frozenset({
    "i", "j", "k", "n", "m", "x", "y", "z", "_", "id", "ok", "io", "os", "fs", "db", "op", "fn",
})
_DUPLICATE_MIN_CHARS = 12  # shorter lines (`}`, `return 0;`, `end`) repeat legitimately
_WHITESPACE = re.compile(r"\s+")

METRIC_NAMES: tuple[str, ...] = (
    "lines", "cyclomatic_complexity", "cyclomatic_complexity_max", "max_nesting_depth",
    "function_count", "function_length_max", "function_length_mean",
    "parameter_count_max", "parameter_count_mean", "identifier_quality", "comment_density",
    "duplicated_lines", "duplicated_line_ratio", "halstead_volume", "maintainability_index",
    "syntax_errors", "tree_depth",
)



def _parameter_count(function, source: bytes) -> int:
    """Parameters of a function node: the first parameter list among its header children."""
    if function.child_by_field_name("parameter") is not None:  # JavaScript `x => x`
        return 1
    frontier = [c for c in function.children if c.type not in ("block", "body", "body_statement",
                                                                   "compound_statement", "statement_block")]
    for _ in range(3):  # C puts the list inside (pointer_)function_declarator
        for node in frontier:
            if node.type in _PARAMETER_LISTS:
                return _count_parameters(node, source)
        frontier = [c for node in frontier for c in node.children]
    return 0


def _count_parameters(params, source: bytes) -> int:
    count = 0
    for child in params.named_children:
        if child.type in _COMMENT_NODES:
            continue
        names = child.children_by_field_name("name") if child.type == "parameter_declaration" else []
        if len(names) > 1:  # Go: `a, b int`
            count += len(names)
        elif child.type == "parameter_declaration" and child.child_by_field_name("declarator") is None \
                and source[child.start_byte:child.end_byte].strip() == b"void":
            continue  # C: `f(void)`
        else:
            count += 1
    return count


def _syntax_errors(root) -> int:
    if not root.has_error:
        return 0
    errors, stack = 0, [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            errors += 1
        if node.has_error:
            stack.extend(node.children)
    return errors


def readability_metrics(code: str, language: str) -> dict[str, float]:
    """Metrics of one source file; every name in METRIC_NAMES, as floats. A candidate cut inside
    its class (benchmark tests bring the closing braces) is read closed, not as a syntax error."""
    tree = parser_for(language).parse(code.encode("utf-8"))
    closed = close_blocks(language, code, tree)  # parses nothing more unless braces are missing
    if closed != code:
        code, tree = closed, parser_for(language).parse(closed.encode("utf-8"))
    source = code.encode("utf-8")
    root = tree.root_node
    functions_of_language = _FUNCTION_NODES[language]

    decisions = 0
    max_nesting = 0
    tree_depth = 0
    operators: dict[str, int] = {}
    operands: dict[bytes, int] = {}
    identifiers: set[bytes] = set()
    comment_rows: set[int] = set()
    functions = []  # [node, decisions inside]
    # (node, depth, nesting, parent type, index of innermost function or -1)
    stack = [(root, 1, 0, "", -1)]
    while stack:
        node, depth, nesting, parent_type, function = stack.pop()
        kind = node.type
        if depth > tree_depth:
            tree_depth = depth
        if kind in _COMMENT_NODES:
            comment_rows.update(range(node.start_point[0], node.end_point[0] + 1))
            continue
        if node.child_count == 0:
            if node.is_named:
                text = source[node.start_byte:node.end_byte]
                operands[text] = operands.get(text, 0) + 1
                if kind in _IDENTIFIER_NODES:
                    identifiers.add(text)
            else:
                operators[kind] = operators.get(kind, 0) + 1
                if kind in _DECISION_TOKENS:
                    decisions += 1
                    if function >= 0:
                        functions[function][1] += 1
            continue
        if kind in _NESTING_NODES and not (kind in _IF_NODES and parent_type in _ELSE_PARENTS):
            nesting += 1
            if nesting > max_nesting:
                max_nesting = nesting
        if kind in functions_of_language:
            functions.append([node, 0])
            function = len(functions) - 1
        children = node.children
        for child in reversed(children):
            stack.append((child, depth + 1, nesting, kind, function))

    lines = [line for line in code.splitlines()]
    code_rows = [i for i, line in enumerate(lines) if line.strip()]
    loc = len(code_rows)
    seen_lines: set[str] = set()
    duplicated = 0
    for i in code_rows:
        if i in comment_rows:
            continue
        normalized = _WHITESPACE.sub(" ", lines[i].strip())
        if len(normalized) < _DUPLICATE_MIN_CHARS:
            continue
        if normalized in seen_lines:
            duplicated += 1
        seen_lines.add(normalized)

    lengths = [f.end_point[0] - f.start_point[0] + 1 for f, _ in functions]
    params = [_parameter_count(f, source) for f, _ in functions]
    vocabulary = len(operators) + len(operands)
    length = sum(operators.values()) + sum(operands.values())
    volume = length * math.log2(vocabulary) if vocabulary > 1 else 0.0
    cyclomatic = 1 + decisions
    good_names = sum(1 for name in identifiers if len(name) >= 3 or name.decode("utf-8", "replace")
                     in _CONVENTIONAL_SHORT_NAMES)
    return {
        "lines": float(loc),
        "cyclomatic_complexity": float(cyclomatic),
        "cyclomatic_complexity_max": float(max((1 + d for _, d in functions), default=cyclomatic)),
        "max_nesting_depth": float(max_nesting),
        "function_count": float(len(functions)),
        "function_length_max": float(max(lengths, default=loc)),
        "function_length_mean": float(sum(lengths) / len(lengths)) if lengths else float(loc),
        "parameter_count_max": float(max(params, default=0)),
        "parameter_count_mean": float(sum(params) / len(params)) if params else 0.0,
        "identifier_quality": good_names / len(identifiers) if identifiers else 1.0,
        "comment_density": sum(1 for i in code_rows if i in comment_rows) / loc if loc else 0.0,
        "duplicated_lines": float(duplicated),
        "duplicated_line_ratio": duplicated / loc if loc else 0.0,
        "halstead_volume": volume,
        "maintainability_index": maintainability_index(volume, cyclomatic, loc),
        "syntax_errors": float(_syntax_errors(root)),
        "tree_depth": float(tree_depth),
    }


def maintainability_index(volume: float, cyclomatic: int, loc: int) -> float:
    """Oman-Hagemeister MI rescaled to 0-100 (the Visual Studio variant)."""
    raw = 171 - 5.2 * math.log(max(volume, 1.0)) - 0.23 * cyclomatic - 16.2 * math.log(max(loc, 1))
    return max(0.0, raw * 100 / 171)


def _ramp(value: float, good: float, bad: float) -> float:
    """1 at or below `good`, 0 at or above `bad`, linear between."""
    return min(1.0, max(0.0, (bad - value) / (bad - good)))


# (weight, sub-score) pairs; the weights sum to 1.
_SCORE_TERMS = (
    (0.25, lambda m: m["maintainability_index"] / 100),
    (0.15, lambda m: _ramp(m["cyclomatic_complexity_max"], 10, 30)),
    (0.15, lambda m: _ramp(m["max_nesting_depth"], 3, 7)),
    (0.10, lambda m: _ramp(m["function_length_max"], 40, 120)),
    (0.05, lambda m: _ramp(m["parameter_count_max"], 4, 8)),
    (0.15, lambda m: m["identifier_quality"]),
    (0.10, lambda m: _ramp(m["duplicated_line_ratio"], 0.0, 0.5)),
    (0.05, lambda m: min(1.0, m["comment_density"] / 0.1)),
)


def readability_score(metrics: dict[str, float]) -> float:
    """One 0-100 score, higher is more readable.

    score = 100 * (0.25 * MI/100
                   + 0.15 * ramp(max function cyclomatic complexity, 10, 30)
                   + 0.15 * ramp(max nesting depth, 3, 7)
                   + 0.10 * ramp(longest function in lines, 40, 120)
                   + 0.05 * ramp(most parameters, 4, 8)
                   + 0.15 * identifier quality (share of descriptive distinct names)
                   + 0.10 * ramp(duplicated line ratio, 0, 0.5)
                   + 0.05 * min(1, comment density / 0.1))
    halved when the parser reports syntax errors. ramp(v, good, bad) is 1 up to
    `good`, 0 from `bad`, linear between.
    """
    score = 100 * sum(weight * term(metrics) for weight, term in _SCORE_TERMS)
    if metrics["syntax_errors"] > 0:
        score /= 2
    return round(score, 4)


def report_key(candidate: Candidate) -> str:
    return content_id(ANALYZER, METRICS_VERSION, candidate.language, candidate.code)


def measure_candidate(candidate: Candidate) -> StaticReport:
    """The tree-sitter StaticReport of one candidate (its code only, not the tests)."""
    metrics = readability_metrics(candidate.code, candidate.language)
    errors = [f"{int(metrics['syntax_errors'])} syntax error node(s)"] if metrics["syntax_errors"] else []
    return StaticReport(
        candidate_id=candidate.candidate_id, task_id=candidate.task_id, language=candidate.language,
        analyzer=ANALYZER, metrics=metrics, readability_score=readability_score(metrics), errors=errors,
        report_key=report_key(candidate),
    )


class _MeasureFn(Step):
    stage, kept = "readability", "measured"

    def __init__(self):
        self.with_syntax_errors = Metrics.counter("themis", "readability.syntax_errors")

    def decide(self, candidate: Candidate) -> Iterable:
        try:
            report = measure_candidate(candidate)
        except Exception as exc:  # a grammar or input we cannot handle: keep it as a dead letter
            yield DeadLetter.of("readability", "failed", candidate.to_dict(), candidate.candidate_id,
                                f"{type(exc).__name__}: {exc}")
            return
        if report.errors:
            self.with_syntax_errors.inc()
        yield report


class MeasureReadability(beam.PTransform):
    """PCollection[Candidate] -> {"reports": StaticReport(analyzer="tree-sitter"), "dead_letters": DeadLetter}."""

    def expand(self, candidates):
        return candidates | "Measure" >> Routed(_MeasureFn(), "reports")
