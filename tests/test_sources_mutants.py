"""Mutation operators on all eight languages: exact sites, parsing and compiling mutants, determinism."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from schemas import Candidate, TestSpec
from transforms.sources.mutants import MutantConfig, apply_site, mutate, mutation_sites, parses, verdict

SNIPPETS = {
    "Python": "def f(a, b):\n    if a < b:\n        a = a + 1\n    return a * b\n",
    "C": "int f(int a, int b) {\n    if (a < b) { a = a + 1; }\n    return a * b;\n}\n",
    "Cpp": "int f(int a, int b) {\n    if (a < b) { a = a + 1; }\n    return a * b;\n}\n",
    "Java": "class A {\n    static int f(int a, int b) {\n        if (a < b) { a = a + 1; }\n        return a * b;\n    }\n}\n",
    "JavaScript": "function f(a, b) {\n    if (a < b) { a = a + 1; }\n    return a * b;\n}\n",
    "Go": "package main\n\nfunc f(a int, b int) int {\n\tif a < b {\n\t\ta = a + 1\n\t}\n\treturn a * b\n}\n\nfunc main() {}\n",
    "Ruby": "def f(a, b)\n  if a < b\n    a = a + 1\n  end\n  a * b\nend\n",
    "CSharp": "class A {\n    static int F(int a, int b) {\n        if (a < b) { a = a + 1; }\n        return a * b;\n    }\n}\n",
}
# (operator, original text, replacement) in document order; the condition differs by grammar
NEGATION = {"Python": ("a < b", "not (a < b)"), "Go": ("a < b", "!(a < b)"), "Ruby": ("a < b", "!(a < b)"),
            "CSharp": ("a < b", "!(a < b)")}
DELETION = {"Python": "pass", "Go": "", "Ruby": ""}


@pytest.mark.parametrize("language", sorted(SNIPPETS))
def test_sites_per_language(language):
    code = SNIPPETS[language]
    found = [(s.operator, code.encode()[s.start:s.end].decode(), s.replacement) for s in mutation_sites(language, code)]
    statement = "a = a + 1" if language in ("Python", "Go", "Ruby") else "a = a + 1;"
    assert found == [
        ("negate", *NEGATION.get(language, ("(a < b)", "(!(a < b))"))),
        ("relational", "<", "<="),
        ("delete", statement, DELETION.get(language, ";")),
        ("arithmetic", "+", "-"),
        ("constant", "1", "0"),
        ("constant", "1", "2"),
        ("arithmetic", "*", "/"),
    ]


COMPILERS = {"Python": ["python3", "-m", "py_compile"], "C": ["gcc", "-fsyntax-only"], "Cpp": ["g++", "-fsyntax-only"],
             "JavaScript": ["node", "--check"], "Go": ["go", "vet"], "Ruby": ["ruby", "-c"],
             "Java": ["javac", "-d", "classes"], "CSharp": ["mcs", "-target:library", "-out:m.dll"]}
EXTENSIONS = {"Python": "py", "C": "c", "Cpp": "cpp", "JavaScript": "js", "Go": "go", "Ruby": "rb", "Java": "java",
              "CSharp": "cs"}


def _compile(language: str, codes: list[str], tmp: str) -> list[subprocess.CompletedProcess]:
    """Compile each program; Java and C# (slow to start) compile all at once, classes renamed apart."""
    command = COMPILERS[language]
    if not shutil.which(command[0]):
        pytest.skip(f"{command[0]} not installed (scripts/install_toolchains.sh)")
    env = dict(os.environ, GOCACHE=os.path.join(tmp, "gocache"), GO111MODULE="off")
    batched = language in ("Java", "CSharp")
    paths = []
    for i, code in enumerate(codes):
        os.makedirs(os.path.join(tmp, str(i)), exist_ok=True)
        name = f"A{i}.java" if language == "Java" else f"m.{EXTENSIONS[language]}"
        paths.append(os.path.join(tmp, str(i), name))
        with open(paths[-1], "w") as fh:
            fh.write(code.replace("class A ", f"class A{i} ") if batched else code)
    if batched:
        return [subprocess.run(command + paths, capture_output=True, text=True, cwd=tmp, env=env)]
    return [subprocess.run(command + [p], capture_output=True, text=True, cwd=os.path.dirname(p), env=env) for p in paths]


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(SNIPPETS))
def test_every_mutant_compiles_and_differs(language, tmp_path):
    code = SNIPPETS[language]
    mutants = [apply_site(code, site) for site in mutation_sites(language, code)]
    assert len(mutants) == 7 and all(m != code and parses(language, m) for m in mutants)
    for result in _compile(language, [code] + mutants, str(tmp_path)):
        assert result.returncode == 0, result.stderr


MCEVAL_FILES = {"C": "C", "Cpp": "CPP", "CSharp": "Csharp", "Go": "Go", "Java": "Java", "JavaScript": "JavaScript",
                "Python": "Python", "Ruby": "Ruby"}


@pytest.mark.parametrize("language", sorted(MCEVAL_FILES))
def test_mutants_of_real_solutions_parse_differ_and_repeat(language):
    path = os.path.join("/work/shared/data/mceval", f"{MCEVAL_FILES[language]}.jsonl")
    rows = [json.loads(line) for line in open(path, encoding="utf-8")][:10]
    total = 0
    for row in rows:
        code = row["prompt"] + "\n" + row["canonical_solution"]
        candidate = Candidate(candidate_id=Candidate.make_id(row["task_id"], language, code), task_id=row["task_id"],
                              language=language, prompt=row["prompt"], code=code, origin="reference",
                              tests=TestSpec(code=row["test"]))
        mutants = mutate(candidate, MutantConfig(max_mutants=3))
        assert mutants == mutate(candidate, MutantConfig(max_mutants=3))  # deterministic
        assert len({m.code for m in mutants} | {code}) == len(mutants) + 1
        for m in mutants:
            assert m.origin == "mutant" and m.metadata["mutant_of"] == candidate.candidate_id
            assert parses(language, m.code) or parses(language, m.code + "\n" + row["test"])
            assert m.candidate_id == Candidate.make_id(m.task_id, language, m.code) and m.tests == candidate.tests
        total += len(mutants)
    assert total >= 20  # at least two of three mutants per solution on average


def test_operator_selection_and_verdicts():
    code = SNIPPETS["Python"]
    only = mutation_sites("Python", code, operators=("constant",))
    assert [s.replacement for s in only] == ["0", "2"]
    candidate = Candidate(candidate_id="c", task_id="t", language="Python", prompt="p", code=code,
                          origin="reference", tests=TestSpec(code="assert f(1, 2) == 4\n"))
    mutant = mutate(candidate, MutantConfig(max_mutants=1))[0]
    assert verdict(mutant, "test_failure").metadata["status"] == "test_failure"
    assert verdict(mutant, "ok").reason == "equivalent_mutant"
    assert verdict(mutant, "compile_error").reason == "mutant_compile_error"
    assert verdict(mutant, "sandbox_error").reason == "sandbox_error"
    assert mutation_sites("Python", "def broken(:\n") == []


def _mceval_references(language: str, count: int) -> list[Candidate]:
    path = os.path.join("/work/shared/data/mceval", f"{MCEVAL_FILES[language]}.jsonl")
    rows = [json.loads(line) for line in open(path, encoding="utf-8")][:count]
    return [Candidate(candidate_id=Candidate.make_id(r["task_id"], language, r["prompt"] + "\n" + r["canonical_solution"]),
                      task_id=r["task_id"], language=language, prompt=r["prompt"],
                      code=r["prompt"] + "\n" + r["canonical_solution"], origin="reference", tests=TestSpec(code=r["test"]))
            for r in rows]


# Mutants of these references that pass their tests (equivalent for the tests), as (task, operator, edit);
# C/4 has two `>` sites whose mutants both pass, so five mutants in all.
EQUIVALENT = {
    ("C/3", "constant", "0 -> 1"), ("C/3", "relational", "< -> <="), ("C/4", "relational", "> -> >="),
    ("Ruby/1", "relational", "< -> <="),
}


@pytest.mark.slow
def test_sandbox_keeps_failing_mutants_and_drops_equivalent_ones():
    import apache_beam as beam
    from apache_beam.testing.util import assert_that

    from sandboxes import Limits
    from transforms.execute import ExecuteConfig
    from transforms.sources.mutants import VerifiedMutants

    references = _mceval_references("C", 4) + _mceval_references("Ruby", 4)
    untested = references[0].replace(candidate_id="untested", tests=TestSpec())
    seen = {}

    def check(kept, dead):
        kept_keys = [(m.task_id, m.metadata["operator"], m.metadata["edit"]) for m in kept]
        dead_keys = [(json.loads(d.payload)["task_id"], *(json.loads(d.payload)["metadata"][k] for k in ("operator", "edit")),
                      d.reason) for d in dead]
        assert len(kept_keys) + len(dead_keys) == 21 and all(m.metadata["status"] != "ok" for m in kept)
        assert not EQUIVALENT & set(kept_keys)
        # a run the overloaded machine could not finish is a sandbox error, never a verdict
        assert {k[:3] for k in dead_keys if k[3] == "equivalent_mutant"} | {k[:3] for k in dead_keys if k[3] == "sandbox_error"} \
            >= EQUIVALENT
        assert {k[3] for k in dead_keys} <= {"equivalent_mutant", "sandbox_error"}
        seen["errors"] = sum(k[3] == "sandbox_error" for k in dead_keys)

    with beam.Pipeline(runner="DirectRunner") as p:
        out = (p | beam.Create(references + [untested])
               | VerifiedMutants(MutantConfig(max_mutants=3),
                                 ExecuteConfig(limits=Limits(cpu_seconds=5, wall_seconds=10), repetitions=1)))
        both = ((out["candidates"] | "K" >> beam.Map(lambda m: ("kept", m)),
                 out["dead_letters"] | "D" >> beam.Map(lambda d: ("dead", d))) | beam.Flatten())
        assert_that(both, lambda items: check([m for t, m in items if t == "kept"], [d for t, d in items if t == "dead"]))
    all_counters = {r.key.metric.name: r.committed for r in p.result.metrics().query()["counters"]}
    counters = {k: v for k, v in all_counters.items() if k.startswith("sources.mutants.")}
    errors = all_counters.get("execute.sandbox_error", 0)  # dead-lettered by the execute stage
    assert counters == {"sources.mutants.generated": 21, "sources.mutants.skipped_no_tests": 1,
                        "sources.mutants.kept": counters["sources.mutants.kept"],
                        "sources.mutants.equivalent_mutant": counters["sources.mutants.equivalent_mutant"]}
    assert counters["sources.mutants.kept"] + counters["sources.mutants.equivalent_mutant"] + errors == 21
    if errors == 0:  # an idle machine gives the exact split
        assert (counters["sources.mutants.kept"], counters["sources.mutants.equivalent_mutant"]) == (16, 5)
