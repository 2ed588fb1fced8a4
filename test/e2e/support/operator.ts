// The operator as its users run it locally (`npm start`): a process against a kubeconfig, here the
// operator's own ServiceAccount token, so RBAC is what the chart grants. Its logs go to a file per
// identity under the cluster's state dir, for reading when a test fails.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { freePort } from "../../../hack/cluster/ports.js";
import { REPO_ROOT } from "../../../hack/cluster/paths.js";
import { StopWaiting, waitFor } from "../../../hack/cluster/wait.js";

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

/** Timings short enough for tests, valid under the operator's rule retry < renew < lease. */
export const FAST_LEASE = ["--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"];

export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  const cluster = inject("cluster");
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const logDir = path.join(cluster.stateDir, "logs", "e2e");
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `operator-${options.identity}.log`);
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/main.ts",
      `--kubeconfig=${cluster.kubeconfigs.operator}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      `--identity=${options.identity}`,
      "--leader-election-namespace=release-operator-system",
      `--git-cache-dir=${path.join(cluster.stateDir, "operator-git", options.identity)}`,
      "--gate-recheck-interval=3s",
      ...FAST_LEASE,
      ...(options.args ?? []),
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KUBECONFIG: "" } },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      resolve(code ?? signal ?? "unknown");
    });
  });
  const url = `http://127.0.0.1:${metricsPort}`;
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  const operator: OperatorProcess = {
    identity: options.identity,
    url,
    logFile,
    process: child,
    exited,
    logs: () => readFileSync(logFile, "utf8"),
    stop: () => operator.kill("SIGTERM"),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitReady !== false) {
    let ended = false;
    void exited.then(() => (ended = true));
    await waitFor(
      `operator ${options.identity} ready at ${healthUrl}/readyz (log: ${logFile})`,
      async () => {
        if (ended)
          throw new StopWaiting(`operator ${options.identity} exited before it was ready; log: ${logFile}`);
        const response = await fetch(`${healthUrl}/readyz`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }
  return operator;
}

export async function scrapeMetrics(operator: OperatorProcess): Promise<string> {
  const response = await fetch(`${operator.url}/metrics`);
  return response.text();
}
