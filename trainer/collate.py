"""Batches of encoded sequences: right-padded rows, or one padding-free packed row.

A batch of n pairs holds 2n sequences, chosen ones first. `end_index` is where
each reward is read (the last token, as HF's sequence classifier does) and
`lm_labels` holds next-token targets on the chosen responses only.
"""
from __future__ import annotations

import torch

from trainer.template import Encoded


def _lm_targets(seq: Encoded, with_lm: bool) -> list[int]:
    labels = [-100] * len(seq.input_ids)
    if with_lm:
        for t in range(max(seq.response_start - 1, 0), len(seq.input_ids) - 1):
            labels[t] = seq.input_ids[t + 1]
    return labels


def collate(sequences: list[Encoded], pad_id: int, packed: bool, lm_chosen: int = 0,
            left_pad: bool = False) -> dict[str, torch.Tensor]:
    """Tensors for `sequences`; the first `lm_chosen` of them get LM targets.

    Left padding (causal LMs only) gives each row position ids that start at its
    first real token, so a reward does not depend on the padding side."""
    labels = [_lm_targets(s, i < lm_chosen) for i, s in enumerate(sequences)]
    lengths = [len(s.input_ids) for s in sequences]
    if packed:
        ends = torch.tensor(lengths).cumsum(0) - 1
        return {
            "input_ids": torch.tensor([[t for s in sequences for t in s.input_ids]]),
            "position_ids": torch.tensor([[p for n in lengths for p in range(n)]]),
            "token_type_ids": torch.tensor([[t for s in sequences for t in s.token_type_ids]]),
            "end_index": ends,
            "lm_labels": torch.tensor([[t for row in labels for t in row]]),
        }
    width = max(lengths)

    def pad(rows, value):
        if left_pad:
            return torch.tensor([[value] * (width - len(row)) + row for row in rows])
        return torch.tensor([row + [value] * (width - len(row)) for row in rows])

    batch = {
        "input_ids": pad([s.input_ids for s in sequences], pad_id),
        "attention_mask": pad([[1] * n for n in lengths], 0),
        "token_type_ids": pad([s.token_type_ids for s in sequences], 0),
        "end_index": torch.full((len(sequences),), width - 1) if left_pad else torch.tensor(lengths) - 1,
        "lm_labels": pad(labels, -100),
    }
    if left_pad:
        batch["position_ids"] = pad([list(range(n)) for n in lengths], 0)
    return batch
