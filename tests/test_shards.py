import glob
import hashlib
import os
import random

import apache_beam as beam

from schemas import ASPECTS, PreferencePair
from transforms.shards import WriteJsonlGroups, WriteShards, fill_missing_shards, shard_name


def make_pairs(n):
    return [PreferencePair(id=f"{i:04d}", system="", input=f"task {i}", chosen=f"good {i}", rejected=f"bad {i}",
                           language=["C", "Go", "Python"][i % 3], aspect=ASPECTS[i % 5], subset="s", source="test",
                           split="train" if i % 4 else "test", task_id=f"t{i}", chosen_id="a", rejected_id="b",
                           chosen_origin="reference", rejected_origin="buggy", margin=float(i), p_value=None)
            for i in range(n)]


def write(directory, pairs, num_shards):
    with beam.Pipeline() as p:
        p | beam.Create(pairs) | beam.Reshuffle() | WriteShards(str(directory), num_shards)
    fill_missing_shards(str(directory), ["train", "test", "validation"], num_shards)


def digests(directory):
    return {os.path.basename(f): hashlib.sha256(open(f, "rb").read()).hexdigest()
            for f in sorted(glob.glob(os.path.join(directory, "*.parquet")))}


def test_same_pairs_in_any_order_give_byte_identical_shards(tmp_path):
    pairs = make_pairs(200)
    shuffled = list(pairs)
    random.Random(7).shuffle(shuffled)
    write(tmp_path / "a", pairs, 3)
    write(tmp_path / "b", shuffled, 3)
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert a == b
    assert sorted(a) == sorted(shard_name(s, i, 3) for s in ("train", "test", "validation") for i in range(3))
    assert not glob.glob(str(tmp_path / "a" / "*.tmp"))


def test_shards_load_with_datasets_and_keep_every_pair(tmp_path):
    import datasets

    pairs = make_pairs(50)
    write(tmp_path, pairs, 2)
    data = datasets.load_dataset("parquet", data_files={"train": str(tmp_path / "train-*.parquet"),
                                                        "test": str(tmp_path / "test-*.parquet")})
    for column in ("system", "input", "chosen", "rejected", "language", "aspect", "id", "subset", "source"):
        assert column in data["train"].column_names
    assert sorted(list(data["train"]["id"]) + list(data["test"]["id"])) == [p.id for p in pairs]
    assert len(data["test"]) == 13


def test_jsonl_groups_are_sorted_and_complete(tmp_path):
    rows = [{"stage": s, "n": n} for s in ("read", "parse") for n in range(5)]
    with beam.Pipeline() as p:
        p | beam.Create(rows[::-1]) | WriteJsonlGroups(str(tmp_path), lambda r: r["stage"])
    assert open(tmp_path / "read.jsonl").read().splitlines() == [f'{{"n": {n}, "stage": "read"}}' for n in range(5)]
    assert len(open(tmp_path / "parse.jsonl").read().splitlines()) == 5
