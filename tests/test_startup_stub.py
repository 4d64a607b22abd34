"""Start-up stubs: what each language's stub keeps (imports) and drops (the candidate's own code), that
every example candidate's stub runs in the real sandbox, and that the interleaved A/B stage charges
work done at import time to the program, not to its stub."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import pytest

from sandboxes import Limits, SandboxUnavailable, open_sandbox
from sandboxes.cores import held_cpu
from schemas import Candidate, IOCase, Task, TestSpec
from transforms.candidates import task_candidates
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, runtime_rule
from transforms.measure_pairs import measure_stage
from transforms.sequential_ab import raw_marginals
from transforms.startup_stub import stub_candidate, stub_code

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples", "tasks.jsonl")


@pytest.mark.parametrize("language, program, stub", [
    ("Python", "from typing import List\nimport json, re\nTABLE = [i * i for i in range(10**6)]\n"
               "def f(x: List[int]):\n    import os\n    return x\nassert f([1]) == [1]\n",
     "from typing import List\nimport json, re\npass\n"),
    ("C", "#include <stdio.h>\n#  include \"x.h\"\nstatic int t[10];\nint main(void) { return t[0]; }\n",
     "#include <stdio.h>\n#  include \"x.h\"\nint main(void) { return 0; }\n"),
    ("Cpp", "#include <map>\nstatic std::map<int,int> m = build();\nint main() { return 0; }\n",
     "#include <map>\nint main() { return 0; }\n"),
    ("Java", "import java.util.*;\nimport static java.lang.Math.max;\nclass S { static int[] t = new int[9]; }\n",
     "import java.util.*;\nimport static java.lang.Math.max;\n"
     "public class Main { public static void main(String[] a) { } }\n"),
    ("CSharp", "using System.Linq;\nusing M = System.Math;\nclass P { static void Main() { using var s = F(); } }\n",
     "using System.Linq;\nusing M = System.Math;\nclass Program { static void Main() { } }\n"),
    ("JavaScript", "const _ = require('lodash');\nrequire(\"fs\");\nfunction f() { return require('os'); }\n",
     "require('lodash');\nrequire(\"fs\");\n0;\n"),
    ("Ruby", "require 'set'\nrequire('json')\nTABLE = (1..10**6).to_a\n", "require('set');\nrequire('json');\nnil\n"),
    ("Go", "package main\n\nimport (\n\t\"fmt\"\n\tstr \"strings\"\n)\n\nvar t = fmt.Sprint(1)\nfunc main() {}\n",
     "package main\n\nimport (\n\t_ \"fmt\"\n\t_ \"strings\"\n)\n\nfunc main() {}\n"),
    ("Go", "package main\nimport \"testing\"\nfunc TestX(t *testing.T) {}\n",
     "package main\n\nimport (\n\t\"testing\"\n)\n\nfunc TestThemisStartup(t *testing.T) {}\n"),
])
def test_a_stub_keeps_the_imports_and_none_of_the_candidates_code(language, program, stub):
    assert stub_code(language, program) == stub


def _candidate(code: str, tests: TestSpec, language: str = "Python") -> Candidate:
    return Candidate(candidate_id=Candidate.make_id("t", language, code), task_id="t", language=language,
                     prompt="", code=code, origin="submission", tests=tests)


def test_a_stdin_tested_stub_starts_once_per_case_and_expects_no_output():
    cases = [IOCase("1\n", "2\n"), IOCase("5\n", "6\n")]
    stub = stub_candidate(_candidate("import sys\nprint(int(input()) + 1)\n", TestSpec(cases=cases)))
    assert stub.code == "import sys\npass\n"
    assert stub.tests == TestSpec(cases=[IOCase("1\n", ""), IOCase("5\n", "")])
    assert stub_candidate(_candidate("x = 1\n", TestSpec(code="assert x == 1"))).tests == TestSpec()


@pytest.fixture(scope="module", params=[
    "process", pytest.param("docker", marks=[pytest.mark.docker, pytest.mark.xdist_group("docker")])])
def sandbox(request):
    try:
        box = open_sandbox(request.param, Limits(cpu_seconds=5.0, wall_seconds=20.0))
    except SandboxUnavailable as exc:
        pytest.skip(f"{request.param} backend unavailable: {exc}")
    yield box
    box.close()


def test_every_example_candidates_stub_runs(sandbox):
    with open(EXAMPLES, encoding="utf-8") as fh:
        candidates = [c for line in fh for c in task_candidates(Task.from_dict(json.loads(line)))[0]]
    stubs = {s.candidate_id: s for s in map(stub_candidate, candidates)}
    assert {s.language for s in stubs.values()} == {"C", "Cpp", "CSharp", "Go", "Java", "JavaScript", "Python", "Ruby"}
    measured = sandbox.run_many(list(stubs.values()))
    assert [(s.language, m.status) for s, m in zip(stubs.values(), measured) if m.status != "ok"] == []


TESTS = TestSpec(code="assert total() == 39999800000\n")
IN_FUNCTION = "def total():\n    return sum(i * 2 for i in range(200000) for _ in range(5)) // 5\n"
AT_IMPORT = ("from typing import List\nimport json, re\n"
             "TOTAL = sum(i * 2 for i in range(200000) for _ in range(5)) // 5\n"
             "def total():\n    return TOTAL\n")


def test_work_done_at_import_time_is_the_programs_not_its_stubs(sandbox):
    """The same work (~40 ms on CI's machine, ~120 ms here) in the tested function or at import time
    (behind two more imports): both sides' marginal CPU time holds it, so the A/B stage does not prefer
    the import-time one. (With a quarter of the work, CI measured 9 ms and failed a 10 ms floor.)"""
    a, b = _candidate(IN_FUNCTION, TESTS), _candidate(AT_IMPORT, TESTS)
    stage = measure_stage(sandbox, a, b, 10)
    assert [m.status for m in stage] == ["ok"] * 4 and all(len(m.cpu_seconds) == 10 for m in stage)
    marginal_a, marginal_b = (statistics.median(m) for m in raw_marginals([stage]))
    assert marginal_a > 0.02 and marginal_b > 0.5 * marginal_a
    verdict = runtime_rule(Side(a, stage.a), Side(b, stage.b), [stage], LabelConfig())
    assert verdict.winner is None, verdict.evidence


def _one_bundle(step, elements: list) -> list:
    """What `step` outputs for `elements` as one bundle, its life cycle as a runner drives it."""
    step.setup()
    step.start_bundle()
    try:
        outputs = [output for element in elements for output in step.process(element)]
        return outputs + [windowed.value for windowed in step.finish_bundle()]
    finally:
        step.teardown()


def test_a_batch_of_pairs_is_measured_concurrently_and_each_pair_yields_its_stages_in_order():
    from transforms.execute import ExecuteConfig
    from transforms.measure_pairs import _MeasurePairAB

    step = _MeasurePairAB(ExecuteConfig(workers=2, limits=Limits(cpu_seconds=5.0, wall_seconds=20.0)),
                          LabelConfig(ab_repetitions=5, ab_max_stages=2), None)
    sides = [Side(c, None) for c in (_candidate(f"def total():\n    return {i}\n", TESTS) for i in range(4))]
    pairs = [(sides[0], sides[1]), (sides[2], sides[3])]
    outputs = _one_bundle(step, [[[pair] for pair in pairs]])
    assert [(a.candidate.code, b.candidate.code) for a, b, _ in outputs] == [
        (a.candidate.code, b.candidate.code) for a, b in pairs]
    # `total() == 39999800000` fails for these programs: one round, then a stop, on each pair
    assert [[m.status for m in stages[0]] for _, _, stages in outputs] == [["test_failure", "test_failure", "ok", "ok"]] * 2


def test_pairs_of_the_same_programs_under_twin_tasks_are_measured_once_even_in_separate_batches():
    """Batches of one group and no store: only the keyed grouping before batching can bring the twin
    tasks' pairs together, so both carry the same stages (the same timings), not two measurements."""
    import apache_beam as beam
    from apache_beam.testing import test_pipeline
    from apache_beam.testing.util import assert_that, equal_to

    from transforms.execute import ExecuteConfig
    from transforms.measure_pairs import MeasurePairs

    def side(task_id: str, total: int) -> Side:
        code = f"def total():\n    return {total}\n"
        return Side(Candidate(candidate_id=Candidate.make_id(task_id, "Python", code), task_id=task_id,
                              language="Python", prompt="", code=code, origin="submission", tests=TESTS), None)

    pairs = [(side(task, 1), side(task, 2)) for task in ("t", "t_twin")]
    execute = ExecuteConfig(workers=1, limits=Limits(cpu_seconds=5.0, wall_seconds=20.0))
    with test_pipeline.TestPipeline() as pipeline:
        measured = (pipeline | beam.Create(pairs) | MeasurePairs(execute, LabelConfig(alpha=0.01, ab_repetitions=5, ab_max_stages=1)))
        timings = measured["measured"] | beam.Map(lambda m: [x.cpu_seconds for x in m[2][0]]) | beam.combiners.ToList()
        assert_that(timings | beam.Map(lambda ts: len(ts) == 2 and ts[0] == ts[1]), equal_to([True]))


@pytest.fixture()
def private_cpu_scope(monkeypatch) -> str:
    """CPU holds only this test sees: builds that other test workers run hold the machine's CPUs meanwhile."""
    from sandboxes import cores

    scope = f"themis-cpu-test-{os.getpid()}"
    monkeypatch.setattr(cores, "SCOPE", scope)
    return scope


def test_concurrent_pairs_each_run_on_a_core_of_their_own(private_cpu_scope):
    from transforms.execute import ExecuteConfig
    from transforms.measure_pairs import _MeasurePairAB

    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        pytest.skip("one CPU: pairs take turns on it")
    step = _MeasurePairAB(ExecuteConfig(workers=2, limits=Limits(cpu_seconds=5.0, wall_seconds=20.0)),
                          LabelConfig(alpha=0.01, ab_repetitions=5, ab_max_stages=1), None)
    shows_its_cpus = "import os\nprint(sorted(os.sched_getaffinity(0)))\ndef total():\n    return {}\n"
    sides = [Side(_candidate(shows_its_cpus.format(i), TESTS), None) for i in range(4)]
    outputs = _one_bundle(step, [[[(sides[0], sides[1])], [(sides[2], sides[3])]]])
    # both sides of a pair on one core, the two pairs (running at once) on two different cores
    shown = [(stages[0].a.stdout_tail, stages[0].b.stdout_tail) for _, _, stages in outputs]
    assert [a == b and a.startswith("[") and a.endswith("]\n") for a, b in shown] == [True, True]
    on = [int(a[1:-2]) for a, _ in shown]
    assert on[0] != on[1] and set(on) <= set(cores), shown


def test_a_cpu_is_held_across_processes_until_its_holder_lets_it_go(private_cpu_scope):
    cpus = sorted(os.sched_getaffinity(0))
    take = ("import sys\nsys.path.insert(0, sys.argv[1])\nfrom sandboxes import cores\ncores.SCOPE = sys.argv[3]\n"
            "with cores.held_cpu([int(sys.argv[2])]) as cpu:\n    print(cpu)\n")
    here = [sys.executable, "-c", take, os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    with held_cpu(cpus) as first:
        if len(cpus) > 1:
            with held_cpu(cpus) as second:  # another pair of this process
                assert second != first
        with pytest.raises(subprocess.TimeoutExpired):  # another process waits for it
            subprocess.run([*here, str(first), private_cpu_scope], capture_output=True, timeout=1.5)
    assert subprocess.run([*here, str(first), private_cpu_scope], capture_output=True, text=True,
                          timeout=30).stdout == f"{first}\n"
