#!/usr/bin/env bash
# `npm run cluster -- up|down|status`: installs Node 24 when the machine's is older and builds the
# Kubernetes binaries from Go modules once (cached), then runs hack/cluster/main.ts.
set -euo pipefail
cd "$(dirname "$0")/.."

source hack/lib/node.sh
source hack/lib/k8s.sh

if [ ! -d node_modules/tsx ]; then
  printf '==> Installing npm packages (npm ci)\n' >&2
  npm ci --no-audit --no-fund --loglevel=error > >(grep -v 'Unknown user config "nodedir"' >&2) 2>&1 \
    || { echo "ERROR: npm ci failed (see above)" >&2; exit 1; }
fi
case "${1:-}" in
  up) ensure_k8s ;;
  *) ;;
esac
export K8S_VERSION
exec node --import tsx hack/cluster/main.ts "$@"
