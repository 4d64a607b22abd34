"""The semgrep rule pack (fixtures via `semgrep --test`) and the batched scanner."""
import json
import os
import subprocess
import sys

import pytest

from schemas.records import Candidate, StaticReport, Task, TestSpec
from transforms import security
from transforms.label_config import LabelConfig
from transforms.label_rules import serious_counts
from transforms.security import RULES_DIR, SecurityConfig, rule_metadata, scan_candidates
from transforms.store import Store
from transforms.candidates import task_candidates
from transforms.parse import parse_task
from transforms.unclosed_blocks import close_blocks, unclosed_braces


def make(code: str, language: str, task: str = "t") -> Candidate:
    return Candidate(candidate_id=Candidate.make_id(task, language, code), task_id=task, language=language,
                     prompt="p", code=code, origin="submission", tests=TestSpec())


# `semgrep --test` scans with a fixed 5 s per rule and file and has no option to change it. On a loaded
# CI machine a taint rule then times out, loses its findings, and the fixtures fail for a reason that is
# not the rules'. This runs the same harness with semgrep's "no timeout" (0).
SEMGREP_TEST_WITHOUT_TIMEOUT = (
    "import functools, semgrep.run_scan as scan\n"
    "scan.run_scan_and_return_json = functools.partial(scan.run_scan_and_return_json, timeout=0)\n"
    "from semgrep.main import main\n"
    "main()\n")


def test_rule_pack_fixtures_pass_semgrep_test():
    proc = subprocess.run(
        [sys.executable, "-c", SEMGREP_TEST_WITHOUT_TIMEOUT, "--test", "--metrics=off", "--disable-version-check",
         "--config", str(RULES_DIR), str(RULES_DIR / "tests")],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "All tests passed" in proc.stdout + proc.stderr


def test_every_rule_has_cwe_severity_message_and_a_fixture():
    fixtures = "\n".join(p.read_text() for p in (RULES_DIR / "tests").iterdir())
    rules = rule_metadata()
    assert len(rules) >= 100
    for rule_id, meta in rules.items():
        assert meta["cwe"].startswith("CWE-") and meta["severity"] in ("LOW", "MEDIUM", "HIGH") and meta["message"]
        assert f"ruleid: {rule_id}" in fixtures or f", {rule_id}" in fixtures, rule_id
        assert f"ok: {rule_id}" in fixtures, rule_id
    languages = {rule_id.split("-")[0] for rule_id in rules}
    assert languages == {"c", "cpp", "csharp", "go", "java", "js", "python", "ruby"}


def test_every_rule_runs_cleanly_on_every_fixture():
    # an internal matching error (a metavariable used where a branch does not bind it) puts an error on
    # the file's report, and a report with an error never decides a label: the whole file goes unheard
    language_of = {extension: language for language, extension in security.EXTENSIONS.items()}
    files = sorted(p for p in (RULES_DIR / "tests").iterdir() if p.suffix in language_of)
    reports = scan_candidates([make(p.read_text(), language_of[p.suffix], task=p.name) for p in files],
                              SecurityConfig())
    assert len(files) == 46
    assert {p.name: r.errors for p, r in zip(files, reports) if r.errors} == {}


UNSAFE_PY = 'import os\n\ndef ping(host):\n    os.system("ping -c 1 " + host)\n'
SAFE_PY = 'import subprocess\n\ndef ping(host):\n    subprocess.run(["ping", "-c", "1", host])\n'
UNSAFE_C = '#include <string.h>\nvoid copy(char *d, const char *s) {\n    strcpy(d, s);\n}\n'
BROKEN_JAVA = 'class A { void f( { int x = ; } }\n'


def test_an_indented_python_method_is_scanned_with_its_lines():
    # a mined commit's function is often a method, indented as in its class; semgrep reads an
    # indented f-string query in one as nothing, without an error
    method = ('    @staticmethod\n    def find(name):\n'
              '        query = f"SELECT * FROM users WHERE name = \'{name}\'"\n        return db.execute(query)\n')
    [report] = scan_candidates([make(method, "Python")], SecurityConfig())
    assert [(f.rule_id, f.line) for f in report.findings] == [
        ("python-sql-built-by-formatting", 3), ("python-sql-value-spliced", 3), ("python-taint-sql-injection", 4)]
    assert report.errors == []


def test_real_c_functions_with_macros_parse_after_the_macro_rewrite(shared_data, tmp_path):
    # SVEN fixes from FreeRDP (format macros between strings) and Linux (`__user`, a type passed
    # to container_of): semgrep drops statements of the raw text (a partial parse); the scanned
    # text parses whole
    wanted = {"glyph_cache_put", "ipxitf_ioctl", "ffs_user_copy_worker"}
    with open(os.path.join(shared_data, "sven", "train.jsonl"), encoding="utf-8") as rows:
        codes = [row["func_src_before"] for row in map(json.loads, rows) if row["func_name"] in wanted]
    assert len(codes) == 3
    for n, code in enumerate(codes):
        (tmp_path / f"raw{n}.c").write_text(code)
    raw = security.run_semgrep([f"raw{n}.c" for n in range(3)], 30, str(tmp_path))
    assert sorted(e["path"] for e in raw["errors"]) == ["raw0.c", "raw1.c", "raw2.c"]
    reports = scan_candidates([make(code, "C") for code in codes], SecurityConfig())
    assert [r.errors for r in reports] == [[], [], []]


def test_a_bound_check_with_a_parenthesised_limit_is_seen_in_c(tmp_path):
    # semgrep reads `n < 1 || n > (argc - first) / step` as the template call `n<...>(...)`, so
    # the raw text hides the check; the scanned text parenthesises `n < 1`
    checked = ("int pick(char **argv, int argc, int first, int step, int *slots) {\n"
               "    int n = atoi(argv[1]);\n"
               "    if (n < 1 || n > (argc - first) / step) {\n        return -1;\n    }\n"
               "    return slots[n];\n}\n")
    unchecked = checked.replace("n < 1 || ", "")  # no lower bound
    (tmp_path / "raw.c").write_text(checked)
    raw = security.run_semgrep(["raw.c"], 30, str(tmp_path))
    assert sorted(r["check_id"].split(".")[-1] for r in raw["results"]) == [
        "c-taint-index-unchecked", "c-unchecked-index-or-size"]
    reports = scan_candidates([make(checked, "C"), make(unchecked, "C")], SecurityConfig())
    assert [sorted((f.rule_id, f.line) for f in r.findings) for r in reports] == [
        [], [("c-taint-index-unchecked", 6)]]  # an upper bound alone does not clear it


def test_benchmark_csharp_candidates_cut_inside_their_class_are_scanned_whole(shared_data):
    # McEval and MBXP C# tests hold the closing braces: every canonical candidate was a
    # partial parse (an error, so never a label); the scanned text closes it after the last line
    candidates = []
    for suite, name in (("mceval", "Csharp.jsonl"), ("mbxp", "mbcsp_release_v1.2.jsonl")):
        with open(os.path.join(shared_data, suite, name), encoding="utf-8") as fh:
            tasks = [parse_task(f"{name}:{i}", json.loads(line), suite, {}) for i, line in enumerate(fh)]
        candidates += [c for task in tasks if isinstance(task, Task) for c in task_candidates(task)[0]][:20]
    # McEval's class, MBXP's namespace and class
    assert [unclosed_braces("CSharp", c.code) for c in candidates] == [1] * 20 + [2] * 20
    assert [r.errors for r in scan_candidates(candidates, SecurityConfig())] == [[]] * 40
    hashing = candidates[0].code + "\n    static byte[] Digest(byte[] b) { return MD5.Create().ComputeHash(b); }\n"
    [report] = scan_candidates([make(hashing, "CSharp")], SecurityConfig())
    assert [(f.rule_id, f.line) for f in report.findings] == [("csharp-weak-hash-or-cipher", hashing.count("\n"))]
    assert report.errors == []


def test_braces_in_strings_and_comments_are_not_blocks():
    code = 'class A {\n  string s = "{{"; char c = \'{\'; // {\n  void F() { /* } */\n'
    assert unclosed_braces("CSharp", code) == 2
    assert close_blocks("CSharp", code) == code + "}}\n"
    assert close_blocks("Java", "class A { }\n") == "class A { }\n"
    assert unclosed_braces("JavaScript", "function f(x) {\n  return `a${x}b`;\n") == 1
    assert close_blocks("Python", "def f(:\n") == "def f(:\n"


def test_findings_are_mapped_back_to_candidates_and_parse_errors_recorded():
    candidates = [make(UNSAFE_PY, "Python"), make(SAFE_PY, "Python"), make(UNSAFE_C, "C"),
                  make(UNSAFE_PY, "Python", task="other"), make(BROKEN_JAVA, "Java")]
    reports = scan_candidates(candidates, SecurityConfig(batch_size=10))
    assert [r.candidate_id for r in reports] == [c.candidate_id for c in candidates]
    assert [(f.rule_id, f.cwe, f.severity, f.line) for f in reports[0].findings] == [
        ("python-os-command-nonliteral", "CWE-78", "HIGH", 4), ("python-taint-command-injection", "CWE-78", "HIGH", 4)]
    assert reports[1].findings == [] and reports[1].errors == []
    assert [(f.rule_id, f.cwe, f.severity, f.line) for f in reports[2].findings] == [
        ("c-unbounded-string-copy", "CWE-120", "MEDIUM", 3)]
    # same code in another task: same content address, same findings, its own ids
    assert reports[3].report_key == reports[0].report_key and reports[3].task_id == "other"
    assert reports[3].findings == reports[0].findings
    # a file semgrep cannot parse gets an error in its own report; the batch goes on
    assert len(reports[4].errors) == 1 and "Syntax error" in reports[4].errors[0]
    assert all(r.analyzer == "semgrep" for r in reports)


def test_one_semgrep_process_per_batch_and_store_cache(tmp_path, monkeypatch):
    calls = []
    real_run = security.run_semgrep

    def counting_run(paths, timeout_s, cwd):
        calls.append(len(paths))
        return real_run(paths, timeout_s, cwd)

    monkeypatch.setattr(security, "run_semgrep", counting_run)
    codes = [f"def f{i}(x):\n    return eval(x)\n" for i in range(3)]
    candidates = [make(code, "Python") for code in codes] + [make(codes[0], "Python", task="dup")]
    config, store_path = SecurityConfig(batch_size=2), str(tmp_path / "store.sqlite")
    first = scan_candidates(candidates, config, store_path)
    assert calls == [2, 1]  # 3 distinct programs in batches of 2; the duplicate is not rescanned
    assert Store(store_path).count("static") == 3
    assert [f.rule_id for r in first for f in r.findings] == ["python-code-eval-nonliteral", "python-taint-code-injection"] * 4

    calls.clear()
    again = scan_candidates(candidates, config, store_path)
    assert calls == []  # everything came from the store
    assert again == first


def test_sample_corpus_unsafe_candidates_flagged_and_others_clean():
    import json
    import os

    from schemas.records import Task
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "tasks.jsonl")
    with open(path, encoding="utf-8") as fh:
        tasks = [Task.from_dict(json.loads(line)) for line in fh]
    candidates, names = [], []
    for task in tasks:
        for spec in task.candidates:
            candidates.append(make(spec.code, task.language, task.task_id))
            names.append((task.task_id, spec.metadata.get("name")))
    reports = scan_candidates(candidates, SecurityConfig())
    # What the Security_Hardness label sees: audit-grade (LOW) rules may also fire on the
    # convoluted candidates (e.g. a write index without a bound), which is right but not label-worthy.
    flagged = {(task, name) for (task, name), report in zip(names, reports)
               if serious_counts(report.findings, LabelConfig().security_min_severity)}
    unsafe = {(task, name) for task, name in names if name == "unsafe"}
    assert len(unsafe) == 9
    assert flagged == unsafe
