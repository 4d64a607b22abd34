"""ESLint with eslint-plugin-security and eslint-plugin-no-unsanitized: JavaScript.

A pinned local install: `transforms/analyzers/eslint/` holds package.json, package-lock.json
and the config; scripts/install_toolchains.sh copies them to ESLINT_DIR and runs `npm ci`
there, so nothing is fetched at run time. One `node eslint.js` process per batch.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Optional, Sequence

import transforms.analyzers.base as base

PACKAGE_DIR = Path(__file__).resolve().parent / "eslint"
ESLINT_DIR = Path(os.environ.get("THEMIS_ESLINT_DIR", "/opt/themis/eslint"))


def _entry() -> Path:
    return ESLINT_DIR / "node_modules" / "eslint" / "bin" / "eslint.js"


class Eslint(base.Tool):
    name, languages = "eslint", frozenset({"JavaScript"})
    install_hint = f"bash scripts/install_toolchains.sh (npm ci into {ESLINT_DIR}, or set THEMIS_ESLINT_DIR)"

    def missing(self) -> Optional[str]:
        if shutil.which("node") is None:
            return "node not found"
        if not _entry().exists():
            return f"no ESLint install at {ESLINT_DIR}"
        return None

    def key_parts(self) -> tuple:
        pinned = b"".join((PACKAGE_DIR / n).read_bytes() for n in ("package-lock.json", "eslint.config.mjs"))
        return hashlib.sha256(pinned).hexdigest()[:16], base.mapping_hash(self.name)

    def run(self, folder: str, names: Sequence[str], timeout_s: int) -> base.Results:
        # exit 1: problems found; 2: ESLint itself failed
        output = base.tool_output(["node", str(_entry()), "--config", str(ESLINT_DIR / "eslint.config.mjs"),
                                   "--format", "json", "--no-warn-ignored", *names],
                                  folder, 30 + timeout_s * len(names))
        results: base.Results = {name: ([], []) for name in names}
        for file in json.loads(output or "[]"):
            name = Path(file["filePath"]).name
            if name not in results:
                continue
            for message in file["messages"]:
                if message.get("fatal") or not message.get("ruleId"):
                    results[name][1].append(f"eslint: {message.get('message', '')[:300]}")
                else:
                    results[name][0].append(base.mapped(self.name, message["ruleId"], "", message["severity"],
                                                        int(message["line"]), message["message"]))
        return results
