"""Built once per host and cached: the sandbox launcher (a static C program) and a precompiled
<bits/stdc++.h> for the process backend."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from typing import Optional

from sandboxes.base import SandboxUnavailable
from sandboxes.languages import CPP_FLAGS

LAUNCHER_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "launcher", "launcher.c")


def cache_dir() -> str:
    return os.environ.get("THEMIS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "themis")


def build_launcher() -> str:
    """Compile the launcher once per source version into the cache; return its path.

    Static where the C library allows: no dynamic loading each time it is executed."""
    with open(LAUNCHER_SOURCE, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()[:16]
    target = os.path.join(cache_dir(), f"launcher-{digest}")
    if os.access(target, os.X_OK):
        return target
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise SandboxUnavailable("the sandbox launcher needs a C compiler: `apt-get install gcc`")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = f"{target}.{os.getpid()}.tmp"
    done = subprocess.run([compiler, "-O2", "-static", "-o", tmp, LAUNCHER_SOURCE, "-lseccomp"],
                          capture_output=True, text=True)
    if done.returncode != 0:  # no static libc (libc6-dev without libc.a): dynamic works too
        done = subprocess.run([compiler, "-O2", "-o", tmp, LAUNCHER_SOURCE, "-lseccomp"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SandboxUnavailable(f"cannot compile the sandbox launcher (it needs libseccomp-dev): "
                                 f"{done.stderr.strip()[-500:]}")
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)
    return target


def build_cpp_pch() -> Optional[str]:
    """Precompile <bits/stdc++.h> once per g++ version (from system headers only, outside the sandbox)."""
    gxx = shutil.which("g++")
    if gxx is None:
        return None
    version = subprocess.run([gxx, "-dumpfullversion"], capture_output=True, text=True).stdout.strip()
    machine = subprocess.run([gxx, "-dumpmachine"], capture_output=True, text=True).stdout.strip()
    header = f"/usr/include/{machine}/c++/{version.split('.')[0]}/bits/stdc++.h"
    if not os.path.exists(header):
        return None
    directory = os.path.join(cache_dir(), "pch-" + hashlib.sha256(f"{version} {machine} {CPP_FLAGS}".encode())
                             .hexdigest()[:16])
    target = os.path.join(directory, "bits", "stdc++.h.gch")
    if not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        done = subprocess.run([gxx, *CPP_FLAGS, "-x", "c++-header", "-o", tmp, header], capture_output=True)
        if done.returncode != 0:
            return None
        os.replace(tmp, target)
    return directory
