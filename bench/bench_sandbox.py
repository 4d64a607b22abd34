"""Process-sandbox benchmarks, each a ratio measured side by side in one run.

    python bench/bench_sandbox.py [--runs 40] [--mbxp 200] [--only-overhead] [--noise-rounds 10]

1. Overhead per execution: a compiled C hello world run bare (subprocess.run) vs
   in the sandbox (namespaces + cgroup + launcher), and via `docker run --rm` when
   a docker daemon and an image are available (set THEMIS_BENCH_DOCKER_IMAGE).
2. Timing noise: CV of CPU time over 10 sandboxed runs of a ~100 ms C program (per round).
3. Memory: a C program touching 50 MiB, and a 1 MiB one from a 1 GiB Python parent.
4. Throughput: sandboxed executions per second for MBXP Python and C++ canonical
   solutions with their tests (compile included, then cached builds).
Prints Markdown for bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from canonical_pass_rates import candidates as canonical  # noqa: E402
from sandboxes import Limits  # noqa: E402
from sandboxes.languages import spec  # noqa: E402
from sandboxes.process import ProcessSandbox  # noqa: E402
from schemas import Candidate, TestSpec  # noqa: E402

HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'
SPIN = ("#include <stdio.h>\nint main(void) { volatile unsigned long s = 0;\n"
        "  for (unsigned long i = 0; i < ITER; i++) s += i; printf(\"%lu\\n\", s); return 0; }\n")
TOUCH = ("#include <stdlib.h>\nint main(void) { volatile char *p = malloc(SIZE);\n"
         "  for (long i = 0; i < SIZE; i += 4096) p[i] = 1; return 0; }\n")


def cand(code: str, language: str = "C") -> Candidate:
    return Candidate(candidate_id="bench", task_id="bench", language=language, prompt="", code=code,
                     origin="reference", tests=TestSpec())


def ms(values) -> str:
    return f"{statistics.median(values) * 1e3:.1f}"


def settle(box: ProcessSandbox) -> None:
    """Wait until the sandboxes the last runs used are replaced, so preparing them does not slow the next row."""
    while len(box.launcher._pool.parked_pids()) < box.launcher._pool.size:
        time.sleep(0.001)


def overhead(box: ProcessSandbox, runs: int) -> list[str]:
    build = spec("C").prepare(HELLO, box.limits.memory_bytes)
    directory = box._compile(build).directory
    binary = os.path.join(directory, "prog")
    minimal_bwrap = [box.launcher.bwrap, "--unshare-pid", "--unshare-net", *box.launcher._mounts, "--ro-bind", directory, "/code",
                     "--", "/code/prog"]
    bare, bwrap, sandboxed, measured = [], [], [], []
    for _ in range(runs):  # interleaved so machine load hits all alike
        settle(box)
        start = time.perf_counter()
        subprocess.run([binary], capture_output=True, check=True)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(minimal_bwrap, capture_output=True, check=True)
        bwrap.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = box.launcher.launch(build.run, directory, box.limits, env=build.env)
        sandboxed.append(time.perf_counter() - start)
        assert result.status == "ok", result.detail
        start = time.perf_counter()
        box.measure(cand(HELLO), repetitions=1)
        measured.append(time.perf_counter() - start)
    settle(box)
    in_a_row = []
    for _ in range(runs):  # no pause: each run waits for a sandbox the pool is still preparing
        start = time.perf_counter()
        box.measure(cand(HELLO), repetitions=1)
        in_a_row.append(time.perf_counter() - start)
    lines = ["| execution of a compiled C hello world | median ms | vs bare |", "|---|---|---|",
             f"| bare `subprocess.run` | {ms(bare)} | 1x |",
             f"| reference: bare `bwrap --unshare-pid --unshare-net` | {ms(bwrap)} | "
             f"+{(statistics.median(bwrap) - statistics.median(bare)) * 1e3:.1f} ms |",
             f"| process sandbox (bwrap + cgroup + launcher) | {ms(sandboxed)} | "
             f"+{(statistics.median(sandboxed) - statistics.median(bare)) * 1e3:.1f} ms |",
             f"| `measure()` of a cached build (adds Measurement bookkeeping) | {ms(measured)} | "
             f"+{(statistics.median(measured) - statistics.median(bare)) * 1e3:.1f} ms |",
             f"| the same, {runs} back-to-back on one thread (no pause for the pool to refill) | {ms(in_a_row)} | "
             f"+{(statistics.median(in_a_row) - statistics.median(bare)) * 1e3:.1f} ms |"]
    image = os.environ.get("THEMIS_BENCH_DOCKER_IMAGE")
    if image and shutil.which("docker"):
        docker = []
        for _ in range(max(3, runs // 4)):
            start = time.perf_counter()
            subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", f"{directory}:/code:ro", image,
                            "/code/prog"], capture_output=True, check=True)
            docker.append(time.perf_counter() - start)
        lines.append(f"| `docker run --rm` | {ms(docker)} | sandbox is "
                     f"{statistics.median(docker) / statistics.median(sandboxed):.0f}x faster |")
    else:
        lines.append("| `docker run --rm` | not measured here (no image); see the docker section | |")
    return lines


def noise(box: ProcessSandbox, rounds: int) -> list[str]:
    iterations = 10 ** 6
    while True:  # calibrate to ~100 ms of CPU
        m = box.measure(cand(SPIN.replace("ITER", f"{iterations}UL")), repetitions=1)
        if m.cpu_seconds[0] >= 0.05:
            break
        iterations *= 4
    iterations = int(iterations * 0.1 / m.cpu_seconds[0])
    program = cand(SPIN.replace("ITER", f"{iterations}UL"))
    binary = os.path.join(box._prepare(program)[1].directory, "prog")

    def cv(xs):
        return statistics.stdev(xs) / statistics.mean(xs)

    sandboxed, bare_cvs, lines = [], [], []
    for _ in range(rounds):  # each round: 10 runs, the CV the target is about
        cpu, wall, bare = [], [], []
        for _ in range(10):  # interleaved with the same binary run bare, to separate machine noise from ours
            m = box.measure(program, repetitions=1)
            cpu += m.cpu_seconds
            wall += m.wall_seconds
            child = subprocess.Popen([binary], stdout=subprocess.DEVNULL)
            _, _, usage = os.wait4(child.pid, 0)
            child.returncode = 0
            bare.append(usage.ru_utime + usage.ru_stime)
        sandboxed.append(cv(cpu))
        bare_cvs.append(cv(bare))
        lines.append(f"- CPU time over 10 sandboxed runs of a {statistics.mean(cpu) * 1e3:.0f} ms C loop: "
                     f"CV **{cv(cpu):.1%}** (wall-time CV {cv(wall):.1%}; the same binary run bare, interleaved: "
                     f"CPU CV {cv(bare):.1%}; target <= 3%)")
    if rounds > 1:
        lines.append(f"- Median over {rounds} rounds: sandboxed CV **{statistics.median(sandboxed):.1%}**, "
                     f"the same binary bare {statistics.median(bare_cvs):.1%}")
    return lines


def memory(box: ProcessSandbox) -> list[str]:
    fifty = box.measure(cand(TOUCH.replace("SIZE", str(50 * 2 ** 20))), repetitions=5)
    parent = bytearray(2 ** 30)
    for i in range(0, len(parent), 4096):
        parent[i] = 1
    one = box.measure(cand(TOUCH.replace("SIZE", str(2 ** 20))), repetitions=5)
    del parent
    peak = statistics.median(fifty.peak_memory_bytes) / 2 ** 20
    return [f"- C program touching 50 MiB: peak **{peak:.2f} MiB** ({(peak - 50) / 50:+.1%}; target within 5%)",
            f"- C program touching 1 MiB, run from a Python parent holding 1 GiB: peak "
            f"**{statistics.median(one.peak_memory_bytes) / 2 ** 20:.2f} MiB** (the parent does not leak in)"]


def throughput(box: ProcessSandbox, limit: int) -> list[str]:
    lines = ["| MBXP canonical solutions + tests | programs | pass | first pass (compile + run) | cached builds |",
             "|---|---|---|---|---|"]
    for language in ("Python", "Cpp"):
        todo = canonical("mbxp", language, limit)
        rates = []
        for _ in range(2):
            start = time.monotonic()
            measured = box.run_many(todo, repetitions=1)
            rates.append(len(todo) / (time.monotonic() - start))
        ok = sum(m.status == "ok" for m in measured)
        lines.append(f"| {language} | {len(todo)} | {ok} | {rates[0]:.1f} /s | {rates[1]:.1f} /s |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--mbxp", type=int, default=200, help="MBXP programs per language (0: all)")
    parser.add_argument("--only-overhead", action="store_true", help="only the per-execution overhead table")
    parser.add_argument("--noise-rounds", type=int, default=1, help="rounds of 10 runs for the CPU-time CV")
    args = parser.parse_args()
    load = os.getloadavg()
    with ProcessSandbox(Limits(wall_seconds=60), workers=os.cpu_count() or 1) as box:
        sections = [overhead(box, args.runs)]
        if not args.only_overhead:
            sections += [noise(box, args.noise_rounds), memory(box), throughput(box, args.mbxp)]
    print(f"Machine: {os.cpu_count()} cores, load average {load[0]:.1f} at start "
          f"(shared with other jobs), cgroup v{box.launcher.cgroups.version if box.launcher.cgroups else '-'}.\n")
    for section in sections:
        print("\n".join(section) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
