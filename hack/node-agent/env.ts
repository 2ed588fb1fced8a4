/**
 * Test infrastructure: a container's environment, assembled as the kubelet does it (service
 * variables, then envFrom in order, then env in order with `$(VAR)` expansion against what came
 * before), and the final environment of the host process that plays the container.
 */
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { fieldPathValue, type PodAddresses } from "./downward.js";
import { expandVariables, lookupIn } from "./expansion.js";
import { secretEntries, secretText, type PodObjects } from "./references.js";

export type EnvResolution =
  | { readonly ok: true; readonly env: ReadonlyMap<string, string>; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

export interface EnvInputs {
  readonly pod: V1Pod;
  readonly container: V1Container;
  readonly objects: PodObjects;
  readonly addresses: PodAddresses;
  /** The kubernetes Service's variables (KUBERNETES_SERVICE_HOST/PORT): visible to `$(VAR)`. */
  readonly serviceEnv: ReadonlyMap<string, string>;
}

/** The kubernetes Service's variables as the kubelet injects them for the master service. */
export function serviceEnv(apiserverHost: string, apiserverPort: number): Map<string, string> {
  return new Map([
    ["KUBERNETES_SERVICE_HOST", apiserverHost],
    ["KUBERNETES_SERVICE_PORT", String(apiserverPort)],
  ]);
}

/** Kubernetes' classic rule for environment variable names (the kubelet skips envFrom keys that fail it). */
export function isEnvVarName(name: string): boolean {
  return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name);
}

/**
 * The container's variables with their values, or why the container cannot be configured (the
 * kubelet's CreateContainerConfigError: a missing non-optional ConfigMap, Secret or key).
 */
export function resolveContainerEnv(inputs: EnvInputs): EnvResolution {
  const { pod, container, objects } = inputs;
  const namespace = pod.metadata?.namespace ?? "default";
  const defined = new Map<string, string>();
  const warnings: string[] = [];

  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? "";
    let entries: [string, string][];
    let described: string;
    if (source.configMapRef) {
      const name = source.configMapRef.name ?? "";
      const configMap = objects.configMaps.get(name);
      described = `configMap ${namespace}/${name}`;
      if (configMap === undefined) {
        if (source.configMapRef.optional === true) continue;
        return { ok: false, message: `configmap "${name}" not found` };
      }
      entries = Object.entries(configMap.data ?? {});
    } else if (source.secretRef) {
      const name = source.secretRef.name ?? "";
      const secret = objects.secrets.get(name);
      described = `secret ${namespace}/${name}`;
      if (secret === undefined) {
        if (source.secretRef.optional === true) continue;
        return { ok: false, message: `secret "${name}" not found` };
      }
      entries = secretEntries(secret).map(([key, bytes]) => [key, bytes.toString("utf8")]);
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [key, value] of entries) {
      const name = prefix + key;
      if (isEnvVarName(name)) defined.set(name, value);
      else invalid.push(name);
    }
    if (invalid.length > 0) {
      warnings.push(
        `Keys [${invalid.sort().join(", ")}] from the EnvFrom ${described} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (from === undefined) {
      const value = variable.value ?? "";
      defined.set(variable.name, expandVariables(value, lookupIn(defined, inputs.serviceEnv)));
      continue;
    }
    if (from.fieldRef) {
      const field = fieldPathValue(pod, from.fieldRef.fieldPath, inputs.addresses);
      if (!field.ok) return { ok: false, message: `env ${variable.name}: ${field.message}` };
      defined.set(variable.name, field.value);
    } else if (from.configMapKeyRef) {
      const { name = "", key, optional } = from.configMapKeyRef;
      const configMap = objects.configMaps.get(name);
      if (configMap === undefined) {
        if (optional === true) continue;
        return { ok: false, message: `configmap "${name}" not found` };
      }
      const value = configMap.data?.[key];
      if (value === undefined) {
        if (optional === true) continue;
        return { ok: false, message: `couldn't find key ${key} in ConfigMap ${namespace}/${name}` };
      }
      defined.set(variable.name, value);
    } else if (from.secretKeyRef) {
      const { name = "", key, optional } = from.secretKeyRef;
      const secret = objects.secrets.get(name);
      if (secret === undefined) {
        if (optional === true) continue;
        return { ok: false, message: `secret "${name}" not found` };
      }
      const value = secretText(secret, key);
      if (value === undefined) {
        if (optional === true) continue;
        return { ok: false, message: `couldn't find key ${key} in Secret ${namespace}/${name}` };
      }
      defined.set(variable.name, value);
    } else {
      return {
        ok: false,
        message: `env ${variable.name}: only value, fieldRef, configMapKeyRef and secretKeyRef are supported by the node agent`,
      };
    }
  }

  // The service variables are part of the container's environment unless the pod overrides them.
  const env = new Map(inputs.serviceEnv);
  for (const [name, value] of defined) env.set(name, value);
  return { ok: true, env, warnings };
}

/** The process's argv: command then args, each with `$(VAR)` expanded against the container's env. */
export function expandedArgv(container: V1Container, env: ReadonlyMap<string, string>): string[] {
  const lookup = lookupIn(env);
  return [...(container.command ?? []), ...(container.args ?? [])].map((part) =>
    expandVariables(part, lookup),
  );
}

export interface ProcessEnvInputs {
  /** PATH (the agent's), HOME (the pod dir), HOSTNAME (the pod's name): what an image and runtime would give. */
  readonly base: Readonly<Record<string, string>>;
  /** The resolved container env (resolveContainerEnv), before mount-path rewriting. */
  readonly containerEnv: ReadonlyMap<string, string>;
  /** Maps in-container paths in values to their materialised host locations. */
  readonly rewrite: (value: string) => string;
  /** The pod's kubeconfig, set as KUBECONFIG unless the container sets that itself. */
  readonly kubeconfig?: string;
  /** Variables the harness relies on (RELEASE_OPERATOR_CLUSTER, the pod marker): set last, never overridden. */
  readonly forced: Readonly<Record<string, string>>;
}

/** The environment the host process starts with. */
export function processEnv(inputs: ProcessEnvInputs): Record<string, string> {
  const env: Record<string, string> = { ...inputs.base };
  for (const [name, value] of inputs.containerEnv) env[name] = inputs.rewrite(value);
  if (inputs.kubeconfig !== undefined && !inputs.containerEnv.has("KUBECONFIG"))
    env.KUBECONFIG = inputs.kubeconfig;
  return { ...env, ...inputs.forced };
}
