"""bench/codeql_examples_devset.py on a small repository in CodeQL's layout: file pairs, marked functions,
names that decide a role, and what gives no row."""
from bench.codeql_examples_devset import role_of_name, rows_of

HELP = '<qhelp><example><sample src="{}" /><p>fixed:</p><sample src="{}" /></example></qhelp>\n'


def test_role_is_the_last_marker_word_of_a_name():
    assert role_of_name("InsecureSQLConnectionGood") == "good"
    assert role_of_name("UnsafeDeserializationBad") == "bad"
    assert role_of_name("ExposedSystemDataIncorrect") == "bad"
    assert role_of_name("ExposedSystemDataCorrect") == "good"
    assert role_of_name("command_execution_unsafe") == "bad"
    assert role_of_name("ReflectedXss") is None


def test_rows_from_file_pairs_and_marked_functions(tmp_path, git_commit):
    xss = tmp_path / "javascript/ql/src/Security/CWE-079"
    (xss / "examples").mkdir(parents=True)
    (xss / "ReflectedXss.qhelp").write_text(HELP.format("examples/ReflectedXss.js", "examples/ReflectedXssGood.js"))
    (xss / "examples/ReflectedXss.js").write_text("// writes the query\nres.send(req.query.name);\n")
    (xss / "examples/ReflectedXssGood.js").write_text("res.send(escape(req.query.name));\n")
    cmd = tmp_path / "python/ql/src/Security/CWE-078"
    cmd.mkdir(parents=True)
    (cmd / "CommandInjection.qhelp").write_text(HELP.format("command.py", "command.py"))
    (cmd / "command.py").write_text(
        "def run_unsafe(request):\n    # BAD: no allow-list\n    os.system(request.GET['c'])\n\n"
        "def helper():\n    pass\n\n"
        "# GOOD: an allow-list\ndef run_listed(request):\n    os.system(COMMANDS[request.GET['c']])\n")
    sql = tmp_path / "java/ql/src/Security/CWE/CWE-089"
    sql.mkdir(parents=True)
    (sql / "SqlTainted.qhelp").write_text(HELP.format("SqlTainted.java", "SqlTainted.java"))
    (sql / "SqlTainted.java").write_text("class A { void f() {\n  { // BAD\n    q(x); }\n  { // GOOD\n    p(x); } } }\n")
    redirect = tmp_path / "ruby/ql/src/queries/security/cwe-601"
    (redirect / "examples").mkdir(parents=True)
    (redirect / "UrlRedirect.qhelp").write_text('<qhelp><include src="Redirect.inc.qhelp" /></qhelp>\n')
    (redirect / "Redirect.inc.qhelp").write_text(HELP.format("examples/redirect_bad.rb", "examples/redirect_good.rb"))
    (redirect / "examples/redirect_bad.rb").write_text("def go\n  redirect_to params[:url]\nend\n")
    (redirect / "examples/redirect_good.rb").write_text("def go\n  redirect_to URLS[params[:url]]\nend\n")
    (tmp_path / "javascript/ql/src/experimental/Security/CWE-094").mkdir(parents=True)
    (tmp_path / "javascript/ql/src/experimental/Security/CWE-094/Code.qhelp").write_text(
        HELP.format("examples/ReflectedXss.js", "examples/ReflectedXssGood.js"))
    git_commit(tmp_path)
    rows, left_out = rows_of(str(tmp_path), "o/n")
    assert sorted((r["language"], r["vul_type"]) for r in rows) == [
        ("JavaScript", "cwe-79"), ("Python", "cwe-78"), ("Ruby", "cwe-601")]  # the shared part read once, with its query
    js, py, rb = sorted(rows, key=lambda r: r["language"])
    assert rb["func_src_after"] == "def go\n  redirect_to URLS[params[:url]]\nend"
    assert js["func_src_before"] == "res.send(req.query.name);" and js["func_src_after"] == "res.send(escape(req.query.name));"
    assert py["func_src_before"] == "def run_unsafe(request):\n    os.system(request.GET['c'])"
    assert py["func_src_after"] == "def run_listed(request):\n    os.system(COMMANDS[request.GET['c']])"
    assert js["licence"] == "MIT" and js["commit_link"].startswith("https://github.com/o/n/blob/")
    assert {js["split"], py["split"]} <= {"train", "val"}
    # the Java sample keeps bad and good code in one method; the experimental query is not read
    assert left_out == {"bad and good code in one function": 1, "no flawed and fixed sample told apart": 1}
