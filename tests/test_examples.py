"""The bundled sample corpus: valid tasks, full coverage, and candidates that behave
as their metadata says when compiled and run with the real toolchains.

Each candidate's metadata names what it illustrates: `expect` (pass/fail) and
`worse_on` (the criterion on which it loses to its task's `reference`). The slow
tests run every program (candidate + test harness) in a temp dir and check that
runtime and memory variants lose by a generous margin of CPU time / peak RSS, so the
pipeline's statistical labelling has something real to find.
"""
from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile

import pytest

from examples.build_corpus import TASKS_FILE, build_rows, render
from schemas.languages import CANONICAL_LANGUAGES
from schemas.records import ASPECTS, Task

ROWS = [json.loads(line) for line in TASKS_FILE.read_text(encoding="utf-8").splitlines()]
TASKS = [Task.from_dict(row) for row in ROWS]
CANDIDATES = [(task, cand) for task in TASKS for cand in task.candidates]
QUICKSTART = TASKS_FILE.parent / "quickstart.yaml"
EFFICIENCY_MARGIN = 1.5  # designed margins are >= 3x; generous for a loaded machine


def _label(item) -> str:
    task, cand = item
    return f"{task.task_id}:{cand.metadata['name']}"


# --- static checks -------------------------------------------------------------

def test_every_line_is_a_canonical_task():
    for row, task in zip(ROWS, TASKS):
        assert task.to_dict() == row, row["task_id"]
    assert len({t.task_id for t in TASKS}) == len(TASKS)


def test_jsonl_is_built_from_the_yaml_sources():
    assert TASKS_FILE.read_text(encoding="utf-8") == render(build_rows()), \
        "examples/tasks.jsonl is stale: run `python -m examples.build_corpus`"


def test_every_language_has_tasks_exercising_every_criterion():
    by_language = collections.defaultdict(list)
    for task in TASKS:
        by_language[task.language].append(task)
    assert sorted(by_language) == sorted(CANONICAL_LANGUAGES)
    for language, tasks in by_language.items():
        assert len(tasks) >= 3, language
        worse_on = {c.metadata.get("worse_on") for t in tasks for c in t.candidates}
        assert set(ASPECTS) <= worse_on, (language, set(ASPECTS) - worse_on)
        origins = {c.origin for t in tasks for c in t.candidates}
        assert {"reference", "buggy", "submission"} <= origins, language
    assert {bool(t.tests.cases) for t in TASKS} == {True, False}, "both harness code and stdin cases"


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.task_id)
def test_candidate_metadata_is_consistent(task):
    assert task.source == "themis-examples" and task.subset and task.entry_point
    assert not task.tests.is_empty
    names = [c.metadata["name"] for c in task.candidates]
    assert len(set(names)) == len(names)
    assert [c.origin for c in task.candidates].count("reference") == 1
    assert task.candidates[names.index("reference")].origin == "reference"
    for cand in task.candidates:
        meta = cand.metadata
        assert meta["note"].strip() and meta["expect"] in ("pass", "fail")
        if meta["name"] == "reference":
            assert "worse_on" not in meta and meta["expect"] == "pass"
            continue
        assert meta["worse_on"] in ASPECTS
        assert (meta["expect"] == "fail") == (meta["worse_on"] == "Functional_Correctness")
        assert (cand.origin == "buggy") == (meta["worse_on"] == "Functional_Correctness")
        if meta["worse_on"] == "Security_Hardness":
            assert re.fullmatch(r"CWE-\d+", meta["cwe"])
    normalised = {_normalise(c.code, task.language) for c in task.candidates}
    assert len(normalised) == len(task.candidates), "candidates differ only in whitespace/comments"


_LINE_COMMENT = {"Python": "#", "Ruby": "#"}


def _normalise(code: str, language: str) -> str:
    """Drop comments and whitespace (approximately: string contents are not parsed)."""
    marker = _LINE_COMMENT.get(language, "//")
    if marker == "//":
        code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    code = "\n".join(line.split(marker, 1)[0] if line.lstrip().startswith(marker) else line
                     for line in code.splitlines())
    return re.sub(r"\s+", "", code)


# --- running the programs --------------------------------------------------------

# file name, compile command (None: interpreted), run command
TOOLCHAINS = {
    "C": ("main.c", ["gcc", "-O2", "-std=c11", "-o", "main", "main.c", "-lm"], ["./main"]),
    "Cpp": ("main.cpp", ["g++", "-O2", "-std=c++17", "-o", "main", "main.cpp"], ["./main"]),
    "CSharp": ("main.cs", ["mcs", "-out:main.exe", "main.cs"], ["mono", "main.exe"]),
    "Go": ("main.go", ["go", "build", "-o", "main", "main.go"], ["./main"]),
    "Java": ("Main.java", ["javac", "-d", ".", "Main.java"], ["java", "-cp", ".", "Main"]),
    "JavaScript": ("main.js", None, ["node", "main.js"]),
    "Python": ("main.py", None, [sys.executable, "main.py"]),
    "Ruby": ("main.rb", None, ["ruby", "main.rb"]),
}

# Measures one child from a small, fresh process: wait4's peak RSS would otherwise
# include the memory of the (large) pytest process the child was forked from.
_LAUNCHER = r"""
import json, os, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as fh:
    json.dump({"cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_kb": usage.ru_maxrss}, fh)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


@dataclasses.dataclass
class Outcome:
    passed: bool
    cpu_s: float = 0.0
    peak_rss_kb: int = 0
    detail: str = ""


def _measured(cmd: list[str], cwd: str, env: dict, stdin: str = "") -> tuple[subprocess.CompletedProcess, dict]:
    report = os.path.join(cwd, "usage.json")
    proc = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, report, *cmd], cwd=cwd, env=env,
                          input=stdin, capture_output=True, text=True, timeout=60)
    with open(report) as fh:
        return proc, json.load(fh)


def run_candidate(task: Task, code: str, env: dict) -> Outcome:
    filename, compile_cmd, run_cmd = TOOLCHAINS[task.language]
    with tempfile.TemporaryDirectory(prefix="themis-example-") as work:
        with open(os.path.join(work, filename), "w", encoding="utf-8") as fh:
            fh.write(code + "\n" + task.tests.code)
        if compile_cmd:
            proc = subprocess.run(compile_cmd, cwd=work, env=env, capture_output=True, text=True, timeout=180)
            if proc.returncode:
                return Outcome(False, detail=f"compile error:\n{proc.stdout}{proc.stderr}")
        if not task.tests.cases:
            proc, usage = _measured(run_cmd, work, env)
            return Outcome(proc.returncode == 0, usage["cpu_s"], usage["peak_rss_kb"], proc.stderr[-2000:])
        outcome = Outcome(True)
        for case in task.tests.cases:
            proc, usage = _measured(run_cmd, work, env, case.stdin)
            outcome.cpu_s += usage["cpu_s"]
            outcome.peak_rss_kb = max(outcome.peak_rss_kb, usage["peak_rss_kb"])
            if proc.returncode or proc.stdout.rstrip() != case.expected_stdout.rstrip():
                outcome.passed = False
                outcome.detail = f"stdin {case.stdin!r}: got {proc.stdout!r}, {proc.stderr[-2000:]}"
        return outcome


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    gocache = tmp_path_factory.mktemp("gocache")
    env = dict(os.environ, GOCACHE=str(gocache), GO111MODULE="off", GOPATH=str(gocache / "gopath"))
    workers = max(1, min(2, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {_label(item): pool.submit(run_candidate, item[0], item[1].code, env) for item in CANDIDATES}
        return {label: future.result() for label, future in futures.items()}


@pytest.mark.slow
@pytest.mark.xdist_group("examples")  # one worker runs the shared `outcomes` fixture
@pytest.mark.parametrize("item", CANDIDATES, ids=_label)
def test_candidate_passes_or_fails_as_expected(item, outcomes):
    outcome = outcomes[_label(item)]
    assert outcome.passed == (item[1].metadata["expect"] == "pass"), outcome.detail


EFFICIENCY = [(t, c) for t, c in CANDIDATES
              if c.metadata.get("worse_on") in ("Runtime_Efficiency", "Memory_Efficiency")]


@pytest.mark.slow
@pytest.mark.xdist_group("examples")  # one worker runs the shared `outcomes` fixture
@pytest.mark.parametrize("item", EFFICIENCY, ids=_label)
def test_inefficient_variant_loses_by_a_clear_margin(item, outcomes):
    task, cand = item
    worse, reference = outcomes[_label(item)], outcomes[f"{task.task_id}:reference"]
    field = "cpu_s" if cand.metadata["worse_on"] == "Runtime_Efficiency" else "peak_rss_kb"
    ratio = getattr(worse, field) / max(getattr(reference, field), 1e-3)
    assert ratio >= EFFICIENCY_MARGIN, (field, getattr(worse, field), getattr(reference, field))


def test_quickstart_config_is_a_valid_build_config():
    from pipelines.options import ThemisOptions, config_to_flags

    options = ThemisOptions(config_to_flags(str(QUICKSTART))).view_as(ThemisOptions)
    assert options.input == "examples/tasks.jsonl" and options.format == "jsonl"
    assert options.splits == "train=0.75,test=0.25"
    assert (options.repetitions, options.ab_repetitions, options.max_pairs_per_task) == (3, 10, 3)


def test_readme_describes_every_task():
    readme = (TASKS_FILE.parent / "README.md").read_text(encoding="utf-8")
    missing = [t.task_id for t in TASKS if f"`{t.task_id}`" not in readme]
    assert not missing, f"examples/README.md does not describe {missing}"
