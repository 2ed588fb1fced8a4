/**
 * Test infrastructure: every call the node agent makes to the apiserver, in one place, with the
 * node's own identity (system:node:<name>). The Node authorizer and NodeRestriction limit these to the
 * node's own Node and Lease, pods bound to it, and the ConfigMaps, Secrets and tokens of those pods.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
  type KubeConfig,
  type V1ConfigMap,
  type V1Lease,
  type V1Node,
  type V1Pod,
  type V1PodList,
  type V1Secret,
} from "@kubernetes/client-node";

/** The HTTP status of a failed API call, or undefined for errors that are not API answers. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code =
    (error as { code?: unknown; statusCode?: unknown }).code ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof code === "number" ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const body = (error as { body?: unknown }).body;
  if (typeof body === "string" && body.length > 0) {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return `${error.message.split("\n")[0] ?? ""}: ${status.message}`;
    } catch {
      // Not a Status object: fall through.
    }
  }
  return error.message.split("\n")[0] ?? error.message;
}

const STRATEGIC = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
const MERGE = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export class NodeApi {
  readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;

  constructor(readonly kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** The cluster CA the agent trusts the apiserver with, as PEM (for pods' kubeconfigs). */
  clusterCaPem(): string | undefined {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster?.caData) return Buffer.from(cluster.caData, "base64").toString("utf8");
    return undefined;
  }

  async readNode(name: string): Promise<V1Node | undefined> {
    try {
      return await this.core.readNode({ name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  createNode(node: V1Node): Promise<V1Node> {
    return this.core.createNode({ body: node });
  }

  patchNodeLabels(name: string, labels: Readonly<Record<string, string>>): Promise<V1Node> {
    return this.core.patchNode({ name, body: { metadata: { labels } } }, MERGE);
  }

  patchNodeStatus(name: string, status: object): Promise<V1Node> {
    return this.core.patchNodeStatus({ name, body: { status } }, STRATEGIC);
  }

  async readLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return await this.coordination.readNamespacedLease({ namespace, name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  createLease(lease: V1Lease): Promise<V1Lease> {
    return this.coordination.createNamespacedLease({
      namespace: lease.metadata?.namespace ?? "",
      body: lease,
    });
  }

  replaceLease(lease: V1Lease): Promise<V1Lease> {
    return this.coordination.replaceNamespacedLease({
      namespace: lease.metadata?.namespace ?? "",
      name: lease.metadata?.name ?? "",
      body: lease,
    });
  }

  /** Pods bound to the node: the Node authorizer allows listing pods only with this field selector. */
  listPods(nodeName: string): Promise<V1PodList> {
    return this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
  }

  async getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    try {
      return await this.core.readNamespacedConfigMap({ namespace, name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ namespace, name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** A ServiceAccount token bound to the pod (TokenRequest), as the kubelet requests for projected volumes. */
  async requestToken(
    pod: V1Pod,
    request: { readonly audience?: string; readonly expirationSeconds: number },
  ): Promise<string> {
    const namespace = pod.metadata?.namespace ?? "";
    const serviceAccount = pod.spec?.serviceAccountName ?? "default";
    const answer = await this.core.createNamespacedServiceAccountToken({
      namespace,
      name: serviceAccount,
      body: {
        spec: {
          audiences: request.audience ? [request.audience] : [],
          expirationSeconds: request.expirationSeconds,
          boundObjectRef: {
            apiVersion: "v1",
            kind: "Pod",
            name: pod.metadata?.name ?? "",
            uid: pod.metadata?.uid ?? "",
          },
        },
      },
    });
    const token = answer.status?.token;
    if (!token)
      throw new Error(`TokenRequest for serviceaccount ${namespace}/${serviceAccount} returned no token`);
    return token;
  }

  patchPodStatus(pod: V1Pod, patch: object): Promise<V1Pod> {
    return this.core.patchNamespacedPodStatus(
      { namespace: pod.metadata?.namespace ?? "", name: pod.metadata?.name ?? "", body: patch },
      STRATEGIC,
    );
  }

  /**
   * The kubelet's final delete: grace period 0 and a uid precondition, so a pod recreated under the
   * same name is never deleted by mistake. Returns false when the pod was already gone.
   */
  async deletePodFinally(pod: V1Pod): Promise<boolean> {
    try {
      await this.core.deleteNamespacedPod({
        namespace: pod.metadata?.namespace ?? "",
        name: pod.metadata?.name ?? "",
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? "" } },
      });
      return true;
    } catch (error) {
      // 404: gone already; 409: the name now belongs to another pod (uid precondition failed).
      if (isNotFound(error) || statusCodeOf(error) === 409) return false;
      throw error;
    }
  }

  async createEvent(event: CoreV1Event): Promise<void> {
    await this.core.createNamespacedEvent({ namespace: event.metadata.namespace ?? "default", body: event });
  }
}
