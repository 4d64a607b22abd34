"""A secure/insecure dev set in SVEN's format from the examples of CodeQL's security query help (MIT),
for issue 17's second kind of data, secure and insecure implementations of the same task, in every
language CodeQL and the rule pack share.

Each security query of CodeQL (`<lang>/ql/src/Security.../CWE-NNN/*.qhelp`, Ruby's
`queries/security/cwe-NNN/`) explains its weakness with sample programs that the help names in order
(`<sample src="examples/ReflectedXss.js" />`), itself or in a shared part it includes (`*.inc.qhelp`). Two forms
give pairs:
- **Two files**, the flawed one and its fix, told apart by the last marker word of the file's name
  (`ReflectedXssGood.js`, `UnsafeDeserializationBad.cs`, `ExposedSystemDataCorrect.cpp`; a sample with
  no marker is the flawed one when it is the help's only unmarked sample). Each fix is paired with each
  flawed file; the row holds the whole files.
- **One file with both**, each in its own function, told apart by a `BAD` or `GOOD` comment of the
  function (inside it or just above it) or else by the function's name (`command_execution_unsafe`,
  `command_execution_safe`). Each good function is paired with each bad one of the file. A file whose
  bad and good code share one function (blocks of one `main`) gives no row.
Comments are removed from every side (they name the flaw and the fix). The row's CWE is the query's
directory. Rows are split by a hash of the two sides (0-7 train, 8-f val) before anything is scanned.
Read from git mirrors (no work tree), each named as on GitHub and at a commit if given (default HEAD):

    python bench/codeql_examples_devset.py --out DIR REPO_DIR:OWNER/NAME[@REV] ...

Sources used in bench/RESULTS.md, all MIT: Semmle/ql (github/codeql before its rename, C/C++, C#,
Java, JavaScript, Python), github/codeql-go at 2471d3c4 (its last commit before the move into
github/codeql), and github/codeql's Ruby query help and samples, read file by file from the stored
index into a local repository (github/codeql itself is over the mirror size limit).
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import itertools
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import FUNCTION_NODES, comment_nodes, git, text_without_comments, write_splits  # noqa: E402
from transforms.grammars import parser_for  # noqa: E402

LANGUAGE_BY_EXTENSION = {".c": "C", ".cpp": "Cpp", ".cs": "CSharp", ".go": "Go", ".java": "Java",
                         ".js": "JavaScript", ".py": "Python", ".rb": "Ruby"}
QUERY_HELP = re.compile(r"(?i)(?:^|/)Security[^/]*/(?:CWE/)?CWE-0*(\d+)[^/]*/[^/]+(?<!\.inc)\.qhelp$")
SAMPLE = re.compile(r'<sample\s+src="([^"]+)"')
INCLUDE = re.compile(r'<include\s+src="([^"]+\.inc\.qhelp)"')
# the last of these words in a name decides its role: "InsecureSQLConnectionGood" is the fix
MARKER_WORD = re.compile(r"(?i)(incorrect|insecure|unsafe|vulnerable|wrong|bad|correct|secure|safe|good|fixed|fix)")
FLAWED_WORDS = {"incorrect", "insecure", "unsafe", "vulnerable", "wrong", "bad"}
MARKER_COMMENT = re.compile(r"\b(BAD|GOOD)\b")
WITH_C = {**FUNCTION_NODES, "C": {"function_definition"}, "Cpp": {"function_definition"}}
WRAPPERS = {"decorated_definition", "export_statement"}  # a function's comment sits before these


def role_of_name(name: str) -> str | None:
    """'bad', 'good' or None, by the last marker word of a file or function name."""
    words = MARKER_WORD.findall(name)
    if not words:
        return None
    return "bad" if words[-1].lower() in FLAWED_WORDS else "good"


def file_pairs(samples: list[str]) -> list[tuple[str, str]]:
    """(flawed, fixed) paths among one help's samples, paired by their names."""
    roles = {path: role_of_name(os.path.splitext(os.path.basename(path))[0]) for path in samples}
    good = [p for p in samples if roles[p] == "good"]
    bad = [p for p in samples if roles[p] == "bad"]
    unmarked = [p for p in samples if roles[p] is None]
    if not bad and len(unmarked) == 1:
        bad = unmarked
    return [(b, g) for b, g in itertools.product(bad, good)]


def _markers(node, source: bytes) -> set[str]:
    """The BAD/GOOD words of the comments inside `node` and of those just above it."""
    comments = comment_nodes(node)
    outer = node
    while outer.parent is not None and outer.parent.type in WRAPPERS:
        outer = outer.parent
    above = outer.prev_sibling
    while above is not None and above.type.endswith("comment"):
        comments.append(above)
        above = above.prev_sibling
    return {word for c in comments
            for word in MARKER_COMMENT.findall(source[c.start_byte:c.end_byte].decode(errors="replace"))}


def marked_functions(code: str, language: str) -> tuple[list[str], list[str], bool]:
    """(bad functions, good functions, whether a function holds both), each without comments."""
    source = code.encode()
    bad, good, mixed = [], [], False
    stack = [parser_for(language).parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type not in WITH_C[language]:
            stack.extend(reversed(node.children))
            continue
        markers = _markers(node, source)
        if len(markers) == 2:
            mixed = True
            continue
        name = node.child_by_field_name("name") or node.child_by_field_name("declarator")
        role = ({"BAD": "bad", "GOOD": "good"}[markers.pop()] if markers
                else role_of_name(source[name.start_byte:name.end_byte].decode(errors="replace")) if name else None)
        if role:
            (bad if role == "bad" else good).append(text_without_comments(node, source))
    return bad, good, mixed


def _row(commit_link: str, query: str, cwe: str, language: str, file_name: str, bad: str, good: str) -> dict:
    digest = hashlib.sha256(f"{bad}\0{good}".encode()).hexdigest()
    return {"split": "train" if digest[0] in "01234567" else "val", "func_name": query,
            "func_src_before": bad, "func_src_after": good, "vul_type": f"cwe-{cwe}", "file_name": file_name,
            "language": language, "licence": "MIT", "commit_link": commit_link}


def rows_of(repo: str, name: str, rev: str = "HEAD") -> tuple[list[dict], collections.Counter]:
    commit = git(repo, "rev-parse", rev).strip()
    paths = set(git(repo, "ls-tree", "-r", "--name-only", commit).splitlines())
    rows, left_out = [], collections.Counter()
    for help_path in sorted(paths):
        match = QUERY_HELP.search(help_path)
        if not match or "experimental" in help_path.split("/"):
            continue
        cwe, query = match.group(1), os.path.splitext(os.path.basename(help_path))[0]
        folder = os.path.dirname(help_path)
        text = git(repo, "show", f"{commit}:{help_path}")
        text += "".join(git(repo, "show", f"{commit}:{os.path.normpath(os.path.join(folder, included))}")
                        for included in INCLUDE.findall(text))  # a shared part (KernelOpen.inc.qhelp) names samples too
        samples = [p for p in dict.fromkeys(os.path.normpath(os.path.join(folder, s)) for s in SAMPLE.findall(text))
                   if os.path.splitext(p)[1] in LANGUAGE_BY_EXTENSION and p in paths]
        if not samples:
            continue
        link = f"https://github.com/{name}/blob/{commit}/{help_path}"
        pairs = file_pairs(samples)
        for bad_path, good_path in pairs:
            language = LANGUAGE_BY_EXTENSION[os.path.splitext(bad_path)[1]]
            if language != LANGUAGE_BY_EXTENSION[os.path.splitext(good_path)[1]]:
                left_out["a pair in two languages"] += 1
                continue
            bad, good = (git(repo, "show", f"{commit}:{p}").encode() for p in (bad_path, good_path))
            tree_of = parser_for(language).parse
            rows.append(_row(link, query, cwe, language, os.path.basename(bad_path),
                             text_without_comments(tree_of(bad).root_node, bad),
                             text_without_comments(tree_of(good).root_node, good)))
        if pairs:
            continue
        found_pair = False
        for path in samples:
            language = LANGUAGE_BY_EXTENSION[os.path.splitext(path)[1]]
            bad, good, mixed = marked_functions(git(repo, "show", f"{commit}:{path}"), language)
            for b, g in itertools.product(bad, good):
                rows.append(_row(link, query, cwe, language, os.path.basename(path), b, g))
                found_pair = True
            if mixed and not (bad and good):
                left_out["bad and good code in one function"] += 1
        if not found_pair:
            left_out["no flawed and fixed sample told apart"] += 1
    return rows, left_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("repos", nargs="+", help="REPO_DIR:OWNER/NAME[@REV]: git mirrors of CodeQL's query repositories")
    args = parser.parse_args()
    rows, left_out = [], collections.Counter()
    for spec in args.repos:
        if not re.fullmatch(r"[^:]+:[\w.-]+/[\w.-]+(@\w+\^?)?", spec):
            parser.error(f"{spec!r} is not REPO_DIR:OWNER/NAME[@REV]")
        repo, _, named = spec.partition(":")
        name, _, rev = named.partition("@")
        found, skipped = rows_of(repo, name, rev or "HEAD")
        rows += found
        left_out.update(skipped)
    write_splits(args.out, rows, left_out)


if __name__ == "__main__":
    main()
