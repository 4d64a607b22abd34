"""Scale-out benchmark: build 1x, 4x and 16x copies of a corpus on the DirectRunner and on a
loopback Dask cluster; wall time, and peak memory of the driver and of each worker.

Copies get new task ids and a comment naming the copy appended to every candidate,
so each copy is new content: it is executed and scanned again, not found in the store.

    python -m bench.bench_scale --copies 1,4,16 --runners direct,dask --workers 2 --write

Each build runs in a fresh driver process (and, for Dask, on a fresh cluster) so that
peak-memory figures are not carried over from an earlier build.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))

COMMENT = {"Python": "#", "Ruby": "#"}  # the other six languages take `//`
SECTION = "## Scale out"


def make_corpus(source: pathlib.Path, copies: int, languages: set[str], target: pathlib.Path) -> int:
    tasks = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    tasks = [t for t in tasks if not languages or t["language"] in languages]
    with target.open("w") as fh:
        for k in range(copies):
            for task in tasks:
                copy = json.loads(json.dumps(task))
                if k:
                    copy["task_id"] = f"{task['task_id']}#copy{k}"
                    mark = COMMENT.get(task["language"], "//")
                    for candidate in copy["candidates"]:
                        candidate["code"] = f"{candidate['code'].rstrip()}\n{mark} copy {k}\n"
                fh.write(json.dumps(copy) + "\n")
    return len(tasks) * copies


def _hwm_kb(pid: int) -> int:
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class BeamWorkerPeaks:
    """Samples the peak RSS (VmHWM) of the DirectRunner's SDK worker processes under this driver."""

    def __init__(self, every: float = 0.5):
        self.every = every
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            for pid in _descendants(os.getpid()):
                try:
                    cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"sdk_worker_main" in cmdline:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), _hwm_kb(pid))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def child(args) -> None:
    """One build in this process; prints a JSON line with its figures."""
    from pipelines.build import make_options, run_build

    argv = ["--input", args.input, "--output", args.output, "--store", args.store, *args.build_args]
    if args.address:
        argv += ["--runner", "dask", f"--dask_client_address={args.address}"]
    options = make_options(argv)
    with BeamWorkerPeaks() as sampler:
        start = time.perf_counter()
        manifest = run_build(options)
        wall = time.perf_counter() - start
    pairs = sum(n for key, n in _flat(manifest["counts"]) if key.startswith("pairs/"))
    print(json.dumps({"wall_s": wall, "driver_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "worker_peaks_kb": sorted(sampler.peaks.values()), "pairs": pairs}))


def _flat(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}/")
        else:
            yield f"{prefix}{key}", value


def _dask_peaks(address: str) -> list[int]:
    from distributed import Client

    with Client(address) as client:
        return sorted(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values())


def measure(runner: str, copies: int, args, work: pathlib.Path) -> dict:
    from dask_cluster import LocalDaskCluster

    corpus = work / f"corpus-{copies}x.jsonl"
    n_tasks = make_corpus(pathlib.Path(args.corpus), copies, set(filter(None, args.languages.split(","))), corpus)
    run_dir = work / f"{runner}-{copies}x"
    cmd = [sys.executable, "-m", "bench.bench_scale", "--child", "--input", str(corpus),
           "--output", str(run_dir / "out"), "--store", str(run_dir / "store.sqlite"), "--", *args.build_args]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if runner == "dask":
        with LocalDaskCluster(n_workers=args.workers, nthreads=1) as cluster:
            done = subprocess.run(cmd[:3] + ["--address", cluster.address] + cmd[3:], cwd=REPO_ROOT, env=env,
                                  capture_output=True, text=True)
            worker_peaks = _dask_peaks(cluster.address) if done.returncode == 0 else []
    else:
        done = subprocess.run(cmd + [f"--direct_num_workers={args.workers}"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True)
        worker_peaks = None
    if done.returncode != 0:
        raise SystemExit(f"{runner} {copies}x failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if worker_peaks is not None:
        result["worker_peaks_kb"] = worker_peaks
    result.update(runner=runner, copies=copies, tasks=n_tasks)
    return result


def table(results: list[dict]) -> str:
    base = {r["runner"]: r["wall_s"] / r["copies"] for r in results if r["copies"] == min(x["copies"] for x in results)}
    lines = ["| runner | copies | tasks | pairs | wall s | wall / linear | driver peak MB | worker peaks MB |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        linear = base[r["runner"]] * r["copies"]
        workers = ", ".join(f"{kb / 1024:.0f}" for kb in r["worker_peaks_kb"]) or "-"
        lines.append(f"| {r['runner']} | {r['copies']}x | {r['tasks']} | {r['pairs']} | {r['wall_s']:.1f} | "
                     f"{r['wall_s'] / linear:.2f} | {r['driver_peak_kb'] / 1024:.0f} | {workers} |")
    return "\n".join(lines)


def write_results(text: str) -> None:
    path = REPO_ROOT / "bench" / "RESULTS.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    block = f"{SECTION}\n\n{text.strip()}\n\n"
    path.write_text(pattern.sub(lambda _: block, current) if pattern.search(current)
                    else current.rstrip("\n") + "\n\n" + block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", default=str(REPO_ROOT / "examples" / "tasks.jsonl"))
    parser.add_argument("--languages", default="", help="keep only these languages (comma-separated)")
    parser.add_argument("--copies", default="1,4,16")
    parser.add_argument("--runners", default="direct,dask")
    parser.add_argument("--workers", type=int, default=2, help="DirectRunner processes = Dask worker processes")
    parser.add_argument("--write", action="store_true", help="replace the Scale out section of bench/RESULTS.md")
    parser.add_argument("build_args", nargs="*", help="extra `themis build` flags, after --")
    args = parser.parse_args()
    if args.child:
        return child(args)
    work = pathlib.Path(tempfile.mkdtemp(prefix="themis-bench-scale-"))
    try:
        results = []
        for copies in [int(c) for c in args.copies.split(",")]:
            for runner in args.runners.split(","):
                results.append(measure(runner, copies, args, work))
                print(json.dumps(results[-1]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    command = "python -m bench.bench_scale " + " ".join(sys.argv[1:])
    text = (f"Command: `{command}`\n\n{table(results)}\n\n"
            f"`wall / linear` is wall time over (the {min(int(c) for c in args.copies.split(','))}x "
            "time of the same runner x copies); peak memory is VmHWM / ru_maxrss.")
    print(text)
    if args.write:
        write_results(text)


if __name__ == "__main__":
    main()
