/**
 * Test infrastructure: the pod status the kubelet would report, computed purely from what the agent
 * knows about each container. Follows the kubelet's rules (pkg/kubelet status generation): the phase
 * from counts of waiting/running/stopped containers and the restart policy, conditions with their
 * transition times kept while their status holds, and one containerStatus per spec container.
 */
import type { V1Pod, V1PodCondition } from "@kubernetes/client-node";

export type ContainerState =
  | { readonly kind: "waiting"; readonly reason: string; readonly message?: string }
  | { readonly kind: "running"; readonly startedAt: Date; readonly pid: number }
  | Terminated;

export interface Terminated {
  readonly kind: "terminated";
  readonly exitCode: number;
  readonly reason: string;
  readonly message?: string;
  readonly startedAt?: Date;
  readonly finishedAt: Date;
  /** The pid of the process that played this instance, for containerID; absent when it never started. */
  readonly pid?: number;
}

export interface ContainerRecord {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly lastTerminated?: Terminated;
  readonly restartCount: number;
}

export interface PodRuntime {
  readonly initContainers: readonly ContainerRecord[];
  readonly containers: readonly ContainerRecord[];
  /** When the agent first took the pod on (status.startTime). */
  readonly startTime?: Date;
  /** The pod dir and volumes are ready: the kubelet's sandbox (PodReadyToStartContainers). */
  readonly sandboxReady: boolean;
  /**
   * Set when the pod is over whatever its containers say: deleted, past its deadline, or lost by an
   * earlier agent. The phase becomes terminal; reason/message, when given, become the pod's.
   */
  readonly terminal?: { readonly reason?: string; readonly message?: string };
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed";
}

/** The kubelet's getPhase, for pods without sidecar (restartable init) containers. */
export function podPhase(
  restartPolicy: string,
  initContainers: readonly ContainerRecord[],
  containers: readonly ContainerRecord[],
  podIsTerminal: boolean,
): PodPhase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const { state, lastTerminated } of initContainers) {
    if (state.kind === "running") pendingInit++;
    else if (state.kind === "terminated") {
      if (state.exitCode !== 0) failedInit++;
    } else if (lastTerminated !== undefined) {
      if (lastTerminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const { state, lastTerminated } of containers) {
    if (state.kind === "running") running++;
    else if (state.kind === "terminated") {
      stopped++;
      if (state.exitCode === 0) succeeded++;
    } else if (lastTerminated !== undefined) stopped++;
    else waiting++;
  }

  const phase = ((): PodPhase => {
    if (failedInit > 0 && restartPolicy === "Never") return "Failed";
    if (pendingInit > 0 || waiting > 0) return "Pending";
    if (running > 0) return "Running";
    if (stopped > 0) {
      if (podIsTerminal) return stopped === succeeded ? "Succeeded" : "Failed";
      if (restartPolicy === "Always") return "Running";
      if (stopped === succeeded) return "Succeeded";
      if (restartPolicy === "Never") return "Failed";
      return "Running";
    }
    return "Pending";
  })();
  // A pod the agent has finished with is never left in a non-terminal phase.
  return podIsTerminal && !isTerminalPhase(phase) ? "Failed" : phase;
}

/** RFC 3339 with whole seconds, as metav1.Time serialises. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

export interface ContainerStatusDoc {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: StateDoc;
  lastState: StateDoc;
}

export interface StateDoc {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    reason: string;
    message?: string;
    startedAt?: string;
    finishedAt: string;
    containerID?: string;
  };
}

export interface ConditionDoc {
  type: string;
  status: "True" | "False";
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface PodStatusDoc {
  phase: PodPhase;
  conditions: ConditionDoc[];
  hostIP: string;
  hostIPs: { ip: string }[];
  podIP: string;
  podIPs: { ip: string }[];
  startTime?: string;
  reason?: string;
  message?: string;
  initContainerStatuses?: ContainerStatusDoc[];
  containerStatuses: ContainerStatusDoc[];
}

export function containerID(pid: number): string {
  return `node-agent://${pid}`;
}

function stateDoc(state: ContainerState | undefined): StateDoc {
  if (state === undefined) return {};
  switch (state.kind) {
    case "waiting":
      return { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } };
    case "running":
      return { running: { startedAt: rfc3339(state.startedAt) } };
    case "terminated":
      return {
        terminated: {
          exitCode: state.exitCode,
          reason: state.reason,
          ...(state.message ? { message: state.message } : {}),
          ...(state.startedAt ? { startedAt: rfc3339(state.startedAt) } : {}),
          finishedAt: rfc3339(state.finishedAt),
          ...(state.pid !== undefined ? { containerID: containerID(state.pid) } : {}),
        },
      };
  }
}

function pidOf(record: ContainerRecord): number | undefined {
  if (record.state.kind === "running" || record.state.kind === "terminated") return record.state.pid;
  return record.lastTerminated?.pid;
}

export function containerStatusDoc(record: ContainerRecord): ContainerStatusDoc {
  const pid = pidOf(record);
  const running = record.state.kind === "running";
  return {
    name: record.name,
    image: record.image,
    // Images are ignored: the container runs as a host process. The ID says so.
    imageID: pid === undefined ? "" : `node-agent://host-process/${record.image}`,
    ...(pid !== undefined ? { containerID: containerID(pid) } : {}),
    // Without probes a running container is ready and started, as with the kubelet.
    ready: running,
    started: running,
    restartCount: record.restartCount,
    state: stateDoc(record.state),
    lastState: stateDoc(record.lastTerminated),
  };
}

/** Keeps a condition's lastTransitionTime while its status is unchanged, as the status manager does. */
function condition(
  previous: readonly V1PodCondition[],
  now: Date,
  type: string,
  isTrue: boolean,
  reason?: string,
  message?: string,
): ConditionDoc {
  const status = isTrue ? "True" : "False";
  const before = previous.find((c) => c.type === type);
  const since =
    before?.status === status && before.lastTransitionTime ? new Date(before.lastTransitionTime) : now;
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: rfc3339(since),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function computePodStatus(pod: V1Pod, runtime: PodRuntime, address: string, now: Date): PodStatusDoc {
  const restartPolicy = pod.spec?.restartPolicy ?? "Always";
  const phase = podPhase(
    restartPolicy,
    runtime.initContainers,
    runtime.containers,
    runtime.terminal !== undefined,
  );
  const previous = pod.status?.conditions ?? [];

  const incompleteInit = runtime.initContainers
    .filter((c) => !(c.state.kind === "terminated" && c.state.exitCode === 0))
    .map((c) => c.name);
  const unready = runtime.containers.filter((c) => c.state.kind !== "running").map((c) => c.name);
  const completed = phase === "Succeeded";
  const notReadyReason = completed ? "PodCompleted" : "ContainersNotReady";
  const notReadyMessage = completed ? undefined : `containers with unready status: [${unready.join(" ")}]`;

  const conditions = [
    condition(previous, now, "PodReadyToStartContainers", runtime.sandboxReady && !isTerminalPhase(phase)),
    incompleteInit.length === 0
      ? condition(
          previous,
          now,
          "Initialized",
          true,
          completed && runtime.initContainers.length > 0 ? "PodCompleted" : undefined,
        )
      : condition(
          previous,
          now,
          "Initialized",
          false,
          "ContainersNotInitialized",
          `containers with incomplete status: [${incompleteInit.join(" ")}]`,
        ),
    unready.length === 0
      ? condition(previous, now, "Ready", true)
      : condition(previous, now, "Ready", false, notReadyReason, notReadyMessage),
    unready.length === 0
      ? condition(previous, now, "ContainersReady", true)
      : condition(previous, now, "ContainersReady", false, notReadyReason, notReadyMessage),
    condition(previous, now, "PodScheduled", true),
  ];

  return {
    phase,
    conditions,
    hostIP: address,
    hostIPs: [{ ip: address }],
    podIP: address,
    podIPs: [{ ip: address }],
    ...(runtime.startTime ? { startTime: rfc3339(runtime.startTime) } : {}),
    ...(runtime.terminal?.reason ? { reason: runtime.terminal.reason } : {}),
    ...(runtime.terminal?.message ? { message: runtime.terminal.message } : {}),
    ...(runtime.initContainers.length > 0
      ? { initContainerStatuses: runtime.initContainers.map(containerStatusDoc) }
      : {}),
    containerStatuses: runtime.containers.map(containerStatusDoc),
  };
}

/**
 * The strategic-merge patch the agent sends to pods/status. The uid makes it fail on a pod recreated
 * under the same name instead of writing this pod's status onto it, as the kubelet's patch does.
 */
export function podStatusPatch(
  pod: V1Pod,
  status: PodStatusDoc,
): { metadata: { uid: string }; status: PodStatusDoc } {
  return { metadata: { uid: pod.metadata?.uid ?? "" }, status };
}

/** Whether writing `status` would change what the API holds (so identical heartbeats are skipped). */
export function statusKey(status: PodStatusDoc): string {
  return JSON.stringify(status);
}
