/**
 * Test infrastructure: the downward API's field paths, shared by env `fieldRef` and downwardAPI
 * volume items, resolved as the kubelet does.
 */
import type { V1Pod } from "@kubernetes/client-node";

/** The node's and pod's IPs: both are the node agent's address, since pods run as host processes. */
export interface PodAddresses {
  readonly hostIP: string;
  readonly podIP: string;
}

export type FieldResult =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

/** `key="value"` lines sorted by key, as the kubelet renders whole label/annotation maps. */
export function formatMap(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${JSON.stringify(map[key])}`)
    .join("\n");
}

/** Splits `metadata.labels['app']` into ["metadata.labels", "app"]; plain paths have no subscript. */
export function splitSubscript(fieldPath: string): { path: string; subscript?: string } {
  const match = /^([^[]+)\['(.*)'\]$/.exec(fieldPath);
  if (match?.[1] === undefined || match[2] === undefined) return { path: fieldPath };
  return { path: match[1], subscript: match[2] };
}

export function fieldPathValue(pod: V1Pod, fieldPath: string, addresses: PodAddresses): FieldResult {
  const { path, subscript } = splitSubscript(fieldPath);
  const ok = (value: string | undefined): FieldResult => ({ ok: true, value: value ?? "" });
  if (subscript !== undefined) {
    if (path === "metadata.labels") return ok(pod.metadata?.labels?.[subscript]);
    if (path === "metadata.annotations") return ok(pod.metadata?.annotations?.[subscript]);
    return { ok: false, message: `unsupported fieldPath with subscript: ${fieldPath}` };
  }
  switch (path) {
    case "metadata.name":
      return ok(pod.metadata?.name);
    case "metadata.namespace":
      return ok(pod.metadata?.namespace);
    case "metadata.uid":
      return ok(pod.metadata?.uid);
    case "metadata.labels":
      return ok(formatMap(pod.metadata?.labels ?? {}));
    case "metadata.annotations":
      return ok(formatMap(pod.metadata?.annotations ?? {}));
    case "spec.nodeName":
      return ok(pod.spec?.nodeName);
    case "spec.serviceAccountName":
      return ok(pod.spec?.serviceAccountName);
    case "status.hostIP":
    case "status.hostIPs":
      return ok(addresses.hostIP);
    case "status.podIP":
    case "status.podIPs":
      return ok(addresses.podIP);
    default:
      return { ok: false, message: `unsupported fieldPath: ${fieldPath}` };
  }
}
