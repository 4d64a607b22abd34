"""Per-execution overhead: warm Docker containers vs `docker run --rm` per execution vs the process backend.

    python bench/bench_docker.py [--rounds 5] [--per-round 10] [--language C] [--write]

One program (a compiled hello world by default) runs through three paths, interleaved
round by round so machine drift hits all of them alike:
  warm docker      DockerSandbox: the request goes to a running container's agent
  docker run --rm  a fresh container per execution (same image, limits, agent and request),
                   created, attached, started and removed each time
  process          ProcessSandbox (bubblewrap + cgroup + launcher), when it can run here
Overhead = host wall time per execution minus the program's own wall time as the launcher
measured it. `--write` replaces the `## Sandboxes (docker backend)` section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sandboxes import Limits, SandboxUnavailable, open_sandbox  # noqa: E402
from sandboxes.docker import HeldContainer, WarmContainer  # noqa: E402
from schemas import Candidate, TestSpec  # noqa: E402

HEADING = "## Sandboxes (docker backend)"
PROGRAMS = {
    "C": '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n',
    "Python": "print('hi')\n",
}


def warm_runs(sandbox, candidate: Candidate, n: int) -> list[tuple[float, float]]:
    """(host seconds, program seconds) per execution through the sandbox's normal path."""
    out = []
    for _ in range(n):
        start = time.perf_counter()
        m = sandbox.run_many([candidate])[0]
        host = time.perf_counter() - start
        assert m.status == "ok", m.stderr_tail
        out.append((host, m.wall_seconds[0]))
    return out


def docker_run_runs(sandbox, candidate: Candidate, n: int) -> list[tuple[float, float]]:
    """The same launch, but in a container created and removed around each execution."""
    build, compiled = sandbox._prepare(candidate)
    out = []
    for _ in range(n):
        start = time.perf_counter()
        warm = WarmContainer(sandbox.launcher.client, candidate.language, sandbox.limits)
        held = HeldContainer(sandbox.launcher, (candidate.language, False), warm)
        result = held.launch(build.run, compiled.directory, sandbox.limits, env=build.env)
        warm.remove()
        host = time.perf_counter() - start
        assert result.status == "ok", result.stderr
        out.append((host, result.wall_seconds))
    return out


def summarize(samples: list[tuple[float, float]]) -> tuple[float, float]:
    """Median host ms and median overhead ms per execution."""
    return (statistics.median(h for h, _ in samples) * 1e3, statistics.median(h - p for h, p in samples) * 1e3)


def write_section(text: str, path: str) -> None:
    existing = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    start = existing.find(HEADING)
    if start < 0:
        existing = existing.rstrip("\n") + "\n\n" + text
    else:
        end = existing.find("\n## ", start + len(HEADING))
        existing = existing[:start] + text + (existing[end + 1:] if end >= 0 else "")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(existing)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--language", default="C", choices=sorted(PROGRAMS))
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args(argv)
    limits = Limits()
    candidate = Candidate(candidate_id="bench", task_id="bench", language=args.language, prompt="",
                          code=PROGRAMS[args.language], origin="reference", tests=TestSpec())
    docker_sb = open_sandbox("docker", limits)
    try:
        process_sb = open_sandbox("process", limits)
    except SandboxUnavailable as exc:
        print(f"process backend skipped: {exc}", file=sys.stderr)
        process_sb = None
    paths = {"warm docker": lambda n: warm_runs(docker_sb, candidate, n),
             "docker run --rm": lambda n: docker_run_runs(docker_sb, candidate, n)}
    if process_sb is not None:
        paths["process"] = lambda n: warm_runs(process_sb, candidate, n)
    samples: dict[str, list] = {name: [] for name in paths}
    try:
        for run in paths.values():  # warm-up: compile, start the first containers
            run(2)
        for _ in range(args.rounds):
            for name, run in paths.items():
                samples[name] += run(args.per_round)
    finally:
        docker_sb.close()
        if process_sb is not None:
            process_sb.close()

    stats = {name: summarize(s) for name, s in samples.items()}
    warm_total = stats["warm docker"][0]
    lines = [HEADING, "",
             f"Per-execution cost of one {args.language} hello world (compiled once), {args.rounds} interleaved rounds "
             f"x {args.per_round} executions per path; medians. {os.cpu_count()} cores, {platform.platform()}, "
             f"load average {os.getloadavg()[0]:.1f} at the end (a machine shared with other jobs).", "",
             f"Command: `python bench/bench_docker.py --rounds {args.rounds} --per-round {args.per_round} "
             f"--language {args.language} --write`", "",
             "| path | host ms / execution | overhead ms (host - program wall) | vs warm docker |",
             "|---|---|---|---|"]
    for name, (host, overhead) in stats.items():
        lines.append(f"| {name} | {host:.1f} | {overhead:.1f} | {host / warm_total:.1f}x |")
    ratio = stats["docker run --rm"][0] / warm_total
    lines += ["", f"Warm docker is {ratio:.1f}x cheaper per execution than a container per execution "
                  f"(target: at least 10x).", ""]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(text, os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
