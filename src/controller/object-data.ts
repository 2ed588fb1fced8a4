// Reading one ConfigMap or Secret by the name an Environment gives: its data, or what is missing.
// The one reader for the gate's checks and the deploy's environment; Secret values arrive base64
// encoded, as the API returns them, and never leave the caller.
import type { CoreV1Api } from "@kubernetes/client-node";
import { isNotFound } from "../runtime/api-errors.js";

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

export async function readData(
  core: CoreV1Api,
  namespace: string,
  kind: "ConfigMap" | "Secret",
  name: string,
): Promise<Read<Record<string, string>>> {
  try {
    const object =
      kind === "ConfigMap"
        ? await core.readNamespacedConfigMap({ name, namespace })
        : await core.readNamespacedSecret({ name, namespace });
    return { ok: true, value: object.data ?? {} };
  } catch (error) {
    if (isNotFound(error))
      return { ok: false, message: `${kind} ${name} not found in namespace ${namespace}` };
    throw error;
  }
}
