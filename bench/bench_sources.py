"""Benchmarks for the candidate sources: commit mining and MinHash dedup.

    python bench/bench_sources.py [--commits 20000] [--records 6000]

1. Mining: builds a synthetic git history with `git fast-import` (eight languages,
   a mix of kept, trivial, unclassified and multi-file commits) and mines it with
   `mine_repository` (one `git log` + batched `git cat-file --batch`); side by side,
   the same contents fetched with one `git show` per commit, on a sample.
2. Dedup: MBXP canonical solutions of all languages plus light-edit copies; MinHash
   signatures per second (pure function), and the Beam `Deduplicate` transform
   (exact + near) end to end on the DirectRunner, records per second.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import apache_beam as beam  # noqa: E402

from schemas import Candidate, TestSpec  # noqa: E402
from transforms.dedup import Deduplicate, MinHashConfig, MinHasher  # noqa: E402
from transforms.sources.commits import CommitConfig, git_commits, mine_repository  # noqa: E402

FILES = ["src/a.py", "src/b.c", "src/c.cpp", "src/d.go", "src/E.java", "src/f.js", "src/g.rb", "src/H.cs"]
MESSAGES = ["Speed up the {x} loop", "Fix off-by-one in {x}", "Reduce memory usage of {x}", "Sanitize {x} input",
            "Refactor {x} for readability", "wip", "Update the {x} module", "Tweak"]
MIT = ("Permission is hereby granted, free of charge, to any person obtaining a copy of this software "
       "and associated documentation files.\n")


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (git): on a shared machine wall time overstates cost."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def synthetic_history(path: str, commits: int, seed: int = 0) -> None:
    """A repository of `commits` commits written through one `git fast-import` stream."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", path], check=True)
    contents = {f: "".join(f"line {i} of {f}\n" for i in range(60)) for f in FILES}
    out = ["blob", "mark :1", f"data {len(MIT)}", MIT]
    stamp = 1_600_000_000
    for n in range(commits):
        touched = FILES if n == 0 else rng.sample(FILES, 2 if rng.random() < 0.1 else 1)
        message = "Initial commit" if n == 0 else rng.choice(MESSAGES).format(x=f"part{n % 97}")
        out += ["commit refs/heads/main", f"committer Dev <dev@example.org> {stamp + 60 * n} +0000",
                f"data {len(message.encode())}", message]
        if n == 0:
            out.append("M 100644 :1 LICENSE")
        for f in touched:
            lines = contents[f].splitlines(keepends=True)
            lines[rng.randrange(len(lines))] = f"changed in {n}\n"
            contents[f] = "".join(lines)
            data = contents[f].encode()
            out += [f"M 100644 inline {f}", f"data {len(data)}", contents[f]]
        out.append("")
    stream = "\n".join(out).encode()
    subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input=stream, check=True)
    subprocess.run(["git", "-C", path, "reset", "-q", "--hard", "main"], check=True)


def bench_mining(commits: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "history")
        start = time.perf_counter()
        synthetic_history(repo, commits)
        built = time.perf_counter() - start
        start, cpu = time.perf_counter(), cpu_seconds()
        results = list(mine_repository(repo, CommitConfig()))
        mined, mined_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        kept = [r for r in results if type(r).__name__ == "Task"]
        # side by side: one `git show` per commit for the old and new file, on a sample
        sample = [c for c in git_commits(repo, "history", "MIT") if len(c.changes) == 1][:300]
        start, cpu = time.perf_counter(), cpu_seconds()
        for c in sample:
            path = c.changes[0][2]
            for rev in (f"{c.sha}^:{path}", f"{c.sha}:{path}"):
                subprocess.run(["git", "-C", repo, "show", rev], capture_output=True, check=True)
        per_commit, per_commit_cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"commits": len(results), "kept": len(kept), "build_s": built, "mine_s": mined, "mine_cpu_s": mined_cpu,
            "commits_per_s": len(results) / mined, "commits_per_cpu_s": len(results) / mined_cpu,
            "kept_per_s": len(kept) / mined, "per_commit_show_commits_per_s": len(sample) / per_commit,
            "per_commit_show_commits_per_cpu_s": len(sample) / per_commit_cpu}


def _records(limit: int) -> list[Candidate]:
    rows = []
    for path in sorted(glob.glob("/work/shared/data/mbxp/*.jsonl")):
        rows += [json.loads(line) for line in open(path, encoding="utf-8")]
    out = []
    for r in rows:
        if not r.get("canonical_solution"):
            continue
        language = {"python": "Python", "java": "Java", "javascript": "JavaScript", "cpp": "Cpp", "csharp": "CSharp",
                    "ruby": "Ruby", "go": "Go"}[r["language"]]
        code = r["prompt"] + r["canonical_solution"]
        out.append(Candidate(candidate_id=Candidate.make_id(r["task_id"], language, code), task_id=r["task_id"],
                             language=language, prompt="", code=code, origin="reference", tests=TestSpec()))
    base = out[: int(limit * 0.8)]
    copies = [c.replace(code=c.code + "\n// light edit\n",
                        candidate_id=Candidate.make_id(c.task_id, c.language, c.code + "\n// light edit\n"))
              for c in base[: limit - len(base)]]
    return base + copies


def bench_dedup(limit: int) -> dict:
    records = _records(limit)
    hasher = MinHasher(MinHashConfig())
    start, cpu = time.perf_counter(), cpu_seconds()
    for r in records:
        hasher.signature(r.code)
    signing, signing_cpu = time.perf_counter() - start, cpu_seconds() - cpu
    start, cpu = time.perf_counter(), cpu_seconds()
    with beam.Pipeline(runner="DirectRunner") as p:
        out = p | beam.Create(records) | Deduplicate(MinHashConfig())
        out["records"] | "Count" >> beam.combiners.Count.Globally()
    pipeline, pipeline_cpu = time.perf_counter() - start, cpu_seconds() - cpu
    counters = {r.key.metric.name: r.committed for r in p.result.metrics().query()["counters"]}
    return {"records": len(records), "signatures_per_s": len(records) / signing,
            "signatures_per_cpu_s": len(records) / signing_cpu, "beam_records_per_s": len(records) / pipeline,
            "beam_records_per_cpu_s": len(records) / pipeline_cpu, "beam_s": pipeline, "dropped": counters}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--records", type=int, default=6000)
    args = parser.parse_args()
    print(json.dumps({"mining": bench_mining(args.commits), "dedup": bench_dedup(args.records)}, indent=2))


if __name__ == "__main__":
    main()
