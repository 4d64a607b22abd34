"""The measurement store as Parquet bundles through Beam's FileSystems (issue 18 §1, §3), on a
non-local file system registered under its own scheme (tests/support/dir_filesystem.py)."""
from __future__ import annotations

import os
import pathlib
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))
from dir_filesystem import PREFIX  # noqa: E402  (registers the themistest:// scheme)

from schemas import Measurement  # noqa: E402
from transforms import store_files  # noqa: E402
from transforms.store import LayeredStore, StoreSpec, body_of  # noqa: E402


@pytest.fixture()
def fs_root(tmp_path, monkeypatch) -> pathlib.Path:
    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setenv("THEMIS_TEST_FS_ROOT", str(root))
    monkeypatch.chdir(tmp_path)  # a plain open() of a themistest:// path would land here
    return root


def _measurement(i: int) -> Measurement:
    return Measurement(candidate_id=f"c{i}", task_id="t", language="Python", status="ok", backend="process",
                       measurement_key=f"k{i}")


def test_bundles_are_named_by_content_and_read_back_in_name_order(fs_root, tmp_path):
    store_dir = PREFIX + "out/store"
    first = store_files.write_bundle(store_dir, "measurement", [("k1", "a"), ("k2", "b")])
    again = store_files.write_bundle(store_dir, "measurement", [("k1", "a"), ("k2", "b")])
    other = store_files.write_bundle(store_dir, "ab", [("k1", "x")])
    assert first == again and first.startswith(store_dir + "/measurement-") and first.endswith(".parquet")
    assert store_files.bundle_paths(store_dir) == sorted([first, other])
    assert sorted(store_files.read_rows([store_dir])) == [("ab", "k1", "x", ""), ("measurement", "k1", "a", ""),
                                                         ("measurement", "k2", "b", "")]
    assert sorted(os.listdir(fs_root / "out" / "store")) == sorted(p.rsplit("/", 1)[1] for p in (first, other))
    assert os.listdir(tmp_path) == ["root"]  # nothing went through plain open() in the current directory


def test_temporary_and_half_written_files_are_never_read(fs_root):
    store_dir = PREFIX + "out/store"
    kept = store_files.write_bundle(store_dir, "measurement", [("k1", "a")])
    # what a writer killed mid-file leaves: its temporary name, truncated
    (fs_root / "out" / "store" / ".measurement-0.parquet.1234.tmp").write_bytes(b"PAR1\x00half")
    assert store_files.bundle_paths(store_dir) == [kept]
    assert list(store_files.read_rows([store_dir])) == [("measurement", "k1", "a", "")]
    # the end of a build's compaction deletes it
    assert store_files.compact(store_dir) == {}
    assert os.listdir(fs_root / "out" / "store") == [kept.rsplit("/", 1)[1]]


def test_compact_merges_each_kind_into_one_file_first_record_of_a_key_wins(fs_root):
    store_dir = PREFIX + "out/store"
    paths = [store_files.write_bundle(store_dir, "measurement", rows, "run1/stored")
             for rows in ([("k1", "a"), ("k2", "b")], [("k2", "other"), ("k3", "c")], [("k4", "d")])]
    ab = store_files.write_bundle(store_dir, "ab", [("x", "y")], "run2/copied")
    winner = {key: body for _, key, body, _ in reversed(list(store_files.read_rows([store_dir])))}
    assert store_files.run_writes(store_dir, "run1") == {"measurement": {"stored": 5}}
    assert store_files.compact(store_dir) == {"measurement": 3}
    remaining = store_files.bundle_paths(store_dir)
    assert len(remaining) == 2 and ab in remaining and not set(paths) & set(remaining)
    rows = {key: body for kind, key, body, _ in store_files.read_rows([store_dir]) if kind == "measurement"}
    assert rows == {"k1": "a", "k2": winner["k2"], "k3": "c", "k4": "d"}
    assert store_files.run_writes(store_dir, "run1") == {"measurement": {"stored": 4}}  # one k2 kept
    assert store_files.run_writes(store_dir, "run2") == {"ab": {"copied": 1}}
    assert store_files.compact(store_dir) == {}


def test_layered_store_appends_to_the_output_and_copies_what_it_reuses(fs_root, tmp_path):
    earlier = PREFIX + "earlier/store"
    store_files.write_bundle(earlier, "measurement", [("k1", body_of(_measurement(1)))])
    spec = StoreSpec(cache_path=str(tmp_path / "cache.sqlite"), output_dir=PREFIX + "out/store",
                     reuse=(earlier,), run="test")
    store = LayeredStore(spec)
    store.put_many("measurement", [("k2", _measurement(2))])
    assert store.get_many("measurement", ["k1", "k2", "k3"], Measurement) == {"k1": _measurement(1),
                                                                              "k2": _measurement(2)}
    assert store_files.run_writes(spec.output_dir, "test") == {"measurement": {"copied": 1, "stored": 1}}
    # the output alone now answers both: a fresh reader without the cache or the earlier store
    fresh = LayeredStore(StoreSpec(cache_path=str(tmp_path / "empty.sqlite"), output_dir=PREFIX + "out/store",
                                   run="fresh"))
    assert fresh.get_many("measurement", ["k1", "k2"], Measurement) == {"k1": _measurement(1), "k2": _measurement(2)}
    assert store_files.store_dir_of(PREFIX + "earlier") == earlier == store_files.store_dir_of(earlier + "/")


def test_a_worker_finds_what_another_worker_stored_after_it_started(fs_root, tmp_path):
    """Two workers of one build with private caches (separate processes: separate indexes)."""
    out = PREFIX + "out/store"
    first, second = (LayeredStore(StoreSpec(cache_path=str(tmp_path / f"cache-{i}.sqlite"), output_dir=out,
                                            run=f"worker-{i}")) for i in (1, 2))
    assert second.get_many("measurement", ["k1"], Measurement) == {}
    first.put_many("measurement", [("k1", _measurement(1))])
    assert second.get_many("measurement", ["k1"], Measurement) == {"k1": _measurement(1)}
    assert store_files.run_writes(out, "worker-2") == {}  # found in the output: not copied again
