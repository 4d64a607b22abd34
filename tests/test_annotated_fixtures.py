"""bench/annotated_fixtures.py's reading of CodeQL query tests: which lines an annotation marks, and which
finding speaks for it, on a small repository in CodeQL's layout."""
import subprocess

from bench.annotated_fixtures import codeql_annotated_lines, codeql_fixtures, same_weakness

JS = """function f(req, res) {
  var p = req.query.p;
  res.redirect(p); // NOT OK
  res.redirect('/home'); // OK
  d3.select('#main')
    .attr('width', 100)
    .html(p); // NOT OK

  // GOOD: checked against a list
  if (SAFE.includes(p))
    res.redirect(p);

  var url = "http://ok.example/"; // a URL, no annotation
}
"""

PY = """def view(request):
    name = request.GET["name"]
    return HttpResponse(
        name)  # BAD
    # OK
    return HttpResponse(escape(name))
"""


def test_a_trailing_annotation_marks_its_statement_and_a_comment_line_the_code_under_it():
    assert codeql_annotated_lines(JS, "CWE-601", python=False) == [
        (3, 3, True, "CWE-601"), (4, 4, False, "CWE-601"), (5, 7, True, "CWE-601"), (10, 11, False, "CWE-601")]
    assert codeql_annotated_lines(PY, "CWE-79", python=True) == [(3, 4, True, "CWE-79"), (6, 6, False, "CWE-79")]


def test_a_finding_speaks_for_its_folder_s_weakness_or_one_of_its_family():
    assert same_weakness("CWE-22", "CWE-22") and same_weakness("CWE-312", "CWE-532") and same_weakness("CWE-120", "CWE-787")
    assert same_weakness("CWE-915", "CWE-1321")
    assert not same_weakness("CWE-22", "CWE-732") and not same_weakness("CWE-79", "CWE-22")


def test_fixtures_are_the_annotated_programs_under_a_cwe_folder_of_the_security_query_tests(tmp_path):
    tests = tmp_path / "javascript" / "ql" / "test" / "query-tests" / "Security" / "CWE-601" / "ServerSideUrlRedirect"
    tests.mkdir(parents=True)
    for name in ("a.js", "b.js", "c.js", "d.js", "e.js", "f.js"):
        (tests / name).write_text(JS)
    (tests / "stubs.js").write_text("function redirect(url) {}\n")  # nothing annotated
    (tests / "Query.expected").write_text("| a.js:3:3:3:17 | redirect |\n")
    other = tmp_path / "javascript" / "ql" / "test" / "library-tests" / "CWE-601"
    other.mkdir(parents=True)
    (other / "g.js").write_text(JS)  # not a security query's test
    for command in (["init", "-q"], ["add", "."], ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "s"]):
        subprocess.run(["git", "-C", str(tmp_path), *command], check=True)
    train = codeql_fixtures(str(tmp_path), "HEAD", {"JavaScript"}, "train")
    val = codeql_fixtures(str(tmp_path), "HEAD", {"JavaScript"}, "val")
    assert sorted(path.rsplit("/", 1)[1] for path, *_ in train + val) == ["a.js", "b.js", "c.js", "d.js", "e.js", "f.js"]
    assert train and val and not {path for path, *_ in train} & {path for path, *_ in val}
    path, language, code, spans = train[0]
    assert language == "JavaScript" and code == JS and spans[0] == (3, 3, True, "CWE-601")
    assert codeql_fixtures(str(tmp_path), "HEAD", {"Python"}, "train") == []
