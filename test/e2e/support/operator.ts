// The operator as its users run it locally (`npm start`): a process against a kubeconfig, here the
// operator's own ServiceAccount token, so RBAC is what the chart grants. Its logs go to a file per
// identity under the cluster's state dir, for reading when a test fails.
import type { ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { FAST_LEASE, launchOperator, waitUntilReady } from "../../support/operator-process.js";

export { FAST_LEASE };

export interface OperatorProcess {
  identity: string;
  /** Where /metrics is served. */
  url: string;
  logFile: string;
  process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  logs(): string;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

export interface OperatorOptions {
  identity: string;
  /** Extra flags, e.g. shorter leases. */
  args?: readonly string[];
  /** Wait for /readyz (caches synced) before returning; true by default. */
  waitReady?: boolean;
}

export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  const cluster = inject("cluster");
  const logDir = path.join(cluster.stateDir, "logs", "e2e");
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `operator-${options.identity}.log`);
  const launched = await launchOperator({
    kubeconfig: cluster.kubeconfigs.operator,
    build: "sources",
    flags: [
      `--identity=${options.identity}`,
      "--leader-election-namespace=release-operator-system",
      `--git-cache-dir=${path.join(cluster.stateDir, "operator-git", options.identity)}`,
      "--gate-recheck-interval=3s",
      ...FAST_LEASE,
      ...(options.args ?? []),
    ],
    log: createWriteStream(logFile, { flags: "a" }),
  });
  const child = launched.process;
  const operator: OperatorProcess = {
    identity: options.identity,
    url: launched.metricsUrl,
    logFile,
    process: child,
    exited: launched.exited,
    logs: () => readFileSync(logFile, "utf8"),
    stop: () => operator.kill("SIGTERM"),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return launched.exited;
    },
  };
  if (options.waitReady !== false) {
    await waitUntilReady(launched, {
      timeoutMs: 60_000,
      describe: `operator ${options.identity} (log: ${logFile})`,
    });
  }
  return operator;
}

export async function scrapeMetrics(operator: OperatorProcess): Promise<string> {
  const response = await fetch(`${operator.url}/metrics`);
  return response.text();
}
