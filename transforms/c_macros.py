"""C and C++ text as semgrep can parse it, for scanning only (never executed).

semgrep parses a function without running the preprocessor, and real C code is
full of macros it cannot read: a format macro between string literals
(`"id %" PRIu32 "\\n"`), annotations such as the kernel's `__user` or PHP's
`TSRMLS_CC`, and `#if`/`#else` branches that each hold half a statement.
Where semgrep cannot parse a statement it drops it (a partial parse) or the
whole function, and the Security_Hardness label skips any pair with a parse
error. `scannable_c` rewrites only those shapes, keeping every line where it
was, so findings still point at the right line:

- directive lines (`#define` with its continuations included) become blank; a
  conditional keeps all its branches when each is balanced code outside any
  parenthesis, else only its first live one (`#if 0` keeps the `#else`);
- an identifier written next to a string literal is a string macro (C has no
  other way to put a name there) and becomes `""`;
- the annotation macros in `ANNOTATIONS` become spaces;
- a comment's tail cut off at the start of the text (`... */`) becomes spaces;
- a macro argument that is a type (`container_of(p, struct s, m)`) becomes one
  identifier (`Struct_s`);
- in C, the C++ keyword `new`, a common variable name, is renamed.
"""
from __future__ import annotations

import re

TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<char>'(?:\\.|[^'\\\n])*')
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.S | re.X)

# Macros that expand to nothing or to an attribute, from the code bases most
# vulnerability fixes come from: Linux sparse annotations, PHP's thread-safety
# arguments, Perl's interpreter arguments, export markers on function definitions.
ANNOTATIONS = frozenset({
    "__user", "__kernel", "__iomem", "__force", "__rcu", "__percpu", "__bitwise", "__must_check",
    "__always_inline", "__init", "__exit", "__initdata", "__read_mostly", "__maybe_unused", "__cold", "__weak",
    "magick_restrict", "MagickExport", "TSRMLS_CC", "TSRMLS_DC", "TSRMLS_C", "TSRMLS_D",
    "pTHX_", "aTHX_", "pTHX", "aTHX", "ZEND_API", "ZEND_FASTCALL", "PHPAPI", "R_API",
})
# Names that may stand next to a string literal in real C and C++.
STRING_NEIGHBOURS = frozenset({"return", "case", "sizeof", "else", "do", "throw", "co_return", "co_yield"})
ENCODING_PREFIXES = frozenset({"L", "u", "U", "u8", "R", "LR", "uR", "UR", "u8R"})
QUALIFIERS = frozenset({"const", "volatile", "restrict"})
BASIC_TYPES = frozenset({"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "bool", "_Bool"})
TAGS = frozenset({"struct", "union", "enum"})
# Words before `(` that do not make a call.
NOT_CALLEES = QUALIFIERS | BASIC_TYPES | TAGS | frozenset({
    "if", "while", "for", "switch", "return", "sizeof", "alignof", "_Alignof", "typeof", "__typeof__", "decltype",
    "defined", "__attribute__", "__declspec", "_Static_assert", "static_assert", "noexcept", "alignas", "operator"})
DIRECTIVE = re.compile(r"\s*#\s*(\w*)")


def scannable_c(code: str, language: str = "C") -> str:
    """`code` (C or C++) with the macro shapes semgrep cannot parse neutralised; same line count."""
    code = _resolve_conditionals(_without_cut_comment_tail(code))
    tokens = [(m.lastgroup, m.group()) for m in TOKEN.finditer(code)]
    out = [_identifier(text, _neighbour(tokens, i, -1), _neighbour(tokens, i, 1), language) if kind == "ident"
           else text for i, (kind, text) in enumerate(tokens)]
    for first, last in _type_arguments(tokens):
        written = "".join(out[first:last + 1])
        out[first:last + 1] = [written[0].upper() + re.sub(r"\W", "_", written[1:])] + [""] * (last - first)
    return "".join(out)


def _type_arguments(tokens: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """(first, last) token of each macro argument that is a type (`container_of(p, struct s, m)`,
    `va_arg(ap, char *)`, `min_t(unsigned int, a, b)`); semgrep drops the statement around one."""
    found = []
    for i, (kind, text) in enumerate(tokens):
        if text != "(" or kind != "other":
            continue
        callee = _neighbour(tokens, i, -1)
        if callee[0] != "ident" or callee[1] in NOT_CALLEES:
            continue
        arguments = _arguments(tokens, i)
        if [tokens[k][1] for a in arguments for k in a] == ["void"]:
            continue  # `f(void)` declares no parameters
        for argument in arguments:
            words = [tokens[k] for k in argument]
            if argument and _is_type(words) and "\n" not in "".join(t for _, t in tokens[argument[0]:argument[-1] + 1]):
                found.append((argument[0], argument[-1]))
    return found


def _arguments(tokens: list[tuple[str, str]], open_at: int) -> list[list[int]]:
    """Indices of the tokens (white space left out) of each argument of the call opened at `open_at`."""
    arguments: list[list[int]] = [[]]
    depth = 0
    for k in range(open_at + 1, len(tokens)):
        kind, text = tokens[k]
        if text in "([{" and kind == "other":
            depth += 1
        elif text in ")]}" and kind == "other":
            if depth == 0:
                return arguments
            depth -= 1
        elif text == "," and depth == 0:
            arguments.append([])
            continue
        if kind != "space":
            arguments[-1].append(k)
    return []  # the call is not closed in this text


def _is_type(words: list[tuple[str, str]]) -> bool:
    stars = 0
    while words and words[-1][1] == "*":
        words, stars = words[:-1], stars + 1
    qualified = False
    while words and words[0][1] in QUALIFIERS:
        words, qualified = words[1:], True
    names = [text for kind, text in words if kind == "ident"]
    if not words or len(names) != len(words):
        return False
    if all(name in BASIC_TYPES for name in names):
        return True
    if len(names) == 2:
        return names[0] in TAGS
    return len(names) == 1 and (stars > 0 or qualified)


def _neighbour(tokens: list[tuple[str, str]], i: int, step: int) -> tuple[str, str, bool]:
    """(kind, text, touching) of the nearest token that is not white space."""
    j = i + step
    touching = True
    if 0 <= j < len(tokens) and tokens[j][0] == "space":
        j += step
        touching = False
    return (*tokens[j], touching) if 0 <= j < len(tokens) else ("", "", False)


def _identifier(text: str, before: tuple[str, str, bool], after: tuple[str, str, bool], language: str) -> str:
    if text in ANNOTATIONS:
        return " " * len(text)
    is_prefix = after[2] and text in ENCODING_PREFIXES
    string_macro = before[0] == "string" or (after[0] == "string" and not is_prefix)
    if string_macro and text not in STRING_NEIGHBOURS and len(text) >= 2:
        return '""'.ljust(len(text))
    if language == "C" and text == "new":
        return "new_"
    return text


def _without_cut_comment_tail(code: str) -> str:
    end = code.find("*/")
    if end == -1 or "/*" in code[:end] or '"' in code[:end]:
        return code
    return re.sub(r"[^\n]", " ", code[:end + 2]) + code[end + 2:]


def _resolve_conditionals(code: str) -> str:
    """Blank directive lines, and the dead branches of conditionals semgrep cannot read whole.

    A conditional whose branches are each balanced statements (at parenthesis depth 0)
    keeps every branch: the code of all configurations is scanned, one after another.
    One that splits a statement or an argument list keeps only its first live branch."""
    lines = code.split("\n")
    groups = _conditional_groups(lines)
    depth = _depths_at_line_starts(code)
    dead: set[int] = set()
    for branches in groups:
        first = next((b for b in branches if not b[2]), None)
        # a branch is balanced when the depths where it starts and where it ends agree
        whole = all(depth[b + 1] == depth[e] for b, e, _ in branches) and depth[branches[0][0]][0] == 0
        for begin, end, disabled in branches:
            if disabled or (not whole and (begin, end, disabled) != first):
                dead.update(range(begin + 1, end))
    continued = False
    for n, line in enumerate(lines):
        if continued or DIRECTIVE.match(line) or n in dead:
            continued = (continued or bool(DIRECTIVE.match(line))) and line.rstrip().endswith("\\")
            lines[n] = ""
    return "\n".join(lines)


def _conditional_groups(lines: list[str]) -> list[list[tuple[int, int, bool]]]:
    """Each #if ... #endif as its branches: (directive line, next directive line, is `#if 0`)."""
    groups, open_groups = [], []
    for n, line in enumerate(lines):
        directive = DIRECTIVE.match(line)
        name = directive.group(1) if directive else ""
        if name in ("if", "ifdef", "ifndef"):
            open_groups.append([(n, re.match(r"\s*#\s*if\s+0\b", line) is not None)])
        elif name in ("elif", "else", "endif") and open_groups:
            open_groups[-1].append((n, False))
            if name == "endif":
                marks = open_groups.pop()
                groups.append([(b, e, dead) for (b, dead), (e, _) in zip(marks, marks[1:])])
    return groups


def _depths_at_line_starts(code: str) -> list[tuple[int, int]]:
    """(parentheses, braces) open where each line starts; strings and comments skipped."""
    depths, parens, braces = [(0, 0)], 0, 0
    for match in TOKEN.finditer(code):
        kind, text = match.lastgroup, match.group()
        if kind == "other":
            parens += (text == "(") - (text == ")")
            braces += (text == "{") - (text == "}")
        depths += [(parens, braces)] * text.count("\n")
    return depths
