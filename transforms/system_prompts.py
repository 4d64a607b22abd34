"""System prompts for preference pairs, assigned as in Themis-CodePreference.

Each pair gets no system prompt, a judge prompt naming only its own criterion, or
a judge prompt listing all five criteria in shuffled order. Which one, and the
order, come from the pair id (and the build seed), so a rerun assigns the same
prompt to the same pair.
"""
from __future__ import annotations

import random

from schemas.records import ASPECTS, content_id

JUDGE_PREAMBLE = (
    "You are a careful reviewer of code. You will see a programming task and one candidate "
    "solution written in response to it. Score the solution according to the criteria below; "
    "a higher score means a better solution with respect to those criteria."
)

CRITERIA: dict[str, str] = {
    "Functional_Correctness": (
        "**Functional Correctness**: does the code do what the task asks, for every valid input, "
        "including edge cases? Code that passes the task's tests scores above code that fails "
        "them or does not compile."
    ),
    "Runtime_Efficiency": (
        "**Runtime Efficiency**: does the code avoid needless work, through suitable algorithms "
        "and data structures and lower time complexity? Code that runs measurably faster scores "
        "higher."
    ),
    "Memory_Efficiency": (
        "**Memory Efficiency**: does the code keep its memory footprint small, avoiding needless "
        "copies, oversized buffers and leaks? Code that needs measurably less memory scores higher."
    ),
    "Security_Hardness": (
        "**Security Hardness**: does the code resist misuse, validating input, avoiding injection, "
        "unsafe memory handling, weak cryptography and other vulnerable patterns? Code with fewer "
        "and less severe weaknesses scores higher."
    ),
    "Readability_Maintainability": (
        "**Readability and Maintainability**: is the code easy to read and change, with clear "
        "names, simple control flow, small functions and consistent style? Clearer code scores higher."
    ),
}
assert tuple(CRITERIA) == ASPECTS


class SystemPromptError(ValueError):
    """Probabilities that do not describe a distribution."""


def check_probabilities(none: float, single: float) -> None:
    if not (0.0 <= none <= 1.0 and 0.0 <= single <= 1.0 and none + single <= 1.0 + 1e-9):
        raise SystemPromptError(
            f"system prompt probabilities none={none} and single={single} must each lie in [0, 1] "
            "and sum to at most 1 (the rest is the all-criteria prompt); fix --system_prompt_none "
            "or --system_prompt_single")


def system_prompt_kind(pair_id: str, none: float, single: float, seed: int = 0) -> str:
    """'none', 'single' or 'all', drawn deterministically from the pair id."""
    check_probabilities(none, single)
    draw = _uniform(content_id("system_prompt", seed, pair_id))
    if draw < none:
        return "none"
    if draw < none + single:
        return "single"
    return "all"


def system_prompt(pair_id: str, aspect: str, none: float, single: float, seed: int = 0) -> str:
    """The system prompt text for one pair ('' when the draw says none)."""
    if aspect not in CRITERIA:
        raise SystemPromptError(f"unknown criterion {aspect!r}; expected one of {', '.join(CRITERIA)}")
    kind = system_prompt_kind(pair_id, none, single, seed)
    if kind == "none":
        return ""
    if kind == "single":
        criteria = [aspect]
    else:
        criteria = list(CRITERIA)
        random.Random(content_id("system_prompt_order", seed, pair_id)).shuffle(criteria)
    listed = "\n\n".join(f"{i}. {CRITERIA[name]}" for i, name in enumerate(criteria, 1))
    return f"{JUDGE_PREAMBLE}\n\n{listed}"


def _uniform(hex_digest: str) -> float:
    """A hex content id as a number in [0, 1)."""
    return int(hex_digest[:15], 16) / float(1 << 60)
