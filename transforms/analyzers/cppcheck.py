"""cppcheck (Debian): C and C++. One process per batch, results through a template, one line each."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import transforms.analyzers.base as base

SEP = "\x1f"
TEMPLATE = SEP.join(["{file}", "{line}", "{id}", "{severity}", "{cwe}", "{message}"])


class Cppcheck(base.Tool):
    name, languages = "cppcheck", frozenset({"C", "Cpp"})
    install_hint = "apt-get install cppcheck (scripts/install_toolchains.sh)"

    def run(self, folder: str, names: Sequence[str], timeout_s: int) -> base.Results:
        table = base.mappings()[self.name]
        report = os.path.join(folder, "cppcheck.out")
        base.tool_output(["cppcheck", "--enable=warning,portability", "--quiet", "--inline-suppr",
                          f"--template={TEMPLATE}", f"--output-file={report}", *names],
                         folder, 30 + timeout_s * len(names), ok_codes=(0,))
        results: base.Results = {name: ([], []) for name in names}
        text = Path(report).read_text(encoding="utf-8", errors="replace") if os.path.exists(report) else ""
        for row in text.splitlines():
            fields = row.split(SEP)
            if len(fields) != 6 or Path(fields[0]).name not in results:
                continue
            name, line, tool_id, severity, cwe, message = Path(fields[0]).name, *fields[1:]
            if tool_id in table["ignored"]:
                continue
            if tool_id in table["parse_errors"]:
                results[name][1].append(f"cppcheck {tool_id}: {message[:300]}")
                continue
            results[name][0].append(base.mapped(self.name, tool_id, f"CWE-{cwe}" if cwe not in ("", "0") else "",
                                                severity, int(line or 0), message))
        return results
