"""Commit-message vocabulary: which words make a commit evidence for which criterion.

Written for this project. Each term is a phrase; every word may carry an English
inflection (s, es, ed, d, ing), so "speed up" also matches "speeds up" and
"sped"-style irregulars are listed separately. Matching is case-insensitive on
word boundaries, so "perf" does not match "perfect".
"""
from __future__ import annotations

CRITERION_TERMS: dict[str, tuple[str, ...]] = {
    "Functional_Correctness": (
        "fix bug", "bug fix", "bugfix", "fix crash", "crash", "off by one", "off-by-one",
        "wrong result", "wrong output", "incorrect", "fix overflow", "integer overflow",
        "edge case", "corner case", "regression", "null pointer", "null check", "nil check",
        "segfault", "fix error", "fix exception", "handle empty", "infinite loop",
        "fix calculation", "fix typo in condition", "miscalculation", "broken",
    ),
    "Security_Hardness": (
        "sanitize", "sanitise", "escape", "xss", "sql injection", "injection", "cve",
        "vulnerability", "vulnerable", "buffer overflow", "use after free", "double free",
        "path traversal", "csrf", "security", "secure", "insecure", "bounds check",
        "validate input", "input validation", "untrusted", "denial of service",
        "format string", "hardening", "harden",
    ),
    "Runtime_Efficiency": (
        "speed up", "speedup", "faster", "optimize", "optimise", "optimization",
        "optimisation", "performance", "perf", "slow", "quadratic", "complexity",
        "memoize", "memoise", "latency", "hot path", "fast path", "avoid recomputation",
        "reduce time", "runtime",
    ),
    "Memory_Efficiency": (
        "reduce memory", "memory usage", "memory footprint", "memory consumption",
        "memory leak", "leak", "less memory", "allocation", "fewer allocation",
        "out of memory", "oom", "reduce allocation", "preallocate", "buffer reuse",
    ),
    "Readability_Maintainability": (
        "refactor", "rename", "clean up", "cleanup", "simplify", "readability",
        "readable", "tidy", "restructure", "extract method", "extract function",
        "dead code", "remove unused", "lint", "code style", "reorganize", "reorganise",
        "improve naming", "document",
    ),
}

# Messages that say nothing about the change: the whole message (stripped, lower
# case, trailing punctuation removed) equal to one of these drops the commit.
TRIVIAL_MESSAGES: frozenset[str] = frozenset({
    "initial commit", "first commit", "init", "initial", "wip", "work in progress",
    "update", "updates", "updated", "update readme", "update readme.md", "readme",
    "fix", "fixes", "fixed", "minor", "minor fix", "minor fixes", "minor changes",
    "changes", "small changes", "cleanup", "typo", "fix typo", "commit", "save",
    "test", "tests", "temp", "tmp", "misc", "stuff", "asdf", "done", "merge",
    "bump version", "version bump", "release", "upload", "add files via upload",
    "update file", "."
})
