"""flawfinder (Debian): C and C++ risky calls by name. One process per batch, CSV output."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Sequence

import transforms.analyzers.base as base

CWE = re.compile(r"CWE-\d+")


class Flawfinder(base.Tool):
    name, languages = "flawfinder", frozenset({"C", "Cpp"})
    install_hint = "apt-get install flawfinder (scripts/install_toolchains.sh)"

    def run(self, folder: str, names: Sequence[str], timeout_s: int) -> base.Results:
        output = base.tool_output(["flawfinder", "--csv", "--quiet", "--dataonly", *names],
                                  folder, 30 + timeout_s * len(names), ok_codes=(0,))
        results: base.Results = {name: ([], []) for name in names}
        for row in csv.DictReader(io.StringIO(output)):
            name = Path(row["File"]).name
            if name in results:
                cwe = CWE.search(row.get("CWEs") or "")
                results[name][0].append(base.mapped(
                    self.name, row["Name"], cwe.group(0) if cwe else "", row["Level"], int(row["Line"]),
                    f"{row['Category']}: {row['Warning']}"))
        return results
