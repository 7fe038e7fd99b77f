#!/usr/bin/env bash
# Usage: scripts/ensure-debian.sh PKG...
# Installs the given Debian packages that are not installed yet. Runs
# `apt-get update` only when something is missing, so it is cheap to call
# from CI and test setup.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 PKG..." >&2
  exit 2
fi

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

missing=()
for pkg in "$@"; do
  if is_installed "$pkg"; then
    printf "%-10s %s\n" ok "$pkg"
  else
    printf "%-10s %s\n" missing "$pkg"
    missing+=("$pkg")
  fi
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "ensure-debian: not root and sudo is not available; cannot install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-debian: apt-get update failed" >&2
  exit 1
fi

if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-debian: failed to install: ${missing[*]}" >&2
  exit 1
fi

for pkg in "${missing[@]}"; do
  if ! is_installed "$pkg"; then
    echo "ensure-debian: $pkg still not installed after apt-get install" >&2
    exit 1
  fi
  printf "%-10s %s\n" installed "$pkg"
done
