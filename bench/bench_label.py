"""Labelling benchmark: false positives on identical programs and detection of 1.3x
differences, for our runtime and memory rules and the single-run rules peers use.

Real sandbox runs (the process backend), side by side: every trial measures one pair
once, and every rule judges the same runs.

- Runtime. One interleaved A/B measurement per trial (`Sandbox.run_ab`, R runs each).
  Ours: `runtime_rule` (Mann-Whitney U p < alpha and median CPU ratio >= r). Peers:
  one (warm, middle) run's wall-clock time alone, labelled when the ratio is >= r ("single run,
  ratio >= r") or whenever the two differ ("single run, any difference").
- Memory. Each side measured with R repetitions (as the build does). Ours: `memory_rule`
  (median peak above the language's baseline, ratio >= r). Peers: the first run's raw
  peak ratio >= r.

"1.3x slower" means 1.3x the total CPU time of the faster program (its iteration count
is calibrated from measured start-up and per-iteration costs); "1.3x more memory"
means 1.3x the total peak memory. Usage:

    python bench/bench_label.py --languages Python --trials 60 --memory_trials 25
    python bench/bench_label.py --languages C --trials 60 --memory_trials 25
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from anywhere

from sandboxes.base import Limits  # noqa: E402
from sandboxes.process import ProcessSandbox  # noqa: E402
from schemas.records import Candidate, TestSpec  # noqa: E402
from transforms.label import LabelConfig, Side, memory_rule, runtime_rule  # noqa: E402

# A CPU loop of N iterations and an allocation of M bytes that is written (so it is resident).
PROGRAMS = {
    "Python": {
        "cpu": "def work(n):\n    s = 0\n    for i in range(n):\n        s = (s + i * i) % 1000003\n    return s\n",
        "cpu_test": "assert work({n}) >= 0\n",
        "mem": "def hold(m):\n    block = bytearray(b'x' * m)\n    return len(block)\n",
        "mem_test": "assert hold({m}) == {m}\n",
    },
    "C": {
        "cpu": "#include <stdlib.h>\nlong work(long n) { volatile long s = 0; for (long i = 0; i < n; i++) "
               "s = (s + i * i) % 1000003; return s; }\n",
        "cpu_test": "int main(void) { return work({n}L) < 0; }\n",
        "mem": "#include <stdlib.h>\n#include <string.h>\nlong hold(long m) { char *p = malloc(m); "
               "memset(p, 'x', m); long r = p[m - 1] == 'x' ? m : 0; free(p); return r; }\n",
        "mem_test": "int main(void) { return hold({m}L) != {m}L; }\n",
    },
}
MB = 1024 * 1024


def program(language: str, kind: str, size: int, tag: str) -> Candidate:
    """A candidate; `tag` (a comment-free suffix in the id only) keeps two identical programs apart."""
    text = PROGRAMS[language]
    code = text[kind]
    tests = TestSpec(code=text[f"{kind}_test"].replace("{n}", str(size)).replace("{m}", str(size)))
    return Candidate(candidate_id=f"{language}-{kind}-{size}-{tag}", task_id=f"bench-{language}-{kind}",
                     language=language, prompt="benchmark", code=code, origin="reference", tests=tests)


def side(sandbox: ProcessSandbox, candidate: Candidate, repetitions: int) -> Side:
    return Side(candidate, sandbox.run_many([candidate], repetitions)[0])


def calibrate_cpu(sandbox: ProcessSandbox, language: str, target_seconds: float) -> tuple[int, int]:
    """(n, n_slow): n iterations take about target_seconds of CPU, and n_slow 1.3x the total."""
    probe = 200_000 if language == "Python" else 5_000_000

    def cpu(n: int) -> float:
        return statistics.median(sandbox.run_many([program(language, "cpu", n, "cal")], 7)[0].cpu_seconds)

    t1, t2 = cpu(probe), cpu(2 * probe)
    per_iteration = (t2 - t1) / probe
    startup = max(t1 - per_iteration * probe, 0.0)
    n = max(int((target_seconds - startup) / per_iteration), probe // 10)
    total = startup + per_iteration * n
    return n, int(n + 0.3 * total / per_iteration)


def calibrate_memory(sandbox: ProcessSandbox, language: str, m: int) -> int:
    """The allocation that makes the total peak 1.3x that of allocating m bytes."""
    peak = statistics.median(side(sandbox, program(language, "mem", m, "cal"), 5).measurement.peak_memory_bytes)
    return int(m + 0.3 * peak)


def wilson_upper(k: int, n: int, z: float = 1.96) -> float:
    if n == 0:
        return 1.0
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def runtime_trials(sandbox, language, config, n_a, n_b, trials, repetitions, expect_winner):
    """Counts of correct labels (or, for identical programs, of any label) per rule."""
    ours = single = single_any = 0
    for t in range(trials):
        a, b = program(language, "cpu", n_a, f"a{t}"), program(language, "cpu", n_b, f"b{t}")
        ma, mb = sandbox.run_ab(a, b, repetitions)
        sa, sb = Side(a, ma), Side(b, mb)
        verdict = runtime_rule(sa, sb, (ma, mb), config)
        middle = len(ma.wall_seconds) // 2  # a warm run: kinder to the single-run rule than the first
        wall = (ma.wall_seconds[middle], mb.wall_seconds[middle])
        ratio = max(wall) / min(wall)
        peer = ("a" if wall[0] < wall[1] else "b") if ratio >= config.runtime_ratio else None
        peer_any = "a" if wall[0] < wall[1] else ("b" if wall[1] < wall[0] else None)
        hit = (lambda w: w is not None) if expect_winner is None else (lambda w: w == expect_winner)
        ours += hit(verdict.winner)
        single += hit(peer)
        single_any += hit(peer_any)
    return ours, single, single_any


def memory_trials(sandbox, language, config, m_a, m_b, trials, repetitions, baseline, expect_winner):
    ours = single = 0
    for t in range(trials):
        sa = side(sandbox, program(language, "mem", m_a, f"a{t}"), repetitions)
        sb = side(sandbox, program(language, "mem", m_b, f"b{t}"), repetitions)
        verdict = memory_rule(sa, sb, baseline, config)
        peaks = (sa.measurement.peak_memory_bytes[0], sb.measurement.peak_memory_bytes[0])
        peer = ("a" if peaks[0] < peaks[1] else "b") if max(peaks) / min(peaks) >= config.memory_ratio else None
        hit = (lambda w: w is not None) if expect_winner is None else (lambda w: w == expect_winner)
        ours += hit(verdict.winner if verdict else None)
        single += hit(peer)
    return ours, single


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default="Python,C")
    parser.add_argument("--trials", type=int, default=100, help="pairs per runtime cell")
    parser.add_argument("--memory_trials", type=int, default=40, help="pairs per memory cell")
    parser.add_argument("--repetitions", type=int, default=10, help="A/B runs per side (runtime)")
    parser.add_argument("--memory_repetitions", type=int, default=5, help="runs per side (memory)")
    parser.add_argument("--cpu_seconds", type=float, default=0.05, help="CPU time of the faster program")
    parser.add_argument("--memory_mb", type=int, default=16, help="allocation of the leaner program")
    args = parser.parse_args()
    config = LabelConfig(ab_repetitions=args.repetitions)
    sandbox = ProcessSandbox(Limits())
    started = time.monotonic()
    print("| language | criterion | rule | false positives on identical pairs (95% upper) "
          "| detected 1.3x differences |")
    print("|---|---|---|---|---|", flush=True)
    try:
        for language in args.languages.split(","):
            n, n_slow = calibrate_cpu(sandbox, language, args.cpu_seconds)
            m = args.memory_mb * MB
            m_big = calibrate_memory(sandbox, language, m)
            baseline = int(statistics.median(sandbox.baseline(language).peak_memory_bytes))
            print(f"# {language}: n={n} n_slow={n_slow} m={m} m_big={m_big} baseline={baseline}",
                  file=sys.stderr, flush=True)
            same = runtime_trials(sandbox, language, config, n, n, args.trials, args.repetitions, None)
            slower = runtime_trials(sandbox, language, config, n_slow, n, args.trials, args.repetitions, "b")
            print_rows(language, "runtime", ("ours: A/B x%d, U test + median CPU ratio" % args.repetitions,
                                             "single run, wall ratio >= %.1f" % config.runtime_ratio,
                                             "single run, any difference"), args.trials, same, slower)
            same_m = memory_trials(sandbox, language, config, m, m, args.memory_trials, args.memory_repetitions,
                                   baseline, None)
            bigger = memory_trials(sandbox, language, config, m_big, m, args.memory_trials,
                                   args.memory_repetitions, baseline, "b")
            print_rows(language, "memory", ("ours: median peak above baseline x%d" % args.memory_repetitions,
                                            "single run, raw peak ratio >= %.1f" % config.memory_ratio),
                       args.memory_trials, same_m, bigger)
    finally:
        sandbox.close()
    print(f"\n{time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


def print_rows(language, criterion, rules, trials, same, diff) -> None:
    for rule, fp, hit in zip(rules, same, diff):
        print(f"| {language} | {criterion} | {rule} | {fp}/{trials} = {fp / trials:.1%} "
              f"(<= {wilson_upper(fp, trials):.1%}) | {hit}/{trials} = {hit / trials:.1%} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
