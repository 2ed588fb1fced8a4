/**
 * Test infrastructure: the life of one pod on the node agent, from first sight to the kubelet's final
 * delete. This is where the side effects are (directories, processes, API calls, timers); every
 * decision comes from the pure modules: env.ts, mounts.ts, volumes.ts, lifecycle.ts, status.ts.
 *
 *   prepare    pod dir, volumes, mount symlinks, kubeconfig; retried every 5 s while a ConfigMap,
 *              Secret or token is missing (containers wait in ContainerCreating)
 *   init       init containers one after the other; a failed one ends the pod under restartPolicy Never
 *   run        the containers side by side, each restarted as its restartPolicy says
 *   stop       deletion, activeDeadlineSeconds or agent shutdown: SIGTERM, SIGKILL after the grace
 *              period, terminal status; after a deletion, the final delete
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { describeError, type NodeApi } from "./api.js";
import type { NodeAgentConfig } from "./config.js";
import { startContainerProcess, terminatedReason, type ContainerProcess } from "./containers.js";
import type { PodAddresses } from "./downward.js";
import { expandedArgv, processEnv, resolveContainerEnv, serviceEnv } from "./env.js";
import type { EventRecorder } from "./events.js";
import { renderKubeconfig } from "../cluster/kubeconfig.js";
import {
  DEADLINE_MESSAGE,
  DEADLINE_REASON,
  deadlineAt,
  killGraceSeconds,
  restartBackoffMs,
  restartPolicyOf,
  shouldRestart,
  toDate,
  type RestartPolicy,
} from "./lifecycle.js";
import { logFile, previousLogFile, terminationLogTail } from "./logs.js";
import { planMounts, podLayout, rewritePaths, type PathRewrite, type PodLayout } from "./mounts.js";
import { referencedNames, type PodObjects } from "./references.js";
import {
  computePodStatus,
  podStatusPatch,
  statusKey,
  type ContainerRecord,
  type ContainerState,
  type PodRuntime,
  type Terminated,
} from "./status.js";
import { StatusWriter } from "./status-writer.js";
import { materialise, planVolumes, podCredentials, tokenNeeds } from "./volumes.js";

/** Set in every pod process, so a later agent can tell a leftover process of this pod from a recycled pid. */
export const POD_MARKER_ENV = "RELEASE_OPERATOR_POD_UID";
/** The harness finds leftover processes by this variable; passed on to pods unchanged. */
export const CLUSTER_MARKER_ENV = "RELEASE_OPERATOR_CLUSTER";

const CONFIG_RETRY_MS = 5_000;
const SHUTDOWN_GRACE_SECONDS = 5;
const MAX_TERMINATION_MESSAGE_BYTES = 4096;
const FINAL_DELETE_RETRY_MS = 2_000;
const FINAL_DELETE_ATTEMPTS = 30;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WorkerDeps {
  readonly config: NodeAgentConfig;
  readonly api: NodeApi;
  readonly events: EventRecorder;
  readonly clock: () => bigint;
  readonly log: Logger;
  /** PATH and RELEASE_OPERATOR_CLUSTER, from the agent's own environment. */
  readonly agentEnv: Readonly<Record<string, string | undefined>>;
}

export type StopCause = "deleted" | "deadline" | "shutdown" | "vanished";

interface PreparedContainer {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
}

/** A container the log endpoint can serve: its files, and whether the instance seen now still writes. */
export interface ContainerLogView {
  readonly file: string;
  readonly previousFile: string;
  readonly waitingReason?: string;
  readonly isActive: () => boolean;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

export class PodWorker {
  readonly uid: string;
  readonly layout: PodLayout;
  private pod: V1Pod;
  private readonly log: Logger;
  private readonly records = new Map<string, ContainerRecord>();
  private readonly initNames: string[];
  private readonly mainNames: string[];
  private readonly processes = new Map<string, ContainerProcess>();
  /** Per container, the instance whose log is being written; absent when none is. */
  private readonly activeInstance = new Map<string, number>();
  private instanceCounter = 0;
  private rewrites: ReadonlyMap<string, readonly PathRewrite[]> = new Map();
  private kubeconfigPath: string | undefined;
  private startTime: Date | undefined;
  private sandboxReady = false;
  private terminal: PodRuntime["terminal"];
  private completed = false;
  private readonly abort = new AbortController();
  private runDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private deleting = false;
  /** The pod is gone from the API: nothing more to write or delete. */
  private vanished = false;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private armedDeadline: number | undefined;
  private readonly status: StatusWriter;
  private readonly reportedProblems = new Set<string>();

  constructor(
    pod: V1Pod,
    private readonly deps: WorkerDeps,
  ) {
    this.pod = pod;
    this.uid = pod.metadata?.uid ?? "";
    this.layout = podLayout(path.join(deps.config.workDir, "pods", this.uid));
    this.log = deps.log.child({ namespace: pod.metadata?.namespace, pod: pod.metadata?.name });
    this.initNames = (pod.spec?.initContainers ?? []).map((c) => c.name);
    this.mainNames = (pod.spec?.containers ?? []).map((c) => c.name);
    const firstWait = this.initNames.length > 0 ? "PodInitializing" : "ContainerCreating";
    for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      this.records.set(container.name, {
        name: container.name,
        image: container.image ?? "",
        state: { kind: "waiting", reason: firstWait },
        restartCount: 0,
      });
    }
    this.status = new StatusWriter(() => {
      const status = computePodStatus(this.pod, this.runtime(), this.deps.config.address, new Date());
      return {
        key: statusKey(status),
        write: async () => {
          this.pod = await this.deps.api.patchPodStatus(this.pod, podStatusPatch(this.pod, status));
        },
      };
    }, this.log);
  }

  /** A method, not a field read: TypeScript must not narrow it across awaits. */
  private isAborted(): boolean {
    return this.abort.signal.aborted;
  }

  get namespace(): string {
    return this.pod.metadata?.namespace ?? "";
  }

  get name(): string {
    return this.pod.metadata?.name ?? "";
  }

  start(): void {
    this.log.info({ uid: this.uid, dir: this.layout.podDir }, "Started pod");
    this.runDone = this.run().catch((error: unknown) => {
      this.log.error({ error: describeError(error) }, "Pod worker failed");
    });
  }

  /** A newer version of the pod from the API. */
  update(pod: V1Pod): void {
    this.pod = pod;
    this.armDeadline();
    if (pod.metadata?.deletionTimestamp !== undefined && !this.deleting) {
      this.deleting = true;
      void this.finishDeletion();
    }
  }

  /** Stops the pod's processes; idempotent: a second cause waits for the first stop. */
  stop(cause: StopCause): Promise<void> {
    if (cause === "vanished") this.vanished = true;
    if (cause === "shutdown" || cause === "vanished") this.status.stop();
    this.stopping ??= this.doStop(cause);
    return this.stopping;
  }

  logView(container: string): ContainerLogView | undefined {
    const record = this.records.get(container);
    if (record === undefined) return undefined;
    const instance = this.activeInstance.get(container);
    return {
      file: logFile(this.layout.logsDir, container),
      previousFile: previousLogFile(this.layout.logsDir, container),
      ...(record.state.kind === "waiting" && record.lastTerminated === undefined && instance === undefined
        ? { waitingReason: record.state.reason }
        : {}),
      isActive: () => instance !== undefined && this.activeInstance.get(container) === instance,
    };
  }

  private runtime(): PodRuntime {
    const pick = (names: readonly string[]) => names.flatMap((name) => this.records.get(name) ?? []);
    return {
      initContainers: pick(this.initNames),
      containers: pick(this.mainNames),
      ...(this.startTime ? { startTime: this.startTime } : {}),
      sandboxReady: this.sandboxReady,
      ...(this.terminal ? { terminal: this.terminal } : {}),
    };
  }

  private setState(name: string, change: Partial<ContainerRecord> & { state: ContainerState }): void {
    const record = this.records.get(name);
    if (record === undefined) return;
    this.records.set(name, { ...record, ...change });
    this.status.request();
  }

  private policyFor(init: boolean): RestartPolicy {
    const policy = restartPolicyOf(this.pod);
    // Init containers are retried on failure under Always too, and never restarted after success.
    return init && policy === "Always" ? "OnFailure" : policy;
  }

  private async run(): Promise<void> {
    this.startTime = toDate(this.pod.status?.startTime) ?? new Date();
    this.armDeadline();
    this.status.request();
    if (!(await this.prepare())) return;

    for (const container of this.pod.spec?.initContainers ?? []) {
      const succeeded = await this.runContainer(container, true);
      if (this.isAborted()) return;
      if (!succeeded) {
        this.log.info({ container: container.name }, "Init container failed; the pod failed");
        this.completed = true;
        this.clearDeadline();
        return;
      }
    }
    if (this.initNames.length > 0) {
      for (const name of this.mainNames)
        this.setState(name, { state: { kind: "waiting", reason: "ContainerCreating" } });
    }
    await Promise.all(
      (this.pod.spec?.containers ?? []).map((container) => this.runContainer(container, false)),
    );
    if (this.isAborted()) return;
    this.completed = true;
    this.clearDeadline();
    this.status.request();
    this.log.info("Pod's containers all finished");
  }

  private async fetchObjects(): Promise<PodObjects> {
    const names = referencedNames(this.pod);
    const configMaps = new Map();
    const secrets = new Map();
    for (const name of names.configMaps) {
      const found = await this.deps.api.getConfigMap(this.namespace, name);
      if (found) configMaps.set(name, found);
    }
    for (const name of names.secrets) {
      const found = await this.deps.api.getSecret(this.namespace, name);
      if (found) secrets.set(name, found);
    }
    return { configMaps, secrets };
  }

  private get addresses(): PodAddresses {
    return { hostIP: this.deps.config.address, podIP: this.deps.config.address };
  }

  /** Pod dir, volumes and kubeconfig; false when the pod was stopped before they could be set up. */
  private async prepare(): Promise<boolean> {
    while (!this.isAborted()) {
      let problem: string;
      try {
        mkdirSync(this.layout.logsDir, { recursive: true });
        for (const name of this.records.keys()) {
          const file = this.layout.terminationMessageFile(name);
          mkdirSync(path.dirname(file), { recursive: true });
        }
        const mounts = planMounts(this.pod, this.layout);
        if (!mounts.ok) {
          problem = mounts.message;
        } else {
          const objects = await this.fetchObjects();
          const tokens = new Map<string, string>();
          for (const need of tokenNeeds(this.pod)) {
            tokens.set(need.key, await this.deps.api.requestToken(this.pod, need));
          }
          const plan = planVolumes(this.pod, objects, tokens, this.addresses);
          if (plan.ok) {
            materialise(this.layout, plan.volumes, mounts.links);
            const credentials = podCredentials(plan.volumes, this.pod);
            if (credentials) {
              const caPem = credentials.caPem ?? this.deps.api.clusterCaPem();
              writeFileSync(
                this.layout.kubeconfig,
                // Processes run on the host, where the in-cluster token path does not exist:
                // KUBECONFIG points them at the apiserver with the pod's bound token instead.
                renderKubeconfig({
                  user: "pod",
                  server: apiserverUrl(this.deps.config.apiserverHost, this.deps.config.apiserverPort),
                  caPem: caPem ?? "",
                  credentials: { kind: "token", token: credentials.token },
                  namespace: this.namespace,
                }),
                { mode: 0o600 },
              );
              this.kubeconfigPath = this.layout.kubeconfig;
            }
            this.rewrites = mounts.rewrites;
            this.sandboxReady = true;
            this.status.request();
            return true;
          }
          problem = `MountVolume.SetUp failed for volume "${plan.volume}" : ${plan.message}`;
        }
      } catch (error) {
        problem = `could not set up the pod: ${describeError(error)}`;
      }
      this.reportOnce(problem, "FailedMount");
      for (const [name, record] of this.records) {
        if (record.state.kind === "waiting") {
          this.setState(name, { state: { kind: "waiting", reason: "ContainerCreating", message: problem } });
        }
      }
      await sleep(CONFIG_RETRY_MS, this.abort.signal);
    }
    return false;
  }

  private reportOnce(problem: string, reason: string, container?: { name: string; init: boolean }): void {
    if (this.reportedProblems.has(problem)) return;
    this.reportedProblems.add(problem);
    this.log.warn({ reason, container: container?.name, problem }, "Pod cannot start yet; retrying");
    this.deps.events.emit(this.pod, "Warning", reason, problem, container);
  }

  /** Env, argv and working directory; retried while a ConfigMap or Secret is missing. */
  private async prepareContainer(
    container: V1Container,
    init: boolean,
  ): Promise<PreparedContainer | undefined> {
    const ref = { name: container.name, init };
    while (!this.isAborted()) {
      let problem: string;
      try {
        const objects = await this.fetchObjects();
        const resolved = resolveContainerEnv({
          pod: this.pod,
          container,
          objects,
          addresses: this.addresses,
          serviceEnv: serviceEnv(this.deps.config.apiserverHost, this.deps.config.apiserverPort),
        });
        if (resolved.ok) {
          for (const warning of resolved.warnings) {
            if (!this.reportedProblems.has(warning)) {
              this.reportedProblems.add(warning);
              this.deps.events.emit(this.pod, "Warning", "InvalidEnvironmentVariableNames", warning, ref);
            }
          }
          const rewrites = this.rewrites.get(container.name) ?? [];
          const rewrite = (value: string) => rewritePaths(value, rewrites);
          const workingDir = container.workingDir ? rewrite(container.workingDir) : undefined;
          return {
            argv: expandedArgv(container, resolved.env).map(rewrite),
            cwd: workingDir !== undefined && isDirectory(workingDir) ? workingDir : this.layout.podDir,
            env: processEnv({
              base: {
                PATH: this.deps.agentEnv.PATH ?? "/usr/bin:/bin",
                HOME: this.layout.podDir,
                HOSTNAME: this.name,
              },
              containerEnv: resolved.env,
              rewrite,
              ...(this.kubeconfigPath ? { kubeconfig: this.kubeconfigPath } : {}),
              forced: {
                [POD_MARKER_ENV]: this.uid,
                ...(this.deps.agentEnv[CLUSTER_MARKER_ENV] !== undefined
                  ? { [CLUSTER_MARKER_ENV]: this.deps.agentEnv[CLUSTER_MARKER_ENV] }
                  : {}),
              },
            }),
          };
        }
        problem = resolved.message;
      } catch (error) {
        problem = `could not read the pod's ConfigMaps and Secrets: ${describeError(error)}`;
      }
      this.reportOnce(`Error: ${problem}`, "Failed", ref);
      this.setState(container.name, {
        state: { kind: "waiting", reason: "CreateContainerConfigError", message: problem },
      });
      await sleep(CONFIG_RETRY_MS, this.abort.signal);
    }
    return undefined;
  }

  /** Runs a container until it is done by its restart policy; true when its last run exited 0. */
  private async runContainer(container: V1Container, init: boolean): Promise<boolean> {
    const ref = { name: container.name, init };
    const policy = this.policyFor(init);
    for (;;) {
      const prepared = await this.prepareContainer(container, init);
      if (prepared === undefined) return false;
      const before = this.records.get(container.name);
      if (before === undefined) return false;
      const ranBefore = before.state.kind !== "waiting" || before.lastTerminated !== undefined;
      const restartCount = ranBefore ? before.restartCount + 1 : before.restartCount;
      const log = logFile(this.layout.logsDir, container.name);
      if (ranBefore && existsSync(log)) renameSync(log, previousLogFile(this.layout.logsDir, container.name));
      const messageFile = this.layout.terminationMessageFile(container.name);
      writeFileSync(messageFile, "", { mode: 0o666 });

      this.deps.events.emit(
        this.pod,
        "Normal",
        "Pulled",
        `Container image "${container.image ?? ""}" already present on machine (ignored: the node agent runs a host process)`,
        ref,
      );
      this.deps.events.emit(this.pod, "Normal", "Created", `Created container: ${container.name}`, ref);
      const instance = ++this.instanceCounter;
      this.activeInstance.set(container.name, instance);
      const started = await startContainerProcess({
        argv: prepared.argv,
        cwd: prepared.cwd,
        env: prepared.env,
        logFile: log,
        clock: this.deps.clock,
      });
      let terminated: Terminated;
      if (!started.ok) {
        this.activeInstance.delete(container.name);
        this.deps.events.emit(this.pod, "Warning", "Failed", `Error: ${started.message}`, ref);
        this.log.warn(
          { container: container.name, argv: prepared.argv, message: started.message },
          "Container could not start",
        );
        terminated = {
          kind: "terminated",
          exitCode: started.exitCode,
          reason: started.reason,
          message: started.message,
          finishedAt: new Date(),
        };
      } else {
        const proc = started.process;
        this.processes.set(container.name, proc);
        // A stop that began while the process was spawning did not see it: stop it now.
        if (this.isAborted()) proc.signal("SIGKILL");
        this.setState(container.name, {
          state: { kind: "running", startedAt: proc.startedAt, pid: proc.pid },
          restartCount,
        });
        this.deps.events.emit(this.pod, "Normal", "Started", `Started container ${container.name}`, ref);
        this.log.info(
          { container: container.name, pid: proc.pid, argv: prepared.argv, cwd: prepared.cwd },
          "Started container",
        );
        const exit = await proc.exited;
        this.processes.delete(container.name);
        this.activeInstance.delete(container.name);
        const message = this.terminationMessage(container, exit.exitCode);
        terminated = {
          kind: "terminated",
          exitCode: exit.exitCode,
          reason: terminatedReason(exit.exitCode),
          ...(message ? { message } : {}),
          startedAt: proc.startedAt,
          finishedAt: exit.finishedAt,
          pid: proc.pid,
        };
        this.log.info(
          { container: container.name, pid: proc.pid, exitCode: exit.exitCode },
          "Container exited",
        );
      }
      this.setState(container.name, { state: terminated, restartCount });

      if (this.isAborted() || !shouldRestart(policy, terminated.exitCode)) return terminated.exitCode === 0;
      const backoff = restartBackoffMs(restartCount);
      this.setState(container.name, {
        state: {
          kind: "waiting",
          reason: "CrashLoopBackOff",
          message: `back-off ${Math.round(backoff / 1000)}s restarting failed container=${container.name} pod=${this.name}_${this.namespace}(${this.uid})`,
        },
        lastTerminated: terminated,
      });
      this.deps.events.emit(
        this.pod,
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${container.name} in pod ${this.name}_${this.namespace}(${this.uid})`,
        ref,
      );
      await sleep(backoff, this.abort.signal);
      if (this.isAborted()) return false;
    }
  }

  /** The termination message file's content, or the log tail under FallbackToLogsOnError after a failure. */
  private terminationMessage(container: V1Container, exitCode: number): string {
    let message = "";
    try {
      message = readFileSync(this.layout.terminationMessageFile(container.name))
        .subarray(0, MAX_TERMINATION_MESSAGE_BYTES)
        .toString("utf8");
    } catch {
      // No file: no message.
    }
    if (message === "" && exitCode !== 0 && container.terminationMessagePolicy === "FallbackToLogsOnError") {
      try {
        message = terminationLogTail(readFileSync(logFile(this.layout.logsDir, container.name), "utf8"));
      } catch {
        // No log either.
      }
    }
    return message;
  }

  private armDeadline(): void {
    if (this.completed || this.stopping) return;
    const at = deadlineAt(this.pod, this.startTime);
    if (at === undefined || at.getTime() === this.armedDeadline) return;
    this.clearDeadline();
    this.armedDeadline = at.getTime();
    this.deadlineTimer = setTimeout(
      () => {
        if (Date.now() < at.getTime()) {
          // setTimeout cannot wait longer than ~24.8 days in one go: wait again.
          this.armedDeadline = undefined;
          this.armDeadline();
          return;
        }
        this.log.info(
          { activeDeadlineSeconds: this.pod.spec?.activeDeadlineSeconds },
          "Pod passed its active deadline",
        );
        this.deps.events.emit(this.pod, "Warning", DEADLINE_REASON, DEADLINE_MESSAGE);
        void this.stop("deadline");
      },
      Math.min(Math.max(0, at.getTime() - Date.now()), MAX_TIMER_MS),
    );
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.armedDeadline = undefined;
  }

  private async doStop(cause: StopCause): Promise<void> {
    this.clearDeadline();
    if (!this.completed) {
      if (cause === "deadline") this.terminal = { reason: DEADLINE_REASON, message: DEADLINE_MESSAGE };
      else if (cause === "deleted") this.terminal = {};
    }
    this.abort.abort();
    const grace = cause === "shutdown" ? SHUTDOWN_GRACE_SECONDS : killGraceSeconds(this.pod);
    await this.killAll(grace, cause !== "shutdown" && cause !== "vanished");
    await this.runDone;
    this.sandboxReady = false;
    this.status.request();
    this.log.info({ cause }, "Stopped pod");
  }

  private async killAll(graceSeconds: number, recordEvents: boolean): Promise<void> {
    const running = [...this.processes.entries()];
    if (running.length === 0) return;
    for (const [name, proc] of running) {
      if (recordEvents) {
        const init = this.initNames.includes(name);
        this.deps.events.emit(this.pod, "Normal", "Killing", `Stopping container ${name}`, { name, init });
      }
      proc.signal("SIGTERM");
    }
    const allExited = Promise.all(running.map(([, proc]) => proc.exited));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      allExited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(true);
        }, graceSeconds * 1000);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const [name, proc] of running) {
        if (this.processes.get(name) === proc) proc.signal("SIGKILL");
      }
    }
    await allExited;
  }

  /** After a deletion: stop, write the terminal status, then the final delete that frees the name. */
  private async finishDeletion(): Promise<void> {
    await this.stop("deleted");
    await this.status.flush();
    for (let attempt = 1; attempt <= FINAL_DELETE_ATTEMPTS && !this.vanished; attempt++) {
      try {
        const deleted = await this.deps.api.deletePodFinally(this.pod);
        this.log.info({ alreadyGone: !deleted }, "Deleted pod from the API (final delete)");
        return;
      } catch (error) {
        this.log.warn({ attempt, error: describeError(error) }, "Final delete failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, FINAL_DELETE_RETRY_MS));
      }
    }
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The apiserver URL pods use; IPv6 hosts need brackets. */
function apiserverUrl(host: string, port: number): string {
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
