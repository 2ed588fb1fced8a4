import { inject } from "vitest";
import type { IdentityName } from "../../../hack/cluster/info.js";
import { kubectl as kubectlAsAdmin, runKubectl, type KubectlResult } from "../../../hack/cluster/kubectl.js";
import { waitFor } from "../../../hack/cluster/wait.js";

/** The cluster's own kubectl as one of its identities; never throws, so denials can be asserted. */
export function kubectlAs(
  identity: IdentityName,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<KubectlResult> {
  const cluster = inject("cluster");
  return runKubectl(cluster.binDir, cluster.kubeconfigs[identity], args, options);
}

/** As the admin, failing with kubectl's own message when the command fails. */
export function kubectl(args: readonly string[], options: { input?: string } = {}): Promise<string> {
  const cluster = inject("cluster");
  return kubectlAsAdmin(cluster.binDir, cluster.kubeconfigs.admin, args, options);
}

export async function kubectlJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, "-o", "json"])) as T;
}

/** Polls until `check` returns a value, or fails naming what was awaited (waitFor, every 500 ms). */
export function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  return waitFor(what, check, { timeoutMs, intervalMs: 500 });
}

/** A name unique to this run, so reruns against a kept cluster never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}
