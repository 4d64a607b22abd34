"""Tiny models and real-data pairs for the trainer tests (no model hub).

The tokenizer is a byte-level BPE trained here on McEval code; the models are
built with `from_config`. Pairs come from McEval Python tasks: the canonical
solution is chosen, and the same solution with its first non-empty line removed
is rejected (a training-mechanics set, not a labelled one).
"""
from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.records import PreferencePair, content_id



def shared_data() -> str:
    """`shared/data` beside the repository (or beside a parent, for worktrees)."""
    here = os.path.dirname(os.path.abspath(__file__))
    while True:
        candidate = os.path.join(here, "shared", "data")
        if os.path.isdir(os.path.join(candidate, "mceval")):
            return candidate
        if os.path.dirname(here) == here:
            raise FileNotFoundError("shared/data/mceval not found beside the repository")
        here = os.path.dirname(here)


def mceval_rows(language: str = "Python", limit: int = 8) -> list[dict]:
    path = os.path.join(shared_data(), "mceval", f"{language}.jsonl")
    with open(path) as f:
        return [json.loads(line) for line in f][:limit]


def _drop_first_line(code: str) -> str:
    lines = [line for line in code.splitlines() if line.strip()]
    return "\n".join(lines[1:]) + "\n"


def preference_rows(limit: int = 8, aspect: str = "Functional_Correctness") -> list[dict]:
    rows = []
    for i, task in enumerate(mceval_rows("Python", limit)):
        chosen = task["canonical_solution"]
        rows.append(PreferencePair(
            id=content_id("test-pair", task["task_id"]), system="" if i % 2 else "Prefer correct code.",
            input=task["prompt"], chosen=chosen, rejected=_drop_first_line(chosen), language="Python",
            aspect=aspect, subset="mceval", source="mceval", split="train", task_id=task["task_id"],
            chosen_id=content_id("c", chosen), rejected_id=content_id("r", chosen), chosen_origin="reference",
            rejected_origin="mutant", margin=1.0).to_dict())
    return rows


def write_build(root: str, rows: list[dict]) -> str:
    """A build directory holding `rows` as one shard in the PreferencePair schema."""
    os.makedirs(os.path.join(root, "data"), exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=PreferencePair.arrow_schema())
    pq.write_table(table, os.path.join(root, "data", "train-00000-of-00001.parquet"))
    return root


def train_tokenizer(texts: list[str], vocab_size: int = 1000):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


def tiny_causal_lm(path: str, texts: list[str], seed: int = 0) -> str:
    """A 2-layer Llama with a trained tokenizer, saved to `path` (no pad token: the trainer adds one)."""
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig

    tokenizer = train_tokenizer(texts)
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         tie_word_embeddings=False)
    AutoModelForCausalLM.from_config(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def tiny_encoder(path: str, texts: list[str], seed: int = 0) -> str:
    """A 2-layer BERT with a trained WordPiece tokenizer, saved to `path`."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(
        vocab_size=400, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=4, max_position_embeddings=512, pad_token_id=tokenizer.pad_token_id)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
