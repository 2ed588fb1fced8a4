/**
 * Test infrastructure: list+watch of the pods bound to this node (fieldSelector spec.nodeName, the
 * only way the Node authorizer lets a node list pods). Watches break: each one is asked to end after
 * WATCH_SECONDS and is restarted from the last resourceVersion seen (bookmarks keep it fresh); an
 * error restarts it after a back-off with jitter; 410 Gone (the version is too old) relists.
 */
import { Watch, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { describeError, type NodeApi } from "./api.js";

export interface PodEvents {
  /** A complete list: every pod bound to the node now. */
  sync(pods: readonly V1Pod[]): void;
  upsert(pod: V1Pod): void;
  remove(pod: V1Pod): void;
}

/** Shorter than the client's 30 s inactivity timeout, so a quiet watch ends cleanly on the server's side. */
const WATCH_SECONDS = 25;
/** Short: the apiserver is on loopback, and a test waiting on a pod should not wait on the back-off. */
const MAX_BACKOFF_MS = 5_000;

/** Back-off before retry `attempt` (1-based): 500 ms doubling to 5 s, with up to 20% jitter. */
export function watchBackoffMs(attempt: number, random: number): number {
  const base = Math.min(500 * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.round(base * (1 + 0.2 * random));
}

export class PodWatch {
  private resourceVersion = "";
  private abort: AbortController | undefined;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly fieldSelector: string;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly api: NodeApi,
    private readonly nodeName: string,
    private readonly handlers: PodEvents,
    private readonly log: Logger,
  ) {
    this.fieldSelector = `spec.nodeName=${nodeName}`;
  }

  /** Lists once (throws if that fails), then keeps watching in the background. */
  async start(): Promise<void> {
    await this.list();
    void this.watch();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  private async list(): Promise<void> {
    const list = await this.api.listPods(this.nodeName);
    this.resourceVersion = list.metadata?.resourceVersion ?? "";
    this.handlers.sync(list.items);
    this.log.debug(
      { pods: list.items.length, resourceVersion: this.resourceVersion },
      "Listed pods bound to the node",
    );
  }

  private later(action: () => Promise<void>, delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      void action();
    }, delayMs);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.list();
      this.failures = 0;
      void this.watch();
    } catch (error) {
      this.failures++;
      const delay = watchBackoffMs(this.failures, Math.random());
      this.log.warn({ error: describeError(error), retryInMs: delay }, "Listing pods failed; retrying");
      this.later(() => this.relist(), delay);
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let gone = false;
    let sawEvent = false;
    const startedAt = Date.now();
    const onEvent = (type: string, object: unknown) => {
      sawEvent = true;
      if (type === "ERROR") {
        const status = object as { code?: number; message?: string };
        if (status.code === 410) gone = true;
        else this.log.warn({ code: status.code, message: status.message }, "Pod watch reported an error");
        return;
      }
      const pod = object as V1Pod;
      const version = pod.metadata?.resourceVersion;
      if (version) this.resourceVersion = version;
      if (type === "ADDED" || type === "MODIFIED") this.handlers.upsert(pod);
      else if (type === "DELETED") this.handlers.remove(pod);
    };
    const onDone = (error: unknown) => {
      this.abort = undefined;
      if (this.stopped) return;
      if (gone || (error as { statusCode?: number } | null)?.statusCode === 410) {
        this.log.debug("Pod watch expired (410 Gone); relisting");
        void this.relist();
        return;
      }
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      // A watch the server closes at once, again and again, must not become a busy loop.
      const endedAtOnce = !sawEvent && Date.now() - startedAt < 1_000;
      if ((error === null || error === undefined || timedOut) && !endedAtOnce) {
        this.failures = 0;
        void this.watch();
        return;
      }
      this.failures = sawEvent ? 1 : this.failures + 1;
      const delay = watchBackoffMs(this.failures, Math.random());
      this.log.warn(
        { error: error ? describeError(error) : "closed at once", retryInMs: delay },
        "Pod watch failed; restarting",
      );
      this.later(() => this.watch(), delay);
    };
    try {
      this.abort = await new Watch(this.kubeConfig).watch(
        "/api/v1/pods",
        {
          fieldSelector: this.fieldSelector,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: WATCH_SECONDS,
        },
        onEvent,
        onDone,
      );
    } catch (error) {
      onDone(error);
    }
  }
}
