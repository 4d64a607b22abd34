#!/usr/bin/env bash
# Installs the eight language toolchains, bubblewrap and libseccomp-dev from Debian's packages, the C/C++
# analyzers (cppcheck, flawfinder), and the pinned ESLint with its security plugins
# (`npm ci` from transforms/analyzers/eslint/package-lock.json into $THEMIS_ESLINT_DIR,
# default /opt/themis/eslint: the build never fetches anything at run time).
# As root it runs apt-get; otherwise it names what to install and exits non-zero.
set -euo pipefail
PKGS=(gcc g++ libboost-dev libssl-dev default-jdk-headless nodejs npm node-lodash python3 golang-go ruby mono-mcs bubblewrap libseccomp-dev cppcheck flawfinder)
ESLINT_PACKAGE=${ESLINT_PACKAGE:-$(cd "$(dirname "$0")/.." && pwd)/transforms/analyzers/eslint}
ESLINT_DIR=${THEMIS_ESLINT_DIR:-/opt/themis/eslint}
missing=()
for cmd in gcc g++ javac java node npm python3 go ruby mcs mono bwrap cppcheck flawfinder; do
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
else
  echo "toolchains: missing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "not root: run 'sudo apt-get install ${PKGS[*]}' and try again" >&2
    exit 1
  fi
  # A Node.js from elsewhere (NodeSource's bundles npm) conflicts with Debian's npm: keep the one present.
  command -v node >/dev/null 2>&1 && PKGS=("${PKGS[@]/#nodejs/}")
  command -v npm >/dev/null 2>&1 && PKGS=("${PKGS[@]/#npm/}")
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends ${PKGS[*]} >/dev/null
  echo "toolchains: installed"
fi
# ESLint: reinstalled only when the pinned lock file changed
if ! cmp -s "$ESLINT_PACKAGE/package-lock.json" "$ESLINT_DIR/package-lock.json" \
   || [ ! -f "$ESLINT_DIR/node_modules/eslint/bin/eslint.js" ]; then
  mkdir -p "$ESLINT_DIR"
  cp "$ESLINT_PACKAGE/package.json" "$ESLINT_PACKAGE/package-lock.json" "$ESLINT_PACKAGE/eslint.config.mjs" "$ESLINT_DIR/"
  (cd "$ESLINT_DIR" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
  echo "eslint: installed in $ESLINT_DIR"
else
  cp "$ESLINT_PACKAGE/eslint.config.mjs" "$ESLINT_DIR/"
  echo "eslint: present in $ESLINT_DIR"
fi
