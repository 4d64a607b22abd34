"""bench/gosec_devset.py on a small repository in gosec's layout: pairs, CWEs, pinned misses left out."""
from bench.gosec_devset import rows_of

SAMPLES = '''package testutils

var SampleCodeG201 = []CodeSample{
	{[]string{`
package main

func insecure() { query("SELECT * FROM t WHERE a = '" + os.Args[1] + "'") }
`}, 1, gosec.NewConfig()},
	{[]string{`
package main

func safe() { query("SELECT * FROM t WHERE a = ?", os.Args[1]) }
`}, 0, gosec.NewConfig()},
	// Note: Current implementation doesn't track taint through map values
	{[]string{`
package main

func pinnedMiss() { m := map[string]string{"q": os.Args[1]}; query("SELECT " + m["q"]) }
`}, 0, gosec.NewConfig()},
	{[]string{`
package main
`, `
package other
`}, 1, gosec.NewConfig()},
}
'''
ISSUES = 'var ruleToCWE = map[string]string{\n\t"G201": "89",\n\t"G101": "798",\n}\n'


def test_rows_pair_insecure_with_secure_and_leave_out_pinned_misses(tmp_path, git_commit):
    (tmp_path / "testutils").mkdir()
    (tmp_path / "issue").mkdir()
    (tmp_path / "testutils" / "g201_samples.go").write_text(SAMPLES)
    (tmp_path / "testutils" / "g101_samples.go").write_text(SAMPLES.replace("G201", "G101").replace("}, 0, gosec", "}, 2, gosec"))
    (tmp_path / "issue" / "issue.go").write_text(ISSUES)
    git_commit(tmp_path)
    rows, skipped = rows_of(str(tmp_path), per_rule=20)
    [row] = rows
    assert row["rule"] == "G201" and row["vul_type"] == "cwe-89" and row["language"] == "Go"
    assert "func insecure()" in row["func_src_before"] and "func safe()" in row["func_src_after"]
    assert row["split"] in ("train", "val") and row["licence"] == "Apache-2.0"
    # G101's samples all report issues: no secure program to pair with
    assert skipped == {"gosec's known misses": 1, "several files": 2, "G101: no secure sample": 3}
