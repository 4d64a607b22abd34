"""transforms/go_slices.py: Go slices rewritten in place into indexes, so that semgrep's taint mode follows them."""
from schemas.records import Candidate, TestSpec
from transforms.analyzers.base import scanned_text
from transforms.go_slices import scannable_go
from transforms.security import scan_candidates

HANDLER = '''package main

func serve(w http.ResponseWriter, r *http.Request) {
\tname := r.URL.Path[len("/files/"):]
\thead, mid, all, capped := name[:3], name[1:4], name[:], buf[0:2:4]
\tm := map[string]int{"a:b": 1}
\ts := "x[1:2]" // c[1:2]
\tdata, _ := os.ReadFile(filepath.Join("/srv/files", name))
\tw.Write(data)
}
'''


def test_each_slice_becomes_an_index_of_the_same_length():
    rewritten = scannable_go(HANDLER)
    assert rewritten == HANDLER.replace('Path[len("/files/"):]', 'Path[len("/files/") ]').replace(
        "name[:3], name[1:4], name[:], buf[0:2:4]", "name[+3], name[1+4], name[0], buf[0+2+4]")
    assert scanned_text("Go", HANDLER) == rewritten  # literals, comments and map keys are left alone


def test_taint_through_a_slice_reaches_the_sink():
    """semgrep's taint mode drops taint at a Go slice (semgrep#6203); read as an index, it reaches os.ReadFile."""
    [report] = scan_candidates([Candidate(candidate_id="g", task_id="t", language="Go", prompt="p", code=HANDLER,
                                          origin="x", tests=TestSpec())])
    assert not report.errors
    assert ("go-taint-path-traversal", 8) in {(f.rule_id, f.line) for f in report.findings}
