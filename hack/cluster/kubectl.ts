import { execa } from "execa";
import path from "node:path";
import { REPO_ROOT } from "./paths.js";

export interface KubectlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the cluster's own kubectl (same version as the apiserver) as one identity, from the repository
 * root. Never throws on kubectl's own failure, so callers (and tests of denials) read the result.
 */
export async function runKubectl(
  binDir: string,
  kubeconfig: string,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<KubectlResult> {
  const result = await execa(path.join(binDir, "kubectl"), ["--kubeconfig", kubeconfig, ...args], {
    cwd: REPO_ROOT,
    reject: false,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** As runKubectl, failing with kubectl's own message when the command fails; returns its stdout. */
export async function kubectl(
  binDir: string,
  kubeconfig: string,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<string> {
  const result = await runKubectl(binDir, kubeconfig, args, options);
  if (result.exitCode !== 0) {
    throw new Error(`kubectl ${args.join(" ")} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}
