#!/usr/bin/env bash
# `npm run cluster -- up|down|status`: installs Node 24 when the machine's is older and builds the
# Kubernetes binaries from Go modules once (cached), then runs hack/cluster/main.ts.
set -euo pipefail
cd "$(dirname "$0")/.."

source hack/lib/node.sh
source hack/lib/npm.sh
source hack/lib/k8s.sh

ensure_npm_packages || exit 1
case "${1:-}" in
  up) ensure_k8s ;;
  *) ;;
esac
export K8S_VERSION
exec node --import tsx hack/cluster/main.ts "$@"
