/**
 * Test infrastructure: the kubeconfig a pod's processes use instead of in-cluster config. Processes
 * run on the host, where /var/run/secrets/kubernetes.io/serviceaccount does not exist, so a pod with a
 * ServiceAccount token gets `<podDir>/kubeconfig` (set as KUBECONFIG) naming the apiserver, the
 * cluster CA and the pod's bound token. JSON is valid YAML, so every client reads it.
 */

export interface PodKubeconfigInput {
  readonly server: string;
  readonly caPem?: string;
  readonly token: string;
  readonly namespace: string;
}

export function renderPodKubeconfig(input: PodKubeconfigInput): string {
  const cluster = input.caPem
    ? {
        server: input.server,
        "certificate-authority-data": Buffer.from(input.caPem, "utf8").toString("base64"),
      }
    : { server: input.server };
  return `${JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "cluster", cluster }],
      users: [{ name: "pod", user: { token: input.token } }],
      contexts: [{ name: "pod", context: { cluster: "cluster", user: "pod", namespace: input.namespace } }],
      "current-context": "pod",
    },
    null,
    2,
  )}\n`;
}

/** The apiserver URL pods use; IPv6 hosts need brackets. */
export function apiserverUrl(host: string, port: number): string {
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
