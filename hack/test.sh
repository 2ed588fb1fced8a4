#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (Node 24, npm packages, helm and the
# Kubernetes binaries built from Go modules, Debian packages for the local cluster), then runs every
# check, the e2e suites against a local cluster it starts and stops, and says which failed. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

source hack/lib/node.sh
source hack/lib/npm.sh
source hack/lib/helm.sh
source hack/lib/k8s.sh

step() { printf '\n==> %s\n' "$*" >&2; }

npm_ci || exit 1

step "Ensuring helm for the chart checks"
ensure_helm
command -v kubectl >/dev/null 2>&1 || { echo "ERROR: kubectl is needed to render config/ with kustomize and was not found on PATH" >&2; exit 1; }

step "Ensuring the Kubernetes binaries for the local cluster"
ensure_k8s
export K8S_VERSION

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
failed=()
run() {
  local name=$1; shift
  step "$name"
  if "$@"; then printf '    ok: %s\n' "$name" >&2; else printf '    FAILED: %s\n' "$name" >&2; failed+=("$name"); fi
}

run "Typecheck (tsc, strict)" npx tsc -p tsconfig.json --noEmit
run "Lint (eslint)" npx eslint --max-warnings 0 .
run "Format (prettier --check; fix with npm run format)" npx prettier --check --log-level warn .
run "Generated files are fresh (else run npm run generate)" npx tsx hack/generate/main.ts --check
run "Unit tests" npx vitest run --project unit --reporter=default --reporter=json --outputFile="$reports/unit.json"
# The packaging tests run the chart's Argo CD health check with lua5.4; the cluster's packages come too.
run "Debian packages (prometheus, docker-registry, git, openssl, apache2-utils, curl, lua5.4)" \
  node --import tsx hack/cluster/main.ts packages
export HELM  # the packaging and e2e suites render the chart with it
run "Packaging tests (kustomize, kubectl dry-run, helm lint and template)" \
  npx vitest run --project packaging --reporter=default --reporter=json --outputFile="$reports/packaging.json"
# The e2e suites start the local cluster themselves (hack/cluster, the code behind npm run cluster) and
# stop it at the end; one already running is used and left running.
run "E2E tests (local cluster: Kubernetes, node agents, Prometheus, registry, git)" \
  npx vitest run --project e2e --reporter=default --reporter=json --outputFile="$reports/e2e.json"

# One closing line with the test counts across the suites.
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file)) continue;
    const report = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += report.numPassedTests; failed += report.numFailedTests;
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
' "$reports/unit.json" "$reports/packaging.json" "$reports/e2e.json"

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nFAILED steps:\n' >&2
  printf '  - %s\n' "${failed[@]}" >&2
  exit 1
fi
printf '\nAll checks passed.\n' >&2
