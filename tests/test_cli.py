import subprocess
import sys

import pytest

from pipelines.cli import SUBCOMMANDS, main


def test_top_level_help_lists_every_subcommand(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name, (_module, help_text) in SUBCOMMANDS.items():
        assert name in out and help_text.split()[0] in out


def test_unknown_command_is_an_error(capsys):
    assert main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_subcommand_has_help(name):
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", name, "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"themis {name}" in done.stdout
    assert "Traceback" not in done.stderr and "apitools" not in done.stderr


def test_build_without_input_says_what_is_missing(capsys):
    assert main(["build", "--output", "/tmp/x"]) == 2
    assert "--input and --output are required" in capsys.readouterr().err
