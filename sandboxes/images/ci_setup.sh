#!/usr/bin/env bash
# Prepares the Docker sandbox on a fresh Debian machine with no container registry:
#   1. installs docker.io if dockerd is missing,
#   2. starts dockerd (cgroup v1 or v2; overlay2, falling back to vfs), logging to a file,
#   3. makes a Debian base image with debootstrap + `docker import` (the rootfs tarball is cached),
#   4. builds the eight language images on that base (`themis images build`).
# Idempotent: a running dockerd, an existing base and up-to-date images are reused.
# If dockerd cannot start it prints why and exits 0, so the docker tests skip with that reason.
set -uo pipefail
cd "$(dirname "$0")/../.."

SUITE="${THEMIS_DEBIAN_SUITE:-bookworm}"
MIRROR="${THEMIS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_TAG="themis/debian:${SUITE}"
CACHE_DIR="${THEMIS_CACHE_DIR:-/var/cache/themis}"
DOCKERD_LOG="${THEMIS_DOCKERD_LOG:-/var/log/themis-dockerd.log}"
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

say() { echo "docker-setup: $*"; }
give_up() {
  say "SKIPPING the Docker sandbox: $*"
  say "the docker tests will be skipped; see $DOCKERD_LOG"
  exit 0
}

docker_ready() { timeout 10 docker info >/dev/null 2>&1; }

install_docker() {
  command -v dockerd >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || give_up "dockerd is not installed and we are not root: run 'sudo apt-get install docker.io'"
  say "installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io >/dev/null; } \
    || give_up "'apt-get install docker.io' failed"
}

mount_cgroups() {
  # A bare machine (or a container) may have no cgroup filesystem mounted at all.
  if [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]; then
    mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
  fi
}

start_dockerd() {
  # $1: extra dockerd flags. Returns 0 once the daemon answers.
  say "starting dockerd $* (log: $DOCKERD_LOG)"
  # No bridge or iptables: sandbox containers run with --network none, and image
  # builds use the host network, so the daemon needs no NAT rules to work.
  nohup dockerd --bridge=none --iptables=false --ip-masq=false "$@" >>"$DOCKERD_LOG" 2>&1 &
  local pid=$!
  for _ in $(seq 1 60); do
    docker_ready && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 1
}

ensure_dockerd() {
  if docker_ready; then say "dockerd already running"; return 0; fi
  [ "$(id -u)" -eq 0 ] || give_up "dockerd is not running and we are not root to start it"
  mount_cgroups
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  : >>"$DOCKERD_LOG"
  # overlay2 first (the daemon's own choice); vfs works on any filesystem, at a cost in disk.
  start_dockerd && return 0
  say "dockerd did not start with its default storage driver; retrying with vfs"
  rm -f /var/run/docker.pid
  start_dockerd --storage-driver=vfs && return 0
  give_up "dockerd did not start: $(grep -iE 'level=(error|fatal)|failed' "$DOCKERD_LOG" | tail -n 2 | tr '\n' ' ')"
}

ensure_base() {
  if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then say "base $BASE_TAG present"; return 0; fi
  local tarball="$CACHE_DIR/debian-$SUITE-minbase.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
      || give_up "debootstrap is missing and could not be installed: 'apt-get install debootstrap'"
    local root
    root="$(mktemp -d /var/tmp/themis-debootstrap.XXXXXX)"
    say "debootstrap $SUITE from $MIRROR (about a minute)"
    if ! debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$CACHE_DIR.debootstrap.log" 2>&1; then
      rm -rf "$root"
      give_up "debootstrap failed: $(tail -n 3 "$CACHE_DIR.debootstrap.log" | tr '\n' ' ')"
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    mkdir -p "$CACHE_DIR"
    tar -C "$root" --numeric-owner -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$root"
  fi
  say "importing $tarball as $BASE_TAG"
  docker import "$tarball" "$BASE_TAG" >/dev/null || give_up "'docker import' of the debootstrap base failed"
}

mkdir -p "$CACHE_DIR"
install_docker
ensure_dockerd
ensure_base
# Each language's image installs its Debian toolchain when the base lacks it.
"$PY" -m pipelines.cli images build --base "$BASE_TAG" || { say "building the sandbox images failed (output above)"; exit 1; }
"$PY" -m pipelines.cli images list
