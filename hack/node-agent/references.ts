/**
 * Test infrastructure: which ConfigMaps and Secrets a pod needs (env, envFrom, volumes), so the agent
 * fetches each once per attempt and the env and volume code stays pure over what was fetched.
 */
import type { V1ConfigMap, V1Container, V1Pod, V1Secret } from "@kubernetes/client-node";

/** The objects a pod refers to, by name in the pod's namespace. A name absent from a map was not found. */
export interface PodObjects {
  readonly configMaps: ReadonlyMap<string, V1ConfigMap>;
  readonly secrets: ReadonlyMap<string, V1Secret>;
}

export interface ReferencedNames {
  readonly configMaps: ReadonlySet<string>;
  readonly secrets: ReadonlySet<string>;
}

export function allContainers(pod: V1Pod): V1Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

export function referencedNames(pod: V1Pod): ReferencedNames {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const container of allContainers(pod)) {
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef?.name) configMaps.add(source.configMapRef.name);
      if (source.secretRef?.name) secrets.add(source.secretRef.name);
    }
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom;
      if (ref?.configMapKeyRef?.name) configMaps.add(ref.configMapKeyRef.name);
      if (ref?.secretKeyRef?.name) secrets.add(ref.secretKeyRef.name);
    }
  }
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.configMap?.name) configMaps.add(volume.configMap.name);
    if (volume.secret?.secretName) secrets.add(volume.secret.secretName);
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap?.name) configMaps.add(source.configMap.name);
      if (source.secret?.name) secrets.add(source.secret.name);
    }
  }
  return { configMaps, secrets };
}

/** A Secret's value for `key` as text, or undefined when the Secret has no such key. */
export function secretText(secret: V1Secret, key: string): string | undefined {
  const bytes = secretBytes(secret, key);
  return bytes === undefined ? undefined : bytes.toString("utf8");
}

export function secretBytes(secret: V1Secret, key: string): Buffer | undefined {
  const encoded = secret.data?.[key];
  if (encoded !== undefined) return Buffer.from(encoded, "base64");
  const plain = secret.stringData?.[key];
  return plain === undefined ? undefined : Buffer.from(plain, "utf8");
}

/** Every key of a Secret with its bytes. */
export function secretEntries(secret: V1Secret): [string, Buffer][] {
  const keys = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
  return [...keys].map((key) => [key, secretBytes(secret, key) ?? Buffer.alloc(0)]);
}

/** Every key of a ConfigMap (data and binaryData) with its bytes. */
export function configMapEntries(configMap: V1ConfigMap): [string, Buffer][] {
  return [
    ...Object.entries(configMap.data ?? {}).map(([key, value]): [string, Buffer] => [
      key,
      Buffer.from(value, "utf8"),
    ]),
    ...Object.entries(configMap.binaryData ?? {}).map(([key, value]): [string, Buffer] => [
      key,
      Buffer.from(value, "base64"),
    ]),
  ];
}
