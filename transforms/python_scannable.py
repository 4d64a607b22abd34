"""Python text as the scanners can read it, for scanning only (never executed), on the same lines.

- Python 3.12 (PEP 701) lets a replacement field reuse the f-string's own quote:
  `f'rows: {', '.join(names)}'`. bandit parses with the Python it runs under, and before 3.12 that
  rejects the whole file, so bandit is not heard on any pair with such a line (semgrep's own parser
  reads it). Such a nested string gets the other quote character; code that needs more than a quote
  swap (a nested string holding both quote characters, a backslash in a field) is left as it is.
- semgrep's taint engine drops taint at a slice (semgrep/semgrep#6203, open; propagators cannot
  restore it): `token = header[7:]` of a request header is clean to it. A slice's colons become an
  index's commas or spaces (`header[7,]`, `name[ 8]`, `path[0]` for `path[:]`), which keeps the
  taint, no rule looks for a slice, and a walrus (`a[b:=c]`) is left alone.

Every character stays where it was, so findings point at the right line and column; text that
would not parse afterwards is returned as it came.
"""
from __future__ import annotations

import io
import keyword
import re
import tokenize
from typing import Optional

from transforms.python_parse import parse_python

PREFIX = re.compile(r"(?<![\w])([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
OTHER = {"'": '"', '"': "'"}


def scannable_python(code: str) -> str:
    if not _parses(code):  # parsed once here; each rewrite checks only its own output
        rewritten = _fstring_quotes(code)
        if rewritten is None:
            return code
        code = rewritten
    return _index_slices(code)


def _fstring_quotes(code: str) -> Optional[str]:
    """`code` (which does not parse) with nested f-string quotes swapped, or None when that does not make it parse."""
    chars = list(code)
    position = 0
    while (start := _skip_to_string(code, position)) is not None:
        end = _string(code, start, chars)
        if end is None:
            return None
        position = end
    rewritten = "".join(chars)
    return rewritten if _parses(rewritten) else None


def _parses(code: str) -> bool:
    try:
        parse_python(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _skip_to_string(code: str, position: int) -> Optional[re.Match]:
    """The next string literal at or after `position` (the end of the one before), skipping comments."""
    while (match := PREFIX.search(code, position)) is not None:
        line_start = code.rfind("\n", 0, match.start()) + 1
        if code.rfind("#", max(position, line_start), match.start()) == -1:
            return match
        position = code.find("\n", match.start())
        if position == -1:
            return None
    return None


def _string(code: str, match: re.Match, chars: list[str], outer_quote: str = "") -> Optional[int]:
    """Walk the string literal `match` starts; returns the index just past it (None when it does not
    end). A nested string using `outer_quote` (the enclosing f-string's quote) gets the other quote
    in `chars`."""
    prefix, quote = match.group(1), match.group(2)
    i = match.end()
    if quote == outer_quote:
        chars[match.end() - 1] = OTHER[quote]
    is_f = "f" in prefix.lower()
    while i < len(code):
        c = code[i]
        if c == "\\":  # an escaped character (a raw string's \' does not end it either)
            i += 2
            continue
        if code.startswith(quote, i):
            if quote == outer_quote:
                chars[i] = OTHER[quote]
            return i + len(quote)
        if len(quote) == 1 and c == "\n":
            return None
        if is_f and c == "{":
            if code.startswith("{{", i):
                i += 2
                continue
            i = _field(code, i + 1, chars, quote)
            if i is None:
                return None
            continue
        if quote == outer_quote and c == OTHER[quote]:
            return None  # the swap would end the string early
        i += 1
    return None


def _field(code: str, i: int, chars: list[str], quote: str) -> Optional[int]:
    """Walk a replacement field from just after its `{`; returns the index just past its `}`."""
    depth = 0
    while i < len(code):
        c = code[i]
        if c in "([{":
            depth += 1
        elif c in ")]" or (c == "}" and depth > 0):
            depth -= 1
        elif c == "}":
            return i + 1
        elif c == "\\" or (c == "\n" and len(quote) == 1):
            return None
        elif c == ":" and depth == 0:  # a format spec: literal text that may hold nested fields
            i += 1
            while i < len(code) and code[i] != "}":
                if code[i] == "{":
                    i = _field(code, i + 1, chars, quote)
                    if i is None:
                        return None
                    continue
                i += 1
            return i + 1 if i < len(code) else None
        elif (match := PREFIX.match(code, i)) is not None:
            end = _string(code, match, chars, quote if len(quote) == 1 else "")
            if end is None:
                return None
            i = end
            continue
        i += 1
    return None


def _index_slices(code: str) -> str:
    """`code` (which parses) with its slices read as indexes."""
    if ":" not in code:
        return code
    lines = code.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    chars = list(code)
    stack: list[dict] = []  # one per open bracket: a subscript's colons and whether its part so far is empty
    previous = None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return code
    for token in tokens:
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        at = starts[token.start[0] - 1] + token.start[1]
        text = token.string
        top = stack[-1] if stack else None
        if text in ("(", "[", "{"):
            subscript = text == "[" and previous is not None and (
                previous.string in (")", "]", "}") or previous.type == tokenize.STRING
                or (previous.type == tokenize.NAME and not keyword.iskeyword(previous.string)))
            if top is not None:
                top["empty"] = top["blank"] = False
            stack.append({"subscript": subscript, "colons": [], "empty": True, "blank": True, "lambdas": 0})
        elif text in (")", "]", "}"):
            if top is not None and top["subscript"] and top["colons"] and top["blank"]:
                chars[top["colons"][0]] = "0"  # a[:] -> a[0]: an index must hold something
            if stack:
                stack.pop()
            if stack:
                stack[-1]["empty"] = stack[-1]["blank"] = False
        elif top is not None and text == "lambda":
            top["lambdas"] += 1
            top["empty"] = top["blank"] = False
        elif top is not None and top["lambdas"] and text == ":":  # a lambda's own colon
            top["lambdas"] -= 1
        elif top is not None and top["subscript"] and text == ":":
            chars[at] = " " if top["empty"] else ","
            top["colons"].append(at)
            top["empty"] = True
        elif top is not None and text == ",":
            top["empty"] = True
        elif top is not None:
            top["empty"] = top["blank"] = False
        previous = token
    rewritten = "".join(chars)
    return rewritten if rewritten == code or _parses(rewritten) else code
