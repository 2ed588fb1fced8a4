// Reading one ConfigMap or Secret by the name an Environment gives: its data, or what is missing.
// The one reader for the gate's checks and the deploy's environment; Secret values arrive base64
// encoded, as the API returns them, and never leave the caller.
import type { CoreV1Api } from "@kubernetes/client-node";
import type { WatchSettings } from "../api/v1alpha1/index.js";
import { httpCredentialsFromSecret, type HttpCredentials } from "../providers/credentials.js";
import type { PrometheusConnection } from "../providers/prometheus/client.js";
import { isNotFound } from "../runtime/api-errors.js";

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ObjectData {
  /** `data` as the API returns it: plain text for a ConfigMap, base64 for a Secret. */
  data: Record<string, string>;
  /** The keys of a ConfigMap's `binaryData` (never in a container's environment); empty for a Secret. */
  binaryDataKeys: string[];
}

/** A value of a Secret's `data` as text: the API returns it base64 encoded. */
export const decodeSecretValue = (value: string): string => Buffer.from(value, "base64").toString("utf8");

/** A ConfigMap's or Secret's data and binary keys; a 404 is a result, any other error is thrown. */
export async function readObjectData(
  core: CoreV1Api,
  namespace: string,
  kind: "ConfigMap" | "Secret",
  name: string,
): Promise<Read<ObjectData>> {
  try {
    if (kind === "ConfigMap") {
      const configMap = await core.readNamespacedConfigMap({ name, namespace });
      return {
        ok: true,
        value: { data: configMap.data ?? {}, binaryDataKeys: Object.keys(configMap.binaryData ?? {}) },
      };
    }
    const secret = await core.readNamespacedSecret({ name, namespace });
    return { ok: true, value: { data: secret.data ?? {}, binaryDataKeys: [] } };
  } catch (error) {
    if (isNotFound(error))
      return { ok: false, message: `${kind} ${name} not found in namespace ${namespace}` };
    throw error;
  }
}

/** A ConfigMap's or Secret's `data`; a 404 is a result, any other error is thrown. */
export async function readData(
  core: CoreV1Api,
  namespace: string,
  kind: "ConfigMap" | "Secret",
  name: string,
): Promise<Read<Record<string, string>>> {
  const read = await readObjectData(core, namespace, kind, name);
  return read.ok ? { ok: true, value: read.value.data } : read;
}

/** The credentials in an auth Secret (`username`/`password`, or `token`); none when no Secret is named. */
export async function readHttpCredentials(
  core: CoreV1Api,
  namespace: string,
  secretName: string | undefined,
): Promise<Read<HttpCredentials | undefined>> {
  if (secretName === undefined) return { ok: true, value: undefined };
  const data = await readData(core, namespace, "Secret", secretName);
  if (!data.ok) return data;
  const credentials = httpCredentialsFromSecret(secretName, data.value);
  return credentials.ok ? { ok: true, value: credentials.credentials } : credentials;
}

/** How to reach an Environment's Prometheus, its auth Secret read. */
export async function prometheusConnection(
  core: CoreV1Api,
  namespace: string,
  prometheus: WatchSettings["prometheus"],
): Promise<Read<PrometheusConnection>> {
  const credentials = await readHttpCredentials(core, namespace, prometheus.authSecret?.name);
  if (!credentials.ok) return { ok: false, message: `Prometheus credentials: ${credentials.message}` };
  return {
    ok: true,
    value: {
      url: prometheus.url,
      ...(credentials.value === undefined ? {} : { credentials: credentials.value }),
      timeoutMs: prometheus.timeoutMs,
    },
  };
}
