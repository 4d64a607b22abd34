"""Go text as semgrep's taint mode can follow it through a slice, for scanning only (never executed).

semgrep's taint engine drops taint at a slice expression in Go as in Python (semgrep/semgrep#6203):
`name := r.URL.Path[len("/files/"):]`, the most common way a Go handler reads a path parameter, is
clean to it. `scannable_go` turns each slice into an index in place, which keeps the taint: a colon
before a bound becomes `+` (`p[1:n]` -> `p[1+n]`, `p[:n]` -> `p[+n]`), a colon before the closing
bracket a space (`p[1:]` -> `p[1 ]`), and `p[:]` becomes `p[0]`. semgrep's Go parser rejects an index
list (`p[1,n]`), which would put a parse error on the report. The slices are found with tree-sitter,
so strings, runes, comments, map and composite literals are never touched; every byte stays where it
was, so findings keep their lines and columns.
"""
from __future__ import annotations

from transforms.grammars import parser_for

BOUNDARY = {":", "]"}


def scannable_go(code: str) -> str:
    if ":" not in code:
        return code
    source = bytearray(code.encode())
    stack = [parser_for("Go").parse(bytes(source)).root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != "slice_expression":
            continue
        children = node.children
        bounds = [c for c in children[2:] if c.type not in ("[", "]", ":")]  # children[0] is the operand
        for i, child in enumerate(children):
            if child.type != ":":
                continue
            if not bounds:
                source[child.start_byte] = ord("0")
                break
            source[child.start_byte] = ord(" " if children[i + 1].type in BOUNDARY else "+")
    return source.decode()
