"""The unchanged build on a Dask cluster (a scheduler and two worker processes) vs the DirectRunner.

- Given the DirectRunner build's measurement store, the Dask build executes nothing
  and writes byte-identical shards, dead letters and counts.
- Without a store it measures on the cluster's workers and finds the same pairs for
  the criteria that do not depend on timing.
"""
from __future__ import annotations

import pathlib

import pyarrow.parquet as pq
import pytest

from dask_cluster import dask_cluster  # noqa: F401 (fixture)
from pipelines.build import make_options, run_build
from transforms.store import Store
from transforms.store_files import STORE_DIR, read_rows

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

# Two tasks per language in three fast languages: correctness and readability pairs
# (reference / buggy / convoluted) and security pairs (reference / insecure).
TASKS = ["python/top_k_frequent", "python/password_hashing", "javascript/balanced_brackets",
         "javascript/session_token", "c/caesar_cipher", "c/format_greeting"]
UNTIMED = ("Functional_Correctness", "Security_Hardness", "Readability_Maintainability")
FLAGS = ["--repetitions", "2", "--ab_repetitions", "4", "--num_shards", "2", "--splits", "train=0.5,test=0.5"]


def build(out: pathlib.Path, corpus: pathlib.Path, store: pathlib.Path, *flags: str,
          allow_execute: bool = True) -> dict:
    argv = ["--input", str(corpus), "--output", str(out), "--store", str(store), *FLAGS, *flags]
    return run_build(make_options(argv), allow_execute=allow_execute)


def on_dask(cluster) -> list[str]:
    return ["--runner", "dask", f"--dask_client_address={cluster.address}"]


def output_files(out: pathlib.Path) -> dict[str, bytes]:
    """Shards, ties and dead letters; the store's bundles name the run that wrote them (see stored)."""
    names = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".parquet", ".jsonl")
             and p.parent.name != STORE_DIR]
    return {str(p.relative_to(out)): p.read_bytes() for p in names}


def stored(out: pathlib.Path) -> set[tuple[str, str, str]]:
    return {(kind, key, body) for kind, key, body, _ in read_rows([str(out / STORE_DIR)])}


def pairs(out: pathlib.Path) -> list[tuple]:
    rows = [r for p in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    return sorted((r["aspect"], r["language"], r["id"], r["chosen"], r["rejected"]) for r in rows)


@pytest.fixture(scope="module")
def direct_build(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("direct")
    manifest = build(root / "out", corpus, root / "store.sqlite", "--direct_num_workers=2")
    return root, manifest


def test_dask_build_from_the_same_store_is_byte_identical(dask_cluster, direct_build, corpus,  # noqa: F811
                                                          tmp_path):
    root, direct_manifest = direct_build
    manifest = build(tmp_path / "out", corpus, root / "store.sqlite", *on_dask(dask_cluster), allow_execute=False)

    expected = output_files(root / "out")
    assert any(name.startswith("data/") for name in expected)
    assert output_files(tmp_path / "out") == expected
    assert stored(tmp_path / "out") == stored(root / "out") != set()
    assert manifest["counts"] == direct_manifest["counts"]
    assert manifest["shards"] == direct_manifest["shards"]


def test_dask_build_measures_on_the_workers_and_finds_the_same_pairs(dask_cluster, direct_build, corpus,  # noqa: F811
                                                                     tmp_path):
    root, _ = direct_build
    store = tmp_path / "store.sqlite"
    build(tmp_path / "out", corpus, store, *on_dask(dask_cluster))

    expected = [p for p in pairs(root / "out") if p[0] in UNTIMED]
    got = [p for p in pairs(tmp_path / "out") if p[0] in UNTIMED]
    assert {p[0] for p in expected} == set(UNTIMED)
    assert got == expected
    assert Store(str(store)).count() > 0  # measured by the cluster's workers, not found
