"""Training configuration: the Themis-RM recipe as defaults, YAML files, two stages.

A YAML file's top-level keys are TrainConfig fields; `stages:` is a list of
mappings that override them per stage, trained in order on one model, e.g. general
preferences (PT) then code preferences (PM). Without `stages` there is one stage.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

import yaml


class ConfigError(ValueError):
    """A training config that cannot be used; the message names the key."""


class OutOfMemory(RuntimeError):
    """A micro-batch that does not fit in memory; the message names the flags to change."""


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    model: str = ""
    output: str = ""
    data: str = ""
    split: str = "train"
    backbone: str = "auto"  # causal, encoder or auto (from the checkpoint's architecture)
    max_length: int = 2048
    min_response_tokens: int = 64
    batch_size: int = 8  # pairs per device per micro-step
    grad_accum: int = 1
    epochs: float = 1.0
    max_steps: int = 0  # optimizer steps; 0: from epochs
    learning_rate: float = 1e-5
    weight_decay: float = 0.1
    adam_beta1: float = 0.9
    adam_beta2: float = 0.95
    warmup_ratio: float = 0.05
    max_grad_norm: float = 1.0
    margin_scale: float = 0.0
    magnitude_coef: float = 0.0
    centering_coef: float = 0.0
    lm_coef: float = 0.1  # causal LMs only
    # Causal LMs only: one padding-free row per micro-step. None: on under FlashAttention 2,
    # which attends per sequence in linear memory; sdpa needs a T x T mask over the packed row.
    packing: Optional[bool] = None
    dropout: bool = False  # the backbone's dropout while training (off: see trainer/loop.py)
    seed: int = 0
    log_every: int = 10
    save_every: int = 0  # optimizer steps between checkpoints; 0: only at the end of a stage
    stop_after: int = 0  # stop (resumably) after this many optimizer steps in this run; 0: never
    resume: bool = False
    name: str = "pm"  # this stage's name
    stages: tuple = ()

    def stage_configs(self) -> list["TrainConfig"]:
        if not self.stages:
            return [self]
        out = []
        for i, overrides in enumerate(self.stages):
            if not isinstance(overrides, dict):
                raise ConfigError(f"stages[{i}]: expected a mapping of TrainConfig keys")
            out.append(_build(dataclasses.replace(self, stages=(), name=f"stage{i + 1}"), overrides, f"stages[{i}]"))
        names = [c.name for c in out]
        if len(set(names)) != len(names):
            raise ConfigError(f"stages: names must differ, got {names}")
        return out


FIELDS = {f.name: f for f in dataclasses.fields(TrainConfig)}
NULLABLE = {"packing": bool}  # fields whose default None means "decided at run time"


def _build(base: TrainConfig, values: dict[str, Any], where: str) -> TrainConfig:
    changes = {}
    for key, value in values.items():
        if key not in FIELDS:
            raise ConfigError(f"{where}.{key}: unknown key; known keys: {', '.join(sorted(FIELDS))}")
        if key == "stages":
            changes[key] = tuple(value or ())
            continue
        kind = NULLABLE.get(key) or type(getattr(base, key))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind):
            raise ConfigError(f"{where}.{key}: expected {kind.__name__}, got {value!r}")
        changes[key] = value
    return dataclasses.replace(base, **changes)


def load_config(path: Optional[str], **overrides: Any) -> TrainConfig:
    """TrainConfig from a YAML file (if any), with `overrides` (non-None values) on top."""
    values: dict[str, Any] = {}
    if path:
        with open(path) as f:
            values = yaml.safe_load(f) or {}
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: expected a mapping of TrainConfig keys")
    config = _build(TrainConfig(), values, path or "config")
    return _build(config, {k: v for k, v in overrides.items() if v is not None}, "flags")
