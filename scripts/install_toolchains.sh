#!/usr/bin/env bash
# Installs the eight language toolchains, bubblewrap and libseccomp-dev from Debian's packages.
# As root it runs apt-get; otherwise it names what to install and exits non-zero.
set -euo pipefail
PKGS=(gcc g++ libboost-dev libssl-dev default-jdk-headless nodejs node-lodash python3 golang-go ruby mono-mcs bubblewrap
      libseccomp-dev)
missing=()
for cmd in gcc g++ javac java node python3 go ruby mcs mono bwrap; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
# MBXP's JavaScript tests require lodash
[ -d /usr/share/nodejs/lodash ] || missing+=("node-lodash")
# HumanEval-X's C++ includes Boost and OpenSSL (js-md5 for its JavaScript is in sandboxes/harness/js)
[ -f /usr/include/boost/any.hpp ] || missing+=("libboost-dev")
[ -f /usr/include/openssl/md5.h ] || missing+=("libssl-dev")
# the sandbox launcher links libseccomp statically (its system call filter)
[ -f /usr/include/seccomp.h ] || missing+=("libseccomp-dev")
if [ ${#missing[@]} -eq 0 ]; then
  echo "toolchains: all present"
  exit 0
fi
echo "toolchains: missing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: run 'sudo apt-get install ${PKGS[*]}' and try again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
echo "toolchains: installed"
