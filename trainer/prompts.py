"""System prompts naming the criteria a reward is asked to judge.

Evaluation has three modes: no system prompt, all five criteria, or only the
row's criterion (Themis-CodeRewardBench's `aspect`).
"""
from __future__ import annotations

from schemas.records import ASPECTS

CRITERIA: dict[str, str] = {
    "Functional_Correctness": "the code does what the task asks and passes its tests",
    "Runtime_Efficiency": "the code runs fast: low CPU time for the task's inputs",
    "Memory_Efficiency": "the code uses little memory: low peak memory for the task's inputs",
    "Security_Hardness": "the code avoids security weaknesses such as injection, unsafe memory use or weak cryptography",
    "Readability_Maintainability": "the code is easy to read and change: clear names, simple structure, no needless complexity",
}
assert tuple(CRITERIA) == ASPECTS

MODES: tuple[str, ...] = ("none", "all", "criterion")


def criterion_prompt(aspect: str) -> str:
    if aspect not in CRITERIA:
        raise ValueError(f"unknown criterion {aspect!r}; expected one of {', '.join(CRITERIA)}")
    name = aspect.replace("_", " ").lower()
    return f"You judge code responses on one criterion: {name}, meaning {CRITERIA[aspect]}."


def all_criteria_prompt() -> str:
    lines = [f"- {a.replace('_', ' ').lower()}: {d}" for a, d in CRITERIA.items()]
    return "You judge code responses on these criteria:\n" + "\n".join(lines)


def system_prompt(mode: str, aspect: str = "") -> str:
    """The system prompt for an evaluation `mode` ('none', 'all', 'criterion')."""
    if mode == "none":
        return ""
    if mode == "all":
        return all_criteria_prompt()
    if mode == "criterion":
        return criterion_prompt(aspect)
    raise ValueError(f"unknown system-prompt mode {mode!r}; expected one of {', '.join(MODES)}")
