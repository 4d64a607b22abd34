"""`themis eval`: accuracy of a reward model on a CodeRewardBench-style Parquet."""
from __future__ import annotations

import argparse
import json
import sys

HELP = """Evaluate a reward model on a Parquet with columns prompt, chosen, rejected,
language, aspect, subset, id, or on one split of a build's shards. Writes OUTPUT/results.json (accuracy overall and by
criterion, language and subset, per system-prompt mode) and OUTPUT/scores.parquet
(one row per pair and mode).

  themis eval --model rm/ --bench bench.parquet --output eval/ --modes none,criterion
  themis eval --model rm/ --bench out/build --split test --output eval/"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="a model directory saved by `themis train`")
    parser.add_argument("--bench", required=True, help="bench Parquet file or glob, or a build directory")
    parser.add_argument("--split", default="test", help="the split scored when the bench is our shards")
    parser.add_argument("--output", required=True, help="directory for results.json and scores.parquet")
    parser.add_argument("--modes", default="none,all,criterion",
                        help="system-prompt modes: none, all (every criterion), criterion (the row's)")
    parser.add_argument("--batch_size", type=int, default=8, help="sequences per forward pass")
    parser.add_argument("--max_length", type=int, default=None, help="tokens per sequence (default: the model's)")


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipelines.paths import output_problem
    from trainer.data import DataError
    from trainer.evaluate import evaluate
    from trainer.prompts import MODES

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if beam_args or bad or not modes:
        print(f"themis eval: bad arguments {beam_args or bad}; modes are {', '.join(MODES)}", file=sys.stderr)
        return 2
    problem = output_problem(args.output)
    if problem:
        print(f"themis eval: {problem}", file=sys.stderr)
        return 2
    try:
        results = evaluate(args.model, args.bench, args.output, modes, args.batch_size, args.max_length,
                           args.split)
    except (DataError, OSError) as exc:
        print(f"themis eval: {exc}", file=sys.stderr)
        return 2
    summary = {mode: round(r["accuracy"], 4) for mode, r in results["modes"].items()}
    print(json.dumps({"accuracy": summary, "output": args.output}))
    return 0
