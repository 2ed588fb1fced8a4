#!/usr/bin/env bash
# `npm run bench [specs|cluster|operator|execute|watch|report]`: Node 24 and the Kubernetes binaries first (the cluster bench starts
# a local cluster of its own), then bench/main.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/node.sh
source hack/lib/npm.sh
source hack/lib/k8s.sh
ensure_npm_packages || exit 1
ensure_k8s
export K8S_VERSION
exec node --expose-gc --import tsx bench/main.ts "$@"
