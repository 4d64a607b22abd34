"""A new user's first `themis train` on CPU: the packaged model by its short name, a
--max_length above the model's positions, an unreachable model, bad shards, and a
micro-batch that does not fit in memory each end in one line, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from pipelines.cli import main as themis  # noqa: E402
from tests.trainer_fixtures import preference_rows, tiny_causal_lm, write_build  # noqa: E402
from trainer.config import load_config  # noqa: E402

pytestmark = pytest.mark.xdist_group("trainer")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def rows():
    return preference_rows(8)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory, rows):
    return write_build(str(tmp_path_factory.mktemp("build")), rows)


def _errors(capsys) -> list[str]:
    """The CLI's own lines (Hugging Face's load report of a new head goes to stderr too)."""
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("themis ")]


@pytest.mark.slow
def test_packaged_short_name_and_max_length_clamp(tmp_path, build_dir, capsys):
    out = str(tmp_path / "rm")
    assert themis(["train", "--data", build_dir, "--model", "all-MiniLM-L6-v2", "--output", out,
                   "--max_steps", "1", "--batch_size", "2"]) == 0
    err = capsys.readouterr().err
    assert "note: --max_length 2048 is above the model's 512 positions; using 512" in err.splitlines()
    assert os.path.exists(os.path.join(out, "model.safetensors"))


def test_unreachable_model_fails_at_once_with_one_line(tmp_path, build_dir, capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")  # never resolves
    assert themis(["train", "--data", build_dir, "--model", "no-such-org/no-such-model",
                   "--output", str(tmp_path / "rm")]) == 2
    assert _errors(capsys) == [
        "themis train: --model no-such-org/no-such-model: not a local directory, not in the Hugging Face cache "
        "and the hub is not reachable; pass a local path, or all-MiniLM-L6-v2 for the packaged CPU model"]
    from trainer.resolve import ModelError, resolve_model

    start = time.monotonic()  # imports are loaded now: this is the look-up alone (HF's retries: 25 s)
    with pytest.raises(ModelError):
        resolve_model("no-such-org/no-such-model")
    assert time.monotonic() - start < 10


def test_wrong_schema_and_empty_shards_name_the_problem(tmp_path, rows, capsys):
    build = tmp_path / "build"
    (build / "data").mkdir(parents=True)
    shard = build / "data" / "train-0.parquet"
    pq.write_table(pa.Table.from_pylist([{k: v for k, v in r.items() if k != "chosen"} for r in rows]), shard)
    args = ["train", "--data", str(build), "--model", "all-MiniLM-L6-v2", "--output", str(tmp_path / "rm")]
    assert themis(args) == 2
    [line] = _errors(capsys)
    assert line.startswith(f"themis train: {shard}: no column 'chosen' (has id, system, input, rejected,")
    shard.write_bytes(b"")
    assert themis(args) == 2
    [line] = _errors(capsys)
    assert line.startswith(f"themis train: {shard}: not a readable Parquet file")
    shard.unlink()
    assert themis(args) == 2
    assert _errors(capsys) == [f"themis train: {build}/data has no Parquet shards: is the build finished? "
                               f"(`themis build ... --output {build}`)"]


# The child caps its address space after loading the model, then trains on one packed row
# whose attention mask alone (T x T) is far above the cap: the allocator's real failure.
OOM_CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
from pipelines.cli import main
import trainer.loop, transformers, torch  # loaded before the cap
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
vm = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), hard))
sys.exit(main(["train", "--data", {data!r}, "--model", {model!r}, "--output", {out!r}, "--batch_size", "64",
               "--max_length", "1024", "--max_steps", "1", "--packing"]))
"""


@pytest.mark.slow
def test_out_of_memory_is_one_line_naming_the_flags(tmp_path):
    rows = [dict(r, id=f"{r['id']}-{i}", chosen=r["chosen"] * 6, rejected=r["rejected"] * 6)
            for i in range(8) for r in preference_rows(8)]
    data = write_build(str(tmp_path / "build"), rows)
    model = tiny_causal_lm(str(tmp_path / "lm"), [r["input"] + r["chosen"] for r in rows[:8]])
    child = OOM_CHILD.format(root=ROOT, data=data, model=model, out=str(tmp_path / "rm"))
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stderr.splitlines() if line.startswith("themis ")]
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert lines == ["themis train: out of CPU memory for a micro-batch of --batch_size 64 pairs at up to "
                     "--max_length 1024 tokens; lower --batch_size (raise --grad_accum to keep 64 pairs per step) "
                     "or --max_length"]


def test_packing_is_on_by_default_only_under_flash_attention(tmp_path, rows):
    from trainer.backbone import load_reward_model

    model = load_reward_model(tiny_causal_lm(str(tmp_path / "lm"), [r["input"] for r in rows]))
    assert not model.flash_attention  # CPU: sdpa
    assert load_config(None).packing is None
    assert [model.packs(None), model.packs(True), model.packs(False)] == [False, True, False]
    assert load_config(None, packing=True).packing is True
