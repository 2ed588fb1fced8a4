#!/usr/bin/env bash
# Sourced: builds helm from its Go module into the cache once (there is no helm package on this
# machine and nothing may be downloaded from a website) and exports HELM with its path.
set -euo pipefail

RELEASE_OPERATOR_CACHE="${RELEASE_OPERATOR_CACHE:-$HOME/.cache/release-operator}"
HELM_VERSION="${HELM_VERSION:-v4.3.1}"

ensure_helm() {
  if [ -n "${HELM:-}" ] && [ -x "$HELM" ]; then
    printf '==> Using helm from HELM=%s\n' "$HELM" >&2
    return 0
  fi
  local dir="$RELEASE_OPERATOR_CACHE/helm-$HELM_VERSION"
  if [ ! -x "$dir/helm" ]; then
    command -v go >/dev/null 2>&1 || { printf 'ERROR: go is needed to build helm %s from its Go module\n' "$HELM_VERSION" >&2; return 1; }
    printf '==> Building helm %s from the Go module helm.sh/helm/v4 into %s (about 2 minutes, once)\n' "$HELM_VERSION" "$dir" >&2
    rm -rf "$dir.tmp"
    if ! CGO_ENABLED=0 GOBIN="$dir.tmp" GOFLAGS=-mod=mod go install \
      -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
      "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2; then
      printf 'ERROR: go install helm.sh/helm/v4/cmd/helm@%s failed (is the Go module proxy reachable? see above)\n' "$HELM_VERSION" >&2
      return 1
    fi
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
  fi
  export HELM="$dir/helm"
  printf '==> Using helm %s (%s)\n' "$("$HELM" version --short 2>/dev/null)" "$HELM" >&2
}
