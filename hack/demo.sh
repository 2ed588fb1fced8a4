#!/usr/bin/env bash
# The demo, the README's first command: installs what it needs (Node 24, the npm packages, the
# Kubernetes binaries built from Go modules; hack/demo/main.ts installs the Debian packages), brings up
# the local cluster, starts the operator and releases the demo app twice to a verdict: 1.4.2 to
# Released, 1.4.3 to Rolled-Back by a hard breach. Idempotent: run it again and it starts afresh from
# the same place. It leaves the cluster running; `npm run cluster -- down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

source hack/lib/node.sh
source hack/lib/npm.sh
source hack/lib/k8s.sh

ensure_npm_packages || exit 1

if ! ensure_k8s; then
  echo "ERROR: the Kubernetes binaries for the local cluster are missing (see above); the demo cannot start a cluster" >&2
  exit 1
fi
export K8S_VERSION

exec node --import tsx hack/demo/main.ts "$@"
