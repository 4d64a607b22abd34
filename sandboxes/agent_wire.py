"""The wire format between DockerSandbox and the agent in each container (sandboxes/images/agent.c):
a request line (files for /code, the command, its stdin and limits) and the binary reply read out of
docker's multiplexed attach stream."""
from __future__ import annotations

import base64
import dataclasses
import os
import socket
import struct
from typing import Optional, Sequence


class AgentError(RuntimeError):
    """The container's agent stopped answering (the container died or the protocol broke)."""


@dataclasses.dataclass
class AgentReply:
    wait_status: int
    timed_out: bool
    overflow: bool
    spawn_errno: int
    disk_full: bool  # a writable directory of the container was (nearly) full when the run ended
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


class AgentStream:
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


def read_reply(s: AgentStream) -> AgentReply:
    """The agent's answer to one request (raises OSError or struct.error when the stream breaks)."""
    if s.read(4) != b"TMR3":
        raise AgentError("the sandbox agent answered out of protocol")
    status, timed_out, overflow, spawn_errno, disk_full = struct.unpack("<IIIII", s.read(20))
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
    return AgentReply(status, bool(timed_out), bool(overflow), spawn_errno, bool(disk_full), wall_ns, stdout, stdout_total,
                      stderr, stderr_total, report, files)


def read_tree(directory: Optional[str]) -> list[tuple[str, int, bytes]]:
    files: list[tuple[str, int, bytes]] = []
    if directory is None:
        return files
    for base, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as fh:
                files.append((os.path.relpath(path, directory), os.stat(path).st_mode & 0o777, fh.read()))
    return files


def write_tree(directory: str, files: Sequence[tuple[str, int, bytes]]) -> None:
    for rel, mode, data in files:
        if rel.startswith("/") or ".." in rel.split("/"):
            continue
        path = os.path.join(directory, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        os.chmod(path, mode)
