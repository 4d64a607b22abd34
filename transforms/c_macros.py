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
- a directive runs on through a comment opened on its line (`#endif /* A ||`
  ... `B */`), so the lines up to the comment's end are blanked with it;
- an identifier that can only be a macro by where it stands in a declaration
  becomes spaces: before a type keyword (`local void f(`, `CONST char *p`) or
  as a third word beside a type and the declared name (`uint32_t av_unused tag;`);
- a macro call that names a type where a declaration starts or in a pointer
  cast (radare2's `Elf_(Shdr) *shdr`, OpenSSL's `STACK_OF(X509) *chain`)
  becomes one identifier;
- a GNU case range (`case 0x40 ... 0x4f:`) keeps its first value;
- a statement macro written without its semicolon on a line of its own in a
  function body (`FF_DISABLE_DEPRECATION_WARNINGS`, `D(("msg"))`) gets one;
- in C, the C++ keyword `new`, a common variable name, is renamed;
- in C, an operand holding a `<` is put in parentheses when a `>` follows it in
  the same expression: semgrep's parser takes `x < 1 || x > (n - m) / 2` for a
  template call `x<1 || x>(n - m)`, and C has no templates.
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
DIRECTIVE = re.compile(r"\s*#\s*(\w*)")
# C and C++ keywords (with C++'s spelled-out operators, and the GNU ones): never a macro,
# never a call before `(`.
KEYWORDS = QUALIFIERS | BASIC_TYPES | TAGS | frozenset({
    "if", "while", "for", "switch", "return", "sizeof", "alignof", "_Alignof", "typeof", "__typeof__", "decltype",
    "defined", "__attribute__", "__declspec", "_Static_assert", "static_assert", "noexcept", "alignas", "operator",
    "static", "extern", "inline", "register", "auto", "typedef", "thread_local", "_Thread_local", "__thread",
    "constexpr", "consteval", "constinit", "mutable", "virtual", "explicit", "friend", "typename", "template",
    "class", "namespace", "using", "new", "delete", "throw", "case", "default", "goto", "else", "do", "break",
    "continue", "co_return", "co_yield", "co_await", "public", "private", "protected", "export", "_Noreturn",
    "__inline", "__inline__", "__extension__", "__restrict", "__volatile__", "__const", "asm", "__asm__",
    "and", "or", "not", "xor", "bitand", "bitor", "compl", "and_eq", "or_eq", "xor_eq", "not_eq"})
# Keywords that start a declaration: an identifier right before one is a macro.
DECLARATION_STARTS = BASIC_TYPES | TAGS | frozenset({"static", "extern", "inline"})
DECLARATOR_ENDS = frozenset({";", "=", ",", "(", "[", ")"})
CASE_RANGE = re.compile(r"(\bcase\s[^:;\n]*?)(\s*\.\.\.\s*[^:;\n]*?)(?=\s*:)")
STATEMENT_MACRO = re.compile(r"^\s*(?P<name>[A-Z_][A-Z0-9_]*)(?P<call>\s*\(.*\))?(?P<tail>\s*(?://.*|/\*.*\*/)?\s*)$")


def scannable_c(code: str, language: str = "C") -> str:
    """`code` (C or C++) with the macro shapes semgrep cannot parse neutralised; same line count."""
    code = _resolve_conditionals(_without_cut_comment_tail(code))
    code = CASE_RANGE.sub(lambda m: m[1] + " " * len(m[2]), code)
    tokens = _tokens(code)
    significant = [i for i, (kind, _) in enumerate(tokens) if kind not in ("space", "comment")]
    out = [_identifier(text, _neighbour(tokens, i, -1), _neighbour(tokens, i, 1), language) if kind == "ident"
           else text for i, (kind, text) in enumerate(tokens)]
    for i in _declaration_macros(tokens, significant):
        out[i] = " " * len(out[i])
    for first, last in _type_arguments(tokens) + _type_macro_calls(tokens, significant):
        written = "".join(out[first:last + 1])
        if "\n" not in written:  # every line stays where it was
            out[first:last + 1] = [written[0].upper() + re.sub(r"\W", "_", written[1:])] + [""] * (last - first)
    if language == "C":
        for first, last in _comparisons_read_as_templates(tokens, significant):
            if "\n" not in "".join(out[first:last + 1]):  # the parentheses close on the line they open
                out[first], out[last] = "(" + out[first], out[last] + ")"
    # the rewrites above move no line and no bracket open where a line starts, so the
    # depths of `tokens` there are the output's
    return _terminated_statement_macros("".join(out), _depths_at_line_starts(tokens))


def _comparisons_read_as_templates(tokens: list[tuple[str, str]], at: list[int]) -> list[tuple[int, int]]:
    """(first, last) token of each operand holding a bare `<` that a bare `>` follows before its
    bracket closes or its statement ends (`x < 1 || x > (n - m) / 2`: the operand `x < 1`).
    Operands end at `&&`, `||`, `,`, `;`, `?`, `:`, an assignment, `return` or a bracket.
    `at`: the indices of the tokens that are not space or comment."""
    text = [tokens[i][1] for i in at]

    def joined(p: int, q: int) -> bool:  # two one-character tokens written as one operator
        return 0 <= p and q < len(at) and at[q] == at[p] + 1

    def bare(p: int, char: str) -> bool:
        before = joined(p - 1, p) and text[p - 1] in (("<", ">", "-", "=", "!") if char == ">" else ("<",))
        after = joined(p, p + 1) and text[p + 1] in ("=", char)
        return text[p] == char and tokens[at[p]][0] == "other" and not before and not after

    def ends_operand(p: int) -> bool:
        doubled = (joined(p, p + 1) and text[p + 1] == text[p]) or (joined(p - 1, p) and text[p - 1] == text[p])
        logical = text[p] in ("&", "|") and doubled
        comparison = (joined(p - 1, p) and text[p - 1] in ("=", "!", "<", ">")) or (joined(p, p + 1) and text[p + 1] == "=")
        assignment = text[p] == "=" and not comparison
        return logical or assignment or text[p] in (",", ";", "?", ":", "return", "{", "}")

    def operand_end(p: int, step: int) -> int:
        opening, closing = (("(", "["), (")", "]"))[::step]
        depth = 0
        while 0 <= p + step < len(at):
            q = p + step
            if text[q] in opening:
                depth += 1
            elif text[q] in closing:
                if depth == 0:
                    return p
                depth -= 1
            elif depth == 0 and ends_operand(q):
                return p
            p = q
        return p

    found = []
    for p in range(len(at)):
        if not bare(p, "<"):
            continue
        depth, q = 0, p + 1
        while q < len(at) and text[q] not in (";", "{", "}") and depth >= 0:
            depth += (text[q] in ("(", "[")) - (text[q] in (")", "]"))
            if depth == 0 and bare(q, ">"):
                found.append((at[operand_end(p, -1)], at[operand_end(p, 1)]))
                break
            q += 1
    return found


def _tokens(code: str) -> list[tuple[str, str]]:
    return [(m.lastgroup, m.group()) for m in TOKEN.finditer(code)]


def _declaration_macros(tokens: list[tuple[str, str]], significant: list[int]) -> set[int]:
    """Identifiers that can only be macros by where they stand in a declaration: right
    before a type keyword (`local void f(`, `CONST char *p`, `STATIC INLINE int`), or
    a third word on one line with a type and the declared name (`uint32_t av_unused tag;`,
    `zend_bool persistent ZEND_FILE_LINE_DC)`)."""
    at = [i for i in significant if tokens[i][1] not in ANNOTATIONS]  # blanked already
    words = [tokens[i][1] if tokens[i][0] == "ident" and tokens[i][1] not in KEYWORDS else None for i in at]
    found: set[int] = set()
    for p in reversed(range(len(at) - 1)):
        if words[p] and (tokens[at[p + 1]][1] in DECLARATION_STARTS or at[p + 1] in found):
            found.add(at[p])
    for p in range(len(at) - 3):
        if (all(words[p:p + 3]) and not found & set(at[p:p + 3]) and tokens[at[p + 3]][1] in DECLARATOR_ENDS
                and "\n" not in "".join(text for _, text in tokens[at[p]:at[p + 2]])):
            # a trailing macro is written in capitals (`zend_bool persistent ZEND_FILE_LINE_DC)`)
            found.add(at[p + 2] if words[p + 2].isupper() else at[p + 1])
    return found


def _type_macro_calls(tokens: list[tuple[str, str]], at: list[int]) -> list[tuple[int, int]]:
    """(first, last) token of each macro call that names a type where a declaration starts
    (`Elf_(Shdr) *shdr`, `STACK_OF(X509) *chain = ...;`), at a statement's start or in a
    parameter list outside any function body, or in a pointer cast (`(Elf_(Sym) *)p`).
    No expression has those shapes. `at`: the indices of the tokens that are not space or comment."""
    text = [tokens[i][1] for i in at]
    kinds = [tokens[i][0] for i in at]
    found, braces = [], 0
    for p in range(len(at)):
        braces += (text[p] == "{") - (text[p] == "}")
        if not (kinds[p] == "ident" and text[p] not in KEYWORDS and text[p + 1:p + 2] == ["("]
                and kinds[p + 2:p + 3] == ["ident"] and text[p + 3:p + 4] == [")"]):
            continue
        q = p + 4
        while q < len(at) and text[q] == "*":
            q += 1
        before = text[p - 1] if p else ";"
        starts = before in (";", "{", "}") or (before in ("(", ",") and braces == 0)
        declaration = starts and q + 1 < len(at) and kinds[q] == "ident" and text[q + 1] in DECLARATOR_ENDS
        cast = before == "(" and q > p + 4 and text[q:q + 1] == [")"]
        if declaration or cast:
            found.append((at[p], at[p + 3]))
    return found


def _terminated_statement_macros(code: str, depth: list[tuple[int, int]]) -> str:
    """A statement macro alone on a line of a function body without its semicolon
    (`FF_DISABLE_DEPRECATION_WARNINGS`, `D(("msg"))`) gets one, so the next statement parses.

    Only between statements: the line before ends one (`;`, a brace, a label, an `if (...)`,
    `else`, `do`) and the line after starts one, so an enum member or an operand of a
    multi-line expression is never taken for a statement. `depth`: (parentheses, braces) open
    where each line starts."""
    lines = code.split("\n")
    code_lines = [n for n, line in enumerate(lines) if line.strip()]
    for k, n in enumerate(code_lines[1:-1], start=1):
        macro = STATEMENT_MACRO.match(lines[n])
        if not macro or depth[n][0] != 0 or depth[n][1] < 1 or not re.search(r"[A-Z]", macro["name"]):
            continue
        before = re.sub(r"\s*(//.*|/\*.*\*/)\s*$", "", lines[code_lines[k - 1]])
        after = lines[code_lines[k + 1]].lstrip()
        ends_statement = before.endswith((";", "{", "}", ":", ")")) or re.search(r"\b(else|do)$", before)
        starts_statement = re.match(r"[A-Za-z_(]" if not macro["call"] else r"[A-Za-z_(}]", after)
        if ends_statement and starts_statement:
            if macro["call"]:
                lines[n] = lines[n][:macro.end("call")] + ";" + lines[n][macro.end("call"):]
            else:
                lines[n] = lines[n][:macro.start("name")] + ";".ljust(len(macro["name"])) + lines[n][macro.end("name"):]
    return "\n".join(lines)


def _type_arguments(tokens: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """(first, last) token of each macro argument that is a type (`container_of(p, struct s, m)`,
    `va_arg(ap, char *)`, `min_t(unsigned int, a, b)`); semgrep drops the statement around one."""
    found = []
    for i, (kind, text) in enumerate(tokens):
        if text != "(" or kind != "other":
            continue
        callee = _neighbour(tokens, i, -1)
        if callee[0] != "ident" or callee[1] in KEYWORDS:
            continue
        arguments = _arguments(tokens, i)
        if [tokens[k][1] for a in arguments for k in a] == ["void"]:
            continue  # `f(void)` declares no parameters
        for argument in arguments:
            words = [tokens[k] for k in argument]
            if argument and _is_type(words):
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
    depth = _depths_at_line_starts(_tokens(code))
    dead: set[int] = set()
    for branches in groups:
        first = next((b for b in branches if not b[2]), None)
        # a branch is balanced when the depths where it starts and where it ends agree
        whole = all(depth[b + 1] == depth[e] for b, e, _ in branches) and depth[branches[0][0]][0] == 0
        for begin, end, disabled in branches:
            if disabled or (not whole and (begin, end, disabled) != first):
                dead.update(range(begin + 1, end))
    continued = in_comment = False
    for n, line in enumerate(lines):
        directive = continued or in_comment or bool(DIRECTIVE.match(line))
        # a comment opened on a directive line runs on, and the directive with it to the end
        # of the line where the comment closes
        in_comment = "*/" not in line if in_comment else directive and _opens_comment(line)
        continued = directive and line.rstrip().endswith("\\")
        if directive or n in dead:
            lines[n] = ""
    return "\n".join(lines)


def _opens_comment(line: str) -> bool:
    """Whether `line` ends inside a `/*` comment (strings and `//` comments skipped)."""
    kinds = _tokens(line)
    return any(a == ("other", "/") and b == ("other", "*") for a, b in zip(kinds, kinds[1:]))


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


def _depths_at_line_starts(tokens: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """(parentheses, braces) open where each line starts; strings and comments skipped."""
    depths, parens, braces = [(0, 0)], 0, 0
    for kind, text in tokens:
        if kind == "other":
            parens += (text == "(") - (text == ")")
            braces += (text == "{") - (text == "}")
        depths += [(parens, braces)] * text.count("\n")
    return depths
