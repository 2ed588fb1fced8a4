import { execa } from "execa";
import path from "node:path";
import { REPO_ROOT } from "./paths.js";

/** Runs the cluster's own kubectl (same version as the apiserver) as one identity. */
export async function kubectl(
  binDir: string,
  kubeconfig: string,
  args: readonly string[],
  options: { input?: string } = {},
): Promise<string> {
  const result = await execa(path.join(binDir, "kubectl"), ["--kubeconfig", kubeconfig, ...args], {
    cwd: REPO_ROOT,
    reject: false,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  if (result.exitCode !== 0) {
    throw new Error(`kubectl ${args.join(" ")} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}
