"""Labelling benchmark: false positives on identical programs and detection of 1.3x
differences, for our runtime and memory rules and the single-run rules peers use.

Real sandbox runs (the process backend), side by side: every trial measures one pair
once, and every rule judges the same runs.

- Runtime. Each trial measures the pair as the build does: interleaved A/B stages
  (`measure_pairs.measure_stage`: R rounds of A, A's start-up stub, B, B's stub) for as long as `more_stages_needed` asks,
  under the largest of --runtime_ratios. Ours: `runtime_rule` at each ratio r (staged
  Mann-Whitney U at alpha / stages, Hodges-Lehmann ratio >= r). Replaying the lower
  ratios on those stages is exact: a lower r never wants a stage a higher r did not.
  Previous rule: the first stage alone, U p < alpha and ratio of medians >= 1.2. Peers:
  one (warm, middle) run of the first stage, wall-clock time alone, labelled when the
  ratio is >= 1.2 ("single run, ratio >= 1.2") or whenever the two differ ("single
  run, any difference").
- Memory. Each side measured with R repetitions (as the build does). Ours: `memory_rule`
  (median peak above the language's baseline, ratio >= r). Peers: the first run's raw
  peak ratio >= r.

"1.3x slower" means 1.3x the total CPU time of the faster program (its iteration count
is calibrated from measured start-up and per-iteration costs); "1.3x more memory"
means 1.3x the total peak memory. Usage:

    python bench/bench_label.py --languages Python --trials 300 --detection_trials 100 --memory_trials 40
    python bench/bench_label.py --languages C --trials 60 --memory_trials 25
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from anywhere

from sandboxes.base import Limits  # noqa: E402
from sandboxes.process import ProcessSandbox  # noqa: E402
from schemas.records import Candidate, TestSpec  # noqa: E402
from scipy.stats import mannwhitneyu  # noqa: E402

from transforms.label_config import LabelConfig  # noqa: E402
from transforms.label_rules import Side, memory_rule, runtime_rule  # noqa: E402
from transforms.measure_pairs import measure_stage  # noqa: E402
from transforms.sequential_ab import more_stages_needed  # noqa: E402

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


PEER_RATIO = 1.2  # the previous rule's and the single-run rule's threshold


def measure_stages(sandbox, a: Candidate, b: Candidate, config: LabelConfig) -> list:
    """The A/B stages the build would measure for this pair under `config`."""
    stages: list = []
    while more_stages_needed(stages, config):  # False once ab_max_stages are measured
        stages.append(measure_stage(sandbox, a, b, config.ab_repetitions))
    return stages


def previous_rule(first_stage, alpha: float) -> Optional[str]:
    """The rule before the staged one: one stage, U test p < alpha and ratio of median CPU times >= 1.2."""
    times = [m.cpu_seconds for m in first_stage]
    medians = [statistics.median(t) for t in times]
    if mannwhitneyu(times[0], times[1], alternative="two-sided").pvalue >= alpha:
        return None
    if max(medians) < PEER_RATIO * min(medians):
        return None
    return "a" if medians[0] < medians[1] else "b"


def runtime_trials(sandbox, language, configs, n_a, n_b, trials, expect_winner):
    """Per rule, the count of correct labels (or, for identical programs, of any label), and the
    mean A/B runs per side the staged measurement took. `configs`: ours, measured under the last."""
    hits = [0] * (len(configs) + 3)
    runs = 0
    hit = (lambda w: w is not None) if expect_winner is None else (lambda w: w == expect_winner)
    for t in range(trials):
        a, b = program(language, "cpu", n_a, f"a{t}"), program(language, "cpu", n_b, f"b{t}")
        stages = measure_stages(sandbox, a, b, configs[-1])
        runs += sum(len(stage.a.cpu_seconds) for stage in stages)
        sa, sb = Side(a, stages[0].a), Side(b, stages[0].b)
        winners = [getattr(runtime_rule(sa, sb, stages, config), "winner", None) for config in configs]
        ma, mb = stages[0].a, stages[0].b
        middle = len(ma.wall_seconds) // 2  # a warm run: kinder to the single-run rule than the first
        wall = (ma.wall_seconds[middle], mb.wall_seconds[middle])
        faster = "a" if wall[0] < wall[1] else ("b" if wall[1] < wall[0] else None)
        winners += [previous_rule((ma, mb), configs[-1].alpha),
                    faster if max(wall) >= PEER_RATIO * min(wall) else None, faster]
        for i, winner in enumerate(winners):
            hits[i] += hit(winner)
    return hits, runs / trials


def memory_trials(sandbox, language, config, m_a, m_b, trials, repetitions, baseline, expect_winner):
    ours = single = 0
    for t in range(trials):
        sa = side(sandbox, program(language, "mem", m_a, f"a{t}"), repetitions)
        sb = side(sandbox, program(language, "mem", m_b, f"b{t}"), repetitions)
        verdict = memory_rule(sa, sb, (baseline, baseline), config)  # same imports: one stub
        peaks = (sa.measurement.peak_memory_bytes[0], sb.measurement.peak_memory_bytes[0])
        peer = ("a" if peaks[0] < peaks[1] else "b") if max(peaks) / min(peaks) >= config.memory_ratio else None
        hit = (lambda w: w is not None) if expect_winner is None else (lambda w: w == expect_winner)
        ours += hit(verdict.winner if verdict else None)
        single += hit(peer)
    return ours, single


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default="Python,C")
    parser.add_argument("--trials", type=int, default=100, help="identical pairs per runtime cell")
    parser.add_argument("--detection_trials", type=int, default=0, help="1.3x pairs per runtime cell (0: --trials)")
    parser.add_argument("--memory_trials", type=int, default=40, help="pairs per memory cell")
    parser.add_argument("--repetitions", type=int, default=10, help="A/B runs per side and stage (runtime)")
    parser.add_argument("--max_stages", type=int, default=3, help="A/B stages at most (runtime)")
    parser.add_argument("--continue_ratio", type=float, default=1.1, help="below it after a stage: a tie")
    parser.add_argument("--runtime_ratios", default="1.15,1.2", help="our rule's thresholds to judge")
    parser.add_argument("--memory_repetitions", type=int, default=5, help="runs per side (memory)")
    parser.add_argument("--cpu_seconds", type=float, default=0.05, help="CPU time of the faster program")
    parser.add_argument("--memory_mb", type=int, default=16, help="allocation of the leaner program")
    args = parser.parse_args()
    ratios = sorted(float(r) for r in args.runtime_ratios.split(","))
    configs = [LabelConfig(ab_repetitions=args.repetitions, ab_max_stages=args.max_stages,
                           ab_continue_ratio=args.continue_ratio, runtime_ratio=r) for r in ratios]
    memory_config = LabelConfig()
    detection_trials = args.detection_trials or args.trials
    sandbox = ProcessSandbox(Limits())
    started = time.monotonic()
    print("| language | criterion | rule | false positives on identical pairs (95% upper) "
          "| detected 1.3x differences | A/B runs per side, identical / 1.3x |")
    print("|---|---|---|---|---|---|", flush=True)
    try:
        for language in args.languages.split(","):
            n, n_slow = calibrate_cpu(sandbox, language, args.cpu_seconds)
            m = args.memory_mb * MB
            m_big = calibrate_memory(sandbox, language, m)
            baseline = int(statistics.median(sandbox.baseline(language).peak_memory_bytes))
            print(f"# {language}: n={n} n_slow={n_slow} m={m} m_big={m_big} baseline={baseline}",
                  file=sys.stderr, flush=True)
            same, runs_same = runtime_trials(sandbox, language, configs, n, n, args.trials, None)
            print(f"# identical: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
            slower, runs_slower = runtime_trials(sandbox, language, configs, n_slow, n, detection_trials, "b")
            print(f"# 1.3x: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
            staged = f"{runs_same:.1f} / {runs_slower:.1f}"
            rules = [(f"ours: staged A/B x{args.repetitions} (<= {args.max_stages} stages), U test at "
                      f"{configs[0].alpha:g}/{args.max_stages} + Hodges-Lehmann ratio >= {r:g}", staged)
                     for r in ratios]
            rules += [(f"previous: one A/B stage x{args.repetitions}, U test at {configs[0].alpha:g} + median ratio "
                       f">= {PEER_RATIO:g}", f"{args.repetitions} / {args.repetitions}"),
                      (f"single run, wall ratio >= {PEER_RATIO:g}", "1 / 1"), ("single run, any difference", "1 / 1")]
            print_rows(language, "runtime", rules, (args.trials, detection_trials), same, slower)
            same_m = memory_trials(sandbox, language, memory_config, m, m, args.memory_trials,
                                   args.memory_repetitions, baseline, None)
            bigger = memory_trials(sandbox, language, memory_config, m_big, m, args.memory_trials,
                                   args.memory_repetitions, baseline, "b")
            runs_m = f"{args.memory_repetitions} (not A/B)"
            print_rows(language, "memory",
                       [(f"ours: median peak above baseline x{args.memory_repetitions}", runs_m),
                        (f"single run, raw peak ratio >= {memory_config.memory_ratio:g}", "1 (not A/B)")],
                       (args.memory_trials, args.memory_trials), same_m, bigger)
    finally:
        sandbox.close()
    print(f"\n{time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


def print_rows(language, criterion, rules, trials, same, diff) -> None:
    (n_same, n_diff) = trials
    for (rule, runs), fp, hit in zip(rules, same, diff):
        print(f"| {language} | {criterion} | {rule} | {fp}/{n_same} = {fp / n_same:.1%} "
              f"(<= {wilson_upper(fp, n_same):.1%}) | {hit}/{n_diff} = {hit / n_diff:.1%} | {runs} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
