/**
 * Test infrastructure: the pods bound to this node, as the watch reports them, each handed to the
 * right path. Pods this process started have a PodWorker. Pods it did not start are never run:
 *
 *   finished (Succeeded/Failed)        nothing to do; final-deleted once they get a deletionTimestamp
 *   started by an earlier agent        reported Failed (exit 137, reason NodeAgentRestarted): their
 *     (Running, or a container that    processes were lost when that agent stopped. Leftover processes
 *     ran)                             that still carry the pod's marker are killed first.
 *   Pending, never started             started normally
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { describeError } from "./api.js";
import { killLeftoverGroup } from "./containers.js";
import { LOST_REASON, lostPodRuntime, recordedRunningPids, startedByEarlierAgent } from "./lifecycle.js";
import type { LogLocation } from "./log-server.js";
import { logFile, previousLogFile } from "./logs.js";
import { POD_MARKER_ENV, PodWorker, type WorkerDeps } from "./pod-worker.js";
import { computePodStatus, isTerminalPhase, podStatusPatch } from "./status.js";

const RETRY_MS = 5_000;

export class PodManager {
  private readonly workers = new Map<string, PodWorker>();
  private readonly pods = new Map<string, V1Pod>();
  /** Pods without a worker whose lost status or final delete is done or under way. */
  private readonly handled = new Set<string>();
  private readonly log: Logger;
  private shuttingDown = false;

  constructor(private readonly deps: WorkerDeps) {
    this.log = deps.log;
  }

  /** A full list (first list, or a relist after the watch fell behind): pods not in it are gone. */
  sync(pods: readonly V1Pod[]): void {
    const seen = new Set<string>();
    for (const pod of pods) {
      seen.add(pod.metadata?.uid ?? "");
      this.upsert(pod);
    }
    for (const [uid, pod] of this.pods) {
      if (!seen.has(uid)) this.remove(pod);
    }
  }

  upsert(pod: V1Pod): void {
    if (this.shuttingDown) return;
    const uid = pod.metadata?.uid;
    if (uid === undefined) return;
    if (pod.spec?.nodeName !== this.deps.config.nodeName) return;
    this.pods.set(uid, pod);
    const worker = this.workers.get(uid);
    if (worker !== undefined) {
      worker.update(pod);
      return;
    }
    if (isTerminalPhase(pod.status?.phase)) {
      if (pod.metadata?.deletionTimestamp !== undefined) this.finalDeleteOnce(pod);
      return;
    }
    if (startedByEarlierAgent(pod)) {
      this.reportLostOnce(pod);
      return;
    }
    const created = new PodWorker(pod, this.deps);
    this.workers.set(uid, created);
    created.start();
    created.update(pod);
  }

  /** The pod is gone from the API (its final delete went through, or it was force-deleted). */
  remove(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    this.pods.delete(uid);
    this.handled.delete(uid);
    const worker = this.workers.get(uid);
    if (worker !== undefined) {
      this.workers.delete(uid);
      void worker.stop("vanished");
    }
  }

  /** Where the log endpoint finds a container's log, or the error the kubelet would answer. */
  findLogs(namespace: string, podName: string, container: string): LogLocation {
    const pod = [...this.pods.values()].find(
      (candidate) => candidate.metadata?.namespace === namespace && candidate.metadata.name === podName,
    );
    if (pod === undefined)
      return {
        kind: "error",
        status: 404,
        message: `pod "${podName}" in namespace "${namespace}" does not exist on node "${this.deps.config.nodeName}"`,
      };
    const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
    if (!names.includes(container)) {
      return {
        kind: "error",
        status: 404,
        message: `container "${container}" not found in pod "${podName}"`,
      };
    }
    const uid = pod.metadata?.uid ?? "";
    const view = this.workers.get(uid)?.logView(container);
    if (view !== undefined) {
      if (view.waitingReason !== undefined && !existsSync(view.file)) {
        return {
          kind: "error",
          status: 400,
          message: `container "${container}" in pod "${podName}" is waiting to start: ${view.waitingReason}`,
        };
      }
      return { kind: "ok", file: view.file, previousFile: view.previousFile, isActive: view.isActive };
    }
    // A pod this process did not run (finished before a restart): whatever its files hold.
    const logsDir = path.join(this.deps.config.workDir, "pods", uid, "logs");
    return {
      kind: "ok",
      file: logFile(logsDir, container),
      previousFile: previousLogFile(logsDir, container),
      isActive: () => false,
    };
  }

  /** Stops every pod process (SIGTERM, SIGKILL a few seconds later) without writing status. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop("shutdown")));
  }

  private retryLater(uid: string): void {
    this.handled.delete(uid);
    setTimeout(() => {
      const latest = this.pods.get(uid);
      if (latest !== undefined && !this.shuttingDown) this.upsert(latest);
    }, RETRY_MS).unref();
  }

  private finalDeleteOnce(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    if (this.handled.has(uid)) return;
    this.handled.add(uid);
    const log = this.log.child({ namespace: pod.metadata?.namespace, pod: pod.metadata?.name });
    this.deps.api
      .deletePodFinally(pod)
      .then((deleted) => {
        log.info({ alreadyGone: !deleted }, "Deleted finished pod from the API (final delete)");
      })
      .catch((error: unknown) => {
        log.warn({ error: describeError(error) }, "Final delete failed; retrying");
        this.retryLater(uid);
      });
  }

  private reportLostOnce(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    if (this.handled.has(uid)) return;
    this.handled.add(uid);
    const log = this.log.child({ namespace: pod.metadata?.namespace, pod: pod.metadata?.name });
    const killed = recordedRunningPids(pod).filter((pid) =>
      killLeftoverGroup(pid, `${POD_MARKER_ENV}=${uid}`),
    );
    const status = computePodStatus(
      pod,
      lostPodRuntime(pod, new Date()),
      this.deps.config.address,
      new Date(),
    );
    log.warn({ killedLeftoverPids: killed }, "Pod was started by an earlier node agent; reporting it Failed");
    this.deps.events.emit(
      pod,
      "Warning",
      LOST_REASON,
      "The node agent restarted while this pod ran; its processes were lost and are not run twice",
    );
    this.deps.api
      .patchPodStatus(pod, podStatusPatch(pod, status))
      .then(() => {
        // The watch brings the now-Failed pod back: a deletion then takes the finished path.
        this.handled.delete(uid);
      })
      .catch((error: unknown) => {
        log.warn({ error: describeError(error) }, "Could not report the lost pod; retrying");
        this.retryLater(uid);
      });
  }
}
