"""bench/owasp_benchmark_devset.py on a small repository in the OWASP Benchmark's layout."""
import subprocess

from bench.owasp_benchmark_devset import rows_of

HEADER = "'''\nOWASP Benchmark for Python v0.1\n\nThis file is part of the OWASP Benchmark Project.\n'''\n\n"
RESULTS = """# test name, category, real vulnerability, cwe, Benchmark version: 0.1, 2025-11-5
BenchmarkTest00001,sqli,true,89
BenchmarkTest00002,sqli,false,89
BenchmarkTest00003,sqli,true,89
BenchmarkTest00004,hash,true,328
BenchmarkTest00009,sqli,true,89
"""


def test_rows_pair_each_vulnerable_case_with_a_safe_one_of_its_category(tmp_path):
    (tmp_path / "testcode").mkdir()
    (tmp_path / "expectedresults-0.1.csv").write_text(RESULTS)
    (tmp_path / "expectedresults-0.0.csv").write_text("BenchmarkTest00001,sqli,false,89\n")  # an older file is ignored
    for n in range(1, 5):
        (tmp_path / "testcode" / f"BenchmarkTest{n:05d}.py").write_text(f"{HEADER}def view{n}():\n    return {n}\n")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "s"]):
        subprocess.run(["git", "-C", str(tmp_path), *command], check=True)
    rows, skipped = rows_of(str(tmp_path), per_category=30)
    assert sorted(r["func_name"] for r in rows) == ["BenchmarkTest00001 vs BenchmarkTest00002",
                                                    "BenchmarkTest00003 vs BenchmarkTest00002"]
    row = rows[0]
    assert row["func_src_before"].startswith("def view") and "OWASP" not in row["func_src_before"]
    assert row["vul_type"] == "cwe-89" and row["language"] == "Python" and row["licence"] == "GPL-3.0"
    assert row["rule"] == "sqli" and row["split"] in ("train", "val")
    assert row["commit_link"].startswith("https://github.com/OWASP-Benchmark/BenchmarkPython/blob/")
    # the hash category has no safe case; test 9 has no file
    assert skipped == {"hash: no safe test case": 1, "no test file": 1}
