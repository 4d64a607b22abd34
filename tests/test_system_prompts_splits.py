"""System prompts: deterministic per pair, in the configured proportions. Splits: by task, disjoint."""
from __future__ import annotations

import collections

import pytest

from schemas.records import ASPECTS, content_id
from transforms.splits import SplitError, parse_splits, split_of
from transforms.system_prompts import CRITERIA, JUDGE_PREAMBLE, SystemPromptError, system_prompt, system_prompt_kind

IDS = [content_id("pair", i) for i in range(20000)]


def test_system_prompt_is_deterministic_per_pair_and_seed():
    first = [system_prompt(i, "Runtime_Efficiency", 0.15, 0.425) for i in IDS[:200]]
    assert first == [system_prompt(i, "Runtime_Efficiency", 0.15, 0.425) for i in IDS[:200]]
    reseeded = [system_prompt(i, "Runtime_Efficiency", 0.15, 0.425, seed=1) for i in IDS[:200]]
    assert first != reseeded


def test_system_prompt_proportions_follow_the_configuration():
    counts = collections.Counter(system_prompt_kind(i, 0.15, 0.425) for i in IDS)
    # 20000 draws: the binomial standard deviation of a share is below 0.0036
    assert abs(counts["none"] / len(IDS) - 0.15) < 0.012
    assert abs(counts["single"] / len(IDS) - 0.425) < 0.012
    assert abs(counts["all"] / len(IDS) - 0.425) < 0.012
    assert collections.Counter(system_prompt_kind(i, 0.0, 1.0) for i in IDS[:500]) == {"single": 500}


def test_system_prompt_texts():
    kinds = {system_prompt_kind(i, 0.15, 0.425): i for i in IDS[:100]}
    assert system_prompt(kinds["none"], "Memory_Efficiency", 0.15, 0.425) == ""
    single = system_prompt(kinds["single"], "Memory_Efficiency", 0.15, 0.425)
    assert single == f"{JUDGE_PREAMBLE}\n\n1. {CRITERIA['Memory_Efficiency']}"
    full = system_prompt(kinds["all"], "Memory_Efficiency", 0.15, 0.425)
    positions = sorted((full.index(CRITERIA[a]), a) for a in ASPECTS)
    assert len(positions) == 5 and full.startswith(JUDGE_PREAMBLE)
    orders = {tuple(a for _, a in sorted((system_prompt(i, "Memory_Efficiency", 0, 0).index(CRITERIA[a]), a)
                                          for a in ASPECTS)) for i in IDS[:50]}
    assert len(orders) > 10  # shuffled, not one fixed order


def test_system_prompt_rejects_bad_probabilities_and_aspects():
    with pytest.raises(SystemPromptError, match="--system_prompt_none"):
        system_prompt_kind(IDS[0], 0.7, 0.5)
    with pytest.raises(SystemPromptError, match="unknown criterion"):
        system_prompt(IDS[0], "Speed", 0.1, 0.1)


def test_splits_partition_tasks_in_proportion():
    spec = parse_splits("train=0.8,validation=0.1,test=0.1")
    tasks = [f"task-{i}" for i in range(10000)]
    assigned = {t: split_of(t, spec) for t in tasks}
    assert assigned == {t: split_of(t, spec) for t in reversed(tasks)}  # order-independent
    counts = collections.Counter(assigned.values())
    assert abs(counts["train"] / 10000 - 0.8) < 0.02 and abs(counts["test"] / 10000 - 0.1) < 0.015
    assert sum(counts.values()) == 10000  # each task in exactly one split
    assert {split_of(t, parse_splits("train=1.0")) for t in tasks[:100]} == {"train"}
    assert {split_of(t, parse_splits("train=0,test=1")) for t in tasks[:100]} == {"test"}


@pytest.mark.parametrize("text, message", [
    ("train=0.9", "sum to 1"), ("train", "name=fraction"), ("train=a", "name=fraction"),
    ("train=0.5,train=0.5", "named twice"), ("", "at least one"), ("train=-0.5,test=1.5", "name=fraction"),
])
def test_split_spec_errors(text, message):
    with pytest.raises(SplitError, match=message):
        parse_splits(text)
