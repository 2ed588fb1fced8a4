import { writeFileSync } from "node:fs";
import path from "node:path";
import { certOf, LOOPBACK, NODE_NAMES, type ControlPlane, type NodeName } from "./control-plane.js";
import { kubectl } from "./kubectl.js";
import { REPO_ROOT, type StateDir } from "./paths.js";
import { assertAlive, startService } from "./processes.js";
import { waitUntil } from "./wait.js";
import type { NodeAgentConfig } from "../node-agent/config.js";

/** The onboard node's role label and taint: only work that asks for it lands there. */
export const ONBOARD_ROLE_LABEL = "node-role.kubernetes.io/onboard";
export const ONBOARD_TAINT = { key: "node-role.kubernetes.io/onboard", effect: "NoSchedule" } as const;
/** Set by the node agent itself at registration (a label NodeRestriction lets a node set). */
export const NODE_CLASS_LABEL = "node.release-operator.io/class";

interface NodeShape extends Pick<NodeAgentConfig, "labels" | "taints" | "capacity"> {
  /** Labels only an admin may set (NodeRestriction forbids node-role.kubernetes.io/* from the node). */
  readonly adminLabels: Readonly<Record<string, string>>;
}

export const NODE_SHAPES: Readonly<Record<NodeName, NodeShape>> = {
  ground: {
    labels: { [NODE_CLASS_LABEL]: "ground" },
    taints: [],
    adminLabels: {},
    capacity: { cpu: "4", memory: "8Gi", pods: "110" },
  },
  onboard: {
    labels: { [NODE_CLASS_LABEL]: "onboard" },
    taints: [ONBOARD_TAINT],
    adminLabels: { [ONBOARD_ROLE_LABEL]: "" },
    capacity: { cpu: "2", memory: "2Gi", pods: "20" },
  },
};

/** The node agent's config file contents (hack/node-agent reads and validates it). */
export function nodeAgentConfig(
  state: StateDir,
  controlPlane: ControlPlane,
  node: NodeName,
  kubeletPort: number,
  kubernetesVersion: string,
): NodeAgentConfig {
  const serving = certOf(controlPlane.pki, `kubelet-${node}`);
  const apiserver = new URL(controlPlane.apiserverUrl);
  const shape = NODE_SHAPES[node];
  return {
    nodeName: node,
    kubeconfig: controlPlane.nodeKubeconfigs[node],
    address: LOOPBACK,
    kubeletPort,
    servingCert: serving.cert,
    servingKey: serving.key,
    clientCA: controlPlane.pki.ca.cert,
    workDir: path.join(state.data, "nodes", node),
    labels: shape.labels,
    taints: shape.taints,
    capacity: shape.capacity,
    apiserverHost: apiserver.hostname,
    apiserverPort: Number(apiserver.port),
    kubernetesVersion,
  };
}

interface NodeCondition {
  type: string;
  status: string;
}

function isReady(nodeJson: string): boolean {
  const node = JSON.parse(nodeJson) as { status?: { conditions?: NodeCondition[] } };
  return (node.status?.conditions ?? []).some(
    (condition) => condition.type === "Ready" && condition.status === "True",
  );
}

/** Starts both node agents, waits until their Nodes are Ready, and applies the admin-only labels. */
export async function startNodes(
  state: StateDir,
  binDir: string,
  controlPlane: ControlPlane,
  kubeletPorts: Readonly<Record<NodeName, number>>,
  kubernetesVersion: string,
): Promise<void> {
  await Promise.all(
    NODE_NAMES.map(async (node) => {
      const configFile = path.join(state.root, `node-agent-${node}.json`);
      writeFileSync(
        configFile,
        JSON.stringify(
          nodeAgentConfig(state, controlPlane, node, kubeletPorts[node], kubernetesVersion),
          null,
          2,
        ),
      );
      const record = await startService(state, {
        name: `node-agent-${node}`,
        command: process.execPath,
        args: ["--import", "tsx", path.join(REPO_ROOT, "hack/node-agent/main.ts"), "--config", configFile],
        cwd: REPO_ROOT,
      });
      await waitUntil(
        `node ${node} to register and report Ready`,
        async () => {
          assertAlive(state, record);
          return isReady(
            await kubectl(binDir, controlPlane.kubeconfigs.admin, ["get", "node", node, "-o", "json"]),
          );
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const adminLabels = Object.entries(NODE_SHAPES[node].adminLabels).map(
        ([key, value]) => `${key}=${value}`,
      );
      if (adminLabels.length > 0) {
        await kubectl(binDir, controlPlane.kubeconfigs.admin, [
          "label",
          "--overwrite",
          "node",
          node,
          ...adminLabels,
        ]);
      }
    }),
  );
}
