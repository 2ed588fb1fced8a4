// The operator as the demo runs it: a process from the sources (as `npm start` runs it) with the
// operator's own ServiceAccount token, so its rights are the RBAC from config/ that the chart grants
// in a cluster. Its log goes to a file under .local/demo/, appended across restarts.
import { createWriteStream, existsSync, readFileSync, type WriteStream } from "node:fs";
import path from "node:path";
import { OPERATOR_NAMESPACE } from "../cluster/bootstrap.js";
import type { ClusterInfo } from "../cluster/info.js";
import { runKubectl } from "../cluster/kubectl.js";
import { REPO_ROOT } from "../cluster/paths.js";
import { waitFor } from "../cluster/wait.js";
import {
  FAST_LEASE,
  launchOperator,
  waitUntilReady,
  type LaunchedOperator,
} from "../../test/support/operator-process.js";

export const DEMO_IDENTITY = "release-operator-demo";
/** The operator's default Lease: any other operator on this cluster competes for the same one. */
const LEASE = "release-operator";
const LEADERSHIP_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 90_000;

/** The operator's flags besides kubeconfig and addresses; short leases so a restart takes over at once. */
export function operatorFlags(gitCacheDir: string): string[] {
  return [
    `--identity=${DEMO_IDENTITY}`,
    `--leader-election-namespace=${OPERATOR_NAMESPACE}`,
    `--git-cache-dir=${gitCacheDir}`,
    "--gate-recheck-interval=5s",
    ...FAST_LEASE,
  ];
}

export interface DemoOperator {
  readonly pid: number | undefined;
  /** How long it took from start to /readyz. */
  readonly readyMs: number;
  /** How long it took from start until it held the leader Lease; undefined: another holds it. */
  readonly leaderMs: number | undefined;
  /** Who holds the Lease when this one could not take it. */
  readonly otherLeader?: string;
  /** Sends the signal (SIGTERM: a graceful stop) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts the operator and waits until it is ready (caches synced); its log is appended to `logFile`. */
export async function startDemoOperator(
  cluster: ClusterInfo,
  options: { logFile: string; gitCacheDir: string },
): Promise<DemoOperator> {
  const log: WriteStream = createWriteStream(options.logFile, { flags: "a" });
  let launched: LaunchedOperator;
  try {
    launched = await launchOperator({
      kubeconfig: cluster.kubeconfigs.operator,
      build: "sources",
      flags: operatorFlags(options.gitCacheDir),
      log,
    });
  } catch (error) {
    log.end();
    throw error;
  }
  const child = launched.process;
  void launched.exited.then(() => log.end());
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return launched.exited;
  };
  try {
    const started = Date.now();
    const readyMs = await waitUntilReady(launched, {
      timeoutMs: READY_TIMEOUT_MS,
      describe: `the operator (log: ${options.logFile})`,
    });
    const holder = await leaseHolderOnceOurs(cluster);
    return {
      pid: child.pid,
      readyMs,
      ...(holder === DEMO_IDENTITY
        ? { leaderMs: Date.now() - started }
        : { leaderMs: undefined, otherLeader: holder || "nobody" }),
      stop,
    };
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
}

/**
 * Waits until the demo's operator holds the leader Lease (a standby replica reconciles nothing), and
 * returns the holder: DEMO_IDENTITY, or after the timeout whoever holds it instead.
 */
async function leaseHolderOnceOurs(cluster: ClusterInfo): Promise<string> {
  let holder = "";
  try {
    await waitFor(
      `the leader Lease ${OPERATOR_NAMESPACE}/${LEASE}`,
      async () => {
        holder = (await readLease(cluster))?.holderIdentity ?? "";
        return holder === DEMO_IDENTITY ? holder : undefined;
      },
      { timeoutMs: LEADERSHIP_TIMEOUT_MS, intervalMs: 500 },
    );
  } catch {
    // Reported by the caller: another operator on this cluster leads and runs the demo's releases.
  }
  return holder;
}

export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly renewTime?: string;
  readonly leaseDurationSeconds?: number;
}

/**
 * Who else leads on this cluster now: the Lease's holder when it is not the demo's and renewed its
 * Lease within its duration (a stale holder, killed without releasing it, counts as nobody).
 */
export function activeOtherLeader(lease: LeaseSpec | undefined, now: Date): string | undefined {
  const holder = lease?.holderIdentity;
  if (holder === undefined || holder === "" || holder === DEMO_IDENTITY) return undefined;
  const renewed = Date.parse(lease?.renewTime ?? "");
  if (Number.isNaN(renewed)) return undefined;
  const durationMs = (lease?.leaseDurationSeconds ?? 15) * 1000;
  return now.getTime() - renewed <= durationMs ? holder : undefined;
}

/** The leader Lease's spec, or undefined when no operator ever ran on this cluster. */
export async function readLease(cluster: ClusterInfo): Promise<LeaseSpec | undefined> {
  const read = await runKubectl(cluster.binDir, cluster.kubeconfigs.admin, [
    "get",
    "lease",
    LEASE,
    "-n",
    OPERATOR_NAMESPACE,
    "-o",
    "json",
    "--ignore-not-found",
  ]);
  if (read.exitCode !== 0) {
    throw new Error(`reading the leader Lease ${OPERATOR_NAMESPACE}/${LEASE} failed: ${read.stderr.trim()}`);
  }
  return read.stdout.trim() === "" ? undefined : (JSON.parse(read.stdout) as { spec?: LeaseSpec }).spec;
}

/** The last lines of the operator's log, for an error message; empty when there is none. */
export function tailOfOperatorLog(logFile: string, lines = 30): string {
  if (!existsSync(logFile)) return "";
  return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Where the demo keeps its files (the operator's log and git cache): `.local/demo`, beside the cluster's. */
export const DEMO_DIR = path.join(REPO_ROOT, ".local", "demo");
