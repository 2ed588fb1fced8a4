import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { bootstrapCluster, type BootstrapTarget } from "./bootstrap.js";
import {
  ensurePki,
  HUMAN_USERS,
  kubeconfigDir,
  LOOPBACK,
  NODE_NAMES,
  startApiserver,
  startControllers,
  writeKubeconfigs,
  type ControlPlanePorts,
  type NodeName,
} from "./control-plane.js";
import type { IdentityName, NodeInfo } from "./info.js";
import { impersonatingKubeconfig } from "./kubeconfig.js";
import { startNodes } from "./nodes.js";
import type { StateDir } from "./paths.js";
import { freePorts } from "./ports.js";

/** Chosen at the first `up` and kept: certificates, kubeconfigs and node registrations name them. */
export interface KubernetesLayout {
  readonly kubernetesVersion: string;
  readonly binDir: string;
  readonly ports: ControlPlanePorts;
  readonly kubeletPorts: Readonly<Record<NodeName, number>>;
}

function layoutFile(state: StateDir): string {
  return path.join(state.root, "kubernetes.json");
}

async function ensureLayout(
  state: StateDir,
  binDir: string,
  kubernetesVersion: string,
): Promise<KubernetesLayout> {
  const file = layoutFile(state);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as KubernetesLayout;
    if (saved.kubernetesVersion !== kubernetesVersion) {
      throw new Error(
        `the cluster at ${state.root} runs Kubernetes ${saved.kubernetesVersion}, not ${kubernetesVersion}; run npm run cluster -- down first`,
      );
    }
    return { ...saved, binDir };
  }
  const ports = await freePorts([
    "etcdClient",
    "etcdPeer",
    "apiserver",
    "controllerManager",
    "scheduler",
    "kubeletGround",
    "kubeletOnboard",
  ]);
  const layout: KubernetesLayout = {
    kubernetesVersion,
    binDir,
    ports: {
      etcdClient: ports.etcdClient,
      etcdPeer: ports.etcdPeer,
      apiserver: ports.apiserver,
      controllerManager: ports.controllerManager,
      scheduler: ports.scheduler,
    },
    kubeletPorts: { ground: ports.kubeletGround, onboard: ports.kubeletOnboard },
  };
  writeFileSync(file, JSON.stringify(layout, null, 2));
  return layout;
}

export interface KubernetesInfo {
  readonly kubernetesVersion: string;
  readonly binDir: string;
  readonly apiserverUrl: string;
  readonly kubeconfigs: Readonly<Record<IdentityName, string>>;
  readonly nodes: readonly NodeInfo[];
}

/** Brings up (or finds running) etcd, the control plane and both nodes, in dependency order. */
export async function upKubernetes(
  state: StateDir,
  options: { binDir: string; kubernetesVersion: string; progress: (line: string) => void },
): Promise<KubernetesInfo> {
  const { progress } = options;
  const layout = await ensureLayout(state, options.binDir, options.kubernetesVersion);
  const apiserverUrl = `https://${LOOPBACK}:${layout.ports.apiserver}`;

  progress("certificates and keys (CA, apiserver, components, nodes, users)");
  const pki = ensurePki(state);
  mkdirSync(kubeconfigDir(state), { recursive: true, mode: 0o700 });
  const controlPlane = writeKubeconfigs(state, pki, apiserverUrl);

  progress(`etcd and kube-apiserver ${options.kubernetesVersion} on ${apiserverUrl}`);
  await startApiserver(state, options.binDir, pki, layout.ports);

  progress("CRDs, operator RBAC, human users' bindings, operator token");
  const operatorKubeconfig = await bootstrapCluster(
    options.binDir,
    bootstrapTargetOf(controlPlane),
    kubeconfigDir(state),
  );

  progress("kube-controller-manager and kube-scheduler");
  await startControllers(state, options.binDir, controlPlane, layout.ports);

  progress(`node agents for ${NODE_NAMES.join(" and ")}`);
  await startNodes(state, options.binDir, controlPlane, layout.kubeletPorts, options.kubernetesVersion);

  return {
    kubernetesVersion: options.kubernetesVersion,
    binDir: options.binDir,
    apiserverUrl,
    kubeconfigs: {
      admin: controlPlane.kubeconfigs.admin,
      operator: operatorKubeconfig,
      alice: controlPlane.userKubeconfigs.alice,
      bob: controlPlane.userKubeconfigs.bob,
    },
    nodes: NODE_NAMES.map((name) => ({ name, kubeletPort: layout.kubeletPorts[name] })),
  };
}

function bootstrapTargetOf(controlPlane: {
  kubeconfigs: { admin: string };
  apiserverUrl: string;
  pki: { ca: { cert: string } };
}): BootstrapTarget {
  return {
    adminKubeconfig: controlPlane.kubeconfigs.admin,
    apiserverUrl: controlPlane.apiserverUrl,
    caPem: readFileSync(controlPlane.pki.ca.cert, "utf8"),
  };
}

interface KubeconfigClusterView {
  "current-context"?: string;
  contexts?: { name: string; context: { cluster: string } }[];
  clusters?: { name: string; cluster: { server: string; "certificate-authority-data"?: string } }[];
}

/**
 * Uses a cluster someone else runs (named by a kubeconfig with admin rights) instead of starting one:
 * installs the same CRDs, RBAC and operator token, and impersonates the human users.
 */
export async function connectKubernetes(
  state: StateDir,
  options: {
    binDir: string;
    kubernetesVersion: string;
    kubeconfig: string;
    progress: (line: string) => void;
  },
): Promise<KubernetesInfo> {
  const dir = kubeconfigDir(state);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const admin = path.join(dir, "admin.kubeconfig");
  copyFileSync(options.kubeconfig, admin);
  const adminYaml = readFileSync(admin, "utf8");
  const view = parseYaml(adminYaml) as KubeconfigClusterView;
  const clusterName = view.contexts?.find((entry) => entry.name === view["current-context"])?.context.cluster;
  const cluster = view.clusters?.find((entry) => entry.name === clusterName)?.cluster;
  if (!cluster) throw new Error(`${options.kubeconfig} has no cluster for its current context`);
  const caData = cluster["certificate-authority-data"];

  options.progress(`using the cluster at ${cluster.server} (from ${options.kubeconfig})`);
  const operatorKubeconfig = await bootstrapCluster(
    options.binDir,
    {
      adminKubeconfig: admin,
      apiserverUrl: cluster.server,
      caPem: caData ? Buffer.from(caData, "base64").toString("utf8") : "",
    },
    dir,
  );
  const humans = Object.fromEntries(
    HUMAN_USERS.map((user) => {
      const file = path.join(dir, `${user.name}.kubeconfig`);
      writeFileSync(
        file,
        impersonatingKubeconfig(adminYaml, user.name, [user.group, "system:authenticated"]),
        {
          mode: 0o600,
        },
      );
      return [user.name, file];
    }),
  ) as Record<(typeof HUMAN_USERS)[number]["name"], string>;
  return {
    kubernetesVersion: options.kubernetesVersion,
    binDir: options.binDir,
    apiserverUrl: cluster.server,
    kubeconfigs: { admin, operator: operatorKubeconfig, ...humans },
    nodes: [],
  };
}
