"""Commit mining on real git repositories built in temporary directories."""
from __future__ import annotations

import collections
import json
import os
import subprocess

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from schemas import DeadLetter, Task
from transforms.sources.commits import (
    CommitConfig, CommitSource, classify, language_of, mine_export_line, mine_repository, template_prompt,
)
from transforms.sources.licences import detect_licence, normalise_licence

MIT = """MIT License

Copyright (c) 2021 Acme

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction.
"""
APACHE = """                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/
"""
GPL = """                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007
"""
BSD3 = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
3. Neither the name of the copyright holder nor the names of its contributors
"""


class Repo:
    """A real git repository; each commit writes, deletes or renames files at a fixed date."""

    def __init__(self, path: str, origin: str = ""):
        self.path = path
        os.makedirs(path)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "dev@example.org")
        self.git("config", "user.name", "Dev")
        if origin:
            self.git("remote", "add", "origin", origin)
        self.day = 0

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", self.path, *args], check=True, capture_output=True, text=True).stdout

    def commit(self, message: str, write=None, delete=(), rename=None, date: str = "") -> str:
        for name, text in (write or {}).items():
            full = os.path.join(self.path, name)
            with open(full, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.git("add", name)
        for name in delete:
            self.git("rm", "-q", name)
        if rename:
            self.git("mv", *rename)
        self.day += 1
        stamp = date or f"2021-03-{self.day:02d}T12:00:00+00:00"
        env = dict(os.environ, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        subprocess.run(["git", "-C", self.path, "commit", "-q", "-m", message], check=True, env=env)
        return self.git("rev-parse", "HEAD").strip()


PY = "def primes(n):\n    out = []\n    for i in range(2, n):\n        if all(i % p for p in out):\n            out.append(i)\n    return out\n"
C = "int sum(int *a, int n) {\n    int s = 0;\n    for (int i = 0; i <= n; i++) s += a[i];\n    return s;\n}\n"
JAVA = "class Main {\n    static String query(String name) {\n        return \"SELECT * FROM t WHERE n='\" + name + \"'\";\n    }\n}\n"
GO = "package cache\n\nfunc Load(n int) [][]byte {\n\tvar out [][]byte\n\tfor i := 0; i < n; i++ {\n\t\tout = append(out, make([]byte, 1024))\n\t}\n\treturn out\n}\n"
RB = "def greet(n)\n  puts 'hi ' + n\nend\n"
CS = "class P {\n    static int First(int[] a) {\n        return a[0];\n    }\n}\n"
CPP = "#include <vector>\nstd::vector<int> copy(std::vector<int> v) {\n    std::vector<int> out;\n    for (int x : v) out.insert(out.begin(), x);\n    return out;\n}\n"
JS = "function helper(x) {\n  return x + 1;\n}\n"


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("repos"))
    alpha = Repo(os.path.join(root, "alpha"), origin="git@github.com:acme/alpha.git")
    alpha.commit("Initial commit", write={"LICENSE": MIT, "a.py": PY, "b.c": C, "util.js": JS, "Main.java": JAVA,
                                          "cache.go": GO, "greet.rb": RB, "Prog.cs": CS, "vec.cpp": CPP,
                                          "legacy.py": "x = 1\n", "README.md": "# alpha\n"})
    alpha.commit("Speed up prime sieve by checking only up to sqrt",
                 write={"a.py": PY.replace("all(i % p for p in out)", "all(i % p for p in out if p * p <= i)")})
    alpha.commit("wip", write={"a.py": PY + "\n# todo\n"})
    alpha.commit("Fix off-by-one in loop bound", write={"b.c": C.replace("i <= n", "i < n")})
    alpha.commit("Refactor helpers and speed up lookup", write={"util.js": JS + "// x\n", "a.py": PY})
    alpha.commit("Rename helper module for clarity", rename=("util.js", "helpers.js"))
    alpha.commit("Add a new sanitizer for input", write={"san.py": "def clean(s):\n    return s.strip()\n"})
    alpha.commit("Sanitize the name before building the query",
                 write={"Main.java": JAVA.replace("+ name +", "+ name.replace(\"'\", \"''\") +")})
    alpha.commit("Speed up the docs build", write={"README.md": "# alpha\n\nFast.\n"})
    alpha.commit("Reduce memory usage of the cache loader",
                 write={"cache.go": GO.replace("var out [][]byte", "out := make([][]byte, 0, n)")})
    alpha.commit("Tweak", write={"a.py": PY + "\n"})
    alpha.commit("Improve the parser so the tests run again", write={"a.py": PY + "\n\n"})
    alpha.commit("Optimize the hot loop in sum", write={"b.c": C.replace("int s = 0;", "long s = 0;")},
                 date="2015-06-01T00:00:00+00:00")
    alpha.commit("Refactor the greeting for readability", write={"greet.rb": "def greet(name)\n  puts \"hi #{name}\"\nend\n"})
    alpha.commit("Fix crash when the array is empty",
                 write={"Prog.cs": CS.replace("return a[0];", "return a.Length == 0 ? 0 : a[0];")})
    alpha.commit("Avoid quadratic inserts and reduce memory allocations",
                 write={"vec.cpp": CPP.replace("out;\n", "out;\n    out.reserve(v.size());\n")
                        .replace("out.insert(out.begin(), x)", "out.push_back(x)")})
    alpha.commit("Remove the unsafe legacy parser", delete=["legacy.py"])

    beta = Repo(os.path.join(root, "beta"))
    beta.commit("Initial import", write={"COPYING": GPL, "m.py": "x = 1\n"})
    beta.commit("Speed up the main loop", write={"m.py": "x = 2\n"})

    gamma = Repo(os.path.join(root, "gamma"))
    gamma.commit("Initial import", write={"LICENSE.txt": APACHE, "t.py": "def render(s):\n    return '<b>' + s + '</b>'\n"})
    gamma.commit("Escape HTML in template output to prevent XSS",
                 write={"t.py": "import html\n\ndef render(s):\n    return '<b>' + html.escape(s) + '</b>'\n"})

    delta = Repo(os.path.join(root, "delta"))
    delta.commit("Initial import", write={"d.py": "x = 1\n"})
    delta.commit("Speed up the main loop", write={"d.py": "x = 2\n"})
    return {"root": root, "alpha": alpha.path, "beta": beta.path, "gamma": gamma.path, "delta": delta.path}


CONFIG = CommitConfig(since="2018-01-01")

EXPECTED_ALPHA = {
    "Speed up prime sieve by checking only up to sqrt": ("a.py", "Python", "Runtime_Efficiency"),
    "Fix off-by-one in loop bound": ("b.c", "C", "Functional_Correctness"),
    "Sanitize the name before building the query": ("Main.java", "Java", "Security_Hardness"),
    "Reduce memory usage of the cache loader": ("cache.go", "Go", "Memory_Efficiency"),
    "Refactor the greeting for readability": ("greet.rb", "Ruby", "Readability_Maintainability"),
    "Fix crash when the array is empty": ("Prog.cs", "CSharp", "Functional_Correctness"),
    "Avoid quadratic inserts and reduce memory allocations": ("vec.cpp", "Cpp", "Runtime_Efficiency,Memory_Efficiency"),
}
EXPECTED_ALPHA_DROPS = {
    "Initial commit": "multi_file",
    "wip": "trivial_message",
    "Refactor helpers and speed up lookup": "multi_file",
    "Rename helper module for clarity": "not_in_place",
    "Add a new sanitizer for input": "not_in_place",
    "Speed up the docs build": "unsupported_language",
    "Tweak": "message_length",
    "Improve the parser so the tests run again": "unclassified",
    "Optimize the hot loop in sum": "outside_date_window",
    "Remove the unsafe legacy parser": "not_in_place",
}


def test_mines_exactly_the_single_file_in_place_classified_commits(repos):
    results = list(mine_repository(repos["alpha"], CONFIG))
    tasks = [r for r in results if isinstance(r, Task)]
    dead = [r for r in results if isinstance(r, DeadLetter)]
    mined = {t.candidates[0].metadata["message"]: (t.candidates[0].metadata["path"], t.language,
                                                   t.candidates[0].metadata["criteria"]) for t in tasks}
    assert mined == EXPECTED_ALPHA
    dropped = {json.loads(d.payload)["message"].strip(): d.reason for d in dead}
    assert dropped == EXPECTED_ALPHA_DROPS
    assert len(results) == 17  # every non-merge commit is accounted for


def test_task_carries_both_versions_and_commit_metadata(repos):
    tasks = [r for r in mine_repository(repos["alpha"], CONFIG) if isinstance(r, Task)]
    task = next(t for t in tasks if t.language == "C")
    old, new = task.candidates
    assert (old.origin, new.origin) == ("commit_old", "commit_new")
    assert old.code == C and new.code == C.replace("i <= n", "i < n")
    assert old.metadata == new.metadata
    meta = old.metadata
    assert meta["repo"] == "acme/alpha" and meta["licence"] == "MIT" and meta["path"] == "b.c"
    assert meta["date"] == "2021-03-04T12:00:00+00:00" and len(meta["sha"]) == 40
    assert json.loads(meta["terms"]) == {"Functional_Correctness": ["off by one", "off-by-one"]}
    assert task.tests.is_empty and task.source == "commits" and task.subset == "acme/alpha"
    assert task.prompt == ("Fix off-by-one in loop bound\n\nMake this change to the C file `b.c`, in "
                           "`int sum(int *a, int n)`. Return the complete updated file.")


def test_licence_allowlist_is_read_from_the_repository(repos):
    assert [r.reason for r in mine_repository(repos["beta"], CONFIG)] == ["licence_not_allowed"]
    assert "GPL-3.0" in next(mine_repository(repos["beta"], CONFIG)).detail
    assert "unknown" in next(mine_repository(repos["delta"], CONFIG)).detail
    gamma = list(mine_repository(repos["gamma"], CONFIG))
    assert [type(r).__name__ for r in gamma] == ["DeadLetter", "Task"]  # the root commit adds files
    assert gamma[1].candidates[0].metadata["licence"] == "Apache-2.0"
    assert gamma[1].candidates[0].metadata["criteria"] == "Security_Hardness"
    allow_gpl = CommitConfig(licences=("GPL-3.0",))
    assert [type(r).__name__ for r in mine_repository(repos["beta"], allow_gpl)] == ["DeadLetter", "Task"]


def test_unreadable_repositories_become_dead_letters(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["git", "init", "-q", str(empty)], check=True)
    for path in (str(empty), str(tmp_path / "missing")):
        (dead,) = mine_repository(path, CONFIG)
        assert dead.reason == "unreadable_repository" and "is it a git repository with at least one commit?" in dead.detail


def test_date_window_bounds(repos):
    only_2015 = CommitConfig(since="2015-01-01", until="2016-01-01")
    tasks = [r for r in mine_repository(repos["alpha"], only_2015) if isinstance(r, Task)]
    assert [t.candidates[0].metadata["message"] for t in tasks] == ["Optimize the hot loop in sum"]


def test_beam_source_counts_every_reason(repos, tmp_path):
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# corpus\n{repos['alpha']}\n{repos['beta']}\n")
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | CommitSource(repositories=[repos["gamma"], repos["delta"]], repository_list=str(listing), config=CONFIG)
        languages = out["tasks"] | beam.Map(lambda t: t.language)
        assert_that(languages, equal_to(["C", "CSharp", "Cpp", "Go", "Java", "Python", "Python", "Ruby"]))
    counters = {r.key.metric.name: r.committed for r in p.result.metrics().query()["counters"]}
    expected = collections.Counter(EXPECTED_ALPHA_DROPS.values())
    expected.update({"licence_not_allowed": 2, "multi_file": 1, "mined": 8})
    assert counters == {f"sources.commits.{k}": v for k, v in expected.items()}


def test_export_rows(tmp_path):
    base = {"commit": "c1", "old_file": "s.py", "new_file": "s.py", "old_contents": "def f(x):\n    return eval(x)\n",
            "new_contents": "import ast\n\ndef f(x):\n    return ast.literal_eval(x)\n",
            "subject": "Sanitize input: avoid eval on untrusted strings", "repos": "org/a,org/b",
            "license": "mit", "lang": "Python", "date": "2021-02-03T04:05:06Z"}
    task = mine_export_line(json.dumps(base), CONFIG)
    assert isinstance(task, Task)
    assert task.candidates[0].metadata["repo"] == "org/a" and task.candidates[1].code == base["new_contents"]
    assert task.candidates[0].metadata["criteria"] == "Security_Hardness"
    assert task.candidates[0].metadata["date"] == "2021-02-03T04:05:06+00:00"
    cases = {
        "gpl": (dict(base, license="gpl-3.0"), "licence_not_allowed"),
        "rename": (dict(base, new_file="t.py"), "not_in_place"),
        "added": (dict(base, old_contents=""), "not_in_place"),
        "old": (dict(base, date=1262304000), "outside_date_window"),
        "no date": ({k: v for k, v in base.items() if k != "date"}, "outside_date_window"),
        "missing": ({k: v for k, v in base.items() if k != "new_contents"}, "bad_row"),
        "same": (dict(base, new_contents=base["old_contents"]), "unchanged"),
        "md": (dict(base, old_file="a.md", new_file="a.md"), "unsupported_language"),
    }
    for name, (row, reason) in cases.items():
        result = mine_export_line(json.dumps(row), CONFIG)
        assert isinstance(result, DeadLetter) and result.reason == reason, name
    assert mine_export_line("{not json", CONFIG).reason == "bad_json"


def test_classify_uses_word_boundaries_and_inflections():
    assert classify("Perfect the wording") == {}
    assert classify("Speeds up parsing; fixed a memory leak") == {
        "Runtime_Efficiency": ["speed up"], "Memory_Efficiency": ["memory leak", "leak"]}
    assert list(classify("Refactored and renamed; sanitized paths")) == ["Security_Hardness", "Readability_Maintainability"]


def test_licence_detection_and_names():
    assert [detect_licence(t) for t in (MIT, APACHE, GPL, BSD3, "All rights reserved.")] == [
        "MIT", "Apache-2.0", "GPL-3.0", "BSD-3-Clause", None]
    assert [normalise_licence(n) for n in ("mit", "Apache-2.0", "bsd-3-clause", "proprietary")] == [
        "MIT", "Apache-2.0", "BSD-3-Clause", None]


def test_language_and_prompt_context():
    assert [language_of(p) for p in ("a/b.PY", "x.hpp", "y.h", "z.cs", "w.mjs", "README")] == [
        "Python", "Cpp", "C", "CSharp", "JavaScript", None]
    old = "class A:\n    def run(self):\n        return 1\n"
    assert "in `def run(self)`" in template_prompt("Fix crash", "a.py", "Python", old, old.replace("1", "2"))
