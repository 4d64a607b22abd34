"""The start-up stub of a candidate: the same language runtime and the same imports, none of the
candidate's own code and no tests.

Runtime and memory labels compare the tests' work, not process start-up: each side's figure is its
full program's minus its stub's, measured interleaved (transforms/measure_pairs.py). The stub keeps
what start-up costs a program whatever it computes (the interpreter or VM, the modules, headers,
packages and namespaces it imports: `from typing import List`, `require('lodash')`, `#include
<map>`, `using System.Linq;`, a Go package's init) and drops everything the candidate wrote itself,
so work done at import time, in a static initialiser or in top-level code is counted in the full
run only and cannot hide in the subtraction.

Imports are found syntactically (Python's ast, line patterns elsewhere) in the candidate followed
by its test code, the program the sandbox runs (`sandboxes.languages.program_text`).
"""
from __future__ import annotations

import ast
import re

from sandboxes.languages import program_text
from schemas.records import Candidate, IOCase, TestSpec, content_id
from transforms.python_parse import parse_python

# Bumped when the stubs built for the same candidate change, so stored measurements of old stubs are not reused.
STUB_VERSION = 1

_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*[<\"][^>\"\n]+[>\"]", re.M)
_JAVA_IMPORT = re.compile(r"^[ \t]*import[ \t]+(?:static[ \t]+)?[\w.]+(?:\.\*)?[ \t]*;", re.M)
_CSHARP_USING = re.compile(r"^[ \t]*using[ \t]+(?:static[ \t]+)?(?:\w+[ \t]*=[ \t]*)?[\w.]+(?:<[^;\n]*>)?[ \t]*;", re.M)
_JS_REQUIRE = re.compile(r"^(?:(?:const|let|var)[ \t]+[^=\n]+=[ \t]*)?require\([ \t]*(['\"])([^'\"\n]+)\1[ \t]*\)", re.M)
_RUBY_REQUIRE = re.compile(r"^require[ \t(]+(['\"])([^'\"\n]+)\1", re.M)
_GO_IMPORT_BLOCK = re.compile(r"^import[ \t]*\((.*?)\)", re.M | re.S)
_GO_IMPORT_LINE = re.compile(r"^import[ \t]+(?:[\w.]+[ \t]+)?(\"[^\"\n]+\")", re.M)
_GO_PATH = re.compile(r"\"[^\"\n]+\"")
_GO_TEST = re.compile(r"func\s+Test\w*\s*\(\s*\w+\s+\*testing\.T\s*\)")


def _python(program: str) -> str:
    try:
        tree = parse_python(program)
    except SyntaxError:  # a program that does not parse fails its tests and is never measured A/B
        return "pass\n"
    imports = [ast.get_source_segment(program, node) for node in tree.body
               if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(imports) + "\npass\n"


def _go(program: str) -> str:
    paths = [p for block in _GO_IMPORT_BLOCK.findall(program) for p in _GO_PATH.findall(block)]
    paths += _GO_IMPORT_LINE.findall(program)
    tested = bool(_GO_TEST.search(program))
    blank = [f"\t_ {p}" for p in dict.fromkeys(paths) if not (tested and p == '"testing"')]
    imports = (['\t"testing"'] if tested else []) + blank
    body = "func TestThemisStartup(t *testing.T) {}\n" if tested else "func main() {}\n"
    return "package main\n\n" + (f"import (\n{chr(10).join(imports)}\n)\n\n" if imports else "") + body


def _lines(pattern: re.Pattern, program: str) -> str:
    return "".join(m.group(0).strip() + "\n" for m in pattern.finditer(program))


def _calls(pattern: re.Pattern, program: str, call: str) -> str:
    return "".join(f"{call}({m.group(1)}{m.group(2)}{m.group(1)});\n" for m in pattern.finditer(program))


_BUILDERS = {
    "Python": _python,
    "Go": _go,
    "C": lambda p: _lines(_INCLUDE, p) + "int main(void) { return 0; }\n",
    "Cpp": lambda p: _lines(_INCLUDE, p) + "int main() { return 0; }\n",
    "Java": lambda p: _lines(_JAVA_IMPORT, p) + "public class Main { public static void main(String[] a) { } }\n",
    "CSharp": lambda p: _lines(_CSHARP_USING, p) + "class Program { static void Main() { } }\n",
    "JavaScript": lambda p: _calls(_JS_REQUIRE, p, "require") + "0;\n",
    "Ruby": lambda p: _calls(_RUBY_REQUIRE, p, "require") + "nil\n",
}


def stub_code(language: str, program: str) -> str:
    """The start-up-only program for `program` (a candidate followed by its test code) in `language`."""
    return _BUILDERS[language](program)


def measured_program(candidate: Candidate) -> Candidate:
    """What runtime and memory measure: the candidate with its task's perf cases (tests.perf) in place
    of its tests when there are some, else the candidate as tested."""
    perf = candidate.tests.perf
    if perf.is_empty:
        return candidate
    return candidate.replace(tests=TestSpec(code=perf.code, cases=list(perf.cases)))


def stub_candidate(candidate: Candidate) -> Candidate:
    """The candidate's start-up stub as a Candidate the sandbox runs like any other: a stdin-tested
    program's stub starts once per case with its stdin and must print nothing; otherwise it runs once,
    its output unchecked (a Go test binary prints PASS)."""
    tests = candidate.tests
    cases = [IOCase(c.stdin, "") for c in tests.cases] if tests.cases and not tests.code.strip() else []
    code = stub_code(candidate.language, program_text(candidate))
    return Candidate(candidate_id=content_id("startup_stub", STUB_VERSION, candidate.language, code, len(cases)),
                     task_id=candidate.task_id, language=candidate.language, prompt="", code=code,
                     origin="reference", tests=TestSpec(cases=cases))
