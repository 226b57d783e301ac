#!/usr/bin/env bash
# Builds what the integration tests (./integration) need and caches it, so that
# `go test ./...` runs them for real:
#
#   - Ollama v0.17.4, built from the Go module proxy with cgo on CPU
#     ($CACHE/ollama-v0.17.4/bin/ollama; ~6 min and ~1 GB of memory cold on two
#     cores, nothing when cached);
#   - the face-expression expert's Node dependencies, installed from
#     testservers/faceexpert/package-lock.json ($CACHE/faceexpert-<lock hash>).
#
# CACHE is $EMOHALLUCER_CI_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/emohallucer-ci;
# the tests look in the same place. Idempotent: a rerun checks stamps and
# rebuilds only what changed (Ollama version, Go version, our miniaudio stand-in,
# the lock file). Installs Debian packages it needs when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

OLLAMA_VERSION=0.17.4
CACHE=${EMOHALLUCER_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emohallucer-ci}
mkdir -p "$CACHE"
t0=$(date +%s)
log() { echo "integration.sh: $*" >&2; }

# apt_need PKG... installs the Debian packages that are missing (as root only).
apt_need() {
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: $*; install them (apt-get install $*) or run this script as root"
    exit 1
  fi
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Ollama -------------------------------------------------------------------
# The module zip lacks llama.cpp's vendored headers: nlohmann/json and stb come
# from Debian, miniaudio.h from our stand-in (testservers/ollama/miniaudio).
odir="$CACHE/ollama-v$OLLAMA_VERSION"
standin=testservers/ollama/miniaudio/miniaudio.h
want="ollama $OLLAMA_VERSION | $(go version) | stand-in $(sha256sum "$standin" | cut -c1-16)"
if [ -x "$odir/bin/ollama" ] && [ "$(cat "$odir/stamp" 2>/dev/null)" = "$want" ]; then
  log "Ollama $OLLAMA_VERSION: cached in $odir"
else
  need=()
  command -v gcc >/dev/null || need+=(gcc)
  command -v g++ >/dev/null || need+=(g++)
  [ -f /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)
  [ -f /usr/include/stb/stb_image.h ] || need+=(libstb-dev)
  apt_need "${need[@]}"
  log "building Ollama $OLLAMA_VERSION (cold: about 6 minutes)"
  tmp="$odir.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/bin"
  # GOFLAGS is cleared so the repository's settings do not leak into a build of
  # another module; the version is stamped the way Ollama's release builds do.
  GOFLAGS= CGO_ENABLED=1 GOBIN="$tmp/bin" \
    CGO_CPPFLAGS="-I$PWD/testservers/ollama" \
    go install -ldflags "-X github.com/ollama/ollama/version.Version=$OLLAMA_VERSION" \
    "github.com/ollama/ollama@v$OLLAMA_VERSION"
  "$tmp/bin/ollama" --version 2>&1 | grep -q "$OLLAMA_VERSION" || {
    log "the built binary does not report version $OLLAMA_VERSION"
    exit 1
  }
  echo "$want" >"$tmp/stamp"
  rm -rf "$odir"
  mv "$tmp" "$odir"
  log "Ollama $OLLAMA_VERSION: built into $odir"
fi

# --- face-expression expert -----------------------------------------------------
need=()
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
apt_need "${need[@]}"
lock=testservers/faceexpert/package-lock.json
fdir="$CACHE/faceexpert-$(sha256sum "$lock" | cut -c1-16)"
if [ -f "$fdir/complete" ]; then
  log "face expert dependencies: cached in $fdir"
else
  log "installing the face expert's dependencies (npm ci)"
  tmp="$fdir.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp testservers/faceexpert/package.json "$lock" "$tmp/"
  # No install scripts: the dependencies are plain JavaScript and WASM.
  (cd "$tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$tmp/complete"
  rm -rf "$fdir"
  mv "$tmp" "$fdir"
  # Installs for older lock files are dead weight (~330 MB each).
  for old in "$CACHE"/faceexpert-*; do
    [ "$old" = "$fdir" ] || rm -rf "$old"
  done
  log "face expert dependencies: installed into $fdir"
fi

log "ready in $(($(date +%s) - t0)) s (cache $CACHE)"
