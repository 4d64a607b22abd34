"""Per-run control groups (v1 and v2): peak memory, a pids limit, CPU accounting, kill-all.

A `CgroupTree` owns one directory per controller below the worker's own cgroup;
each run gets a fresh child (`RunGroup`) that the launcher joins before it execs
bubblewrap, so every process of the run, daemons included, is limited, measured
and killed together.
"""
from __future__ import annotations

import dataclasses
import errno
import fcntl
import os
import signal
import time
import uuid
from typing import Optional

from sandboxes.pids import pid_alive


class CgroupError(RuntimeError):
    """Cgroups cannot be used here; the message says why."""


@dataclasses.dataclass
class GroupStats:
    peak_memory_bytes: int = 0
    oom_kills: int = 0
    cpu_ns: int = 0
    limit_hits: int = 0  # times a charge met the memory limit (v1 memory.failcnt, v2 memory.events "max")


def _read(path: str) -> str:
    with open(path, encoding="ascii") as fh:
        return fh.read()


def memory_counters(mem_dir: str, version: int) -> tuple[int, int]:
    """(OOM kills, times a charge met the limit) of a memory cgroup: v1 `memory.oom_control` and
    `memory.failcnt`, v2 `memory.events` ("oom_kill", "max"). OSError where they cannot be read."""
    events = _read(os.path.join(mem_dir, "memory.oom_control" if version == 1 else "memory.events"))
    fields = dict(line.split() for line in events.splitlines() if line.strip())
    hits = int(_read(os.path.join(mem_dir, "memory.failcnt"))) if version == 1 else int(fields.get("max", 0))
    return int(fields.get("oom_kill", 0)), hits


def cpu_usage_ns(cpu_dir: str, version: int) -> int:
    """CPU time of everything that ever ran in a cgroup (v1 `cpuacct.usage`, v2 `cpu.stat`
    usage_usec): orphaned grandchildren and children nobody waits for included, unlike a launcher's
    rusage. OSError where it cannot be read."""
    if version == 1:
        return int(_read(os.path.join(cpu_dir, "cpuacct.usage")))
    usage = dict(line.split() for line in _read(os.path.join(cpu_dir, "cpu.stat")).splitlines())
    return int(usage.get("usage_usec", 0)) * 1000


def _write(path: str, value: str) -> None:
    with open(path, "w", encoding="ascii") as fh:
        fh.write(value)


def _mounts() -> tuple[dict[str, str], Optional[str]]:
    """v1 controller -> mount point, and the v2 mount point (if any)."""
    v1: dict[str, str] = {}
    v2 = None
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            left, _, right = line.partition(" - ")
            fields, tail = left.split(), right.split()
            if not tail:
                continue
            if tail[0] == "cgroup2":
                v2 = fields[4]
            elif tail[0] == "cgroup":
                for option in tail[2].split(","):
                    v1.setdefault(option, fields[4])
    return v1, v2


def _own_paths() -> tuple[dict[str, str], Optional[str]]:
    """This process's cgroup path per v1 controller, and in the v2 hierarchy."""
    v1: dict[str, str] = {}
    v2 = None
    with open("/proc/self/cgroup", encoding="utf-8") as fh:
        for line in fh:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controllers == "":
                v2 = path
            for controller in controllers.split(","):
                v1[controller] = path
    return v1, v2


class RunGroup:
    """One run's cgroup directories (one per v1 controller, or one v2 directory)."""

    def __init__(self, tree: "CgroupTree", name: str):
        self.tree = tree
        self.dirs = {c: os.path.join(base, name) for c, base in tree.bases.items()}
        for path in dict.fromkeys(self.dirs.values()):
            os.mkdir(path)

    @property
    def procs_files(self) -> list[str]:
        return [os.path.join(p, "cgroup.procs") for p in dict.fromkeys(self.dirs.values())]

    def limit(self, memory_bytes: int, pids: int) -> None:
        mem, pid = self.dirs["memory"], self.dirs["pids"]
        if self.tree.version == 1:
            _write(os.path.join(mem, "memory.limit_in_bytes"), str(memory_bytes))
            memsw = os.path.join(mem, "memory.memsw.limit_in_bytes")
            if os.path.exists(memsw):
                _write(memsw, str(memory_bytes))
        else:
            _write(os.path.join(mem, "memory.max"), str(memory_bytes))
            if os.path.exists(os.path.join(mem, "memory.swap.max")):
                _write(os.path.join(mem, "memory.swap.max"), "0")
        _write(os.path.join(pid, "pids.max"), str(pids))

    def cpu_ns(self) -> int:
        return cpu_usage_ns(self.dirs["cpu"], self.tree.version)

    def stats(self) -> GroupStats:
        mem = self.dirs["memory"]
        if self.tree.version == 1:
            peak = int(_read(os.path.join(mem, "memory.max_usage_in_bytes")))
        else:
            peak_file = os.path.join(mem, "memory.peak")
            peak = int(_read(peak_file)) if os.path.exists(peak_file) else 0
        oom_kills, limit_hits = memory_counters(mem, self.tree.version)
        return GroupStats(peak, oom_kills, self.cpu_ns(), limit_hits)

    def pids(self) -> list[int]:
        found: set[int] = set()
        for path in self.procs_files:
            try:
                found.update(int(p) for p in _read(path).split())
            except FileNotFoundError:
                pass
        return sorted(found)

    def destroy(self) -> None:
        """Kill whatever is left in the group, then remove its directories."""
        kill_file = os.path.join(self.dirs["memory"], "cgroup.kill")
        deadline = time.monotonic() + 5.0
        while True:
            left = self.pids()
            if not left:
                break
            if os.path.exists(kill_file):
                _write(kill_file, "1")
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if time.monotonic() > deadline:
                raise CgroupError(f"processes {left} survived SIGKILL in {self.dirs['memory']}")
            time.sleep(0.0002)  # exiting processes leave the group within a fraction of a millisecond
        for path in dict.fromkeys(self.dirs.values()):
            for _ in range(200):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        raise
                    time.sleep(0.005)


class CgroupTree:
    """This worker's parent cgroup for runs: `CgroupTree.open()` or CgroupError saying why not."""

    V1_CONTROLLERS = {"memory": "memory", "pids": "pids", "cpu": "cpuacct"}

    def __init__(self, version: int, bases: dict[str, str]):
        self.version = version
        self.bases = bases  # role (memory, pids, cpu) -> this tree's directory
        self._count = 0
        self._locks: list[int] = []  # a shared flock on each directory while the tree is in use

    @classmethod
    def open(cls) -> "CgroupTree":
        v1_mounts, v2_mount = _mounts()
        v1_own, v2_own = _own_paths()
        name = f"themis-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        if all(c in v1_mounts for c in cls.V1_CONTROLLERS.values()):
            cls.sweep([os.path.join(v1_mounts[c], v1_own.get(c, "/").lstrip("/")) for c in cls.V1_CONTROLLERS.values()])
        elif v2_mount is not None:
            cls.sweep([os.path.join(v2_mount, (v2_own or "/").lstrip("/"))])
        if all(c in v1_mounts for c in cls.V1_CONTROLLERS.values()):
            bases = {role: os.path.join(v1_mounts[c], v1_own.get(c, "/").lstrip("/"), name)
                     for role, c in cls.V1_CONTROLLERS.items()}
            return cls._create(1, bases)
        if v2_mount is None:
            raise CgroupError("no cgroup v1 memory/pids/cpuacct controllers and no cgroup v2 mount")
        own = os.path.join(v2_mount, (v2_own or "/").lstrip("/"))
        enabled = _read(os.path.join(own, "cgroup.subtree_control")).split()
        missing = [c for c in ("memory", "pids", "cpu") if c not in enabled]
        if missing:
            try:
                _write(os.path.join(own, "cgroup.subtree_control"), " ".join(f"+{c}" for c in missing))
            except OSError as exc:
                raise CgroupError(
                    f"cgroup v2 controllers {', '.join(missing)} are not delegated to {own} ({exc.strerror}); "
                    "run the worker in a delegated cgroup, e.g. `systemd-run --scope -p Delegate=yes ...`"
                ) from None
        return cls._create(2, {role: os.path.join(own, name) for role in cls.V1_CONTROLLERS})

    @staticmethod
    def sweep(parents: list[str]) -> None:
        """Remove trees left by workers that died without closing (SIGKILL): `themis-PID-*` of a dead PID
        that no process holds locked. The PID alone is not proof: the creator may have forked and
        exited while its child uses the tree, or live in another PID namespace; its lock is
        inherited by forks and released only when the last holder exits."""
        for parent in dict.fromkeys(parents):
            for name in os.listdir(parent) if os.path.isdir(parent) else []:
                parts = name.split("-")
                if len(parts) != 3 or parts[0] != "themis" or not parts[1].isdigit() or pid_alive(int(parts[1])):
                    continue
                try:
                    lock = _lock(os.path.join(parent, name), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:  # removed meanwhile by another worker's sweep
                    continue
                if lock is None:
                    continue
                tree = CgroupTree(0, {"memory": os.path.join(parent, name)})
                tree._locks.append(lock)
                for run in os.listdir(tree.bases["memory"]):
                    if os.path.isdir(os.path.join(tree.bases["memory"], run)):
                        group = RunGroup.__new__(RunGroup)
                        group.tree, group.dirs = tree, {"memory": os.path.join(tree.bases["memory"], run)}
                        try:
                            group.destroy()
                        except (OSError, CgroupError):
                            pass
                tree.close()

    @classmethod
    def _create(cls, version: int, bases: dict[str, str]) -> "CgroupTree":
        tree = cls(version, bases)
        try:
            for path in dict.fromkeys(bases.values()):
                os.mkdir(path)
                tree._locks.append(_lock(path, fcntl.LOCK_SH))
        except OSError as exc:
            tree.close()
            raise CgroupError(f"cannot create {exc.filename}: {exc.strerror} (needs root or a delegated cgroup)") from None
        if version == 2:
            _write(os.path.join(bases["memory"], "cgroup.subtree_control"), "+memory +pids +cpu")
        try:  # prove a run group works before promising isolation
            probe = tree.new_run()
            probe.limit(64 * 1024 * 1024, 8)
            probe.stats()
            probe.destroy()
        except (OSError, ValueError, KeyError) as exc:
            tree.close()
            raise CgroupError(f"cannot use cgroup v{version} at {bases['memory']}: {exc}") from None
        return tree

    def new_run(self) -> RunGroup:
        self._count += 1
        return RunGroup(self, f"run-{self._count}-{uuid.uuid4().hex[:6]}")

    def close(self) -> None:
        for lock in self._locks:
            os.close(lock)
        self._locks = []
        for base in dict.fromkeys(self.bases.values()):
            if not os.path.isdir(base):
                continue
            for child in os.listdir(base):
                path = os.path.join(base, child)
                if os.path.isdir(path):
                    try:
                        os.rmdir(path)
                    except OSError:
                        pass
            try:
                os.rmdir(base)
            except OSError:
                pass


def _lock(path: str, operation: int) -> Optional[int]:
    """An open descriptor of directory `path` holding flock `operation`, or None when another holds it."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, operation)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
