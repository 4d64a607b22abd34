"""A goimports-like step for Go programs put together from pieces (benchmark rows: a
prompt with its imports, a solution, a test with its own `package` line and imports).

Go wants one package clause, then every import, then the declarations; it refuses an
import the file does not use. `organize_imports` makes such a file out of the pieces:
one package clause (the first one found, else `package main`), one import block with
each path once, the imports the code never names dropped, and the standard packages
the code names but never imports added (as `goimports` does), then the rest in order.
Comments and string literals are masked before anything is searched, so an `import`
or a `fmt.` inside them counts for nothing.
"""
from __future__ import annotations

import re

_LEXEMES = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|`[^`]*`|\'(?:\\.|[^\'\\\n])*\'', re.S)
_DECLARATION = re.compile(r"^package[ \t]+\w+[ \t]*$|^import[ \t]*\([^)]*\)[ \t]*$|^import[ \t]+[^\n]*$", re.M)
_SPEC = re.compile(r'(?:^|[(\s])([\w.]+[ \t]+)?"([^"\n]+)"')
_QUALIFIED = re.compile(r"(?<![.\w])([A-Za-z_]\w*)\s*\.\s*[A-Za-z_]")

# Packages a program may name without importing them (goimports' most common finds);
# the test harness's testify is one of them.
KNOWN = {p.rsplit("/", 1)[-1]: p for p in (
    "bufio", "bytes", "crypto/md5", "crypto/sha256", "errors", "fmt", "math", "math/big", "math/bits",
    "math/rand", "os", "reflect", "regexp", "sort", "strconv", "strings", "testing", "time", "unicode",
    "unicode/utf8", "github.com/stretchr/testify/assert")}


def _package_name(path: str) -> str:
    """The name a path's package is used by: its last element, less a major version (`math/rand/v2`,
    `gopkg.in/yaml.v3`)."""
    parts = path.split("/")
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts.pop()
    return re.sub(r"\.v\d+$", "", parts[-1])


def _mask(code: str) -> str:
    """Comments and literals as spaces (newlines kept): offsets stay those of `code`."""
    return _LEXEMES.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), code)


def _declares(masked: str, name: str) -> bool:
    """`name` is a variable or parameter somewhere (then `name.x` is no package use)."""
    return re.search(rf"\bvar\s+{name}\b|(?<![.\w]){name}\s*(?:,\s*\w+\s*)*:=|[(,]\s*{name}\s+[\w\[*]", masked) is not None


def organize_imports(program: str) -> str:
    """The program with one package clause and one import block at its head."""
    masked = _mask(program)
    package, specs, body, position = "", [], [], 0
    for m in _DECLARATION.finditer(masked):
        text = program[m.start():m.end()]
        if text.startswith("package"):
            package = package or text.split()[1]
        else:
            specs.extend(((alias or "").strip(), path) for alias, path in _SPEC.findall(text[len("import"):]))
        body.append(program[position:m.start()])
        position = m.end()
    body.append(program[position:])
    code = "".join(body).strip("\n") + "\n"
    masked_code = _mask(code)
    used = {name for name in _QUALIFIED.findall(masked_code)}
    kept: dict[str, str] = {}
    for alias, path in specs:
        name = alias or _package_name(path)
        if path not in kept.values() and (alias in ("_", ".") or name in used):
            kept[f"{alias} {path}" if alias else path] = path
    named = {alias or _package_name(path) for alias, path in specs if f"{alias} {path}".strip() in kept}
    for name in sorted(used - named):
        if name in KNOWN and KNOWN[name] not in kept.values() and not _declares(masked_code, name):
            kept[KNOWN[name]] = KNOWN[name]
    head = f"package {package or 'main'}\n"
    if kept:
        lines = "".join(f'\t{spec.split(" ")[0]} "{path}"\n' if " " in spec else f'\t"{path}"\n'
                        for spec, path in kept.items())
        head += f"\nimport (\n{lines})\n"
    return head + "\n" + code
