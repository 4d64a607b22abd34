"""What every security analyzer shares: batching, content-addressed reports in the store, the
files each tool reads, and the mapping of a tool's ids to CWE and our severities.

A tool (`Tool`) only knows how to run itself once over a folder of files and read its output;
`scan_reports` writes each batch of candidates to a temporary folder, runs the tool ONE time
per batch (start-up costs dominate one call per file), and keys each report by content
(tool name, its version, rules and mapping, language, code) so the store (kind "static") scans nothing twice.
A tool that crashes or runs out of time on a batch leaves the error in every file's `errors`,
never a failure of the build: the label then does not hear that tool on those files.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path
from typing import Optional, Sequence

import apache_beam as beam
import yaml

from schemas.records import Candidate, Finding, StaticReport, content_id
from transforms.c_macros import scannable_c
from transforms.go_slices import scannable_go
from transforms.python_scannable import scannable_python
from transforms.dead_letters import Routed, Step
from transforms.store import StoreRef, open_store
from transforms.unclosed_blocks import close_blocks

STORE_KIND = "static"
TEXT_VERSION = 6  # of `scanned_text`, part of every tool's report key: the same code is read differently
MAPPINGS_FILE = Path(__file__).resolve().parent / "mappings.yaml"
EXTENSIONS = {
    "C": ".c", "Cpp": ".cpp", "CSharp": ".cs", "Go": ".go", "Java": ".java",
    "JavaScript": ".js", "Python": ".py", "Ruby": ".rb",
}
# file name -> (findings, errors)
Results = dict[str, tuple[list[Finding], list[str]]]


class AnalyzerError(RuntimeError):
    """A tool could not run or its output could not be read; the message says what to do."""


class Tool:
    """One analyzer: its name, the languages it reads, and one run over a folder of files."""

    name: str = ""
    languages: frozenset = frozenset()
    install_hint: str = ""

    def executable(self) -> Optional[str]:
        """The tool's command, found on PATH by its name unless the tool says otherwise."""
        return shutil.which(self.name)

    def missing(self) -> Optional[str]:
        """None when the tool can run here, else why not."""
        return None if self.executable() else f"{self.name} not found"

    def key_parts(self) -> tuple:
        """Everything besides the code that changes what the tool reports (version, rules, mapping):
        part of every report key."""
        return first_line((self.executable() or self.name, "--version")), mapping_hash(self.name)

    def run(self, folder: str, names: Sequence[str], timeout_s: int) -> Results:
        """Run once over `names` (files in `folder`); {name: (findings, errors)} for each name."""
        raise NotImplementedError


def scanned_text(language: str, code: str) -> str:
    """What the tools read for `code`, on the same lines. An indented Python method (a mined
    commit's function) parses as nothing, so Python is dedented and its 3.12 f-strings and slices
    rewritten (`python_scannable`), and so are Go's slices (`go_slices`); C and C++ lose the macro
    shapes parsers cannot read (`c_macros`); blocks left open get their closing braces
    (`unclosed_blocks`). Bump TEXT_VERSION when this changes."""
    if language == "Python":
        return scannable_python(textwrap.dedent(code))
    if language in ("C", "Cpp"):
        code = scannable_c(code, language)
    if language == "Go":
        code = scannable_go(code)
    return close_blocks(language, code)


def tool_output(argv: Sequence[str], cwd: str, timeout_s: float, ok_codes: Sequence[int] = (0, 1)) -> str:
    """stdout of one tool process; AnalyzerError when it cannot start, times out, or crashes."""
    try:
        done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout_s)
    except FileNotFoundError:
        raise AnalyzerError(f"{argv[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise AnalyzerError(f"{Path(argv[0]).name} did not finish in {timeout_s:.0f} s") from None
    if done.returncode not in ok_codes:
        raise AnalyzerError(f"{Path(argv[0]).name} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return done.stdout


@functools.lru_cache(maxsize=None)  # a tool's version, asked once per process (it is in every report key)
def first_line(argv: tuple[str, ...]) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return ((done.stdout or done.stderr).strip().splitlines() or ["unknown"])[0]


@functools.lru_cache(maxsize=1)
def mappings() -> dict:
    """The tool-id -> CWE and severity tables (mappings.yaml)."""
    return yaml.safe_load(MAPPINGS_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def mapping_hash(tool: str) -> str:
    return hashlib.sha256(repr(sorted(mappings()[tool].items())).encode()).hexdigest()[:16]


def mapped(tool: str, tool_id: str, cwe: str, severity: str, line: int, message: str) -> Finding:
    """A Finding named `<tool>/<tool id>`: the tool's CWE and severity unless mappings.yaml overrides them
    (`rules: {id: {cwe, severity}}`), its severity word through `severities`; with `security_ids`,
    any other id is LOW."""
    table = mappings()[tool]
    override = (table.get("rules") or {}).get(tool_id, {})
    severity = override.get("severity") or table["severities"].get(str(severity), "LOW")
    if "security_ids" in table and tool_id not in table["security_ids"]:
        severity = "LOW"
    cwe = override.get("cwe") or cwe or table.get("default_cwe", "CWE-710")
    return Finding(rule_id=f"{tool}/{tool_id}", cwe=cwe, severity=severity, line=line,
                   message=" ".join(message.split())[:300])


def report_key(tool: Tool, language: str, code: str, parts: Optional[tuple] = None) -> str:
    """The store key of `tool`'s report on `code`; `parts`: `tool.key_parts()` when already asked."""
    return content_id(tool.name, *(parts or tool.key_parts()), TEXT_VERSION, language, code)


def _scan_batch(tool: Tool, batch: Sequence[tuple[str, str, str]], timeout_s: int) -> dict[str, tuple]:
    """[(key, language, code)] -> {key: (findings, errors)} with one run of `tool`."""
    with tempfile.TemporaryDirectory(prefix=f"themis-{tool.name}-") as tmp:
        names = {}
        for index, (key, language, code) in enumerate(batch):
            name = f"f{index}{EXTENSIONS[language]}"
            Path(tmp, name).write_text(scanned_text(language, code), encoding="utf-8")
            names[name] = key
        try:
            results = tool.run(tmp, sorted(names), timeout_s)
        except AnalyzerError as exc:  # the whole batch: each file says why it has no findings
            results = {name: ([], [f"{tool.name} failed: {exc}"]) for name in names}
    out = {}
    for name, key in names.items():
        findings, errors = results.get(name, ([], []))
        out[key] = (sorted(findings, key=lambda f: (f.line, f.rule_id)), sorted(errors))
    return out


def scan_reports(tool: Tool, candidates: Sequence[Candidate], batch_size: int, timeout_s: int,
                 store_path: Optional[StoreRef] = None) -> list[StaticReport]:
    """StaticReports (analyzer `tool.name`) for `candidates`, in order; one tool run per batch.

    Identical code in the same language is scanned once; with `store_path` (the measurement
    store, kind "static"), reports already stored are reused and new ones are stored.
    """
    for candidate in candidates:
        if candidate.language not in tool.languages:
            raise ValueError(f"{tool.name} does not read {candidate.language!r}")
    parts = tool.key_parts()  # once per call: it may run the tool (`--version`) or read its lock file
    keys = [report_key(tool, c.language, c.code, parts) for c in candidates]
    store = open_store(store_path)
    cached = store.get_many(STORE_KIND, keys, StaticReport) if store else {}
    first_with_key = dict(zip(keys, candidates))
    pending = list({k: (k, c.language, c.code) for k, c in zip(keys, candidates) if k not in cached}.values())
    scanned: dict[str, tuple] = {}
    for start in range(0, len(pending), batch_size):
        batch = pending[start:start + batch_size]
        results = _scan_batch(tool, batch, timeout_s)
        scanned.update(results)
        if store:  # a failed run is not stored: the next build tries again
            store.put_many(STORE_KIND, [(k, report(tool.name, first_with_key[k], k, *results[k]))
                                        for k, _, _ in batch if not _failed(tool, results[k][1])])
    return [report(tool.name, c, k, *scanned[k]) if k in scanned
            else cached[k].replace(candidate_id=c.candidate_id, task_id=c.task_id)
            for k, c in zip(keys, candidates)]


def _failed(tool: Tool, errors: list[str]) -> bool:
    return any(e.startswith(f"{tool.name} failed:") for e in errors)


def report(analyzer: str, candidate: Candidate, key: str, findings: list[Finding], errors: list[str]) -> StaticReport:
    return StaticReport(candidate_id=candidate.candidate_id, task_id=candidate.task_id,
                        language=candidate.language, analyzer=analyzer, findings=list(findings),
                        errors=list(errors), report_key=key)


class ScanInBatches(beam.PTransform):
    """PCollection[Candidate] -> {"reports", "dead_letters"}: `step` decides each batch of
    `batch_size` candidates (one tool process per batch)."""

    def __init__(self, step: Step, batch_size: int):
        super().__init__()
        self.step, self.batch_size = step, batch_size

    def expand(self, candidates):
        return (
            candidates
            # fixed-size batches (flushed at bundle end): adaptive sizing would start at one
            # file per tool process, which is what batching is here to avoid
            | "Batch" >> beam.BatchElements(min_batch_size=self.batch_size, max_batch_size=self.batch_size)
            | "Scan" >> Routed(self.step, "reports")
        )
