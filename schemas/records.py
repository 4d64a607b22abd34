"""Typed records for every stage, with Arrow schemas derived from their type hints.

Each record is a frozen dataclass. `Record.from_dict` validates and names the bad
field (`Candidate.code: must not be empty`); `to_dict` gives plain JSON/Arrow rows;
`arrow_schema()` is what Parquet files are written with, carrying the schema
version in their metadata.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from typing import Any, ClassVar, Optional

import pyarrow as pa

from schemas.languages import LanguageError, canonical_language

SCHEMA_VERSION = "1"
SCHEMA_VERSION_KEY = b"themis.schema_version"
RECORD_TYPE_KEY = b"themis.record_type"

ASPECTS: tuple[str, ...] = (
    "Functional_Correctness",
    "Runtime_Efficiency",
    "Memory_Efficiency",
    "Security_Hardness",
    "Readability_Maintainability",
)

ORIGINS: tuple[str, ...] = (
    "reference", "buggy", "submission", "commit_old", "commit_new", "mutant", "llm",
)


class SchemaError(ValueError):
    """A record that does not match its schema; the message names the field.

    `reason` is a short machine-readable cause used for dead-letter counters:
    missing_field, wrong_type, empty, unknown_language or invalid_value.
    """

    def __init__(self, message: str, reason: str = "invalid_value"):
        super().__init__(message)
        self.reason = reason


def content_id(*parts: Any) -> str:
    """sha256 over the parts' canonical JSON: the project's content address."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _arrow_type(hint: Any) -> pa.DataType:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:  # Optional[X]
        return _arrow_type(next(a for a in args if a is not type(None)))
    if origin in (list, tuple):
        return pa.list_(_arrow_type(args[0]))
    if origin is dict:
        return pa.map_(_arrow_type(args[0]), _arrow_type(args[1]))
    if dataclasses.is_dataclass(hint):
        return pa.struct([pa.field(f.name, _arrow_type(t)) for f, t in _fields(hint)])
    return {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}[hint]


def _fields(cls: type) -> list[tuple[dataclasses.Field, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f, hints[f.name]) for f in dataclasses.fields(cls)]


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Check `value` against `hint`, converting nested dicts to records."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        if value is None:
            return None
        return _coerce(value, next(a for a in args if a is not type(None)), where)
    if value is None:
        raise SchemaError(f"{where}: is required", "missing_field")
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise SchemaError(f"{where}: expected a list, got {type(value).__name__}", "wrong_type")
        return [_coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if isinstance(value, list):  # Arrow map columns read back as [(k, v), ...]
            value = dict(value)
        if not isinstance(value, dict):
            raise SchemaError(f"{where}: expected a mapping, got {type(value).__name__}", "wrong_type")
        return {_coerce(k, args[0], where): _coerce(v, args[1], f"{where}[{k!r}]") for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
        if not isinstance(value, dict):
            raise SchemaError(f"{where}: expected an object, got {type(value).__name__}", "wrong_type")
        return hint.from_dict(value, _where=where)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise SchemaError(f"{where}: expected {hint.__name__}, got {type(value).__name__}", "wrong_type")
    return value


class Record:
    """Mixin for the dataclass records below."""

    RECORD_TYPE: ClassVar[str] = ""

    @classmethod
    def from_dict(cls, row: dict, _where: str | None = None):
        where = _where or cls.__name__
        if not isinstance(row, dict):
            raise SchemaError(f"{where}: expected an object, got {type(row).__name__}", "wrong_type")
        values = {}
        for f, hint in _fields(cls):
            has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            if row.get(f.name) is None and has_default:
                continue  # absent, or null from an Arrow struct: the field's default
            if f.name in row:
                values[f.name] = _coerce(row[f.name], hint, f"{where}.{f.name}")
            else:
                raise SchemaError(f"{where}.{f.name}: is required", "missing_field")
        record = cls(**values)
        record.validate(where)
        return record

    def validate(self, where: str) -> None:
        """Semantic checks beyond types; subclasses extend."""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    @classmethod
    def arrow_schema(cls) -> pa.Schema:
        fields = [pa.field(f.name, _arrow_type(t)) for f, t in _fields(cls)]
        return pa.schema(fields, metadata={
            SCHEMA_VERSION_KEY: SCHEMA_VERSION.encode(),
            RECORD_TYPE_KEY: cls.__name__.encode(),
        })


def _require_text(value: str, where: str) -> None:
    if not value.strip():
        raise SchemaError(f"{where}: must not be empty", "empty")


def _require_language(record, where: str) -> None:
    try:
        canonical = canonical_language(record.language)
    except LanguageError as exc:
        raise SchemaError(f"{where}.language: {exc}", "unknown_language") from None
    if canonical != record.language:
        object.__setattr__(record, "language", canonical)


@dataclasses.dataclass(frozen=True)
class IOCase(Record):
    stdin: str
    expected_stdout: str


@dataclasses.dataclass(frozen=True)
class PerfSpec(Record):
    """Performance cases, used only for runtime and memory, never for correctness: code appended to
    the solution in place of the tests (its stdout must be the same for the two sides of a pair),
    or stdin cases with their expected output. One of the two."""

    code: str = ""
    cases: list[IOCase] = dataclasses.field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.code.strip() and not self.cases

    def validate(self, where: str) -> None:
        if self.code.strip() and self.cases:
            raise SchemaError(f"{where}: give code or cases, not both")


@dataclasses.dataclass(frozen=True)
class SecurityTests(Record):
    """Exploit cases (`tests.security`): harness code appended to the solution and/or stdin cases, as
    in `tests`, that a safe program passes; `cwe` names the weakness a failing one shows."""

    __test__ = False  # not a pytest class
    code: str = ""
    cases: list[IOCase] = dataclasses.field(default_factory=list)
    cwe: str = "CWE-693"


@dataclasses.dataclass(frozen=True)
class TestSpec(Record):
    """How a task is tested: harness code appended to the solution, and/or stdin cases; `perf`:
    larger cases for runtime and memory only; `security`: exploit cases, run apart (the functional
    measurement never includes them)."""

    __test__ = False  # not a pytest class
    code: str = ""
    cases: list[IOCase] = dataclasses.field(default_factory=list)
    perf: PerfSpec = dataclasses.field(default_factory=PerfSpec)
    security: Optional[SecurityTests] = None

    @property
    def is_empty(self) -> bool:
        """Mined commits may come without tests: static criteria only."""
        return not self.code.strip() and not self.cases

    def to_dict(self) -> dict:
        row = super().to_dict()
        # measurement keys and records of tasks without perf or security cases stay what they were
        if self.perf.is_empty:
            del row["perf"]
        if self.security is None:
            del row["security"]
        return row


@dataclasses.dataclass(frozen=True)
class CandidateSpec(Record):
    """A candidate as written inside a task record."""

    code: str
    origin: str = "submission"
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)

    def validate(self, where: str) -> None:
        _require_text(self.code, f"{where}.code")
        if self.origin not in ORIGINS:
            raise SchemaError(f"{where}.origin: {self.origin!r} is not one of {', '.join(ORIGINS)}")


@dataclasses.dataclass(frozen=True)
class Task(Record):
    """One coding task with its tests and candidate solutions (the input format)."""

    RECORD_TYPE: ClassVar[str] = "task"
    task_id: str
    language: str
    prompt: str
    tests: TestSpec
    candidates: list[CandidateSpec]
    entry_point: str = ""
    source: str = ""
    subset: str = ""

    def validate(self, where: str) -> None:
        _require_text(self.task_id, f"{where}.task_id")
        _require_language(self, where)
        _require_text(self.prompt, f"{where}.prompt")
        if not self.candidates:
            raise SchemaError(f"{where}.candidates: needs at least one candidate", "empty")


@dataclasses.dataclass(frozen=True)
class Candidate(Record):
    """One complete program for a task, self-contained for execution and analysis."""

    RECORD_TYPE: ClassVar[str] = "candidate"
    candidate_id: str
    task_id: str
    language: str
    prompt: str
    code: str
    origin: str
    tests: TestSpec
    entry_point: str = ""
    source: str = ""
    subset: str = ""
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)

    def validate(self, where: str) -> None:
        _require_language(self, where)
        _require_text(self.code, f"{where}.code")

    @staticmethod
    def make_id(task_id: str, language: str, code: str) -> str:
        return content_id("candidate", task_id, language, code)


@dataclasses.dataclass(frozen=True)
class Measurement(Record):
    """What the sandbox measured for one candidate against its task's tests.

    Lists hold one value per repetition. `status` is one of STATUSES.
    """

    RECORD_TYPE: ClassVar[str] = "measurement"
    STATUSES: ClassVar[tuple[str, ...]] = (
        "ok", "test_failure", "compile_error", "runtime_error", "timeout",
        "memory_limit", "output_limit", "sandbox_error",
    )
    candidate_id: str
    task_id: str
    language: str
    status: str
    backend: str
    cpu_seconds: list[float] = dataclasses.field(default_factory=list)
    wall_seconds: list[float] = dataclasses.field(default_factory=list)
    peak_memory_bytes: list[int] = dataclasses.field(default_factory=list)
    instructions: list[int] = dataclasses.field(default_factory=list)
    exit_code: Optional[int] = None
    # cpu_seconds is the run's cgroup (every descendant); this is the launcher's rusage of the children
    # it waited for, kept as a cross-check (empty where the backend has no cgroup figure)
    rusage_cpu_seconds: list[float] = dataclasses.field(default_factory=list)
    signal: Optional[int] = None
    stdout_tail: str = ""
    stderr_tail: str = ""
    measurement_key: str = ""

    def validate(self, where: str) -> None:
        if self.status not in self.STATUSES:
            raise SchemaError(f"{where}.status: {self.status!r} is not one of {', '.join(self.STATUSES)}")


@dataclasses.dataclass(frozen=True)
class Finding(Record):
    rule_id: str
    cwe: str
    severity: str
    line: int
    message: str = ""


@dataclasses.dataclass(frozen=True)
class StaticReport(Record):
    """Static evidence for one candidate from one analyzer (`semgrep` or `tree-sitter`)."""

    RECORD_TYPE: ClassVar[str] = "static_report"
    candidate_id: str
    task_id: str
    language: str
    analyzer: str
    findings: list[Finding] = dataclasses.field(default_factory=list)
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    readability_score: Optional[float] = None
    errors: list[str] = dataclasses.field(default_factory=list)
    report_key: str = ""


@dataclasses.dataclass(frozen=True)
class PreferencePair(Record):
    """One labelled pair: Themis-CodePreference columns plus ids and evidence."""

    RECORD_TYPE: ClassVar[str] = "preference_pair"
    id: str
    system: str
    input: str
    chosen: str
    rejected: str
    language: str
    aspect: str
    subset: str
    source: str
    split: str
    task_id: str
    chosen_id: str
    rejected_id: str
    chosen_origin: str
    rejected_origin: str
    margin: float
    p_value: Optional[float] = None
    evidence: str = "{}"  # JSON: measured times, memory, findings, metric deltas

    def validate(self, where: str) -> None:
        if self.aspect not in ASPECTS:
            raise SchemaError(f"{where}.aspect: {self.aspect!r} is not one of {', '.join(ASPECTS)}")
        _require_language(self, where)


@dataclasses.dataclass(frozen=True)
class DeadLetter(Record):
    """A record that was dropped, with the stage and reason, so nothing vanishes."""

    RECORD_TYPE: ClassVar[str] = "dead_letter"
    stage: str
    reason: str
    record_id: str = ""
    detail: str = ""
    payload: str = ""  # the offending input, truncated to PAYLOAD_LIMIT characters

    PAYLOAD_LIMIT: ClassVar[int] = 4096

    @classmethod
    def of(cls, stage: str, reason: str, payload: Any = "", record_id: str = "", detail: str = "") -> "DeadLetter":
        if not isinstance(payload, str):
            payload = json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True)
        return cls(stage=stage, reason=reason, record_id=record_id, detail=detail[:2000],
                   payload=payload[: cls.PAYLOAD_LIMIT])
