"""Scoring with a trained reward model: the engine behind `trainer.score`, eval and `themis score`.

Rewards are read exactly as Hugging Face's sequence classifier reads them (the
last non-pad token of right-padded rows), so they equal what
`AutoModelForSequenceClassification` gives for the same token ids.
"""
from __future__ import annotations

import json
import os
from typing import Optional, Sequence

import torch

from trainer.backbone import META_FILE, load_reward_model
from trainer.collate import collate
from trainer.prompts import criterion_prompt
from trainer.template import encode


class Scorer:
    def __init__(self, model_dir: str, max_length: Optional[int] = None, device: Optional[str] = None):
        meta_path = os.path.join(model_dir, META_FILE)
        meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        self.model = load_reward_model(model_dir, meta.get("backbone", "auto"), dtype=dtype, for_training=False)
        self.model.to(self.device).eval()
        self.max_length = min(max_length or meta.get("max_length") or 2048,
                              self.model.max_positions or 2048)
        self.min_response_tokens = meta.get("min_response_tokens", 64)  # truncate as in training

    @torch.no_grad()
    def score_many(self, items: Sequence[tuple[str, str, str]], batch_size: int = 8) -> list[float]:
        """Rewards for (system, prompt, response) triples, in order."""
        out: list[float] = []
        model = self.model
        for lo in range(0, len(items), batch_size):
            seqs = [encode(model.tokenizer, s, p, r, self.max_length, model.causal, self.min_response_tokens)
                    for s, p, r in items[lo: lo + batch_size]]
            batch = collate(seqs, model.tokenizer.pad_token_id, packed=False)
            batch.pop("lm_labels")
            rewards, _ = model(**{k: v.to(self.device) for k, v in batch.items()})
            out.extend(rewards.float().cpu().tolist())
        return out

    def score(self, prompt: str, responses: Sequence[str], system: Optional[str] = None,
              aspect: Optional[str] = None, batch_size: int = 8) -> list[float]:
        if system is not None and aspect is not None:
            raise ValueError("pass either system or aspect, not both")
        system_text = criterion_prompt(aspect) if aspect else (system or "")
        return self.score_many([(system_text, prompt, r) for r in responses], batch_size)
