// Starting the operator as a process on free loopback ports and waiting until it is ready: one way,
// for the e2e tests (sources through tsx, as `npm start` runs them) and the benchmark (compiled, as
// the Deployment runs it). Plain Node: no test framework here.
import { spawn, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { freePort } from "../../hack/cluster/ports.js";
import { REPO_ROOT } from "../../hack/cluster/paths.js";
import { StopWaiting, waitFor } from "../../hack/cluster/wait.js";

/** Lease timings short enough for tests and the demo, valid under the operator's rule retry < renew < lease. */
export const FAST_LEASE = ["--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"];

export interface LaunchOptions {
  kubeconfig: string;
  /** `sources`: src/main.ts through tsx; `dist`: dist/main.js, built beforehand. */
  build: "sources" | "dist";
  /** Flags for Node itself, before the script. */
  nodeFlags?: readonly string[];
  /** The operator's flags besides the kubeconfig and the two addresses. */
  flags: readonly string[];
  /** Where stdout and stderr go; without it stdout is dropped and stderr shown. */
  log?: NodeJS.WritableStream;
}

export interface LaunchedOperator {
  process: ChildProcess;
  /** Where /metrics is served. */
  metricsUrl: string;
  /** Where /healthz and /readyz are served. */
  healthUrl: string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

export async function launchOperator(options: LaunchOptions): Promise<LaunchedOperator> {
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const script = options.build === "sources" ? ["--import", "tsx", "src/main.ts"] : ["dist/main.js"];
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      ...script,
      `--kubeconfig=${options.kubeconfig}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      ...options.flags,
    ],
    {
      cwd: REPO_ROOT,
      stdio: options.log === undefined ? ["ignore", "ignore", "inherit"] : ["ignore", "pipe", "pipe"],
      env: { ...process.env, KUBECONFIG: "" },
    },
  );
  if (options.log !== undefined) {
    child.stdout?.pipe(options.log, { end: false });
    child.stderr?.pipe(options.log, { end: false });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    process: child,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    exited,
  };
}

/** Waits for /readyz (every cache synced) and returns how long that took; fails at once if it exits. */
export async function waitUntilReady(
  operator: LaunchedOperator,
  options: { timeoutMs: number; describe: string },
): Promise<number> {
  const started = performance.now();
  let ended = false;
  void operator.exited.then(() => (ended = true));
  await waitFor(
    `${options.describe} ready at ${operator.healthUrl}/readyz`,
    async () => {
      if (ended) throw new StopWaiting(`${options.describe} exited before it was ready`);
      const response = await fetch(`${operator.healthUrl}/readyz`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 50 },
  );
  return performance.now() - started;
}
