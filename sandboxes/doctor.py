"""`themis doctor`: which languages, isolation features and counters this machine offers, and why not.

Checks the process backend's parts one by one (bubblewrap, cgroups, the launcher,
hardware counters), then each language's toolchain, and (unless --quick) runs a
minimal program per language in the sandbox, showing its start-up footprint.
Exit status 0 when everything the build needs is present, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from typing import Optional

from sandboxes.base import Limits, SandboxUnavailable
from sandboxes.cgroups import CgroupError, CgroupTree
from sandboxes.languages import BASE_ENV, SPECS

HELP = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sandbox", default="process", choices=["process", "docker"], help="backend to check")
    parser.add_argument("--quick", action="store_true", help="skip running a program per language")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")


def _first_line(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, env={"PATH": BASE_ENV["PATH"]})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {argv[0]}: {exc}"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else f"{argv[0]} exited {done.returncode}"


def _check(name: str, ok: bool, detail: str, fix: str = "") -> dict:
    return {"check": name, "ok": ok, "detail": detail, "fix": "" if ok else fix}


def isolation_checks() -> list[dict]:
    checks = []
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        checks.append(_check("bubblewrap", False, "not found", "apt-get install bubblewrap"))
    else:
        done = subprocess.run([bwrap, "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "--", "/bin/true"],
                              capture_output=True, text=True)
        checks.append(_check("bubblewrap namespaces (pid, net, ipc, uts, mount)", done.returncode == 0,
                             _first_line([bwrap, "--version"]) if done.returncode == 0 else done.stderr.strip(),
                             "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) "
                             "or run as root"))
    root = os.geteuid() == 0
    checks.append(_check("root (per-run cgroups, dropping to nobody)", root, f"euid {os.geteuid()}",
                         "run as root, or in a container/VM where you are root"))
    if root:
        try:
            tree = CgroupTree.open()
            checks.append(_check("cgroups", True, f"v{tree.version}: memory, pids, cpu accounting at "
                                 f"{os.path.dirname(tree.bases['memory'])}"))
            tree.close()
        except CgroupError as exc:
            checks.append(_check("cgroups", False, str(exc), "mount cgroup v1 memory/pids/cpuacct or delegate "
                                 "cgroup v2 memory+pids+cpu to this process"))
    checks.append(_check("cpu wait accounting (/proc/PID/schedstat)", os.path.exists("/proc/self/schedstat"),
                         "tells a busy machine from a slow program" if os.path.exists("/proc/self/schedstat")
                         else "missing", "a kernel with CONFIG_SCHED_INFO"))
    return checks


def counter_check(launcher: Optional[str]) -> dict:
    if launcher is None:
        return _check("hardware instruction counters", False, "no launcher", "apt-get install gcc")
    read, write = os.pipe()
    subprocess.run([launcher, "run", "--result-fd", str(write), "--perf", "--", "/bin/true"], pass_fds=(write,))
    os.close(write)
    with os.fdopen(read) as fh:
        report = dict(item.split("=", 1) for item in fh.read().split())
    ok = int(report.get("instructions", "-1")) >= 0
    paranoid = open("/proc/sys/kernel/perf_event_paranoid").read().strip() \
        if os.path.exists("/proc/sys/kernel/perf_event_paranoid") else "absent"
    return _check("hardware instruction counters", ok,
                  f"{report['instructions']} instructions for /bin/true" if ok else
                  f"perf_event_open refused (perf_event_paranoid={paranoid}); typical of VMs without a virtual PMU",
                  "run on bare metal or a VM with PMU passthrough; measurements then carry instruction counts")


def language_checks() -> list[dict]:
    checks = []
    for name, spec in SPECS.items():
        missing = [tool for tool in spec.tools if shutil.which(tool, path=BASE_ENV["PATH"]) is None]
        if missing:
            checks.append(_check(f"language {name}", False, f"missing {', '.join(missing)}",
                                 f"apt-get install {spec.packages}"))
        else:
            checks.append(_check(f"language {name}", True, _first_line(list(spec.version))))
    return checks


def smoke_checks(backend: str) -> list[dict]:
    from sandboxes import open_sandbox

    try:
        sandbox = open_sandbox(backend, Limits(wall_seconds=60))
    except SandboxUnavailable as exc:
        return [_check(f"{backend} sandbox", False, str(exc), "see the checks above")]
    checks = []
    try:
        for name in SPECS:
            m = sandbox.baseline(name)
            ok = m.status == "ok"
            detail = (f"hello world: {min(m.cpu_seconds) * 1e3:.0f} ms CPU, "
                      f"{min(m.peak_memory_bytes) / 2 ** 20:.1f} MiB peak") if ok else \
                f"{m.status}: {m.stderr_tail.strip()[-200:]}"
            checks.append(_check(f"run {name} in the {backend} sandbox", ok, detail, "see the language check"))
    finally:
        sandbox.close()
    return checks


def collect(args: argparse.Namespace) -> list[dict]:
    """Every check of the sandbox side: isolation, launcher, counters, languages, [smoke runs]."""
    checks = []
    launcher = None
    if args.sandbox == "process":
        checks += isolation_checks()
        try:
            from sandboxes.host_builds import build_launcher

            launcher = build_launcher()
            checks.append(_check("launcher", True, launcher))
        except SandboxUnavailable as exc:
            checks.append(_check("launcher", False, str(exc), "apt-get install gcc"))
        # hardware counters are optional: measurements fall back to CPU time
        checks.append({**counter_check(launcher), "optional": True})
    checks += language_checks()
    if not args.quick:
        checks += smoke_checks(args.sandbox)
    return checks


def show(checks: list[dict], as_json: bool) -> int:
    """Print the checks; 0 when every one that is not optional passed (an optional miss is a WARN)."""
    if as_json:
        print(json.dumps(checks, indent=2))
    else:
        for c in checks:
            mark = "ok  " if c["ok"] else "WARN" if c.get("optional") else "MISS"
            print(f"[{mark}] {c['check']}: {c['detail']}" + (f"\n       fix: {c['fix']}" if c["fix"] else ""))
    return 0 if all(c["ok"] for c in checks if not c.get("optional")) else 1


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    return show(collect(args), args.json)
