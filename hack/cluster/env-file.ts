import type { ClusterInfo } from "./info.js";

/** Single-quotes a value for POSIX shells: nothing inside is expanded. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The variables `up` exports, in the order they are printed. */
export function environmentOf(info: ClusterInfo): [string, string][] {
  return [
    ["KUBECONFIG", info.kubeconfigs.admin],
    ["KUBECONFIG_ADMIN", info.kubeconfigs.admin],
    ["KUBECONFIG_OPERATOR", info.kubeconfigs.operator],
    ["KUBECONFIG_ALICE", info.kubeconfigs.alice],
    ["KUBECONFIG_BOB", info.kubeconfigs.bob],
    ["KUBERNETES_VERSION", info.kubernetesVersion],
    ["KUBERNETES_BIN_DIR", info.binDir],
    ["APISERVER_URL", info.apiserverUrl],
    ["PROMETHEUS_URL", info.prometheus.url],
    ["REGISTRY_URL", info.registry.url],
    ["REGISTRY_HOST", info.registry.host],
    ["REGISTRY_USERNAME", info.registry.credentials.username],
    ["REGISTRY_PASSWORD", info.registry.credentials.password],
    ["GIT_URL", info.git.url],
    ["GIT_SOURCE_REPO", info.git.sourceRepo],
    ["GIT_REPORT_REPO", info.git.reportRepo],
    ["GIT_USERNAME", info.git.credentials.username],
    ["GIT_PASSWORD", info.git.credentials.password],
    ["DEMO_APP_URL", info.demoApp.url],
    ["DEMO_APP_ADMIN_URL", info.demoApp.adminUrl],
    ["DEMO_APP_ADMIN_TOKEN", info.demoApp.adminToken],
  ];
}

/**
 * A file to `source`: exports every variable and puts the cluster's own kubectl (same version as the
 * apiserver) first on PATH, so plain `kubectl` talks to this cluster correctly.
 */
export function renderEnvFile(info: ClusterInfo): string {
  const lines = [
    "# The local release-operator cluster (npm run cluster -- up). Source it: . .local/cluster/env",
    "# Holds local, generated credentials; never commit it.",
    ...environmentOf(info).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    `export PATH=${shellQuote(info.binDir)}:"$PATH"`,
  ];
  return `${lines.join("\n")}\n`;
}
