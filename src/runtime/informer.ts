import {
  ADD,
  DELETE,
  ERROR,
  ListWatch,
  UPDATE,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";
import { describeError } from "./controller.js";
import { systemClock, type Clock } from "./work-queue.js";

export type ChangeEvent = "add" | "update" | "delete";
export type RestartCause = "error" | "stall";

/** How the informer reports to metrics; the metrics module implements it. */
export interface InformerHooks {
  restarted(informer: string, cause: RestartCause): void;
}

export interface InformerOptions<T extends KubernetesObject> {
  /** e.g. "releases", for logs and metrics. */
  name: string;
  kubeConfig: KubeConfig;
  /** Watch path, e.g. "/apis/release-operator.io/v1alpha1/releases" or a namespaced one. */
  path: string;
  /** Lists the objects; must apply the same namespace and label selector as `path` and `labelSelector`. */
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  log: Logger;
  /**
   * Called for every change of the cache. The object is the cache's own: clone it
   * (`structuredClone`) before changing anything. Event handlers should only enqueue keys.
   */
  onChange: (object: T, event: ChangeEvent) => void;
  /**
   * Drops from a fresh object what its readers never need, before it is cached (memory grows with
   * every object in the cluster). Changes the object in place; it is the informer's own.
   */
  trim?: (object: T) => void;
  /** Delays between restarts after errors or stalls; DEFAULT_RESTART unless given. */
  restart?: BackoffPolicy;
  /** No sign of progress for this long: stop, re-list, watch again. DEFAULT_STALL_AFTER_MS unless given. */
  stallAfterMs?: number;
  hooks?: InformerHooks;
  clock?: Clock;
}

/** 500 ms, doubling up to 30 s, with up to 50 % jitter so that many operators do not restart in step. */
export const DEFAULT_RESTART: BackoffPolicy = { baseMs: 500, maxMs: 30_000, jitter: 0.5 };
export const DEFAULT_STALL_AFTER_MS = 5 * 60_000;

/** What a cache does with an incoming object: client-go's rule, an unchanged resourceVersion is no change. */
export function changeOf<T extends KubernetesObject>(
  cached: T | undefined,
  incoming: T,
): "add" | "update" | undefined {
  if (cached === undefined) return "add";
  const before = cached.metadata?.resourceVersion;
  return before !== undefined && before === incoming.metadata?.resourceVersion ? undefined : "update";
}

/** What a restart needs to know about the list+watch it replaces. */
export interface WatchGenerationHealth {
  /** When its list was delivered; undefined if it never was. */
  readonly listedAt: number | undefined;
  /** Whether a watch connection of it was ever accepted by the apiserver. */
  readonly connected: boolean;
  /** Watch events it received after its list (bookmarks included). */
  readonly watchEvents: number;
}

/**
 * The backoff attempt for the restart that replaces a failed list+watch. The count starts over once a
 * list+watch proved healthy: listed, connected, and either delivered events or ran for a whole
 * `maxMs`. A server that accepts connections and drops them at once therefore still backs off.
 */
export function restartAttempt(
  previousAttempt: number,
  failed: WatchGenerationHealth,
  now: number,
  policy: BackoffPolicy,
): number {
  const provedHealthy =
    failed.listedAt !== undefined &&
    failed.connected &&
    (failed.watchEvents > 0 || now - failed.listedAt >= policy.maxMs);
  return provedHealthy ? 0 : previousAttempt;
}

/** Whether a list+watch last seen alive at `lastProgressAt` has stalled, or when to look again. */
export function stallCheck(
  lastProgressAt: number,
  now: number,
  stallAfterMs: number,
): { stalled: true } | { stalled: false; checkAgainInMs: number } {
  const quietFor = now - lastProgressAt;
  return quietFor >= stallAfterMs
    ? { stalled: true }
    : { stalled: false, checkAgainInMs: stallAfterMs - quietFor };
}

/**
 * A list+watch cache that never silently stops: the informer of SPEC section 6.
 *
 * Each list+watch "generation" is a client-node ListWatch (which re-lists by itself on 410 Gone and
 * reconnects after client-side timeouts). On any other error the ListWatch stops; the informer then
 * retires it and starts a new one after a backoff with jitter. Every generation lists first, and the
 * informer diffs that list against its own cache, so objects deleted or changed while no watch was
 * running arrive as `delete` and `update`. A generation that makes no progress (no list delivered,
 * no watch connection accepted, no watch event) for `stallAfterMs` is restarted the same way.
 * Callbacks of retired generations are ignored, so a stopped ListWatch (which reports its own abort
 * as an error) never triggers anything.
 *
 * Progress includes accepted watch connections because client-node's Watch aborts a connection
 * after 30 s without data and ListWatch reconnects from the last resourceVersion: a healthy but quiet
 * watch shows itself by reconnecting, while the apiserver's bookmark heartbeat (every minute) never
 * gets through such short connections.
 *
 * Objects handed out by `get`, `list` and `onChange` are the cache's own, shared with everyone:
 * callers must `structuredClone` them before changing anything.
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly options: InformerOptions<T>;
  private readonly restartPolicy: BackoffPolicy;
  private readonly stallAfterMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly cache = new ObjectCache<T>();
  private current: Generation<T> | undefined;
  private generations = 0;
  private attempt = 0;
  private restartCount = 0;
  private restartTimer: unknown;
  private stallTimer: unknown;
  private isSynced = false;
  private stopped = false;
  private started: Promise<void> | undefined;
  private settleStart: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(options: InformerOptions<T>) {
    this.options = options;
    this.restartPolicy = options.restart ?? DEFAULT_RESTART;
    backoffDelay(0, this.restartPolicy); // a bad policy fails here rather than at the first restart
    this.stallAfterMs = options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS;
    if (!(this.stallAfterMs > 0)) {
      throw new RangeError(
        `informer ${options.name}: stallAfterMs must be > 0, got ${String(this.stallAfterMs)}`,
      );
    }
    this.clock = options.clock ?? systemClock;
    this.log = options.log.child({ informer: options.name });
  }

  /** The informer's name, as in logs and metrics. */
  get name(): string {
    return this.options.name;
  }

  /** True once the first list has been delivered; stays true across restarts. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** How many times a failed or stalled list+watch was replaced. */
  get restarts(): number {
    return this.restartCount;
  }

  /**
   * Starts listing and watching. Resolves once the first list has been delivered to `onChange`;
   * keeps retrying until then, and rejects only if stopped before.
   */
  start(): Promise<void> {
    if (this.started !== undefined) return this.started;
    if (this.stopped) {
      return Promise.reject(new Error(`informer ${this.options.name} was stopped before it started`));
    }
    this.started = new Promise<void>((resolve, reject) => {
      this.settleStart = { resolve, reject };
    });
    this.runGeneration();
    return this.started;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const generation = this.current;
    this.current = undefined;
    if (generation !== undefined) await generation.listWatch.stop();
    if (!this.isSynced) {
      this.settleStart?.reject(
        new Error(`informer ${this.options.name} was stopped before its first list was delivered`),
      );
    }
    this.log.info({ restarts: this.restartCount }, "Stopped informer");
  }

  /** The cached object; the cache's own, so clone it before changing anything. */
  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(name, namespace ?? "");
  }

  /** The cached objects, of one namespace or all; the cache's own, so clone before changing any. */
  list(namespace?: string): readonly T[] {
    return this.cache.list(namespace);
  }

  private runGeneration(): void {
    const id = (this.generations += 1);
    const isCurrent = (): boolean => !this.stopped && this.current?.id === id;
    // The callbacks below use `generation`, declared after them: none runs before start().
    const watch = new ProgressWatch(this.options.kubeConfig, {
      isCurrent,
      connected: () => {
        if (!isCurrent()) return;
        generation.connected = true;
        generation.lastProgressAt = this.clock.now();
      },
      received: () => {
        if (!isCurrent()) return;
        if (generation.listedAt !== undefined) generation.watchEvents += 1;
        generation.lastProgressAt = this.clock.now();
      },
    });
    const listWatch = new ListWatch<T>(
      this.options.path,
      watch,
      () => this.listFor(generation),
      false,
      this.options.labelSelector,
      undefined,
      { delayFn: (ms) => this.sleep(ms) },
    );
    const generation: Generation<T> = {
      id,
      listWatch,
      listedAt: undefined,
      connected: false,
      watchEvents: 0,
      lastProgressAt: this.clock.now(),
    };
    this.current = generation;
    listWatch.on(ADD, (object) => {
      if (isCurrent()) this.upsert(object);
    });
    listWatch.on(UPDATE, (object) => {
      if (isCurrent()) this.upsert(object);
    });
    listWatch.on(DELETE, (object) => {
      if (isCurrent()) this.remove(object);
    });
    listWatch.on(ERROR, (error: unknown) => {
      if (isCurrent()) this.restart("error", error);
    });
    this.scheduleStallCheck(this.stallAfterMs);
    listWatch.start().catch((error: unknown) => {
      if (isCurrent()) this.restart("error", error);
    });
  }

  /** The list of one generation, diffed into the cache before ListWatch sees it. */
  private async listFor(generation: Generation<T>): Promise<KubernetesListObject<T>> {
    const list = await this.options.list();
    if (this.stopped || this.current !== generation) {
      // Rejecting keeps the retired ListWatch from opening a watch nobody would stop.
      throw new Error(`informer ${this.options.name}: list arrived after its watch was retired`);
    }
    const counts = this.replaceAll(list.items);
    generation.listedAt = this.clock.now();
    generation.lastProgressAt = generation.listedAt;
    if (!this.isSynced) {
      this.isSynced = true;
      this.log.info({ objects: this.cache.size }, "Synced informer");
      this.settleStart?.resolve();
    } else {
      this.log.info({ objects: this.cache.size, ...counts }, "Re-listed informer");
    }
    return list;
  }

  /** Makes the cache hold exactly `items`: deletes first, then adds and updates. */
  private replaceAll(items: readonly T[]): { added: number; updated: number; deleted: number } {
    const vanished = this.cache.retainOnly(items);
    for (const object of vanished) this.notify(object, "delete");
    let added = 0;
    let updated = 0;
    for (const item of items) {
      const change = this.upsert(item);
      if (change === "add") added += 1;
      if (change === "update") updated += 1;
    }
    return { added, updated, deleted: vanished.length };
  }

  private upsert(object: T): "add" | "update" | undefined {
    // managedFields is often as large as the object and never read here: not kept in memory
    // (controller-runtime's TransformStripManagedFields). The object is fresh from the wire, ours to trim.
    if (object.metadata?.managedFields !== undefined) delete object.metadata.managedFields;
    this.options.trim?.(object);
    const change = changeOf(this.cache.get(nameOf(object), namespaceOf(object)), object);
    if (change === undefined) return undefined;
    this.cache.set(object);
    this.notify(object, change);
    return change;
  }

  private remove(object: T): void {
    if (this.cache.delete(nameOf(object), namespaceOf(object)) !== undefined) {
      this.notify(object, "delete");
    }
  }

  /** A throwing handler must not break the watch (client-node swallows errors of watch callbacks). */
  private notify(object: T, event: ChangeEvent): void {
    try {
      this.options.onChange(object, event);
    } catch (error) {
      this.log.error(
        { event, object: keyOf(object), error: describeError(error) },
        "Informer change handler failed",
      );
    }
  }

  /** Retires the current generation and starts the next one after a backoff. */
  private restart(cause: RestartCause, error: unknown): void {
    const failed = this.current;
    if (this.stopped || failed === undefined) return;
    this.current = undefined;
    this.clearTimers();
    void failed.listWatch.stop();
    const attempt = restartAttempt(this.attempt, failed, this.clock.now(), this.restartPolicy);
    const delayMs = backoffDelay(attempt, this.restartPolicy);
    this.attempt = attempt + 1;
    this.restartCount += 1;
    this.log.warn(
      {
        cause,
        error: describeError(error),
        consecutiveFailures: this.attempt,
        delayMs,
        restarts: this.restartCount,
      },
      cause === "error"
        ? "Watch failed; restarting informer after backoff"
        : "Watch stalled; restarting informer after backoff",
    );
    try {
      this.options.hooks?.restarted(this.options.name, cause);
    } catch (hookError) {
      this.log.warn({ error: describeError(hookError) }, "Informer metrics hook failed");
    }
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) this.runGeneration();
    }, delayMs);
  }

  private scheduleStallCheck(inMs: number): void {
    this.stallTimer = this.clock.setTimeout(() => {
      this.stallTimer = undefined;
      const generation = this.current;
      if (this.stopped || generation === undefined) return;
      const check = stallCheck(generation.lastProgressAt, this.clock.now(), this.stallAfterMs);
      if (check.stalled) {
        this.restart(
          "stall",
          new Error(`no list, watch connection or watch event for ${this.stallAfterMs} ms`),
        );
      } else {
        this.scheduleStallCheck(check.checkAgainInMs);
      }
    }, inMs);
  }

  private clearTimers(): void {
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    if (this.stallTimer !== undefined) this.clock.clearTimeout(this.stallTimer);
    this.restartTimer = undefined;
    this.stallTimer = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.clock.setTimeout(resolve, ms);
    });
  }
}

interface Generation<T extends KubernetesObject> extends WatchGenerationHealth {
  readonly id: number;
  readonly listWatch: ListWatch<T>;
  listedAt: number | undefined;
  connected: boolean;
  watchEvents: number;
  lastProgressAt: number;
}

interface WatchSignals {
  /** False once the generation is retired: then no new connection is opened. */
  isCurrent(): boolean;
  connected(): void;
  received(): void;
}

type WatchArguments = Parameters<Watch["watch"]>;

/**
 * client-node's Watch, telling the informer when a connection was accepted and when an event
 * arrived, asking for bookmarks (they keep the resourceVersion fresh on long quiet connections), and
 * turning a rejected watch() (which ListWatch would leave unhandled) into a call of `done`.
 */
class ProgressWatch extends Watch {
  private readonly signals: WatchSignals;

  constructor(kubeConfig: KubeConfig, signals: WatchSignals) {
    super(kubeConfig);
    this.signals = signals;
  }

  override async watch(
    path: WatchArguments[0],
    queryParams: WatchArguments[1],
    callback: WatchArguments[2],
    done: WatchArguments[3],
  ): Promise<AbortController> {
    if (!this.signals.isCurrent()) return abortedController();
    // An object, not a let: the flag is set inside callbacks, which control-flow analysis cannot see.
    const connection = { ended: false };
    const endOnce: WatchArguments[3] = (error: unknown) => {
      if (connection.ended) return;
      connection.ended = true;
      done(error);
    };
    const forward: WatchArguments[2] = (phase, object: unknown, raw: unknown) => {
      this.signals.received();
      callback(phase, object, raw);
    };
    try {
      const controller = await super.watch(
        path,
        { ...queryParams, allowWatchBookmarks: true },
        forward,
        endOnce,
      );
      if (!connection.ended) this.signals.connected();
      return controller;
    } catch (error) {
      endOnce(error);
      return abortedController();
    }
  }
}

function abortedController(): AbortController {
  const controller = new AbortController();
  controller.abort();
  return controller;
}

function nameOf(object: KubernetesObject): string {
  return object.metadata?.name ?? "";
}

function namespaceOf(object: KubernetesObject): string {
  return object.metadata?.namespace ?? "";
}

function keyOf(object: KubernetesObject): string {
  const namespace = namespaceOf(object);
  return namespace === "" ? nameOf(object) : `${namespace}/${nameOf(object)}`;
}

/** The informer's cache: namespace -> name -> object. */
class ObjectCache<T extends KubernetesObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(name: string, namespace: string): T | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const objects of this.byNamespace.values()) all.push(...objects.values());
    return all;
  }

  set(object: T): void {
    const namespace = namespaceOf(object);
    let objects = this.byNamespace.get(namespace);
    if (objects === undefined) {
      objects = new Map();
      this.byNamespace.set(namespace, objects);
    }
    if (!objects.has(nameOf(object))) this.count += 1;
    objects.set(nameOf(object), object);
  }

  /** Removes and returns the object, if cached. */
  delete(name: string, namespace: string): T | undefined {
    const objects = this.byNamespace.get(namespace);
    if (objects === undefined) return undefined;
    const removed = objects.get(name);
    if (removed === undefined) return undefined;
    objects.delete(name);
    this.count -= 1;
    if (objects.size === 0) this.byNamespace.delete(namespace);
    return removed;
  }

  /** Removes every object not among `items`, and returns the removed ones. */
  retainOnly(items: readonly T[]): T[] {
    const kept = new Set(items.map(keyOf));
    const removed: T[] = [];
    for (const object of this.list()) {
      if (!kept.has(keyOf(object))) {
        this.delete(nameOf(object), namespaceOf(object));
        removed.push(object);
      }
    }
    return removed;
  }
}
