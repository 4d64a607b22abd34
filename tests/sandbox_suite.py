"""Hostile-program suite shared by every sandbox backend.

A backend's test module runs all of it with:

    from tests.sandbox_suite import *  # noqa: F401,F403

    @pytest.fixture(scope="module")
    def backend_name():
        return "process"

Each hostile program must end with the exact status, leave no process behind
(`sandbox.owned_pids()` is empty) and no file on the host, and the next program
must still run. Limits are small so the suite stays fast.
"""
from __future__ import annotations

import dataclasses
import os
import socket
import threading
import uuid

import pytest

from sandboxes import Limits, open_sandbox
from schemas import Candidate, IOCase, TestSpec

SUITE_LIMITS = Limits(cpu_seconds=1.0, wall_seconds=4.0, memory_bytes=256 * 1024 * 1024, pids=64,
                      output_bytes=64 * 1024, compile_seconds=20.0)
TOKEN = "themis-escape-" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def sandbox(backend_name):
    box = open_sandbox(backend_name, SUITE_LIMITS)
    yield box
    box.close()


def candidate(language: str, code: str, tests: TestSpec = TestSpec()) -> Candidate:
    return Candidate(candidate_id=f"{language}-{uuid.uuid4().hex[:8]}", task_id="suite", language=language,
                     prompt="", code=code, origin="submission", tests=tests)


def run(sandbox, language: str, code: str, tests: TestSpec = TestSpec(), repetitions: int = 1):
    measured = sandbox.run_many([candidate(language, code, tests)], repetitions=repetitions)[0]
    assert sandbox.owned_pids() == [], f"processes left behind: {sandbox.owned_pids()}"
    return measured


def assert_still_works(sandbox):
    assert run(sandbox, "Python", "print(6 * 7)").stdout_tail == "42\n"


# ---------------------------------------------------------------------------------------------
# Programs that behave

HELLO = {
    "C": '#include <stdio.h>\nint main(void) { printf("hello\\n"); return 0; }\n',
    "Cpp": '#include <iostream>\nint main() { std::cout << "hello" << std::endl; }\n',
    "CSharp": 'using System;\nclass P { static void Main() { Console.WriteLine("hello"); } }\n',
    "Go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n',
    "Java": 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n',
    "JavaScript": 'console.log("hello");\n',
    "Python": 'print("hello")\n',
    "Ruby": 'puts "hello"\n',
}

# Each test harness style, failing: the run must not pass silently.
FAILING_TEST = {
    "C": ("#include <assert.h>\nint add(int a, int b) { return a - b; }\n",
          "int main(void) { assert(add(2, 2) == 4); return 0; }\n"),
    "Cpp": ("#include <cassert>\nint add(int a, int b) { return a - b; }\n",
            "int main() { assert(add(2, 2) == 4); }\n"),
    "CSharp": ("using System.Diagnostics;\nclass P {\n static int Add(int a, int b) { return a - b; }\n",
               " static void Main() { Debug.Assert(Add(2, 2) == 4); System.Console.WriteLine(\"after\"); }\n}\n"),
    "Go": ('package main\n\nimport (\n\t"testing"\n\n\t"github.com/stretchr/testify/assert"\n)\n\n'
           "func add(a, b int) int { return a - b }\n",
           "func TestAdd(t *testing.T) {\n\tassert := assert.New(t)\n\tassert.Equal(4, add(2, 2))\n}\n"),
    "Java": ("class Solution {\n static int add(int a, int b) { return a - b; }\n",
             " public static void main(String[] args) { assert add(2, 2) == 4; }\n}\n"),
    "JavaScript": ("function add(a, b) { return a - b; }\n",
                   "console.assert(add(2, 2) === 4);\nconsole.log('after');\n"),
    "Python": ("def add(a, b):\n    return a - b\n", "assert add(2, 2) == 4\n"),
    "Ruby": ("def add(a, b)\n  a - b\nend\n", "raise 'Test failed' unless add(2, 2) == 4\n"),
}

PASSING_TEST = {
    "C": ("#include <assert.h>\nint add(int a, int b) { return a + b; }\n",
          "int main(void) { assert(add(2, 2) == 4); return 0; }\n"),
    "CSharp": ("using System.Diagnostics;\nclass P {\n static int Add(int a, int b) { return a + b; }\n",
               " static void Main() { Debug.Assert(Add(2, 2) == 4); }\n}\n"),
    "Go": ('package main\n\nimport (\n\t"testing"\n\n\t"github.com/stretchr/testify/assert"\n)\n\n'
           "func add(a, b int) int { return a + b }\n",
           "func TestAdd(t *testing.T) {\n\tassert.Equal(t, 4, add(2, 2))\n\tassert.InDelta(t, 0.5, 0.5001, 1e-3)\n}\n"),
    "Java": ("class Solution {\n static int add(int a, int b) { return a + b; }\n",
             " public static void main(String[] args) { assert add(2, 2) == 4; }\n}\n"),
    "JavaScript": ("function add(a, b) { return a + b; }\n", "console.assert(add(2, 2) === 4);\n"),
    "Cpp": ("#include <cassert>\nint add(int a, int b) { return a + b; }\n", "int main() { assert(add(2, 2) == 4); }\n"),
    "Python": ("def add(a, b):\n    return a + b\n", "assert add(2, 2) == 4\n"),
    "Ruby": ("def add(a, b)\n  a + b\nend\n", "raise 'Test failed' unless add(2, 2) == 4\n"),
}

# Candidates that end the run with exit 0 before or despite their failing test (issue 21 section 1):
# (language, code put before FAILING_TEST's candidate, or replacing it when it defines add itself).
_GO_EXIT_IN_INIT = ('package main\n\nimport (\n\t"os"\n\t"testing"\n\n\t"github.com/stretchr/testify/assert"\n)\n\n'
                    "func init() { os.Exit(0) }\nfunc add(a, b int) int { return a - b }\n")
EXITS_EARLY = {
    "python_atexit_os_exit": ("Python", "import atexit, os\natexit.register(os._exit, 0)\n"),
    "python_excepthook": ("Python", "import os, sys\nsys.excepthook = lambda *exc: os._exit(0)\n"),
    "python_sys_exit_in_main": ("Python", "import sys\ndef main():\n    print(add(1, 2))\n    sys.exit(0)\n"
                                          "def add(a, b):\n    return a - b\nif __name__ == '__main__':\n    main()\n"),
    "c_sigabrt_handler": ("C", "#include <signal.h>\n#include <unistd.h>\nstatic void quit(int s) { _exit(0); }\n"
                               "__attribute__((constructor)) static void arm(void) { signal(SIGABRT, quit); }\n"),
    "c_exit_in_candidate": ("C", "#include <stdlib.h>\nint add(int a, int b) { exit(0); }\n"),
    "cpp_std_exit_in_candidate": ("Cpp", "#include <cstdlib>\nint add(int a, int b) { std::exit(0); }\n"),
    "java_halt_in_shutdown_hook": ("Java", "class Hook { static { Runtime.getRuntime().addShutdownHook("
                                           "new Thread(() -> Runtime.getRuntime().halt(0))); } }\n"
                                           "class Solution {\n static { new Hook(); }\n"
                                           " static int add(int a, int b) { return a - b; }\n"),
    "java_system_exit_in_candidate": ("Java", "class Solution {\n static int add(int a, int b) { System.exit(0); return 0; }\n"),
    "javascript_process_exit_in_main": ("JavaScript", "function add(a, b) { return a - b; }\n"
                                                      "console.log(add(1, 2));\nprocess.exit(0);\n"),
    "go_os_exit_in_init": ("Go", _GO_EXIT_IN_INIT),
    "ruby_exit_bang_at_exit": ("Ruby", "at_exit { exit! 0 }\n"),
    "ruby_exit_in_main": ("Ruby", "def add(a, b)\n  a - b\nend\nputs add(1, 2)\nexit 0\n"),
    "csharp_environment_exit": ("CSharp", "using System.Diagnostics;\nclass P {\n"
                                          " static int Add(int a, int b) { System.Environment.Exit(0); return 0; }\n"),
}
# Candidates that switch the tests' assertions off: the harness's own hooks stay.
SILENCES_ASSERTS = {
    "c_define_ndebug": ("C", "#define NDEBUG\n#include <assert.h>\nint add(int a, int b) { return a - b; }\n"),
    "cpp_define_ndebug": ("Cpp", "#define NDEBUG\n#include <cassert>\nint add(int a, int b) { return a - b; }\n"),
    "javascript_replaced_console_assert": ("JavaScript", "console.assert = () => {};\n"
                                                         "function add(a, b) { return a - b; }\n"),
    "csharp_cleared_trace_listeners": ("CSharp", "using System.Diagnostics;\nclass P {\n static int Add(int a, int b)"
                                                 " { Trace.Listeners.Clear(); return a - b; }\n"),
}


def _defines_add(code: str) -> bool:
    return any(name in code for name in ("add(int a", "def add", "function add", "Add(int a", "func add"))


@pytest.mark.parametrize("case", sorted(EXITS_EARLY))
def test_exit_zero_before_the_tests_finish_is_a_test_failure(sandbox, case):
    language, code = EXITS_EARLY[case]
    candidate_code, test = FAILING_TEST[language]
    m = run(sandbox, language, code if _defines_add(code) else code + candidate_code, TestSpec(code=test))
    assert (m.status, m.exit_code) == ("test_failure", 0), m.stderr_tail
    assert m.stderr_tail.endswith("[themis] tests_did_not_complete"), m.stderr_tail


@pytest.mark.parametrize("case", sorted(SILENCES_ASSERTS))
def test_silenced_assertions_still_fail_the_run(sandbox, case):
    language, code = SILENCES_ASSERTS[case]
    m = run(sandbox, language, code, TestSpec(code=FAILING_TEST[language][1]))
    assert m.status == "test_failure", m.stderr_tail
    # C#: without its listener a failed Debug.Assert goes on; the harness's entry point notices after Main
    assert ("after" in m.stdout_tail) == (language == "CSharp"), m.stdout_tail


@pytest.mark.parametrize("language", sorted(HELLO))
def test_stdin_programs_may_exit_early(sandbox, language):
    """The token is for test code: a program checked by its output may end with exit(0)."""
    exits = {"C": "#include <stdio.h>\n#include <stdlib.h>\nint main(void) { puts(\"hi\"); exit(0); }\n",
             "Cpp": "#include <cstdio>\n#include <cstdlib>\nint main() { std::puts(\"hi\"); std::exit(0); }\n",
             "CSharp": "class P { static void Main() { System.Console.WriteLine(\"hi\"); System.Environment.Exit(0); } }\n",
             "Go": 'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() { fmt.Println("hi"); os.Exit(0) }\n',
             "Java": "public class Main { public static void main(String[] a) { System.out.println(\"hi\"); "
                     "System.exit(0); } }\n",
             "JavaScript": "console.log('hi');\nprocess.exit(0);\n",
             "Python": "import sys\nprint('hi')\nsys.exit(0)\n",
             "Ruby": "puts 'hi'\nexit 0\n"}
    m = run(sandbox, language, exits[language], TestSpec(cases=[IOCase(stdin="", expected_stdout="hi\n")]))
    assert (m.status, m.stderr_tail) == ("ok", ""), m.stderr_tail


@pytest.mark.parametrize("language", sorted(HELLO))
def test_hello_runs_with_measurements(sandbox, language):
    m = run(sandbox, language, HELLO[language], repetitions=2)
    assert (m.status, m.stdout_tail) == ("ok", "hello\n")
    assert len(m.cpu_seconds) == len(m.wall_seconds) == len(m.peak_memory_bytes) == 2
    assert all(0 < w < SUITE_LIMITS.wall_seconds for w in m.wall_seconds)
    assert all(0 < b < SUITE_LIMITS.memory_bytes for b in m.peak_memory_bytes)


@pytest.mark.parametrize("language", sorted(FAILING_TEST))
def test_failed_assertion_fails_the_run(sandbox, language):
    code, test = FAILING_TEST[language]
    m = run(sandbox, language, code, TestSpec(code=test))
    assert m.status == "test_failure", m.stderr_tail
    assert "after" not in m.stdout_tail


@pytest.mark.parametrize("language", sorted(PASSING_TEST))
def test_passing_assertion_passes(sandbox, language):
    code, test = PASSING_TEST[language]
    m = run(sandbox, language, code, TestSpec(code=test))
    assert m.status == "ok", m.stderr_tail


def test_stdin_cases_compare_stdout(sandbox):
    code = "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n"
    good = TestSpec(cases=[IOCase("1 2", "3\n"), IOCase("10 20 30", "60")])
    bad = TestSpec(cases=[IOCase("1 2", "3"), IOCase("2 2", "5")])
    assert run(sandbox, "Python", code, good, repetitions=2).status == "ok"
    assert run(sandbox, "Python", code, bad).status == "test_failure"


@pytest.mark.parametrize("language,code,status", [
    ("C", "int main(void) { return 0 }\n", "compile_error"),
    ("Java", "public class A { void f( }\n", "compile_error"),
    ("Python", "def f(:\n    pass\n", "compile_error"),
    ("Ruby", "def f(\n", "compile_error"),
    ("JavaScript", "function f( {\n", "compile_error"),
    ("Python", "print(1 // 0)\n", "runtime_error"),
    ("C", "int main(void) { int *p = 0; return *(volatile int *)p; }\n", "runtime_error"),
    ("Go", "package main\n\nfunc main() { var m map[string]int; m[\"a\"] = 1 }\n", "runtime_error"),
])
def test_program_errors(sandbox, language, code, status):
    m = run(sandbox, language, code)
    assert m.status == status, m.stderr_tail


# ---------------------------------------------------------------------------------------------
# Hostile programs

FORK_BOMB = {
    "C": "#include <unistd.h>\nint main(void) { for (;;) fork(); }\n",
    "Python": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
}
MEMORY_BOMB = {
    "C": "#include <stdlib.h>\n#include <string.h>\n"
         "int main(void) { for (;;) { char *p = malloc(1 << 20); if (p) memset(p, 1, 1 << 20); } }\n",
    "Python": "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 20))\n",
    "Java": "import java.util.*;\npublic class Bomb { public static void main(String[] a) {\n"
            " List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 17]); } }\n",
    "JavaScript": "const keep = [];\nwhile (true) keep.push(Buffer.alloc(1 << 20, 1));\n",
    "Go": "package main\n\nvar keep [][]byte\n\nfunc main() {\n\tfor {\n\t\tb := make([]byte, 1<<20)\n"
          "\t\tfor i := range b {\n\t\t\tb[i] = 1\n\t\t}\n\t\tkeep = append(keep, b)\n\t}\n}\n",
}
INFINITE_LOOP = {
    "C": "int main(void) { volatile unsigned long i = 0; for (;;) i++; }\n",
    "Python": "i = 0\nwhile True:\n    i += 1\n",
    "JavaScript": "let i = 0;\nwhile (true) { i++; }\n",
    "Java": "public class Spin { public static void main(String[] a) { long i = 0; while (true) i++; } }\n",
    "Ruby": "i = 0\nloop { i += 1 }\n",
}
SLEEP_FOREVER = {
    "C": "#include <unistd.h>\nint main(void) { for (;;) pause(); }\n",
    "Python": "import time\nwhile True:\n    time.sleep(3600)\n",
    "JavaScript": "setInterval(() => {}, 1 << 30);\n",
    "Ruby": "sleep\n",
}
OUTPUT_FLOOD = {
    "C": '#include <stdio.h>\nint main(void) { for (;;) puts("flood flood flood flood"); }\n',
    "Python": "while True:\n    print('flood' * 100)\n",
    "JavaScript": "const fs = require('fs');\nconst s = 'flood'.repeat(1000);\nfor (;;) fs.writeSync(1, s);\n",
}
IGNORE_SIGTERM = {
    "C": "#include <signal.h>\n#include <unistd.h>\n"
         "int main(void) { signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN); for (;;) pause(); }\n",
    "Python": "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)\n",
}


def _hostile(sandbox, programs, language, status):
    m = run(sandbox, language, programs[language])
    assert m.status == status, (m.status, m.stderr_tail[-500:])
    assert_still_works(sandbox)
    return m


@pytest.mark.parametrize("language", sorted(FORK_BOMB))
def test_fork_bomb(sandbox, language):
    _hostile(sandbox, FORK_BOMB, language, "timeout")


@pytest.mark.parametrize("language", sorted(MEMORY_BOMB))
def test_memory_bomb(sandbox, language):
    m = _hostile(sandbox, MEMORY_BOMB, language, "memory_limit")
    assert max(m.peak_memory_bytes) <= SUITE_LIMITS.memory_bytes * 1.05


@pytest.mark.parametrize("language", sorted(INFINITE_LOOP))
def test_infinite_loop(sandbox, language):
    m = _hostile(sandbox, INFINITE_LOOP, language, "timeout")
    # the CPU limit ends it; time spent waiting for a CPU on a busy machine may stretch the wall (up to 3x)
    assert m.cpu_seconds[-1] >= SUITE_LIMITS.cpu_seconds * 0.5
    assert m.wall_seconds[-1] <= 3 * SUITE_LIMITS.wall_seconds + 1.0


@pytest.mark.parametrize("language", sorted(SLEEP_FOREVER))
def test_sleep_forever(sandbox, language):
    m = _hostile(sandbox, SLEEP_FOREVER, language, "timeout")
    assert m.wall_seconds[-1] <= SUITE_LIMITS.wall_seconds + 1.0


@pytest.mark.parametrize("language", sorted(OUTPUT_FLOOD))
def test_output_flood(sandbox, language):
    m = _hostile(sandbox, OUTPUT_FLOOD, language, "output_limit")
    assert len(m.stdout_tail) <= SUITE_LIMITS.output_bytes


# Small files until the run's space is gone (a program that creates 300k files): a limit on both
# backends, never a crash of the sandbox. Process: the tmpfs counts as the run's memory; docker: the
# container's sized tmpfs fills, and the agent reports it.
DISK_FILL = {
    "C": '#include <stdio.h>\n#include <string.h>\nstatic char block[65536];\n'
         'int main(void) {\n  char name[32];\n  memset(block, 1, sizeof block);\n'
         '  for (int i = 0; i < 300000; i++) {\n    snprintf(name, sizeof name, "f%d", i);\n'
         '    FILE *f = fopen(name, "wb");\n'
         '    if (!f || fwrite(block, 1, sizeof block, f) != sizeof block || fclose(f)) return 1;\n  }\n}\n',
    "Python": "for i in range(300000):\n    with open(f'f{i}', 'wb') as fh:\n        fh.write(b'x' * 65536)\n",
}
DISK_FILL_STATUS = {"process": "memory_limit", "docker": "output_limit"}


@pytest.mark.parametrize("language", sorted(DISK_FILL))
def test_filling_the_disk_with_files_is_a_limit(sandbox, language):
    # a CPU budget of its own: the page reclaim near the memory limit is charged to the program, and on a loaded
    # machine it once passed the suite's 1 s first, so the run ended `timeout` before the limit under test
    box = open_sandbox(sandbox.backend, dataclasses.replace(SUITE_LIMITS, cpu_seconds=5.0, wall_seconds=10.0))
    try:
        _hostile(box, DISK_FILL, language, DISK_FILL_STATUS[box.backend])
    finally:
        box.close()


@pytest.mark.parametrize("language", sorted(IGNORE_SIGTERM))
def test_ignoring_sigterm(sandbox, language):
    _hostile(sandbox, IGNORE_SIGTERM, language, "timeout")


DAEMON = {
    "C": "#include <stdio.h>\n#include <unistd.h>\n#include <stdlib.h>\n"
         "int main(void) {\n  if (fork() == 0) { setsid(); if (fork() == 0) { for (;;) sleep(1); } exit(0); }\n"
         "  sleep(1); puts(\"parent done\"); return 0;\n}\n",
    "Python": "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              "        while True:\n            time.sleep(1)\n    os._exit(0)\ntime.sleep(1)\nprint('parent done')\n",
}


@pytest.mark.parametrize("language", sorted(DAEMON))
def test_setsid_double_fork_daemon_is_killed(sandbox, language):
    m = _hostile(sandbox, DAEMON, language, "ok")  # run() also asserts no process survived
    assert m.stdout_tail == "parent done\n"


def _listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.2)
    accepted = []

    def accept():
        try:
            accepted.append(server.accept())
        except OSError:
            pass
    thread = threading.Thread(target=accept)
    thread.start()
    return server, thread, accepted


NETWORK = {
    "Python": "import socket\nfor host, port in [('127.0.0.1', PORT), ('1.1.1.1', 53), ('8.8.8.8', 443)]:\n"
              "    try:\n        socket.create_connection((host, port), timeout=1)\n        print('CONNECTED', host)\n"
              "    except OSError as e:\n        print('blocked', host)\n",
    "C": "#include <arpa/inet.h>\n#include <stdio.h>\n#include <sys/socket.h>\n#include <unistd.h>\n"
         "int main(void) {\n  const char *hosts[] = {\"127.0.0.1\", \"1.1.1.1\"}; int ports[] = {PORT, 53};\n"
         "  for (int i = 0; i < 2; i++) {\n    int s = socket(AF_INET, SOCK_STREAM, 0);\n"
         "    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(ports[i]);\n"
         "    inet_pton(AF_INET, hosts[i], &a.sin_addr);\n"
         "    puts(connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? \"CONNECTED\" : \"blocked\"); close(s);\n"
         "  }\n  return 0;\n}\n",
    "JavaScript": "const net = require('net');\nconst s = net.connect(PORT, '127.0.0.1');\n"
                  "s.on('connect', () => { console.log('CONNECTED'); process.exit(0); });\n"
                  "s.on('error', () => { console.log('blocked'); process.exit(0); });\n",
}


@pytest.mark.parametrize("language", sorted(NETWORK))
def test_network_is_unreachable(sandbox, language):
    server, thread, accepted = _listener()
    try:
        code = NETWORK[language].replace("PORT", str(server.getsockname()[1]))
        m = run(sandbox, language, code)
    finally:
        thread.join()
        server.close()
    assert m.status == "ok", m.stderr_tail
    assert "CONNECTED" not in m.stdout_tail and "blocked" in m.stdout_tail
    assert accepted == []


def _escape_targets(sandbox) -> list[str]:
    targets = [f"/tmp/{TOKEN}", f"/root/{TOKEN}", f"/usr/{TOKEN}", f"/etc/{TOKEN}", f"/dev/shm/{TOKEN}",
               f"/var/tmp/{TOKEN}", f"/code/{TOKEN}", f"/work/{TOKEN}", os.path.join(os.getcwd(), TOKEN)]
    return targets + [os.path.join(os.path.expanduser("~"), TOKEN)]


WRITE_OUTSIDE = {
    "Python": "import sys\nfor path in PATHS:\n    try:\n        open(path, 'w').write('x')\n"
              "        print('wrote', path)\n    except OSError:\n        print('denied', path)\n",
    "C": "#include <stdio.h>\nint main(void) {\n  const char *paths[] = {PATHS};\n"
         "  for (unsigned i = 0; i < sizeof paths / sizeof *paths; i++) {\n    FILE *f = fopen(paths[i], \"w\");\n"
         "    if (f) { fputs(\"x\", f); fclose(f); printf(\"wrote %s\\n\", paths[i]); }\n"
         "    else printf(\"denied %s\\n\", paths[i]);\n  }\n  return 0;\n}\n",
    "Ruby": "PATHS.each do |p|\n  begin\n    File.write(p, 'x')\n    puts \"wrote #{p}\"\n"
            "  rescue SystemCallError\n    puts \"denied #{p}\"\n  end\nend\n",
    "JavaScript": "const fs = require('fs');\nfor (const p of PATHS) {\n"
                  "  try { fs.writeFileSync(p, 'x'); console.log('wrote', p); }\n"
                  "  catch (e) { console.log('denied', p); }\n}\n",
}


@pytest.mark.parametrize("language", sorted(WRITE_OUTSIDE))
def test_writes_outside_the_work_dir_do_not_reach_the_host(sandbox, language):
    targets = _escape_targets(sandbox)
    listed = ", ".join(f'"{t}"' for t in targets)
    code = WRITE_OUTSIDE[language].replace("PATHS", listed if language == "C" else f"[{listed}]")
    m = run(sandbox, language, code)
    assert m.status == "ok", m.stderr_tail
    for system_path in (f"/usr/{TOKEN}", f"/etc/{TOKEN}", f"/code/{TOKEN}"):
        assert f"denied {system_path}" in m.stdout_tail
    assert [t for t in targets if os.path.exists(t)] == []


def test_host_files_are_not_readable(sandbox, tmp_path):
    secret = "s3cr3t-" + TOKEN
    planted = [tmp_path / "secret.txt", os.path.join(os.path.expanduser("~"), f".{TOKEN}")]
    for path in planted:
        with open(path, "w") as fh:
            fh.write(secret)
    try:
        paths = [str(p) for p in planted] + ["/etc/shadow", "/root/.bash_history", "/proc/1/environ"]
        code = ("for p in %r:\n    try:\n        print(p, open(p).read()[:200])\n"
                "    except OSError as e:\n        print('denied', p, type(e).__name__)\n" % paths)
        m = run(sandbox, "Python", code)
    finally:
        os.remove(planted[1])
    assert m.status == "ok", m.stderr_tail
    assert secret not in m.stdout_tail
    assert "denied /etc/shadow" in m.stdout_tail


TEMPLATE_BOMB = """
template <int N, int M> struct A { static const long v = A<N - 1, M>::v + A<N, M - 1>::v; };
template <int M> struct A<0, M> { static const long v = 1; };
template <int N> struct A<N, 0> { static const long v = 1; };
int main() { return (int)A<440, 440>::v; }
"""


def test_cpp_template_compile_bomb(sandbox):
    m = run(sandbox, "Cpp", TEMPLATE_BOMB)
    assert m.status == "compile_error", m.stderr_tail
    assert m.cpu_seconds == [] and m.wall_seconds == []
    assert_still_works(sandbox)


def test_baseline_is_a_minimal_footprint(sandbox):
    base = sandbox.baseline("Python")
    assert base.status == "ok" and len(base.cpu_seconds) == 5
    hungry = run(sandbox, "Python", "x = bytearray(64 << 20)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\n")
    assert min(hungry.peak_memory_bytes) > max(base.peak_memory_bytes) + 60 * 2 ** 20


def test_run_ab_interleaves_and_keys_by_mode(sandbox):
    fast = candidate("Python", "print(sum(range(1000)))\n")
    slow = candidate("Python", "print(sum(i for i in range(3000000)))\n")
    a, b = sandbox.run_ab(fast, slow, repetitions=3)
    assert (a.status, b.status) == ("ok", "ok")
    assert len(a.cpu_seconds) == len(b.cpu_seconds) == 3
    assert sorted(a.cpu_seconds)[1] * 3 < sorted(b.cpu_seconds)[1]
    assert a.measurement_key != sandbox.run_many([fast], repetitions=3)[0].measurement_key


# ---------------------------------------------------------------------------------------------
# Nothing shared between runs (issue 21 section 3)

# System calls Docker's default seccomp profile denies (x86-64 numbers): each must fail with EPERM.
DENIED_SYSCALLS = {"add_key": 248, "request_key": 249, "keyctl": 250, "ptrace": 101, "bpf": 321,
                   "perf_event_open": 298, "userfaultfd": 323, "mount": 165, "init_module": 175,
                   "clock_settime": 227, "unshare": 272, "setns": 308, "kexec_load": 246, "acct": 163}


def test_a_run_pinned_to_a_core_stays_there_with_its_children(sandbox):
    core = max(os.sched_getaffinity(0))
    code = ("import os\nprint(sorted(os.sched_getaffinity(0)), flush=True)\npid = os.fork()\n"
            "if pid == 0:\n    print(sorted(os.sched_getaffinity(0)), flush=True)\n    os._exit(0)\nos.waitpid(pid, 0)\n")
    pinned = sandbox.run_ab(candidate("Python", code), candidate("Python", code), 2, core)
    assert [(m.status, m.stdout_tail) for m in pinned] == [("ok", f"[{core}]\n[{core}]\n")] * 2
    free = run(sandbox, "Python", code)  # correctness runs are not pinned
    assert free.stdout_tail == f"{sorted(os.sched_getaffinity(0))}\n" * 2


def test_denied_system_calls_fail_with_eperm(sandbox):
    code = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            f"for name, nr in sorted({DENIED_SYSCALLS!r}.items()):\n"
            "    args = [b'user', b'themis', b'x', 1, -3] if name == 'add_key' else [0, 0, 0, 0, 0]\n"
            "    rc = libc.syscall(nr, *args)\n"
            "    print(name, rc, os.strerror(ctypes.get_errno()) if rc < 0 else '')\n")
    m = run(sandbox, "Python", code)
    assert m.status == "ok", m.stderr_tail
    assert m.stdout_tail.splitlines() == [f"{name} -1 Operation not permitted" for name in sorted(DENIED_SYSCALLS)]


LEAVE_STATE = r"""
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
for path in (os.path.expanduser('~/themis-left'), '/tmp/themis-left', '/dev/shm/themis-left'):
    try:
        open(path, 'w').write('x')
    except OSError:  # not writable here: nothing to leave
        pass
print('shmget', libc.shmget(0x7e5715, 4096, 0o1666))
print('msgget', libc.msgget(0x7e5715, 0o1666))
print('semget', libc.semget(0x7e5715, 1, 0o1666))
print('add_key', libc.syscall(248, b'user', b'themis-left', b'x', 1, -4))  # into the uid's keyring
"""
SEE_STATE = r"""
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
seen = [p for p in (os.path.expanduser('~/themis-left'), '/tmp/themis-left', '/dev/shm/themis-left')
        if os.path.exists(p)]
seen += [name for name, call in (('shm', lambda: libc.shmget(0x7e5715, 0, 0)), ('msg', lambda: libc.msgget(0x7e5715, 0)),
                                 ('sem', lambda: libc.semget(0x7e5715, 0, 0))) if call() >= 0]
seen += ['key'] if libc.syscall(250, 10, -4, b'user', b'themis-left', 0) >= 0 else []  # KEYCTL_SEARCH
s = socket.socket(socket.AF_UNIX)
try:
    s.connect('\0themis-left')
    seen.append('abstract socket')
except OSError:
    pass
print(seen)
"""


def test_nothing_from_one_run_is_visible_to_the_next(sandbox):
    serve = ("import socket, os\ns = socket.socket(socket.AF_UNIX)\ns.bind('\\0themis-left')\ns.listen()\n"
             "if os.fork() == 0:\n    os.setsid()\n    s.accept()\n")
    first = run(sandbox, "Python", LEAVE_STATE + serve)
    assert first.status == "ok", first.stderr_tail
    second = run(sandbox, "Python", SEE_STATE)
    assert (second.status, second.stdout_tail) == ("ok", "[]\n"), second.stderr_tail


# ---------------------------------------------------------------------------------------------
# CPU time of work the launcher's rusage does not see (issue 21 section 4)

_BUSY = "def busy():\n    t = time.process_time()\n    while time.process_time() - t < 0.4:\n        pass\n"
HIDDEN_WORK = {
    "orphaned_grandchild": ("import os, time\n" + _BUSY + "r, w = os.pipe()\nif os.fork() == 0:\n"
                            "    if os.fork() == 0:\n        busy()\n        os.write(w, b'x')\n    os._exit(0)\n"
                            "os.wait()\nos.read(r, 1)\n"),
    "sigchld_ignored": ("import os, signal, time\n" + _BUSY + "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
                        "r, w = os.pipe()\nif os.fork() == 0:\n    busy()\n    os.write(w, b'x')\n    os._exit(0)\n"
                        "os.read(r, 1)\n"),
}


@pytest.mark.parametrize("case", sorted(HIDDEN_WORK))
def test_cpu_time_counts_every_descendant(sandbox, case):
    m = run(sandbox, "Python", HIDDEN_WORK[case])
    assert m.status == "ok", m.stderr_tail
    assert 0.4 <= m.cpu_seconds[0] < 0.4 + 0.3, m.cpu_seconds
    assert m.rusage_cpu_seconds[0] < 0.2, m.rusage_cpu_seconds  # the launcher's wait4 misses it


def test_go_programs_cannot_write_the_build_cache(sandbox):
    """The compiler alone fills the Go build cache: a program that rewrote it (testify's compiled
    package, say) would change what later, unrelated programs report."""
    code = ('package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n'
            'func main() {\n\terr := os.WriteFile(os.Getenv("GOCACHE")+"/themis-left", []byte("x"), 0o644)\n'
            '\tfmt.Println(err != nil)\n}\n')
    m = run(sandbox, "Go", code)
    assert (m.status, m.stdout_tail) == ("ok", "true\n"), m.stderr_tail


# ---------------------------------------------------------------------------------------------
# The launcher is out of the program's reach (issue 21 section 2): the program runs as another user
# than the launcher, so it can neither kill it (a failing candidate would become `sandbox_error`, a
# dead letter) nor open its report descriptor, /proc/<ppid>/fd/3 (a forged `ok`, printed with the
# completion token read from /proc/self/environ). Refused, each attack goes on into its failing test.

_FORGED_REPORT = ("exec_errno=0 exit=0 signal=0 utime_us=1000 stime_us=0 maxrss_kb=1000 wall_ns=1000000 "
                  "timed_out=0 runq_ns=0 running=0 instructions=-1\n")
ATTACKS_THE_LAUNCHER = {
    "python_kill": ("Python", "import os, signal, sys\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                              "    os.system('sleep 10')\nexcept OSError as exc:\n"
                              "    print('refused:', exc.strerror, file=sys.stderr)\n",
                    "refused: Operation not permitted"),
    "python_forge_report": ("Python", "import os, re, signal, sys\ntry:\n"
                                      "    report = open(f'/proc/{os.getppid()}/fd/3', 'w')\n"
                                      f"    report.write({_FORGED_REPORT!r})\n    report.close()\n"
                                      "    environ = open('/proc/self/environ', 'rb').read()\n"
                                      "    token = re.search(rb'THEMIS_COMPLETION=(\\w+)', environ).group(1)\n"
                                      "    os.write(2, token + b'\\n')\n"
                                      "    os.kill(os.getppid(), signal.SIGKILL)\n    os.system('sleep 10')\n"
                                      "except OSError as exc:\n    print('refused:', exc.strerror, file=sys.stderr)\n",
                            "refused: Permission denied"),
    "c_kill": ("C", "#include <errno.h>\n#include <signal.h>\n#include <stdio.h>\n#include <string.h>\n"
                    "#include <unistd.h>\n__attribute__((constructor)) static void attack(void) {\n"
                    "  if (kill(getppid(), SIGKILL) == 0) { sleep(10); return; }\n"
                    "  fprintf(stderr, \"refused: %s\\n\", strerror(errno));\n}\n",
               "refused: Operation not permitted"),
    "c_forge_report": ("C", "#include <errno.h>\n#include <fcntl.h>\n#include <signal.h>\n#include <stdio.h>\n"
                            "#include <string.h>\n#include <unistd.h>\n"
                            "__attribute__((constructor)) static void attack(void) {\n"
                            "  char path[64], env[65536];\n"
                            "  snprintf(path, sizeof path, \"/proc/%d/fd/3\", (int)getppid());\n"
                            "  int report = open(path, O_WRONLY);\n"
                            "  if (report < 0) { fprintf(stderr, \"refused: %s\\n\", strerror(errno)); return; }\n"
                            f"  dprintf(report, \"{_FORGED_REPORT.strip()}\\n\");\n  close(report);\n"
                            "  int fd = open(\"/proc/self/environ\", O_RDONLY);\n"
                            "  ssize_t n = read(fd, env, sizeof env - 1);\n  env[n > 0 ? n : 0] = 0;\n"
                            "  for (char *p = env; p < env + n; p += strlen(p) + 1)\n"
                            "    if (!strncmp(p, \"THEMIS_COMPLETION=\", 18)) dprintf(2, \"%s\\n\", p + 18);\n"
                            "  kill(getppid(), SIGKILL);\n  sleep(10);\n}\n",
                       "refused: Permission denied"),
}


@pytest.mark.parametrize("case", sorted(ATTACKS_THE_LAUNCHER))
def test_the_program_cannot_kill_or_impersonate_the_launcher(sandbox, case):
    language, attack, refusal = ATTACKS_THE_LAUNCHER[case]
    candidate_code, test = FAILING_TEST[language]
    m = run(sandbox, language, attack + candidate_code, TestSpec(code=test))
    assert m.status == "test_failure", (m.status, m.stderr_tail)
    assert refusal in m.stderr_tail, m.stderr_tail
    assert_still_works(sandbox)
