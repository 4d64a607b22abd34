"""Code normalisation for "are these two programs the same?": comments and
whitespace removed.

Comments are found with the language's tree-sitter grammar, so comment markers
inside string literals are left alone. Whitespace runs are dropped, except one
space between two word characters (`return x` must not become `returnx`).
"""
from __future__ import annotations

import re

from transforms.grammars import GRAMMAR_MODULES, parser_for

_WHITESPACE = re.compile(r"\s+")
_SPACE_NEXT_TO_SYMBOL = re.compile(r" (?=\W)|(?<=\W) ")


def strip_comments(code: str, language: str) -> str:
    """The code with every comment node removed (unchanged for a language without a grammar)."""
    if language not in GRAMMAR_MODULES:
        return code
    source = code.encode("utf-8")
    spans: list[tuple[int, int]] = []
    cursor = parser_for(language).parse(source).walk()
    while True:
        node = cursor.node
        if "comment" in node.type:
            spans.append((node.start_byte, node.end_byte))
        elif cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return _cut(source, spans).decode("utf-8", errors="replace")


def _cut(source: bytes, spans: list[tuple[int, int]]) -> bytes:
    kept, position = [], 0
    for start, end in spans:
        kept.append(source[position:start])
        kept.append(b" ")
        position = end
    kept.append(source[position:])
    return b"".join(kept)


def normalize_code(code: str, language: str) -> str:
    """Comments and insignificant whitespace removed: equal results mean the same program."""
    collapsed = _WHITESPACE.sub(" ", strip_comments(code, language)).strip()
    return _SPACE_NEXT_TO_SYMBOL.sub("", collapsed)
