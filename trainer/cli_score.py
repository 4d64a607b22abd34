"""`themis score`: rewards for code responses from a trained reward model."""
from __future__ import annotations

import argparse
import json
import sys

HELP = """Score responses with a reward model saved by `themis train`.

  themis score --model rm/ --prompt "Write a function..." --response solution.py [--aspect Security_Hardness]
  themis score --model rm/ --input rows.jsonl --output scored.jsonl

--input is JSONL or Parquet with `prompt` and `response` columns and optionally
`system` or `aspect` (the criterion whose system prompt to use); the output is
the same rows with a `score` column (JSONL, or Parquet when the name ends in .parquet)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="a model directory saved by `themis train`")
    parser.add_argument("--prompt", help="the task text (with --response)")
    parser.add_argument("--response", action="append", default=[], help="a file holding one response (repeatable)")
    parser.add_argument("--system", help="system prompt for --prompt")
    parser.add_argument("--aspect", help="criterion whose system prompt to use, e.g. Runtime_Efficiency")
    parser.add_argument("--input", help="JSONL or Parquet rows to score")
    parser.add_argument("--output", help="where scored rows go (default: stdout as JSONL)")
    parser.add_argument("--batch_size", type=int, default=8)


def _read_rows(path: str) -> list[dict]:
    if path.endswith(".parquet"):
        from trainer.data import read_table

        return read_table(path).to_pylist()
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _write_rows(rows: list[dict], path: str | None) -> None:
    if path and path.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
        return
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if path:
        with open(path, "w") as f:
            f.write(lines)
    else:
        sys.stdout.write(lines)


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipelines.paths import output_problem
    from trainer.prompts import criterion_prompt

    if beam_args or bool(args.input) == bool(args.prompt) or (args.prompt and not args.response):
        print("themis score: pass either --input FILE, or --prompt TEXT with one or more --response FILE",
              file=sys.stderr)
        return 2
    problem = args.output and output_problem(args.output, is_dir=False)
    if problem:
        print(f"themis score: {problem}", file=sys.stderr)
        return 2
    try:
        if args.prompt:
            rows = [{"prompt": args.prompt, "response": open(p).read(), "file": p,
                     "system": args.system, "aspect": args.aspect} for p in args.response]
        else:
            rows = _read_rows(args.input)
        missing = [i for i, row in enumerate(rows) if not isinstance(row.get("prompt"), str)
                   or not isinstance(row.get("response"), str)]
        if missing:
            raise ValueError(f"rows {missing[:5]} lack text `prompt` and `response` columns")
        items = [(criterion_prompt(row["aspect"]) if row.get("aspect") else row.get("system") or "",
                  row["prompt"], row["response"]) for row in rows]
        from trainer.scoring import Scorer

        scores = Scorer(args.model).score_many(items, args.batch_size)
    except (OSError, ValueError) as exc:
        print(f"themis score: {exc}", file=sys.stderr)
        return 2
    _write_rows([{**row, "score": s} for row, s in zip(rows, scores)], args.output)
    return 0
