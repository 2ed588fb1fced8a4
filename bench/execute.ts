// Releases run to a verdict through real Jobs on the local cluster (SPEC section 9): N staging
// Environments, one Release each, applied at once. Prints how long apply -> verdict took, the time in
// each phase, reconciles and API requests per release (the operator's own counters), and its memory
// after. Two suites: `execute` (deploy.sh exits 1: deploy Job -> rollback Job -> mini watch ->
// Rolled-Back) and `watch` (deploy.sh exits 0: every release in its watch window at once, reading
// Prometheus each interval, to Released). Asserts nothing.
import { performance } from "node:perf_hooks";
import { Watch } from "@kubernetes/client-node";
import type { ClusterInfo } from "../hack/cluster/info.js";
import { kubectl } from "../hack/cluster/kubectl.js";
import { waitFor } from "../hack/cluster/wait.js";
import type { PhaseRecord, Release, ReleaseStatus } from "../src/api/v1alpha1/index.js";
import { nextReadingAt } from "../src/release/watch-request.js";
import type { LaunchedOperator } from "../test/support/operator-process.js";
import { benchEnvironment, memoryLine, onLocalCluster, percentile, scraped } from "./support.js";

const FAILING_DEPLOY = [
  "#!/bin/sh",
  'if [ "$1" = --rollback ]; then echo "rolling back to $2"; exit 0; fi',
  'echo "deploying $1"; echo "step 1 of 2"; echo "step 2 of 2"',
  'echo "the new version did not come up" >&2; exit 1',
].join("\n");

const WORKING_DEPLOY = [
  "#!/bin/sh",
  'if [ "$1" = --rollback ]; then echo "rolling back to $2"; exit 0; fi',
  'echo "deploying $1"; echo "deployed $1"',
].join("\n");

/** Short windows: the bench measures the cost of watching, not the wait. */
const WATCH = { duration: "30s", interval: "2s", noDataGrace: "10s", baseline: { window: "30s" } } as const;

interface Suite {
  name: string;
  namespace: string;
  releases: number;
  script: string;
  description: string;
  /** The watched query, when not the bench Environment's. */
  query?: string;
}

function objects(cluster: ClusterInfo, suite: Suite): string {
  const items: unknown[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "deploy-script", namespace: suite.namespace },
      data: { "deploy.sh": suite.script },
    },
  ];
  for (let index = 0; index < suite.releases; index++) {
    const environment = benchEnvironment(cluster, `target-${index}`, suite.namespace);
    environment.spec.watch = {
      ...environment.spec.watch,
      ...WATCH,
      ...(suite.query === undefined
        ? {}
        : { metrics: [{ name: "requests", kind: "throughput", query: suite.query }] }),
    };
    items.push(environment, {
      apiVersion: "release-operator.io/v1alpha1",
      kind: "Release",
      metadata: { name: `release-${index}`, namespace: suite.namespace },
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

/** How late each window's readings came (taken at vs due at start + n x interval) and how late windows ended. */
function watchLateness(statuses: readonly (ReleaseStatus | undefined)[], intervalMs: number): string[] {
  const readings: number[] = [];
  const endings: number[] = [];
  for (const status of statuses) {
    const watch = status?.watch;
    if (watch === undefined) continue;
    const end = Date.parse(watch.endsAt);
    const snapshots = watch.snapshots ?? [];
    // Each reading against the moment it was due: the grid point after the reading before it.
    snapshots.forEach((snapshot, index) => {
      const previous =
        index === 0
          ? snapshots.length < watch.intervalsEvaluated
            ? undefined
            : watch.startedAt
          : snapshots[index - 1]?.at;
      if (previous === undefined) return;
      const due = nextReadingAt({ ...watch, lastEvaluatedAt: previous }, intervalMs).getTime();
      readings.push((Date.parse(snapshot.at) - due) / 1000);
    });
    if (status?.completedAt !== undefined) endings.push((Date.parse(status.completedAt) - end) / 1000);
  }
  readings.sort((a, b) => a - b);
  endings.sort((a, b) => a - b);
  if (readings.length === 0) return [];
  return [
    `watch readings (the last 10 per window): ${readings.length}, after their due time by p50 ${percentile(readings, 50).toFixed(2)} s, p99 ${percentile(readings, 99).toFixed(2)} s, max ${(readings.at(-1) ?? 0).toFixed(2)} s`,
    `window end -> verdict: p50 ${percentile(endings, 50).toFixed(2)} s, max ${(endings.at(-1) ?? 0).toFixed(2)} s`,
  ];
}

async function releasesToVerdicts(suite: Suite): Promise<void> {
  const { namespace, releases } = suite;
  await onLocalCluster(suite.name, namespace, async (bench) => {
    const { cluster, kubeConfig } = bench;
    const admin = cluster.kubeconfigs.admin;
    const { operator } = bench;
    const verdicts = new Map<string, { verdict: string; at: number; status: ReleaseStatus | undefined }>();
    const watch = await new Watch(kubeConfig).watch(
      `/apis/release-operator.io/v1alpha1/namespaces/${namespace}/releases`,
      {},
      (_type, object: Release) => {
        const name = object.metadata.name ?? "";
        const verdict = object.status?.verdict;
        if (verdict !== undefined && !verdicts.has(name))
          verdicts.set(name, { verdict, at: performance.now(), status: object.status });
      },
      () => undefined,
    );

    const before = await counters(operator);
    const created = performance.now();
    await kubectl(cluster.binDir, admin, ["create", "-f", "-"], { input: objects(cluster, suite) });
    await waitFor(
      `${releases} releases with a verdict`,
      () => (verdicts.size === releases ? true : undefined),
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
    const jobs = await kubectl(cluster.binDir, admin, ["get", "jobs", "-n", namespace, "-o", "name"]);
    const statuses = [...verdicts.values()].map((entry) => entry.status);
    console.log(`releases: ${releases} staging releases, one per Environment, ${suite.description}`);
    console.log(
      `watch window: ${WATCH.duration}, interval ${WATCH.interval} (the mini window after a rollback: the same 30s)`,
    );
    console.log(
      `verdicts: ${[...byVerdict].map(([verdict, count]) => `${count} ${verdict}`).join(", ")}; Jobs created: ${jobs.trim().split("\n").filter(Boolean).length}`,
    );
    const reasons = new Map<string, number>();
    for (const status of statuses) {
      // Figures differ from release to release; the shape of the reason is what is counted.
      const shape = (status?.reason ?? "").replaceAll(/\d+(\.\d+)?/g, "N").slice(0, 240);
      reasons.set(shape, (reasons.get(shape) ?? 0) + 1);
    }
    for (const [shape, count] of reasons) console.log(`reason (${count}): ${shape}`);
    console.log(
      `apply -> verdict: p50 ${percentile(latencies, 50).toFixed(1)} s, p99 ${percentile(latencies, 99).toFixed(1)} s, all done in ${seconds.toFixed(1)} s (${(releases / seconds).toFixed(2)} verdicts/s)`,
    );
    console.log(
      `time in each phase (p50 / max): ${phaseTimes(statuses.map((status) => status?.phases ?? []))}`,
    );
    for (const line of watchLateness(statuses, 2_000)) console.log(line);
    const reconciles = after.reconciles - before.reconciles;
    const requests = after.requests - before.requests;
    console.log(
      `Release reconciles: ${reconciles} (${(reconciles / releases).toFixed(1)} per release, ${(reconciles / seconds).toFixed(1)}/s sustained)`,
    );
    console.log(
      `API requests by the operator, apply -> verdict: ${requests} (${(requests / releases).toFixed(1)} per release; watches and log streams not counted)`,
    );
    console.log(await memoryLine(operator, `after ${releases} releases to a verdict`));
  });
}

export function benchExecute(): Promise<void> {
  return releasesToVerdicts({
    name: "execute",
    namespace: "bench-execute",
    releases: Number(process.env.BENCH_EXECUTE_RELEASES ?? "40"),
    script: FAILING_DEPLOY,
    description:
      "each deploy exiting 1 and rolled back (deploy Job + rollback Job on the node agents, then the mini watch)",
  });
}

export function benchWatch(): Promise<void> {
  return releasesToVerdicts({
    name: "watch",
    namespace: "bench-watch",
    releases: Number(process.env.BENCH_WATCH_RELEASES ?? "40"),
    script: WORKING_DEPLOY,
    // The demo app serves 1.4.1 whatever the bench's deploy.sh says: watch what really runs.
    query: 'sum(rate(demo_requests_total{version="1.4.1"}[1m]))',
    description:
      "each deploy exiting 0, then all in their watch windows at once (a pre-deploy baseline and a Prometheus query per interval each)",
  });
}
