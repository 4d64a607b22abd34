"""A build leaves nothing in $TMPDIR (Beam's tmp*, beam-temp*, semgrep folders), when it finishes
and when it is interrupted with Ctrl-C (issue 21 section 5): real build subprocesses, private TMPDIR."""
import json
import os
import signal
import subprocess
import sys
import time

from sandboxes.engine import ROOT_PREFIX

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INTERRUPTED = "themis build: interrupted; rerun the same command to finish (measurements are kept in the store)"


def _start(tmp_path, tasks, name):
    tmpdir = tmp_path / f"tmp-{name}"
    tmpdir.mkdir()
    corpus = tmp_path / f"{name}.jsonl"
    corpus.write_text("".join(json.dumps(t) + "\n" for t in tasks))
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": ROOT}
    command = [sys.executable, "-m", "pipelines.cli", "build", "--input", str(corpus), "--output",
               str(tmp_path / f"out-{name}"), "--repetitions", "1", "--ab_repetitions", "2", "--direct_num_workers", "1"]
    return tmpdir, subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, start_new_session=True, preexec_fn=_as_from_a_terminal)


def _as_from_a_terminal():
    # A shell's background job (`cmd &`, as a CI launcher may start the suite) and all it starts inherit
    # SIGINT ignored, and Python then raises no KeyboardInterrupt; a command run from a terminal does not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _examples(language):
    with open(os.path.join(ROOT, "examples", "tasks.jsonl")) as fh:
        return [t for t in map(json.loads, fh) if t["language"] == language]


def test_a_finished_build_leaves_nothing_in_tmpdir(tmp_path):
    tmpdir, build = _start(tmp_path, _examples("Python")[:1], "done")
    _, err = build.communicate(timeout=900)
    assert build.returncode == 0, err[-2000:]
    assert os.listdir(tmpdir) == []


def test_ctrl_c_leaves_nothing_in_tmpdir(tmp_path):
    tmpdir, build = _start(tmp_path, _examples("Python")[:2], "sigint")
    deadline = time.monotonic() + 300
    # a worker's sandbox has opened: the build is executing programs
    while not any(name.startswith(ROOT_PREFIX) for _, dirs, _ in os.walk(tmpdir) for name in dirs):
        assert build.poll() is None and time.monotonic() < deadline, "the build never reached its workers"
        time.sleep(0.5)
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    _, err = build.communicate(timeout=120)
    assert (build.returncode, err.strip().splitlines()[-1]) == (130, INTERRUPTED)
    assert os.listdir(tmpdir) == []
