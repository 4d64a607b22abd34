"""The docker backend: the shared hostile-program suite plus what only this backend promises.

Uses the real dockerd and the images of `themis images build`; skipped (with the
reason) only where dockerd cannot be reached or the images are missing:
`sandboxes/images/ci_setup.sh` starts dockerd and builds them offline.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import pytest

from sandboxes import Limits, SandboxUnavailable, open_sandbox
from sandboxes.agent_wire import encode_request
from sandboxes.docker import LABEL, OWNER_LABEL, remove_leftovers
from schemas import Candidate, TestSpec
from tests.sandbox_suite import *  # noqa: F401,F403  (the shared suite runs against this backend)
from tests.sandbox_suite import SUITE_LIMITS, run

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("docker")]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MCEVAL = "/work/shared/data/mceval"
MCEVAL_FILES = {"C": "C", "Cpp": "CPP", "CSharp": "Csharp", "Go": "Go", "Java": "Java",
                "JavaScript": "JavaScript", "Python": "Python", "Ruby": "Ruby"}


@pytest.fixture(scope="module")
def backend_name():
    return "docker"


@pytest.fixture(scope="module")
def sandbox(backend_name):
    try:
        box = open_sandbox(backend_name, SUITE_LIMITS)
    except SandboxUnavailable as exc:
        pytest.skip(f"docker backend unavailable: {exc}")
    yield box
    box.close()


def sandbox_containers() -> list[SimpleNamespace]:
    """One listing call (the SDK's containers.list inspects each container after listing, and
    fails with NotFound when a sandbox closing elsewhere removes one in between)."""
    from sandboxes.images import docker_client

    return [SimpleNamespace(id=c["Id"], name=c["Names"][0].lstrip("/"), labels=c["Labels"])
            for c in docker_client().api.containers(all=True, filters={"label": f"{LABEL}=1"})]


def test_request_encoding_is_one_base64_line():
    # docker's attach stream detaches on ctrl-p ctrl-q: requests must never contain those bytes.
    line = encode_request([("prog", 0o755, bytes(range(256)))], "/work", ["/bin/true"], {"A": "b"}, b"\x10\x11",
                          1024, 5000, True)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert b"\x10" not in line and b"\x11" not in line


def test_program_runs_unprivileged_without_network_or_capabilities(sandbox):
    code = ("import os\nprint(os.getuid(), os.getppid() > 1)\n"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm'))])\n"
            "print(sorted(os.listdir('/sys/class/net')))\n"
            "print([l.split()[3].split(',')[0] for l in open('/proc/mounts') if l.split()[1] == '/'][0])\n")
    m = run(sandbox, "Python", code)
    assert m.stdout_tail.splitlines() == ["10001 True", "['0000000000000000', '0000000000000000']", "['lo']", "ro"]


def test_nothing_a_run_leaves_reaches_the_next(sandbox):
    leave = ("import subprocess\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
             "open('/work/marker', 'w').write('x'); open('/tmp/marker', 'w').write('x')\n")
    check = ("import os\nprint([p for p in ('/work/marker', '/tmp/marker') if os.path.exists(p)])\n"
             "print(len([p for p in os.listdir('/proc') if p.isdigit()]))\n")
    assert run(sandbox, "Python", leave).status == "ok"
    # one warm container served both runs: agent, launcher and this program are all that run in it
    assert run(sandbox, "Python", check).stdout_tail.splitlines() == ["[]", "3"]


def mceval(language: str, limit: int) -> list[Candidate]:
    with open(os.path.join(MCEVAL, f"{MCEVAL_FILES[language]}.jsonl"), encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:limit]
    return [Candidate(candidate_id=r["task_id"], task_id=r["task_id"], language=language, prompt=r["prompt"],
                      code=r["prompt"] + "\n" + r["canonical_solution"], origin="reference",
                      tests=TestSpec(code=r["test"])) for r in rows]


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(MCEVAL), reason=f"{MCEVAL} not present")
def test_mceval_canonical_solutions_pass(sandbox):
    todo = [c for language in sorted(MCEVAL_FILES) for c in mceval(language, 2)]
    with open_sandbox("docker", Limits(wall_seconds=60)) as box:  # the default compile limit: g++ is slow
        failed = [(m.task_id, m.status, m.stderr_tail[-300:]) for m in box.run_many(todo) if m.status != "ok"]
    assert failed == []


CRASHER = textwrap.dedent("""\
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from sandboxes import Limits, open_sandbox
    from schemas import Candidate, TestSpec
    sandbox = open_sandbox("docker", Limits())
    m = sandbox.run_many([Candidate(candidate_id="x", task_id="x", language="Python", prompt="",
                                    code="print(1)", origin="reference", tests=TestSpec())])[0]
    print(m.status, len(sandbox.launcher._live), os.getpid(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """)


def test_containers_of_a_crashed_worker_are_removed(sandbox):
    done = subprocess.run([sys.executable, "-c", CRASHER.format(root=ROOT)], capture_output=True, text=True,
                          timeout=120)
    status, containers, pid = done.stdout.split()
    assert (status, containers) == ("ok", "1"), done.stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the agent reads EOF, exits, and docker auto-removes the container
        orphans = [c.name for c in sandbox_containers() if c.labels[OWNER_LABEL].endswith(f":{pid}")]
        if not orphans:
            break
        time.sleep(0.5)
    assert orphans == []


def test_leftovers_of_dead_owners_are_removed(sandbox):
    from sandboxes.images import docker_client, image_tag

    client = docker_client()
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = {c.id for c in sandbox_containers()}
    orphan = client.api.create_container(image_tag("Python"), labels={
        LABEL: "1", OWNER_LABEL: f"{os.uname().nodename}:{dead.pid}"})["Id"]
    assert remove_leftovers(client) == 1
    remaining = {c.id for c in sandbox_containers()}
    assert orphan not in remaining and alive <= remaining  # live owners' containers stay


def test_close_removes_every_container(sandbox):
    def ours() -> set[str]:
        return {c.id for c in sandbox_containers() if c.labels[OWNER_LABEL].endswith(f":{os.getpid()}")}

    box = open_sandbox("docker", SUITE_LIMITS)
    before = ours()
    assert run(box, "Ruby", "puts 1\n").status == "ok"
    mine = ours() - before
    assert len(mine) == 1
    box.close()
    assert mine & ours() == set()
