import { backoffDelay, type BackoffPolicy } from "./backoff.js";

/** Time as a seam: the runtime's timers go through this, so tests can drive them by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's own clock. Globals are looked up at each call, so fake timers installed later apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
};

/** Retries of a failing key: 200 ms, doubling up to 5 minutes, 10 % jitter. */
export const DEFAULT_RETRY: BackoffPolicy = { baseMs: 200, maxMs: 5 * 60_000, jitter: 0.1 };

export interface WorkQueueOptions {
  /** For logs and metrics, e.g. the controller's name. */
  name: string;
  /** Delays of addRateLimited; DEFAULT_RETRY unless given. */
  retry?: BackoffPolicy;
  clock?: Clock;
}

interface DelayedKey {
  readonly dueAt: number;
  readonly timer: unknown;
}

type Waiter = (key: string | undefined) => void;

/**
 * A queue of keys (`namespace/name`) with the semantics of client-go's workqueue:
 * - a key waits at most once: adding a key that is already ready does nothing;
 * - a key is never handed to two workers at once: added while being processed, it is handed out
 *   again only after `done(key)`;
 * - a delayed key keeps its earliest due time;
 * - failures are counted per key, and `addRateLimited` delays a key by its backoff.
 * Keys are handed out in the order they became ready.
 */
export class WorkQueue {
  readonly name: string;
  private readonly retry: BackoffPolicy;
  private readonly clock: Clock;
  /** Ready keys, in insertion order (a Set keeps that order and makes dedupe and removal O(1)). */
  private readonly ready = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: ready again once done. */
  private readonly addedWhileProcessing = new Set<string>();
  private readonly delayedKeys = new Map<string, DelayedKey>();
  private readonly failureCounts = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.clock = options.clock ?? systemClock;
    // A bad policy fails here, naming itself, rather than at the first failure of some key.
    backoffDelay(0, this.retry);
  }

  /** Keys ready to be processed. */
  get depth(): number {
    return this.ready.size;
  }

  /** Keys waiting for their due time. */
  get delayed(): number {
    return this.delayedKeys.size;
  }

  /** Keys handed out and not yet done. */
  get inFlight(): number {
    return this.processing.size;
  }

  add(key: string): void {
    if (this.shuttingDown || this.ready.has(key)) return;
    if (this.processing.has(key)) {
      this.addedWhileProcessing.add(key);
      return;
    }
    this.ready.add(key);
    this.handOut();
  }

  /** Adds `key` once `delayMs` have passed; a key already waiting keeps the earlier of both times. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const dueAt = this.clock.now() + delayMs;
    const waiting = this.delayedKeys.get(key);
    if (waiting !== undefined) {
      if (waiting.dueAt <= dueAt) return;
      this.clock.clearTimeout(waiting.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayedKeys.delete(key);
      this.add(key);
    }, delayMs);
    this.delayedKeys.set(key, { dueAt, timer });
  }

  /** Adds `key` after its backoff for the failures counted so far, and counts one more failure. */
  addRateLimited(key: string): void {
    const failures = this.failures(key);
    this.failureCounts.set(key, failures + 1);
    this.addAfter(key, backoffDelay(failures, this.retry));
  }

  /** Forgets the failures of `key`, so its next rate-limited add starts from the base delay. */
  forget(key: string): void {
    this.failureCounts.delete(key);
  }

  failures(key: string): number {
    return this.failureCounts.get(key) ?? 0;
  }

  /**
   * The next ready key, once there is one; the caller must call `done(key)` when finished with it.
   * Resolves with undefined once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.takeReady();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
    });
  }

  /** Marks `key` as processed; if it was added meanwhile, it is ready again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.addedWhileProcessing.delete(key)) this.add(key);
  }

  /**
   * Stops the queue: get() resolves with undefined from now on (waiting callers too), ready keys are
   * dropped, delayed keys are cancelled and further adds are ignored. Keys in flight may still call
   * done(). Nothing is lost by dropping keys: a restarted controller re-lists everything.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayedKeys.values()) this.clock.clearTimeout(timer);
    this.delayedKeys.clear();
    this.ready.clear();
    this.addedWhileProcessing.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  get isShutDown(): boolean {
    return this.shuttingDown;
  }

  /** Hands ready keys to waiting workers, marking each as processing before anyone else can take it. */
  private handOut(): void {
    while (this.waiters.length > 0) {
      const key = this.takeReady();
      if (key === undefined) return;
      const waiter = this.waiters.shift();
      waiter?.(key);
    }
  }

  private takeReady(): string | undefined {
    const next = this.ready.values().next();
    if (next.done === true) return undefined;
    const key = next.value;
    this.ready.delete(key);
    this.processing.add(key);
    return key;
  }
}
