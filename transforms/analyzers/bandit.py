"""bandit (PyPI, pinned in setup.py): Python. One `bandit -f json` process per batch."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Optional, Sequence

import transforms.analyzers.base as base


class Bandit(base.Tool):
    name, languages = "bandit", frozenset({"Python"})
    install_hint = "pip install 'themis[analyzers]' (bandit)"

    def executable(self) -> Optional[str]:
        beside = Path(sys.executable).with_name("bandit")  # the venv's, like semgrep
        return str(beside) if beside.exists() else shutil.which("bandit")

    def run(self, folder: str, names: Sequence[str], timeout_s: int) -> base.Results:
        argv = [self.executable() or "bandit", "-f", "json", "-q", *names]
        output = json.loads(base.tool_output(argv, folder, 30 + timeout_s * len(names)) or "{}")
        results: base.Results = {name: ([], []) for name in names}
        for issue in output.get("results", []):
            name = Path(issue["filename"]).name
            if name in results:
                cwe = issue.get("issue_cwe", {}).get("id")
                results[name][0].append(base.mapped(
                    self.name, issue["test_id"], f"CWE-{cwe}" if cwe else "", issue["issue_severity"],
                    int(issue["line_number"]), issue["issue_text"]))
        for error in output.get("errors", []):
            name = Path(error.get("filename", "")).name
            if name in results:
                results[name][1].append(f"bandit: {' '.join(str(error.get('reason', '')).split())[:300]}")
        return results
