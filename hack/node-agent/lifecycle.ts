/**
 * Test infrastructure: the pure decisions of a pod's life on the node agent: restarts and their
 * back-off, grace periods, the active deadline, and what to make of pods an earlier agent started.
 *
 * restartPolicy Always is supported like the kubelet's: a container is restarted whenever it exits,
 * so such a pod only ends by deletion (or its deadline).
 */
import type { V1Container, V1ContainerState, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { ContainerRecord, ContainerState, PodRuntime, Terminated } from "./status.js";

export type RestartPolicy = "Always" | "OnFailure" | "Never";

export function restartPolicyOf(pod: V1Pod): RestartPolicy {
  const policy = pod.spec?.restartPolicy;
  return policy === "Never" || policy === "OnFailure" ? policy : "Always";
}

export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  if (policy === "Always") return true;
  if (policy === "OnFailure") return exitCode !== 0;
  return false;
}

/** Back-off before restart number `restarts + 1`: 1 s doubling to 20 s (the kubelet's 10 s to 5 min, shortened for tests). */
export function restartBackoffMs(restarts: number): number {
  return Math.min(1000 * 2 ** Math.min(restarts, 10), 20_000);
}

/** The kubelet never waits less than this for a graceful stop. */
export const MINIMUM_GRACE_SECONDS = 2;
/** The agent never waits longer than this: tests should not hang on a pod that ignores SIGTERM. */
export const MAXIMUM_GRACE_SECONDS = 30;

/** How long to wait between SIGTERM and SIGKILL: the deletion's grace period if any, else the pod's. */
export function killGraceSeconds(pod: V1Pod): number {
  const asked = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.min(Math.max(asked, MINIMUM_GRACE_SECONDS), MAXIMUM_GRACE_SECONDS);
}

export const DEADLINE_REASON = "DeadlineExceeded";
export const DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline";

/** When the pod's activeDeadlineSeconds runs out, counted from status.startTime; undefined without one. */
export function deadlineAt(pod: V1Pod, startTime: Date | undefined): Date | undefined {
  const seconds = pod.spec?.activeDeadlineSeconds;
  if (seconds === undefined || startTime === undefined) return undefined;
  return new Date(startTime.getTime() + seconds * 1000);
}

/** Dates from a watch event arrive as strings, from a typed list as Date objects: accept both. */
export function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function everStarted(status: V1ContainerStatus): boolean {
  return (
    status.state?.running !== undefined ||
    status.state?.terminated !== undefined ||
    status.lastState?.terminated !== undefined
  );
}

/**
 * Whether an earlier process (an agent that crashed or was restarted) already started containers of
 * this pod. Such a pod is never run again: its processes are gone or not ours to watch.
 */
export function startedByEarlierAgent(pod: V1Pod): boolean {
  if (pod.status?.phase === "Running") return true;
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].some(
    everStarted,
  );
}

export const LOST_REASON = "NodeAgentRestarted";
export const LOST_EXIT_CODE = 137;

function pidFromContainerID(id: string | undefined): number | undefined {
  const match = /^node-agent:\/\/(\d+)$/.exec(id ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function terminatedFrom(
  state: V1ContainerState["terminated"],
  id: string | undefined,
): Terminated | undefined {
  if (state === undefined) return undefined;
  const pid = pidFromContainerID(state.containerID ?? id);
  const startedAt = toDate(state.startedAt);
  return {
    kind: "terminated",
    exitCode: state.exitCode,
    reason: state.reason ?? "",
    ...(state.message ? { message: state.message } : {}),
    ...(startedAt ? { startedAt } : {}),
    finishedAt: toDate(state.finishedAt) ?? new Date(0),
    ...(pid !== undefined ? { pid } : {}),
  };
}

/** A container as the API last saw it, with a running one turned into terminated-by-loss. */
function lostContainer(
  name: string,
  image: string,
  status: V1ContainerStatus | undefined,
  now: Date,
): ContainerRecord {
  const restartCount = status?.restartCount ?? 0;
  const lastTerminated = terminatedFrom(status?.lastState?.terminated, status?.containerID);
  const base = { name, image, restartCount, ...(lastTerminated ? { lastTerminated } : {}) };
  const terminated = terminatedFrom(status?.state?.terminated, status?.containerID);
  if (terminated !== undefined) return { ...base, state: terminated };
  const running = status?.state?.running;
  if (running !== undefined) {
    const pid = pidFromContainerID(status?.containerID);
    const startedAt = toDate(running.startedAt);
    const state: ContainerState = {
      kind: "terminated",
      exitCode: LOST_EXIT_CODE,
      reason: LOST_REASON,
      message: "The node agent restarted and lost this container's process; it was not started again",
      ...(startedAt ? { startedAt } : {}),
      finishedAt: now,
      ...(pid !== undefined ? { pid } : {}),
    };
    return { ...base, state };
  }
  const waiting = status?.state?.waiting;
  return { ...base, state: { kind: "waiting", reason: waiting?.reason ?? "ContainerCreating" } };
}

/** The runtime to report for a pod an earlier agent started: Failed, every running container lost. */
export function lostPodRuntime(pod: V1Pod, now: Date): PodRuntime {
  const records = (containers: readonly V1Container[], statuses: readonly V1ContainerStatus[] | undefined) =>
    containers.map((container) =>
      lostContainer(
        container.name,
        container.image ?? "",
        statuses?.find((s) => s.name === container.name),
        now,
      ),
    );
  const startTime = toDate(pod.status?.startTime);
  return {
    initContainers: records(pod.spec?.initContainers ?? [], pod.status?.initContainerStatuses),
    containers: records(pod.spec?.containers ?? [], pod.status?.containerStatuses),
    ...(startTime ? { startTime } : {}),
    sandboxReady: false,
    terminal: {
      reason: LOST_REASON,
      message: "The node agent restarted while this pod ran; its processes were lost and are not run twice",
    },
  };
}

/** Pids an earlier agent recorded for this pod's running containers (candidates for a leftover sweep). */
export function recordedRunningPids(pod: V1Pod): number[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].flatMap(
    (status) => {
      const pid = status.state?.running ? pidFromContainerID(status.containerID) : undefined;
      return pid === undefined ? [] : [pid];
    },
  );
}
