// What the releases left behind, read back for the closing summary: each one's report ConfigMap (its
// keys and release.md), beside the report locations in its status.
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterInfo } from "../cluster/info.js";
import { runKubectl } from "../cluster/kubectl.js";
import { REPO_ROOT, stateDirAt } from "../cluster/paths.js";
import { FIXED_DEFAULTS, type Release } from "../../src/api/v1alpha1/index.js";
import { SUCCESS } from "../../src/release/draft.js";
import { reportConfigMapName } from "../../src/report/render.js";
import { DEMO_NAMESPACE } from "./fixtures.js";
import { releaseReader } from "./follow.js";
import { summaryLines, type ReleaseOutcome } from "./summary.js";

/** Where the printed commands clone the report repository to. */
const REPORT_CLONE = path.join(".local", "demo", "reports");

export function envFileRelative(cluster: ClusterInfo): string {
  return path.relative(REPO_ROOT, stateDirAt(cluster.stateDir).envFile);
}

async function outcomeOf(cluster: ClusterInfo, release: Release): Promise<ReleaseOutcome> {
  const name = release.metadata.name ?? "";
  const configMap = release.status?.report?.configMap ?? reportConfigMapName(name);
  const read = await runKubectl(cluster.binDir, cluster.kubeconfigs.admin, [
    "get",
    "configmap",
    configMap,
    "-n",
    DEMO_NAMESPACE,
    "-o",
    "json",
  ]);
  const data =
    read.exitCode === 0 ? ((JSON.parse(read.stdout) as { data?: Record<string, string> }).data ?? {}) : {};
  const releaseMarkdown = data["release.md"];
  const { verdict, report } = release.status ?? {};
  // The demo's Environment leaves the tag pattern to its default.
  const versionTag =
    report?.gitTag ??
    (verdict !== undefined && SUCCESS.includes(verdict) && report?.gitCommit !== undefined
      ? FIXED_DEFAULTS["report.tagPattern"].replace("{version}", release.spec.version)
      : undefined);
  return {
    name,
    ...(release.status?.verdict === undefined ? {} : { verdict: release.status.verdict }),
    ...(release.status?.report === undefined ? {} : { report: release.status.report }),
    configMap,
    configMapKeys: Object.keys(data),
    ...(releaseMarkdown === undefined ? {} : { releaseMarkdown }),
    ...(versionTag === undefined ? {} : { versionTag }),
  };
}

/**
 * The releases as they are once the operator has committed their reports to git (it starts after the
 * verdict, retrying with backoff while git is down), or as they are after `timeoutMs` without that.
 */
export async function afterReportCommits(
  cluster: ClusterInfo,
  names: readonly string[],
  timeoutMs: number,
): Promise<Release[]> {
  const readers = names.map((name) => releaseReader(cluster.kubeconfigs.admin, DEMO_NAMESPACE, name));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const releases = await Promise.all(readers.map((read) => read()));
    const committed = releases.every((release) => release.status?.report?.gitCommit !== undefined);
    if (committed || Date.now() > deadline) return releases;
    await sleep(1_000);
  }
}

/** The closing lines for the completed releases: where their reports are and how to read them. */
export async function summaryFor(
  cluster: ClusterInfo,
  releases: readonly Release[],
  operatorLog: string,
): Promise<string[]> {
  const outcomes = await Promise.all(releases.map((release) => outcomeOf(cluster, release)));
  return summaryLines(outcomes, DEMO_NAMESPACE, {
    envFile: envFileRelative(cluster),
    reportClone: REPORT_CLONE,
    operatorLog: path.relative(REPO_ROOT, operatorLog),
  });
}
