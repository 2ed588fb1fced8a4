#!/usr/bin/env bash
# The demo: a local cluster, the operator, and real releases to a verdict. It needs the local cluster
# harness, the runtime and the phases, which are not built yet: say so instead of pretending.
set -euo pipefail
cat >&2 <<'MSG'
The demo is not available yet.

It will bring up a local Kubernetes control plane, Prometheus, an OCI registry and a git server on
127.0.0.1, start the operator, and release a demo app twice: v2 to Released, v3 to Rolled-Back by a
hard breach. What exists today is the API, its CRDs and the packaging; run the test suite with

    hack/test.sh
MSG
exit 1
