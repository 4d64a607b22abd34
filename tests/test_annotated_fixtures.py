"""bench/annotated_fixtures.py's reading of CodeQL query tests and of Brakeman's tests: which lines an
annotation or an assertion marks, and which finding speaks for it, on small repositories in their layouts."""
from bench.annotated_fixtures import brakeman_fixtures, codeql_annotated_lines, codeql_fixtures, same_weakness

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
    assert same_weakness("CWE-915", "CWE-1321") and same_weakness("CWE-201", "CWE-209")
    assert same_weakness("Remote Code Execution", "CWE-502") and same_weakness("Redirect", "CWE-601")
    assert not same_weakness("SQL Injection", "CWE-78")
    assert not same_weakness("CWE-22", "CWE-732") and not same_weakness("CWE-79", "CWE-22")


def test_fixtures_are_the_annotated_programs_under_a_cwe_folder_of_the_security_query_tests(tmp_path, git_commit):
    tests = tmp_path / "javascript" / "ql" / "test" / "query-tests" / "Security" / "CWE-601" / "ServerSideUrlRedirect"
    tests.mkdir(parents=True)
    for name in ("a.js", "b.js", "c.js", "d.js", "e.js", "f.js"):
        (tests / name).write_text(JS)
    (tests / "stubs.js").write_text("function redirect(url) {}\n")  # nothing annotated
    (tests / "Query.expected").write_text("| a.js:3:3:3:17 | redirect |\n")
    other = tmp_path / "javascript" / "ql" / "test" / "library-tests" / "CWE-601"
    other.mkdir(parents=True)
    (other / "g.js").write_text(JS)  # not a security query's test
    git_commit(tmp_path)
    train = codeql_fixtures(str(tmp_path), "HEAD", {"JavaScript"}, "train")
    val = codeql_fixtures(str(tmp_path), "HEAD", {"JavaScript"}, "val")
    assert sorted(path.rsplit("/", 1)[1] for path, *_ in train + val) == ["a.js", "b.js", "c.js", "d.js", "e.js", "f.js"]
    assert train and val and not {path for path, *_ in train} & {path for path, *_ in val}
    path, language, code, spans = train[0]
    assert language == "JavaScript" and code == JS and spans[0] == (3, 3, True, "CWE-601")
    assert codeql_fixtures(str(tmp_path), "HEAD", {"Python"}, "train") == []


BRAKEMAN_TEST = """class Rails9Tests < Minitest::Test
  def report
    @@report ||= BrakemanTester.run_scan "rails9", "Rails 9"
  end

  def test_sql
    assert_warning :type => :warning,
      :warning_type => "SQL Injection",
      :line => 3,
      :confidence => 0,
      :relative_path => "app/controllers/users_controller.rb"

    assert_no_warning :type => :warning,
      :warning_type => "Redirect",
      :line => 4,
      :file => /users_controller\\.rb/
  end

  def test_what_is_left_out
    assert_warning :type => :warning,
      :warning_type => "Command Injection",
      :line => 5,
      :confidence => 2,
      :file => /users_controller\\.rb/
    assert_warning :warning_type => "Default Routes", :line => 2, :file => /routes\\.rb/
    assert_warning :warning_type => "Dangerous Eval", :line => 2, :file => /_controller\\.rb/
    assert_warning :warning_type => "File Access", :line => nil, :file => /users_controller\\.rb/
  end
end
"""


def test_brakeman_s_assertions_mark_the_lines_of_its_test_apps(tmp_path, git_commit):
    controllers = tmp_path / "test" / "apps" / "rails9" / "app" / "controllers"
    controllers.mkdir(parents=True)
    code = "class UsersController\n  def index\n    User.where(params[:q])\n    redirect_to root_path\n  end\nend\n"
    (controllers / "users_controller.rb").write_text(code)
    (controllers / "admin_controller.rb").write_text(code)
    (tmp_path / "test" / "apps" / "rails9" / "config").mkdir()
    (tmp_path / "test" / "apps" / "rails9" / "config" / "routes.rb").write_text("a\nb\n")
    (tmp_path / "test" / "tests").mkdir()
    (tmp_path / "test" / "tests" / "rails9.rb").write_text(BRAKEMAN_TEST)
    git_commit(tmp_path)
    found = [f for split in ("train", "val") for f in brakeman_fixtures(str(tmp_path), "HEAD", {"Ruby"}, split)]
    # a weak warning, a type that is no weakness in the code, a file regex two files match, and no line: left out
    assert found == [("test/apps/rails9/app/controllers/users_controller.rb", "Ruby", code,
                      [(3, 3, True, "SQL Injection"), (4, 4, False, "Redirect")])]
    assert brakeman_fixtures(str(tmp_path), "HEAD", {"Python"}, "train") == []
