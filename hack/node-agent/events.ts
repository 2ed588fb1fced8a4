/**
 * Test infrastructure: Events about pods, in the kubelet's words and with its source
 * (component "kubelet", host = the node), so `kubectl describe pod` reads as on a real node.
 * Best effort: a failed Event is logged and forgotten.
 */
import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { describeError, type NodeApi } from "./api.js";

export type EventType = "Normal" | "Warning";

export interface PodEventInput {
  readonly pod: V1Pod;
  readonly nodeName: string;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  /** The container the event is about: becomes involvedObject.fieldPath, as the kubelet sets it. */
  readonly container?: { readonly name: string; readonly init: boolean };
  readonly now: Date;
  /** Makes the event's name unique; the kubelet uses the time in nanoseconds, in hex. */
  readonly uniqueSuffix: string;
}

export function podEvent(input: PodEventInput): CoreV1Event {
  const { pod, container } = input;
  const fieldPath = container
    ? `spec.${container.init ? "initContainers" : "containers"}{${container.name}}`
    : undefined;
  return {
    metadata: {
      name: `${pod.metadata?.name ?? "pod"}.${input.uniqueSuffix}`,
      namespace: pod.metadata?.namespace ?? "default",
    },
    involvedObject: {
      apiVersion: "v1",
      kind: "Pod",
      namespace: pod.metadata?.namespace ?? "default",
      name: pod.metadata?.name ?? "",
      uid: pod.metadata?.uid ?? "",
      ...(pod.metadata?.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
      ...(fieldPath ? { fieldPath } : {}),
    },
    type: input.type,
    reason: input.reason,
    message: input.message,
    source: { component: "kubelet", host: input.nodeName },
    reportingComponent: "kubelet",
    reportingInstance: input.nodeName,
    firstTimestamp: input.now,
    lastTimestamp: input.now,
    count: 1,
  };
}

export class EventRecorder {
  private sequence = 0;

  constructor(
    private readonly api: NodeApi,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  emit(
    pod: V1Pod,
    type: EventType,
    reason: string,
    message: string,
    container?: { readonly name: string; readonly init: boolean },
  ): void {
    const now = new Date();
    this.sequence++;
    const uniqueSuffix = (BigInt(now.getTime()) * 1_000_000n + BigInt(this.sequence)).toString(16);
    const event = podEvent({
      pod,
      nodeName: this.nodeName,
      type,
      reason,
      message,
      now,
      uniqueSuffix,
      ...(container ? { container } : {}),
    });
    this.api.createEvent(event).catch((error: unknown) => {
      this.log.debug({ reason, error: describeError(error) }, "Could not record event");
    });
  }
}
