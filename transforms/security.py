"""Security findings from the project's own semgrep rule pack (`transforms/rules/*.yaml`).

`scan_candidates` writes a batch of candidates to a temporary folder and runs ONE
semgrep process over it (start-up costs about 2 s, so one call per file would
dominate), offline: local rules only, `--metrics=off`, no version check.
Findings are mapped back to candidates by file name; parse errors and per-file
timeouts become the report's `errors`, never a failure of the batch.
Reports are content-addressed (analyzer + rule-pack hash + language + code) and,
with a store, cached under kind "static": a rerun or `themis regenerate` scans
nothing already scanned. `ScanSecurity` is the Beam stage.
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
import tempfile
import textwrap
from pathlib import Path
from typing import Iterable, Optional, Sequence

import apache_beam as beam
import yaml
from apache_beam.metrics import Metrics

from schemas.records import Candidate, DeadLetter, Finding, StaticReport, content_id
from transforms.c_macros import scannable_c
from transforms.dead_letters import Routed, Step
from transforms.store import Store

ANALYZER = "semgrep"
SCAN_VERSION = 5  # part of every report key: bump when the same code and rules would be scanned differently
STORE_KIND = "static"
RULES_DIR = Path(__file__).resolve().parent / "rules"
SEVERITIES = {"ERROR": "HIGH", "WARNING": "MEDIUM", "INFO": "LOW"}
EXTENSIONS = {
    "C": ".c", "Cpp": ".cpp", "CSharp": ".cs", "Go": ".go", "Java": ".java",
    "JavaScript": ".js", "Python": ".py", "Ruby": ".rb",
}


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


def report_key(language: str, code: str) -> str:
    return content_id(ANALYZER, str(SCAN_VERSION), rule_pack_hash(), language, code)


def scanned_text(language: str, code: str) -> str:
    """What semgrep reads for `code`, on the same lines. An indented Python method (a mined
    commit's function) parses as nothing and semgrep reports no findings and no error, so
    Python is dedented; C and C++ lose the macro shapes semgrep cannot parse (`c_macros`)."""
    if language == "Python":
        return textwrap.dedent(code)
    if language in ("C", "Cpp"):
        return scannable_c(code, language)
    return code


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


def _scan_batch(batch: Sequence[tuple[str, str, str]], timeout_s: int) -> dict[str, tuple[list[Finding], list[str]]]:
    """[(key, language, code)] -> {key: (findings, errors)} with one semgrep process."""
    rules = rule_metadata()
    with tempfile.TemporaryDirectory(prefix="themis-semgrep-") as tmp:
        names = {}
        for index, (key, language, code) in enumerate(batch):
            name = f"f{index}{EXTENSIONS[language]}"
            Path(tmp, name).write_text(scanned_text(language, code), encoding="utf-8")
            names[name] = key
        output = run_semgrep(sorted(names), timeout_s, tmp)
    results: dict[str, tuple[list[Finding], list[str]]] = {key: ([], []) for key in names.values()}
    seen = set()
    for match in output.get("results", []):
        key = names.get(os.path.basename(match["path"]))
        rule_id = _short_rule_id(match["check_id"])
        line = int(match["start"]["line"])
        if key is None or (key, rule_id, line) in seen:
            continue  # one finding per rule and line (semgrep reports each matching sub-expression)
        seen.add((key, rule_id, line))
        meta = rules[rule_id]
        results[key][0].append(Finding(rule_id=rule_id, cwe=meta["cwe"], severity=meta["severity"],
                                       line=line, message=meta["message"]))
    for error in output.get("errors", []):
        path = error.get("path") or ""
        key = names.get(os.path.basename(path))
        kind = error.get("type", "error")
        kind = kind[0] if isinstance(kind, list) else kind  # e.g. ["PartialParsing", [locations]]
        text = f"{kind}: {' '.join(str(error.get('message', '')).split())[:300]}"
        if key is not None:
            results[key][1].append(text)
        elif error.get("level") == "error":
            raise SemgrepError(f"semgrep failed on the rule pack: {text}")
    for findings, errors in results.values():
        findings.sort(key=lambda f: (f.line, f.rule_id))
        errors.sort()
    return results


def scan_candidates(candidates: Sequence[Candidate], config: SecurityConfig = SecurityConfig(),
                    store_path: Optional[str] = None) -> list[StaticReport]:
    """StaticReports (analyzer "semgrep") for `candidates`, in order; one semgrep process per batch.

    Identical code in the same language is scanned once; with `store_path` (the measurement
    store, kind "static"), reports already in the store are reused and new ones are stored.
    """
    for candidate in candidates:
        if candidate.language not in EXTENSIONS:
            raise ValueError(f"no semgrep rules for language {candidate.language!r}")
    keys = [report_key(c.language, c.code) for c in candidates]
    store = Store(store_path) if store_path else None
    cached = store.get_many(STORE_KIND, keys, StaticReport) if store else {}
    todo = {}
    for key, candidate in zip(keys, candidates):
        if key not in cached:
            todo.setdefault(key, (key, candidate.language, candidate.code))
    pending = list(todo.values())
    scanned: dict[str, tuple[list[Finding], list[str]]] = {}
    first_with_key = dict(zip(keys, candidates))
    for start in range(0, len(pending), config.batch_size):
        batch = pending[start:start + config.batch_size]
        batch_results = _scan_batch(batch, config.timeout_s)
        scanned.update(batch_results)
        if store:
            store.put_many(STORE_KIND, [(k, _report(first_with_key[k], k, *batch_results[k])) for k, _, _ in batch])
    reports = []
    for key, candidate in zip(keys, candidates):
        if key in scanned:
            reports.append(_report(candidate, key, *scanned[key]))
        else:  # stored under another candidate with the same code: re-address it
            reports.append(cached[key].replace(candidate_id=candidate.candidate_id, task_id=candidate.task_id))
    return reports


def _report(candidate: Candidate, key: str, findings: list[Finding], errors: list[str]) -> StaticReport:
    return StaticReport(candidate_id=candidate.candidate_id, task_id=candidate.task_id,
                        language=candidate.language, analyzer=ANALYZER, findings=list(findings),
                        errors=list(errors), report_key=key)


class _ScanBatchFn(Step):
    stage, kept = "security", "scanned"

    def __init__(self, config: SecurityConfig, store_path: Optional[str]):
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


class ScanSecurity(beam.PTransform):
    """PCollection[Candidate] -> {"reports": StaticReport(analyzer="semgrep"), "dead_letters": DeadLetter};
    `store_path`: the measurement store that caches reports (None: none)."""

    def __init__(self, config: SecurityConfig = SecurityConfig(), store_path: Optional[str] = None):
        super().__init__()
        self.config, self.store_path = config, store_path

    def expand(self, candidates):
        return (
            candidates
            # fixed-size batches (flushed at bundle end): adaptive sizing would start at one
            # file per semgrep process, which is what batching is here to avoid
            | "Batch" >> beam.BatchElements(min_batch_size=self.config.batch_size,
                                            max_batch_size=self.config.batch_size)
            | "Scan" >> Routed(_ScanBatchFn(self.config, self.store_path), "reports")
        )
