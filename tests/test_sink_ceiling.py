"""bench/sink_ceiling.py: which vulnerable functions hold any sink of their weakness."""
import json
import subprocess
import sys

from bench.sink_ceiling import ceiling, has_sink

ROWS = [
    # the escape a template applies later: nothing in the function writes HTML
    {"language": "JavaScript", "vul_type": "cwe-79", "func_src_before": "function f(u) { u.name = u.raw; }"},
    {"language": "JavaScript", "vul_type": "cwe-79", "func_src_before": "function f(u) { $('#n').html(u.name); }"},
    {"language": "Python", "vul_type": "cwe-22", "func_src_before": "def f(name):\n    return open(name).read()"},
    {"language": "Ruby", "vul_type": "cwe-352", "func_src_before": "def create\n  save\nend"},
    {"language": "Go", "vul_type": "cwe-798", "func_src_before": "func f() { key := \"x\" }"},
]


def test_has_sink_sees_the_weakness_call_only():
    assert has_sink("cwe-79", "$('#n').html(name)")
    assert not has_sink("cwe-79", "user.name = name")
    assert has_sink("CWE-78", "subprocess.run(cmd, shell=True)")
    assert not has_sink("CWE-352", "protect_from_forgery")


def test_ceiling_counts_rows_per_language_and_cwe():
    assert ceiling(ROWS) == {("JavaScript", "CWE-79"): [1, 2], ("Python", "CWE-22"): [1, 1], ("Ruby", "CWE-352"): [0, 1]}


def test_command_line_prints_the_table(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    out = subprocess.run([sys.executable, "bench/sink_ceiling.py", str(path)], capture_output=True, text=True, check=True).stdout
    assert "| JavaScript | CWE-79 | 2 | 1 (50%) |" in out
    assert "| **all** | | 4 | 2 (50%) |" in out
