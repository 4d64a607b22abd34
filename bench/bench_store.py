"""The measurement store that travels with the output (issue 18): a finished build rerun with
`--overwrite --reuse_store` executes nothing.

Three real builds of the same corpus, one after the other in one run:
  first    a fresh build into OUT (empty store, empty cache);
  rerun    `--overwrite --reuse_store OUT` into OUT with a fresh, empty SQLite cache (--store),
           so every record must come from OUT/store/*.parquet;
  elsewhere  the same into a new output directory (copies what it uses into its own store).
For each: wall time, records executed or scanned ("stored" in the manifest's store_writes,
counted from the Parquet bundles the run wrote) and records copied, and whether the shards are
byte-identical to the first build's.

Usage:
    python bench/bench_store.py --tasks 8 --aspects all
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from anywhere

from pipelines.build import make_options, run_build  # noqa: E402

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples" / "tasks.jsonl"


def _shards(out: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "data").glob("*.parquet"))}


def _build(argv: list[str]) -> tuple[float, dict]:
    start = time.monotonic()
    manifest = run_build(make_options(argv))
    return time.monotonic() - start, manifest


def _writes(manifest: dict, how: str) -> int:
    return sum(n.get(how, 0) for n in manifest["store_writes"].values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=8, help="the first N tasks of examples/tasks.jsonl")
    parser.add_argument("--aspects", default="all")
    parser.add_argument("--workers", type=int, default=2, help="--direct_num_workers")
    args = parser.parse_args()
    root = pathlib.Path(tempfile.mkdtemp(prefix="bench-store-"))
    corpus = root / "tasks.jsonl"
    corpus.write_text("".join(EXAMPLES.read_text().splitlines(keepends=True)[:args.tasks]))
    out = root / "out"
    flags = ["--input", str(corpus), "--aspects", args.aspects, "--repetitions", "2", "--ab_repetitions", "6",
             "--direct_num_workers", str(args.workers)]
    runs = {"first": _build(flags + ["--output", str(out)])}
    first_shards = _shards(out)
    runs["rerun"] = _build(flags + ["--output", str(out), "--overwrite", "--reuse_store", str(out),
                                    "--store", str(root / "empty-cache.sqlite")])
    rerun_shards = _shards(out)
    runs["elsewhere"] = _build(flags + ["--output", str(root / "other"), "--reuse_store", str(out),
                                        "--store", str(root / "empty-cache-2.sqlite")])
    same = {"first": True, "rerun": rerun_shards == first_shards, "elsewhere": _shards(root / "other") == first_shards}
    candidates = sum(len(json.loads(line)["candidates"]) for line in corpus.read_text().splitlines())
    print(f"{args.tasks} tasks, {candidates} candidates, --aspects {args.aspects}")
    print(f"{'run':<10}{'wall s':>8}{'executed':>10}{'copied':>8}  shards identical")
    for name, (seconds, manifest) in runs.items():
        print(f"{name:<10}{seconds:>8.1f}{_writes(manifest, 'stored'):>10}{_writes(manifest, 'copied'):>8}  {same[name]}")


if __name__ == "__main__":
    main()
