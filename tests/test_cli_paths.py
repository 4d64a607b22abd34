"""An unusable --input or --output is one line on stderr and exit code 2, before any work or any
output exists (issue 21 section 5): a missing absolute path is not a hub dataset name, and an
output that is a file, lies under a file or is not writable is said so."""
import os

import pytest

from pipelines.cli import main

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "tasks.jsonl")


@pytest.mark.parametrize("args, message", [
    (["build", "--input", "{tmp}/gone/tasks.jsonl", "--output", "{tmp}/out"],
     "themis build: --input {tmp}/gone/tasks.jsonl: no such file or directory"),
    (["build", "--input", "{tmp}/gone", "--output", "{tmp}/out"],
     "themis build: --input {tmp}/gone: no such file or directory"),
    (["build", "--input", EXAMPLE, "--output", "{tmp}/afile"],
     "themis build: --output {tmp}/afile is a file; give a directory path"),
    (["build", "--input", EXAMPLE, "--output", "{tmp}/afile/out"],
     "themis build: --output {tmp}/afile/out: {tmp}/afile is a file, not a directory"),
    (["build", "--input", EXAMPLE, "--output", "/sys/themis-out"],  # not writable, root included
     "themis build: --output /sys/themis-out: /sys is not writable by this user"),
    (["build", "--input", EXAMPLE, "--output", "{tmp}/out", "--store", "{tmp}"],
     "themis build: --store {tmp} is a directory; give a file path"),
    (["train", "--model", "m", "--data", "{tmp}/x.parquet", "--output", "{tmp}/afile"],
     "themis train: --output {tmp}/afile is a file; give a directory path"),
    (["eval", "--model", "{tmp}/m", "--bench", "{tmp}/b.parquet", "--output", "{tmp}/afile"],
     "themis eval: --output {tmp}/afile is a file; give a directory path"),
    (["score", "--model", "{tmp}/m", "--input", "{tmp}/rows.jsonl", "--output", "{tmp}"],
     "themis score: --output {tmp} is a directory; give a file path"),
    (["report", "{tmp}", "--output", "{tmp}/afile"],
     "themis report: --output {tmp}/afile is a file; give a directory path"),
])
def test_unusable_paths_are_one_line_and_exit_2_before_anything_is_created(tmp_path, capsys, args, message):
    (tmp_path / "afile").write_text("")
    tmp = str(tmp_path)
    assert main([a.format(tmp=tmp) for a in args]) == 2
    err = capsys.readouterr().err
    assert err == message.format(tmp=tmp) + "\n"
    assert sorted(os.listdir(tmp_path)) == ["afile"]
