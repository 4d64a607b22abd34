"""LabelConfig: the thresholds and caps of the label stages, refused when unusable."""
from __future__ import annotations

import dataclasses
from typing import Union

from schemas.records import ASPECTS
from transforms.sequential_ab import min_u_p_value
from transforms.splits import SplitSpec, parse_splits
from transforms.system_prompts import check_probabilities

SEVERITY_RANK = {"INFO": 0, "LOW": 0, "WARNING": 1, "MEDIUM": 1, "ERROR": 2, "HIGH": 2, "CRITICAL": 3}


class LabelConfigError(ValueError):
    """Labelling flags that cannot be used; the message names the flag."""


@dataclasses.dataclass(frozen=True)
class LabelConfig:
    """The `labelling` flags of pipelines/options.py (field names are flag names), plus --splits,
    --ab_repetitions and --ab_max_stages. `aspects` and `splits` accept the flag strings ('all',
    'train=0.9,test=0.1') and are stored parsed."""

    aspects: Union[str, tuple[str, ...]] = ASPECTS
    alpha: float = 0.001
    runtime_ratio: float = 1.2
    memory_ratio: float = 1.2
    memory_floor_mb: float = 1.0
    readability_threshold: float = 10.0
    security_min_severity: str = "MEDIUM"
    timeout_cpu_fraction: float = 0.9
    ab_repetitions: int = 10
    ab_max_stages: int = 6
    ab_continue_ratio: float = 1.1
    runtime_floor_ms: float = 5.0
    max_pairs_per_task: int = 3
    ab_pairs_per_task: int = 3
    max_pairs_per_cell: int = 0
    system_prompt_none: float = 0.15
    system_prompt_single: float = 0.425
    seed: int = 0
    splits: Union[str, SplitSpec] = (("train", 1.0),)

    def __post_init__(self) -> None:
        if isinstance(self.aspects, str):
            names = ASPECTS if self.aspects.strip() == "all" else tuple(
                a.strip() for a in self.aspects.split(",") if a.strip())
            object.__setattr__(self, "aspects", names)
        if isinstance(self.splits, str):
            object.__setattr__(self, "splits", parse_splits(self.splits))
        unknown = [a for a in self.aspects if a not in ASPECTS]
        if unknown or not self.aspects:
            raise LabelConfigError(f"--aspects: unknown criteria {unknown}; use 'all' or names from {', '.join(ASPECTS)}")
        if not 0.0 < self.alpha < 1.0:
            raise LabelConfigError(f"--alpha must lie in (0, 1), got {self.alpha}")
        for flag in ("runtime_ratio", "memory_ratio"):
            if getattr(self, flag) < 1.0:
                raise LabelConfigError(f"--{flag} is a ratio of the larger to the smaller value: use >= 1, got {getattr(self, flag)}")
        if self.security_min_severity.upper() not in SEVERITY_RANK:
            raise LabelConfigError(f"--security_min_severity: use LOW, MEDIUM or HIGH, got {self.security_min_severity!r}")
        for flag in ("max_pairs_per_task", "ab_pairs_per_task"):
            if getattr(self, flag) < 1:
                raise LabelConfigError(f"--{flag} must be at least 1, got {getattr(self, flag)}")
        if not 1.0 <= self.ab_continue_ratio <= self.runtime_ratio:
            raise LabelConfigError(f"--ab_continue_ratio must lie in [1, --runtime_ratio = {self.runtime_ratio:g}] "
                                   f"(below it a pair is a clear tie), got {self.ab_continue_ratio:g}")
        if not self.runtime_floor_ms > 0.0:
            raise LabelConfigError(f"--runtime_floor_ms must be above 0 (marginal CPU times are compared as "
                                   f"ratios), got {self.runtime_floor_ms:g}")
        if self.ab_repetitions < 1 or self.ab_max_stages < 1:
            raise LabelConfigError(f"--ab_repetitions and --ab_max_stages must be at least 1, got "
                                   f"{self.ab_repetitions} and {self.ab_max_stages}")
        runs, level = self.ab_repetitions * self.ab_max_stages, self.alpha / self.ab_max_stages
        if "Runtime_Efficiency" in self.aspects and min_u_p_value(runs) >= level:
            raise LabelConfigError(
                f"--ab_repetitions {self.ab_repetitions} x --ab_max_stages {self.ab_max_stages} = {runs} runs per "
                f"side can never reach p < --alpha / --ab_max_stages = {level:.2g} (the smallest p-value of "
                f"{runs} runs is {min_u_p_value(runs):.2g}): no runtime pair could be labelled; raise "
                "--ab_repetitions or --alpha")
        check_probabilities(self.system_prompt_none, self.system_prompt_single)
