// Releases run to a verdict through real Jobs on the local cluster (SPEC section 9): N staging
// Environments, one Release each, whose deploy.sh prints a few lines and exits 1, so every release
// goes gate -> strategy -> deploy Job -> rollback Job -> Rolled-Back. Prints how long apply -> verdict
// took, reconciles and API requests per release (the operator's own counters), and its memory after.
// Asserts nothing.
import { performance } from "node:perf_hooks";
import { Watch } from "@kubernetes/client-node";
import type { ClusterInfo } from "../hack/cluster/info.js";
import { kubectl } from "../hack/cluster/kubectl.js";
import { waitFor } from "../hack/cluster/wait.js";
import type { PhaseRecord, Release } from "../src/api/v1alpha1/index.js";
import type { LaunchedOperator } from "../test/support/operator-process.js";
import { benchEnvironment, memoryLine, onLocalCluster, percentile, scraped } from "./support.js";

const NAMESPACE = "bench-execute";
const RELEASES = Number(process.env.BENCH_EXECUTE_RELEASES ?? "40");

const DEPLOY_SCRIPT = [
  "#!/bin/sh",
  'if [ "$1" = --rollback ]; then echo "rolling back to $2"; exit 0; fi',
  'echo "deploying $1"; echo "step 1 of 2"; echo "step 2 of 2"',
  'echo "the new version did not come up" >&2; exit 1',
].join("\n");

function objects(cluster: ClusterInfo): string {
  const items: unknown[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "deploy-script", namespace: NAMESPACE },
      data: { "deploy.sh": DEPLOY_SCRIPT },
    },
  ];
  for (let index = 0; index < RELEASES; index++) {
    items.push(benchEnvironment(cluster, `target-${index}`, NAMESPACE), {
      apiVersion: "release-operator.io/v1alpha1",
      kind: "Release",
      metadata: { name: `release-${index}`, namespace: NAMESPACE },
      spec: { environment: `target-${index}`, version: "1.4.2", rollbackTarget: "1.4.1" },
    });
  }
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}

/** How long the releases spent in each phase, from their phase records: `Execute 1.2 / 3.4 s`. */
function phaseTimes(releases: readonly PhaseRecord[][]): string {
  const byPhase = new Map<string, number[]>();
  for (const phases of releases) {
    for (const record of phases) {
      if (record.finishedAt === undefined) continue;
      const seconds = (Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000;
      byPhase.set(record.phase, [...(byPhase.get(record.phase) ?? []), seconds]);
    }
  }
  return [...byPhase]
    .map(([phase, seconds]) => {
      const sorted = seconds.sort((a, b) => a - b);
      return `${phase} ${percentile(sorted, 50).toFixed(1)} / ${(sorted.at(-1) ?? 0).toFixed(1)} s`;
    })
    .join(", ");
}

/** The operator's counters that say how much work the releases cost. */
async function counters(operator: LaunchedOperator): Promise<{ reconciles: number; requests: number }> {
  // A counter nothing has counted yet has no series: that is a zero.
  const count = async (metric: string, labels?: string): Promise<number> => {
    const value = await scraped(operator, metric, labels);
    return Number.isNaN(value) ? 0 : value;
  };
  return {
    reconciles: await count("release_operator_reconcile_total", 'controller="release"'),
    requests: await count("release_operator_api_requests_total"),
  };
}

export async function benchExecute(): Promise<void> {
  await onLocalCluster("execute", NAMESPACE, async (bench) => {
    const { cluster, kubeConfig } = bench;
    const admin = cluster.kubeconfigs.admin;
    const { operator } = bench;
    const verdicts = new Map<string, { verdict: string; at: number; phases: PhaseRecord[] }>();
    const watch = await new Watch(kubeConfig).watch(
      `/apis/release-operator.io/v1alpha1/namespaces/${NAMESPACE}/releases`,
      {},
      (_type, object: Release) => {
        const name = object.metadata.name ?? "";
        const verdict = object.status?.verdict;
        if (verdict !== undefined && !verdicts.has(name))
          verdicts.set(name, { verdict, at: performance.now(), phases: object.status?.phases ?? [] });
      },
      () => undefined,
    );

    const before = await counters(operator);
    const created = performance.now();
    await kubectl(cluster.binDir, admin, ["create", "-f", "-"], { input: objects(cluster) });
    await waitFor(
      `${RELEASES} releases with a verdict`,
      () => (verdicts.size === RELEASES ? true : undefined),
      {
        timeoutMs: 30 * 60_000,
        intervalMs: 200,
      },
    );
    const done = performance.now();
    watch.abort();
    // Late work (the Environments admitting nobody, Events) settles before the counters are read.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = await counters(operator);

    const byVerdict = new Map<string, number>();
    for (const { verdict } of verdicts.values()) byVerdict.set(verdict, (byVerdict.get(verdict) ?? 0) + 1);
    const latencies = [...verdicts.values()].map(({ at }) => (at - created) / 1000).sort((a, b) => a - b);
    const seconds = (done - created) / 1000;
    const jobs = await kubectl(cluster.binDir, admin, ["get", "jobs", "-n", NAMESPACE, "-o", "name"]);
    console.log(
      `releases: ${RELEASES} staging releases, one per Environment, each deploy exiting 1 and rolled back (deploy Job + rollback Job on the node agents)`,
    );
    console.log(
      `verdicts: ${[...byVerdict].map(([verdict, count]) => `${count} ${verdict}`).join(", ")}; Jobs created: ${jobs.trim().split("\n").filter(Boolean).length}`,
    );
    console.log(
      `apply -> verdict: p50 ${percentile(latencies, 50).toFixed(1)} s, p99 ${percentile(latencies, 99).toFixed(1)} s, all done in ${seconds.toFixed(1)} s (${(RELEASES / seconds).toFixed(2)} verdicts/s)`,
    );
    console.log(
      `time in each phase (p50 / max): ${phaseTimes([...verdicts.values()].map((entry) => entry.phases))}`,
    );
    const reconciles = after.reconciles - before.reconciles;
    const requests = after.requests - before.requests;
    console.log(
      `Release reconciles: ${reconciles} (${(reconciles / RELEASES).toFixed(1)} per release, ${(reconciles / seconds).toFixed(1)}/s sustained)`,
    );
    console.log(
      `API requests by the operator, apply -> verdict: ${requests} (${(requests / RELEASES).toFixed(1)} per release; watches and log streams not counted)`,
    );
    console.log(await memoryLine(operator, `after ${RELEASES} releases to a verdict`));
  });
}
