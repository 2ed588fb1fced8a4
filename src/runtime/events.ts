// Kubernetes Events (core/v1) about the operator's objects. A repeat of the same message about the
// same object bumps count and lastTimestamp on one Event, whose name is derived from what it says,
// so repeats stay one line in `kubectl describe` even across operator restarts.
import { createHash } from "node:crypto";
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type CoreV1Event } from "@kubernetes/client-node";
import { apiErrorMessage, statusCodeOf } from "./api-errors.js";
import type { Logger } from "../log.js";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export type EventType = "Normal" | "Warning";

/** The API's limit for an Event's message (events.k8s.io `note`); longer messages are cut. */
export const MAX_EVENT_MESSAGE_LENGTH = 1024;
/** How many Events the recorder remembers, to bump a repeat with one request instead of three. */
const REMEMBERED_EVENTS = 4096;
const MAX_NAME_LENGTH = 253;
/** Writes tried before a repeat is given up when others keep bumping the same Event. */
const CONFLICT_ATTEMPTS = 3;

/** At most MAX_EVENT_MESSAGE_LENGTH characters, cut on a character boundary with an ellipsis. */
export function eventMessage(message: string): string {
  const characters = Array.from(message);
  if (characters.length <= MAX_EVENT_MESSAGE_LENGTH) return message;
  return `${characters.slice(0, MAX_EVENT_MESSAGE_LENGTH - 1).join("")}…`;
}

/**
 * `<object>.<hash of what the Event says>`: the same (object, type, reason, message) always gets the
 * same name, so a repeat finds the Event to bump even after a restart.
 */
export function eventName(target: EventTarget, type: EventType, reason: string, message: string): string {
  const { name = "unnamed", namespace = "", uid } = target.metadata;
  const identity = uid ?? `${target.apiVersion}/${target.kind}/${namespace}/${name}`;
  const hash = createHash("sha256")
    .update(JSON.stringify([identity, type, reason, eventMessage(message)]))
    .digest("hex")
    .slice(0, 16);
  return `${name.slice(0, MAX_NAME_LENGTH - hash.length - 1)}.${hash}`;
}

export interface EventSource {
  component: string;
  instance: string;
}

/** A new Event, seen once at `now`. */
export function newEvent(
  target: EventTarget,
  type: EventType,
  reason: string,
  message: string,
  source: EventSource,
  now: Date,
): CoreV1Event {
  const namespace = target.metadata.namespace ?? "default";
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: eventName(target, type, reason, message), namespace },
    involvedObject: {
      apiVersion: target.apiVersion,
      kind: target.kind,
      name: target.metadata.name,
      namespace: target.metadata.namespace,
      uid: target.metadata.uid,
      resourceVersion: target.metadata.resourceVersion,
    },
    type,
    reason,
    message: eventMessage(message),
    source: { component: source.component },
    reportingComponent: source.component,
    reportingInstance: source.instance,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

/** The merge patch that counts one more sighting, guarded by the resourceVersion it was computed from. */
export function repeatPatch(
  count: number,
  now: Date,
  resourceVersion: string | undefined,
): Record<string, unknown> {
  return {
    count: count + 1,
    lastTimestamp: now.toISOString(),
    ...(resourceVersion === undefined ? {} : { metadata: { resourceVersion } }),
  };
}

interface Remembered {
  count: number;
  resourceVersion?: string;
}

export class EventRecorder {
  private readonly coreApi: CoreV1Api;
  private readonly source: EventSource;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly redact: (text: string) => string;
  /** namespace/name -> what we last wrote; insertion order makes it an LRU. */
  private readonly remembered = new Map<string, Remembered>();
  /** Writes to one Event are made one after another, so concurrent repeats each count. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(options: {
    coreApi: CoreV1Api;
    component: string;
    instance: string;
    log: Logger;
    now?: () => Date;
    /** Removes secret values from every message before it is written. */
    redact?: (text: string) => string;
  }) {
    this.coreApi = options.coreApi;
    this.source = { component: options.component, instance: options.instance };
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.redact = options.redact ?? ((text) => text);
  }

  /**
   * Records an Event about `target`; never throws (a failed Event is logged). Repeats within the
   * Event's life (the API server's event TTL) bump its count and lastTimestamp.
   */
  async record(target: EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    let key = `${target.metadata.namespace ?? ""}/${target.metadata.name ?? ""}`;
    try {
      const event = newEvent(target, type, reason, this.redact(message), this.source, this.now());
      key = `${event.metadata.namespace ?? "default"}/${event.metadata.name ?? ""}`;
      await this.serialized(key, () => this.write(key, event));
    } catch (error) {
      this.log.warn(
        {
          event: key,
          involvedObject: `${target.kind} ${target.metadata.namespace ?? ""}/${target.metadata.name ?? ""}`,
          type,
          reason,
          error: apiErrorMessage(error),
        },
        "Failed to record Event",
      );
    }
  }

  /** Runs `write` after every earlier write to the same Event has settled. */
  private async serialized(key: string, write: () => Promise<void>): Promise<void> {
    const previous = this.writing.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(write);
    this.writing.set(key, current);
    try {
      await current;
    } finally {
      if (this.writing.get(key) === current) this.writing.delete(key);
    }
  }

  private async write(key: string, event: CoreV1Event): Promise<void> {
    const namespace = event.metadata.namespace ?? "default";
    const name = event.metadata.name ?? "";
    const known = this.remembered.get(key);
    if (known !== undefined) {
      try {
        this.remember(key, await this.bump(namespace, name, known));
        return;
      } catch (error) {
        // 404: the Event expired (TTL) and is created anew; 409: someone else bumped it, read it below.
        const status = statusCodeOf(error);
        if (status !== 404 && status !== 409) throw error;
        this.remembered.delete(key);
      }
    }
    try {
      this.remember(key, await this.coreApi.createNamespacedEvent({ namespace, body: event }));
      return;
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
    }
    // It exists already (recorded before a restart, or by another instance): count on from it.
    for (let attempt = 1; ; attempt++) {
      const existing = await this.coreApi.readNamespacedEvent({ name, namespace });
      const current = { count: existing.count ?? 1, resourceVersion: existing.metadata.resourceVersion };
      try {
        this.remember(key, await this.bump(namespace, name, current));
        return;
      } catch (error) {
        if (statusCodeOf(error) !== 409 || attempt >= CONFLICT_ATTEMPTS) throw error;
      }
    }
  }

  private bump(namespace: string, name: string, known: Remembered): Promise<CoreV1Event> {
    return this.coreApi.patchNamespacedEvent(
      { name, namespace, body: repeatPatch(known.count, this.now(), known.resourceVersion) },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  private remember(key: string, written: CoreV1Event): void {
    this.remembered.delete(key);
    const remembered: Remembered = { count: written.count ?? 1 };
    if (written.metadata.resourceVersion !== undefined)
      remembered.resourceVersion = written.metadata.resourceVersion;
    this.remembered.set(key, remembered);
    if (this.remembered.size > REMEMBERED_EVENTS) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
  }
}
