// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a replica may take
// the Lease when it is free, its own, or unchanged for the holder's lease duration as measured on the
// local clock since this replica last saw the record change (never by comparing the remote renewTime
// with the local clock, which would make clock skew decide who leads).
import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
} from "@kubernetes/client-node";
import { apiErrorMessage, statusCodeOf } from "./api-errors.js";
import type { Logger } from "../log.js";

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
  /** The clock lease expiry is judged by (a seam for tests); timers still run on real time. */
  now?: () => number;
  /**
   * Whether stop() hands the Lease over at once (client-go's ReleaseOnCancel; default true). false
   * leaves it to expire, as a crashed replica would.
   */
  releaseOnStop?: boolean;
}

export interface LeaderCallbacks {
  /**
   * Called once this replica holds the Lease: start the work only a leader does. It must not throw:
   * if it does, run() rejects with the error and the Lease is left to expire.
   */
  onStartedLeading: () => void;
  /** Called when leading ends: lost (renewal failed or another holder seen) or stop() was called. */
  onStoppedLeading: () => void;
}

/** The Lease's spec as election reads it; times are kept as the exact RFC 3339 text the server wrote. */
export interface LeaseRecord {
  /** "" when nobody holds it (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

/** A record and when this replica first saw it, by the local clock (client-go's observedTime). */
export interface Observation {
  record: LeaseRecord;
  atMs: number;
}

// --- Decisions (pure).

export function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** The observation after reading `record` at `nowMs`: the clock restarts only when the record changed. */
export function observe(previous: Observation | undefined, record: LeaseRecord, nowMs: number): Observation {
  return previous !== undefined && sameRecord(previous.record, record) ? previous : { record, atMs: nowMs };
}

/**
 * Whether `identity` may write itself into the Lease: it is free (released), already ours, or its
 * holder has not renewed it for the holder's own lease duration since we saw the record change.
 * `fallbackLeaseDurationMs` stands in for a record without a duration.
 */
export function canAcquire(
  observed: LeaseRecord,
  observedAtMs: number,
  nowMs: number,
  identity: string,
  fallbackLeaseDurationMs: number,
): boolean {
  if (observed.holderIdentity === "" || observed.holderIdentity === identity) return true;
  const durationMs =
    observed.leaseDurationSeconds > 0 ? observed.leaseDurationSeconds * 1000 : fallbackLeaseDurationMs;
  return observedAtMs + durationMs <= nowMs;
}

/**
 * The record `identity` writes to take or renew the Lease. Renewing keeps acquireTime and the
 * transition count; taking it from someone else (or from nobody) starts a new term.
 */
export function claimRecord(
  observed: LeaseRecord | undefined,
  identity: string,
  nowMs: number,
  leaseDurationMs: number,
): LeaseRecord {
  const now = microTimeText(nowMs);
  const leaseDurationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  if (observed === undefined) {
    return {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
  }
  if (observed.holderIdentity === identity) {
    return { ...observed, leaseDurationSeconds, renewTime: now, acquireTime: observed.acquireTime ?? now };
  }
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: observed.leaseTransitions + 1,
  };
}

/** What a leader writes on stop so a successor takes over at once (as client-go's ReleaseOnCancel). */
export function releasedRecord(observed: LeaseRecord, nowMs: number): LeaseRecord {
  const now = microTimeText(nowMs);
  return {
    holderIdentity: "",
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: observed.leaseTransitions,
  };
}

/** A time in the API's MicroTime notation: 2026-05-01T10:00:00.123000Z. */
export function microTimeText(ms: number): string {
  return new V1MicroTime(ms).toISOString();
}

// --- Between records and Lease objects.

/** client-node hands MicroTime fields over as the server's text (it has no parser for them) or a Date. */
function timeText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Date) return microTimeText(value.getTime());
  return undefined;
}

export function recordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const record: LeaseRecord = {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
  const acquireTime = timeText(spec.acquireTime);
  const renewTime = timeText(spec.renewTime);
  if (acquireTime !== undefined) record.acquireTime = acquireTime;
  if (renewTime !== undefined) record.renewTime = renewTime;
  return record;
}

/** A MicroTime that serializes to exactly the text it was made from, so a kept acquireTime stays byte-equal. */
class ExactMicroTime extends V1MicroTime {
  constructor(private readonly text: string) {
    super(text);
  }

  override toISOString(): string {
    return this.text;
  }
}

/** The spec written: the whole record (client-go's LeaseLock replaces the spec the same way). */
function specOf(record: LeaseRecord): V1LeaseSpec {
  const spec: V1LeaseSpec = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
  };
  if (record.acquireTime !== undefined) spec.acquireTime = new ExactMicroTime(record.acquireTime);
  if (record.renewTime !== undefined) spec.renewTime = new ExactMicroTime(record.renewTime);
  return spec;
}

// --- The elector.

interface Attempt {
  outcome: "holding" | "held-by-other" | "failed";
  /** The holder seen, or what went wrong. */
  detail: string;
  /** The Lease as last read or written, with the resourceVersion the next write needs. */
  lease?: V1Lease;
  observation?: Observation;
}

const STOPPED = Symbol("stopped");

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly now: () => number;
  private readonly where: string;
  private observation: Observation | undefined;
  private lease: V1Lease | undefined;
  private leading = false;
  private stopping = false;
  private running: Promise<void> | undefined;
  /** Wakes the loop from its sleep when stop() is called. */
  private readonly wake = new AbortController();

  constructor(private readonly options: LeaderElectionOptions) {
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = options;
    if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
      throw new Error(
        `leader election needs 0 < retryPeriod < renewDeadline < leaseDuration; got ${retryPeriodMs}ms, ${renewDeadlineMs}ms, ${leaseDurationMs}ms`,
      );
    }
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.now = options.now ?? Date.now;
    this.where = `Lease ${options.namespace}/${options.name}`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** A method, not the field, so the compiler does not assume it unchanged across an await. */
  private isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Tries every retryPeriod until it holds the Lease, then renews every retryPeriod; leading ends
   * when no renewal succeeded for renewDeadline, when another holder is seen, or on stop().
   * Resolves once leading has ended (or stop() came first); runs once per elector.
   */
  run(callbacks: LeaderCallbacks): Promise<void> {
    if (this.running !== undefined) throw new Error(`LeaderElector for ${this.where} was already run`);
    this.running = this.loop(callbacks);
    return this.running;
  }

  /**
   * Stops trying or renewing; a leader releases the Lease (unless releaseOnStop is false) and calls
   * onStoppedLeading before this resolves. Stop the leader's work first: a successor starts at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    await this.running;
  }

  private async loop(callbacks: LeaderCallbacks): Promise<void> {
    const log = this.options.log;
    if (!(await this.acquire())) return;
    this.leading = true;
    log.info({ lease: this.where, identity: this.options.identity }, "Became leader");
    try {
      callbacks.onStartedLeading();
      const ended = await this.renewWhileLeading();
      this.leading = false;
      if (ended === STOPPED) {
        if (this.options.releaseOnStop ?? true) await this.release();
        log.info({ lease: this.where }, "Stopped leading");
      } else {
        log.warn({ lease: this.where, reason: ended }, "Lost leadership");
      }
    } finally {
      this.leading = false;
    }
    callbacks.onStoppedLeading();
  }

  private async acquire(): Promise<boolean> {
    const log = this.options.log;
    log.info({ lease: this.where, identity: this.options.identity }, "Trying to acquire Lease");
    let lastDetail = "";
    while (!this.stopping) {
      const attempt = await this.attempt(this.options.renewDeadlineMs);
      if (this.isStopping()) {
        // A Lease taken while stopping is handed back at once rather than led.
        if (attempt.outcome === "holding" && (this.options.releaseOnStop ?? true)) await this.release();
        return false;
      }
      if (attempt.outcome === "holding") return true;
      if (attempt.detail !== lastDetail) {
        log.info(
          { lease: this.where, outcome: attempt.outcome, detail: attempt.detail },
          "Did not acquire Lease",
        );
        lastDetail = attempt.detail;
      }
      // Jitter spreads replicas that started together.
      await this.sleep(this.options.retryPeriodMs * (1 + Math.random() * 0.2));
    }
    return false;
  }

  /** Renews until stopped (STOPPED) or leadership is lost (why). */
  private async renewWhileLeading(): Promise<typeof STOPPED | string> {
    const { renewDeadlineMs, retryPeriodMs, log } = this.options;
    let lastRenewedAt = this.now();
    for (;;) {
      await this.sleep(retryPeriodMs);
      if (this.isStopping()) return STOPPED;
      const remainingMs = lastRenewedAt + renewDeadlineMs - this.now();
      const attempt: Attempt =
        remainingMs <= 0
          ? { outcome: "failed", detail: "the renew deadline passed while waiting" }
          : await this.attempt(remainingMs);
      if (attempt.outcome === "holding") {
        lastRenewedAt = this.now();
        continue;
      }
      if (attempt.outcome === "held-by-other") return `the Lease is held by ${attempt.detail}`;
      if (this.now() - lastRenewedAt >= renewDeadlineMs) {
        return `no renewal succeeded for ${renewDeadlineMs}ms; last: ${attempt.detail}`;
      }
      if (this.isStopping()) return STOPPED;
      log.warn({ lease: this.where, detail: attempt.detail }, "Failed to renew Lease; retrying");
    }
  }

  /**
   * One try, given up after `deadlineMs` (a hung request must neither keep a lost leader leading nor
   * hold stop() up); state is taken from it only if it finished in time.
   */
  private async attempt(deadlineMs: number): Promise<Attempt> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<Attempt>((resolve) => {
      timer = setTimeout(() => {
        resolve({ outcome: "failed", detail: `no answer from the API server within ${deadlineMs}ms` });
      }, deadlineMs);
    });
    let settled = false;
    const tried = this.tryAcquireOrRenew().then(
      (attempt) => {
        if (!settled) this.adopt(attempt);
        return attempt;
      },
      (error: unknown): Attempt => ({
        outcome: "failed",
        detail: `trying ${this.where} failed: ${apiErrorMessage(error)}`,
      }),
    );
    try {
      return await Promise.race([tried, expired]);
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  private adopt(attempt: Attempt): void {
    if (attempt.lease !== undefined) this.lease = attempt.lease;
    if (attempt.observation !== undefined) this.observation = attempt.observation;
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    const { identity, leaseDurationMs, namespace, name } = this.options;
    const startedAt = this.now();
    // A leader whose lease is still valid renews what it last wrote without reading it first; a
    // conflict sends it down the full path below.
    if (this.leading && this.lease !== undefined && this.observation !== undefined) {
      const { record, atMs } = this.observation;
      if (atMs + leaseDurationMs > startedAt) {
        try {
          return this.holding(
            await this.replace(this.lease, claimRecord(record, identity, startedAt, leaseDurationMs)),
          );
        } catch (error) {
          this.options.log.debug({ lease: this.where, error: apiErrorMessage(error) }, "Fast renewal failed");
        }
      }
    }

    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusCodeOf(error) !== 404) {
        return { outcome: "failed", detail: `reading ${this.where} failed: ${apiErrorMessage(error)}` };
      }
      return this.create();
    }
    const now = this.now();
    const observation = observe(this.observation, recordOf(lease), now);
    const { record, atMs } = observation;
    if (!canAcquire(record, atMs, now, identity, leaseDurationMs)) {
      return { outcome: "held-by-other", detail: record.holderIdentity, lease, observation };
    }
    try {
      return this.holding(await this.replace(lease, claimRecord(record, identity, now, leaseDurationMs)));
    } catch (error) {
      const detail =
        statusCodeOf(error) === 409
          ? `another replica updated ${this.where} first`
          : `updating ${this.where} failed: ${apiErrorMessage(error)}`;
      return { outcome: "failed", detail, lease, observation };
    }
  }

  private async create(): Promise<Attempt> {
    const { identity, leaseDurationMs, namespace, name } = this.options;
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace },
      spec: specOf(claimRecord(undefined, identity, this.now(), leaseDurationMs)),
    };
    try {
      return this.holding(await this.api.createNamespacedLease({ namespace, body }));
    } catch (error) {
      const detail =
        statusCodeOf(error) === 409
          ? `another replica created ${this.where} first`
          : `creating ${this.where} failed: ${apiErrorMessage(error)}`;
      return { outcome: "failed", detail };
    }
  }

  private holding(written: V1Lease): Attempt {
    return {
      outcome: "holding",
      detail: this.options.identity,
      lease: written,
      observation: { record: recordOf(written), atMs: this.now() },
    };
  }

  /** Optimistic write: the body carries the resourceVersion read, so a concurrent writer gets a 409. */
  private replace(lease: V1Lease, record: LeaseRecord): Promise<V1Lease> {
    const { namespace, name } = this.options;
    return this.api.replaceNamespacedLease({
      name,
      namespace,
      body: {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: lease.metadata,
        spec: specOf(record),
      },
    });
  }

  private async release(): Promise<void> {
    const { lease, observation } = this;
    if (lease === undefined || observation === undefined) return;
    try {
      this.lease = await this.replace(lease, releasedRecord(observation.record, this.now()));
      this.options.log.info({ lease: this.where }, "Released Lease");
    } catch (error) {
      this.options.log.warn(
        { lease: this.where, error: apiErrorMessage(error) },
        "Could not release Lease; a successor takes over when it expires",
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wake.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.signal.addEventListener("abort", done);
    });
  }
}
