"""End-to-end cost of a correctness-only build against a bare harness (issue 18).

The same HumanEval-family Python programs (HumanEval-X, then MBPP from MBXP, canonical solutions
with their tests) run

- bare: each program (candidate code + its tests) once with plain `subprocess.run`, two at a
  time, no isolation, no measurement, nothing written but the program file;
- themis: `themis build --aspects Functional_Correctness --repetitions 1` over the same tasks,
  a fresh output and a fresh store each time (everything executed), local runner.

Rounds alternate bare and each themis variant, so the machine's drift hits all alike; ratios are
of median wall times. CPU time (user + system of every process waited for: the programs, the
build's driver, workers and sandboxes) is reported beside it: the machine's other load inflates
wall times unevenly (sandboxed programs run in cgroups of their own, which the scheduler weighs
against everything else; bare programs compete with it), CPU time much less. A variant is `NAME=FLAGS` (extra build flags) or `NAME@DIR=FLAGS` (the build
of another checkout, e.g. an earlier commit's `git worktree`, for before/after in one run).

`--floors` adds three reference rows, the least a build could cost with each of its two parts:
- bwrap: the bare harness with each program in a fresh bubblewrap sandbox (the namespaces the
  process sandbox unshares, the host's root read-only; no cgroup, no launcher, no limits);
- beam: the bare runs as the one step of the smallest Beam pipeline (bench/beam_floor.py: the
  programs' paths read from a file, two runs at a time), on the FnApiRunner in its own process as
  a local build runs, Beam's import included;
- beam+bwrap: both, each run of that pipeline in a fresh bubblewrap sandbox.
The CPU column of the bwrap rows misses the programs: the sandbox's init does not pass their usage on.

    python -m bench.bench_bare_harness --programs 328 --rounds 3 --variant now= --variant before@/tmp/old=
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench.beam_floor import run_program
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


def children_cpu() -> float:
    """User + system seconds of every child process this process has waited for, so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def program_file(folder: pathlib.Path, index: int, task: dict) -> str:
    """Write the bare program of `task` into `folder`; its path."""
    path = folder / f"p{index}.py"
    path.write_text(bare_program(task))
    return str(path)


def run_bare(tasks: list[dict], folder: pathlib.Path, concurrency: int, isolate: bool = False) -> tuple[float, int]:
    """(wall seconds, programs that exited 0) running every program once, `concurrency` at a time."""
    def run(index_task: tuple[int, dict]) -> bool:
        return run_program(program_file(folder, *index_task), isolate)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        passed = sum(pool.map(run, enumerate(tasks)))
    return time.perf_counter() - start, passed


def run_beam_floor(tasks: list[dict], folder: pathlib.Path, concurrency: int, isolate: bool) -> tuple[float, int]:
    """(wall seconds, programs that exited 0) of bench/beam_floor.py over the programs, Beam's import included."""
    paths = [program_file(folder, index, task) for index, task in enumerate(tasks)]
    (folder / "paths.txt").write_text("\n".join(paths) + "\n")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.beam_floor", str(folder / "paths.txt"), str(concurrency),
                           "isolate" if isolate else "bare"],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, int(done.stdout.split()[-1])


def parse_variant(spec: str) -> tuple[str, str, list[str]]:
    """'NAME[@DIR]=FLAGS' -> (name, checkout, flags)."""
    head, _, flags = spec.partition("=")
    name, _, root = head.partition("@")
    return name, root or str(REPO_ROOT), flags.split()


def run_themis(corpus: pathlib.Path, out: pathlib.Path, root: str, extra: list[str]) -> tuple[float, dict]:
    """(wall seconds, the manifest) of a fresh correctness-only build of `corpus` by the checkout `root`."""
    shutil.rmtree(out, ignore_errors=True)
    argv = [sys.executable, "-m", "pipelines.cli", "build", "--input", str(corpus), "--output", str(out),
            "--aspects", "Functional_Correctness", "--repetitions", "1", "--progress_interval", "0", *extra]
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"themis build failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, json.loads((out / "manifest.json").read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=328)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="bare programs at a time")
    parser.add_argument("--floors", action="store_true",
                        help="add the reference rows bwrap, beam and beam+bwrap (see the module's docstring)")
    parser.add_argument("--variant", action="append", default=None,
                        help="NAME[@DIR]=FLAGS, repeatable (default: one, this checkout, no extra flags)")
    args = parser.parse_args(argv)
    variants = [parse_variant(v) for v in args.variant or ["themis="]]

    tasks = load_tasks(args.programs)
    references = {"bare": lambda folder: run_bare(tasks, folder, args.concurrency)}
    if args.floors:
        references["bwrap"] = lambda folder: run_bare(tasks, folder, args.concurrency, isolate=True)
        references["beam"] = lambda folder: run_beam_floor(tasks, folder, args.concurrency, isolate=False)
        references["beam+bwrap"] = lambda folder: run_beam_floor(tasks, folder, args.concurrency, isolate=True)
    times: dict[str, list[float]] = {**{name: [] for name in references}, **{name: [] for name, _, _ in variants}}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    with tempfile.TemporaryDirectory(prefix="themis-bare-") as tmp:
        root = pathlib.Path(tmp)
        corpus = root / "tasks.jsonl"
        corpus.write_text("".join(json.dumps(t) + "\n" for t in tasks))
        for number in range(args.rounds):
            for name, run_reference in references.items():
                folder = root / f"{name}{number}"
                folder.mkdir()
                before = children_cpu()
                seconds, passed = run_reference(folder)
                times[name].append(seconds)
                cpu[name].append(children_cpu() - before)
                print(f"round {number + 1}: {name} {seconds:.1f} s ({passed}/{len(tasks)} exit 0)", flush=True)
            for name, checkout, flags in variants:
                before = children_cpu()
                seconds, manifest = run_themis(corpus, root / f"out-{name}-{number}", checkout, flags)
                times[name].append(seconds)
                cpu[name].append(children_cpu() - before)
                execute = manifest["invariants"]["execute"]
                print(f"round {number + 1}: {name} {seconds:.1f} s (execute in {execute['in']}, out {execute['out']})",
                      flush=True)
    bare, bare_cpu = statistics.median(times["bare"]), statistics.median(cpu["bare"])
    print(f"\n| run ({len(tasks)} programs) | wall s, median of {args.rounds} | rounds | / bare | CPU s, median | "
          f"CPU / bare |\n| --- | ---: | --- | ---: | ---: | ---: |")
    for name, seconds in times.items():
        median, used = statistics.median(seconds), statistics.median(cpu[name])
        print(f"| {name} | {median:.1f} | {', '.join(f'{s:.1f}' for s in seconds)} | {median / bare:.2f}x | "
              f"{used:.1f} | {used / bare_cpu:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
