import { writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import type { ClusterInfo } from "../../hack/cluster/info.js";
import { bringDown, bringUp, type KubernetesTarget } from "../../hack/cluster/lifecycle.js";
import { defaultStateDir, ensureStateDirs, type StateDir } from "../../hack/cluster/paths.js";
import { isAlive, readRecords } from "../../hack/cluster/processes.js";

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

/** A K3s image whose Kubernetes minor matches the binaries the harness builds. */
const K3S_IMAGE = process.env.E2E_K3S_IMAGE ?? "rancher/k3s:v1.36.3-k3s1";

/**
 * Which Kubernetes the e2e suites run against, from E2E_CLUSTER: `local` (default: the harness's own,
 * through the same code as `npm run cluster -- up`), `k3s` (K3s in Docker via @testcontainers/k3s,
 * where a Docker engine exists) or `kubeconfig` (whatever cluster KUBECONFIG names, with admin rights).
 * The fixtures (Prometheus, demo app, registry, git) always run here.
 */
async function chooseTarget(
  state: StateDir,
): Promise<{ target: KubernetesTarget; stop: () => Promise<void> }> {
  const choice = process.env.E2E_CLUSTER ?? "local";
  switch (choice) {
    case "local":
      return { target: { kind: "local" }, stop: () => Promise.resolve() };
    case "kubeconfig": {
      const kubeconfig = process.env.KUBECONFIG;
      if (!kubeconfig)
        throw new Error("E2E_CLUSTER=kubeconfig needs KUBECONFIG naming a cluster you are admin of");
      return { target: { kind: "external", kubeconfig }, stop: () => Promise.resolve() };
    }
    case "k3s": {
      const { K3sContainer } = await import("@testcontainers/k3s");
      const container = await new K3sContainer(K3S_IMAGE).start();
      ensureStateDirs(state);
      const kubeconfig = path.join(state.root, "k3s.kubeconfig");
      writeFileSync(kubeconfig, container.getKubeConfig(), { mode: 0o600 });
      return {
        target: { kind: "external", kubeconfig },
        stop: async () => {
          await container.stop();
        },
      };
    }
    default:
      throw new Error(`E2E_CLUSTER=${choice} is not one of local, k3s, kubeconfig`);
  }
}

/**
 * Brings the cluster up for the e2e suites. A local cluster someone already runs (every process
 * alive) is used and left running; anything started here is stopped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const state = defaultStateDir();
  const records = readRecords(state);
  const alreadyRunning = records.length > 0 && records.every(isAlive);
  const { target, stop } = await chooseTarget(state);
  const info = await bringUp(state, target);
  project.provide("cluster", info);
  return async () => {
    try {
      if (!alreadyRunning && process.env.KEEP_CLUSTER !== "true") await bringDown(state);
    } finally {
      await stop();
    }
  };
}
