"""Reward-model trainer on CPU: losses, pooling, save/reload, training, resume, eval, CLI.

Tiny models come from `from_config` with a tokenizer trained here; pairs come
from McEval Python tasks (see trainer_fixtures).
"""
from __future__ import annotations

import json
import math
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from safetensors.torch import load_file  # noqa: E402

from pipelines.cli import main as themis  # noqa: E402
from tests.trainer_fixtures import (preference_rows, tiny_causal_lm, tiny_encoder,  # noqa: E402
                                    write_build)
from trainer.backbone import load_reward_model  # noqa: E402
from trainer.collate import collate  # noqa: E402
from trainer.config import ConfigError, load_config  # noqa: E402
from trainer.data import DataError, load_pairs  # noqa: E402
from trainer.evaluate import load_bench  # noqa: E402
from trainer.losses import (LossWeights, bradley_terry, centering_penalty, magnitude_penalty,  # noqa: E402
                            reward_loss)
from trainer.loop import train  # noqa: E402
from trainer.scoring import Scorer  # noqa: E402
from trainer.template import PAD_TOKEN, encode  # noqa: E402

pytestmark = pytest.mark.xdist_group("trainer")


@pytest.fixture(scope="module")
def rows():
    return preference_rows(8)


@pytest.fixture(scope="module")
def texts(rows):
    return [r["input"] + r["chosen"] for r in rows]


@pytest.fixture(scope="module")
def causal_dir(tmp_path_factory, texts):
    return tiny_causal_lm(str(tmp_path_factory.mktemp("lm")), texts)


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory, texts):
    return tiny_encoder(str(tmp_path_factory.mktemp("bert")), texts)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory, rows):
    return write_build(str(tmp_path_factory.mktemp("build")), rows)


def _random_head(model, seed=1):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.head.weight.copy_(torch.randn(model.head.weight.shape, generator=g))
    return model


def _config(model_dir, output, data, **kw):
    values = dict(model=model_dir, output=output, data=data, batch_size=4, max_length=128, learning_rate=3e-3,
                  log_every=1, epochs=4.0)
    values.update(kw)
    return load_config(None, **values)


# --- losses -------------------------------------------------------------------------------

def test_loss_values_on_known_inputs():
    c, r = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 0.0])
    assert bradley_terry(c, r).item() == pytest.approx((math.log1p(math.exp(-1)) + math.log(2)) / 2, abs=1e-7)
    # a margin of 1 on the first pair makes its difference 0: loss log 2
    assert bradley_terry(c, r, torch.tensor([1.0, 0.0])).item() == pytest.approx(math.log(2), abs=1e-7)
    c, r = torch.tensor([1.0, -2.0]), torch.tensor([0.5, 1.0])
    assert magnitude_penalty(c, r).item() == pytest.approx((1.5 ** 2 + 3.0 ** 2) / 2)
    assert centering_penalty(c, r).item() == pytest.approx((1.5 ** 2 + 1.0 ** 2) / 2)
    total, parts = reward_loss(c, r, LossWeights(margin_scale=0.5, magnitude=0.1, centering=0.01, lm=2.0),
                               margins=torch.tensor([1.0, 2.0]), lm_loss=torch.tensor(0.25))
    bt = (math.log1p(math.exp(-(0.5 - 0.5))) + math.log1p(math.exp(-(-3.0 - 1.0)))) / 2
    assert parts == pytest.approx({"bt": bt, "magnitude": 0.5625, "centering": 0.01625, "lm": 0.5})
    assert total.item() == pytest.approx(bt + 0.5625 + 0.01625 + 0.5)


# --- data ---------------------------------------------------------------------------------

def test_load_pairs_from_build_glob_and_plain_parquet(tmp_path, build_dir, rows):
    pairs = load_pairs(build_dir)
    assert [p.chosen for p in pairs] == [r["chosen"] for r in rows]
    assert pairs[0].system == "Prefer correct code." and pairs[1].system == ""
    assert load_pairs(os.path.join(build_dir, "data", "*.parquet")) == pairs
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.Table.from_pylist([{"input": "q", "chosen": "a", "rejected": "b"}]), plain)
    assert [(p.system, p.input, p.chosen, p.rejected) for p in load_pairs(str(plain))] == [("", "q", "a", "b")]
    with pytest.raises(DataError, match=r"no rows in split 'test' \(it has \['train'\]\)"):
        load_pairs(build_dir, split="test")
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pylist([{"question": "q", "chosen": "a", "rejected": "b"}]), bad)
    with pytest.raises(DataError, match="no column 'input'"):
        load_pairs(str(bad))


# --- template -----------------------------------------------------------------------------

def test_pad_token_is_distinct_and_only_the_response_is_truncated(causal_dir, rows):
    model = load_reward_model(causal_dir)
    tok = model.tokenizer
    assert tok.pad_token == PAD_TOKEN and tok.pad_token_id != tok.eos_token_id
    assert model.classifier.config.pad_token_id == tok.pad_token_id
    row = rows[0]
    full = encode(tok, row["system"], row["input"], row["chosen"], 10_000, causal=True)
    cut = encode(tok, row["system"], row["input"], row["chosen"], full.response_start + 20, causal=True,
                 min_response_tokens=8)
    assert not full.truncated and cut.truncated and len(cut.input_ids) == full.response_start + 20
    assert cut.input_ids[: cut.response_start] == full.input_ids[: full.response_start]  # prompt intact
    suffix = len(full.input_ids) - len(tok(row["chosen"], add_special_tokens=False)["input_ids"]) - full.response_start
    assert cut.input_ids[-suffix:] == full.input_ids[-suffix:]  # the closing tokens survive
    assert full.input_ids[-1] == tok.eos_token_id
    # a prompt longer than the limit is cut from the left, leaving room for the response
    tiny = encode(tok, "", row["input"], row["chosen"], 40, causal=True, min_response_tokens=16)
    assert len(tiny.input_ids) == 40 and len(tiny.input_ids) - tiny.response_start - suffix == 16


# --- pooling ------------------------------------------------------------------------------

def test_rewards_do_not_depend_on_padding_or_packing(causal_dir, rows):
    model = _random_head(load_reward_model(causal_dir)).eval()
    seqs = [encode(model.tokenizer, r["system"], r["input"], r[k], 200, causal=True)
            for r in rows[:3] for k in ("chosen", "rejected")]
    pad = model.tokenizer.pad_token_id
    with torch.no_grad():
        alone = torch.cat([model(**_no_labels(collate([s], pad, packed=False)))[0] for s in seqs])
        right = model(**_no_labels(collate(seqs, pad, packed=False)))[0]
        left = model(**_no_labels(collate(seqs, pad, packed=False, left_pad=True)))[0]
        packed = model(**_no_labels(collate(seqs, pad, packed=True)))[0]
    assert alone.abs().min() > 1e-3  # a real signal, not the zero head
    for other in (right, left, packed):
        torch.testing.assert_close(other, alone, atol=1e-5, rtol=1e-5)


def test_packed_and_padded_lm_loss_agree(causal_dir, rows):
    model = load_reward_model(causal_dir).eval()
    seqs = [encode(model.tokenizer, r["system"], r["input"], r["chosen"], 200, causal=True) for r in rows[:3]]
    pad = model.tokenizer.pad_token_id
    with torch.no_grad():
        _, padded = model(**collate(seqs, pad, packed=False, lm_chosen=3))
        _, packed = model(**collate(seqs, pad, packed=True, lm_chosen=3))
    assert padded.item() > 0
    assert packed.item() == pytest.approx(padded.item(), rel=1e-5)


def _no_labels(batch):
    batch.pop("lm_labels")
    return batch


# --- save and reload ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["causal", "encoder"])
def test_saved_model_gives_the_same_rewards_in_hf(tmp_path, kind, causal_dir, encoder_dir, rows):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = _random_head(load_reward_model(causal_dir if kind == "causal" else encoder_dir)).eval()
    model.save(str(tmp_path / "rm"), max_length=200, min_response_tokens=64)
    items = [(r["system"], r["input"], r[k]) for r in rows[:3] for k in ("chosen", "rejected")]
    ours = Scorer(str(tmp_path / "rm")).score_many(items, batch_size=6)
    hf = AutoModelForSequenceClassification.from_pretrained(str(tmp_path / "rm")).eval()
    tok = AutoTokenizer.from_pretrained(str(tmp_path / "rm"))
    assert hf.config.pad_token_id == tok.pad_token_id
    seqs = [encode(tok, s, p, r, 200, causal=kind == "causal") for s, p, r in items]
    batch = collate(seqs, tok.pad_token_id, packed=False)
    with torch.no_grad():
        args = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        if kind == "encoder":
            args["token_type_ids"] = batch["token_type_ids"]
        logits = hf(**args).logits[:, 0]
    assert len(set(round(x, 4) for x in ours)) > 1
    torch.testing.assert_close(logits, torch.tensor(ours), atol=1e-5, rtol=1e-5)


# --- training -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory, causal_dir, build_dir):
    out = str(tmp_path_factory.mktemp("trained"))
    train(_config(causal_dir, out, build_dir, epochs=6.0))
    return out


def test_overfits_a_small_set_to_accuracy_one(trained, rows):
    scores = Scorer(trained).score_many([(r["system"], r["input"], r[k]) for r in rows for k in ("chosen", "rejected")])
    assert all(c > r for c, r in zip(scores[0::2], scores[1::2]))
    log = [json.loads(line) for line in open(os.path.join(trained, "train_log.jsonl"))]
    steps = [rec for rec in log if "step" in rec]
    assert [rec["step"] for rec in steps] == list(range(1, 13))
    assert {"bt", "lm", "accuracy", "margin", "lr", "grad_norm", "tokens_per_s"} <= set(steps[-1])
    assert steps[-1]["margin"] > steps[0]["margin"]
    meta = json.load(open(os.path.join(trained, "themis_reward.json")))
    assert meta == {"backbone": "causal", "max_length": 128, "min_response_tokens": 64}


@pytest.mark.parametrize("dropout", [False, True])
def test_dropout_is_off_in_training_unless_asked_for(tmp_path, encoder_dir, build_dir, dropout):
    # Learning rate 0 and a batch holding every pair: both steps see the same model and data, so
    # their gradients agree exactly unless dropout draws new masks (tiny BERT: dropout 0.1).
    out = str(tmp_path / "rm")
    train(_config(encoder_dir, out, build_dir, batch_size=8, max_steps=2, learning_rate=0.0, dropout=dropout))
    log = [json.loads(line) for line in open(os.path.join(out, "train_log.jsonl"))]
    first, second = [rec["grad_norm"] for rec in log if "step" in rec]
    assert first > 0
    if dropout:
        assert abs(first - second) > 1e-3 * first
    else:
        assert first == pytest.approx(second, rel=1e-5)


@pytest.mark.slow
def test_resume_equals_uninterrupted_training(tmp_path, causal_dir, build_dir):
    whole, parts = str(tmp_path / "whole"), str(tmp_path / "parts")
    train(_config(causal_dir, whole, build_dir, epochs=2.0))
    assert train(_config(causal_dir, parts, build_dir, epochs=2.0, stop_after=2)) is None
    assert not os.path.exists(os.path.join(parts, "model.safetensors"))
    train(_config(causal_dir, parts, build_dir, epochs=2.0, resume=True))
    a, b = load_file(os.path.join(whole, "model.safetensors")), load_file(os.path.join(parts, "model.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], atol=0, rtol=0)


@pytest.mark.slow
def test_two_stage_config(tmp_path, causal_dir, build_dir):
    cfg_file = tmp_path / "stages.yaml"
    cfg_file.write_text(f"batch_size: 4\nmax_length: 120\nlog_every: 1\nstages:\n  - name: pt\n    data: {build_dir}\n"
                        f"    max_steps: 1\n  - name: pm\n    data: {build_dir}\n    max_steps: 2\n")
    config = load_config(str(cfg_file), model=causal_dir, output=str(tmp_path / "out"))
    assert [(s.name, s.max_steps, s.adam_beta2, s.weight_decay) for s in config.stage_configs()] == [
        ("pt", 1, 0.95, 0.1), ("pm", 2, 0.95, 0.1)]
    train(config)
    log = [json.loads(line) for line in open(tmp_path / "out" / "train_log.jsonl")]
    assert [(r["stage"], r["step"]) for r in log if "step" in r] == [("pt", 1), ("pm", 1), ("pm", 2)]
    assert os.path.exists(tmp_path / "out" / "stages" / "pt" / "model.safetensors")
    with pytest.raises(ConfigError, match=r"stages\[0\]\.epoch: unknown key"):
        load_config(None, stages=({"epoch": 1},)).stage_configs()


# --- eval and CLI -------------------------------------------------------------------------

def _bench(path, rows):
    bench = [{"prompt": r["input"], "chosen": r["chosen"], "rejected": r["rejected"],
              "language": "Python" if i < 6 else "Ruby", "aspect": r["aspect"] if i % 2 else "Readability_Maintainability",
              "subset": "a" if i < 4 else "b", "id": f"p{i}"} for i, r in enumerate(rows)]
    pq.write_table(pa.Table.from_pylist(bench), path)
    return bench


def test_eval_writes_results_and_scores(tmp_path, trained, rows):
    bench = _bench(tmp_path / "bench.parquet", rows)
    assert themis(["eval", "--model", trained, "--bench", str(tmp_path / "bench.parquet"),
                   "--output", str(tmp_path / "ev"), "--modes", "none,criterion"]) == 0
    results = json.load(open(tmp_path / "ev" / "results.json"))
    scores = pq.read_table(tmp_path / "ev" / "scores.parquet").to_pylist()
    assert sorted(results["modes"]) == ["criterion", "none"]
    assert len(scores) == 16 and {s["mode"] for s in scores} == {"none", "criterion"}
    for mode, res in results["modes"].items():
        mine = [s for s in scores if s["mode"] == mode]
        assert [s["id"] for s in mine] == [b["id"] for b in bench]
        assert all(s["correct"] == (s["chosen_score"] > s["rejected_score"]) for s in mine)
        assert res["accuracy"] == sum(s["correct"] for s in mine) / 8 and res["n"] == 8
        assert {k: v["n"] for k, v in res["by_language"].items()} == {"Python": 6, "Ruby": 2}
        assert {k: v["n"] for k, v in res["by_subset"].items()} == {"a": 4, "b": 4}
        assert {k: v["n"] for k, v in res["by_aspect"].items()} == {"Functional_Correctness": 4,
                                                                   "Readability_Maintainability": 4}
        ruby = [s["correct"] for s in mine if s["language"] == "Ruby"]
        assert res["by_language"]["Ruby"]["accuracy"] == sum(ruby) / 2
    # the trained set is ranked right without a system prompt (pairs 1,3,5,7 were trained with none)
    assert results["modes"]["none"]["accuracy"] >= 0.5


def test_eval_scores_one_split_of_a_build(tmp_path, trained, rows):
    split_rows = [dict(r, split="test" if i < 3 else "train") for i, r in enumerate(rows)]
    build = write_build(str(tmp_path / "build"), split_rows)
    assert themis(["eval", "--model", trained, "--bench", build, "--output", str(tmp_path / "ev"),
                   "--modes", "none"]) == 0
    scores = pq.read_table(tmp_path / "ev" / "scores.parquet").to_pylist()
    assert [s["id"] for s in scores] == [r["id"] for r in split_rows[:3]]
    with pytest.raises(DataError, match=r"no pairs in split 'dev' \(it has \['test', 'train'\]\)"):
        load_bench(build, "dev")


@pytest.mark.slow
def test_cli_train_score_and_errors(tmp_path, encoder_dir, build_dir, rows, capsys):
    out = str(tmp_path / "enc")
    assert themis(["train", "--data", build_dir, "--model", encoder_dir, "--output", out, "--max_steps", "2",
                   "--batch_size", "2", "--max_length", "128"]) == 0
    assert json.load(open(os.path.join(out, "themis_reward.json")))["backbone"] == "encoder"
    (tmp_path / "a.py").write_text(rows[0]["chosen"])
    (tmp_path / "b.py").write_text(rows[0]["rejected"])
    capsys.readouterr()
    assert themis(["score", "--model", out, "--prompt", rows[0]["input"], "--response", str(tmp_path / "a.py"),
                   "--response", str(tmp_path / "b.py"), "--aspect", "Functional_Correctness"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    import trainer

    api = trainer.score(out, rows[0]["input"], [rows[0]["chosen"], rows[0]["rejected"]],
                        aspect="Functional_Correctness")
    assert [p["score"] for p in printed] == pytest.approx(api, abs=1e-6)
    assert themis(["train", "--model", encoder_dir, "--output", out]) == 2
    assert "no training data" in capsys.readouterr().err
    assert themis(["score", "--model", out]) == 2
    assert themis(["eval", "--model", out, "--bench", str(tmp_path / "a.py"), "--output", out, "--modes", "x"]) == 2
