"""`themis images`: build and list the per-language Docker sandbox images.

Every image is built from the one `sandboxes/images/Dockerfile` with the language's
`ImageRecipe` (its toolchain) on a base (official upstream images by default, or one
`--base`, e.g. the offline debootstrap base that `sandboxes/images/ci_setup.sh`
imports), with the agent, the launcher, the harness files and the language's
`sandboxes/images/<Language>/prepare.sh` (if any) baked in. Images carry a label with the digest of everything they
were built from, so an unchanged image is not rebuilt.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Iterable, Optional, TextIO

from schemas.languages import CANONICAL_LANGUAGES as LANGUAGES, canonical_language
from sandboxes.base import SandboxUnavailable

HELP = __doc__
IMAGES_DIR = pathlib.Path(__file__).resolve().parent / "images"
DOCKERFILE = IMAGES_DIR / "Dockerfile"
SANDBOX_DIR = IMAGES_DIR.parent
AGENT_SOURCE = IMAGES_DIR / "agent.c"
LAUNCHER_SOURCE = SANDBOX_DIR / "launcher" / "launcher.c"
HARNESS = SANDBOX_DIR / "harness"
DIGEST_LABEL = "themis.context"
BASE_LABEL = "themis.base"


@dataclass(frozen=True)
class ImageRecipe:
    base: str      # the official upstream image used when no --base is given
    tool: str      # the command the image needs; when the base lacks it ...
    packages: str  # ... these Debian packages provide it
    libraries: str = ""  # Debian packages installed on every base: libraries benchmark programs use

    def build_args(self, base: Optional[str]) -> dict[str, str]:
        return {"BASE": base or self.base, "TOOL": self.tool, "PACKAGES": self.packages, "LIBRARIES": self.libraries}


RECIPES: dict[str, ImageRecipe] = {
    "C": ImageRecipe("gcc:12-bookworm", "gcc", "gcc libc6-dev"),
    "CSharp": ImageRecipe("mono:6.12", "mcs", "mono-mcs libmono-system-numerics4.0-cil"),
    # HumanEval-X C++ includes <boost/any.hpp> and <openssl/md5.h>
    "Cpp": ImageRecipe("gcc:12-bookworm", "g++", "g++ libc6-dev", libraries="libboost-dev libssl-dev"),
    "Go": ImageRecipe("golang:1.22-bookworm", "go", "golang-go"),
    "Java": ImageRecipe("eclipse-temurin:17-jdk", "javac", "default-jdk-headless"),
    "JavaScript": ImageRecipe("node:20-bookworm-slim", "node", "nodejs"),
    "Python": ImageRecipe("python:3.11-slim-bookworm", "python3", "python3"),
    "Ruby": ImageRecipe("ruby:3.1-slim-bookworm", "ruby", "ruby"),
}


def image_tag(language: str) -> str:
    """`themis/sandbox-<language>:latest`; THEMIS_IMAGE_REPO replaces `themis` (a private registry
    path, or one set of images per checkout on a shared dockerd)."""
    return f"{os.environ.get('THEMIS_IMAGE_REPO') or 'themis'}/sandbox-{language.lower()}:latest"


def docker_client(timeout: int = 120):
    """A client for the local dockerd, or SandboxUnavailable saying how to get one."""
    try:
        import docker
    except ImportError as e:
        raise SandboxUnavailable("the docker Python SDK is missing: `pip install 'themis-pipeline[docker]'`") from e
    try:
        client = docker.from_env(version="auto", timeout=timeout)
        client.ping()
    except Exception as e:  # the SDK raises several types for "no daemon"
        raise SandboxUnavailable(
            f"cannot reach dockerd ({e}): start it (`sudo bash sandboxes/images/ci_setup.sh` installs, starts "
            f"and builds the images offline), or pass `--sandbox process`") from e
    return client


def _prepare_script(language: str) -> Optional[pathlib.Path]:
    path = IMAGES_DIR / language / "prepare.sh"
    return path if path.is_file() else None


def _baked_files(language: str) -> list[tuple[str, pathlib.Path]]:
    prepare = _prepare_script(language)
    return [("agent.c", AGENT_SOURCE), ("launcher.c", LAUNCHER_SOURCE)] + [
        (f"harness/{p.relative_to(HARNESS)}", p) for p in sorted(HARNESS.rglob("*")) if p.is_file()] + (
        [("prepare.sh", prepare)] if prepare else [])


def context_digest(language: str, base: Optional[str]) -> str:
    """Digest of the Dockerfile, the recipe, the baked files and the base: equal digests mean an equal image."""
    h = hashlib.sha256()
    h.update(f"base={base or ''}\n{sorted(RECIPES[language].build_args(base).items())}\n".encode())
    for rel, path in [("Dockerfile", DOCKERFILE)] + _baked_files(language):
        h.update(f"{rel}\n".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _compile_static(source: pathlib.Path, target: pathlib.Path, *libs: str) -> None:
    # Static, so one binary runs on every base whatever its libc version.
    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc:
        raise SandboxUnavailable("building the sandbox images needs a C compiler for the agent: `apt-get install gcc`")
    subprocess.run([cc, "-O2", "-static", "-s", "-o", str(target), str(source), *libs], check=True)


def _make_context(language: str, root: pathlib.Path) -> None:
    """Dockerfile plus `themis/`, which becomes /.themis in the image: agent, launcher, harness
    and the language's prepare.sh."""
    shutil.copy(DOCKERFILE, root / "Dockerfile")
    baked = root / "themis"
    baked.mkdir()
    _compile_static(AGENT_SOURCE, baked / "agent")
    _compile_static(LAUNCHER_SOURCE, baked / "launcher", "-lseccomp")
    shutil.copytree(HARNESS, baked / "harness")
    prepare = _prepare_script(language)
    if prepare:
        shutil.copy(prepare, baked / "prepare.sh")


def image_state(client, language: str, base: Optional[str] = None) -> str:
    """'missing', 'stale' (built from other sources or base) or 'current'."""
    import docker

    try:
        image = client.images.get(image_tag(language))
    except docker.errors.ImageNotFound:
        return "missing"
    labels = image.labels or {}
    if base is None:
        base = labels.get(BASE_LABEL) or None
    return "current" if labels.get(DIGEST_LABEL) == context_digest(language, base) else "stale"


def build_image(client, language: str, base: Optional[str], log: TextIO = sys.stdout) -> None:
    """Build and tag one language's image; raises RuntimeError with the build's last lines on failure."""
    with tempfile.TemporaryDirectory(prefix=f"themis-image-{language}-") as tmp:
        root = pathlib.Path(tmp)
        _make_context(language, root)
        buildargs = RECIPES[language].build_args(base)
        labels = {DIGEST_LABEL: context_digest(language, base), BASE_LABEL: base or ""}
        tail: list[str] = []
        # Host network: a daemon started without a bridge (as ci_setup.sh does) still reaches the apt mirror.
        for chunk in client.api.build(path=str(root), tag=image_tag(language), buildargs=buildargs, labels=labels,
                                      network_mode="host", rm=True, forcerm=True, decode=True):
            if "error" in chunk:
                raise RuntimeError(f"building {image_tag(language)} failed: {chunk['error'].strip()}\n"
                                   + "".join(tail[-20:]))
            line = chunk.get("stream", "")
            if line:
                tail.append(line)


def resolve_bases(values: Iterable[str]) -> dict[str, Optional[str]]:
    """`--base IMAGE` sets every language's base; `--base Lang=IMAGE` one language's."""
    bases: dict[str, Optional[str]] = {lang: None for lang in LANGUAGES}
    for value in values:
        name, sep, image = value.partition("=")
        if sep and "/" not in name and ":" not in name:
            bases[canonical_language(name)] = image
        else:
            bases = {lang: value for lang in bases}
    return bases


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = sub.add_parser("build", help="build and tag the images (skips those already current)")
    build.add_argument("--base", action="append", default=[], metavar="IMAGE|LANG=IMAGE",
                       help="base image for all languages, or for one; default: the official upstream images")
    build.add_argument("--languages", nargs="+", default=list(LANGUAGES), metavar="LANG",
                       help="languages to build (default: all eight)")
    build.add_argument("--force", action="store_true", help="rebuild even when an image is current")
    sub.add_parser("list", help="show which images are present and whether they are current")


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    try:
        client = docker_client()
        if args.action == "list":
            return _list(client)
        bases = resolve_bases(args.base)
        for language in [canonical_language(lang) for lang in args.languages]:
            base = bases[language]
            if not args.force and image_state(client, language, base) == "current":
                print(f"{image_tag(language)}: current")
                continue
            print(f"{image_tag(language)}: building on {base or 'the default base'}", flush=True)
            build_image(client, language, base)
        return 0
    except (SandboxUnavailable, RuntimeError, ValueError, subprocess.CalledProcessError) as e:
        print(f"themis images: {e}", file=sys.stderr)
        return 1


def _list(client) -> int:
    import docker

    print(f"{'language':<11} {'image':<34} {'state':<8} {'size':>8}  base")
    for language in LANGUAGES:
        state = image_state(client, language)
        size, base = "", ""
        if state != "missing":
            try:
                image = client.images.get(image_tag(language))
            except docker.errors.ImageNotFound:
                state = "missing"
            else:
                size = f"{image.attrs.get('Size', 0) / 1e6:.0f} MB"
                base = (image.labels or {}).get(BASE_LABEL) or "default"
        print(f"{language:<11} {image_tag(language):<34} {state:<8} {size:>8}  {base}")
    return 0
