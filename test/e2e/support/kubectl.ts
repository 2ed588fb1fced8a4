import { execa } from "execa";
import path from "node:path";
import { inject } from "vitest";
import type { IdentityName } from "../../../hack/cluster/info.js";

export interface KubectlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The cluster's own kubectl as one of its identities; never throws, so denials can be asserted. */
export async function kubectlAs(
  identity: IdentityName,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<KubectlResult> {
  const cluster = inject("cluster");
  const result = await execa(
    path.join(cluster.binDir, "kubectl"),
    ["--kubeconfig", cluster.kubeconfigs[identity], ...args],
    { reject: false, ...(options.input === undefined ? {} : { input: options.input }) },
  );
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** As the admin, failing with kubectl's own message when the command fails. */
export async function kubectl(args: readonly string[], options: { input?: string } = {}): Promise<string> {
  const result = await kubectlAs("admin", args, options);
  if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

export async function kubectlJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, "-o", "json"])) as T;
}

/** Polls until `check` returns a value, or fails naming what was awaited. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ""}`,
  );
}

/** A name unique to this run, so reruns against a kept cluster never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}
