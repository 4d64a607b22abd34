"""How each of the eight languages is compiled and run, independent of the backend.

A backend (process, docker) mounts three directories at fixed paths: the build
directory `CODE_DIR` (written by `prepare`, compiled into once, read-only at run
time), the project's harness files `HARNESS_DIR`, and a private scratch
`WORK_DIR` (the working directory and $HOME). `prepare(language, program)`
returns a `Build`: the files to write, the compile command (empty for
interpreters) and the run command. A build's `key` hashes everything that
determines the compiled artefact, so each unique source compiles once.

Harness conventions, so that a failed test fails the run:
- JavaScript: `console.assert` only prints; a preloaded module makes it exit 1. Packages
  benchmark tests require: lodash from Debian, js-md5 pinned in harness/js/node_modules.
- C++: linked with libm, and libcrypto when the program includes an OpenSSL header.
- Java: the file is named after the public class (or the class holding `main`),
  run with `-ea` so `assert` statements execute.
- Go: `func TestX(t *testing.T)` programs compile with `go test -c`, offline,
  against the project's own `testify/assert` subset (harness/go/testify); imports are
  gathered at the head, unused ones dropped (sandboxes/go_imports.py).
- C#: mono `mcs -d:DEBUG` with the SDK's implicit usings (System, System.Linq,
  System.Collections.Generic); a trace listener makes a failed `Debug.Assert` exit 1;
  MBXP's `KellermanSoftware.CompareNetObjects` is a small harness file.
- C and C++: `#undef NDEBUG` and `<assert.h>` again between the candidate and the tests, so a
  candidate's `#define NDEBUG` (or its own `assert`) does not silence the tests' asserts.

Completion token (a run passes only when the tests say they finished): each run's environment
carries a fresh 128-bit random `COMPLETION_ENV`; the harness of every language takes it out of the
environment before the program's code starts (Java cannot: `System.getenv` still shows it) and
prints it on stderr once the tests' entry point has returned normally: Python, Ruby: harness/*/run.*
runs the program; Java, C#: a harness entry point calls the program's `main`; Go: a `TestMain`
(or a `main`) of the harness; C, C++: an atexit handler that a call of `exit` from the program's
code disarms (-Wl,--wrap=exit); JavaScript: Node's 'beforeExit'. Stderr is a channel the candidate
writes to, but it cannot print a token it never saw, so exiting early (`sys.exit(0)` at the end of
a model's `main`, `os._exit` from atexit, `Runtime.halt` in a shutdown hook, `os.Exit(0)` in
`init`, `exit!`, a SIGABRT handler) leaves no token: the sandbox classifies exit 0 without it as
`test_failure`, "tests_did_not_complete". What stays possible for a candidate written against this
harness: read the token where the harness keeps it (/proc/self/environ holds the initial
environment; Java's getenv; the harness's memory, frames or objects) and print it, or disarm a
hook deliberately (remove Node's 'beforeExit' listener, swallow exceptions with its own
uncaughtException handler, re-add the C# listener after failing silently, call `__real_exit`).
"""
from __future__ import annotations

import dataclasses
import os
import re
import secrets
from typing import Callable

from sandboxes.go_imports import organize_imports
from schemas import Candidate, content_id

CODE_DIR = "/code"
HARNESS_DIR = "/.themis/harness"
WORK_DIR = "/work"
GOCACHE_DIR = "/.themis/gocache"
PCH_DIR = "/.themis/pch"  # a precompiled <bits/stdc++.h>, when the backend provides one
CPP_FLAGS = ("-O2",)
HARNESS_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness")
COMPLETION_ENV = "THEMIS_COMPLETION"
TESTS_DID_NOT_COMPLETE = "tests_did_not_complete"

BASE_ENV: dict[str, str] = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": WORK_DIR,
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
}

# A failure raised by the test code itself (assertions, benchmark harness messages),
# as opposed to a crash of the program under test.
_TEST_FAILURE = re.compile(
    r"AssertionError|Assertion .* failed|assertion failed|Test failed|[Tt]est case \d+|"
    r"assert statement|Error at test case|--- FAIL")

# Runtimes that fail an allocation themselves (a heap cap, malloc failing) instead of being OOM-killed.
_OUT_OF_MEMORY = re.compile(
    r"java\.lang\.OutOfMemoryError|JavaScript heap out of memory|^MemoryError|runtime: out of memory|"
    r"System\.OutOfMemoryException|NoMemoryError|failed to allocate memory|std::bad_alloc", re.M)


@dataclasses.dataclass(frozen=True)
class Build:
    """One program, ready for a backend: files for CODE_DIR, how to compile it, how to run it."""

    language: str
    key: str
    files: dict[str, str]
    compile: tuple[str, ...]
    run: tuple[str, ...]
    env: dict[str, str]
    compile_cwd: str = CODE_DIR
    uses_gocache: bool = False


@dataclasses.dataclass(frozen=True)
class LanguageSpec:
    name: str
    tools: tuple[str, ...]          # executables the language needs on PATH
    packages: str                   # what to install (Debian) when they are missing
    version: tuple[str, ...]        # prints the toolchain version (for `themis doctor`)
    hello: str                      # a minimal program: the language's start-up footprint
    make: Callable[[str, int], tuple[dict[str, str], tuple[str, ...], tuple[str, ...], dict[str, str]]]
    syntax_error: re.Pattern | None = None  # interpreters: a compile error reported at run time

    def prepare(self, program: str, memory_bytes: int, sanitize: bool = False) -> Build:
        """`sanitize`: C and C++ built with AddressSanitizer + UndefinedBehaviorSanitizer (see SANITIZE_FLAGS)."""
        files, compile_cmd, run_cmd, env = self.make(program, memory_bytes)
        if sanitize:
            if self.name not in SANITIZED:
                raise ValueError(f"no sanitizer build for {self.name}")
            compile_cmd, env = (*compile_cmd, *SANITIZE_FLAGS), {**env, **SANITIZE_ENV}
        cwd = CODE_DIR + "/src" if self.name == "Go" and compile_cmd else CODE_DIR
        key = content_id("build", self.name, files, compile_cmd)
        return Build(language=self.name, key=key, files=files, compile=compile_cmd, run=run_cmd,
                     env={**BASE_ENV, **env}, compile_cwd=cwd, uses_gocache=self.name == "Go")

    def failure_status(self, stderr: str, stdout: str) -> str:
        """Status of a run that exited non-zero: compile_error, memory_limit, test_failure or runtime_error."""
        if _OUT_OF_MEMORY.search(stderr):
            return "memory_limit"
        if self.syntax_error is not None and self.syntax_error.search(stderr):
            return "compile_error"
        if self.name == "Go" and "panic:" in stdout + stderr:
            return "runtime_error"
        if _TEST_FAILURE.search(stderr) or _TEST_FAILURE.search(stdout):
            return "test_failure"
        return "runtime_error"


def completion_token() -> str:
    """A fresh per-run token: what the harness prints once the tests have finished."""
    return secrets.token_hex(16)


def completed(stderr: str, token: str) -> tuple[bool, str]:
    """Whether the harness printed `token` (the tests finished), and stderr without its line."""
    line = token + "\n"
    return line in stderr, stderr.replace(line, "")


_C_COMPLETION = (f"{HARNESS_DIR}/c/completion.c", "-Wl,--wrap=exit")


# The sanitizer build (`mode="sanitize"`): its report goes to stderr and its exit code is 0, so
# a finding is never a test failure; ASan stops at its first error, UBSan reports each and goes on.
# No legend after the shadow-byte dump: the SUMMARY line must stay within the stderr tail kept.
SANITIZED = ("C", "Cpp")
SANITIZE_FLAGS = ("-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g", "-O1")
SANITIZE_ENV = {"ASAN_OPTIONS": "detect_leaks=0:exitcode=0:allocator_may_return_null=1:print_legend=0",
                "UBSAN_OPTIONS": "halt_on_error=0:print_stacktrace=0:exitcode=0"}


def _c(program: str, memory_bytes: int):
    return ({"prog.c": program},
            ("gcc", "-O2", "-o", f"{CODE_DIR}/prog", f"{CODE_DIR}/prog.c", *_C_COMPLETION, "-lm"),
            (f"{CODE_DIR}/prog",), {})


_INCLUDES_OPENSSL = re.compile(r"^\s*#\s*include\s*[<\"]openssl/", re.M)


def _cpp(program: str, memory_bytes: int):
    # -I PCH_DIR: `#include <bits/stdc++.h>` (most benchmark C++) then loads in 0.3 s instead of parsing 2 s.
    # Libraries as benchmark harnesses link them: libm always, libcrypto for OpenSSL's headers (HumanEval-X md5).
    libraries = ("-lcrypto", "-lm") if _INCLUDES_OPENSSL.search(program) else ("-lm",)
    return ({"prog.cpp": program},
            ("g++", *CPP_FLAGS, "-I", PCH_DIR, "-o", f"{CODE_DIR}/prog", f"{CODE_DIR}/prog.cpp", *_C_COMPLETION,
             *libraries),
            (f"{CODE_DIR}/prog",), {})


_JAVA_TOKENS = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|'
                          r'(?P<public>\bpublic\s+(?:(?:final|abstract|static|strictfp)\s+)*)?'
                          r'\bclass\s+(?P<name>\w+)|(?P<main>\bstatic\s+void\s+main\s*\()|(?P<open>\{)|(?P<close>\})',
                          re.S)


def java_main_class(program: str) -> str:
    """The public top-level class, else the top-level class that holds `main`, else `Main`."""
    depth, public, holder, top, pending = 0, None, None, None, None
    for m in _JAVA_TOKENS.finditer(program):
        if m.group("name"):
            pending = m.group("name"), bool(m.group("public"))
        elif m.group("open"):
            if depth == 0 and pending:
                top = pending[0]
                if pending[1] and public is None:
                    public = top
            pending = None
            depth += 1
        elif m.group("close"):
            depth = max(depth - 1, 0)
        elif m.group("main") and holder is None:
            holder = top
    return public or holder or "Main"


def _java(program: str, memory_bytes: int):
    name = java_main_class(program)
    jvm = ("-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", f"-XX:MaxRAM={memory_bytes}")
    # The JVM cannot see the cgroup from inside the sandbox: size its heap from the limit.
    return ({f"{name}.java": program},
            ("javac", *(f"-J{flag}" for flag in jvm), "-encoding", "UTF-8", "-nowarn", "-d", CODE_DIR,
             f"{CODE_DIR}/{name}.java", f"{HARNESS_DIR}/java/ThemisMain.java"),
            ("java", "-ea", "-XX:+UseSerialGC", "-XX:-UsePerfData", f"-XX:MaxRAM={memory_bytes}",
             "-XX:MaxRAMPercentage=70", "-cp", CODE_DIR, "ThemisMain", name), {})


# The namespaces .NET SDK projects import implicitly (ImplicitUsings); benchmark C# relies on them.
_CSHARP_IMPLICIT_USINGS = "using System; using System.Collections.Generic; using System.Linq; "
_CSHARP_MUST_COME_FIRST = re.compile(r"^\s*(?:#define|#undef|extern\s+alias)\b", re.M)


def _csharp(program: str, memory_bytes: int):
    if not _CSHARP_MUST_COME_FIRST.search(program):
        program = _CSHARP_IMPLICIT_USINGS + program  # same line: compiler line numbers stay right
    harness = [f"{HARNESS_DIR}/csharp/AssertListener.cs", f"{HARNESS_DIR}/csharp/ThemisMain.cs"]
    if "KellermanSoftware.CompareNetObjects" in program:
        harness.append(f"{HARNESS_DIR}/csharp/CompareNetObjects.cs")
    with open(os.path.join(HARNESS_SOURCE, "csharp", "prog.exe.config"), encoding="utf-8") as fh:
        config = fh.read()
    return ({"prog.cs": program, "prog.exe.config": config},
            ("mcs", "-d:DEBUG", "-main:ThemisMain", "-langversion:experimental", "-r:System.Numerics.dll", "-nowarn:105,162,168,219,414",
             f"-out:{CODE_DIR}/prog.exe", f"{CODE_DIR}/prog.cs", *harness),
            ("mono", f"{CODE_DIR}/prog.exe"), {})


_GO_TEST = re.compile(r"func\s+Test\w*\s*\(\s*\w+\s+\*testing\.T\s*\)")
_GO_PACKAGE = re.compile(r"^package\s+(\w+)", re.M)
_GO_MAIN = re.compile(r"^func\s+main\s*\(\s*\)", re.M)
# The harness's entry points, in the program's package: the token once every test passed, or once
# the program's main (renamed themisMain) returned.
_GO_TEST_MAIN = """package {package}

import ("fmt"; "os"; "testing")

func TestMain(m *testing.M) {{
\ttoken := os.Getenv("{env}")
\tos.Unsetenv("{env}")
\tcode := m.Run()
\tif code == 0 {{ fmt.Fprintln(os.Stderr, token) }}
\tos.Exit(code)
}}
"""
_GO_MAIN_WRAPPER = """package main

import ("fmt"; "os")

func main() {{
\ttoken := os.Getenv("{env}")
\tos.Unsetenv("{env}")
\tthemisMain()
\tfmt.Fprintln(os.Stderr, token)
}}
"""


def _go(program: str, memory_bytes: int):
    program = organize_imports(program)
    go_mod = "module themis/prog\n\ngo 1.18\n"
    if "github.com/stretchr/testify" in program:
        go_mod += ("\nrequire github.com/stretchr/testify v1.8.4\n"
                   f"\nreplace github.com/stretchr/testify => {HARNESS_DIR}/go/testify\n")
    tested = bool(_GO_TEST.search(program))
    build = ("go", "test", "-c") if tested else ("go", "build")
    name = "prog_test.go" if tested else "prog.go"
    env = {"GOCACHE": GOCACHE_DIR, "GOPATH": f"{WORK_DIR}/go", "GOFLAGS": "-mod=mod", "GOPROXY": "off",
           "GOSUMDB": "off", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0", "GO111MODULE": "on"}
    files = {"src/go.mod": go_mod}
    package = _GO_PACKAGE.search(program)
    if tested and package and "func TestMain(" not in program:
        files["src/zz_themis_main_test.go"] = _GO_TEST_MAIN.format(package=package.group(1), env=COMPLETION_ENV)
    elif not tested and package and package.group(1) == "main" and _GO_MAIN.search(program):
        program = _GO_MAIN.sub("func themisMain()", program, count=1)
        files["src/zz_themis_main.go"] = _GO_MAIN_WRAPPER.format(env=COMPLETION_ENV)
    files[f"src/{name}"] = program
    return files, (*build, "-o", f"{CODE_DIR}/prog", "."), (f"{CODE_DIR}/prog",), env


def _javascript(program: str, memory_bytes: int):
    return ({"prog.js": program}, (),
            ("node", "--require", f"{HARNESS_DIR}/js/strict_assert.js", f"{CODE_DIR}/prog.js"),
            {"NODE_PATH": f"{HARNESS_DIR}/js/node_modules:/usr/share/nodejs:/usr/lib/node_modules"})


def _python(program: str, memory_bytes: int):
    return {"prog.py": program}, (), ("python3", "-B", "-s", "-E", f"{HARNESS_DIR}/python/run.py",
                                      f"{CODE_DIR}/prog.py"), {}


def _ruby(program: str, memory_bytes: int):
    return {"prog.rb": program}, (), ("ruby", f"{HARNESS_DIR}/ruby/run.rb", f"{CODE_DIR}/prog.rb"), {}


SPECS: dict[str, LanguageSpec] = {s.name: s for s in (
    LanguageSpec("C", ("gcc",), "gcc", ("gcc", "--version"), "int main(void) { return 0; }\n", _c),
    LanguageSpec("Cpp", ("g++",), "g++", ("g++", "--version"), "int main() { return 0; }\n", _cpp),
    LanguageSpec("Java", ("javac", "java"), "default-jdk-headless", ("java", "-version"),
                 "public class Main { public static void main(String[] a) { } }\n", _java),
    LanguageSpec("CSharp", ("mcs", "mono"), "mono-mcs mono-runtime", ("mono", "--version"),
                 "class Program { static void Main() { } }\n", _csharp),
    LanguageSpec("Go", ("go",), "golang-go", ("go", "version"), "package main\n\nfunc main() {}\n", _go),
    LanguageSpec("JavaScript", ("node",), "nodejs node-lodash", ("node", "--version"), "0;\n", _javascript,
                 syntax_error=re.compile(r"^SyntaxError: .*\n\s+at (?:internalCompileFunction|wrapSafe)", re.M)),
    LanguageSpec("Python", ("python3",), "python3", ("python3", "--version"), "pass\n", _python,
                 syntax_error=re.compile(r"\A(?:(?!Traceback).)*^(?:SyntaxError|IndentationError|TabError): ",
                                         re.M | re.S)),
    LanguageSpec("Ruby", ("ruby",), "ruby", ("ruby", "--version"), "nil\n", _ruby,
                 syntax_error=re.compile(r"syntax errors? found|\(SyntaxError\)|: syntax error")),
)}


def spec(language: str) -> LanguageSpec:
    try:
        return SPECS[language]
    except KeyError:
        raise ValueError(f"no sandbox spec for language {language!r}; known: {', '.join(SPECS)}") from None


# Between a C or C++ candidate and its tests: the tests' asserts are on whatever the candidate defined.
_C_ASSERTS_ON = "\n#undef NDEBUG\n#include <assert.h>\n"


def program_text(candidate: Candidate) -> str:
    """The program under test: the candidate followed by its task's test code."""
    if candidate.tests.code.strip():
        joint = _C_ASSERTS_ON if candidate.language in ("C", "Cpp") else "\n"
        return candidate.code + joint + candidate.tests.code
    return candidate.code
