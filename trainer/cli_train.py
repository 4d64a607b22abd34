"""`themis train`: a Bradley-Terry reward model from preference shards."""
from __future__ import annotations

import argparse
import sys

HELP = """Train a reward model on preference pairs and save it where
AutoModelForSequenceClassification loads it.

  themis train --data out/build --model Qwen/Qwen3-0.6B --output rm/
  themis train --config two_stage.yaml --output rm/          # PT then PM stages
  accelerate launch --config_file trainer/configs/fsdp2.yaml -m pipelines.cli train ...

--data is a build directory (DIR/data/*.parquet), a Parquet/JSON glob, or a
`datasets` dataset with input, chosen, rejected (system optional). Defaults are
the Themis-RM recipe: AdamW betas (0.9, 0.95), weight decay 0.1, cosine schedule
with 5% warm-up, gradient clipping at 1.0, bf16 on CUDA and fp32 on CPU. Flags
override the config file. Progress (loss, accuracy, margin) goes to stderr and
OUTPUT/train_log.jsonl; --resume continues from OUTPUT/checkpoints."""

FLAGS = {
    # flag: (type, help); the defaults live in trainer.config.TrainConfig
    "data": (str, "build directory, Parquet/JSON glob, or `datasets` dataset"),
    "split": (str, "rows of this `split` (default train)"),
    "backbone": (str, "causal, encoder or auto (default: from the checkpoint)"),
    "max_length": (int, "tokens per sequence; only the response is truncated"),
    "min_response_tokens": (int, "response tokens kept before the prompt is cut too"),
    "batch_size": (int, "pairs per device per micro-step"),
    "grad_accum": (int, "micro-steps per optimizer step"),
    "epochs": (float, "passes over the data"),
    "max_steps": (int, "optimizer steps (overrides --epochs)"),
    "learning_rate": (float, "peak learning rate"),
    "weight_decay": (float, "AdamW weight decay"),
    "warmup_ratio": (float, "share of steps for linear warm-up"),
    "max_grad_norm": (float, "gradient clipping norm (0: off)"),
    "margin_scale": (float, "BT margin = this times the pair's margin column"),
    "magnitude_coef": (float, "weight of (|r_c| + |r_r|)^2"),
    "centering_coef": (float, "weight of (r_c + r_r)^2"),
    "lm_coef": (float, "weight of the LM loss on chosen responses (causal LMs)"),
    "seed": (int, "seed for data order and initialisation"),
    "log_every": (int, "optimizer steps between progress lines"),
    "save_every": (int, "optimizer steps between checkpoints (0: end of each stage)"),
    "stop_after": (int, "stop after this many steps in this run, resumable with --resume"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="pretrained backbone: a local path or hub name")
    parser.add_argument("--output", required=True, help="where the model, checkpoints and logs go")
    parser.add_argument("--config", help="YAML file with TrainConfig keys and optional `stages`")
    for name, (kind, text) in FLAGS.items():
        parser.add_argument(f"--{name}", type=kind, help=text)
    parser.add_argument("--packing", action=argparse.BooleanOptionalAction, default=None,
                        help="padding-free packing of each micro-batch (causal LMs; default on under FlashAttention 2)")
    parser.add_argument("--dropout", action=argparse.BooleanOptionalAction, default=None,
                        help="keep the backbone's dropout while training (default off: it adds noise "
                             "to the chosen-rejected reward difference)")
    parser.add_argument("--resume", action="store_true", default=None, help="continue from the latest checkpoint")


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipelines.paths import output_problem
    from trainer.config import ConfigError, OutOfMemory, load_config
    from trainer.data import DataError

    if beam_args:
        print(f"themis train: unknown arguments {beam_args}; see `themis train --help`", file=sys.stderr)
        return 2
    overrides = {name: getattr(args, name) for name in (*FLAGS, "model", "output", "packing", "dropout", "resume")}
    try:
        config = load_config(args.config, **overrides)
        if not config.model:
            raise ConfigError("no backbone: pass --model NAME_OR_PATH or set `model:` in the config")
        if not all(stage.data for stage in config.stage_configs()):
            raise ConfigError("no training data: pass --data or set `data:` (per stage) in the config")
        problem = output_problem(config.output)
        if problem:
            raise ConfigError(problem)
        from trainer.loop import train

        model = train(config)
    except (ConfigError, DataError, OSError, OutOfMemory) as exc:
        print(f"themis train: {exc}", file=sys.stderr)
        return 2
    print(f"stopped; resume with --resume --output {config.output}" if model is None
          else f"reward model saved to {config.output}", file=sys.stderr)
    return 0
