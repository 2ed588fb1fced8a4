/**
 * Test infrastructure: the node agent's configuration file, written by the local cluster harness
 * (`npm run cluster -- up`) once per node. `parseConfig` is pure and lists every problem at once, so a
 * harness bug is fixed in one round; `loadConfig` adds the checks that need the file system.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { isIP } from "node:net";

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

export interface NodeCapacity {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: string;
}

export interface NodeAgentConfig {
  /** The Node's name, e.g. "ground" or "onboard"; also the Lease's name and holder identity. */
  readonly nodeName: string;
  /** Kubeconfig with a client certificate for CN=system:node:<nodeName>, O=system:nodes. */
  readonly kubeconfig: string;
  /** The node's InternalIP, where the apiserver reaches the log endpoint; also every pod's IP. */
  readonly address: string;
  /** TLS port of the log endpoint, published as status.daemonEndpoints.kubeletEndpoint.Port. */
  readonly kubeletPort: number;
  /** PEM files of the log endpoint's serving certificate (valid for `address`) and its key. */
  readonly servingCert: string;
  readonly servingKey: string;
  /** PEM file of the CA that signs the apiserver's kubelet-client certificate. */
  readonly clientCA: string;
  /** This node's own directory: pod dirs, logs and materialised volumes live under it. */
  readonly workDir: string;
  /** Extra labels set at registration. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints set at registration only, like kubelet --register-with-taints. */
  readonly taints: readonly NodeTaint[];
  readonly capacity: NodeCapacity;
  /** Where pods reach the apiserver: KUBERNETES_SERVICE_HOST/PORT and their kubeconfig. */
  readonly apiserverHost: string;
  readonly apiserverPort: number;
  /** Reported as status.nodeInfo.kubeletVersion, e.g. "v1.36.3". */
  readonly kubernetesVersion: string;
}

/** A configuration the agent cannot run with; main turns it into exit code 2. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid node agent config ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const CONFIG_KEYS: readonly (keyof NodeAgentConfig)[] = [
  "nodeName",
  "kubeconfig",
  "address",
  "kubeletPort",
  "servingCert",
  "servingKey",
  "clientCA",
  "workDir",
  "labels",
  "taints",
  "capacity",
  "apiserverHost",
  "apiserverPort",
  "kubernetesVersion",
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[mkMGTPE])?$/;
const VERSION = /^v\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/;
const TAINT_EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** Problems with a label or taint key as Kubernetes validates qualified names ("prefix/name"). */
export function qualifiedNameProblems(key: string): string[] {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  const problems: string[] = [];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    problems.push(`prefix "${prefix}" must be a lowercase DNS subdomain`);
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    problems.push(
      `name "${name}" must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`,
    );
  }
  return problems;
}

/** Labels under kubernetes.io / k8s.io that the NodeRestriction admission plugin lets a node set itself. */
const NODE_SETTABLE_LABELS = new Set([
  "kubernetes.io/hostname",
  "kubernetes.io/arch",
  "kubernetes.io/os",
  "beta.kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/instance-type",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "node.kubernetes.io/instance-type",
]);
const NODE_SETTABLE_PREFIXES = ["kubelet.kubernetes.io/", "node.kubernetes.io/"];

/**
 * Why NodeRestriction would reject this label on the node's own create/update, or undefined. The
 * harness adds forbidden ones such as node-role.kubernetes.io/* itself, as an admin.
 */
export function nodeRestrictionProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  if (slash === -1) return undefined;
  const prefix = key.slice(0, slash);
  if (prefix === "node-restriction.kubernetes.io" || prefix.endsWith(".node-restriction.kubernetes.io")) {
    return `label "${key}" is reserved for admins (NodeRestriction forbids a node setting node-restriction.kubernetes.io/*)`;
  }
  const isKubernetesNamespace =
    prefix === "kubernetes.io" ||
    prefix.endsWith(".kubernetes.io") ||
    prefix === "k8s.io" ||
    prefix.endsWith(".k8s.io");
  if (!isKubernetesNamespace) return undefined;
  if (NODE_SETTABLE_LABELS.has(key) || NODE_SETTABLE_PREFIXES.some((p) => key.startsWith(p)))
    return undefined;
  return `label "${key}" cannot be set by a node itself (NodeRestriction); let the harness add it as admin`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object") return "an object";
  // What is left came from JSON: a number or a boolean.
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Validates the parsed JSON of a config file; throws ConfigError naming every problem. */
export function parseConfig(raw: unknown, source: string): NodeAgentConfig {
  if (!isRecord(raw)) throw new ConfigError(source, [`expected a JSON object, found ${describe(raw)}`]);
  const problems: string[] = [];

  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) problems.push(`unknown field "${key}"`);
  }

  const text = (field: keyof NodeAgentConfig): string => {
    const value = raw[field];
    if (typeof value === "string" && value.length > 0) return value;
    problems.push(`${field} must be a non-empty string, found ${describe(value)}`);
    return "";
  };
  const port = (field: keyof NodeAgentConfig): number => {
    const value = raw[field];
    if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
    problems.push(`${field} must be a TCP port (integer 1-65535), found ${describe(value)}`);
    return 0;
  };

  const nodeName = text("nodeName");
  if (nodeName !== "" && (nodeName.length > 253 || !DNS_SUBDOMAIN.test(nodeName))) {
    problems.push(`nodeName "${nodeName}" must be a lowercase DNS subdomain (a Node's name)`);
  }
  const address = text("address");
  if (address !== "" && isIP(address) === 0) problems.push(`address "${address}" must be an IP address`);

  const kubernetesVersion = text("kubernetesVersion");
  if (kubernetesVersion !== "" && !VERSION.test(kubernetesVersion)) {
    problems.push(`kubernetesVersion "${kubernetesVersion}" must look like v1.36.3`);
  }

  const config: NodeAgentConfig = {
    nodeName,
    kubeconfig: text("kubeconfig"),
    address,
    kubeletPort: port("kubeletPort"),
    servingCert: text("servingCert"),
    servingKey: text("servingKey"),
    clientCA: text("clientCA"),
    workDir: text("workDir"),
    labels: parseLabels(raw.labels, problems),
    taints: parseTaints(raw.taints, problems),
    capacity: parseCapacity(raw.capacity, problems),
    apiserverHost: text("apiserverHost"),
    apiserverPort: port("apiserverPort"),
    kubernetesVersion,
  };
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

function parseLabels(value: unknown, problems: string[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.push(`labels must be an object of strings, found ${describe(value)}`);
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [key, labelValue] of Object.entries(value)) {
    for (const problem of qualifiedNameProblems(key)) problems.push(`labels key "${key}": ${problem}`);
    const restricted = nodeRestrictionProblem(key);
    if (restricted !== undefined) problems.push(`labels: ${restricted}`);
    if (typeof labelValue !== "string" || labelValue.length > 63 || !LABEL_VALUE.test(labelValue)) {
      problems.push(
        `labels["${key}"] must be a label value (at most 63 alphanumerics, '-', '_', '.'), found ${describe(labelValue)}`,
      );
      continue;
    }
    labels[key] = labelValue;
  }
  return labels;
}

function parseTaints(value: unknown, problems: string[]): NodeTaint[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`taints must be an array, found ${describe(value)}`);
    return [];
  }
  const taints: NodeTaint[] = [];
  value.forEach((item: unknown, index) => {
    const where = `taints[${index}]`;
    if (!isRecord(item)) {
      problems.push(`${where} must be an object, found ${describe(item)}`);
      return;
    }
    const { key, value: taintValue, effect } = item;
    const before = problems.length;
    for (const field of Object.keys(item)) {
      if (!["key", "value", "effect"].includes(field)) problems.push(`${where}: unknown field "${field}"`);
    }
    if (typeof key !== "string") problems.push(`${where}.key must be a string, found ${describe(key)}`);
    else for (const problem of qualifiedNameProblems(key)) problems.push(`${where}.key "${key}": ${problem}`);
    if (taintValue !== undefined && (typeof taintValue !== "string" || !LABEL_VALUE.test(taintValue))) {
      problems.push(`${where}.value must be a label value, found ${describe(taintValue)}`);
    }
    if (typeof effect !== "string" || !(TAINT_EFFECTS as readonly string[]).includes(effect)) {
      problems.push(`${where}.effect must be one of ${TAINT_EFFECTS.join(", ")}, found ${describe(effect)}`);
    }
    if (problems.length === before) {
      taints.push({
        key: key as string,
        ...(typeof taintValue === "string" && taintValue !== "" ? { value: taintValue } : {}),
        effect: effect as TaintEffect,
      });
    }
  });
  return taints;
}

function parseCapacity(value: unknown, problems: string[]): NodeCapacity {
  if (!isRecord(value)) {
    problems.push(`capacity must be an object {cpu, memory, pods}, found ${describe(value)}`);
    return { cpu: "", memory: "", pods: "" };
  }
  const quantity = (field: keyof NodeCapacity): string => {
    const item = value[field];
    if (typeof item === "string" && QUANTITY.test(item)) return item;
    problems.push(
      `capacity.${field} must be a Kubernetes quantity string such as "2", "500m" or "4Gi", found ${describe(item)}`,
    );
    return "";
  };
  for (const field of Object.keys(value)) {
    if (!["cpu", "memory", "pods"].includes(field)) problems.push(`capacity: unknown field "${field}"`);
  }
  const capacity = { cpu: quantity("cpu"), memory: quantity("memory"), pods: quantity("pods") };
  if (capacity.pods !== "" && !/^\d+$/.test(capacity.pods)) {
    problems.push(`capacity.pods must be a whole number, found "${capacity.pods}"`);
  }
  return capacity;
}

/** The config file named on the command line (`--config <file>` or `--config=<file>`), or a usage error. */
export function configPathFrom(
  argv: readonly string[],
): { ok: true; path: string } | { ok: false; message: string } {
  const args = [...argv];
  let configPath: string | undefined;
  while (args.length > 0) {
    const arg = args.shift();
    if (arg === "--config") configPath = args.shift();
    else if (arg?.startsWith("--config=")) configPath = arg.slice("--config=".length);
    else return { ok: false, message: `unexpected argument "${arg ?? ""}"` };
  }
  if (configPath === undefined || configPath === "")
    return { ok: false, message: "--config <file.json> is required" };
  return { ok: true, path: configPath };
}

/** Reads and validates the config file, and checks that the files it names can be read. */
export function loadConfig(file: string): NodeAgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(file, [
      `cannot read it as JSON: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  const config = parseConfig(raw, file);
  const unreadable = (["kubeconfig", "servingCert", "servingKey", "clientCA"] as const).flatMap((field) => {
    try {
      accessSync(config[field], constants.R_OK);
      return [];
    } catch {
      return [`${field} ${config[field]} is not a readable file`];
    }
  });
  if (unreadable.length > 0) throw new ConfigError(file, unreadable);
  return config;
}
