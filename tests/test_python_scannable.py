"""transforms/python_scannable.py: Python 3.12 f-strings and slices rewritten for the scanners, in place."""
import ast

import pytest

from transforms.analyzers.base import scanned_text
from transforms.python_scannable import scannable_python


@pytest.mark.parametrize("code, expected", [
    ("x = f'rows: {', '.join(names)}'\n", "x = f'rows: {\", \".join(names)}'\n"),
    ('x = f"{d["k"]} and {d[\'j\']}"\n', "x = f\"{d['k']} and {d['j']}\"\n"),
    ("z = f'{f'{x}'}'\n", "z = f'{f\"{x}\"}'\n"),  # a nested f-string
    ("ok = f'{a}'  # it's\nq = f'{', '.join(x)}'\n", "ok = f'{a}'  # it's\nq = f'{\", \".join(x)}'\n"),
    ("y = f'{a!r:>{w}} {', '.join(b)}'\n", "y = f'{a!r:>{w}} {\", \".join(b)}'\n"),  # a format spec with a field
])
def test_a_nested_string_gets_the_other_quote_in_place(code, expected):
    assert scannable_python(code) == expected
    assert len(expected) == len(code)
    ast.parse(expected)


@pytest.mark.parametrize("code", [
    "x = f'{a}' + 'plain' + f\"{b['k']}\"\n",  # parses already
    "w = f'{\"a'b\"}'\n",  # the nested string holds both quotes: no swap can work
    "def broken(:\n    return f'{', '.join(x)}'\n",  # a syntax error the swap does not fix
])
def test_code_a_swap_cannot_fix_is_left_as_it_is(code):
    assert scannable_python(code) == code


@pytest.mark.parametrize("code, expected", [
    ("t = h[7:]\n", "t = h[7,]\n"),
    ("a = p[4:-17]\n", "a = p[4,-17]\n"),
    ("b = p[:3] + p[::2]\n", "b = p[ 3] + p[  2]\n"),
    ("c = p[:]\n", "c = p[0]\n"),  # an index must hold something
    ("e = m[1:2, ::3]\n", "e = m[1,2,   3]\n"),
    ("i = d[{'a': 1}['a']:]\n", "i = d[{'a': 1}['a'],]\n"),  # a dict's colon is no slice
    ("g = [1, 2][0:1] if x in [3] else f(y)[1:]\n", "g = [1, 2][0,1] if x in [3] else f(y)[1,]\n"),
    ("s = a[b[1:]:]  # a[1:]\n", "s = a[b[1,],]  # a[1:]\n"),  # nested; comments untouched
    ("q = sorted(y, key=lambda v: v[1:])\n", "q = sorted(y, key=lambda v: v[1,])\n"),
])
def test_a_slice_becomes_an_index_in_place(code, expected):
    assert scannable_python(code) == expected
    ast.parse(expected)


@pytest.mark.parametrize("code", [
    "m = x[y:=1] + x[(z:=2)]\n",  # a walrus is no slice
    "l = x[lambda: 1]\n",  # nor a lambda's colon
    "o = f'{p[1:]}'\n",  # a slice inside an f-string is left as it is
])
def test_colons_that_are_no_slice_are_left_alone(code):
    assert scannable_python(code) == code


def test_the_scanners_read_the_rewritten_text_of_an_indented_method():
    method = "    def view(self):\n        return f'{', '.join(self.names)}' + self.path[1:]\n"
    assert scanned_text("Python", method) == "def view(self):\n    return f'{\", \".join(self.names)}' + self.path[1,]\n"


def test_taint_through_a_slice_reaches_the_sink():
    """The point of the slice rewrite: semgrep's taint mode drops taint at a slice."""
    from schemas.records import Candidate, TestSpec
    from transforms.security import scan_candidates
    code = ("from flask import request\n\n\n@app.route('/run')\ndef run():\n"
            "    command = request.args.get('c', '')[1:]\n    return os.popen(command).read()\n")
    [report] = scan_candidates([Candidate(candidate_id="c", task_id="t", language="Python", prompt="p", code=code,
                                          origin="x", tests=TestSpec())])
    assert ("python-taint-command-injection", 7) in {(f.rule_id, f.line) for f in report.findings}
