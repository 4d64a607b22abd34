"""Tree-sitter parsers for the eight languages, from the per-language grammar wheels.

`tree-sitter-languages` is stale and `tree-sitter-language-pack` downloads grammars at
run time, so each grammar comes from its own wheel (`tree_sitter_python`, ...).
Parsers are not thread-safe: each thread gets its own, made once per language.
"""
from __future__ import annotations

import importlib
import threading

from tree_sitter import Language, Parser

GRAMMAR_MODULES: dict[str, str] = {
    "C": "tree_sitter_c",
    "Cpp": "tree_sitter_cpp",
    "CSharp": "tree_sitter_c_sharp",
    "Go": "tree_sitter_go",
    "Java": "tree_sitter_java",
    "JavaScript": "tree_sitter_javascript",
    "Python": "tree_sitter_python",
    "Ruby": "tree_sitter_ruby",
}

_local = threading.local()


class UnsupportedLanguage(ValueError):
    """A language without a bundled tree-sitter grammar."""


def parser_for(language: str) -> Parser:
    cache = getattr(_local, "parsers", None)
    if cache is None:
        cache = _local.parsers = {}
    parser = cache.get(language)
    if parser is None:
        if language not in GRAMMAR_MODULES:
            raise UnsupportedLanguage(
                f"no tree-sitter grammar for {language!r}: expected one of {', '.join(sorted(GRAMMAR_MODULES))}")
        grammar = importlib.import_module(GRAMMAR_MODULES[language]).language()
        parser = cache[language] = Parser(Language(grammar))
    return parser
