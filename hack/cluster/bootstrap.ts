import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { HUMAN_USERS } from "./control-plane.js";
import { renderKubeconfig } from "./kubeconfig.js";
import { kubectl } from "./kubectl.js";

export const OPERATOR_NAMESPACE = "release-operator-system";
export const OPERATOR_SERVICE_ACCOUNT = "release-operator";
/** Where the humans work and the demo's Environments and Releases live. */
export const WORKLOAD_NAMESPACE = "default";
/** A year: the operator's token outlives any local cluster. */
const OPERATOR_TOKEN_DURATION = "8760h";

/**
 * What each human group may do in the workload namespace: approvers create and annotate Releases
 * (the release editor role) and read the rest; developers only read. Neither may read Secrets: the
 * built-in `view` role leaves them out.
 */
export function humanRoleBindings(namespace: string): object[] {
  const binding = (name: string, group: string, clusterRole: string) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": "release-operator-local-cluster" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
  });
  const [approvers, developers] = [HUMAN_USERS[0].group, HUMAN_USERS[1].group];
  return [
    binding(`${approvers}-view`, approvers, "view"),
    binding(`${approvers}-release-editor`, approvers, "release-operator-release-editor"),
    binding(`${developers}-view`, developers, "view"),
  ];
}

/** The cluster bootstrap talks to: our own control plane, or one named by a kubeconfig. */
export interface BootstrapTarget {
  readonly adminKubeconfig: string;
  readonly apiserverUrl: string;
  /** PEM of the CA that signed the apiserver's serving certificate; empty for publicly trusted ones. */
  readonly caPem: string;
}

/**
 * Installs what the tests and the demo expect in a fresh cluster: the CRDs (so a real apiserver checks
 * the generated schemas), the operator's namespace, ServiceAccount and RBAC from config/, the humans'
 * bindings, and a kubeconfig holding the operator's ServiceAccount token.
 */
export async function bootstrapCluster(
  binDir: string,
  target: BootstrapTarget,
  kubeconfigDir: string,
): Promise<string> {
  const admin = target.adminKubeconfig;
  await kubectl(binDir, admin, [
    "apply",
    "--server-side",
    "--field-manager=local-cluster",
    "-k",
    "config/crd",
  ]);
  await kubectl(binDir, admin, [
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/releases.release-operator.io",
    "crd/environments.release-operator.io",
  ]);
  await kubectl(binDir, admin, [
    "apply",
    "--server-side",
    "--field-manager=local-cluster",
    "-f",
    "config/manager/namespace.yaml",
  ]);
  await kubectl(binDir, admin, [
    "apply",
    "--server-side",
    "--field-manager=local-cluster",
    "-k",
    "config/rbac",
  ]);
  // Approvals are authenticated by the chart's admission policy; the tests meet it as users do.
  await kubectl(binDir, admin, [
    "apply",
    "--server-side",
    "--field-manager=local-cluster",
    "-k",
    "config/admission",
  ]);
  await kubectl(binDir, admin, ["apply", "--server-side", "--field-manager=local-cluster", "-f", "-"], {
    input: humanRoleBindings(WORKLOAD_NAMESPACE)
      .map((object) => stringify(object))
      .join("---\n"),
  });
  const file = path.join(kubeconfigDir, "operator.kubeconfig");
  // A token is issued once per cluster: a second `up` keeps the kubeconfig callers already hold.
  if (existsSync(file)) return file;
  const token = (
    await kubectl(binDir, admin, [
      "create",
      "token",
      OPERATOR_SERVICE_ACCOUNT,
      "--namespace",
      OPERATOR_NAMESPACE,
      `--duration=${OPERATOR_TOKEN_DURATION}`,
    ])
  ).trim();
  writeFileSync(
    file,
    renderKubeconfig({
      user: `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_SERVICE_ACCOUNT}`,
      server: target.apiserverUrl,
      caPem: target.caPem,
      credentials: { kind: "token", token },
      namespace: OPERATOR_NAMESPACE,
    }),
    { mode: 0o600 },
  );
  return file;
}
