"""Code normalisation for "are these two programs the same?", on the language's tree-sitter tokens.

Comments are dropped and the whitespace between two tokens becomes one space, but a
string, character, template or regex literal is one token kept byte for byte (`' '.join`
is not `''.join`). Where a line break can end a statement (Python, Go, JavaScript, Ruby)
it is kept, and in Python, where indentation is the block structure, so is each line's
indentation: a statement moved out of a loop is another program.
"""
from __future__ import annotations

from transforms.grammars import GRAMMAR_MODULES, parser_for

# Node types whose bytes are kept whole: every grammar's literal kinds contain one of these words.
_LITERAL_WORDS = ("string", "char", "rune", "regex", "heredoc", "text_block")
_LINE_BREAKS_MATTER = frozenset({"Python", "Go", "JavaScript", "Ruby"})
_INDENTATION_MATTERS = frozenset({"Python"})


def _is_literal(node_type: str) -> bool:
    return any(word in node_type for word in _LITERAL_WORDS)


def _tokens(source: bytes, language: str) -> list[tuple[int, int, int]]:
    """(start byte, end byte, start row) of each token: leaves and whole literals, comments left out."""
    tokens: list[tuple[int, int, int]] = []
    cursor = parser_for(language).parse(source).walk()
    while True:
        node = cursor.node
        if "comment" in node.type:
            pass
        elif _is_literal(node.type) or node.child_count == 0:
            if node.end_byte > node.start_byte:
                tokens.append((node.start_byte, node.end_byte, node.start_point[0]))
        elif cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return tokens


def normalize_code(code: str, language: str) -> str:
    """Equal results mean the same program up to comments and the spacing between tokens
    (a language without a grammar: the code itself)."""
    if language not in GRAMMAR_MODULES:
        return code
    source = code.encode("utf-8")
    lines = language in _LINE_BREAKS_MATTER
    indent = language in _INDENTATION_MATTERS
    parts: list[bytes] = []
    last_row = -1
    for start, end, row in _tokens(source, language):
        if lines and parts and row > last_row:
            line_start = source.rfind(b"\n", 0, start) + 1
            parts.append(b"\n" + (source[line_start:start] if indent else b""))
        elif parts:
            parts.append(b" ")
        parts.append(source[start:end])
        last_row = row + source.count(b"\n", start, end)
    return b"".join(parts).decode("utf-8", errors="replace")
