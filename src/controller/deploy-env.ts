// The deploy's `envFrom` sources as the deploy Job would see them, read one by one for the check
// before the deploy starts (src/release/deploy-env.ts). Values stay in memory for that check only.
import type { CoreV1Api } from "@kubernetes/client-node";
import type { EnvFromSource } from "../api/v1alpha1/index.js";
import type { EnvSource } from "../release/deploy-env.js";
import { decodeSecretValue, readObjectData } from "./object-data.js";

export async function readDeployEnvironment(
  core: CoreV1Api,
  namespace: string,
  envFrom: readonly EnvFromSource[],
): Promise<EnvSource[]> {
  const sources: EnvSource[] = [];
  for (const source of envFrom) {
    const kind = source.secretRef !== undefined ? "Secret" : "ConfigMap";
    const name = source.secretRef?.name ?? source.configMapRef?.name ?? "";
    let read;
    try {
      read = await readObjectData(core, namespace, kind, name);
    } catch (error) {
      throw new Error(`reading ${kind} ${namespace}/${name} (deploy.envFrom) failed`, { cause: error });
    }
    const entries = read.ok ? Object.entries(read.value.data) : [];
    sources.push({
      kind,
      name,
      found: read.ok,
      values: new Map(
        entries.map(([key, value]) => [key, kind === "Secret" ? decodeSecretValue(value) : value]),
      ),
      binaryDataKeys: read.ok ? read.value.binaryDataKeys : [],
    });
  }
  return sources;
}
