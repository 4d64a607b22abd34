"""Mine a function-level vulnerability-fix dev set from local git mirrors, in SVEN's format.

For the languages SVEN lacks (JavaScript, Ruby, Go, Java, C#), and Python beyond SVEN's projects. A commit qualifies when its
message names one of the weaknesses the rules target (XSS, SQL/command/code injection, path
traversal, SSRF, open redirect, mass assignment, prototype pollution, CSRF; weak cryptography
and exception details sent to the client only on request, `--cwe CWE-327`, `--cwe CWE-209`); the
weakness named gives the row's CWE. Each source
file of the repository's language that the commit modifies (tests excluded) is parsed before
and after with tree-sitter, and every innermost function whose text changed (same signature
line on both sides) is one row, at most PER_COMMIT per commit: `func_src_before` (vulnerable), `func_src_after` (fixed).
Rows are split by a hash of the commit, before anything is scanned: commits whose sha256
starts with 0-7 go to train.jsonl (dev: look and tune), 8-f to val.jsonl (never looked at).
The selection never reads a scan result.

    python bench/fix_devset.py [--cwe CWE-327 ...] --out DIR REPO_DIR:LANGUAGE:LICENCE:OWNER/NAME ...
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import subprocess
import sys
from typing import Optional, Sequence

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from transforms.grammars import parser_for  # noqa: E402
from transforms.sources.commits import EXTENSIONS  # noqa: E402

CWE_BY_MESSAGE = [  # first match wins: the more specific names before "injection"; 注入 = injection (Chinese-language projects)
    ("CWE-79", re.compile(r"\bxss\b|cross[- ]site scripting|html injection|script injection", re.I)),
    ("CWE-89", re.compile(r"\bsql\b.{0,20}(injection|注入)|\bsqli\b", re.I)),
    ("CWE-78", re.compile(r"command injection|shell injection|\brce\b|remote code execution|命令注入", re.I)),
    ("CWE-22", re.compile(r"(path|directory|archive|dir) traversal|traversal (vuln|attack|protection)|(against|prevent\w*) "
                          r"(path |directory )?traversal|zip ?slip|arbitrary (\w+ )?file (read|write)s?", re.I)),
    ("CWE-918", re.compile(r"\bssrf\b|server[- ]side request forgery", re.I)),
    ("CWE-601", re.compile(r"open redirect|unvalidated redirect|redirect vulnerab", re.I)),
    ("CWE-94", re.compile(r"code injection|template injection|\beval\b injection", re.I)),
    ("CWE-915", re.compile(r"mass[- ]assign", re.I)),
    ("CWE-1321", re.compile(r"proto(type|col)? pollution|pollut\w* .{0,20}prototype"
                            r"|\b(prevent|block|avoid|skip|ignore|exclude|guard|don'?t assign)\w*\b.{0,40}__proto__", re.I)),
    ("CWE-352", re.compile(r"\bcsrf\b|cross[- ]site request forgery", re.I)),
    # weak cryptography: a broken hash or cipher, a fast hash for passwords, predictable randomness or IVs
    ("CWE-327", re.compile(r"weak (crypto\w*|hash\w*|cipher|algorithm|random\w*)|broken or (risky|weak) crypto"
                           r"|insecure random\w*|math\.random|\b(implement|add|use|switch)\w* (secure )?password hashing\b"
                           r"|\b(md5|sha-?1)\b.{0,15}\b(with|to|by)\b.{0,20}\b(sha-?(2|256|384|512)|bcrypt|scrypt|argon2|pbkdf2)"
                           r"|\b(use|switch\w*|replace\w*|migrat\w*)\b.{0,40}\b(bcrypt|scrypt|argon2|pbkdf2|securerandom"
                           r"|randombytes)\b|\becb\b|(static|fixed|constant|hard-?coded) (iv|salt|nonce)", re.I)),
    # an exception's message or stack trace sent to the client (not one printed to a log)
    ("CWE-209", re.compile(r"\binfo(rmation)? (exposure|disclosure|leak\w*)\b.{0,40}\b(exception|error|stack ?trace|traceback)"
                           r"|\b(stack ?traces?|tracebacks?)\b.{0,20}\b(leak\w*|expos\w*|disclos\w*)"
                           r"|\b(don'?t|do not|stop|avoid|prevent|hide|remove|disable|no longer|never)\b.{0,12}\b(show|send|return"
                           r"|give|expos|leak|display|render)\w*\b.{0,30}\b(stack ?traces?|tracebacks?|exception (message|detail)s?"
                           r"|error (message|detail)s?)\b|\b(hide|remove|disable)\w*\b.{0,30}\b(stack ?traces?|tracebacks?)\b", re.I)),
]
# Mined unless --cwe says otherwise: the weaknesses of the sets built before CWE-327 was added, which
# therefore rebuild byte for byte.
DEFAULT_CWES = ("CWE-79", "CWE-89", "CWE-78", "CWE-22", "CWE-918", "CWE-601", "CWE-94", "CWE-915", "CWE-1321", "CWE-352")
GREP = {"CWE-327": "crypt|hash|md5|sha|random|cipher|ecb|salt|iv\\b|nonce", "CWE-209": "trace|exception|error|exposure|disclos|leak"}
FUNCTION_NODES = {
    "CSharp": {"method_declaration", "constructor_declaration", "local_function_statement"},
    "Go": {"function_declaration", "method_declaration"},
    "Java": {"method_declaration", "constructor_declaration"},
    "Python": {"function_definition"},
    "JavaScript": {"function_declaration", "function_expression", "arrow_function", "method_definition"},
    "Ruby": {"method", "singleton_method"},
}
TEST_PATH = re.compile(r"(^|/)(tests?|spec|__tests__|testing)/|_test\.(go|py)$|Tests?\.(java|cs)$|_spec\.rb$|\.test\.js$|(^|/)test_[^/]*\.py$"
                       r"|(^|/)tests?\.js$", re.I)
GENERATED_PATH = re.compile(r"(^|/)dist/|\.min\.js$")  # a build's output repeats (or minifies) its source
MAX_LINES = 150
PER_COMMIT = 4  # a large commit (a refactor that also fixes) must not outweigh the others


def cwe_of(message: str) -> str | None:
    return next((cwe for cwe, pattern in CWE_BY_MESSAGE if pattern.search(message)), None)


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, errors="replace").stdout


def comment_nodes(node) -> list:
    """Every comment node under a tree-sitter `node` (comment, line_comment, block_comment), in any order."""
    found, inner = [], [node]
    while inner:
        child = inner.pop()
        if child.type.endswith("comment"):
            found.append(child)
        inner.extend(child.children)
    return found


def text_without_comments(node, source: bytes) -> str:
    """The text of a tree-sitter `node` of `source` with its comments and blank lines removed."""
    text, cursor = b"", node.start_byte
    for start, end in sorted((c.start_byte, c.end_byte) for c in comment_nodes(node)):
        text, cursor = text + source[cursor:start], end
    text += source[cursor:node.end_byte]
    return "\n".join(line for line in text.decode(errors="replace").splitlines() if line.strip())


def functions(code: str, language: str) -> dict[str, str]:
    """signature line (with an occurrence count) -> function text, for every function node."""
    source = code.encode()
    tree = parser_for(language).parse(source)
    found: dict[str, str] = {}
    seen: collections.Counter = collections.Counter()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.children))
        if node.type in FUNCTION_NODES[language]:
            text = source[node.start_byte:node.end_byte].decode(errors="replace")
            head = text.splitlines()[0].strip()
            seen[head] += 1
            found[f"{head}#{seen[head]}"] = text
    return found


def changed_functions(old: str, new: str, language: str) -> list[tuple[str, str, str]]:
    """(signature, before, after) for the innermost functions whose text changed."""
    before, after = functions(old, language), functions(new, language)
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    changed = {k: (before[k], after[k]) for k in before.keys() & after.keys() if squash(before[k]) != squash(after[k])}
    innermost = [k for k, (b, _) in changed.items()
                 if not any(other != k and changed[other][0] in b for other in changed)]
    return [(k, *changed[k]) for k in sorted(innermost) if max(changed[k][0].count("\n"), changed[k][1].count("\n")) < MAX_LINES]


def scannable(text: str, language: str) -> str:
    """A JavaScript class method alone does not parse: give it its class back."""
    if language == "JavaScript" and not re.match(r"(async\s+)?function\b|\(|\w+\s*=>", text):
        return "class _ {\n" + text + "\n}"
    return text


def mine(repo: str, language: str, licence: str, name: str, cwes: Sequence[str] = DEFAULT_CWES) -> list[dict]:
    rows = []
    words = "xss|cross.site|injection|注入|traversal|ssrf|redirect|rce|sqli|mass.assign|csrf|forgery|pollut|__proto__"
    words = "|".join([words, *(GREP[cwe] for cwe in cwes if cwe in GREP)])
    log = git(repo, "log", "--no-merges", "-i", "-E", "--format=%x00%H%x01%B%x01", "--name-status", f"--grep={words}")
    for entry in log.split("\x00")[1:]:
        sha, rest = entry.split("\x01", 1)
        message, files = rest.rsplit("\x01", 1)  # a message may itself hold \x01 (apache/dolphinscheduler has one)
        cwe = cwe_of(message)
        if cwe not in cwes:
            continue
        kept = 0
        split = "train" if hashlib.sha256(sha.encode()).hexdigest()[0] in "01234567" else "val"
        for line in files.strip().splitlines():
            status, *paths = line.split("\t")
            path = paths[-1]
            if status != "M" or EXTENSIONS.get(os.path.splitext(path)[1]) != language or TEST_PATH.search(path) \
                    or GENERATED_PATH.search(path):
                continue
            old, new = git(repo, "show", f"{sha}^:{path}"), git(repo, "show", f"{sha}:{path}")
            for signature, before, after in changed_functions(old, new, language)[:PER_COMMIT - kept]:
                kept += 1
                rows.append({"split": split, "func_name": signature, "func_src_before": scannable(before, language),
                             "func_src_after": scannable(after, language), "vul_type": cwe.lower(),
                             "file_name": path, "language": language, "licence": licence,
                             "commit_link": f"https://github.com/{name}/commit/{sha}",
                             "subject": message.strip().splitlines()[0][:120]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--cwe", action="append", choices=[cwe for cwe, _ in CWE_BY_MESSAGE],
                        help="mine only fixes of this weakness (repeatable); default: " + ", ".join(DEFAULT_CWES))
    parser.add_argument("repos", nargs="+", help="REPO_DIR:LANGUAGE:LICENCE:OWNER/NAME")
    args = parser.parse_args()
    cwes = tuple(args.cwe or DEFAULT_CWES)
    rows = []
    for spec in args.repos:
        repo, language, licence, name = spec.split(":")
        if language not in FUNCTION_NODES:
            sys.exit(f"{language}: expected one of {', '.join(FUNCTION_NODES)}")
        mined = mine(repo, language, licence, name, cwes)
        print(f"{name} ({language}, {licence}): {len(mined)} functions from "
              f"{len({r['commit_link'] for r in mined})} commits")
        rows += mined
    # A fork shares its parent's history (solidus and spree), and a fix is backported to each release
    # branch under its subject (qs has nine): each fix counts once, the first kept.
    kept, seen = [], set()
    for row in rows:
        keys = {(row["func_src_before"], row["func_src_after"]),
                (row["commit_link"].split("/commit/")[0], row["subject"], row["func_name"])}
        if not keys & seen:
            kept.append(row)
        seen |= keys
    write_splits(args.out, kept)


def write_splits(out_dir: str, rows: list[dict], left_out: Optional[collections.Counter] = None) -> None:
    """train.jsonl and val.jsonl in SVEN's format, each row by its own `split`; prints the counts per CWE,
    after what the source held that was left out and why (`left_out`: reason -> count)."""
    if left_out:
        print("left out: " + ", ".join(f"{why} {n}" for why, n in sorted(left_out.items())))
    os.makedirs(out_dir, exist_ok=True)
    for split in ("train", "val"):
        with open(os.path.join(out_dir, f"{split}.jsonl"), "w", encoding="utf-8") as out:
            out.writelines(json.dumps(r) + "\n" for r in rows if r["split"] == split)
        counts = collections.Counter(r["vul_type"] for r in rows if r["split"] == split)
        print(f"{split}: {sum(counts.values())} pairs ({', '.join(f'{c} {n}' for c, n in sorted(counts.items()))})")


if __name__ == "__main__":
    main()
