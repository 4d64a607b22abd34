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
rlimits, wall limit, CPU time and peak RSS from wait4 of a fresh child), and
compile-once caching, run loops and status rules are the engine's
(sandboxes/engine.py): the two backends give the same statuses for the same programs.
Out-of-memory kills are read from the container's memory cgroup.

Cleanup: containers are removed on `close()` and at exit; each is labelled with
its owner (host and pid) and auto-removed when its owner's attach socket closes,
and a later sandbox removes any labelled container whose owner is gone.
"""
from __future__ import annotations

import itertools
import os
import socket
import struct
import threading
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

try:
    from docker.errors import DockerException
except ImportError:  # docker_client() explains what to install
    DockerException = OSError

from sandboxes.agent_wire import (AgentError, AgentReply, AgentStream, encode_request, read_reply, read_tree,
                                  write_tree)
from sandboxes.base import Limits, SandboxUnavailable
from sandboxes.cgroups import GroupStats, cpu_usage_ns, memory_counters
from sandboxes.engine import Engine, RunResult, classify, result_from_report, write_files
from sandboxes.images import docker_client, image_state, image_tag
from sandboxes.languages import GOCACHE_DIR, WORK_DIR, Build
from sandboxes.launcher_cli import LAUNCHER_PATH, run_command
from sandboxes.pids import pid_alive
from schemas.languages import CANONICAL_LANGUAGES

LABEL = "themis.sandbox"
OWNER_LABEL = "themis.owner"
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
    return pid_alive(int(pid))


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
        self.stream = AgentStream(self.sock)

    def call(self, request: bytes, timeout: float) -> AgentReply:
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(request)
            return read_reply(self.stream)
        except (OSError, struct.error) as exc:
            raise AgentError(f"lost the sandbox agent: {exc}") from exc

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


class DockerLauncher:
    """The launcher protocol of sandboxes/engine.py on warm containers: idle ones kept per
    (language, shares the Go build cache)."""

    backend = "docker"
    counters = False  # docker's seccomp profile denies perf_event_open

    def __init__(self, limits: Limits):
        self.limits = limits
        self.client = docker_client()
        # A stale image runs another launcher or harness than this checkout: its results would not match.
        states = {lang: image_state(self.client, lang) for lang in CANONICAL_LANGUAGES}
        unusable = [f"{lang} ({state})" for lang, state in states.items() if state != "current"]
        if unusable:
            raise SandboxUnavailable(
                f"docker sandbox images not built from this checkout: {', '.join(unusable)}; run "
                "`themis images build` (offline: `sudo bash sandboxes/images/ci_setup.sh`), or pass `--sandbox process`")
        remove_leftovers(self.client)
        self._idle: dict[tuple[str, bool], list[WarmContainer]] = {}
        self._live: set[WarmContainer] = set()
        self._pool_lock = threading.Lock()
        self._closed = False

    @contextmanager
    def holding(self, language: str, gocache: bool = False) -> Iterator["HeldContainer"]:
        """A warm container of `language` for the caller while a compile or a test run goes on; with
        `gocache`, one of the containers that compile Go with the shared cache."""
        pool = (language, gocache)
        with self._pool_lock:
            idle = self._idle.setdefault(pool, [])
            held = HeldContainer(self, pool, idle.pop() if idle else None)
        try:
            yield held
        finally:
            with self._pool_lock:  # launch() may have replaced a broken one
                if held.warm in self._live and not self._closed:
                    self._idle.setdefault(pool, []).append(held.warm)

    def stage(self, build: Build, directory: str) -> None:
        write_files(directory, build.files)  # containers see the fixed mount points the language specs use

    def start(self, pool: tuple[str, bool]) -> WarmContainer:
        warm = WarmContainer(self.client, pool[0], self.limits, gocache=pool[1])
        with self._pool_lock:
            self._live.add(warm)
        return warm

    def discard(self, warm: WarmContainer) -> None:
        with self._pool_lock:
            self._live.discard(warm)
        warm.remove()

    def owned_pids(self) -> list[int]:
        """Host pids of processes left in this sandbox's containers besides their agents (none between runs)."""
        with self._pool_lock:
            live = list(self._live)
        return sorted(pid for warm in live for pid in warm.stray_pids())

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            self._idle = {}
            live, self._live = list(self._live), set()
        for warm in live:
            warm.remove()


class HeldContainer:
    """The Runner of sandboxes/engine.py on one container (started at the first run if none was idle)."""

    def __init__(self, launcher: DockerLauncher, pool: tuple[str, bool], warm: Optional[WarmContainer]):
        self.launcher = launcher
        self.pool = pool
        self.warm = warm

    def launch(self, argv: Sequence[str], code_dir: Optional[str], limits: Limits, *, env: Optional[dict] = None,
               stdin: str = "", writable_code: bool = False, gocache: bool = False, cwd: str = WORK_DIR,
               perf: bool = False, wall_seconds: Optional[float] = None, cpu_seconds: Optional[float] = None,
               core: Optional[int] = None) -> RunResult:
        wall = wall_seconds or limits.wall_seconds
        cpu = cpu_seconds or limits.cpu_seconds
        # --seccomp: our filter too, as docker's default profile allows ptrace.
        uid = ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
        command = run_command(LAUNCHER_PATH, limits, wall, cpu, ["--pidns", *uid, "--seccomp"], argv, core)
        request = encode_request(read_tree(code_dir), cwd, command, env or {"PATH": "/usr/bin:/bin"},
                                 stdin.encode("utf-8"), limits.output_bytes,
                                 int((wall + AGENT_GRACE_SECONDS) * 1000), writable_code)
        try:
            warm = self.warm = self.warm or self.launcher.start(self.pool)
            before = warm.memory.counters()
            cpu_before = warm.memory.cpu_ns()
            warm.memory.reset_peak()
            reply = warm.call(request, timeout=wall + AGENT_GRACE_SECONDS + 30.0)
        except AgentError as exc:
            self.launcher.discard(warm)
            self.warm = None  # the next run starts a fresh container
            return RunResult("sandbox_error", detail=str(exc))
        except (DockerException, OSError) as exc:
            return RunResult("sandbox_error", detail=f"cannot start a sandbox container: {exc}")
        if writable_code and code_dir is not None:
            write_tree(code_dir, reply.files)
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
        result.status, result.detail = classify(report, stats, reply.overflow, reply.timed_out, limits, wall, result,
                                                disk_full=reply.disk_full)
        return result


class DockerSandbox(Engine):
    """The sandbox engine on warm Docker containers (sandboxes/engine.py)."""

    def __init__(self, limits: Limits = Limits(), workers: int = 0, max_builds: int = 512):
        super().__init__(DockerLauncher(limits), limits, workers, max_builds)
