"""The docker backend: per-language images, warm containers, one agent per container.

A container per worker thread and language stays up between runs. Its PID 1 is
`themis-agent` (sandboxes/images/agent.c), which takes requests on the attached
stdin: write these files to /code, run the launcher there, return the report.
After every run the agent kills whatever the program left behind and wipes
/code, /work and /tmp, so an execution costs a few milliseconds instead of a
`docker run` (~200 ms); `bench/bench_docker.py` measures both.

Containers run with no network, a read-only root, tmpfs /code, /work and /tmp,
all capabilities dropped but the three that separate users (kill, setuid, setgid),
no-new-privileges, a pids and a memory limit. The agent and the launcher are root
(the agent acting as the sandbox user), the program is the unprivileged sandbox
user: it cannot kill the launcher or write its report (agent.c). Inside, the
launcher of the process backend runs each program (drops to the sandbox user,
rlimits, wall limit, CPU time and peak RSS from wait4 of a fresh child), so compile-once caching, run loops and status rules are the process
backend's own: the two backends give the same statuses for the same programs.
Out-of-memory kills are read from the container's memory cgroup.

Cleanup: containers are removed on `close()` and at exit; each is labelled with
its owner (host and pid) and auto-removed when its owner's attach socket closes,
and a later sandbox removes any labelled container whose owner is gone.
"""
from __future__ import annotations

import base64
import collections
import dataclasses
import itertools
import os
import shutil
import socket
import struct
import tempfile
import threading
import weakref
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

try:
    from docker.errors import DockerException
except ImportError:  # docker_client() explains what to install
    DockerException = OSError

from sandboxes.base import Limits, SandboxUnavailable
from sandboxes.cgroups import GroupStats, cpu_usage_ns, memory_counters
from sandboxes.images import docker_client, image_state, image_tag
from sandboxes.languages import GOCACHE_DIR
from sandboxes.process import STACK_BYTES, ProcessSandbox, RunResult, _sweep_stale_roots, result_from_report
from schemas.languages import CANONICAL_LANGUAGES

LABEL = "themis.sandbox"
OWNER_LABEL = "themis.owner"
LAUNCHER = "/.themis/launcher"
GOCACHE_VOLUME = "themis-gocache"
SANDBOX_UID = 10001  # the program's user and group; agent.c and the Dockerfile name it too
# Above the program's limit: the agent and the launcher (static binaries, about 1 MB each).
MEMORY_HEADROOM = 8 * 1024 * 1024
TMPFS = "rw,exec,nosuid,nodev,size={size},uid=10001,gid=10001,mode=0700"
# The agent enforces this beyond the launcher's own wall limit, in case the launcher is stuck.
AGENT_GRACE_SECONDS = 10.0


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's container: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(client) -> int:
    """Remove sandbox containers whose owning process has died (crashes, kill -9); returns how many."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": f"{LABEL}=1"}):
        if not _owner_alive(container.labels.get(OWNER_LABEL, "")):
            try:
                container.remove(force=True)
                removed += 1
            except Exception:  # already being removed (auto-remove) or gone
                pass
    return removed


class AgentError(RuntimeError):
    """The container's agent stopped answering (the container died or the protocol broke)."""


@dataclasses.dataclass
class AgentReply:
    wait_status: int
    timed_out: bool
    overflow: bool
    spawn_errno: int
    wall_ns: int
    stdout: bytes
    stdout_total: int
    stderr: bytes
    stderr_total: int
    report: str
    files: list[tuple[str, int, bytes]]


def encode_request(files: Sequence[tuple[str, int, bytes]], cwd: str, argv: Sequence[str], env: dict[str, str],
                   stdin: bytes, output_cap: int, wall_ms: int, return_tree: bool) -> bytes:
    """One request line for the agent (see the wire format in agent.c)."""
    parts = [b"TMQ2", struct.pack("<I", len(files))]

    def text(value) -> None:
        data = value if isinstance(value, bytes) else str(value).encode("utf-8")
        parts.extend((struct.pack("<I", len(data)), data))

    for path, mode, data in files:
        text(path)
        parts.append(struct.pack("<I", mode))
        text(data)
    text(cwd)
    parts.append(struct.pack("<I", len(argv)))
    for arg in argv:
        text(arg)
    parts.append(struct.pack("<I", len(env)))
    for key, value in env.items():
        text(f"{key}={value}")
    text(stdin)
    parts.append(struct.pack("<III", output_cap, wall_ms, int(return_tree)))
    return base64.b64encode(b"".join(parts)) + b"\n"


class _Stream:
    """Reads the agent's stdout out of docker's multiplexed attach stream (8-byte frame headers)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = bytearray()
        self.diagnostics = bytearray()  # the agent's stderr

    def _recv(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                raise AgentError("the sandbox container closed its output"
                                 + (f": {self.diagnostics.decode('utf-8', 'replace').strip()}" if self.diagnostics else ""))
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            kind, size = struct.unpack(">BxxxI", self._recv(8))
            payload = self._recv(size)
            (self.buffer if kind == 1 else self.diagnostics).extend(payload)
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def u32(self) -> int:
        return struct.unpack("<I", self.read(4))[0]

    def u64(self) -> int:
        return struct.unpack("<Q", self.read(8))[0]

    def blob(self) -> bytes:
        return self.read(self.u32())


class WarmContainer:
    """One running sandbox container and the attach socket to its agent."""

    _names = itertools.count()

    def __init__(self, client, language: str, limits: Limits, gocache: bool = False):
        self.language = language
        self.client = client
        api = client.api
        host_config = api.create_host_config(
            auto_remove=True, network_mode="none", read_only=True, cap_drop=["ALL"],
            cap_add=["KILL", "SETUID", "SETGID"],  # root's, for the agent and launcher; the program has none
            security_opt=["no-new-privileges"], pids_limit=limits.pids + 4,
            mem_limit=limits.memory_bytes + MEMORY_HEADROOM, memswap_limit=limits.memory_bytes + MEMORY_HEADROOM,
            ipc_mode="none",
            tmpfs={path: TMPFS.format(size=limits.file_size_bytes + (64 << 20)) for path in ("/code", "/work", "/tmp")},
            # Only Go compiles see the shared build cache (the compiler alone writes it, no program runs
            # in their containers); containers that run programs do not mount it.
            binds={GOCACHE_VOLUME: {"bind": GOCACHE_DIR, "mode": "rw"}} if gocache else None)
        # stdin_once: when our attach socket closes (this process exits or crashes), the agent reads EOF,
        # exits, and auto_remove deletes the container.
        created = api.create_container(
            image_tag(language), name=f"themis-{language.lower()}-{os.getpid()}-{next(self._names)}",
            stdin_open=True, tty=False, user="0:0", host_config=host_config,  # implies StdinOnce
            labels={LABEL: "1", OWNER_LABEL: owner_id(), "themis.language": language})
        container = client.containers.get(created["Id"])
        self.container = container
        try:
            attached = client.api.attach_socket(container.id, params={"stdin": 1, "stdout": 1, "stderr": 1,
                                                                      "stream": 1})
            self.sock: socket.socket = attached._sock
            self._keep = attached  # closing the wrapper would close the socket
            container.start()
            container.reload()
            self.agent_pid = container.attrs["State"]["Pid"]  # as the host sees it
            self.memory = _MemoryCgroup(self.agent_pid)
        except Exception:
            self.remove()
            raise
        self.stream = _Stream(self.sock)

    def call(self, request: bytes, timeout: float) -> AgentReply:
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(request)
            s = self.stream
            if s.read(4) != b"TMR2":
                raise AgentError("the sandbox agent answered out of protocol")
            status, timed_out, overflow, spawn_errno = struct.unpack("<IIII", s.read(16))
            wall_ns = s.u64()
            stdout_total = s.u64()
            stdout = s.blob()
            stderr_total = s.u64()
            stderr = s.blob()
            report = s.blob().decode("ascii", "replace")
            files = []
            for _ in range(s.u32()):
                path = s.blob().decode("utf-8")
                mode = s.u32()
                files.append((path, mode, s.blob()))
        except (OSError, struct.error) as exc:
            raise AgentError(f"lost the sandbox agent: {exc}") from exc
        return AgentReply(status, bool(timed_out), bool(overflow), spawn_errno, wall_ns, stdout, stdout_total,
                          stderr, stderr_total, report, files)

    def stray_pids(self) -> list[int]:
        """Host pids of the container's processes other than the agent."""
        try:
            top = self.client.api.top(self.container.id)
        except DockerException:  # removed: nothing runs in it
            return []
        column = top["Titles"].index("PID")
        return [pid for pid in (int(row[column]) for row in top.get("Processes") or []) if pid != self.agent_pid]

    def remove(self) -> None:
        try:
            self.container.remove(force=True)
        except Exception:  # auto-removed already
            pass
        sock = getattr(self, "sock", None)
        if sock is not None:
            sock.close()
        memory = getattr(self, "memory", None)
        if memory is not None:
            memory.close()


class _MemoryCgroup:
    """The container's memory cgroup (v1 or v2) as the host sees it: OOM kills and a resettable peak.

    Every reading is None where the host cannot read the files (rootless docker, another machine).
    """

    def __init__(self, pid: int):
        self.dir: Optional[str] = None
        self.version = 0
        self.cpu_dir: Optional[str] = None
        self.cpu_version = 0
        self._peak_fd: Optional[int] = None
        try:
            with open(f"/proc/{pid}/cgroup", encoding="utf-8") as fh:
                lines = [line.rstrip("\n").split(":", 2) for line in fh]
        except OSError:
            return
        for _, controllers, path in lines:
            if "cpuacct" in controllers.split(",") and os.path.exists(f"/sys/fs/cgroup/{controllers}{path}"):
                self.cpu_dir, self.cpu_version = f"/sys/fs/cgroup/{controllers}{path}", 1
            elif controllers == "" and os.path.exists(f"/sys/fs/cgroup{path}/cpu.stat"):
                self.cpu_dir, self.cpu_version = f"/sys/fs/cgroup{path}", 2
            if "memory" in controllers.split(",") and os.path.isdir(f"/sys/fs/cgroup/memory{path}"):
                self.dir, self.version = f"/sys/fs/cgroup/memory{path}", 1
            elif controllers == "" and os.path.exists(f"/sys/fs/cgroup{path}/memory.events"):
                self.dir, self.version = f"/sys/fs/cgroup{path}", 2

    def _read(self, name: str) -> Optional[str]:
        try:
            with open(os.path.join(self.dir, name), encoding="ascii") as fh:
                return fh.read()
        except (OSError, TypeError):
            return None

    def cpu_ns(self) -> Optional[int]:
        """CPU time of everything in the container so far (the agent's share of a run is its request
        and clean-up, a few ms); None where the host cannot read it."""
        if self.cpu_dir is None:
            return None
        try:
            return cpu_usage_ns(self.cpu_dir, self.cpu_version)
        except OSError:
            return None
    def counters(self) -> Optional[tuple[int, int]]:
        """(OOM kills, times a charge met the limit) so far, or None where they cannot be read."""
        try:
            return memory_counters(self.dir, self.version)
        except (OSError, TypeError, ValueError):
            return None

    def reset_peak(self) -> None:
        """Start a new high-water mark (v1: root may write; v2: per open file, kernels from 6.12)."""
        try:
            if self.version == 1:
                with open(os.path.join(self.dir, "memory.max_usage_in_bytes"), "w", encoding="ascii") as fh:
                    fh.write("0")
            elif self.version == 2:
                if self._peak_fd is None:
                    self._peak_fd = os.open(os.path.join(self.dir, "memory.peak"), os.O_RDWR)
                os.write(self._peak_fd, b"reset")
        except (OSError, TypeError):
            self.version = -abs(self.version)  # cannot reset: peaks would span runs, so do not report them

    def close(self) -> None:
        if self._peak_fd is not None:
            os.close(self._peak_fd)
            self._peak_fd = None

    def peak(self) -> Optional[int]:
        try:
            if self.version == 1:
                return int(self._read("memory.max_usage_in_bytes"))
            if self.version == 2 and self._peak_fd is not None:
                return int(os.pread(self._peak_fd, 64, 0))
        except (OSError, TypeError, ValueError):
            pass
        return None


class DockerSandbox(ProcessSandbox):
    """The Sandbox protocol on warm Docker containers; compile-once caching and statuses come from ProcessSandbox."""

    backend = "docker"

    def __init__(self, limits: Limits = Limits(), workers: int = 0, max_builds: int = 512):
        self.limits = limits
        self.workers = workers or os.cpu_count() or 1
        self.max_builds = max_builds
        self.client = docker_client()
        # A stale image runs another launcher or harness than this checkout: its results would not match.
        states = {lang: image_state(self.client, lang) for lang in CANONICAL_LANGUAGES}
        unusable = [f"{lang} ({state})" for lang, state in states.items() if state != "current"]
        if unusable:
            raise SandboxUnavailable(
                f"docker sandbox images not built from this checkout: {', '.join(unusable)}; run "
                "`themis images build` (offline: `sudo bash sandboxes/images/ci_setup.sh`), or pass `--sandbox process`")
        remove_leftovers(self.client)
        self.is_root = False  # files are shipped into the container, never chowned on the host
        self.counters = False  # docker's seccomp profile denies perf_event_open
        self.isolation_notes: list[str] = []
        _sweep_stale_roots()
        self.root = tempfile.mkdtemp(prefix=f"themis-sandbox-{os.getpid()}-")  # the name the sweep knows
        self._pch = ""  # the Cpp image carries its own precompiled <bits/stdc++.h>
        self._pch_once = threading.Lock()
        self._builds = collections.OrderedDict()
        self._builds_lock = threading.Lock()
        self._baselines = {}
        self._idle: dict[tuple[str, bool], list[WarmContainer]] = {}
        self._live: set[WarmContainer] = set()
        self._pool_lock = threading.Lock()
        self._local = threading.local()
        self._closed = False
        # Containers and host files go away on close(), garbage collection or interpreter exit, whichever is first.
        self._finalizer = weakref.finalize(self, _remove_all, self._live, self.root)

    # -- containers ----------------------------------------------------------------------------

    @contextmanager
    def _container(self, language: str, gocache: bool = False) -> Iterator[None]:
        """Hold a warm container of `language` for this thread while a compile or a test run goes on;
        with `gocache`, one of the containers that compile Go with the shared cache."""
        pool = (language, gocache)
        with self._pool_lock:
            idle = self._idle.setdefault(pool, [])
            self._local.warm = idle.pop() if idle else None
        self._local.pool = pool
        try:
            yield
        finally:
            warm, self._local.warm = self._local.warm, None  # _launch may have replaced a broken one
            with self._pool_lock:
                if warm in self._live and not self._closed:
                    self._idle.setdefault(pool, []).append(warm)

    def _start(self, pool: tuple[str, bool]) -> WarmContainer:
        warm = WarmContainer(self.client, pool[0], self.limits, gocache=pool[1])
        with self._pool_lock:
            self._live.add(warm)
        return warm

    def _discard(self, warm: WarmContainer) -> None:
        with self._pool_lock:
            self._live.discard(warm)
        warm.remove()

    def _do_compile(self, build):
        with self._container(build.language, gocache=build.uses_gocache):
            return super()._do_compile(build)

    def _run_tests(self, build, directory, tests, perf):
        with self._container(build.language):
            return super()._run_tests(build, directory, tests, perf)

    def _relocate(self, text: str, code_dir: Optional[str]) -> str:
        return text  # containers see the fixed mount points the language specs use

    # -- one execution -------------------------------------------------------------------------

    def _launch(self, argv: Sequence[str], code_dir: Optional[str], limits: Limits, *, env: Optional[dict] = None,
                stdin: str = "", writable_code: bool = False, gocache: bool = False, cwd: str = "/work",
                perf: bool = False, wall_seconds: Optional[float] = None, cpu_seconds: Optional[float] = None,
                ) -> RunResult:
        wall = wall_seconds or limits.wall_seconds
        cpu = cpu_seconds or limits.cpu_seconds
        command = [LAUNCHER, "run", "--result-fd", "3", "--wall-ms", str(int(wall * 1000)),
                   "--cpu", str(max(1, int(cpu + 0.999))), "--fsize", str(limits.file_size_bytes),
                   "--nofile", str(limits.open_files), "--stack", str(STACK_BYTES), "--pidns",
                   "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
                   "--seccomp", "--", *argv]  # our filter too: docker's default profile allows ptrace
        request = encode_request(_read_tree(code_dir), cwd, command, env or {"PATH": "/usr/bin:/bin"},
                                 stdin.encode("utf-8"), limits.output_bytes,
                                 int((wall + AGENT_GRACE_SECONDS) * 1000), writable_code)
        try:
            warm = self._local.warm = self._local.warm or self._start(self._local.pool)
            before = warm.memory.counters()
            cpu_before = warm.memory.cpu_ns()
            warm.memory.reset_peak()
            reply = warm.call(request, timeout=wall + AGENT_GRACE_SECONDS + 30.0)
        except AgentError as exc:
            self._discard(warm)
            self._local.warm = None  # the next run starts a fresh container
            return RunResult("sandbox_error", detail=str(exc))
        except (DockerException, OSError) as exc:
            return RunResult("sandbox_error", detail=f"cannot start a sandbox container: {exc}")
        if writable_code and code_dir is not None:
            _write_tree(code_dir, reply.files)
        after = warm.memory.counters()
        cpu_after = warm.memory.cpu_ns()
        container_peak = warm.memory.peak()
        result, report = result_from_report(reply.stdout, reply.stderr, reply.report.strip(), limits)
        if report is not None and cpu_before is not None and cpu_after is not None:
            result.cpu_seconds = (cpu_after - cpu_before) / 1e9  # every descendant's, orphans included
        if report is not None:
            if container_peak:
                # Both bound the program's memory from above: RSS counts shared library pages charged
                # elsewhere, the container's charge counts the agent and page cache. The tighter one wins.
                result.peak_memory_bytes = min(result.max_rss_bytes, container_peak)
        elif reply.spawn_errno:
            result.stderr += f"\nthe sandbox agent could not start the launcher: {os.strerror(reply.spawn_errno)}"
        oom_kills, limit_hits = (after[0] - before[0], after[1] - before[1]) if before and after else (0, 0)
        if before is None and result.signal == 9 and result.max_rss_bytes >= 0.9 * limits.memory_bytes:
            oom_kills = 1  # no cgroup to read: a SIGKILL at the memory limit is the OOM killer's
        stats = GroupStats(result.peak_memory_bytes, oom_kills, 0, limit_hits)
        result.status, result.detail = self._classify(report, stats, reply.overflow, reply.timed_out, limits, wall,
                                                      result)
        return result

    # -- the Sandbox protocol ------------------------------------------------------------------

    def owned_pids(self) -> list[int]:
        """Host pids of processes left in this sandbox's containers besides their agents (none between runs)."""
        with self._pool_lock:
            live = list(self._live)
        return sorted(pid for warm in live for pid in warm.stray_pids())

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            self._idle = {}
        self._finalizer()

    def __enter__(self) -> "DockerSandbox":
        return self


def _remove_all(live: set, root: str) -> None:
    for warm in list(live):
        warm.remove()
    live.clear()
    shutil.rmtree(root, ignore_errors=True)


def _read_tree(directory: Optional[str]) -> list[tuple[str, int, bytes]]:
    files: list[tuple[str, int, bytes]] = []
    if directory is None:
        return files
    for base, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as fh:
                files.append((os.path.relpath(path, directory), os.stat(path).st_mode & 0o777, fh.read()))
    return files


def _write_tree(directory: str, files: Sequence[tuple[str, int, bytes]]) -> None:
    for rel, mode, data in files:
        if rel.startswith("/") or ".." in rel.split("/"):
            continue
        path = os.path.join(directory, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        os.chmod(path, mode)
