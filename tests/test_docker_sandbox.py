"""The docker backend against a real dockerd and the images of `themis images build`.

Skipped (with the reason) only where dockerd cannot be reached or the images are
missing: `sandboxes/images/ci_setup.sh` starts dockerd and builds them offline.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from sandboxes import Limits, SandboxUnavailable, open_sandbox
from sandboxes.docker import LABEL, OWNER_LABEL, encode_request, remove_leftovers
from schemas import Candidate, IOCase, TestSpec

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("docker")]

LIMITS = Limits(cpu_seconds=1.5, wall_seconds=12, memory_bytes=256 << 20, pids=64, output_bytes=64 << 10)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MCEVAL = "/work/shared/data/mceval"
MCEVAL_FILES = {"C": "C", "Cpp": "CPP", "CSharp": "Csharp", "Go": "Go", "Java": "Java",
                "JavaScript": "JavaScript", "Python": "Python", "Ruby": "Ruby"}


def candidate(language: str, code: str, tests: TestSpec = TestSpec(), name: str = "c") -> Candidate:
    return Candidate(candidate_id=f"{language}-{name}", task_id=f"t-{name}", language=language, prompt="",
                     code=code, origin="reference", tests=tests)


@pytest.fixture(scope="module")
def docker_sandbox():
    try:
        sandbox = open_sandbox("docker", LIMITS)
    except SandboxUnavailable as exc:
        pytest.skip(f"docker backend unavailable: {exc}")
    yield sandbox
    sandbox.close()


def sandbox_containers() -> list:
    from sandboxes.images import docker_client

    return docker_client().containers.list(all=True, filters={"label": f"{LABEL}=1"})


def test_request_encoding_is_one_base64_line():
    # docker's attach stream detaches on ctrl-p ctrl-q: requests must never contain those bytes.
    line = encode_request([("prog", 0o755, bytes(range(256)))], "/work", ["/bin/true"], {"A": "b"}, b"\x10\x11",
                          1024, 5000, True)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert b"\x10" not in line and b"\x11" not in line


HELLO = {
    "C": '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n',
    "Cpp": '#include <iostream>\nint main() { std::cout << "hi" << std::endl; }\n',
    "CSharp": 'class P { static void Main() { System.Console.WriteLine("hi"); } }\n',
    "Go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n',
    "Java": 'public class Main { public static void main(String[] a) { System.out.println("hi"); } }\n',
    "JavaScript": "console.log('hi');\n",
    "Python": "print('hi')\n",
    "Ruby": "puts 'hi'\n",
}


@pytest.mark.parametrize("language", sorted(HELLO))
def test_every_language_runs_in_its_image(docker_sandbox, language):
    m = docker_sandbox.run_many([candidate(language, HELLO[language])], repetitions=2)[0]
    assert (m.status, m.backend, m.stdout_tail) == ("ok", "docker", "hi\n"), m.stderr_tail
    assert len(m.cpu_seconds) == len(m.wall_seconds) == len(m.peak_memory_bytes) == 2
    assert all(0 < mem < LIMITS.memory_bytes for mem in m.peak_memory_bytes)


# Programs and the status both backends must give them.
HOSTILE = {
    "assertion": ("Python", "assert 1 + 1 == 3, 'Test failed'\n", "test_failure"),
    "exception": ("Python", "raise ValueError('boom')\n", "runtime_error"),
    "segfault": ("C", "int main(void) { return *(volatile int *)0; }\n", "runtime_error"),
    "syntax": ("C", "int main( {\n", "compile_error"),
    "python_syntax": ("Python", "def f(:\n", "compile_error"),
    "cpu_loop": ("Python", "while True:\n    pass\n", "timeout"),
    "sleeper": ("Python", "import time\ntime.sleep(100)\n", "timeout"),
    "memory_hog": ("Python", "x = b'x' * (1 << 30)\n", "memory_limit"),
    "output_flood": ("Python", "while True:\n    print('x' * 1000)\n", "output_limit"),
    "fork_bomb": ("C", "#include <unistd.h>\nint main(void) { for (;;) { int p = fork(); if (p == 0) pause(); "
                       "if (p < 0) return 1; } }\n", "runtime_error"),
    "network": ("Python", "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\n", "runtime_error"),
    "write_system": ("Python", "open('/usr/evil', 'w').write('x')\n", "runtime_error"),
}


@pytest.fixture(scope="module", params=["process", "docker"])
def any_sandbox(request, docker_sandbox):
    if request.param == "docker":
        yield docker_sandbox
        return
    try:
        sandbox = open_sandbox("process", LIMITS)
    except SandboxUnavailable as exc:
        pytest.skip(f"process backend unavailable: {exc}")
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_programs_get_the_same_status_in_both_backends(any_sandbox, name):
    language, code, expected = HOSTILE[name]
    m = any_sandbox.run_many([candidate(language, code, name=name)])[0]
    assert m.status == expected, (m.status, m.stderr_tail[-500:])
    if any_sandbox.backend == "docker":
        assert_only_agents_left(any_sandbox)


def assert_only_agents_left(sandbox) -> None:
    """Between runs a warm container holds its agent and nothing else."""
    for warm in [w for idle in sandbox._idle.values() for w in idle]:
        processes = warm.container.top()["Processes"]
        assert [p[-1] for p in processes] == ["/.themis/agent"], processes


def test_daemons_and_files_do_not_outlive_a_run(docker_sandbox):
    leave = textwrap.dedent("""\
        import subprocess
        subprocess.Popen(['sleep', '1000'], start_new_session=True)
        open('/work/marker', 'w').write('x'); open('/tmp/marker', 'w').write('x')
        """)
    check = textwrap.dedent("""\
        import os
        print([p for p in ('/work/marker', '/tmp/marker') if os.path.exists(p)])
        print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
        """)
    first, second = docker_sandbox.run_many([candidate("Python", leave, name="leave"),
                                             candidate("Python", check, name="check")])
    assert first.status == "ok", first.stderr_tail
    assert_only_agents_left(docker_sandbox)
    markers, pids = second.stdout_tail.splitlines()
    assert markers == "[]"
    assert "1" in pids.strip("[]").split(", ")  # the agent, still there; the sleeper is gone
    assert len(pids.split(", ")) == 3  # agent, launcher, this program


def test_stdin_cases_compare_stdout(docker_sandbox):
    tests = TestSpec(cases=[IOCase(stdin="2 3\n", expected_stdout="5\n"), IOCase(stdin="4 4\n", expected_stdout="8\n")])
    good = candidate("Python", "a, b = map(int, input().split())\nprint(a + b)\n", tests, name="sum")
    bad = candidate("Python", "a, b = map(int, input().split())\nprint(a * b)\n", tests, name="product")
    assert [m.status for m in docker_sandbox.run_many([good, bad])] == ["ok", "test_failure"]


def test_run_ab_and_baseline(docker_sandbox):
    a = candidate("C", HELLO["C"], name="a")
    b = candidate("C", '#include <stdio.h>\nint main(void) { for (volatile long i = 0; i < 50000000; i++); '
                       'puts("hi"); }\n', name="b")
    ma, mb = docker_sandbox.run_ab(a, b, repetitions=3)
    assert (ma.status, mb.status, len(ma.cpu_seconds), len(mb.cpu_seconds)) == ("ok", "ok", 3, 3)
    assert min(mb.cpu_seconds) > max(ma.cpu_seconds)
    base = docker_sandbox.baseline("Python")
    assert base.status == "ok" and len(base.wall_seconds) == 5


def mceval(language: str, limit: int) -> list[Candidate]:
    with open(os.path.join(MCEVAL, f"{MCEVAL_FILES[language]}.jsonl"), encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:limit]
    return [Candidate(candidate_id=r["task_id"], task_id=r["task_id"], language=language, prompt=r["prompt"],
                      code=r["prompt"] + "\n" + r["canonical_solution"], origin="reference",
                      tests=TestSpec(code=r["test"])) for r in rows]


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(MCEVAL), reason=f"{MCEVAL} not present")
def test_mceval_canonical_solutions_pass(docker_sandbox):
    todo = [c for language in sorted(MCEVAL_FILES) for c in mceval(language, 2)]
    measured = docker_sandbox.run_many(todo)
    failed = [(m.task_id, m.status, m.stderr_tail[-300:]) for m in measured if m.status != "ok"]
    assert failed == []


CRASHER = textwrap.dedent("""\
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from sandboxes import Limits, open_sandbox
    from schemas import Candidate, TestSpec
    sandbox = open_sandbox("docker", Limits())
    m = sandbox.run_many([Candidate(candidate_id="x", task_id="x", language="Python", prompt="",
                                    code="print(1)", origin="reference", tests=TestSpec())])[0]
    print(m.status, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """)


def test_containers_are_removed_after_a_crash_and_on_close(docker_sandbox):
    done = subprocess.run([sys.executable, "-c", CRASHER.format(root=ROOT)], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "ok", done.stderr
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the agent reads EOF, exits, and docker auto-removes the container
        orphans = [c.name for c in sandbox_containers() if not c.labels[OWNER_LABEL].endswith(f":{os.getpid()}")]
        if not orphans:
            break
        time.sleep(0.5)
    assert orphans == []


def test_leftovers_of_dead_owners_are_removed(docker_sandbox):
    from sandboxes.images import docker_client, image_tag

    client = docker_client()
    dead = subprocess.Popen(["true"])
    dead.wait()
    client.api.create_container(image_tag("Python"), labels={LABEL: "1",
                                                             OWNER_LABEL: f"{os.uname().nodename}:{dead.pid}"})
    assert remove_leftovers(client) == 1
    assert all(c.labels[OWNER_LABEL].endswith(f":{os.getpid()}") for c in sandbox_containers())


def test_close_removes_every_container():
    try:
        sandbox = open_sandbox("docker", LIMITS)
    except SandboxUnavailable as exc:
        pytest.skip(f"docker backend unavailable: {exc}")
    ours = f":{os.getpid()}"
    before = {c.id for c in sandbox_containers()}
    assert sandbox.run_many([candidate("Ruby", HELLO["Ruby"])])[0].status == "ok"
    assert len({c.id for c in sandbox_containers()} - before) == 1
    sandbox.close()
    assert {c.id for c in sandbox_containers() if c.labels[OWNER_LABEL].endswith(ours)} <= before
