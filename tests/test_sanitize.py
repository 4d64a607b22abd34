"""Measured memory safety: C/C++ candidates built with ASan + UBSan in the real process sandbox under
the same tests; a finding is never a test failure, and a clean build wins the Security_Hardness pair."""
from __future__ import annotations

from sandboxes import Limits
from schemas import Candidate, TestSpec
from transforms.execute import ExecuteConfig
from transforms.sanitize import sanitizer_findings, sanitizer_reports
from transforms.store import Store

from tests.security_pair import judged_on_security

LIMITS = Limits(cpu_seconds=5.0, wall_seconds=30.0, memory_bytes=512 * 2 ** 20, compile_seconds=60.0)
TEST = "int main(void) { return sum3((int[]){1, 2, 3}) == 6 ? 0 : 1; }\n"
CLEAN = "int sum3(const int *a) {\n    int s = 0;\n    for (int i = 0; i < 3; i++) s += a[i];\n    return s;\n}\n"
# reads a[3] (past a stack array) and overflows an int: the ordinary build still returns 6
OVERFLOW = ("int sum3(const int *a) {\n    int s = 0;\n    for (int i = 0; i < 3; i++) s += a[i];\n"
            "    volatile int past = a[3];\n    return s + past * 0;\n}\n")


def cand(code: str, language: str = "C") -> Candidate:
    return Candidate(candidate_id=Candidate.make_id("t", language, code), task_id="t", language=language,
                     prompt="", code=code, origin="submission", tests=TestSpec(code=TEST))


def test_reports_read_asan_summaries_and_ubsan_errors():
    stderr = ("prog.c:5:9: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'\n"
              "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000014\n"
              "SUMMARY: AddressSanitizer: heap-buffer-overflow /code/prog.c:4 in sum3\n")
    assert [(f.rule_id, f.cwe, f.severity, f.line) for f in sanitizer_findings(stderr)] == [
        ("asan/heap-buffer-overflow", "CWE-787", "HIGH", 4), ("ubsan/signed-integer-overflow", "CWE-190", "MEDIUM", 5)]


def test_a_sanitizer_finding_is_evidence_not_a_test_failure(process_sandbox, tmp_path):
    config = ExecuteConfig(limits=LIMITS, repetitions=1)
    store = Store(str(tmp_path / "store.sqlite"))
    ordinary, (good, bad), verdict = judged_on_security((cand(CLEAN), cand(OVERFLOW)), sanitizer_reports,
                                                        process_sandbox, config, store)
    assert [m.status for m in ordinary] == ["ok", "ok"]
    assert (good.analyzer, good.findings, good.errors) == ("sanitizer", [], [])
    assert [(f.rule_id, f.cwe, f.severity, f.line) for f in bad.findings] == [
        ("asan/stack-buffer-overflow", "CWE-787", "HIGH", 4)]
    assert (verdict.winner, verdict.evidence["extra_findings"]) == ("a", {"asan/stack-buffer-overflow": 1})
    assert verdict.evidence["findings"]["rejected"][0]["message"].startswith(
        "SUMMARY: AddressSanitizer: stack-buffer-overflow")
