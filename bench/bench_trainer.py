"""themis train (packed, --no-packing) against TRL's RewardTrainer, side by side in one run.

One randomly initialised Qwen3-0.6B-shaped decoder (config written here, no hub) and one
set of synthetic preference rows (lengths log-normal, median ~600 tokens, tail cut at
4096) are trained for --steps optimizer steps by each arm, each in its own process so
peak memory is its own. The LM term is off (TRL has none), so all arms optimise the same
Bradley-Terry loss with margin and centering. Reported per arm: tokens/s (real tokens,
no padding, steps after the first), MFU, peak memory and the loss at the last step.

MFU = achieved FLOP/s / peak FLOP/s, with FLOPs of a sequence of t tokens taken as
6 * N * t + 6 * L * d * t^2 (forward + backward; N = non-embedding parameters, L layers,
d = heads x head_dim; the t^2 term is causal attention, half of PaLM's 12 * L * d * t).
Peak: H100/H200 bf16 dense 989e12; CPU has no comparable peak, so MFU is not reported there.

  python bench/bench_trainer.py --tiny            # CPU, a minute or two (a 2-layer model, short rows)
  python bench/bench_trainer.py --steps 50        # GPU: the Qwen3-0.6B shape
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # this checkout's trainer, not an installed one
ARMS = ("themis_packed", "themis_padded", "trl")
PEAK_FLOPS = {"cuda": 989e12}
QWEN3_06B = dict(hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                 num_key_value_heads=8, head_dim=128, max_position_embeddings=40960)
TINY = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, head_dim=16, max_position_embeddings=4096)


def synthetic_rows(n: int, median: int, cap: int, seed: int = 0) -> list[dict]:
    """Pairs of word sequences (one token per word after BPE training) with log-normal lengths."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]

    def text(tokens: int) -> str:
        return " ".join(rng.choice(words) for _ in range(max(8, tokens)))

    rows = []
    for i in range(n):
        length = min(cap, int(rng.lognormvariate(0, 0.7) * median))
        rows.append({"id": f"pair-{i}", "input": text(length // 4), "chosen": text(length * 3 // 4),
                     "rejected": text(length * 3 // 4), "margin": 0.5 * (i % 3), "split": "train"})
    return rows


def write_model(path: str, rows: list[dict], shape: dict) -> None:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast, Qwen3Config

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([r["chosen"] for r in rows[:50]], trainers.BpeTrainer(
        vocab_size=1000, special_tokens=["<unk>", "<s>", "</s>", "<|pad|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                        unk_token="<unk>", pad_token="<|pad|>")
    torch.manual_seed(0)
    config = Qwen3Config(vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         tie_word_embeddings=True, **shape)
    AutoModelForCausalLM.from_config(config).save_pretrained(path)
    tokenizer.save_pretrained(path)


def flops_per_token(model_dir: str, rows: list[dict]) -> float:
    """(6 * N * sum t + 6 * L * d * sum t^2) / sum t over the rows' sequences (prompt + response)."""
    from transformers import AutoConfig, AutoTokenizer

    c = AutoConfig.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    lengths = [len(tokenizer(r["input"] + " " + r[k])["input_ids"]) for r in rows for k in ("chosen", "rejected")]
    d = c.num_attention_heads * c.head_dim
    kv = c.num_key_value_heads * c.head_dim
    per_layer = c.hidden_size * (d + 2 * kv) + d * c.hidden_size + 3 * c.hidden_size * c.intermediate_size
    n = c.num_hidden_layers * per_layer
    return sum(6 * n * t + 6 * c.num_hidden_layers * d * t * t for t in lengths) / sum(lengths)


def run_themis(args, packed: bool) -> dict:
    from trainer.config import load_config
    from trainer.loop import train

    out = os.path.join(args.work, "packed" if packed else "padded")
    cfg = load_config(None, model=args.model_dir, data=args.data, output=out, batch_size=args.batch_size,
                      max_steps=args.steps, max_length=args.max_length, lm_coef=0.0, margin_scale=1.0,
                      centering_coef=0.01, learning_rate=1e-4, log_every=1, packing=packed)
    train(cfg)
    log = [json.loads(line) for line in open(os.path.join(out, "train_log.jsonl")) if '"step"' in line]
    timed = log[1:]  # the first step warms up kernels and allocators
    return {"tokens": sum(r["tokens"] for r in timed), "seconds": sum(r["tokens"] / r["tokens_per_s"] for r in timed),
            "loss": log[-1]["bt"] + log[-1].get("centering", 0.0)}


def run_trl(args) -> dict:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, TrainerCallback
    from trl import RewardConfig, RewardTrainer

    from trainer.data import load_pairs
    from trainer.template import encode, ensure_chat_tokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
    ensure_chat_tokenizer(tokenizer, causal=True)
    pairs = load_pairs(args.data)

    def ids(p, response):  # the very token ids themis trains on
        return encode(tokenizer, p.system, p.input, response, args.max_length, True).input_ids

    data = Dataset.from_list([{"chosen_ids": ids(p, p.chosen), "rejected_ids": ids(p, p.rejected),
                               "margin": p.margin} for p in pairs])
    times: list[float] = []

    class Clock(TrainerCallback):
        def on_step_end(self, *a, **k):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            times.append(time.time())

    cuda = torch.cuda.is_available()
    model = AutoModelForSequenceClassification.from_pretrained(args.model_dir, num_labels=1)
    config = RewardConfig(output_dir=os.path.join(args.work, "trl"), per_device_train_batch_size=args.batch_size,
                          max_steps=args.steps, learning_rate=1e-4, center_rewards_coefficient=0.01,
                          gradient_checkpointing=False, bf16=cuda, use_cpu=not cuda, report_to=[],
                          logging_steps=1, save_strategy="no", max_length=None, lr_scheduler_type="cosine",
                          warmup_steps=max(1, round(0.05 * args.steps)), weight_decay=0.1, adam_beta2=0.95,
                          include_num_input_tokens_seen="non_padding", dataloader_drop_last=True)
    tokens: list[int] = []

    class Tokens(TrainerCallback):
        def on_step_end(self, a, state, c, **k):
            tokens.append(state.num_input_tokens_seen)

    trainer = RewardTrainer(model=model, args=config, processing_class=tokenizer, train_dataset=data,
                            callbacks=[Clock(), Tokens()])
    trainer.train()
    losses = [r["loss"] for r in trainer.state.log_history if "loss" in r]
    return {"tokens": tokens[-1] - tokens[0], "seconds": times[-1] - times[0], "loss": losses[-1]}


def child(args) -> None:
    import torch

    result = run_trl(args) if args.arm == "trl" else run_themis(args, args.arm == "themis_packed")
    cuda = torch.cuda.is_available()
    result["peak_mem_gb"] = (torch.cuda.max_memory_allocated() if cuda
                             else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / 2**30
    result["device"] = "cuda" if cuda else "cpu"
    print("RESULT " + json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="a 2-layer model and rows of median ~60 tokens (CPU)")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch_size", type=int, default=8)
    ap.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--model_dir", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--max_length", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.arm:
        return child(args)
    median, cap = (60, 400) if args.tiny else (600, 4096)
    work = tempfile.mkdtemp(prefix="bench_trainer_")
    rows = synthetic_rows(args.steps * args.batch_size, median, cap)
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(os.path.join(work, "build", "data"))
    pq.write_table(pa.Table.from_pylist(rows), os.path.join(work, "build", "data", "train.parquet"))
    model_dir = os.path.join(work, "model")
    write_model(model_dir, rows, TINY if args.tiny else QWEN3_06B)
    results = {}
    for arm in ARMS:
        cmd = [sys.executable, os.path.abspath(__file__), "--arm", arm, "--work", work, "--model_dir", model_dir,
               "--data", os.path.join(work, "build"), "--steps", str(args.steps), "--batch_size",
               str(args.batch_size), "--max_length", str(cap + 64)]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
        if done.returncode or not line:
            sys.exit(f"{arm} failed:\n{done.stderr[-3000:]}")
        results[arm] = json.loads(line[0][7:])
    per_token = flops_per_token(model_dir, rows)
    print(f"model: Qwen3 shape {TINY if args.tiny else QWEN3_06B}; {len(rows)} pairs, {args.steps} steps of "
          f"{args.batch_size} pairs; load {os.getloadavg()[0]:.1f}")
    print("| arm | tokens/s | MFU | peak memory (GiB) | loss at last step |")
    print("|---|---|---|---|---|")
    for arm, r in results.items():
        rate = r["tokens"] / r["seconds"]
        peak = PEAK_FLOPS.get(r["device"])
        mfu = "n/a (CPU)" if peak is None else f"{rate * per_token / peak:.1%}"
        print(f"| {arm} | {rate:,.0f} | {mfu} | {r['peak_mem_gb']:.2f} | {r['loss']:.4f} |")


if __name__ == "__main__":
    main()
