#!/usr/bin/env bash
# Sourced: provides the Kubernetes binaries the local cluster runs (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl). Takes them from KUBEBUILDER_ASSETS when that holds
# all five, else builds the multi-call binary in hack/k8s once into the cache. Exports K8S_BIN_DIR.
set -euo pipefail

RELEASE_OPERATOR_CACHE="${RELEASE_OPERATOR_CACHE:-$HOME/.cache/release-operator}"
K8S_VERSION="${K8S_VERSION:-v1.36.3}"
K8S_COMMANDS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)

# Why a cached build is stale: the module, its sums, the dispatcher or these flags changed.
k8s_source_hash() {
  local src=$1
  cat "$src/go.mod" "$src/go.sum" "$src/main.go" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16
}

ensure_k8s() {
  local src
  src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../k8s" && pwd)"
  if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
    local missing=()
    for c in "${K8S_COMMANDS[@]}"; do [ -x "$KUBEBUILDER_ASSETS/$c" ] || missing+=("$c"); done
    if [ ${#missing[@]} -eq 0 ]; then
      export K8S_BIN_DIR="$KUBEBUILDER_ASSETS"
      printf '==> Using Kubernetes binaries from KUBEBUILDER_ASSETS=%s\n' "$K8S_BIN_DIR" >&2
      return 0
    fi
    printf '==> KUBEBUILDER_ASSETS=%s lacks %s; building from Go modules instead\n' "$KUBEBUILDER_ASSETS" "${missing[*]}" >&2
  fi

  local dir="$RELEASE_OPERATOR_CACHE/k8s-$K8S_VERSION" hash
  hash="$(k8s_source_hash "$src")"
  if [ -x "$dir/k8s" ] && [ "$(cat "$dir/.source-hash" 2>/dev/null)" = "$hash" ]; then
    export K8S_BIN_DIR="$dir"
    printf '==> Using Kubernetes %s built from Go modules (%s)\n' "$K8S_VERSION" "$dir" >&2
    return 0
  fi

  command -v go >/dev/null 2>&1 || { printf 'ERROR: go is needed to build Kubernetes %s from its Go modules, and KUBEBUILDER_ASSETS does not name ready binaries\n' "$K8S_VERSION" >&2; return 1; }
  printf '==> Building Kubernetes %s (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl) from Go modules into %s\n' "$K8S_VERSION" "$dir" >&2
  printf '    one multi-call binary from hack/k8s; about 15 minutes on 2 cores the first time, cached after that\n' >&2
  local version=${K8S_VERSION#v} major minor stamp="" pkg
  major=${version%%.*}; minor=${version#*.}; minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    stamp+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  local started=$SECONDS
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  if ! (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w$stamp" -o "$dir.tmp/k8s" .) >&2; then
    printf 'ERROR: go build of hack/k8s (Kubernetes %s from Go modules) failed, see above. Tried: KUBEBUILDER_ASSETS=%s, cache %s (%s).\n' \
      "$K8S_VERSION" "${KUBEBUILDER_ASSETS:-unset}" "$dir" "$([ -d "$dir" ] && echo stale || echo empty)" >&2
    printf '       Is the Go module proxy reachable (go env GOPROXY), and is there disk space (df -h %s)?\n' "$RELEASE_OPERATOR_CACHE" >&2
    return 1
  fi
  for c in "${K8S_COMMANDS[@]}"; do ln -s k8s "$dir.tmp/$c"; done
  echo "$hash" > "$dir.tmp/.source-hash"
  echo "$((SECONDS - started))" > "$dir.tmp/.build-seconds"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  export K8S_BIN_DIR="$dir"
  printf '==> Built Kubernetes %s in %ss (%s)\n' "$K8S_VERSION" "$((SECONDS - started))" "$dir" >&2
}
