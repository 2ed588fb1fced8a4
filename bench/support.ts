// What the operator benches share: the compiled operator on a local cluster, scraping its /metrics,
// its memory, percentiles and a bounded-parallel loop. Prints nothing itself.
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterInfo } from "../hack/cluster/info.js";
import type { Environment, EnvironmentSpec } from "../src/api/v1alpha1/index.js";
import { kubectl } from "../hack/cluster/kubectl.js";
import { bringDown, bringUp } from "../hack/cluster/lifecycle.js";
import { REPO_ROOT, stateDirAt } from "../hack/cluster/paths.js";
import { residentKiBOf } from "../hack/cluster/processes.js";
import { launchOperator, waitUntilReady, type LaunchedOperator } from "../test/support/operator-process.js";

/** Runs `task` for 0..count-1, `limit` at a time. */
export async function inParallel(
  count: number,
  limit: number,
  task: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** As the Deployment runs it: compiled, with its Node flags (BENCH_OPERATOR_NODE_FLAGS replaces them). */
export function startOperator(cluster: ClusterInfo, scratch: string): Promise<LaunchedOperator> {
  return launchOperator({
    kubeconfig: cluster.kubeconfigs.operator,
    build: "dist",
    nodeFlags: (process.env.BENCH_OPERATOR_NODE_FLAGS ?? "--max-semi-space-size=4")
      .split(" ")
      .filter((flag) => flag !== ""),
    flags: ["--leader-elect=false", `--git-cache-dir=${path.join(scratch, "git")}`, "--log-level=warn"],
  });
}

export function ready(operator: LaunchedOperator): Promise<number> {
  return waitUntilReady(operator, { timeoutMs: 120_000, describe: "operator" });
}

/** The sum of a metric's series in the operator's /metrics text (`name` or `name{...}` lines). */
export async function scraped(operator: LaunchedOperator, metric: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${operator.metricsUrl}/metrics`)).text();
  let sum = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric} `) && !line.startsWith(`${metric}{`)) continue;
    if (labels !== "" && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    found = true;
  }
  return found ? sum : Number.NaN;
}

export async function memoryLine(operator: LaunchedOperator, when: string): Promise<string> {
  const used = (await scraped(operator, "nodejs_heap_size_used_bytes")) / 2 ** 20;
  const total = (await scraped(operator, "nodejs_heap_size_total_bytes")) / 2 ** 20;
  return `operator memory ${when}: resident ${(residentKiBOf(operator.process.pid ?? 0) / 1024).toFixed(0)} MiB, JS heap used ${used.toFixed(0)} of ${total.toFixed(0)} MiB`;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function stopOperator(operator: LaunchedOperator | undefined): Promise<void> {
  if (operator?.process.exitCode !== null) return;
  operator.process.kill("SIGTERM");
  await operator.exited;
}

export interface OperatorBench {
  cluster: ClusterInfo;
  /** A folder of the bench's own, removed at the end. */
  scratch: string;
  /** The admin's kubeconfig, loaded. */
  kubeConfig: KubeConfig;
  /** The running operator; a bench that restarts it puts the new one here, so it is stopped at the end. */
  operator: LaunchedOperator;
}

/**
 * A local cluster of the bench's own with `namespace` created and the compiled operator ready on it;
 * `run` measures; everything is stopped and removed afterwards, whatever happened.
 */
export async function onLocalCluster(
  name: string,
  namespace: string,
  run: (bench: OperatorBench) => Promise<void>,
): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), `release-operator-bench-${name}-`));
  const state = stateDirAt(path.join(scratch, "cluster"));
  let operator: LaunchedOperator | undefined;
  let bench: OperatorBench | undefined;
  try {
    await execa("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: REPO_ROOT });
    const cluster = await bringUp(state);
    await kubectl(cluster.binDir, cluster.kubeconfigs.admin, ["create", "namespace", namespace]);
    operator = await startOperator(cluster, scratch);
    await ready(operator);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigs.admin);
    bench = { cluster, scratch, kubeConfig, operator };
    await run(bench);
  } finally {
    await stopOperator(bench?.operator ?? operator);
    await bringDown(state);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * An Environment the benches release to: deploy.sh from the ConfigMap `deploy-script`, one metric on
 * the demo app; `changes` on top of its spec.
 */
export function benchEnvironment(
  cluster: ClusterInfo,
  name: string,
  namespace: string,
  changes: Partial<EnvironmentSpec> = {},
): Environment {
  return {
    apiVersion: "release-operator.io/v1alpha1",
    kind: "Environment",
    metadata: { name, namespace },
    spec: {
      tier: "staging",
      deploy: {
        image: "demo/deploy-tools:1",
        script: { configMap: { name: "deploy-script", key: "deploy.sh" } },
      },
      watch: {
        prometheus: { url: cluster.prometheus.url },
        metrics: [
          {
            name: "requests",
            kind: "throughput",
            query: 'sum(rate(demo_requests_total{version="{version}"}[1m]))',
          },
        ],
      },
      ...changes,
    },
  };
}
