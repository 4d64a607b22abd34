"""Candidates cut before their enclosing blocks close, closed for the analyzers only (never run).

Benchmark tasks often keep the closing braces of the class in the tests: every McEval and
MBXP C# candidate ends inside its class (`class Program { static int F() { ... }`, the tests
bring `static void Main() {...} }`). semgrep reads such a file as a partial parse and
tree-sitter as a syntax error, and a report with an error never decides a Security_Hardness
or Readability_Maintainability label, so no benchmark C# pair was ever labelled on either.
`close_blocks` appends the missing `}` after the last line, so every finding keeps its line.
Braces are counted as tree-sitter tokens, so a brace in a string, a character literal or a
comment does not count.
"""
from __future__ import annotations

from typing import Optional

from tree_sitter import Tree

from transforms.grammars import parser_for

BRACE_LANGUAGES = frozenset({"C", "Cpp", "CSharp", "Go", "Java", "JavaScript"})
OPENERS = frozenset({"{", "${"})  # a JavaScript template substitution `${x}` closes with a plain `}` token


def unclosed_braces(language: str, code: str, tree: Optional[Tree] = None) -> int:
    """How many `{` tokens of `code` no `}` token closes (0 when the parse has no error);
    `tree`: `code`'s parse when the caller already has it."""
    tree = tree or parser_for(language).parse(code.encode("utf-8"))
    if not tree.root_node.has_error:
        return 0
    depth, cursor = 0, tree.walk()
    while True:  # pre-order walk over every node; the braces are leaves
        node = cursor.node
        if node.child_count == 0 and not node.is_missing:
            if node.type in OPENERS:
                depth += 1
            elif node.type == "}" and depth:
                depth -= 1
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while cursor.goto_parent():
            if cursor.goto_next_sibling():
                break
        else:
            return depth


def close_blocks(language: str, code: str, tree: Optional[Tree] = None) -> str:
    """`code` with a line of the missing closing braces appended, or unchanged."""
    missing = unclosed_braces(language, code, tree) if language in BRACE_LANGUAGES else 0
    return code if not missing else code.rstrip("\n") + "\n" + "}" * missing + "\n"
