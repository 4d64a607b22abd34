"""Reward models: a causal LM with a zero-initialised scalar head, or an encoder classifier.

Either way the trainable object wraps a Hugging Face `*ForSequenceClassification`
with `num_labels=1`, so `save` writes a checkpoint that
`AutoModelForSequenceClassification.from_pretrained` loads and that gives the same
rewards. For a causal LM the pretrained `lm_head` is kept beside it (sharing the
backbone) for LM regularisation on the chosen response; it is not saved.
"""
from __future__ import annotations

import importlib.util
import json
import os
from typing import Optional

import torch
from torch import nn

from trainer.resolve import position_limit, resolve_model
from trainer.template import ensure_chat_tokenizer

META_FILE = "themis_reward.json"
CAUSAL_SUFFIXES = ("ForCausalLM", "LMHeadModel")


def detect_backbone(config) -> str:
    """'causal' or 'encoder', from the checkpoint's recorded kind or its architecture."""
    kind = getattr(config, "themis_backbone", None)
    if kind:
        return kind
    arches = config.architectures or []
    if any(a.endswith(CAUSAL_SUFFIXES) for a in arches) or getattr(config, "is_decoder", False):
        return "causal"
    return "encoder"


def attention_implementation() -> str:
    """FlashAttention 2 on CUDA when installed (it also makes packed rows attend per sequence)."""
    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return "sdpa"


def _apply_liger(model) -> None:
    # Liger's fused kernels (RMSNorm, SwiGLU, RoPE) need Triton on CUDA; skipped elsewhere.
    if torch.cuda.is_available() and importlib.util.find_spec("liger_kernel") is not None:
        from liger_kernel.transformers import _apply_liger_kernel_to_instance

        _apply_liger_kernel_to_instance(model=model)


class RewardModel(nn.Module):
    def __init__(self, classifier, tokenizer, kind: str, lm_head: Optional[nn.Module] = None):
        super().__init__()
        self.classifier = classifier
        self.tokenizer = tokenizer
        self.kind = kind
        self.lm_head = lm_head
        # FSDP's transformer-based wrap policy reads the layer classes from here.
        self._no_split_modules = getattr(classifier, "_no_split_modules", None)

    @property
    def max_positions(self) -> int:
        """The longest sequence the backbone takes (0: no limit known)."""
        return position_limit(self.classifier.config)

    @property
    def flash_attention(self) -> bool:
        return getattr(self.classifier.config, "_attn_implementation", "") == "flash_attention_2"

    def packs(self, requested: Optional[bool]) -> bool:
        """Whether micro-batches are packed: causal LMs only, by default under FlashAttention 2."""
        return self.causal and (self.flash_attention if requested is None else requested)

    @property
    def causal(self) -> bool:
        return self.kind == "causal"

    @property
    def backbone(self) -> nn.Module:
        return getattr(self.classifier, self.classifier.base_model_prefix)

    @property
    def head(self) -> nn.Module:
        """The scalar head: `score` (causal LMs) or `classifier` (encoders)."""
        return self.classifier.score if self.causal else self.classifier.classifier

    def forward(self, input_ids, attention_mask=None, position_ids=None, token_type_ids=None,
                end_index=None, lm_labels=None):
        """Rewards at the `end_index` positions of a padded batch (one row per sequence)
        or of one packed row (`input_ids` of shape (1, T), sequences told apart by
        `position_ids` restarting at 0). Returns (rewards, LM loss or None)."""
        if not self.causal:
            out = self.classifier(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.logits[:, 0], None
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                               use_cache=False).last_hidden_state
        rows = torch.zeros_like(end_index) if hidden.shape[0] == 1 else torch.arange(len(end_index), device=hidden.device)
        rewards = self.head(hidden[rows, end_index]).squeeze(-1)
        lm_loss = None
        if lm_labels is not None and self.lm_head is not None:
            mask = lm_labels != -100
            if mask.any():  # logits only where there is a target: the chosen responses
                logits = self.lm_head(hidden[mask])
                lm_loss = nn.functional.cross_entropy(logits.float(), lm_labels[mask])
        return rewards.float(), lm_loss

    def save(self, path: str, max_length: int, min_response_tokens: int, state_dict: Optional[dict] = None) -> None:
        """A HF sequence-classification checkpoint plus tokenizer; `state_dict` is this
        module's full state (gathered from FSDP shards) when not the local weights."""
        os.makedirs(path, exist_ok=True)
        self.classifier.config.themis_backbone = self.kind
        prefix = "classifier."
        weights = None if state_dict is None else {
            k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
        self.classifier.save_pretrained(path, state_dict=weights)
        self.tokenizer.save_pretrained(path)
        with open(os.path.join(path, META_FILE), "w") as f:
            json.dump({"backbone": self.kind, "max_length": max_length, "min_response_tokens": min_response_tokens},
                      f, indent=2)


def load_reward_model(name_or_path: str, kind: str = "auto", dtype: torch.dtype = torch.float32,
                      for_training: bool = True) -> RewardModel:
    """A RewardModel from a pretrained backbone or from a checkpoint this trainer saved."""
    from transformers import (AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification,
                              AutoTokenizer)

    name_or_path = resolve_model(name_or_path)
    config = AutoConfig.from_pretrained(name_or_path)
    kind = detect_backbone(config) if kind == "auto" else kind
    if kind not in ("causal", "encoder"):
        raise ValueError(f"unknown backbone kind {kind!r}; use causal, encoder or auto")
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    added = ensure_chat_tokenizer(tokenizer, causal=kind == "causal")
    config.num_labels = 1
    config.pad_token_id = tokenizer.pad_token_id
    is_reward_checkpoint = any(a.endswith("ForSequenceClassification") for a in (config.architectures or []))
    attn = attention_implementation() if kind == "causal" else "sdpa"
    lm_head = None
    if kind == "causal" and not is_reward_checkpoint and for_training:
        lm = AutoModelForCausalLM.from_pretrained(name_or_path, dtype=dtype, attn_implementation=attn)
        if added:  # resizes a tied or untied LM head with the embeddings
            lm.resize_token_embeddings(len(tokenizer), mean_resizing=False)
        config.vocab_size = lm.config.vocab_size
        with torch.device("meta"):  # the classifier's own backbone is replaced by the LM's
            classifier = AutoModelForSequenceClassification.from_config(config, attn_implementation=attn)
        setattr(classifier, classifier.base_model_prefix, getattr(lm, lm.base_model_prefix))
        classifier.score = nn.Linear(config.get_text_config().hidden_size, 1, bias=False, dtype=dtype)
        lm_head = lm.get_output_embeddings()
        _apply_liger(lm)
    else:
        classifier = AutoModelForSequenceClassification.from_pretrained(
            name_or_path, config=config, dtype=dtype, attn_implementation=attn)
        if added:
            classifier.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    model = RewardModel(classifier, tokenizer, kind, lm_head)
    if not is_reward_checkpoint:
        nn.init.zeros_(model.head.weight)  # a zero head starts every reward at 0 (plus the bias)
        if getattr(model.head, "bias", None) is not None:
            nn.init.zeros_(model.head.bias)
    return model

