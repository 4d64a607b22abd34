"""`themis images`: base selection, content digests, and `list` against the real dockerd."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from sandboxes import SandboxUnavailable
from sandboxes.images import DOCKERFILE, RECIPES, context_digest, image_tag, resolve_bases
from schemas.languages import CANONICAL_LANGUAGES, LanguageError

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_one_dockerfile_with_an_overridable_base_and_a_sandbox_user_serves_every_language():
    text = DOCKERFILE.read_text()
    assert text.count("ARG BASE\n") == 1 and "FROM ${BASE}" in text
    assert "useradd --uid 10001" in text and "USER 0:0" in text and 'ENTRYPOINT ["/.themis/agent"]' in text
    assert sorted(RECIPES) == sorted(CANONICAL_LANGUAGES)
    assert RECIPES["Java"].build_args(None) == {"BASE": "eclipse-temurin:17-jdk", "TOOL": "javac",
                                                "PACKAGES": "default-jdk-headless", "LIBRARIES": ""}
    assert RECIPES["Cpp"].build_args(None)["LIBRARIES"] == "libboost-dev libssl-dev"
    assert RECIPES["Java"].build_args("themis/debian:bookworm")["BASE"] == "themis/debian:bookworm"


def test_base_for_all_languages_or_one():
    assert resolve_bases([]) == {lang: None for lang in CANONICAL_LANGUAGES}
    assert set(resolve_bases(["themis/debian:bookworm"]).values()) == {"themis/debian:bookworm"}
    bases = resolve_bases(["debian:bookworm", "java=eclipse-temurin:21-jdk"])
    assert bases["Java"] == "eclipse-temurin:21-jdk" and bases["Go"] == "debian:bookworm"
    with pytest.raises(LanguageError):
        resolve_bases(["cobol=debian:bookworm"])


def test_digest_follows_the_base_and_the_language():
    assert context_digest("C", None) == context_digest("C", None)
    assert context_digest("C", None) != context_digest("C", "themis/debian:bookworm")
    assert context_digest("C", None) != context_digest("Cpp", None)


def test_image_repo_follows_the_environment(monkeypatch):
    monkeypatch.delenv("THEMIS_IMAGE_REPO", raising=False)
    assert image_tag("CSharp") == "themis/sandbox-csharp:latest"
    monkeypatch.setenv("THEMIS_IMAGE_REPO", "registry.example/team")
    assert image_tag("CSharp") == "registry.example/team/sandbox-csharp:latest"


@pytest.mark.docker
def test_list_shows_every_language():
    from sandboxes.images import docker_client

    try:
        docker_client()
    except SandboxUnavailable as exc:
        pytest.skip(f"dockerd unavailable: {exc}")
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "images", "list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert [row.split()[:2] for row in rows] == [[lang, image_tag(lang)] for lang in CANONICAL_LANGUAGES]
