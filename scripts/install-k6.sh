#!/usr/bin/env bash
# Ensures a k6 binary of the pinned version exists, building it from source
# with the local Go toolchain if needed. The last line of stdout is the
# absolute path of the binary; everything else goes to stderr.
set -euo pipefail

K6_VERSION="${K6_VERSION:-1.8.1}"

log() { echo "install-k6: $*" >&2; }

# Go puts its module and build caches under $HOME by default; without HOME (some CI runners,
# service accounts) it refuses to build, so give it directories of its own.
if [[ -z "${HOME:-}" ]]; then
  cache="${XDG_CACHE_HOME:-${TMPDIR:-/tmp}}/sluice-go"
  export GOPATH="${GOPATH:-$cache/path}" GOCACHE="${GOCACHE:-$cache/build}"
fi

has_pinned_version() {
  local bin="$1"
  [[ -x "$bin" ]] || return 1
  "$bin" version 2>/dev/null | grep -q "v${K6_VERSION}\b"
}

candidates=()
if command -v k6 >/dev/null 2>&1; then
  candidates+=("$(command -v k6)")
fi

if ! command -v go >/dev/null 2>&1; then
  for bin in "${candidates[@]}"; do
    if has_pinned_version "$bin"; then echo "$bin"; exit 0; fi
  done
  log "k6 v${K6_VERSION} not found and 'go' is not on PATH; install Go (e.g. scripts/ensure-debian.sh golang-go) or k6 itself"
  exit 1
fi

gobin="$(go env GOBIN)"
[[ -n "$gobin" ]] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
candidates+=("$gobin/k6")

for bin in "${candidates[@]}"; do
  if has_pinned_version "$bin"; then
    log "found k6 v${K6_VERSION}"
    echo "$(cd "$(dirname "$bin")" && pwd -P)/$(basename "$bin")"
    exit 0
  fi
done

log "building k6 v${K6_VERSION} with $(go version) (this takes a few minutes)"
# Run outside any module so a go.mod/go.work nearby cannot interfere.
if ! (cd "$(mktemp -d)" && GOFLAGS=-mod=mod GO111MODULE=on GOWORK=off \
  go install "go.k6.io/k6@v${K6_VERSION}" >&2); then
  log "go install go.k6.io/k6@v${K6_VERSION} failed"
  exit 1
fi

if ! has_pinned_version "$gobin/k6"; then
  log "built $gobin/k6 but it does not report v${K6_VERSION}"
  exit 1
fi
log "installed k6 v${K6_VERSION}"
echo "$gobin/k6"
