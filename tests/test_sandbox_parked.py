"""The process backend's parked launchers: taken by runs, replaced, killed, closed, never measured."""
from __future__ import annotations

import os
import signal
import time

import pytest

from sandboxes.parked import LauncherPool
from sandboxes.process import ProcessSandbox
from tests.sandbox_suite import SUITE_LIMITS, run

HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'
TOUCH = ("#include <stdlib.h>\nint main(void) { volatile char *p = malloc(SIZE);\n"
         "  for (long i = 0; i < SIZE; i += 4096) p[i] = 1; return 0; }\n")


@pytest.fixture
def box():
    sandbox = ProcessSandbox(SUITE_LIMITS, workers=1)  # two parked launchers
    yield sandbox
    sandbox.close()


def parked_when_full(box: ProcessSandbox) -> set[int]:
    """The parked pids once the pool is back to its size."""
    deadline = time.monotonic() + 10
    while len(box.launcher._pool.parked_pids()) < box.launcher._pool.size:
        assert time.monotonic() < deadline, "the pool was not refilled"
        time.sleep(0.01)
    return set(box.launcher._pool.parked_pids())


def in_cgroup(pid: int, directory: str) -> bool:
    with open(os.path.join(directory, "cgroup.procs"), encoding="ascii") as fh:
        return str(pid) in fh.read().split()


def exited(pid: int) -> bool:
    """A zombie (dead, not yet reaped) or gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_run_takes_a_parked_launcher_and_a_replacement_is_parked(box):
    run(box, "C", HELLO)  # compiled now (a launch of its own): the run below is one launch
    before = parked_when_full(box)
    assert len(before) == 2
    # Every parked launcher joins its own fresh group before it waits (asynchronously: the pool counts
    # it as parked once spawned, and a run's hand-over is read only after the join).
    groups = {p.pid: p.group for p in box.launcher._pool._parked}
    deadline = time.monotonic() + 10
    while not all(in_cgroup(pid, groups[pid].dirs["memory"]) for pid in before):
        assert time.monotonic() < deadline, "a parked launcher never joined its group"
        time.sleep(0.01)
    assert len({g.dirs["memory"] for g in groups.values()}) == 2
    m = run(box, "C", HELLO)
    assert (m.status, m.stdout_tail) == ("ok", "hello\n")
    after = parked_when_full(box)
    # The run used one of them (now exited and reaped, its group removed); a new one took its place.
    (taken,) = before - after
    assert len(after - before) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(taken, 0)
    assert not os.path.exists(groups[taken].dirs["memory"])


def test_close_leaves_no_process_and_no_cgroup():
    sandbox = ProcessSandbox(SUITE_LIMITS, workers=1)
    run(sandbox, "C", HELLO)
    pids, dirs = parked_when_full(sandbox), sandbox.launcher._pool.parked_dirs()
    bases = list(sandbox.launcher.cgroups.bases.values())
    sandbox.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert [d for d in [*dirs, *bases] if os.path.exists(d)] == []
    assert not sandbox.launcher._pool._thread.is_alive()


def test_a_killed_parked_launcher_is_replaced_and_does_not_fail_a_run(box):
    killed = parked_when_full(box)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while not all(exited(pid) for pid in killed):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    m = run(box, "C", HELLO)
    assert (m.status, m.stdout_tail) == ("ok", "hello\n")
    assert parked_when_full(box).isdisjoint(killed)
    assert run(box, "C", HELLO).status == "ok"


def test_the_parked_launcher_does_not_show_in_the_runs_memory(box):
    fifty = run(box, "C", TOUCH.replace("SIZE", str(50 * 2 ** 20)), repetitions=3)
    one = run(box, "C", TOUCH.replace("SIZE", str(2 ** 20)), repetitions=3)
    assert fifty.status == one.status == "ok"
    assert all(abs(b - 50 * 2 ** 20) <= 0.05 * 50 * 2 ** 20 for b in fifty.peak_memory_bytes), fifty.peak_memory_bytes
    assert all(b < 4 * 2 ** 20 for b in one.peak_memory_bytes), one.peak_memory_bytes


def test_a_launcher_that_cannot_be_parked_fails_the_take_with_the_reason():
    pool = LauncherPool("/nonexistent/launcher", None, 0, 0, 1, ["serve"])
    try:
        with pytest.raises(FileNotFoundError):
            pool.take()
    finally:
        pool.close()


def test_a_sandbox_that_fails_before_its_run_fails_the_take_with_its_words(box):
    pool = LauncherPool(box.launcher.binary, None, 0, 0, 1, ["/bin/sh", "-c", "echo no namespaces here >&2; exit 3"])
    try:
        deadline = time.monotonic() + 5
        while not (pool.parked_pids() and exited(pool.parked_pids()[0])):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with pytest.raises(OSError, match=r"failed before its run \(exit 3\): no namespaces here"):
            pool.take()
    finally:
        pool.close()


def test_more_workers_park_more_launchers(box):
    assert len(parked_when_full(box)) == 2
    box.workers = 3  # as the execute stage sets it after opening the sandbox
    assert len(parked_when_full(box)) == 4


def test_without_root_a_waiting_launcher_starts_bubblewrap_per_run(monkeypatch):
    # Not root: no cgroups, no detached mounts; the launcher waits outside and execs bwrap for the run.
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with ProcessSandbox(SUITE_LIMITS, workers=1, allow_unisolated=True) as sandbox:
        assert sandbox.launcher.bwrap_ok and not sandbox.launcher.prebuilt and sandbox.launcher.cgroups is None
        m = run(sandbox, "Python", "import os, socket\nprint(os.getpid(), socket.gethostname(), os.getcwd())\n")
        assert m.status == "ok", m.stderr_tail
        pid, host, cwd = m.stdout_tail.split()
        assert (int(pid) < 10, host, cwd) == (True, "themis", "/work")
