"""The training loop: stages in order on one model, resumable checkpoints, progress logs.

Runs as one process or under `accelerate launch` (DDP or FSDP2 from
trainer/configs/fsdp2.yaml). Each process takes its slice of every global batch;
the data order is a permutation seeded by (seed, epoch), so a resumed run sees
exactly the batches an uninterrupted one would. Checkpoints hold per-process
model, optimizer, scheduler and RNG state (resume with the same process count).
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import sys
import time
from typing import Optional

import torch

from trainer.backbone import RewardModel, load_reward_model
from trainer.collate import collate
from trainer.config import OutOfMemory, TrainConfig
from trainer.data import Pair, load_pairs
from trainer.losses import LossWeights, reward_loss
from trainer.template import encode

STATE_FILE = "trainer_state.json"


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, or the CPU allocator's failure (a plain RuntimeError)."""
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc))


def out_of_memory_message(cfg: TrainConfig, device) -> str:
    return (f"out of {device.type.upper()} memory for a micro-batch of --batch_size {cfg.batch_size} pairs at up to "
            f"--max_length {cfg.max_length} tokens; lower --batch_size (raise --grad_accum to keep "
            f"{cfg.batch_size * cfg.grad_accum} pairs per step) or --max_length")


def fit_to_model(stages: list[TrainConfig], model: RewardModel, main: bool) -> list[TrainConfig]:
    """Stages whose max_length is at most the model's positions, with one line when one is lowered."""
    limit = model.max_positions
    if not limit:
        return stages
    for too_long in sorted({cfg.max_length for cfg in stages if cfg.max_length > limit}):
        if main:
            print(f"note: --max_length {too_long} is above the model's {limit} positions; using {limit}",
                  file=sys.stderr)
    return [dataclasses.replace(cfg, max_length=min(cfg.max_length, limit)) for cfg in stages]


def pair_order(n: int, seed: int, count: int) -> list[int]:
    """The first `count` pair indices of consecutive epochs, each a seeded permutation."""
    order: list[int] = []
    epoch = 0
    while len(order) < count:
        g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
        order.extend(torch.randperm(n, generator=g).tolist())
        epoch += 1
    return order[:count]


def cosine_with_warmup(optimizer, warmup: int, total: int):
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    # No weight decay on biases and norms (1-D parameters).
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    other = [p for p in params if p.ndim < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": other, "weight_decay": 0.0}],
                             lr=cfg.learning_rate, betas=(cfg.adam_beta1, cfg.adam_beta2))


def encode_batch(model: RewardModel, pairs: list[Pair], cfg: TrainConfig) -> list:
    """Chosen sequences first, then rejected."""
    def enc(p: Pair, response: str):
        return encode(model.tokenizer, p.system, p.input, response, cfg.max_length, model.causal,
                      cfg.min_response_tokens)

    return [enc(p, p.chosen) for p in pairs] + [enc(p, p.rejected) for p in pairs]


def batch_step(module: torch.nn.Module, model: RewardModel, pairs: list[Pair], cfg: TrainConfig,
               device) -> tuple[torch.Tensor, dict]:
    """Loss and metrics for one micro-batch; `module` is `model` or its DDP/FSDP wrapper."""
    sequences = encode_batch(model, pairs, cfg)
    use_lm = model.causal and cfg.lm_coef > 0
    batch = collate(sequences, model.tokenizer.pad_token_id, model.packs(cfg.packing),
                    lm_chosen=len(pairs) if use_lm else 0)
    batch = {k: v.to(device) for k, v in batch.items() if use_lm or k != "lm_labels"}
    rewards, lm_loss = module(**batch)
    n = len(pairs)
    chosen, rejected = rewards[:n], rewards[n:]
    margins = torch.tensor([p.margin for p in pairs], device=device, dtype=rewards.dtype)
    weights = LossWeights(cfg.margin_scale, cfg.magnitude_coef, cfg.centering_coef, cfg.lm_coef)
    loss, parts = reward_loss(chosen, rejected, weights, margins, lm_loss)
    diff = (chosen - rejected).detach()
    parts.update(accuracy=float((diff > 0).float().mean()), margin=float(diff.mean()),
                 tokens=sum(len(s.input_ids) for s in sequences), truncated=sum(s.truncated for s in sequences))
    return loss, parts


def start_stage(optimizer: torch.optim.Optimizer, cfg: TrainConfig, total: int):
    """Fresh optimizer state and this stage's hyperparameters, and its LR schedule."""
    optimizer.state.clear()
    for group in optimizer.param_groups:
        group.update(lr=cfg.learning_rate, initial_lr=cfg.learning_rate, betas=(cfg.adam_beta1, cfg.adam_beta2))
        if group["weight_decay"]:
            group["weight_decay"] = cfg.weight_decay
    return cosine_with_warmup(optimizer, round(cfg.warmup_ratio * total), total)


class Checkpoints:
    """`checkpoints/ckpt-STAGE-STEP/`: one file per process, then trainer_state.json
    (written last, so a checkpoint without it is incomplete and ignored). STEP 0 of
    STAGE means every earlier stage is finished."""

    def __init__(self, output: str, rank: int):
        self.root = os.path.join(output, "checkpoints")
        self.rank = rank

    def latest(self) -> Optional[tuple[str, dict]]:
        if not os.path.isdir(self.root):
            return None
        done = [d for d in os.listdir(self.root) if os.path.exists(os.path.join(self.root, d, STATE_FILE))]
        if not done:
            return None
        path = os.path.join(self.root, max(done, key=lambda d: tuple(int(x) for x in d.split("-")[1:])))
        with open(os.path.join(path, STATE_FILE)) as f:
            return path, json.load(f)

    def save(self, accelerator, model, optimizer, scheduler, stage: int, step: int) -> None:
        path = os.path.join(self.root, f"ckpt-{stage}-{step:08d}")
        os.makedirs(path, exist_ok=True)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "torch_rng": torch.get_rng_state(),
                    "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
                    "python_rng": random.getstate()},
                   os.path.join(path, f"rank{self.rank}.pt"))
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            with open(os.path.join(path, STATE_FILE), "w") as f:
                json.dump({"stage": stage, "step": step}, f)

    def load(self, path: str, model, optimizer=None, scheduler=None) -> None:
        state = torch.load(os.path.join(path, f"rank{self.rank}.pt"), weights_only=False)
        model.load_state_dict(state["model"])
        if optimizer is not None:
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        if state["cuda_rng"] is not None:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        random.setstate(state["python_rng"])


def _log(record: dict, output: str, main: bool) -> None:
    if not main:
        return
    line = json.dumps(record)
    print(line, file=sys.stderr, flush=True)
    with open(os.path.join(output, "train_log.jsonl"), "a") as f:
        f.write(line + "\n")


def train(config: TrainConfig) -> Optional[RewardModel]:
    """Train every stage of `config` and save the model to `config.output`.

    Returns the model, or None when `stop_after` stopped the run (resume it later).
    """
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    cuda = torch.cuda.is_available()
    accelerator = Accelerator(mixed_precision="bf16" if cuda else "no", cpu=not cuda)
    set_seed(config.seed)
    os.makedirs(config.output, exist_ok=True)
    main = accelerator.is_main_process
    model = load_reward_model(config.model, config.backbone)
    stages = fit_to_model(config.stage_configs(), model, main)
    if not model.causal and config.lm_coef and main:
        print("note: lm_coef applies to causal LMs only; an encoder trains on the reward loss alone", file=sys.stderr)
    module, optimizer = accelerator.prepare(model, make_optimizer(model, stages[0]))
    ckpts = Checkpoints(config.output, accelerator.process_index)
    resume = ckpts.latest() if config.resume else None
    world, rank = accelerator.num_processes, accelerator.process_index
    steps_this_run = 0
    for index, cfg in enumerate(stages):
        if resume and index < resume[1]["stage"]:
            continue
        pairs = load_pairs(cfg.data, cfg.split)
        per_step = cfg.batch_size * world * cfg.grad_accum
        total = cfg.max_steps or max(1, math.ceil(len(pairs) * cfg.epochs / per_step))
        order = pair_order(len(pairs), cfg.seed, total * per_step)
        scheduler = start_stage(optimizer, cfg, total)
        start = 0
        if resume:  # the checkpoint is in this stage (step > 0) or just before it (step 0)
            start = resume[1]["step"]
            ckpts.load(resume[0], module, *((optimizer, scheduler) if start else ()))
            resume = None
        _log({"event": "stage", "stage": cfg.name, "pairs": len(pairs), "steps": total, "start": start},
             config.output, main)
        # Dropout off by default (as TRL's pairwise trainers do): the chosen and rejected passes
        # draw different masks, and that noise lands on the very reward difference the loss
        # reads; with a zero-initialised head it drowns the head's first gradients.
        module.train(cfg.dropout)
        tick, tokens = time.time(), 0
        for step in range(start, total):
            optimizer.zero_grad(set_to_none=True)
            metrics: dict[str, float] = {}
            for micro in range(cfg.grad_accum):
                lo = (step * cfg.grad_accum + micro) * cfg.batch_size * world
                chunk = [pairs[i] for i in order[lo: lo + cfg.batch_size * world][rank::world]]
                try:
                    with accelerator.autocast():
                        loss, parts = batch_step(module, model, chunk, cfg, accelerator.device)
                    accelerator.backward(loss / cfg.grad_accum)
                except RuntimeError as exc:
                    if is_out_of_memory(exc):
                        raise OutOfMemory(out_of_memory_message(cfg, accelerator.device)) from None
                    raise
                for k, v in parts.items():
                    metrics[k] = metrics.get(k, 0.0) + (v if k in ("tokens", "truncated") else v / cfg.grad_accum)
            if cfg.max_grad_norm:
                metrics["grad_norm"] = float(accelerator.clip_grad_norm_(module.parameters(), cfg.max_grad_norm))
            lr = scheduler.get_last_lr()[0]  # the rate this step used
            optimizer.step()
            scheduler.step()
            tokens += metrics["tokens"]
            done = step + 1
            steps_this_run += 1
            if done % cfg.log_every == 0 or done == total:
                elapsed = max(time.time() - tick, 1e-9)
                _log({"stage": cfg.name, "step": done, "of": total, "lr": lr,
                      **{k: round(v, 6) for k, v in metrics.items()}, "tokens_per_s": round(tokens / elapsed, 1)},
                     config.output, main)
                tick, tokens = time.time(), 0
            stopping = bool(cfg.stop_after) and steps_this_run >= cfg.stop_after and done < total
            if done == total:
                ckpts.save(accelerator, module, optimizer, scheduler, index + 1, 0)
            elif stopping or (cfg.save_every and done % cfg.save_every == 0):
                ckpts.save(accelerator, module, optimizer, scheduler, index, done)
            if stopping:
                return None
        if len(stages) > 1:
            _save(accelerator, module, model, os.path.join(config.output, "stages", cfg.name), cfg)
    if resume:  # every stage had finished before this run: restore the final weights
        ckpts.load(resume[0], module)
    _save(accelerator, module, model, config.output, stages[-1])
    return model


def _save(accelerator, module, model: RewardModel, path: str, cfg: TrainConfig) -> None:
    """Gathers the full weights (sharded under FSDP) and saves them from the main process."""
    state = accelerator.get_state_dict(module)
    if accelerator.is_main_process:
        model.save(path, cfg.max_length, cfg.min_response_tokens, state_dict=state)
    accelerator.wait_for_everyone()
