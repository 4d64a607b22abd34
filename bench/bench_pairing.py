"""Cost of labelling one task with many candidates: time, peak memory and output of the static
label step (`transforms.label.LabelTask`) on one Python task of N distinct candidates (a third
failing, peaks and readability scores spread, every fifth with a HIGH finding).

    python bench/bench_pairing.py 200 1000 10000

Each N runs in a fresh process (peak RSS is the process's high-water mark, the interpreter and
imports included). Prints one JSON line per N.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from anywhere

MB = 1024 * 1024


def task(n: int) -> tuple:
    """One Python task of n distinct candidates as the label stage receives it: (task id, records)."""
    from schemas.records import Candidate, Finding, Measurement, StaticReport, TestSpec

    tests = TestSpec(code="assert f(1) == 1")
    candidates, measurements, reports = [], [], []
    for i in range(n):
        code = f"def f(x):\n    return x * {i + 1} // {i + 1}\n"
        c = Candidate(candidate_id=Candidate.make_id("big", "Python", code), task_id="big", language="Python",
                      prompt="f", code=code, origin="submission", tests=tests)
        candidates.append(c)
        measurements.append(Measurement(candidate_id=c.candidate_id, task_id="big", language="Python",
                                        status="test_failure" if i % 3 == 0 else "ok", backend="process",
                                        cpu_seconds=[0.01 * (1 + i % 7)] * 3,
                                        peak_memory_bytes=[(10 + i % 50) * MB] * 3, measurement_key=f"m{i}"))
        findings = [Finding(rule_id="eval-use", cwe="CWE-95", severity="HIGH", line=2)] if i % 5 == 0 else []
        reports += [StaticReport(candidate_id=c.candidate_id, task_id="big", language="Python", analyzer="semgrep",
                                 findings=findings, report_key=f"s{i}"),
                    StaticReport(candidate_id=c.candidate_id, task_id="big", language="Python", analyzer="tree-sitter",
                                 readability_score=50.0 + i % 40, report_key=f"r{i}")]
    stub_bytes = [(c.candidate_id, 5 * MB, None) for c in candidates]
    return ("big", {"candidates": candidates, "measurements": measurements, "reports": reports, "stub_bytes": stub_bytes})


def measure(n: int) -> dict:
    from apache_beam.pvalue import TaggedOutput

    from transforms.label import LabelTask
    from transforms.label_config import LabelConfig

    element = task(n)
    start = time.perf_counter()
    records = {"pairs": 0, "ties": 0, "dead_letters": 0}
    written = 0
    for output in LabelTask(LabelConfig(), cpu_limit=10.0).process(element):
        tag, value = (output.tag, output.value) if isinstance(output, TaggedOutput) else ("pairs", output)
        if tag in records:
            records[tag] += 1
            written += len(json.dumps(value if isinstance(value, dict) else value.to_dict(), default=str))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"candidates": n, "seconds": round(seconds, 2), "peak_rss_mb": round(peak), "records": records,
            "output_mb": round(written / MB, 2)}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]))))
        return
    for n in argv or ["200", "1000", "10000"]:
        subprocess.run([sys.executable, os.path.abspath(__file__), "--one", n], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
