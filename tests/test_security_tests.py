"""Security tests (`tests.security`): exploit cases run in the real process sandbox; a candidate that
passes the functional tests and fails an exploit case loses the Security_Hardness pair."""
from __future__ import annotations

from sandboxes import Limits
from sandboxes.base import measurement_key
from schemas import Candidate, IOCase, SecurityTests, Task, TestSpec
from transforms.execute import ExecuteConfig
from transforms.security_tests import security_reports
from transforms.store import Store

from tests.security_pair import judged_on_security

LIMITS = Limits(cpu_seconds=2.0, wall_seconds=10.0, memory_bytes=256 * 2 ** 20, compile_seconds=30.0)
TESTS = TestSpec(code="assert name_of('docs/a.txt') == 'docs/a.txt'\n",
                 security=SecurityTests(code="assert name_of('../etc/passwd') is None\n",
                                        cases=[IOCase(stdin="../x\n", expected_stdout="None\n")], cwe="CWE-22"))
SAFE = ("import sys\ndef name_of(path):\n    return None if '..' in path.split('/') else path\n"
        "if __name__ == '__main__' and not sys.stdin.isatty():\n    print(name_of(sys.stdin.read().strip()))\n")
UNSAFE = SAFE.replace("None if '..' in path.split('/') else path", "path")


def cand(code: str) -> Candidate:
    return Candidate(candidate_id=Candidate.make_id("t", "Python", code), task_id="t", language="Python",
                     prompt="", code=code, origin="submission", tests=TESTS)


def test_the_task_format_reads_security_cases():
    row = {"task_id": "t", "language": "py", "prompt": "p", "candidates": [{"code": SAFE}],
           "tests": {"code": "assert 1", "security": {"code": "assert 2", "cases": [{"stdin": "a",
                                                                                    "expected_stdout": "b"}]}}}
    assert Task.from_dict(row).tests.security == SecurityTests(code="assert 2", cases=[IOCase("a", "b")])


def test_security_cases_do_not_change_the_functional_measurement():
    plain = cand(SAFE).replace(tests=TestSpec(code=TESTS.code))
    assert measurement_key(cand(SAFE), "process", LIMITS, 5) == measurement_key(plain, "process", LIMITS, 5)


def test_a_failed_exploit_case_is_a_finding_and_decides_the_pair(process_sandbox, tmp_path):
    config = ExecuteConfig(limits=LIMITS, repetitions=1)
    store = Store(str(tmp_path / "store.sqlite"))
    unsafe = cand(UNSAFE)
    functional, (good, bad), verdict = judged_on_security((cand(SAFE), unsafe), security_reports, process_sandbox,
                                                          config, store)
    assert [m.status for m in functional] == ["ok", "ok"]
    assert (good.analyzer, good.findings, good.errors) == ("security_test", [], [])
    assert [(f.rule_id, f.cwe, f.severity, f.message.split(":")[0]) for f in bad.findings] == [
        ("security_test", "CWE-22", "HIGH", "fails security harness code"),
        ("security_test", "CWE-22", "HIGH", "fails security case 0")]
    assert bad.findings[0].message.startswith("fails security harness code: test_failure: ")
    assert "AssertionError" in bad.findings[0].message
    assert (verdict.winner, verdict.evidence["extra_findings"]) == ("a", {"security_test": 2})
    assert verdict.evidence["analyzers"] == ["semgrep", "security_test"]
    # stored: a rerun executes nothing (a sandbox that cannot run would leave errors instead)
    again = security_reports([unsafe], config, None, store, sandbox_error="no sandbox")
    assert again == [bad]
    unrun = security_reports([unsafe], config, None, None, sandbox_error="no sandbox")
    assert unrun[0].findings == [] and unrun[0].errors[0] == (
        "security harness code: not run (sandbox_unavailable: no sandbox)")
