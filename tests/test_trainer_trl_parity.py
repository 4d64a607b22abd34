"""Our Bradley-Terry loss with margin and centering equals TRL's RewardTrainer loss on the
same batch, so a like-for-like comparison with TRL (bench/bench_trainer.py) is fair."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

from tests.trainer_fixtures import preference_rows, tiny_causal_lm, write_build  # noqa: E402
from trainer.backbone import load_reward_model  # noqa: E402
from trainer.config import load_config  # noqa: E402
from trainer.data import load_pairs  # noqa: E402
from trainer.loop import batch_step, encode_batch  # noqa: E402

pytestmark = pytest.mark.xdist_group("trainer")
CENTERING = 0.01


def test_bt_loss_with_margin_and_centering_equals_trl(tmp_path):
    from datasets import Dataset
    from trl import RewardConfig, RewardTrainer

    tasks = preference_rows(64)  # McEval has 50 Python tasks; the rest repeat with another system prompt
    rows = [dict(tasks[i % len(tasks)], id=f"pair-{i}", margin=0.25 * (i % 5),
                 system="Prefer fast code." if i >= len(tasks) else tasks[i]["system"]) for i in range(64)]
    assert len(rows) == 64
    pairs = load_pairs(write_build(str(tmp_path / "build"), rows))
    model = load_reward_model(tiny_causal_lm(str(tmp_path / "lm"), [r["input"] + r["chosen"] for r in rows]))
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():  # a random head, so rewards (and the loss) are not all zero
        model.head.weight.copy_(torch.randn(model.head.weight.shape, generator=g))
    model.eval()
    cfg = load_config(None, model="-", output="-", data="-", max_length=256, margin_scale=1.0,
                      centering_coef=CENTERING, lm_coef=0.0, packing=False, batch_size=64)
    # padded, as TRL pads (packed == padded rewards: tests/test_trainer.py)
    with torch.no_grad():
        ours, _ = batch_step(model, model, pairs, cfg, torch.device("cpu"))

    sequences = encode_batch(model, pairs, cfg)
    examples = [{"chosen_ids": c.input_ids, "rejected_ids": r.input_ids, "margin": p.margin}
                for p, c, r in zip(pairs, sequences[:64], sequences[64:])]
    args = RewardConfig(output_dir=str(tmp_path / "trl"), center_rewards_coefficient=CENTERING, report_to=[],
                        per_device_train_batch_size=64, use_cpu=True, max_length=None)
    trl = RewardTrainer(model=model.classifier, args=args, processing_class=model.tokenizer,
                        train_dataset=Dataset.from_list(examples))
    batch = trl.data_collator(examples)
    with torch.no_grad():
        theirs = trl.compute_loss(model.classifier.eval(), batch)
    assert ours.item() > 0.1
    assert ours.item() == pytest.approx(theirs.item(), abs=1e-5)
