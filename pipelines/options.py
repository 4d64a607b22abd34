"""`ThemisOptions`: the build's flags, and YAML config files whose keys match them.

A config file key `runtime_ratio: 1.3` is the flag `--runtime_ratio 1.3`; flags on
the command line win over the file.
"""
from __future__ import annotations

import argparse
from typing import Sequence

import yaml
from apache_beam.options.pipeline_options import PipelineOptions

from transforms.label_config import LabelConfig

_LABEL = LabelConfig()  # the labelling defaults, defined once there


class ConfigError(ValueError):
    """A config file that cannot be used; the message says why."""


class ThemisOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        io = parser.add_argument_group("input and output")
        io.add_argument("--input", help="task file(s): JSONL, Parquet, a glob, or a `datasets` path or hub name")
        io.add_argument("--output", help="output directory (data/, manifest.json, README.md, dead_letters/)")
        io.add_argument("--format", default="auto",
                        help="input format: auto, jsonl, parquet, datasets, mceval, mbxp, humanevalx, multiple")
        io.add_argument("--column_map", default="",
                        help="rename input columns to the task format: 'task_id=problem_id,prompt=question'")
        io.add_argument("--dataset_split", default="train", help="split to read when --input is a `datasets` dataset")
        io.add_argument("--config", default=None, help="YAML file whose keys match these flags")
        io.add_argument("--num_shards", type=int, default=1, help="Parquet shards per split")
        io.add_argument("--splits", default="train=1.0",
                        help="split names and fractions by task id, e.g. 'train=0.9,test=0.1'")
        io.add_argument("--overwrite", action="store_true", help="rebuild even if OUTPUT is complete")
        io.add_argument("--progress_interval", type=float, default=5.0,
                        help="seconds between progress updates while building (a live line on a terminal, "
                             "plain lines otherwise); 0: none")
        io.add_argument("--max_record_bytes", type=int, default=1 << 20,
                        help="drop input records larger than this (they go to the dead letters)")

        src = parser.add_argument_group("candidate sources")
        src.add_argument("--mutants", type=int, default=0,
                         help="add up to N tree-sitter mutants per candidate, kept only when the sandbox shows "
                              "they fail the tests (Functional_Correctness negatives); 0: none")

        sb = parser.add_argument_group("sandbox")
        sb.add_argument("--sandbox", default="process", choices=["process", "docker"], help="execution backend")
        sb.add_argument("--store", default=None,
                        help="the workers' cache of the measurement store (SQLite file), or 'tmp': one in each "
                             "worker's temp dir; default OUTPUT/store.sqlite ('tmp' when OUTPUT is a URL). The store "
                             "itself is OUTPUT/store/*.parquet")
        sb.add_argument("--reuse_store", action="append", default=None,
                        help="an earlier build's OUTPUT (or OUTPUT/store) whose stored measurements this build "
                             "reuses instead of executing; repeatable, any Beam file system (gs://...)")
        sb.add_argument("--repetitions", type=int, default=5, help="timed runs per candidate")
        sb.add_argument("--ab_repetitions", type=int, default=_LABEL.ab_repetitions,
                        help="interleaved A/B runs per side in each stage of a runtime pair's sequential test")
        sb.add_argument("--ab_max_stages", type=int, default=_LABEL.ab_max_stages,
                        help="at most this many A/B stages per runtime pair; each stage's U test is taken at "
                             "--alpha / --ab_max_stages")
        sb.add_argument("--cpu_limit", type=float, default=10.0, help="CPU seconds per run")
        sb.add_argument("--wall_limit", type=float, default=30.0, help="wall seconds per run")
        sb.add_argument("--memory_limit_mb", type=int, default=1024, help="peak memory per run")
        sb.add_argument("--sandbox_workers", type=int, default=0, help="concurrent executions per worker (0: cores)")
        sb.add_argument("--allow_unisolated", action="store_true",
                        help="run without namespaces/cgroups when they cannot be set up (unsafe; opt-in)")

        lb = parser.add_argument_group("labelling")
        lb.add_argument("--aspects", default="all", help="comma-separated criteria to label, or 'all'")
        lb.add_argument("--alpha", type=float, default=_LABEL.alpha,
                        help="Mann-Whitney U significance level over all A/B stages (each: alpha / --ab_max_stages)")
        lb.add_argument("--runtime_ratio", type=float, default=_LABEL.runtime_ratio,
                        help="min CPU-time ratio (Hodges-Lehmann: median of the pairwise ratios of A/B runs)")
        lb.add_argument("--ab_continue_ratio", type=float, default=_LABEL.ab_continue_ratio,
                        help="a runtime pair whose ratio is below this after an A/B stage is a tie without "
                             "further stages")
        lb.add_argument("--runtime_floor_ms", type=float, default=_LABEL.runtime_floor_ms,
                        help="CPU ms of the tests' work (a run's time over its start-up stub's) the machine "
                             "resolves: less counts as this much, and a pair with both under it ties "
                             "(below_resolution)")
        lb.add_argument("--scale_inputs", type=int, default=0,
                        help="Python tasks without tests.perf: runtime and memory measure the tests' calls with "
                             "their list, tuple and string arguments repeated to this many elements (0: off; "
                             "transforms/input_scaling.py says what it cannot do)")
        lb.add_argument("--memory_ratio", type=float, default=_LABEL.memory_ratio, help="min ratio of the two sides' peak memory above their start-up stubs'")
        lb.add_argument("--readability_threshold", type=float, default=_LABEL.readability_threshold, help="min readability score difference")
        lb.add_argument("--security_min_severity", default=_LABEL.security_min_severity, help="LOW, MEDIUM or HIGH")
        lb.add_argument("--analyzers", default="default",
                        help="security analyzers beside semgrep: comma-separated from bandit, cppcheck, flawfinder, "
                             "eslint; 'none'; or 'default': every one installed here (a missing one is a warning; "
                             "one named and missing is an error). `themis doctor` lists them")
        lb.add_argument("--memory_floor_mb", type=float, default=_LABEL.memory_floor_mb,
                        help="peaks above the start-up stub's count as at least this much (noise floor)")
        lb.add_argument("--timeout_cpu_fraction", type=float, default=_LABEL.timeout_cpu_fraction,
                        help="a timeout is the program's failure only if it used this share of --cpu_limit")
        lb.add_argument("--max_pairs_per_task", type=int, default=_LABEL.max_pairs_per_task, help="per task and criterion")
        lb.add_argument("--ab_pairs_per_task", type=int, default=_LABEL.ab_pairs_per_task,
                        help="runtime pairs per task measured A/B (largest single-run ratio first); "
                             "fixed by the build: regenerate cannot change it")
        lb.add_argument("--max_pairs_per_cell", type=int, default=_LABEL.max_pairs_per_cell,
                        help="balance: at most this many pairs per language and criterion (0: no cap)")
        lb.add_argument("--system_prompt_none", type=float, default=_LABEL.system_prompt_none, help="probability of no system prompt")
        lb.add_argument("--system_prompt_single", type=float, default=_LABEL.system_prompt_single,
                        help="probability of the single-criterion prompt (the rest: all criteria, shuffled)")
        lb.add_argument("--seed", type=int, default=_LABEL.seed, help="mixed into every content-derived seed")


def expand_config(argv: Sequence[str]) -> list[str]:
    """Prepend the flags from `--config FILE` (if given) to argv, so argv wins."""
    argv = list(argv)
    path = None
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            path = argv[i + 1]
        elif arg.startswith("--config="):
            path = arg.split("=", 1)[1]
    if not path:
        return argv
    return config_to_flags(path) + argv


def config_to_flags(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a mapping of flag names to values")
    known = set(flag_names())
    flags: list[str] = []
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"config {path}: unknown key {key!r}; keys are the `themis build` flags without '--'")
        if isinstance(value, bool):
            if value:
                flags.append(f"--{key}")
        elif isinstance(value, dict):
            flags += [f"--{key}", ",".join(f"{k}={v}" for k, v in value.items())]
        elif isinstance(value, list):
            flags += [f"--{key}", ",".join(str(v) for v in value)]
        elif value is not None:
            flags += [f"--{key}", str(value)]
    return flags


def flag_parser() -> argparse.ArgumentParser:
    """A parser holding just the build's own flags (for help, config keys and the manifest)."""
    parser = argparse.ArgumentParser(add_help=False)
    ThemisOptions._add_argparse_args(parser)
    return parser


def parse_mapping(text: str, what: str) -> dict[str, str]:
    """'a=b,c=d' -> {'a': 'b', 'c': 'd'}; names the flag when malformed."""
    result: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in item:
            raise ConfigError(f"{what}: expected key=value pairs separated by commas, got {item!r}")
        key, value = item.split("=", 1)
        result[key.strip()] = value.strip()
    return result


def flag_names() -> list[str]:
    """The build's own flag names (without '--'): config keys and manifest entries."""
    return [a.dest for a in flag_parser()._actions]
