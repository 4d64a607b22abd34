"""Reward-model training, evaluation and scoring on the pipeline's preference shards.

Imports torch lazily: `import trainer` stays cheap for the pipeline, and the
Python scoring API is `trainer.score(model_dir, prompt, responses, ...)`.
"""
from __future__ import annotations

from typing import Optional, Sequence


def score(model: str, prompt: str, responses: Sequence[str], system: Optional[str] = None,
          aspect: Optional[str] = None, batch_size: int = 8) -> list[float]:
    """Rewards for `responses` to `prompt` from the reward model saved in `model`.

    `system` is the system prompt; `aspect` (a criterion name) picks that
    criterion's system prompt instead; neither means no system prompt.
    """
    from trainer.scoring import Scorer

    return Scorer(model).score(prompt, responses, system=system, aspect=aspect, batch_size=batch_size)
