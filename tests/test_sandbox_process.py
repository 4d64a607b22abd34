"""The process backend: the shared hostile-program suite plus what only this backend promises."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from sandboxes.base import SandboxUnavailable
from sandboxes.cgroups import CgroupTree, GroupStats
from sandboxes.engine import RunResult, classify
from sandboxes.process import ProcessSandbox
from tests.sandbox_suite import *  # noqa: F401,F403  (the shared suite runs against this backend)
from tests.sandbox_suite import SUITE_LIMITS, run


@pytest.fixture(scope="module")
def backend_name():
    return "process"


def test_program_runs_as_nobody_without_capabilities(sandbox):
    code = ("import os\nprint(os.getuid(), os.getgid(), os.getpid())\n"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0])\n"
            "print(sorted(os.listdir('/')))\n")
    m = run(sandbox, "Python", code)
    uid_line, caps, root = m.stdout_tail.splitlines()
    assert uid_line.split()[:2] == ["65534", "65534"]
    assert int(uid_line.split()[2]) < 10  # its own PID namespace
    assert caps == "0000000000000000"
    assert "root" not in root and "home" not in root


def test_memory_reads_within_5_percent_and_ignore_the_parent(sandbox):
    inflate = bytearray(300 * 2 ** 20)  # a big Python parent must not show up in the child's figure
    for i in range(0, len(inflate), 4096):
        inflate[i] = 1
    touch = ("#include <stdlib.h>\nint main(void) { volatile char *p = malloc(SIZE);\n"
             "  for (long i = 0; i < SIZE; i += 4096) p[i] = 1; return 0; }\n")
    fifty = run(sandbox, "C", touch.replace("SIZE", str(50 * 2 ** 20)), repetitions=3)
    one = run(sandbox, "C", touch.replace("SIZE", str(2 ** 20)), repetitions=3)
    assert fifty.status == one.status == "ok"
    assert all(abs(b - 50 * 2 ** 20) <= 0.05 * 50 * 2 ** 20 for b in fifty.peak_memory_bytes), fifty.peak_memory_bytes
    assert all(b < 4 * 2 ** 20 for b in one.peak_memory_bytes), one.peak_memory_bytes
    del inflate


def test_unisolated_needs_an_explicit_opt_in(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None if name == "bwrap" else "/usr/bin/" + name)
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap.*--allow_unisolated"):
        ProcessSandbox(SUITE_LIMITS)
    with ProcessSandbox(SUITE_LIMITS, allow_unisolated=True) as box:
        assert box.isolation_notes and not box.launcher.bwrap_ok
        m = run(box, "C", '#include <stdio.h>\nint main(void) { puts("plain"); return 0; }\n')
        assert (m.status, m.stdout_tail) == ("ok", "plain\n")
        assert run(box, "Python", "while True:\n    pass\n").status == "timeout"


def test_close_removes_every_host_file():
    box = ProcessSandbox(SUITE_LIMITS)
    run(box, "Go", 'package main\n\nfunc main() {}\n')
    root, groups = box.root, list(box.launcher.cgroups.bases.values())
    box.close()
    assert not os.path.exists(root)
    assert [g for g in groups if os.path.exists(g)] == []


def test_state_of_killed_workers_is_swept(tmp_path):
    stale_pid = 4_000_000  # above pid_max: never a live process
    first = ProcessSandbox(SUITE_LIMITS)
    parents = [os.path.dirname(base) for base in first.launcher.cgroups.bases.values()]
    first.close()
    stale_groups = [os.path.join(parent, f"themis-{stale_pid}-deadbeef", "run-1-abcdef") for parent in parents]
    for path in stale_groups:
        os.makedirs(path)
    stale_root = tempfile.mkdtemp(prefix=f"themis-sandbox-{stale_pid}-")
    with ProcessSandbox(SUITE_LIMITS):
        assert [p for p in stale_groups if os.path.exists(os.path.dirname(p))] == []
        assert not os.path.exists(stale_root)


# The creator of a tree forks and exits; its child still uses the tree: the tree's name names a
# dead PID, and a sweep (another worker opening its sandbox) must leave it alone until the child exits.
_FORK_AND_EXIT = """
import os, sys, time
from sandboxes.cgroups import CgroupTree
tree = CgroupTree.open()
read, write = os.pipe()
if os.fork() == 0:
    os.close(read)
    os.write(write, " ".join([str(os.getpid()), *sorted(set(tree.bases.values()))]).encode())
    os.close(write)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1), os.dup2(null, 2)  # so that the test reads the creator's output to its end
    time.sleep(600)
os.close(write)
print(os.read(read, 4096).decode(), flush=True)
os._exit(0)
"""


def test_a_tree_in_use_by_a_child_of_its_dead_creator_is_not_swept():
    creator = subprocess.run([sys.executable, "-c", _FORK_AND_EXIT], capture_output=True, text=True, timeout=60,
                             cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert creator.returncode == 0, creator.stderr
    child, *bases = creator.stdout.split()
    parents = [os.path.dirname(base) for base in bases]
    try:
        CgroupTree.sweep(parents)
        assert [os.path.isdir(base) for base in bases] == [True] * len(bases)  # its creator is dead, not its child
    finally:
        os.kill(int(child), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(os.path.isdir(base) for base in bases) and time.monotonic() < deadline:
        CgroupTree.sweep(parents)
        time.sleep(0.05)
    assert [base for base in bases if os.path.isdir(base)] == []


@pytest.mark.parametrize("limit_hits, peak, status", [
    (0, SUITE_LIMITS.memory_bytes // 2, "timeout"), (3, SUITE_LIMITS.memory_bytes // 2, "memory_limit"),
    (0, SUITE_LIMITS.memory_bytes, "memory_limit")])
def test_a_cpu_kill_at_the_memory_limit_is_a_memory_limit(limit_hits, peak, status):
    # Allocating at the limit runs the kernel's reclaim on the program's CPU time; when that time
    # runs out before the OOM killer acts, the program ran out of memory, not of CPU.
    report = {"exec_errno": 0, "timed_out": 0}
    result = RunResult("", signal=signal.SIGXCPU, cpu_seconds=1.0)
    stats = GroupStats(peak_memory_bytes=peak, oom_kills=0, limit_hits=limit_hits)
    assert classify(report, stats, False, False, SUITE_LIMITS, 4.0, result)[0] == status


CTRL_C_DURING_COMPILE = """
import os, signal, sys, threading, time
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored (a background job)
from sandboxes.process import ProcessSandbox
from tests.sandbox_suite import SUITE_LIMITS, candidate

def interrupt_once_compiling(box):
    while not box.owned_pids():
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGINT)

with ProcessSandbox(SUITE_LIMITS, workers=1) as box:
    threading.Thread(target=interrupt_once_compiling, args=(box,), daemon=True).start()
    measured = box.run_many([candidate("C", sys.stdin.read())])[0]
    print(measured.status)
"""


def test_ctrl_c_during_a_compile_stops_the_run_instead_of_failing_the_candidate():
    # Ctrl-C while a compile ran became the candidate's sandbox_error (when the compile was on the main
    # thread, where Ctrl-C lands) and the build went on to exit 0; the run must stop instead.
    slow_to_compile = "".join(f"int f{i}(int x) {{ int s = 0; for (int k = 0; k < x; k++) s += k * {i} % (k + 3); "
                              "return s; }\n" for i in range(500)) + "int main(void) { return f1(3) - f1(3); }\n"
    done = subprocess.run([sys.executable, "-c", CTRL_C_DURING_COMPILE], input=slow_to_compile, capture_output=True,
                          text=True, timeout=120, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert (done.returncode, done.stdout) == (-signal.SIGINT, ""), done.stderr[-2000:]
    assert done.stderr.rstrip().endswith("KeyboardInterrupt")
