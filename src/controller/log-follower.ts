// Following the output of the release's script Jobs (deploy, rollback) as it comes: one log stream per
// Job Pod, each line kept with the kubelet's timestamp in a bounded log, and the Release woken (at most
// every `throttleMs`) so its reconcile writes the news into the report and judges idleness. Streams
// live beside the reconciles; a stream that ends while the container still runs, or fails, is opened
// again from the start and the lines already read are skipped (the log is append-only), so nothing is
// lost or doubled across reconnects. After an operator restart the log is simply read again.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../log.js";
import { BoundedLog, splitTimestamp } from "../report/job-log.js";

export interface LogTarget {
  namespace: string;
  pod: string;
  container: string;
}

/** Streams a container's log, timestamped, from its first line; resolves when it ends, rejects on error. */
export type LogSource = (
  target: LogTarget,
  onLine: (raw: string) => void,
  signal: AbortSignal,
) => Promise<void>;

const KEEPALIVE_MS = 30_000;

/** The pods/log endpoint with follow and timestamps, over the kubeconfig's own connection settings. */
export function kubeLogSource(kubeConfig: KubeConfig): LogSource {
  return async (target, onLine, signal) => {
    const server = kubeConfig.getCurrentCluster()?.server;
    if (server === undefined) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(
      `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log`,
      server,
    );
    url.searchParams.set("container", target.container);
    url.searchParams.set("follow", "true");
    url.searchParams.set("timestamps", "true");
    const options: https.RequestOptions = { method: "GET", headers: {} };
    await kubeConfig.applyToHTTPSOptions(options);
    const client = url.protocol === "http:" ? http : https;
    await new Promise<void>((resolve, reject) => {
      const request = client.request(url, { ...options, signal }, (response) => {
        if (response.statusCode !== 200) {
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (body += chunk));
          response.on("end", () => {
            reject(
              new Error(
                `reading the log of ${target.namespace}/${target.pod}: HTTP ${response.statusCode ?? "?"} ${body.slice(0, 300)}`,
              ),
            );
          });
          return;
        }
        let pending = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          pending += chunk;
          let newline = pending.indexOf("\n");
          while (newline !== -1) {
            onLine(pending.slice(0, newline).replace(/\r$/, ""));
            pending = pending.slice(newline + 1);
            newline = pending.indexOf("\n");
          }
        });
        response.on("end", () => {
          if (pending !== "") onLine(pending);
          resolve();
        });
        response.on("error", reject);
      });
      request.on("socket", (socket) => socket.setKeepAlive(true, KEEPALIVE_MS));
      request.on("error", reject);
      request.end();
    });
  };
}

export interface LogView {
  log: BoundedLog;
  /** Every line is in: the stream ended after the container stopped. */
  ended: boolean;
  following: boolean;
}

interface Stream {
  pod: string;
  target: LogTarget;
  log: BoundedLog;
  /** Lines to skip when a stream is opened again from the start. */
  skip: number;
  controller?: AbortController;
  running: boolean;
  /** What the last reconcile said of the container. */
  containerRunning: boolean;
  ended: boolean;
  failures: number;
  retry?: NodeJS.Timeout;
}

export interface LogFollowersOptions {
  source: LogSource;
  wake: (key: string) => void;
  throttleMs?: number;
  retryMs?: number;
  log: Logger;
}

const MAX_RETRY_MS = 30_000;

export class LogFollowers {
  private readonly streams = new Map<string, Map<string, Stream>>();
  private readonly lastWake = new Map<string, number>();
  private readonly wakeTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: LogFollowersOptions) {}

  /** Starts following when nothing follows this Job's Pod yet; idempotent, called on every reconcile. */
  follow(key: string, purpose: string, target: LogTarget, containerRunning: boolean): void {
    let byPurpose = this.streams.get(key);
    if (byPurpose === undefined) {
      byPurpose = new Map();
      this.streams.set(key, byPurpose);
    }
    let stream = byPurpose.get(purpose);
    if (stream !== undefined && stream.pod !== target.pod) {
      this.close(stream);
      stream = undefined;
    }
    if (stream === undefined) {
      stream = {
        pod: target.pod,
        target,
        log: new BoundedLog(),
        skip: 0,
        running: false,
        containerRunning,
        ended: false,
        failures: 0,
      };
      byPurpose.set(purpose, stream);
    }
    stream.containerRunning = containerRunning;
    if (stream.running || stream.ended) return;
    // A stream that ended before the container stopped may have been cut short: once the container
    // has stopped, the rest is read at once instead of after the retry delay.
    if (stream.retry !== undefined && !containerRunning) {
      clearTimeout(stream.retry);
      stream.retry = undefined;
    }
    if (stream.retry === undefined) this.open(key, stream);
  }

  view(key: string, purpose: string): LogView | undefined {
    const stream = this.streams.get(key)?.get(purpose);
    if (stream === undefined) return undefined;
    return { log: stream.log, ended: stream.ended, following: stream.running };
  }

  /** Stops and forgets every stream of a Release. */
  forget(key: string): void {
    for (const stream of this.streams.get(key)?.values() ?? []) this.close(stream);
    this.streams.delete(key);
    clearTimeout(this.wakeTimers.get(key));
    this.wakeTimers.delete(key);
    this.lastWake.delete(key);
  }

  stopAll(): void {
    for (const key of [...this.streams.keys()]) this.forget(key);
  }

  get active(): number {
    let count = 0;
    for (const byPurpose of this.streams.values())
      for (const stream of byPurpose.values()) if (stream.running) count += 1;
    return count;
  }

  private close(stream: Stream): void {
    stream.controller?.abort();
    clearTimeout(stream.retry);
    stream.retry = undefined;
    stream.running = false;
  }

  private open(key: string, stream: Stream): void {
    const controller = new AbortController();
    stream.controller = controller;
    stream.running = true;
    // Opened again from the start: the lines already kept arrive first and are skipped.
    let toSkip = stream.log.seen;
    const wasRunning = stream.containerRunning;
    this.options
      .source(
        stream.target,
        (raw) => {
          if (controller.signal.aborted) return;
          if (toSkip > 0) {
            toSkip -= 1;
            return;
          }
          stream.log.push(splitTimestamp(raw));
          this.announce(key);
        },
        controller.signal,
      )
      .then(
        () => {
          if (controller.signal.aborted) return;
          stream.running = false;
          stream.failures = 0;
          // A stream ends for good only once the container has stopped; before that it may have been cut
          // short. Either way the Release hears of it at once: the container has probably just stopped.
          if (!wasRunning || !stream.containerRunning) stream.ended = true;
          else this.retry(key, stream);
          this.wakeNow(key);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          stream.running = false;
          stream.failures += 1;
          this.options.log.warn(
            {
              key,
              pod: stream.pod,
              failures: stream.failures,
              error: error instanceof Error ? error.message : String(error),
            },
            "Log stream failed; following again",
          );
          this.retry(key, stream);
        },
      );
  }

  private retry(key: string, stream: Stream): void {
    const base = this.options.retryMs ?? 1000;
    const delay = Math.min(MAX_RETRY_MS, base * 2 ** Math.max(0, stream.failures - 1));
    stream.retry = setTimeout(() => {
      stream.retry = undefined;
      if (this.streams.get(key) === undefined) return;
      this.open(key, stream);
    }, delay);
  }

  /** Wakes the Release now; the wake covers every line read so far, so a pending trailing wake is dropped. */
  private wakeNow(key: string): void {
    clearTimeout(this.wakeTimers.get(key));
    this.wakeTimers.delete(key);
    this.lastWake.set(key, Date.now());
    this.options.wake(key);
  }

  /** Wakes the Release at most once per throttle period, with a trailing wake for the last lines. */
  private announce(key: string): void {
    const throttle = this.options.throttleMs ?? 2000;
    const now = Date.now();
    const last = this.lastWake.get(key) ?? 0;
    if (now - last >= throttle) {
      this.wakeNow(key);
      return;
    }
    if (this.wakeTimers.has(key)) return;
    this.wakeTimers.set(
      key,
      setTimeout(
        () => {
          this.wakeNow(key);
        },
        throttle - (now - last),
      ),
    );
  }
}
