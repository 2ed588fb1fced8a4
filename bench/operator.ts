// The operator's figures on a local cluster of its own (SPEC section 9): with N live Releases (one per
// production Environment, each waiting for approval at the gate), how fast the gate is evaluated for
// all of them, the operator's memory and idle CPU, start-up to ready (full list and sync), and the
// latency from an approval annotation to the next phase in status. Prints; asserts nothing.
import { performance } from "node:perf_hooks";
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch } from "@kubernetes/client-node";
import type { ClusterInfo } from "../hack/cluster/info.js";
import { kubectl } from "../hack/cluster/kubectl.js";
import { waitFor } from "../hack/cluster/wait.js";
import { cpuSecondsOf } from "../hack/cluster/processes.js";
import type { Release } from "../src/api/v1alpha1/index.js";
import {
  benchEnvironment,
  inParallel,
  memoryLine,
  onLocalCluster,
  percentile,
  ready,
  startOperator,
} from "./support.js";

function cpuSeconds(pid: number): number {
  return cpuSecondsOf(pid) ?? Number.NaN;
}

const NAMESPACE = "bench";
const RELEASES = Number(process.env.BENCH_RELEASES ?? "1000");
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? "100");
const COMPLETED = Number(process.env.BENCH_COMPLETED ?? "10000");
const SEED_CONCURRENCY = 16;

/**
 * Releases that ended long ago, as a cluster accumulates them: created and given a completed status
 * by the admin while the operator is stopped (so none is admitted), spread over the Environments.
 */
async function seedCompleted(custom: CustomObjectsApi): Promise<void> {
  const api = { group: "release-operator.io", version: "v1alpha1", namespace: NAMESPACE, plural: "releases" };
  await inParallel(COMPLETED, SEED_CONCURRENCY, async (index) => {
    const name = `done-${index}`;
    await custom.createNamespacedCustomObject({
      ...api,
      body: {
        apiVersion: "release-operator.io/v1alpha1",
        kind: "Release",
        metadata: { name },
        spec: { environment: `target-${index % RELEASES}`, version: "1.4.0", rollbackTarget: "1.3.9" },
      },
    });
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...api,
        name,
        body: {
          status: {
            phase: "Completed",
            verdict: index % 10 === 0 ? "Rolled-Back" : "Released",
            reason: "released long ago",
            startedAt: "2026-01-01T00:00:00Z",
            completedAt: "2026-01-01T01:00:00Z",
            rollbackTarget: "1.3.9",
            phases: [
              {
                phase: "PreReleaseGate",
                startedAt: "2026-01-01T00:00:00Z",
                finishedAt: "2026-01-01T00:05:00Z",
                outcome: "Succeeded",
              },
              {
                phase: "StrategySelect",
                startedAt: "2026-01-01T00:05:00Z",
                finishedAt: "2026-01-01T00:05:00Z",
                outcome: "Succeeded",
              },
            ],
            gate: {
              evaluatedAt: "2026-01-01T00:00:00Z",
              checks: [{ name: "acceptance", status: "Passed", message: "12 of 12 criteria met" }],
              text: "PRE-RELEASE GATE\n".repeat(20),
            },
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  });
}

function objects(cluster: ClusterInfo): string {
  const items: unknown[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "deploy-script", namespace: NAMESPACE },
      data: { "deploy.sh": '#!/bin/sh\n[ "$1" = --rollback ] && exit 0\necho deploying $1\n' },
    },
  ];
  for (let index = 0; index < RELEASES; index++) {
    items.push(
      benchEnvironment(cluster, `target-${index}`, NAMESPACE, {
        tier: "production",
        smoke: { required: false },
      }),
    );
    items.push({
      apiVersion: "release-operator.io/v1alpha1",
      kind: "Release",
      metadata: { name: `release-${index}`, namespace: NAMESPACE },
      spec: { environment: `target-${index}`, version: "1.4.2", rollbackTarget: "1.4.1" },
    });
  }
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}

export async function benchOperator(): Promise<void> {
  await onLocalCluster("operator", NAMESPACE, async (bench) => {
    const { cluster, kubeConfig, scratch } = bench;
    const admin = cluster.kubeconfigs.admin;
    let operator = bench.operator;
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const phases = new Map<string, string>();
    const seen = new Map<string, (phase: string) => void>();
    const watch = await new Watch(kubeConfig).watch(
      `/apis/release-operator.io/v1alpha1/namespaces/${NAMESPACE}/releases`,
      {},
      (_type, object: Release) => {
        const name = object.metadata.name ?? "";
        const phase =
          object.status?.pendingDecision?.kind === "gate"
            ? "AwaitingApproval"
            : (object.status?.phase ?? "Pending");
        phases.set(name, phase);
        seen.get(name)?.(phase);
      },
      () => undefined,
    );

    const created = performance.now();
    await kubectl(cluster.binDir, admin, ["create", "-f", "-"], { input: objects(cluster) });
    const applied = performance.now();
    await waitFor(
      `${RELEASES} releases awaiting approval`,
      () =>
        [...phases.values()].filter((phase) => phase === "AwaitingApproval").length === RELEASES
          ? true
          : undefined,
      { timeoutMs: 30 * 60_000, intervalMs: 200 },
    );
    const gated = performance.now();
    console.log(`releases: ${RELEASES} production releases, one per Environment`);
    console.log(`create (kubectl, one List): ${((applied - created) / 1000).toFixed(1)} s`);
    console.log(
      `all ${RELEASES} admitted and gate-evaluated (awaiting approval): ${((gated - created) / 1000).toFixed(1)} s, ${(RELEASES / ((gated - created) / 1000)).toFixed(1)} releases/s`,
    );

    const pid = operator.process.pid ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const cpuBefore = cpuSeconds(pid);
    const idleSeconds = 10;
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const idleCpu = (cpuSeconds(pid) - cpuBefore) / idleSeconds;
    console.log(await memoryLine(operator, `with ${RELEASES} live releases, right after their gates`));
    console.log(`operator idle CPU over ${idleSeconds} s: ${(idleCpu * 100).toFixed(1)}% of a core`);

    operator.process.kill("SIGTERM");
    await new Promise((resolve) => operator.process.once("exit", resolve));
    operator = await startOperator(cluster, scratch);
    bench.operator = operator;
    const startup = await ready(operator);
    console.log(
      `start-up to ready (list and sync of ${RELEASES} releases and environments): ${(startup / 1000).toFixed(2)} s`,
    );

    const latencies: number[] = [];
    for (let index = 0; index < Math.min(APPROVALS, RELEASES); index++) {
      const name = `release-${index}`;
      const moved = new Promise<number>((resolve) => {
        seen.set(name, (phase) => {
          if (phase !== "AwaitingApproval" && phase !== "PreReleaseGate") resolve(performance.now());
        });
      });
      const sent = performance.now();
      await custom.patchNamespacedCustomObject(
        {
          group: "release-operator.io",
          version: "v1alpha1",
          namespace: NAMESPACE,
          plural: "releases",
          name,
          body: { metadata: { annotations: { approved: "true" } } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      latencies.push((await moved) - sent);
      seen.delete(name);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `approval annotation -> next phase in status (${latencies.length} releases, ${RELEASES} live): p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms`,
    );
    console.log(await memoryLine(operator, `restarted, after ${latencies.length} approvals`));
    watch.abort();

    if (COMPLETED > 0) {
      operator.process.kill("SIGTERM");
      await new Promise((resolve) => operator.process.once("exit", resolve));
      const seeding = performance.now();
      await seedCompleted(custom);
      console.log(
        `\nseeded ${COMPLETED} completed releases (admin, operator stopped): ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
      );
      operator = await startOperator(cluster, scratch);
      bench.operator = operator;
      const withHistory = await ready(operator);
      const total = RELEASES + COMPLETED;
      console.log(
        `start-up to ready with ${total} releases (${COMPLETED} completed) and ${RELEASES} environments: ${(withHistory / 1000).toFixed(2)} s`,
      );
      // Let the first reconciles of every object run before judging memory and idleness.
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      const settledPid = operator.process.pid ?? 0;
      const before = cpuSeconds(settledPid);
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
      console.log(
        `idle CPU with ${total} releases over ${idleSeconds} s: ${(((cpuSeconds(settledPid) - before) / idleSeconds) * 100).toFixed(1)}% of a core`,
      );
      console.log(await memoryLine(operator, `with ${total} releases, ${COMPLETED} of them completed`));
    }
  });
}
