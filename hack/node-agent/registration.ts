/**
 * Test infrastructure: the node agent's Node and its Lease, as the kubelet keeps them. The Node is
 * created (or, after a restart, its labels and status updated: taints are set at registration only,
 * and NodeRestriction forbids a node changing them later); its conditions are heartbeated every
 * ~10 s, and the Lease kube-node-lease/<node> is renewed every 10 s so the node-lifecycle controller
 * keeps the node Ready. Building the objects is pure; NodeRegistration does the calls.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { V1MicroTime, type V1Lease, type V1Node, type V1NodeCondition } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { describeError, isNotFound, type NodeApi } from "./api.js";
import type { NodeAgentConfig } from "./config.js";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
export const LEASE_DURATION_SECONDS = 40;
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const CONTAINER_RUNTIME_VERSION = "release-operator-node-agent://0.1.0";

/** What the host tells about itself, read once at start. */
export interface HostIdentity {
  readonly osImage: string;
  readonly kernelVersion: string;
  readonly operatingSystem: string;
  readonly architecture: string;
  readonly machineID: string;
  readonly systemUUID: string;
  readonly bootID: string;
}

/** Go's GOARCH for Node's process.arch, as kubernetes.io/arch uses it. */
export function goArch(arch: string): string {
  const names: Record<string, string> = {
    x64: "amd64",
    ia32: "386",
    arm: "arm",
    arm64: "arm64",
    ppc64: "ppc64le",
    s390x: "s390x",
  };
  return names[arch] ?? arch;
}

/** A stable UUID-shaped id from text, so each node of one machine gets its own machine and system IDs. */
export function stableId(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function readFirst(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
  } catch {
    return undefined;
  }
}

export function readHostIdentity(nodeName: string): HostIdentity {
  const osRelease = readFirst("/etc/os-release") ?? "";
  const prettyName = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1];
  const hostMachine = readFirst("/etc/machine-id") ?? os.hostname();
  return {
    osImage: prettyName ?? `${os.type()} ${os.release()}`,
    kernelVersion: os.release(),
    operatingSystem: process.platform,
    architecture: goArch(process.arch),
    machineID: stableId(`machine:${hostMachine}:${nodeName}`).replaceAll("-", ""),
    systemUUID: stableId(`system:${hostMachine}:${nodeName}`),
    bootID: readFirst("/proc/sys/kernel/random/boot_id") ?? stableId(`boot:${os.uptime()}`),
  };
}

export function nodeLabels(config: NodeAgentConfig, identity: HostIdentity): Record<string, string> {
  return {
    "kubernetes.io/hostname": config.nodeName,
    "kubernetes.io/os": identity.operatingSystem,
    "kubernetes.io/arch": identity.architecture,
    ...config.labels,
  };
}

const CONDITIONS: readonly { type: string; status: "True" | "False"; reason: string; message: string }[] = [
  {
    type: "MemoryPressure",
    status: "False",
    reason: "KubeletHasSufficientMemory",
    message: "kubelet has sufficient memory available",
  },
  {
    type: "DiskPressure",
    status: "False",
    reason: "KubeletHasNoDiskPressure",
    message: "kubelet has no disk pressure",
  },
  {
    type: "PIDPressure",
    status: "False",
    reason: "KubeletHasSufficientPID",
    message: "kubelet has sufficient PID available",
  },
  { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
];

/** Node status as sent in a strategic-merge patch: times as RFC 3339 text. */
export interface NodeStatusDoc {
  readonly conditions: readonly {
    type: string;
    status: "True" | "False";
    reason: string;
    message: string;
    lastHeartbeatTime: string;
    lastTransitionTime: string;
  }[];
  readonly addresses: readonly { type: string; address: string }[];
  readonly capacity: Readonly<Record<string, string>>;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly daemonEndpoints: { readonly kubeletEndpoint: { readonly Port: number } };
  readonly nodeInfo: Readonly<Record<string, string>>;
}

/**
 * The node's status: conditions heartbeated at `now`, each keeping its lastTransitionTime while its
 * status holds (from `previous`, the conditions the API has).
 */
export function nodeStatus(
  config: NodeAgentConfig,
  identity: HostIdentity,
  previous: readonly V1NodeCondition[],
  now: Date,
): NodeStatusDoc {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z");
  const resources = { cpu: config.capacity.cpu, memory: config.capacity.memory, pods: config.capacity.pods };
  return {
    conditions: CONDITIONS.map((condition) => {
      const before = previous.find((c) => c.type === condition.type);
      const since =
        before?.status === condition.status && before.lastTransitionTime
          ? new Date(before.lastTransitionTime).toISOString().replace(/\.\d+Z$/, "Z")
          : stamp;
      return { ...condition, lastHeartbeatTime: stamp, lastTransitionTime: since };
    }),
    addresses: [
      { type: "InternalIP", address: config.address },
      { type: "Hostname", address: config.nodeName },
    ],
    capacity: resources,
    allocatable: resources,
    daemonEndpoints: { kubeletEndpoint: { Port: config.kubeletPort } },
    nodeInfo: {
      machineID: identity.machineID,
      systemUUID: identity.systemUUID,
      bootID: identity.bootID,
      kernelVersion: identity.kernelVersion,
      osImage: identity.osImage,
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: config.kubernetesVersion,
      kubeProxyVersion: "",
      operatingSystem: identity.operatingSystem,
      architecture: identity.architecture,
    },
  };
}

/** The Node to create at first registration; its status follows in the first heartbeat. */
export function newNode(config: NodeAgentConfig, identity: HostIdentity): V1Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: config.nodeName, labels: nodeLabels(config, identity) },
    spec: { taints: config.taints.map((taint) => ({ ...taint })) },
  };
}

/** The node's Lease, owned by its Node so it goes with it, as the kubelet sets it. */
export function nodeLease(nodeName: string, nodeUid: string, renewTime: Date, existing?: V1Lease): V1Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      ...(existing?.metadata?.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid }],
    },
    spec: {
      holderIdentity: nodeName,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      renewTime: new V1MicroTime(renewTime.getTime()),
    },
  };
}

export class NodeRegistration {
  private nodeUid = "";
  private conditions: V1NodeCondition[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly api: NodeApi,
    private readonly config: NodeAgentConfig,
    private readonly identity: HostIdentity,
    private readonly log: Logger,
  ) {}

  /** Creates or updates the Node and renews the Lease once; throws when the API refuses. */
  async register(): Promise<void> {
    let node = await this.api.readNode(this.config.nodeName);
    if (node === undefined) {
      try {
        node = await this.api.createNode(newNode(this.config, this.identity));
        this.log.info({ taints: this.config.taints.length }, "Registered node");
      } catch (error) {
        throw new Error(`could not create Node ${this.config.nodeName}: ${describeError(error)}`, {
          cause: error,
        });
      }
    } else {
      node = await this.api.patchNodeLabels(this.config.nodeName, nodeLabels(this.config, this.identity));
      this.log.info("Node already registered: updated its labels and status (taints are left as they are)");
    }
    this.nodeUid = node.metadata?.uid ?? "";
    this.conditions = node.status?.conditions ?? [];
    await this.heartbeat();
  }

  /** Heartbeats and Lease renewals every 10 s until stop(); errors are logged and retried next beat. */
  start(): void {
    const beat = () => {
      if (this.stopped) return;
      this.heartbeat()
        .catch((error: unknown) => {
          this.log.warn({ error: describeError(error) }, "Node heartbeat failed; retrying");
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(beat, HEARTBEAT_INTERVAL_MS);
        });
    };
    this.timer = setTimeout(beat, HEARTBEAT_INTERVAL_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async heartbeat(): Promise<void> {
    const now = new Date();
    try {
      const node = await this.api.patchNodeStatus(
        this.config.nodeName,
        nodeStatus(this.config, this.identity, this.conditions, now),
      );
      this.conditions = node.status?.conditions ?? [];
      this.nodeUid = node.metadata?.uid ?? this.nodeUid;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // Someone deleted the Node: register again, as a restarted kubelet would.
      this.log.warn("Node was deleted; registering it again");
      await this.register();
      return;
    }
    await this.renewLease(now);
  }

  private async renewLease(now: Date): Promise<void> {
    const existing = await this.api.readLease(NODE_LEASE_NAMESPACE, this.config.nodeName);
    const lease = nodeLease(this.config.nodeName, this.nodeUid, now, existing);
    if (existing === undefined) await this.api.createLease(lease);
    else await this.api.replaceLease(lease);
  }
}
