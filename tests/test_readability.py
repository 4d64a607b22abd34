"""Tree-sitter readability metrics: exact values on small programs worked out by hand."""
import json
import math
import os

import pytest

from schemas.languages import CANONICAL_LANGUAGES
from transforms.readability import METRIC_NAMES, maintainability_index, readability_metrics, readability_score
from transforms.unclosed_blocks import unclosed_braces

PYTHON_ADD = '''def add(a, b):
    # sum two numbers
    if a > 0 and b > 0:
        return a + b
    return 0
'''

C_SIGN = '''int sign(int x, int y) {
    if (x > 0) {
        return 1;
    } else if (x < 0) {
        for (int i = 0; i < y; i++) {
            while (y > i) { y--; }
        }
        return -1;
    }
    return x == 0 ? 0 : 2;
}
int zero(void) { return 0; }
'''


def test_python_metrics_exact():
    m = readability_metrics(PYTHON_ADD, "Python")
    # decisions: `if`, `and`; names: add (descriptive), a, b (cryptic); 1 comment line of 5
    assert (m["lines"], m["cyclomatic_complexity"], m["max_nesting_depth"]) == (5, 3, 1)
    assert (m["function_count"], m["function_length_max"], m["parameter_count_max"]) == (1, 5, 2)
    assert m["identifier_quality"] == pytest.approx(1 / 3)
    assert m["comment_density"] == pytest.approx(0.2)
    assert (m["duplicated_lines"], m["syntax_errors"], m["tree_depth"]) == (0, 0, 8)
    # operators: def ( , ) : if > and > : return + return -> N1 = 13, n1 = 10
    # operands: add a b a 0 b 0 a b 0 -> N2 = 10, n2 = 4
    assert m["halstead_volume"] == pytest.approx(23 * math.log2(14))
    assert m["maintainability_index"] == pytest.approx(
        (171 - 5.2 * math.log(23 * math.log2(14)) - 0.23 * 3 - 16.2 * math.log(5)) * 100 / 171)


def test_c_metrics_else_if_chain_and_void_parameters():
    m = readability_metrics(C_SIGN, "C")
    # decisions: if, if, for, while, ?; `else if` continues the chain, so for/while nest at 2 and 3
    assert (m["cyclomatic_complexity"], m["cyclomatic_complexity_max"], m["max_nesting_depth"]) == (6, 6, 3)
    assert (m["function_count"], m["function_length_max"], m["function_length_mean"]) == (2, 11, 6)
    assert (m["parameter_count_max"], m["parameter_count_mean"]) == (2, 1)  # zero(void) has none


def test_parameters_in_go_and_javascript():
    go = readability_metrics("package main\n\nfunc pair(a, b int, s string) int { return a + b }\n", "Go")
    assert go["parameter_count_max"] == 3
    js = readability_metrics("const twice = x => x * 2;\nfunction sum(a, b, c) { return a + b + c; }\n", "JavaScript")
    assert (js["function_count"], js["parameter_count_max"], js["parameter_count_mean"]) == (2, 3, 2)


def test_duplicated_lines_and_syntax_errors():
    dup = readability_metrics("x = compute_value(1)\nx = compute_value(1)\nx = compute_value(1)\n", "Python")
    assert (dup["duplicated_lines"], dup["duplicated_line_ratio"]) == (2, pytest.approx(2 / 3))
    broken = readability_metrics("def f(:\n  pass\n", "Python")
    assert broken["syntax_errors"] == 1


@pytest.mark.parametrize("language,code", [
    ("C", "#include <stdio.h>\nint main(void) { for (int i = 0; i < 3; i++) printf(\"%d\", i); return 0; }\n"),
    ("Cpp", "#include <vector>\nint total(const std::vector<int>& v) { int s = 0; for (int x : v) s += x; return s; }\n"),
    ("CSharp", "class P { static int Max(int a, int b) { return a > b ? a : b; } }\n"),
    ("Go", "package main\nfunc max(a, b int) int { if a > b { return a }; return b }\n"),
    ("Java", "class P { static int max(int a, int b) { return a > b ? a : b; } }\n"),
    ("JavaScript", "function max(a, b) { return a > b ? a : b; }\n"),
    ("Python", "def max2(a, b):\n    return a if a > b else b\n"),
    ("Ruby", "def max2(a, b)\n  a > b ? a : b\nend\n"),
])
def test_every_language_parses_a_two_way_branch(language, code):
    m = readability_metrics(code, language)
    assert set(m) == set(METRIC_NAMES)
    assert (m["syntax_errors"], m["function_count"], m["cyclomatic_complexity_max"]) == (0, 1, 2)
    assert 0 <= readability_score(m) <= 100


def test_benchmark_candidates_cut_inside_their_class_are_read_closed(shared_data):
    # McEval's C# and Java tests bring the class's closing brace: read as written, each candidate
    # was a syntax error, and a readability report with an error never decides a label
    for name, language, cut in (("Csharp.jsonl", "CSharp", 50), ("Java.jsonl", "Java", 53)):
        with open(os.path.join(shared_data, "mceval", name), encoding="utf-8") as fh:
            codes = [row["prompt"] + row["canonical_solution"] for row in map(json.loads, fh)]
        assert sum(unclosed_braces(language, code) > 0 for code in codes) == cut
        assert [readability_metrics(code, language)["syntax_errors"] for code in codes] == [0] * len(codes)


def test_all_canonical_languages_have_a_grammar():
    for language in CANONICAL_LANGUAGES:
        assert readability_metrics("x", language)["lines"] == 1


def test_score_formula():
    clean = {"maintainability_index": 80.0, "cyclomatic_complexity_max": 5.0, "max_nesting_depth": 2.0,
             "function_length_max": 20.0, "parameter_count_max": 2.0, "identifier_quality": 1.0,
             "duplicated_line_ratio": 0.0, "comment_density": 0.05, "syntax_errors": 0.0}
    assert readability_score(clean) == pytest.approx(100 * (0.25 * 0.8 + 0.15 + 0.15 + 0.10 + 0.05 + 0.15 + 0.10
                                                            + 0.05 * 0.5))
    tangled = dict(clean, cyclomatic_complexity_max=20.0, max_nesting_depth=5.0, function_length_max=200.0,
                   parameter_count_max=10.0, identifier_quality=0.5, duplicated_line_ratio=0.25)
    assert readability_score(tangled) == pytest.approx(100 * (0.25 * 0.8 + 0.15 * 0.5 + 0.15 * 0.5 + 0
                                                              + 0 + 0.15 * 0.5 + 0.10 * 0.5 + 0.05 * 0.5))
    assert readability_score(dict(clean, syntax_errors=2.0)) == pytest.approx(readability_score(clean) / 2)


def test_maintainability_index_is_clamped_at_zero():
    assert maintainability_index(1e12, 500, 100000) == 0.0
