"""The field's analyzers beside semgrep: real bandit, cppcheck, flawfinder and ESLint runs, exact findings;
a tool that fails or cannot parse is not heard on the pair; two tools on one CWE and line count once."""
from __future__ import annotations

import os

import pytest

from schemas.records import Candidate, StaticReport, TestSpec
from transforms.analyzers import TOOLS, eslint
from transforms.analyzers.base import scan_reports
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, security_rule
from transforms.security import scan_candidates
from transforms.store import Store


def candidate(cid: str, language: str, code: str) -> Candidate:
    return Candidate(candidate_id=cid, task_id="t", language=language, prompt="", code=code, origin="reference",
                     tests=TestSpec())


def findings(report: StaticReport) -> list[tuple]:
    return [(f.rule_id, f.cwe, f.severity, f.line) for f in report.findings]


PYTHON = "import subprocess\ndef f(x):\n    subprocess.call(x, shell=True)\n    eval(x)\n"
PYTHON_SIGNED_PICKLE = ("import pickle, hmac\ndef get(body, header, expected):\n"
                        "    if not hmac.compare_digest(header, expected):\n        return None\n    return pickle.loads(body)\n")
C_NULL = "#include <stdlib.h>\nint f(){ int *p = 0; return *p; }\nvoid g(){ char b[4]; b[10]=1; }\n"
C_COPY = "#include <string.h>\nvoid f(char *s) {\n    char b[4];\n    strcpy(b, s);\n}\n"
C_FORMAT = '#include <stdio.h>\nvoid f(char *s) {\n    char b[4];\n    sprintf(b, "%s", s);\n}\n'
C_CHECKED_LATE = "#include <string.h>\nint f(const char *name) {\n    if (strchr(name, '/')) return -1;\n    return name ? 1 : 0;\n}\n"
C_SAFE = "#include <string.h>\nvoid f(char *s) {\n    char b[4];\n    strncpy(b, s, sizeof b - 1);\n}\n"
JS = "function f(el, x) {\n  el.innerHTML = x;\n  eval(x);\n}\n"
PYTHON_PLACEHOLDER = 'def f(db, uid):\n    return db.execute(f"delete from users where id = %s", (uid,))\n'  # B608: no splice
PYTHON_HOST_CHECK = 'def exposed(host):\n    return host == "0.0.0.0"\n'  # B104 takes any such string for a bind


@pytest.mark.parametrize("tool, language, code, expected", [
    ("bandit", "Python", PYTHON, [("bandit/B404", "CWE-78", "LOW", 1), ("bandit/B602", "CWE-78", "HIGH", 3),
                                  ("bandit/B307", "CWE-95", "LOW", 4)]),
    ("bandit", "Python", PYTHON_HOST_CHECK, [("bandit/B104", "CWE-605", "LOW", 2)]),
    ("bandit", "Python", PYTHON_PLACEHOLDER, [("bandit/B608", "CWE-89", "LOW", 2)]),
    # pickle by name: python-unsafe-deserialization judges it, excusing bytes whose HMAC was checked first
    ("bandit", "Python", PYTHON_SIGNED_PICKLE, [("bandit/B403", "CWE-502", "LOW", 1),
                                                ("bandit/B301", "CWE-502", "LOW", 5)]),
    ("cppcheck", "C", C_NULL, [("cppcheck/nullPointer", "CWE-476", "HIGH", 2),
                               ("cppcheck/arrayIndexOutOfBounds", "CWE-787", "HIGH", 3)]),
    # dereferenced, then checked for NULL: the check says it can be NULL
    ("cppcheck", "C", C_CHECKED_LATE, [("cppcheck/nullPointerRedundantCheck", "CWE-476", "MEDIUM", 3)]),
    # strcpy by name only is LOW: c-unbounded-string-copy judges it knowing the destination's size
    ("flawfinder", "C", C_COPY, [("flawfinder/char", "CWE-119", "LOW", 3),
                                 ("flawfinder/strcpy", "CWE-120", "LOW", 4)]),
    ("flawfinder", "C", C_FORMAT, [("flawfinder/char", "CWE-119", "LOW", 3),
                                   ("flawfinder/sprintf", "CWE-120", "MEDIUM", 4)]),
    ("eslint", "JavaScript", JS, [("eslint/no-unsanitized/property", "CWE-79", "HIGH", 2),
                                  ("eslint/security/detect-eval-with-expression", "CWE-95", "HIGH", 3)]),
])
def test_each_tool_maps_its_ids_to_cwe_and_severity(tool, language, code, expected):
    [report] = scan_reports(TOOLS[tool], [candidate("c", language, code)], 200, 30)
    assert (report.analyzer, findings(report), report.errors) == (tool, expected, [])


@pytest.mark.parametrize("tool, language, code, error", [
    ("bandit", "Python", "def f(:\n", "bandit: syntax error while parsing AST from file"),
    ("cppcheck", "Cpp", "int f( { }\n", "cppcheck syntaxError: Unmatched '('. Configuration: ''."),
    ("eslint", "JavaScript", "function f( {\n", "eslint: Parsing error: Unexpected token"),
])
def test_a_file_the_tool_cannot_parse_keeps_its_report_with_the_error(tool, language, code, error):
    reports = scan_reports(TOOLS[tool], [candidate("bad", language, code), candidate("ok", language, "")], 200, 30)
    assert [(r.candidate_id, r.findings, r.errors) for r in reports] == [("bad", [], [error]), ("ok", [], [])]


def broken_eslint(tmp_path) -> str:
    """A real ESLint install whose config names a plugin it lacks: ESLint exits 2 on every run."""
    broken = tmp_path / "eslint"
    broken.mkdir()
    os.symlink(eslint.ESLINT_DIR / "node_modules", broken / "node_modules")
    (broken / "eslint.config.mjs").write_text("export default [{ rules: { 'no-such/rule': 'error' } }];\n")
    return broken


def test_reports_are_stored_by_content_and_a_failed_run_is_not(tmp_path, monkeypatch):
    store = str(tmp_path / "store.sqlite")
    first = scan_reports(TOOLS["flawfinder"], [candidate("a", "C", C_COPY)], 200, 30, store)
    assert Store(store).get_many("static", [first[0].report_key], StaticReport)[first[0].report_key].findings \
        == first[0].findings
    again = scan_reports(TOOLS["flawfinder"], [candidate("b", "C", C_COPY)], 200, 30, store)
    assert (again[0].candidate_id, again[0].findings) == ("b", first[0].findings)
    # ESLint itself failing (a config it cannot load: exit 2) is every file's error, and nothing is stored
    monkeypatch.setattr(eslint, "ESLINT_DIR", broken_eslint(tmp_path))
    [failed] = scan_reports(TOOLS["eslint"], [candidate("j", "JavaScript", JS)], 200, 30, store)
    assert failed.findings == [] and failed.errors[0].startswith(
        'eslint failed: node exited 2: ect specifies rule "no-such/rule", but could not find plugin "no-such".')
    assert Store(store).get_many("static", [failed.report_key], StaticReport) == {}


def sides(before: str, after: str, tools: tuple[str, ...], language: str = "C") -> tuple[Side, Side]:
    old, new = candidate("old", language, before), candidate("new", language, after)
    semgrep = scan_candidates([old, new])
    others = [scan_reports(TOOLS[t], [old, new], 200, 30) for t in tools]
    return tuple(Side(c, security=semgrep[i], analyzers=tuple(r[i] for r in others)) for i, c in enumerate((old, new)))


def test_two_tools_on_one_cwe_and_line_count_once_and_the_evidence_names_the_tool():
    a, b = sides(C_COPY, C_SAFE, ("flawfinder", "cppcheck"))
    assert [f.rule_id for f in a.security.findings if f.line == 4] == ["c-unbounded-string-copy"]
    verdict = security_rule(a, b, LabelConfig())
    shared = verdict.evidence
    assert (verdict.winner, verdict.margin) == ("b", 1.0)
    assert shared["extra_findings"] == {"c-unbounded-string-copy": 1}  # flawfinder/strcpy, CWE-120 line 4: the same weakness
    assert shared["analyzers"] == ["semgrep", "cppcheck", "flawfinder"]
    [finding] = verdict.evidence["findings"]["rejected"]
    assert (finding["rule_id"], finding["line"]) == ("c-unbounded-string-copy", 4)
    assert finding["message"].endswith("(also flawfinder/strcpy)")


C_SHELL = '#include <unistd.h>\nvoid f(char *cmd) {\n    execl("/bin/sh", "sh", "-c", cmd, (char *)0);\n}\n'
C_FIXED_PROGRAM = '#include <unistd.h>\nvoid f(char *cmd) {\n    execl("/bin/ls", "ls", "-l", (char *)0);\n}\n'


def test_a_tool_that_flags_both_sides_alike_cancels_out_where_another_tool_flags_one():
    # flawfinder flags every execl; on the shell side semgrep's finding on that CWE and line absorbs it
    a, b = sides(C_SHELL, C_FIXED_PROGRAM, ("flawfinder",))
    assert [(f.rule_id, f.severity) for f in b.analyzers[0].findings] == [("flawfinder/execl", "MEDIUM")]
    verdict = security_rule(a, b, LabelConfig())
    assert (verdict.winner, verdict.margin, verdict.evidence["extra_findings"]) == ("b", 1.0, {"c-command-injection": 1})
    [rejected] = verdict.evidence["findings"]["rejected"]
    assert (rejected["rule_id"], rejected["message"].rsplit("(also ", 1)[-1]) == ("c-command-injection", "flawfinder/execl)")
    assert [f["rule_id"] for f in verdict.evidence["findings"]["chosen"]] == ["flawfinder/execl"]


def test_an_analyzer_that_fails_on_one_side_is_not_heard_on_the_pair(tmp_path, monkeypatch):
    a, b = sides(JS, "function f(el, x) {\n  el.textContent = x;\n}\n", ("eslint",), "JavaScript")
    verdict = security_rule(a, b, LabelConfig())
    # semgrep's taint rules and ESLint's rules flag the same two weaknesses (XSS line 2, eval line 3): each tool's
    # findings are listed, and each weakness is shown and counted in the margin once
    both = {"js-taint-code-injection": 1, "js-taint-xss": 1}
    assert verdict.evidence["extra_findings"] == {**both, "eslint/no-unsanitized/property": 1,
                                                  "eslint/security/detect-eval-with-expression": 1}
    assert [(f["rule_id"], f["severity"], f["message"].rsplit("(also ", 1)[-1])
            for f in verdict.evidence["findings"]["rejected"]] == [
        ("js-taint-xss", "HIGH", "eslint/no-unsanitized/property)"),
        ("js-taint-code-injection", "HIGH", "eslint/security/detect-eval-with-expression)")]
    assert (verdict.winner, verdict.margin, verdict.evidence["analyzers"]) == ("b", 2.0, ["semgrep", "eslint"])
    monkeypatch.setattr(eslint, "ESLINT_DIR", broken_eslint(tmp_path))
    [failed] = scan_reports(TOOLS["eslint"], [b.candidate], 200, 30)
    unheard = security_rule(a, Side(b.candidate, security=b.security, analyzers=(failed,)), LabelConfig())
    # semgrep alone still decides the pair; ESLint, which failed on side b, counts on neither side
    assert (unheard.winner, unheard.margin, unheard.evidence["extra_findings"]) == ("b", 2.0, both)
    assert all("(also" not in f["message"] for f in unheard.evidence["findings"]["rejected"])
    assert unheard.evidence["analyzers"] == ["semgrep"]
    assert unheard.evidence["not_heard"]["eslint"].startswith("errors on side b: eslint failed: node exited 2")


def test_each_side_with_a_weakness_the_other_lacks_is_a_recorded_tie_naming_both():
    shell = 'import os\ndef run(d):\n    os.system("ls " + d)\n'
    code = "def run(d):\n    return eval(d)\n"
    a, b = sides(shell, code, ("bandit",), language="Python")
    verdict = security_rule(a, b, LabelConfig())
    assert (verdict.winner, verdict.reason, verdict.margin) == (None, "conflicting_findings", 0.0)
    assert verdict.evidence["extra_findings"] == {
        "a": {"bandit/B605": 1, "python-os-command-nonliteral": 1, "python-taint-command-injection": 1},
        "b": {"python-code-eval-nonliteral": 1, "python-taint-code-injection": 1}}
    # bandit's B605 is the same CWE and line as semgrep's finding: shown once
    shown = verdict.evidence["findings"]
    assert {side: [(f["rule_id"], f["line"]) for f in found] for side, found in shown.items()} == {
        "a": [("python-os-command-nonliteral", 3), ("python-taint-command-injection", 3)],
        "b": [("python-code-eval-nonliteral", 2), ("python-taint-code-injection", 2)]}
