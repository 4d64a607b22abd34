"""A secure/insecure dev set in SVEN's format from NIST's Juliet test suites (public domain), for
the second kind of data issue 17 measures: secure and insecure implementations of the same task.

Each Juliet test case holds a flawed function (`bad`) and one or two fixed ones: `goodG2B` (a safe
source feeding the same sink) and `goodB2G` (the unsafe source made safe before the sink: a check,
an escape, a bound); a case with no source and sink (weak crypto, a hard-coded key, a cookie flag) has
`good1`, `good2`... instead, each a safe way to do what `bad` does. Only flow variant 01 is read,
where source and sink sit in the one function; each (bad, good) pair of a case is one row, `func_src_before` the bad function and `func_src_after`
the good one, the suite's comments removed (they name the flaw and the fix) and the good function
given the bad one's name, so that the two differ only in code. In the C suite, the one-token macros a case
defines for Linux (`#define FOPEN fopen`, `#define COMMAND_ARG3 data`, and `ALLOCA` from the suite's header)
are expanded, as the compiler sees them: a real program calls fopen, not an alias of it. At most `--per-cwe` cases per CWE,
chosen by a hash of the case's name; rows are split by another hash of it (0-7 train, 8-f val)
before anything is scanned. Read straight from a git mirror (no work tree needed):

    python bench/juliet_devset.py --out DIR --language Java REPO_DIR [--cwe CWE-78 ...]
    python bench/juliet_devset.py --out DIR --language C REPO_DIR     # C and C++ cases

Sources used in bench/RESULTS.md: find-sec-bugs/juliet-test-suite (Java, Juliet 1.2) and
huangh-git/C-Juliet-Test-Suite (C/C++, Juliet 1.3), both NIST SARD test suites in the public domain.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import git, text_without_comments, write_splits  # noqa: E402
from transforms.grammars import parser_for  # noqa: E402

# The Juliet CWEs of the weaknesses the rule pack targets (issue 17's list), by suite language.
CWES = {
    "Java": ("CWE78", "CWE89", "CWE23", "CWE36", "CWE80", "CWE81", "CWE83", "CWE601", "CWE90", "CWE643",
             "CWE327", "CWE328", "CWE338", "CWE259", "CWE321", "CWE329", "CWE614"),
    "C": ("CWE78", "CWE23", "CWE36", "CWE121", "CWE122", "CWE124", "CWE126", "CWE127", "CWE134", "CWE190",
          "CWE191", "CWE415", "CWE416", "CWE476", "CWE680", "CWE690", "CWE259", "CWE321", "CWE327", "CWE328",
          "CWE338", "CWE377"),
}
LANGUAGE_BY_EXTENSION = {".java": "Java", ".c": "C", ".cpp": "Cpp"}
FUNCTION_NODES = {"Java": "method_declaration", "C": "function_definition", "Cpp": "function_definition"}
CASE = re.compile(r"(?:^|/)(CWE(\d+)_[^/]*?_01)\.(java|c|cpp)$")
# the C suite's own header, whose aliases (ALLOCA) its cases use beside their own
SUPPORT_HEADER = "testcasesupport/std_testcase.h"
DEFINE = re.compile(r"#\s*define\s+([A-Z_][A-Z0-9_]*)\s+(\w+|L?\"(?:\\.|[^\"\\])*\")\s*(?:/[/*].*)?$")
ROLE = re.compile(r"\b(?:\w+_)?(bad|goodG2B|goodB2G|good\d+)\s*\(")


def functions_by_role(code: str, language: str) -> dict[str, str]:
    """'bad' / 'goodG2B' / 'goodB2G' / 'good1'... -> that function's text, comments removed."""
    source = code.encode()
    tree = parser_for(language).parse(source)
    found: dict[str, str] = {}
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != FUNCTION_NODES[language]:
            continue
        text = text_without_comments(node, source)
        role = ROLE.search(text.split("{", 1)[0])
        if role and role.group(1) not in found:
            found[role.group(1)] = text
    return found


def macro_values(code: str) -> dict[str, str]:
    """The one-token object-like macros (an identifier, a number or a string) that a Linux build of `code`
    defines: the suite's aliases for the calls and values of a case (`#define FOPEN fopen`, `#define
    GETENV getenv`, `#define COMMAND_ARG3 data`). A branch of `#ifdef _WIN32` is skipped; any other
    condition's branches are all read, the first definition winning."""
    values: dict[str, str] = {}
    branches: list[bool | None] = []  # per open #if: live on Linux, dead, or unknown (None)
    for line in code.splitlines():
        directive = line.strip()
        if m := re.match(r"#\s*if(n?)def\s+_WIN32\b", directive):
            branches.append(bool(m.group(1)))
        elif re.match(r"#\s*if", directive):
            branches.append(None)
        elif re.match(r"#\s*else\b", directive) and branches and branches[-1] is not None:
            branches[-1] = not branches[-1]
        elif re.match(r"#\s*endif\b", directive) and branches:
            branches.pop()
        elif False not in branches and (m := DEFINE.match(directive)):
            values.setdefault(m.group(1), m.group(2))
    return values


def expand_macros(text: str, values: dict[str, str]) -> str:
    """`text` with each macro of `values` replaced by its value, as the preprocessor would (a value may
    name another macro)."""
    if not values:
        return text
    name = re.compile(r"\b(" + "|".join(map(re.escape, values)) + r")\b")
    for _ in range(3):
        text, count = name.subn(lambda m: values[m.group(1)], text)
        if not count:
            break
    return text


def rows_of(repo: str, language: str, cwes: set[str], per_cwe: int, keep_macros: bool = False) -> list[dict]:
    paths = [p for p in git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
             if (m := CASE.search(p)) and f"CWE{m.group(2)}" in cwes]
    by_cwe: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for path in paths:
        case = CASE.search(path)
        pick = hashlib.sha256(f"pick {case.group(1)}".encode()).hexdigest()  # independent of the split's hash
        by_cwe[f"CWE-{case.group(2)}"].append((pick, path, hashlib.sha256(case.group(1).encode()).hexdigest()))
    suite_macros = macro_values(git(repo, "show", f"HEAD:{SUPPORT_HEADER}"))  # none in the Java suite
    rows = []
    for cwe, cases in sorted(by_cwe.items()):
        for _, path, digest in sorted(cases)[:per_cwe]:
            file_language = LANGUAGE_BY_EXTENSION[os.path.splitext(path)[1]]
            code = git(repo, "show", f"HEAD:{path}")
            found = functions_by_role(code, file_language)
            if file_language != "Java" and not keep_macros:
                values = {**suite_macros, **macro_values(code)}
                found = {role: expand_macros(text, values) for role, text in found.items()}
            if "bad" not in found:
                continue
            bad_name = ROLE.search(found["bad"].split("{", 1)[0])
            for good in sorted(role for role in found if role != "bad"):
                head, body = found[good].split("{", 1)
                head = head.replace("static ", "", 1) if file_language != "Java" else head.replace("private ", "public ", 1)
                after = ROLE.sub(bad_name.group(0), head, count=1) + "{" + body
                rows.append({"split": "train" if digest[0] in "01234567" else "val", "func_name": f"{path}:{good}",
                             "func_src_before": found["bad"], "func_src_after": after, "vul_type": cwe.lower(),
                             "file_name": os.path.basename(path), "language": file_language, "fix": good,
                             "licence": "public domain (NIST SARD Juliet)"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--language", required=True, choices=sorted(CWES), help="the suite's language (C: C and C++)")
    parser.add_argument("--cwe", action="append", default=None, help="only this CWE (e.g. CWE-78); repeatable")
    parser.add_argument("--per-cwe", type=int, default=60, help="test cases per CWE at most")
    parser.add_argument("--keep-macros", action="store_true",
                        help="leave the C suite's one-token macros unexpanded (the set before 2026-12-05 12:00 UTC)")
    parser.add_argument("repo", help="a git mirror of the suite")
    args = parser.parse_args()
    cwes = {c.replace("-", "").upper() for c in args.cwe} if args.cwe else set(CWES[args.language])
    write_splits(args.out, rows_of(args.repo, args.language, cwes, args.per_cwe, args.keep_macros))


if __name__ == "__main__":
    main()
