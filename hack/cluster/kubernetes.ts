import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { bootstrapCluster } from "./bootstrap.js";
import {
  ensurePki,
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
  const operatorKubeconfig = await bootstrapCluster(options.binDir, controlPlane, kubeconfigDir(state));

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
