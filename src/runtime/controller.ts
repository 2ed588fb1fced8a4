import type { Logger } from "pino";
import type { BackoffPolicy } from "./backoff.js";
import { systemClock, WorkQueue, type Clock } from "./work-queue.js";

/** What a reconcile asks for when it succeeds: nothing, or another look after a while. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/**
 * Thrown by a reconcile for a spec that can never work as written: logged and not retried (the key's
 * failures are forgotten). The next change of the object enqueues it again.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TerminalError";
  }
}

export type ReconcileOutcome = "success" | "requeue" | "error" | "terminal";

/** How the controller reports to metrics; the metrics module implements it. */
export interface ControllerHooks {
  reconciled(controller: string, result: ReconcileOutcome, seconds: number): void;
  queueDepth(controller: string, depth: number): void;
}

export interface ControllerOptions {
  name: string;
  reconcile: (key: string) => Promise<ReconcileResult>;
  /** Workers draining the queue; one key is never reconciled by two of them at once. */
  concurrency: number;
  log: Logger;
  hooks?: ControllerHooks;
  /** Delays of retries after errors; the work queue's default unless given. */
  retry?: BackoffPolicy;
  clock?: Clock;
}

/** What to do with a key after its reconcile: a pure decision from how the reconcile ended. */
export type AfterReconcile =
  | { outcome: "success" }
  | { outcome: "requeue"; afterMs: number }
  | { outcome: "error"; error: unknown }
  | { outcome: "terminal"; error: TerminalError };

export function decideAfterReconcile(
  ended: { result: ReconcileResult } | { error: unknown },
): AfterReconcile {
  if ("error" in ended) {
    return ended.error instanceof TerminalError
      ? { outcome: "terminal", error: ended.error }
      : { outcome: "error", error: ended.error };
  }
  const afterMs = ended.result.requeueAfterMs;
  return afterMs === undefined ? { outcome: "success" } : { outcome: "requeue", afterMs };
}

/** An error's message with its causes, for a log line; never the error's other properties. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(
        typeof code === "string" && !current.message.includes(code)
          ? `${current.message} (${code})`
          : current.message,
      );
      current = current.cause;
    } else {
      parts.push(typeof current === "string" ? current : "non-error value thrown");
      current = undefined;
    }
  }
  return parts.filter((part) => part !== "").join(": ") || "unknown error";
}

/**
 * N workers draining one work queue into `reconcile`, in the shape of sample-controller's
 * processNextWorkItem: success forgets the key's failures (and requeues it when asked), an error
 * retries it with backoff, a TerminalError is logged and dropped.
 */
export class Controller {
  readonly queue: WorkQueue;
  private readonly options: ControllerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly inFlight = new Set<string>();
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(options: ControllerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(
        `controller ${options.name}: concurrency must be an integer >= 1, got ${String(options.concurrency)}`,
      );
    }
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.log = options.log.child({ controller: options.name });
    this.queue = new WorkQueue({
      name: options.name,
      clock: this.clock,
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    });
  }

  enqueue(key: string): void {
    this.queue.add(key);
    this.reportDepth();
  }

  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
    this.reportDepth();
  }

  /** Starts the workers. */
  start(): void {
    if (this.started) throw new Error(`controller ${this.options.name} was already started`);
    this.started = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.runWorker());
    this.log.info({ concurrency: this.options.concurrency }, "Started controller workers");
  }

  /**
   * Stops handing out keys and waits for the reconciles in flight, at most `timeoutMs`; those still
   * running then are logged by key and left to finish on their own.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.queue.shutDown();
    let timer: unknown;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = this.clock.setTimeout(() => {
        resolve("timeout");
      }, timeoutMs);
    });
    const finished = Promise.all(this.workers).then(() => "finished" as const);
    const ended = await Promise.race([finished, timedOut]);
    this.clock.clearTimeout(timer);
    if (ended === "timeout") {
      this.log.warn(
        { timeoutMs, inFlight: [...this.inFlight] },
        "Stopped controller with reconciles still in flight",
      );
    } else {
      this.log.info("Stopped controller");
    }
  }

  private async runWorker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.reportDepth();
      try {
        await this.process(key);
      } catch (error) {
        // Only a defect in this file gets here; the worker must outlive it.
        this.log.error({ key, error: describeError(error) }, "Controller worker failed");
      }
    }
  }

  private async process(key: string): Promise<void> {
    const log = this.log.child({ key });
    const startedAt = this.clock.now();
    this.inFlight.add(key);
    let outcome: ReconcileOutcome = "error";
    try {
      let ended: { result: ReconcileResult } | { error: unknown };
      try {
        ended = { result: await this.options.reconcile(key) };
      } catch (error) {
        ended = { error };
      }
      const decision = decideAfterReconcile(ended);
      outcome = decision.outcome;
      this.apply(key, decision, log);
    } finally {
      this.inFlight.delete(key);
      this.queue.done(key);
      const seconds = (this.clock.now() - startedAt) / 1000;
      log.debug({ outcome, seconds }, "Reconciled");
      this.callHook((hooks) => {
        hooks.reconciled(this.options.name, outcome, seconds);
      });
      this.reportDepth();
    }
  }

  private apply(key: string, decision: AfterReconcile, log: Logger): void {
    switch (decision.outcome) {
      case "success":
        this.queue.forget(key);
        return;
      case "requeue":
        this.queue.forget(key);
        this.queue.addAfter(key, decision.afterMs);
        return;
      case "error": {
        const failures = this.queue.failures(key) + 1;
        this.queue.addRateLimited(key);
        log.error(
          { error: describeError(decision.error), failures },
          "Reconcile failed; retrying with backoff",
        );
        return;
      }
      case "terminal":
        this.queue.forget(key);
        log.error(
          { error: describeError(decision.error) },
          "Reconcile failed terminally; not retrying until the object changes",
        );
        return;
    }
  }

  private reportDepth(): void {
    this.callHook((hooks) => {
      hooks.queueDepth(this.options.name, this.queue.depth);
    });
  }

  /** A failing metrics hook must never stop a worker. */
  private callHook(call: (hooks: ControllerHooks) => void): void {
    const hooks = this.options.hooks;
    if (hooks === undefined) return;
    try {
      call(hooks);
    } catch (error) {
      this.log.warn({ error: describeError(error) }, "Controller metrics hook failed");
    }
  }
}
