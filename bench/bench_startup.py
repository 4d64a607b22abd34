"""Runtime labels on the tests' work, not process start-up (issue 22): real sandbox runs, side by side.

Every trial measures a pair as the build does (`measure_pairs.measure_stage`: rounds of A, A's
start-up stub, B, B's stub, stages for as long as `more_stages_needed` asks, every program pinned to
a CPU the trial holds, as the label stage does), and the rules judge the same runs: ours
(`runtime_rule`: the staged U test and Hodges-Lehmann ratio on each side's CPU time over its stub's,
floored at --runtime_floor_ms), once per `--rule` (LabelConfig settings; stages are measured until
every rule has decided, and each rule judges only the stages it would have asked for, so each row is
what a build with those settings would have labelled), and the previous one (the same staged test
on the whole process's CPU time, `decide_stages` on the raw figures of the first rule's stages).
Two benchmark processes started side by side each hold a CPU of their own.

- imports: the same function and tests, one side with unused imports or a type annotation on top
  (`from typing import List`, `#include <map>`, `using System.Text;`, `require('util')`, a blank
  Go import of net/http, ...), the tests' work small (a quarter of the asymptotic inputs: a few
  ms, like benchmark tests); imports_heavy: the same on the full inputs (tens of ms of work, so
  the U test decides rather than the floor). Every label is a false one.
- asymptotic: counting distinct values, quadratic (a scan back for an earlier equal value) against
  linear (a hash set, or a seen-array in C), on inputs scaled so the quadratic one takes tens of
  ms; sides alternate which is A. Right = the linear side chosen.
- imports_memory: the imports pair on memory (median peak of 5 runs above each side's own stub's,
  against the previous rule: above the language's bare runtime).
- concurrency: identical pairs through the label stage's own step, one pair at a time against one
  pair per core (and the previous A/B), side by side: false positives and pairs per minute.
- startup10x (Python): a 1.3x difference in a CPU loop under ~10x as much start-up (both sides import
  a dozen standard modules). Right = the faster loop chosen.

Usage:
    python bench/bench_startup.py --bench imports --trials 30
    python bench/bench_startup.py --bench imports_heavy --trials 20
    python bench/bench_startup.py --bench asymptotic --trials 10
    python bench/bench_startup.py --bench startup10x --trials 40 --languages Python
    python bench/bench_startup.py --bench concurrency --trials 40 --languages Python
    python bench/bench_startup.py --bench imports_memory --trials 20
    python bench/bench_startup.py --bench imports --trials 300 --languages Ruby \
        --rule alpha=0.01,ab_max_stages=3 --rule alpha=0.001,ab_max_stages=6 --record ruby.jsonl
"""
from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from anywhere

from sandboxes.base import Limits  # noqa: E402
from sandboxes.cores import held_cpu  # noqa: E402
from sandboxes.process import ProcessSandbox  # noqa: E402
from schemas.records import Candidate, Measurement, TestSpec  # noqa: E402
from transforms.label_config import LabelConfig  # noqa: E402
from transforms.label_rules import Side, memory_rule, runtime_rule  # noqa: E402
from transforms.measure_pairs import measure_stage  # noqa: E402
from transforms.sequential_ab import ABStage, decide_stages, more_stages_needed  # noqa: E402
from transforms.startup_stub import measured_program, stub_candidate  # noqa: E402

# Per language: the quadratic and linear `distinct`, the test (N values, M distinct, E expected), and
# unused imports (Go: a blank import, as Go refuses unused ones; its init runs).
PROGRAMS = {
    "Python": {
        "quadratic": "def distinct(xs):\n    count = 0\n    for i in range(len(xs)):\n        j = 0\n"
                     "        while j < i and xs[j] != xs[i]:\n            j += 1\n        count += j == i\n"
                     "    return count\n",
        "linear": "def distinct(xs):\n    return len(set(xs))\n",
        "test": "xs = [(i * 7919) % {M} for i in range({N})]\nassert distinct(xs) == {E}\n",
        "imports": "from typing import List\nimport json, re\n",
    },
    "C": {
        "quadratic": "#include <stdlib.h>\nint distinct(const int *xs, int n) { int count = 0; for (int i = 0; i < n; i++) "
                     "{ int j = 0; while (j < i && xs[j] != xs[i]) j++; count += j == i; } return count; }\n",
        "linear": "#include <stdlib.h>\nint distinct(const int *xs, int n) { char *seen = calloc(n + 1, 1); int count = 0; "
                  "for (int i = 0; i < n; i++) if (!seen[xs[i]]) { seen[xs[i]] = 1; count++; } free(seen); return count; }\n",
        "test": "int main(void) { int *xs = malloc({N} * sizeof(int)); for (long i = 0; i < {N}; i++) xs[i] = (int)(i * 7919 % {M}); "
                "return distinct(xs, {N}) != {E}; }\n",
        "imports": "#include <math.h>\n#include <string.h>\n#include <stdio.h>\n",
    },
    "Cpp": {
        "quadratic": "#include <vector>\nint distinct(const std::vector<int>& xs) { int count = 0; for (std::size_t i = 0; i < xs.size(); i++) "
                     "{ std::size_t j = 0; while (j < i && xs[j] != xs[i]) j++; count += j == i; } return count; }\n",
        "linear": "#include <vector>\n#include <unordered_set>\nint distinct(const std::vector<int>& xs) "
                  "{ return (int)std::unordered_set<int>(xs.begin(), xs.end()).size(); }\n",
        "test": "int main() { std::vector<int> xs({N}); for (long i = 0; i < {N}; i++) xs[i] = (int)(i * 7919 % {M}); "
                "return distinct(xs) != {E}; }\n",
        "imports": "#include <map>\n#include <iostream>\n#include <regex>\n",
    },
    "Java": {
        "quadratic": "class Solution { static int distinct(int[] xs) { int count = 0; for (int i = 0; i < xs.length; i++) "
                     "{ int j = 0; while (j < i && xs[j] != xs[i]) j++; if (j == i) count++; } return count; } }\n",
        "linear": "class Solution { static int distinct(int[] xs) { java.util.HashSet<Integer> seen = new java.util.HashSet<>(); "
                  "for (int x : xs) seen.add(x); return seen.size(); } }\n",
        "test": "class Main { public static void main(String[] a) { int[] xs = new int[{N}]; for (long i = 0; i < {N}; i++) "
                "xs[(int) i] = (int) (i * 7919 % {M}); if (Solution.distinct(xs) != {E}) System.exit(1); } }\n",
        "imports": "import java.util.*;\nimport java.util.stream.*;\n",
    },
    "CSharp": {
        "quadratic": "class Solution { public static int Distinct(int[] xs) { int count = 0; for (int i = 0; i < xs.Length; i++) "
                     "{ int j = 0; while (j < i && xs[j] != xs[i]) j++; if (j == i) count++; } return count; } }\n",
        "linear": "class Solution { public static int Distinct(int[] xs) { return new HashSet<int>(xs).Count; } }\n",
        "test": "class Program { static void Main() { var xs = new int[{N}]; for (long i = 0; i < {N}; i++) "
                "xs[i] = (int) (i * 7919 % {M}); if (Solution.Distinct(xs) != {E}) System.Environment.Exit(1); } }\n",
        "imports": "using System.Text;\nusing System.Text.RegularExpressions;\n",
    },
    "Go": {
        "quadratic": "package main\n\nfunc distinct(xs []int) int {\n\tcount := 0\n\tfor i := range xs {\n\t\tj := 0\n"
                     "\t\tfor j < i && xs[j] != xs[i] {\n\t\t\tj++\n\t\t}\n\t\tif j == i {\n\t\t\tcount++\n\t\t}\n\t}\n"
                     "\treturn count\n}\n",
        "linear": "package main\n\nfunc distinct(xs []int) int {\n\tseen := map[int]bool{}\n\tfor _, x := range xs {\n"
                  "\t\tseen[x] = true\n\t}\n\treturn len(seen)\n}\n",
        "test": "func main() {\n\txs := make([]int, {N})\n\tfor i := range xs {\n\t\txs[i] = i * 7919 % {M}\n\t}\n"
                "\tif distinct(xs) != {E} {\n\t\tpanic(\"wrong\")\n\t}\n}\n",
        "imports": "import _ \"net/http\"\n",
    },
    "JavaScript": {
        "quadratic": "function distinct(xs) {\n  let count = 0;\n  for (let i = 0; i < xs.length; i++) {\n    let j = 0;\n"
                     "    while (j < i && xs[j] !== xs[i]) j++;\n    if (j === i) count++;\n  }\n  return count;\n}\n",
        "linear": "function distinct(xs) {\n  return new Set(xs).size;\n}\n",
        "test": "const xs = Array.from({ length: {N} }, (_, i) => (i * 7919) % {M});\nif (distinct(xs) !== {E}) process.exit(1);\n",
        "imports": "const util = require('util');\nconst zlib = require('zlib');\n",
    },
    "Ruby": {
        "quadratic": "def distinct(xs)\n  count = 0\n  xs.each_index do |i|\n    j = 0\n    j += 1 while j < i && xs[j] != xs[i]\n"
                     "    count += 1 if j == i\n  end\n  count\nend\n",
        "linear": "def distinct(xs)\n  xs.uniq.size\nend\n",
        "test": "xs = (0...{N}).map { |i| (i * 7919) % {M} }\nraise 'wrong' unless distinct(xs) == {E}\n",
        "imports": "require 'json'\nrequire 'set'\n",
    },
}
# Inputs (N values, N // 2 distinct): the quadratic side does about (N/2)^2 steps.
SCALE = {"Python": 1600, "Ruby": 3200, "C": 12000, "Cpp": 12000, "Java": 16000, "CSharp": 8000, "Go": 12000,
         "JavaScript": 12000}
STARTUP_IMPORTS = ("import asyncio, email.mime.multipart, http.server, xml.dom.minidom, unittest, argparse, decimal, "
                   "difflib, logging.handlers, urllib.request, concurrent.futures, sqlite3, ssl, tarfile, zipfile, csv\n")
LOOP = "def work(n):\n    s = 0\n    for i in range(n):\n        s = (s + i * i) % 1000003\n    return s\n"


def candidate(language: str, code: str, test: str, tag: str) -> Candidate:
    return Candidate(candidate_id=f"{language}-{tag}", task_id=f"bench-{language}", language=language,
                     prompt="benchmark", code=code, origin="reference", tests=TestSpec(code=test))


def distinct_program(language: str, algorithm: str, n: int, imports: bool, tag: str) -> Candidate:
    text = PROGRAMS[language]
    m = n // 2
    code = text[algorithm]
    if imports:
        if language == "Go":
            code = code.replace("package main\n", "package main\n\n" + text["imports"], 1)
        else:
            code = text["imports"] + code
            if language == "Python":
                code = code.replace("def distinct(xs):", "def distinct(xs: List[int]) -> int:")
    test = text["test"].replace("{N}", str(n)).replace("{M}", str(m)).replace("{E}", str(m))
    return candidate(language, code, test, tag)


def stages_wanted(stages: list, config: LabelConfig) -> int | None:
    """How many of `stages` a build with `config` would have measured, or None when it wants more."""
    for k in range(len(stages) + 1):
        if not more_stages_needed(stages[:k], config):
            return k
    return None


def verdicts(a: Candidate, b: Candidate, stages: list, rules: list[LabelConfig]) -> tuple:
    """Per rule (winner 'a', 'b' or None, rounds per side, tie reason) on the stages that rule would
    have measured ('not_replayable' when it wants more than there are), and the previous rule's winner
    on the first rule's stages."""
    ours = []
    for rule in rules:
        wanted = stages_wanted(stages, rule)
        if wanted is None:
            ours.append((None, 0, "not_replayable"))
            continue
        used = stages[:wanted]
        verdict = runtime_rule(Side(a, used[0].a), Side(b, used[0].b), used, rule)
        ours.append((verdict.winner if verdict else None, sum(len(s.a.cpu_seconds) for s in used),
                     verdict.reason if verdict else "not_measured"))
    used = stages[: stages_wanted(stages, rules[0])]
    ok = all(m.status == "ok" for s in used for m in s)
    previous = decide_stages([(list(s.a.cpu_seconds), list(s.b.cpu_seconds)) for s in used], rules[0])[-1] if ok else None
    return ours, previous.faster if previous is not None and previous.decision == "label" else None


def measure(sandbox, a: Candidate, b: Candidate, rules: list[LabelConfig]) -> list[ABStage]:
    """A/B stages of a and b on a CPU this trial holds, until every rule has decided."""
    stages: list = []
    with held_cpu(sorted(os.sched_getaffinity(0))) as cpu:
        while any(stages_wanted(stages, rule) is None for rule in rules):
            stages.append(measure_stage(sandbox, a, b, rules[0].ab_repetitions, cpu))
    return stages


def trial_pair(bench: str, language: str, t: int) -> tuple[Candidate, Candidate, str | None]:
    """Trial t's two programs and the side that should win (None: every label is false)."""
    if bench in ("imports", "imports_heavy"):
        n = SCALE[language] // (1 if bench == "imports_heavy" else 4)
        plain = distinct_program(language, "quadratic", n, False, f"plain{t}")
        extra = distinct_program(language, "quadratic", n, True, f"imports{t}")
        return (plain, extra, None) if t % 2 else (extra, plain, None)
    if bench == "asymptotic":
        n = SCALE[language]
        quad = distinct_program(language, "quadratic", n, False, f"quad{t}")
        lin = distinct_program(language, "linear", n, False, f"lin{t}")
        return (quad, lin, "b") if t % 2 else (lin, quad, "a")
    fast = candidate(language, STARTUP_IMPORTS + LOOP, "assert work(250000) >= 0\n", f"fast{t}")
    slow = candidate(language, STARTUP_IMPORTS + LOOP, "assert work(325000) >= 0\n", f"slow{t}")
    return (slow, fast, "b") if t % 2 else (fast, slow, "a")


def recorded(a: Candidate, b: Candidate, record: dict) -> list[ABStage]:
    """A trial's stages rebuilt from its --record line: the four programs' ids (the stubs' as
    measure_stage names them) and CPU times; every run passed (a trial with a failure has its status)."""
    ids = dict(zip(ABStage._fields, [c.candidate_id for c in (a, b)]
                   + [stub_candidate(measured_program(c)).candidate_id for c in (a, b)]))
    statuses = record.get("statuses") or [{}] * len(record["stages"])

    def program(name: str, cpu: list, status: str) -> Measurement:
        return Measurement(candidate_id=ids[name], task_id=a.task_id, language=a.language, status=status,
                           backend="process", cpu_seconds=cpu)
    return [ABStage(**{name: program(name, stage[name], status.get(name, "ok")) for name in ABStage._fields})
            for stage, status in zip(record["stages"], statuses)]


class Tallies:
    """Per rule and for the previous rule: labels (right / inverted), rounds and tie reasons of a language."""

    def __init__(self, bench: str, language: str, rules: list[LabelConfig]):
        self.bench, self.language, self.rules, self.trials = bench, language, rules, 0
        self.ours = [{"hits": [0, 0], "labelled": 0, "rounds": 0, "reasons": {}} for _ in rules]
        self.previous = {"hits": [0, 0], "labelled": 0}

    def add(self, ours: list, prev: str | None, right: str | None) -> None:
        self.trials += 1
        for (winner, rounds, reason), tally in zip(ours, self.ours):
            tally["rounds"] += rounds
            tally["reasons"][reason or "label"] = tally["reasons"].get(reason or "label", 0) + 1
        for winner, tally in [(w, tally) for (w, _, _), tally in zip(ours, self.ours)] + [(prev, self.previous)]:
            if winner is not None:
                tally["labelled"] += 1
                tally["hits"][0 if right is None or winner == right else 1] += 1

    def rows(self) -> list[str]:
        def cell(tally):
            return f"{tally['labelled']}/{self.trials}" + ("" if self.bench.startswith("imports") else
                                                          f" ({tally['hits'][0]} / {tally['hits'][1]})")
        rows = [f"| {self.bench} | {self.language} | {rule_name(rule)} | {self.trials} | {cell(tally)} | "
                f"{tally['rounds'] / max(1, self.trials):.1f} | "
                f"{', '.join(f'{k} {v}' for k, v in sorted(tally['reasons'].items()))} |"
                for rule, tally in zip(self.rules, self.ours)]
        return rows + [f"| {self.bench} | {self.language} | previous (process CPU) | {self.trials} | "
                       f"{cell(self.previous)} | | |"]


HEADER = ("| bench | language | rule | trials | labelled (right / inverted) | rounds per side | tie reasons |\n"
          "|---|---|---|---|---|---|---|")


def parse_rule(text: str) -> LabelConfig:
    """'alpha=0.001,ab_max_stages=6' -> LabelConfig with those settings (the rest default)."""
    types = {f.name: type(getattr(LabelConfig(), f.name)) for f in dataclasses.fields(LabelConfig)}
    settings = dict(item.split("=", 1) for item in text.split(",") if item)
    unknown = sorted(set(settings) - set(types))
    if unknown:
        raise SystemExit(f"--rule {text}: unknown settings {unknown}")
    return dataclasses.replace(LabelConfig(), **{k: types[k](v) for k, v in settings.items()})


def rule_name(rule: LabelConfig) -> str:
    return f"alpha {rule.alpha:g}, {rule.ab_max_stages} stages, continue {rule.ab_continue_ratio:g}"


def run(bench: str, languages: list[str], trials: range, rules: list[LabelConfig], record: str | None) -> None:
    sandbox = ProcessSandbox(Limits())
    print(HEADER, flush=True)
    log = open(record, "a") if record else None
    try:
        for language in languages:
            started = time.monotonic()
            tallies = Tallies(bench, language, rules)
            for t in trials:
                a, b, right = trial_pair(bench, language, t)
                stages = measure(sandbox, a, b, rules)
                ours, prev = verdicts(a, b, stages, rules)
                tallies.add(ours, prev, right)
                print(f"# {language} trial {t}: ours {[o[0] for o in ours]} previous {prev} right {right} "
                      f"({[o[2] or 'label' for o in ours]})", file=sys.stderr, flush=True)
                if log:
                    log.write(json.dumps({"bench": bench, "language": language, "trial": t, "right": right,
                                          "stages": [{name: list(m.cpu_seconds) for name, m in s._asdict().items()}
                                                     for s in stages],
                                          "statuses": [{name: m.status for name, m in s._asdict().items()}
                                                       for s in stages]}) + "\n")
                    log.flush()
            print("\n".join(tallies.rows()), flush=True)
            print(f"# {language}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        sandbox.close()
        if log:
            log.close()


def replay(paths: list[str], rules: list[LabelConfig]) -> None:
    """The rules judged again on trials recorded with --record, without running anything: each rule on
    the stages it would have measured (a trial where it wants more than were recorded: not_replayable)."""
    tallies: dict[tuple[str, str], Tallies] = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                a, b, right = trial_pair(record["bench"], record["language"], record["trial"])
                key = (record["bench"], record["language"])
                tally = tallies.setdefault(key, Tallies(*key, rules))
                tally.add(*verdicts(a, b, recorded(a, b, record), rules), right)
    print(HEADER)
    for tally in tallies.values():
        print("\n".join(tally.rows()))


def concurrency(trials: int, language: str) -> None:
    """Identical pairs (the imports pair on the full input: tens of ms of work) through the label stage's
    own step, the same pairs four ways, one after the other: the previous A/B (a, b only, one pair at
    a time), ours two pairs at a time unpinned (as before pinning), ours one pair at a time and one
    pair per core, each pinned. Labelled pairs are false positives."""
    from transforms.execute import ExecuteConfig
    from transforms.measure_pairs import _MeasurePairAB

    config = LabelConfig()
    n = SCALE[language]
    pairs = [(Side(distinct_program(language, "quadratic", n, t % 2 == 0, f"x{t}"), None),
              Side(distinct_program(language, "quadratic", n, t % 2 == 1, f"y{t}"), None)) for t in range(trials)]
    print("| mode | pairs | labelled (false positives) | wall s | pairs per minute | programs run |")
    print("|---|---|---|---|---|---|", flush=True)
    sandbox = ProcessSandbox(Limits(), workers=1)
    try:
        started, labelled, runs = time.monotonic(), 0, 0
        for a, b in pairs:
            stages: list = []
            raw: list = []
            while not raw or decide_stages(raw, config)[-1].decision == "continue" and len(raw) < config.ab_max_stages:
                ma, mb = sandbox.run_ab(a.candidate, b.candidate, config.ab_repetitions)
                stages.append((ma, mb))
                raw.append((list(ma.cpu_seconds), list(mb.cpu_seconds)))
            labelled += decide_stages(raw, config)[-1].decision == "label"
            runs += sum(len(ma.cpu_seconds) + len(mb.cpu_seconds) for ma, mb in stages)
        wall = time.monotonic() - started
        print(f"| previous: A/B on process CPU, one pair at a time | {trials} | {labelled} | {wall:.0f} | "
              f"{60 * trials / wall:.1f} | {runs} |", flush=True)
    finally:
        sandbox.close()

    def report(mode: str, outputs: list, wall: float) -> None:
        verdicts = [runtime_rule(Side(a.candidate, s[0].a), Side(b.candidate, s[0].b), s, config) for a, b, s in outputs]
        labelled = sum(v is not None and v.winner is not None for v in verdicts)
        runs = sum(len(m.cpu_seconds) for _, _, s in outputs for stage in s for m in stage)
        print(f"| ours: over start-up stubs, {mode} | {trials} | {labelled} | {wall:.0f} | "
              f"{60 * trials / wall:.1f} | {runs} |", flush=True)

    # The stage before pinning: the same stages, two pairs at a time on threads, the OS placing them.
    sandbox = ProcessSandbox(Limits(), workers=2)
    try:
        def unpinned(pair):
            stages: list = []
            while more_stages_needed(stages, config):
                stages.append(measure_stage(sandbox, pair[0].candidate, pair[1].candidate, config.ab_repetitions))
            return pair[0], pair[1], tuple(stages)

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            outputs = list(pool.map(unpinned, pairs))
        report("2 pairs at a time, not pinned", outputs, time.monotonic() - started)
    finally:
        sandbox.close()
    for workers in (1, 2):
        step = _MeasurePairAB(ExecuteConfig(workers=workers), config, None)
        step.setup()
        started = time.monotonic()
        outputs = list(step.process(pairs))
        report(f"{workers} pair(s) at a time, each pinned to a core", outputs, time.monotonic() - started)


def imports_memory(languages: list[str], trials: int) -> None:
    """The imports pair (small input) on memory: each side and its stub measured 5 times as the build
    does; ours (median peak above each side's own stub's) against the previous rule (above the
    language's bare footprint, `Sandbox.baseline`), on the same runs. Every label is a false one."""
    config = LabelConfig()
    sandbox = ProcessSandbox(Limits())
    print("| bench | language | trials | ours: labelled | previous (above the bare runtime): labelled |")
    print("|---|---|---|---|---|", flush=True)
    try:
        for language in languages:
            bare = int(statistics.median(sandbox.baseline(language).peak_memory_bytes))
            ours = previous = 0
            for t in range(trials):
                n = SCALE[language] // 4
                plain = distinct_program(language, "quadratic", n, False, f"mplain{t}")
                extra = distinct_program(language, "quadratic", n, True, f"mimports{t}")
                a, b = (plain, extra) if t % 2 else (extra, plain)
                ma, mb, sa, sb = sandbox.run_many([a, b, stub_candidate(a), stub_candidate(b)], 5)
                stubs = (int(statistics.median(sa.peak_memory_bytes)), int(statistics.median(sb.peak_memory_bytes)))
                mine = memory_rule(Side(a, ma), Side(b, mb), stubs, config)
                old = memory_rule(Side(a, ma), Side(b, mb), (bare, bare), config)
                ours += mine is not None and mine.winner is not None
                previous += old is not None and old.winner is not None
                print(f"# {language} trial {t}: labelled so far: ours {ours}, previous {previous}", file=sys.stderr,
                      flush=True)
            print(f"| imports_memory | {language} | {trials} | {ours}/{trials} | {previous}/{trials} |", flush=True)
    finally:
        sandbox.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", choices=("imports", "imports_heavy", "imports_memory", "asymptotic", "startup10x", "concurrency"))
    parser.add_argument("--languages", default=",".join(PROGRAMS))
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--first_trial", type=int, default=0,
                        help="number the trials from here (two processes, each a share of the trials; --replay joins them)")
    parser.add_argument("--rule", action="append", default=[],
                        help="LabelConfig settings judged side by side, e.g. alpha=0.001,ab_max_stages=6 "
                             "(repeatable; default: the default LabelConfig)")
    parser.add_argument("--record", help="append each trial's raw CPU figures per stage to this JSONL file")
    parser.add_argument("--replay", nargs="+", metavar="JSONL",
                        help="judge the --rule settings on trials recorded with --record, running nothing")
    args = parser.parse_args()
    if args.replay:
        replay(args.replay, [parse_rule(r) for r in args.rule] or [LabelConfig()])
        return 0
    if args.bench is None:
        parser.error("--bench is required (or --replay)")
    if args.bench == "concurrency":
        concurrency(args.trials, args.languages.split(",")[0])
    elif args.bench == "imports_memory":
        imports_memory(args.languages.split(","), args.trials)
    else:
        run(args.bench, args.languages.split(","), range(args.first_trial, args.first_trial + args.trials),
            [parse_rule(r) for r in args.rule] or [LabelConfig()], args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
