"""The trainer's GPU path, once, on a CUDA machine (issue 20). Not run in CI: no GPU there.

  python scripts/gpu_check_trainer.py            # ~5 minutes on one H100/H200

Checks, each printed as PASS/FAIL with its numbers:
1. bf16 packing with per-sequence position ids: the rewards of one packed row equal those of
   the same sequences run one at a time (bf16 tolerance), so attention does not cross sequences.
2. FSDP2 via `accelerate launch --config_file trainer/configs/fsdp2.yaml --num_processes 1`:
   a run stopped after 2 steps and resumed equals an uninterrupted 4-step run, weight by weight.
3. AutoModelForSequenceClassification.from_pretrained on the output gives trainer.score's rewards.
4. bench/bench_trainer.py --steps 20 (the Qwen3-0.6B shape): themis packed / padded / TRL.
The CPU halves of 1-3 (fp32) run in tests/test_trainer.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.bench_trainer import TINY, synthetic_rows, write_model  # noqa: E402


def check(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
    return ok


def packing(model_dir: str, rows: list[dict]) -> bool:
    import torch

    from trainer.backbone import load_reward_model
    from trainer.collate import collate
    from trainer.template import encode

    model = load_reward_model(model_dir, dtype=torch.bfloat16).cuda().eval()
    torch.nn.init.normal_(model.head.weight)
    seqs = [encode(model.tokenizer, "", r["input"], r["chosen"], 1024, True) for r in rows[:6]]
    pad = model.tokenizer.pad_token_id
    with torch.no_grad():
        run = lambda batch: model(**{k: v.cuda() for k, v in batch.items() if k != "lm_labels"})[0]  # noqa: E731
        alone = torch.cat([run(collate([s], pad, packed=False)) for s in seqs])
        packed = run(collate(seqs, pad, packed=True))
    err = float((packed - alone).abs().max())
    return check("bf16 packed == one at a time", err <= 0.02 * float(alone.abs().max()) + 1e-2,
                 f"max |diff| {err:.4g}, max |reward| {float(alone.abs().max()):.4g}, "
                 f"attention {model.classifier.config._attn_implementation}")


def fsdp_resume_and_hf(model_dir: str, data: str, work: str) -> bool:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    import trainer

    def launch(out: str, *extra: str) -> None:
        subprocess.run(["accelerate", "launch", "--config_file", "trainer/configs/fsdp2.yaml", "--num_processes",
                        "1", "-m", "pipelines.cli", "train", "--data", data, "--model", model_dir, "--output", out,
                        "--max_steps", "4", "--batch_size", "4", "--learning_rate", "1e-3", *extra],
                       cwd=ROOT, check=True)

    whole, parts = os.path.join(work, "whole"), os.path.join(work, "parts")
    launch(whole)
    launch(parts, "--stop_after", "2")
    launch(parts, "--resume")
    a, b = (load_file(os.path.join(p, "model.safetensors")) for p in (whole, parts))
    worst = max(float((a[k].float() - b[k].float()).abs().max()) for k in a)
    ok = check("FSDP2 stop + --resume == uninterrupted", a.keys() == b.keys() and worst == 0.0,
               f"max |weight diff| {worst:.3g}")
    tok = AutoTokenizer.from_pretrained(whole)
    hf = AutoModelForSequenceClassification.from_pretrained(whole, dtype=torch.bfloat16).cuda().eval()
    prompt, responses = "Reverse a list", ["def f(x):\n    return x[::-1]\n", "def f(x):\n    return x\n"]
    ours = trainer.score(whole, prompt, responses)
    from trainer.template import encode

    with torch.no_grad():
        theirs = [float(hf(input_ids=torch.tensor([encode(tok, "", prompt, r, 2048, True).input_ids]).cuda()
                           ).logits[0, 0]) for r in responses]
    err = max(abs(x - y) for x, y in zip(ours, theirs))
    return ok & check("from_pretrained == trainer.score", err <= 1e-2, f"ours {ours}, HF {theirs}")


def main() -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: this check is for the GPU machine", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="gpu_check_")
    rows = synthetic_rows(64, 200, 1024)
    os.makedirs(os.path.join(work, "build", "data"))
    pq.write_table(pa.Table.from_pylist(rows), os.path.join(work, "build", "data", "train.parquet"))
    model_dir = os.path.join(work, "model")
    write_model(model_dir, rows, TINY)
    ok = packing(model_dir, rows) & fsdp_resume_and_hf(model_dir, os.path.join(work, "build"), work)
    bench = subprocess.run([sys.executable, "bench/bench_trainer.py", "--steps", "20"], cwd=ROOT)
    ok &= check("bench/bench_trainer.py --steps 20", bench.returncode == 0, f"exit {bench.returncode}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
