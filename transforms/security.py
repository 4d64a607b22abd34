"""Security findings from the project's own semgrep rule pack (`transforms/rules/*.yaml`).

`scan_candidates` writes a batch of candidates to a temporary folder and runs ONE
semgrep process over it (start-up costs about 2 s, so one call per file would
dominate), offline: local rules only, `--metrics=off`, no version check.
Findings are mapped back to candidates by file name; parse errors and per-file
timeouts become the report's `errors`, never a failure of the batch.
Reports are content-addressed (analyzer + rule-pack hash + language + code) and,
with a store, cached under kind "static": a rerun or `themis regenerate` scans
nothing already scanned (batching and the store: `transforms/analyzers/base.py`,
shared with the field's analyzers). `ScanSecurity` is the Beam stage.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Optional, Sequence

import yaml
from apache_beam.metrics import Metrics

from schemas.records import Candidate, DeadLetter, Finding, StaticReport
import transforms.analyzers.base as base
from transforms.analyzers.base import EXTENSIONS, STORE_KIND, scanned_text  # noqa: F401 (scanned_text: benches)
from transforms.dead_letters import Step
from transforms.store import StoreRef

ANALYZER = "semgrep"
SCAN_VERSION = 5  # part of every report key: bump when the same scanned text and rules would be reported differently
RULES_DIR = Path(__file__).resolve().parent / "rules"
SEVERITIES = {"ERROR": "HIGH", "WARNING": "MEDIUM", "INFO": "LOW"}


class SemgrepError(RuntimeError):
    """semgrep could not run or its output could not be read; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class SecurityConfig:
    batch_size: int = 200  # files per semgrep process
    timeout_s: int = 30  # per file and rule (semgrep --timeout)


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yaml"))


@functools.lru_cache(maxsize=1)
def rule_pack_hash() -> str:
    """sha256 over the rule files' names and contents: part of every report key."""
    digest = hashlib.sha256()
    for path in rule_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def rule_metadata() -> dict[str, dict]:
    """rule id -> {"cwe", "severity", "message"}, read from the pack."""
    rules = {}
    for path in rule_files():
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            rules[rule["id"]] = {
                "cwe": rule["metadata"]["cwe"],
                "severity": SEVERITIES[rule["severity"]],
                "message": " ".join(rule["message"].split()),
            }
    return rules


def semgrep_executable() -> str:
    """semgrep next to this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).with_name("semgrep")
    if beside.exists():
        return str(beside)
    found = shutil.which("semgrep")
    if not found:
        raise SemgrepError("semgrep not found: `pip install semgrep` into the environment that runs the pipeline")
    return found


def run_semgrep(paths: Sequence[str], timeout_s: int, cwd: str) -> dict:
    """One semgrep process over `paths`; returns its JSON output."""
    command = [
        semgrep_executable(), "scan", "--config", str(RULES_DIR), "--json", "--quiet",
        "--metrics=off", "--disable-version-check", "--no-git-ignore", "--timeout", str(timeout_s),
        "--timeout-threshold", "0", "--max-target-bytes", "0", *paths,
    ]
    env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    try:
        proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=120 + timeout_s * len(paths))
    except subprocess.TimeoutExpired:
        raise SemgrepError(f"semgrep did not finish {len(paths)} files in time: lower --security_batch_size") from None
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise SemgrepError(f"semgrep exited {proc.returncode} without JSON output: {proc.stderr.strip()[-800:]}") from None


def _short_rule_id(check_id: str) -> str:
    # semgrep prefixes ids with the config path (`transforms.rules.python-...`); ids have no dots
    return check_id.rsplit(".", 1)[-1]


class Semgrep(base.Tool):
    """The project's rule pack. A failure of semgrep itself is a SemgrepError (the batch's
    candidates become dead letters), not a per-file error: without semgrep there is no label."""

    name, languages = ANALYZER, frozenset(EXTENSIONS)
    install_hint = "pip install semgrep"

    def missing(self) -> Optional[str]:
        try:
            semgrep_executable()
        except SemgrepError as exc:
            return str(exc)
        return None

    def key_parts(self) -> tuple:
        return str(SCAN_VERSION), rule_pack_hash()

    def run(self, folder: str, names: Sequence[str], timeout_s: int) -> base.Results:
        rules = rule_metadata()
        output = run_semgrep(names, timeout_s, folder)
        results: base.Results = {name: ([], []) for name in names}
        seen = set()
        for match in output.get("results", []):
            name = os.path.basename(match["path"])
            rule_id = _short_rule_id(match["check_id"])
            line = int(match["start"]["line"])
            if name not in results or (name, rule_id, line) in seen:
                continue  # one finding per rule and line (semgrep reports each matching sub-expression)
            seen.add((name, rule_id, line))
            meta = rules[rule_id]
            results[name][0].append(Finding(rule_id=rule_id, cwe=meta["cwe"], severity=meta["severity"],
                                            line=line, message=meta["message"]))
        for error in output.get("errors", []):
            name = os.path.basename(error.get("path") or "")
            kind = error.get("type", "error")
            kind = kind[0] if isinstance(kind, list) else kind  # e.g. ["PartialParsing", [locations]]
            text = f"{kind}: {' '.join(str(error.get('message', '')).split())[:300]}"
            if name in results:
                results[name][1].append(text)
            elif error.get("level") == "error":
                raise SemgrepError(f"semgrep failed on the rule pack: {text}")
        return results


SEMGREP = Semgrep()


def scan_candidates(candidates: Sequence[Candidate], config: SecurityConfig = SecurityConfig(),
                    store_path: Optional[StoreRef] = None) -> list[StaticReport]:
    """StaticReports (analyzer "semgrep") for `candidates`, in order; one semgrep process per batch.

    Identical code in the same language is scanned once; with `store_path` (the measurement
    store, kind "static"), reports already in the store are reused and new ones are stored.
    """
    return base.scan_reports(SEMGREP, candidates, config.batch_size, config.timeout_s, store_path)


class _ScanBatchFn(Step):
    stage, kept = "security", "scanned"

    def __init__(self, config: SecurityConfig, store_path: Optional[StoreRef]):
        self.config, self.store_path = config, store_path
        self.with_findings = Metrics.counter("themis", "security.with_findings")
        self.with_errors = Metrics.counter("themis", "security.parse_or_timeout_errors")

    def decide(self, batch: list[Candidate]) -> Iterable:
        supported = []
        for candidate in batch:
            if candidate.language in EXTENSIONS:
                supported.append(candidate)
            else:
                yield DeadLetter.of("security", "unsupported_language", candidate.to_dict(), candidate.candidate_id,
                                    f"no semgrep rules for {candidate.language}")
        try:
            reports = scan_candidates(supported, self.config, self.store_path)
        except SemgrepError as exc:
            for candidate in supported:
                yield DeadLetter.of("security", "semgrep_failed", candidate.to_dict(), candidate.candidate_id, str(exc))
            return
        for report in reports:
            if report.findings:
                self.with_findings.inc()
            if report.errors:
                self.with_errors.inc()
            yield report


class ScanSecurity(base.ScanInBatches):
    """PCollection[Candidate] -> {"reports": StaticReport(analyzer="semgrep"), "dead_letters": DeadLetter};
    `store_path`: the measurement store that caches reports (None: none)."""

    def __init__(self, config: SecurityConfig = SecurityConfig(), store_path: Optional[StoreRef] = None):
        super().__init__(_ScanBatchFn(config, store_path), config.batch_size)
