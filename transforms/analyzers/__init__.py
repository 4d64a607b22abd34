"""The field's security analyzers beside our semgrep pack: bandit (Python), cppcheck and
flawfinder (C, C++), ESLint with the security and no-unsanitized plugins (JavaScript).

Each is optional and gives `StaticReport(analyzer=<its name>)` with findings named
`<tool>/<tool id>`, CWE and severity from `mappings.yaml`; one process per batch, offline,
stored by content (`base.py`). `ScanAnalyzers` is the Beam stage; the label merges their
findings with semgrep's (`transforms/security_merge.py`).
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional, Sequence

from apache_beam.metrics import Metrics

from schemas.records import Candidate
from transforms.analyzers.bandit import Bandit
from transforms.analyzers.base import ScanInBatches, Tool, scan_reports
from transforms.analyzers.cppcheck import Cppcheck
from transforms.analyzers.eslint import Eslint
from transforms.analyzers.flawfinder import Flawfinder
from transforms.dead_letters import Step
from transforms.store import StoreRef

TOOLS: dict[str, Tool] = {tool.name: tool for tool in (Bandit(), Cppcheck(), Flawfinder(), Eslint())}


@dataclasses.dataclass(frozen=True)
class AnalyzersConfig:
    names: tuple[str, ...] = ()  # which of TOOLS run (--analyzers)
    batch_size: int = 200  # files per tool process
    timeout_s: int = 30  # per file: a batch may run 30 s + timeout_s x files


def missing_tools(names: Iterable[str]) -> dict[str, str]:
    """name -> why it cannot run here (with what to install), for each of `names` that cannot."""
    missing = {}
    for name in names:
        why = TOOLS[name].missing()
        if why:
            missing[name] = f"{why}: {TOOLS[name].install_hint}"
    return missing


def tools_for(language: str, names: Sequence[str]) -> list[Tool]:
    return [TOOLS[n] for n in names if language in TOOLS[n].languages]


class _ScanFn(Step):
    stage, kept = "analyzers", "scanned"

    def __init__(self, config: AnalyzersConfig, store_path: Optional[StoreRef]):
        self.config, self.store_path = config, store_path
        self.with_errors = Metrics.counter("themis", "analyzers.parse_or_timeout_errors")

    def decide(self, batch: list[Candidate]) -> Iterable:
        for name in self.config.names:
            tool = TOOLS[name]
            readable = [c for c in batch if c.language in tool.languages]
            for report in scan_reports(tool, readable, self.config.batch_size, self.config.timeout_s, self.store_path):
                if report.errors:
                    self.with_errors.inc()
                yield report


class ScanAnalyzers(ScanInBatches):
    """PCollection[Candidate] -> {"reports": one StaticReport per candidate and tool that reads its
    language, "dead_letters"}. A tool's failure is in its reports' `errors`, not a dead letter."""

    def __init__(self, config: AnalyzersConfig, store_path: Optional[StoreRef] = None):
        super().__init__(_ScanFn(config, store_path), config.batch_size)
