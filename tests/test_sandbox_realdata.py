"""A sample of the real-data runs (the full runs: bench/canonical_pass_rates.py, results in bench/RESULTS.md).

McEval and MBXP canonical solutions must pass in every language they cover
(the sample skips the MBXP tasks whose canonical solution is itself wrong).
"""
from __future__ import annotations

import dataclasses
import importlib.util
import os

import pytest

from sandboxes import Limits
from sandboxes.process import ProcessSandbox

_BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "canonical_pass_rates.py")
_spec = importlib.util.spec_from_file_location("canonical_pass_rates", _BENCH)
canonical = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(canonical)

MCEVAL_SAMPLE = 3
MBXP_SAMPLE = {"Cpp": ("MBCPP/3", "MBCPP/5", "MBCPP/6"), "CSharp": ("MBCSP/3", "MBCSP/4", "MBCSP/5"),
               "Java": ("MBJP/1", "MBJP/2", "MBJP/3"), "JavaScript": ("MBJSP/1", "MBJSP/3", "MBJSP/4"),
               "Python": ("MBPP/1", "MBPP/2", "MBPP/3"), "Ruby": ("MBRBP/2", "MBRBP/3", "MBRBP/4")}


@pytest.fixture(scope="module")
def sandbox():
    box = ProcessSandbox(Limits(wall_seconds=60), workers=2)
    yield box
    box.close()


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(canonical.MCEVAL))
def test_mceval_canonical_solutions_pass(sandbox, language):
    sample = canonical.candidates("mceval", language, MCEVAL_SAMPLE)
    measured = sandbox.run_many(sample)
    assert [(m.task_id, m.status) for m in measured] == [(c.task_id, "ok") for c in sample], \
        [m.stderr_tail[-300:] for m in measured if m.status != "ok"]


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(MBXP_SAMPLE))
def test_mbxp_canonical_solutions_pass(sandbox, language):
    sample = [c for c in canonical.candidates("mbxp", language) if c.task_id in MBXP_SAMPLE[language]]
    measured = sandbox.run_many(sample)
    assert [(m.task_id, m.status) for m in measured] == [(c.task_id, "ok") for c in sample], \
        [m.stderr_tail[-300:] for m in measured if m.status != "ok"]


@pytest.mark.slow
def test_a_wrong_mbxp_python_solution_fails_its_tests(sandbox):
    right = next(c for c in canonical.candidates("mbxp", "Python") if c.task_id == "MBPP/1")
    wrong = dataclasses.replace(right, candidate_id="wrong", code=right.code.replace("return tc[m][n]", "return 0"))
    assert wrong.code != right.code
    assert [m.status for m in sandbox.run_many([right, wrong])] == ["ok", "test_failure"]
