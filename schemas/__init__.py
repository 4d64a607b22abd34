"""Typed records and Arrow schemas for every stage's output.

Everything else imports from here; this package imports nothing of the project.
"""
from schemas.languages import CANONICAL_LANGUAGES, LanguageError, canonical_language
from schemas.records import (
    ASPECTS,
    ORIGINS,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
    Candidate,
    CandidateSpec,
    DeadLetter,
    Finding,
    IOCase,
    Measurement,
    PreferencePair,
    SchemaError,
    StaticReport,
    Task,
    SecurityTests,
    TestSpec,
    content_id,
)

__all__ = [
    "ASPECTS", "CANONICAL_LANGUAGES", "SCHEMA_VERSION", "Candidate", "CandidateSpec", "DeadLetter", "Finding",
    "IOCase", "LanguageError", "Measurement", "ORIGINS", "SCHEMA_VERSION_KEY", "PreferencePair", "SchemaError", "StaticReport",
    "SecurityTests", "Task", "TestSpec", "canonical_language", "content_id",
]
