"""End-to-end cost of a correctness-only build against a bare harness (issue 18).

The same HumanEval-family Python programs (HumanEval-X, then MBPP from MBXP, canonical solutions
with their tests) run

- bare: each program (candidate code + its tests) once with plain `subprocess.run`, two at a
  time, no isolation, no measurement, nothing written but the program file;
- themis: `themis build --aspects Functional_Correctness --repetitions 1` over the same tasks,
  a fresh output and a fresh store each time (everything executed), local runner.

Rounds alternate bare and themis, so the machine's drift hits both alike; the ratio is of the
median wall times.

    python -m bench.bench_bare_harness --programs 328 --rounds 3
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench.shared_data import REPO_ROOT, shared_data_dir
from transforms.adapters import to_task_dict

SOURCES = (("humanevalx/humaneval_python.jsonl", "humanevalx"), ("mbxp/mbpp_release_v1.jsonl", "mbxp"))


def load_tasks(limit: int) -> list[dict]:
    """Up to `limit` native task dicts, one reference candidate each, HumanEval-X first."""
    tasks: list[dict] = []
    for relative, fmt in SOURCES:
        folder, name = relative.split("/")
        with open(os.path.join(shared_data_dir(folder), name), encoding="utf-8") as fh:
            for line in fh:
                task = to_task_dict(json.loads(line), fmt)
                task["candidates"] = [c for c in task["candidates"] if c.get("origin") == "reference"][:1]
                if task["candidates"] and task.get("tests", {}).get("code"):
                    tasks.append(task)
                if len(tasks) == limit:
                    return tasks
    return tasks


def bare_program(task: dict) -> str:
    """What the bare harness runs: the candidate, then its task's test code."""
    return task["candidates"][0]["code"].rstrip("\n") + "\n\n" + task["tests"]["code"] + "\n"


def run_bare(tasks: list[dict], folder: pathlib.Path, concurrency: int) -> tuple[float, int]:
    """(wall seconds, programs that exited 0) running every program once, `concurrency` at a time."""
    def run(index_task: tuple[int, dict]) -> bool:
        index, task = index_task
        path = folder / f"p{index}.py"
        path.write_text(bare_program(task))
        done = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, timeout=60)
        return done.returncode == 0

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        passed = sum(pool.map(run, enumerate(tasks)))
    return time.perf_counter() - start, passed


def run_themis(corpus: pathlib.Path, out: pathlib.Path, extra: list[str]) -> tuple[float, dict]:
    """(wall seconds, the manifest) of a fresh correctness-only build of `corpus`."""
    shutil.rmtree(out, ignore_errors=True)
    argv = [sys.executable, "-m", "pipelines.cli", "build", "--input", str(corpus), "--output", str(out),
            "--aspects", "Functional_Correctness", "--repetitions", "1", "--progress_interval", "0", *extra]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"themis build failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, json.loads((out / "manifest.json").read_text())


def passed_in(manifest: dict) -> tuple[int, int]:
    """(candidates measured, of them passing) from a build's manifest."""
    statuses = manifest.get("measured_statuses") or {}
    return sum(statuses.values()), statuses.get("ok", 0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=328)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="bare programs at a time")
    parser.add_argument("themis_flags", nargs="*", help="extra flags for themis build (after --)")
    args = parser.parse_args(argv)

    tasks = load_tasks(args.programs)
    with tempfile.TemporaryDirectory(prefix="themis-bare-") as tmp:
        root = pathlib.Path(tmp)
        corpus = root / "tasks.jsonl"
        corpus.write_text("".join(json.dumps(t) + "\n" for t in tasks))
        bare, themis = [], []
        for number in range(args.rounds):
            folder = root / f"bare{number}"
            folder.mkdir()
            seconds, passed = run_bare(tasks, folder, args.concurrency)
            bare.append(seconds)
            print(f"round {number + 1}: bare {seconds:.1f} s ({passed}/{len(tasks)} exit 0)", flush=True)
            seconds, manifest = run_themis(corpus, root / f"out{number}", args.themis_flags)
            themis.append(seconds)
            execute = manifest["invariants"]["execute"]
            print(f"round {number + 1}: themis {seconds:.1f} s (execute in {execute['in']}, out {execute['out']})",
                  flush=True)
    b, t = statistics.median(bare), statistics.median(themis)
    print(f"\n| programs | bare s (median of {args.rounds}) | themis s | themis / bare |\n| ---: | ---: | ---: | ---: |\n"
          f"| {len(tasks)} | {b:.1f} | {t:.1f} | {t / b:.2f}x |")
    print("bare rounds: " + ", ".join(f"{s:.1f}" for s in bare) + "; themis rounds: " + ", ".join(f"{s:.1f}" for s in themis))
    return 0


if __name__ == "__main__":
    sys.exit(main())
