// Writing the status a reconcile decided: the diff against the cached object, locked on the
// resourceVersion read. A conflict is not an error: the reconcile decides again on fresh data.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import { GROUP, VERSION, type ResourceNames } from "../api/v1alpha1/index.js";
import { apiErrorMessage } from "../runtime/api-errors.js";
import { ConflictError, writeStatus } from "../runtime/status-writer.js";
import type { KubeClients } from "./kube.js";

export type StatusWrite =
  | { outcome: "written"; object: Record<string, unknown> }
  | { outcome: "unchanged" }
  | { outcome: "conflict" };

/** After a conflict the cache is about to catch up; look again shortly, without backoff. */
export const CONFLICT_REQUEUE_MS = 200;

export async function writeStatusOf(
  clients: KubeClients,
  resource: ResourceNames,
  cached: { metadata: V1ObjectMeta; status?: unknown },
  status: unknown,
): Promise<StatusWrite> {
  const namespace = cached.metadata.namespace ?? "";
  const name = cached.metadata.name ?? "";
  try {
    const object = await writeStatus(
      clients.custom,
      {
        group: GROUP,
        version: VERSION,
        plural: resource.plural,
        namespace,
        name,
        resourceVersion: cached.metadata.resourceVersion ?? "",
      },
      cached.status ?? {},
      status,
    );
    return object === undefined ? { outcome: "unchanged" } : { outcome: "written", object };
  } catch (error) {
    if (error instanceof ConflictError) return { outcome: "conflict" };
    throw new Error(
      `${resource.kind} ${namespace}/${name}: writing status failed: ${apiErrorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}
