"""Bradley-Terry reward losses and the regularisers Themis-RM uses.

All take chosen and rejected rewards of shape (n,) and return a scalar mean.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

import torch
import torch.nn.functional as F


def bradley_terry(chosen: torch.Tensor, rejected: torch.Tensor, margin: Optional[torch.Tensor] = None) -> torch.Tensor:
    """-log sigmoid(r_c - r_r - margin): the chosen reward must beat the rejected by `margin`."""
    diff = chosen - rejected
    if margin is not None:
        diff = diff - margin
    return -F.logsigmoid(diff).mean()


def magnitude_penalty(chosen: torch.Tensor, rejected: torch.Tensor) -> torch.Tensor:
    """(|r_c| + |r_r|)^2: keeps rewards small."""
    return ((chosen.abs() + rejected.abs()) ** 2).mean()


def centering_penalty(chosen: torch.Tensor, rejected: torch.Tensor) -> torch.Tensor:
    """(r_c + r_r)^2: keeps each pair's rewards centred on zero."""
    return ((chosen + rejected) ** 2).mean()


@dataclasses.dataclass(frozen=True)
class LossWeights:
    margin_scale: float = 0.0  # margin = margin_scale * the pair's `margin` column (1.0 when absent)
    magnitude: float = 0.0
    centering: float = 0.0
    lm: float = 0.0


def reward_loss(chosen: torch.Tensor, rejected: torch.Tensor, weights: LossWeights,
                margins: Optional[torch.Tensor] = None, lm_loss: Optional[torch.Tensor] = None
                ) -> tuple[torch.Tensor, dict[str, float]]:
    """The weighted total and its parts (for progress logs)."""
    margin = weights.margin_scale * margins if weights.margin_scale and margins is not None else None
    parts = {"bt": bradley_terry(chosen, rejected, margin)}
    if weights.magnitude:
        parts["magnitude"] = weights.magnitude * magnitude_penalty(chosen, rejected)
    if weights.centering:
        parts["centering"] = weights.centering * centering_penalty(chosen, rejected)
    if weights.lm and lm_loss is not None:
        parts["lm"] = weights.lm * lm_loss
    total = sum(parts.values())
    return total, {name: float(value.detach()) for name, value in parts.items()}
