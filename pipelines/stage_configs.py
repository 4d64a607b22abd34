"""Every stage's config, built once from the build's flags where the pipeline is composed.

`build_config` is the one place where a flag becomes a config field: each flag lands in
exactly one field, and a field that no flag sets holds a constant listed in `CONSTANTS`
(tests/test_stage_configs.py checks both). A value that several stages read lives in one
field and pipelines/build.py hands it to each of them: the store path (execute, A/B runs,
baselines, security), the CPU limit (execute's limits; the correctness rule tells a
timeout the program caused from one the machine caused), the seed (label; mutant sites).
"""
from __future__ import annotations

import dataclasses
import os
import sys

from pipelines.options import ConfigError, ThemisOptions, parse_mapping
from sandboxes import Limits
from transforms.analyzers import TOOLS, AnalyzersConfig, missing_tools
from transforms.execute import ExecuteConfig
from transforms.label_config import LabelConfig, LabelConfigError
from transforms.security import SecurityConfig
from transforms.sources.mutants import MutantConfig
from transforms.splits import SplitError
from transforms.store import WORKER_TMP, StoreSpec
from transforms.store_files import store_dir_of
from transforms.system_prompts import SystemPromptError

MIB = 1024 * 1024


def default_cache_path(output: str) -> str:
    """OUTPUT/store.sqlite for a local OUTPUT; for a URL (gs://...) a file in each worker's temp dir."""
    return WORKER_TMP if "://" in output else os.path.join(output, "store.sqlite")


# Fields no flag sets: the dataclass default stands, for the reason given.
CONSTANTS = {
    "execute.allow_execute": "not a flag: True for `themis build`, False for `themis regenerate` (store only)",
    "execute.batch_size": "candidates per execute batch; large enough for compile-once, small enough to spread",
    "execute.limits.pids": "processes per run (fork bombs), sandboxes/base.py",
    "execute.limits.output_bytes": "stdout/stderr kept per run, sandboxes/base.py",
    "execute.limits.file_size_bytes": "largest file a run may write, sandboxes/base.py",
    "execute.limits.open_files": "open files per run, sandboxes/base.py",
    "execute.limits.compile_seconds": "wall seconds per compile, sandboxes/base.py",
    "mutants.operators": "all five mutation operators",
    "mutants.origins": "the candidates worth mutating: reference, submission, commit_new",
    "security.batch_size": "files per semgrep process (its start-up costs about 2 s)",
    "security.timeout_s": "semgrep --timeout, per file and rule",
    "analyzers.batch_size": "files per analyzer process, as for semgrep",
    "analyzers.timeout_s": "seconds per file an analyzer's batch may take",
}
# The one flag that is no field: a YAML file of the other flags, expanded before options exist.
NOT_A_FIELD = ("config",)


@dataclasses.dataclass(frozen=True)
class InputConfig:
    """What `read` and `parse` take: where the tasks are and how to read them."""

    input: str
    format: str
    column_map: dict[str, str]
    dataset_split: str
    max_record_bytes: int
    scale_inputs: int  # 0: off; else Python tasks' perf cases from their tests' inputs scaled to this size


@dataclasses.dataclass(frozen=True)
class OutputConfig:
    output: str
    num_shards: int
    overwrite: bool
    progress_interval: float  # seconds between progress lines while building; 0: none


@dataclasses.dataclass(frozen=True)
class BuildConfig:
    input: InputConfig
    output: OutputConfig
    store_path: str  # --store: this worker's SQLite cache, default OUTPUT/store.sqlite (SQLite needs a local file)
    reuse_stores: tuple[str, ...]  # --reuse_store: earlier builds' store dirs, read only
    mutants: MutantConfig
    execute: ExecuteConfig
    security: SecurityConfig
    analyzers: AnalyzersConfig
    label: LabelConfig

    def store(self, run: str) -> StoreSpec:
        """The measurement store of build run `run`: OUTPUT/store/, the reused stores, the local cache."""
        return StoreSpec(cache_path=self.store_path, output_dir=store_dir_of(self.output.output),
                         reuse=self.reuse_stores, run=run)


def build_config(flags: ThemisOptions, allow_execute: bool = True) -> BuildConfig:
    """All stage configs from the flags; ConfigError (one line, naming the flag) when they cannot be used."""
    try:
        label = LabelConfig(
            aspects=flags.aspects, alpha=flags.alpha, runtime_ratio=flags.runtime_ratio,
            memory_ratio=flags.memory_ratio, memory_floor_mb=flags.memory_floor_mb,
            readability_threshold=flags.readability_threshold, security_min_severity=flags.security_min_severity,
            timeout_cpu_fraction=flags.timeout_cpu_fraction, ab_repetitions=flags.ab_repetitions,
            ab_max_stages=flags.ab_max_stages, ab_continue_ratio=flags.ab_continue_ratio,
            runtime_floor_ms=flags.runtime_floor_ms,
            max_pairs_per_task=flags.max_pairs_per_task, ab_pairs_per_task=flags.ab_pairs_per_task,
            max_pairs_per_cell=flags.max_pairs_per_cell, system_prompt_none=flags.system_prompt_none,
            system_prompt_single=flags.system_prompt_single, seed=flags.seed, splits=flags.splits)
    except (LabelConfigError, SplitError, SystemPromptError) as exc:
        raise ConfigError(str(exc)) from None
    if flags.progress_interval < 0:
        raise ConfigError(f"--progress_interval must be 0 (no progress) or more seconds, not {flags.progress_interval:g}")
    limits = Limits(cpu_seconds=flags.cpu_limit, wall_seconds=flags.wall_limit,
                    memory_bytes=flags.memory_limit_mb * MIB)
    return BuildConfig(
        input=InputConfig(input=flags.input, format=flags.format,
                          column_map=parse_mapping(flags.column_map, "--column_map"),
                          dataset_split=flags.dataset_split, max_record_bytes=flags.max_record_bytes,
                          scale_inputs=flags.scale_inputs),
        output=OutputConfig(output=flags.output, num_shards=flags.num_shards, overwrite=flags.overwrite,
                            progress_interval=flags.progress_interval),
        store_path=flags.store or default_cache_path(flags.output),
        reuse_stores=tuple(store_dir_of(p) for value in flags.reuse_store or () for p in value.split(",") if p),
        mutants=MutantConfig(max_mutants=flags.mutants),
        execute=ExecuteConfig(backend=flags.sandbox, limits=limits, repetitions=flags.repetitions,
                              allow_execute=allow_execute, allow_unisolated=flags.allow_unisolated,
                              workers=flags.sandbox_workers),
        security=SecurityConfig(),
        analyzers=AnalyzersConfig(names=analyzer_names(flags.analyzers)),
        label=label,
    )


def analyzer_names(text: str) -> tuple[str, ...]:
    """--analyzers as tool names. 'default': the tools installed here, each missing one a warning on
    stderr (never a silent zero); a tool named and missing, or unknown, is a ConfigError."""
    if text.strip() == "none":
        return ()
    if text.strip() == "default":
        missing = missing_tools(TOOLS)
        for name, why in missing.items():
            print(f"themis: warning: analyzer {name} unavailable, building without it ({why})", file=sys.stderr)
        return tuple(name for name in TOOLS if name not in missing)
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise ConfigError(f"--analyzers: unknown {', '.join(unknown)} (known: {', '.join(TOOLS)}, none, default)")
    missing = missing_tools(names)
    if missing:
        raise ConfigError("--analyzers: " + "; ".join(f"{n}: {why}" for n, why in missing.items()))
    return names
