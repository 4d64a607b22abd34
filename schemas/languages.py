"""The eight canonical language names (Themis spelling) and the aliases users write."""
from __future__ import annotations

CANONICAL_LANGUAGES: tuple[str, ...] = ("C", "CSharp", "Cpp", "Go", "Java", "JavaScript", "Python", "Ruby")

_ALIASES: dict[str, str] = {
    "c": "C",
    "csharp": "CSharp", "c#": "CSharp", "cs": "CSharp", "c-sharp": "CSharp", "c_sharp": "CSharp",
    "cpp": "Cpp", "c++": "Cpp", "cxx": "Cpp", "cc": "Cpp",
    "go": "Go", "golang": "Go",
    "java": "Java",
    "javascript": "JavaScript", "js": "JavaScript", "node": "JavaScript", "nodejs": "JavaScript",
    "python": "Python", "py": "Python", "python3": "Python",
    "ruby": "Ruby", "rb": "Ruby",
}


class LanguageError(ValueError):
    """An unknown language name."""


def canonical_language(name: str) -> str:
    """Map a language name or alias (any case) to its canonical spelling."""
    key = str(name).strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    raise LanguageError(
        f"unknown language {name!r}: expected one of {', '.join(CANONICAL_LANGUAGES)} "
        "or an alias such as c++, cpp, c#, cs, js, py, rb"
    )
