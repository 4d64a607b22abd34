"""System prompts for evaluation and scoring, the same texts the label stage puts on pairs.

Evaluation has three modes: no system prompt, all five criteria, or only the
row's criterion (Themis-CodeRewardBench's `aspect`). The all-criteria order is
shuffled per row id, as in the training data.
"""
from __future__ import annotations

from transforms.system_prompts import CRITERIA, system_prompt as labelled_prompt

MODES: tuple[str, ...] = ("none", "all", "criterion")


def criterion_prompt(aspect: str, row_id: str = "") -> str:
    """The judge prompt naming only `aspect`."""
    return labelled_prompt(row_id, aspect, none=0.0, single=1.0)


def system_prompt(mode: str, aspect: str, row_id: str = "") -> str:
    """The system prompt for an evaluation `mode` ('none', 'all', 'criterion')."""
    if mode == "none":
        return ""
    if mode not in MODES:
        raise ValueError(f"unknown system-prompt mode {mode!r}; expected one of {', '.join(MODES)}")
    if aspect not in CRITERIA:
        raise ValueError(f"unknown criterion {aspect!r}; expected one of {', '.join(CRITERIA)}")
    return labelled_prompt(row_id, aspect, none=0.0, single=1.0 if mode == "criterion" else 0.0)
