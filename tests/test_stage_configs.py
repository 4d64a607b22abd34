"""build_config: every flag lands in exactly one config field, and every field comes from a
flag or a constant listed in CONSTANTS."""
from __future__ import annotations

import dataclasses

import pytest

from pipelines.build import make_options
from pipelines.options import ConfigError, ThemisOptions, flag_parser
from pipelines.stage_configs import CONSTANTS, NOT_A_FIELD, build_config

BASE = ["--input", "tasks.jsonl", "--output", "/tmp/out", "--store", "/tmp/store.sqlite"]
# A value other than the default for each flag, valid for it (a new flag needs one here).
OTHER = {
    "input": "other.jsonl", "output": "/tmp/other", "format": "mbxp", "column_map": "task_id=problem_id",
    "dataset_split": "test", "num_shards": "4", "splits": "a=0.5,b=0.5", "overwrite": None,
    "max_record_bytes": "1000", "mutants": "2", "sandbox": "docker", "store": "/tmp/other.sqlite",
    "repetitions": "7", "ab_repetitions": "11", "ab_max_stages": "2", "cpu_limit": "7", "wall_limit": "9",
    "memory_limit_mb": "512", "sandbox_workers": "3", "allow_unisolated": None, "aspects": "Functional_Correctness",
    "alpha": "0.02", "runtime_ratio": "1.5", "ab_continue_ratio": "1.15", "runtime_floor_ms": "8", "memory_ratio": "1.4",
    "readability_threshold": "12", "security_min_severity": "HIGH", "memory_floor_mb": "2",
    "timeout_cpu_fraction": "0.8", "max_pairs_per_task": "4", "ab_pairs_per_task": "5", "max_pairs_per_cell": "6",
    "system_prompt_none": "0.2", "system_prompt_single": "0.3", "seed": "9", "analyzers": "bandit",
    "scale_inputs": "500", "reuse_store": "/tmp/earlier", "progress_interval": "2",
}


def leaves(value, path: str = "") -> dict:
    """Every leaf field of a config tree by its dotted path."""
    if dataclasses.is_dataclass(value):
        return {k: v for f in dataclasses.fields(value)
                for k, v in leaves(getattr(value, f.name), f"{path}.{f.name}" if path else f.name).items()}
    return {path: value}


def config_of(argv: list[str]):
    return build_config(make_options(argv).view_as(ThemisOptions))


def test_every_flag_lands_in_exactly_one_field_and_every_field_has_a_source():
    flags = [a.dest for a in flag_parser()._actions if a.dest not in NOT_A_FIELD]
    assert sorted(OTHER) == sorted(flags)
    base = leaves(config_of(BASE))
    set_by: dict[str, str] = {}
    for flag in flags:
        value = OTHER[flag]
        changed = leaves(config_of(BASE + [f"--{flag}"] + ([value] if value is not None else [])))
        moved = [path for path in base if changed[path] != base[path]]
        assert len(moved) == 1, f"--{flag} lands in {moved or 'no field'}"
        assert moved[0] not in set_by, f"--{flag} and --{set_by.get(moved[0])} both land in {moved[0]}"
        set_by[moved[0]] = flag
    unset = sorted(set(base) - set(set_by))
    assert unset == sorted(CONSTANTS), "a field no flag sets must be a documented constant (CONSTANTS)"


def test_flags_reach_the_fields_that_use_them():
    config = config_of(BASE + ["--cpu_limit", "7", "--memory_limit_mb", "512", "--seed", "9", "--splits", "a=0.5,b=0.5"])
    assert config.execute.limits.cpu_seconds == 7.0 and config.execute.limits.memory_bytes == 512 * 2 ** 20
    assert config.label.seed == 9 and config.label.splits == (("a", 0.5), ("b", 0.5))
    assert config.execute.allow_execute is True
    assert build_config(make_options(BASE).view_as(ThemisOptions), allow_execute=False).execute.allow_execute is False
    assert config_of(["--input", "x", "--output", "/tmp/o"]).store_path == "/tmp/o/store.sqlite"


@pytest.mark.parametrize("flag, value, says", [
    ("--runtime_ratio", "0.5", "--runtime_ratio"), ("--splits", "train=0.5", "fractions"),
    ("--system_prompt_none", "2", "--system_prompt_none"), ("--column_map", "oops", "--column_map")])
def test_unusable_flags_are_one_config_error(flag, value, says):
    with pytest.raises(ConfigError, match=says):
        config_of(BASE + [flag, value])
