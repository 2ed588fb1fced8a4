#!/usr/bin/env bash
# The demo: a local cluster, the operator, and real releases to a verdict. It needs the local cluster
# harness, the runtime and the phases, which are not built yet: say so instead of pretending.
set -euo pipefail
cat >&2 <<'MSG'
The demo is not available yet.

It will bring up a local Kubernetes control plane, Prometheus, an OCI registry and a git server on
127.0.0.1, start the operator, and release a demo app twice: v2 to Released, v3 to Rolled-Back by a
hard breach. What exists today: the local cluster (npm run cluster -- up), and an operator that runs a
release through the gate, strategy, deploy Job, smoke tests and rollback, but not yet the watch window
or the git report. Run the test suite, which does all of that against the local cluster, with

    hack/test.sh
MSG
exit 1
