/** Exponential backoff with jitter, shared by the work queue's retries and the informers' restarts. */
export interface BackoffPolicy {
  /** The delay before the first retry (attempt 0). */
  baseMs: number;
  /** The delay stops doubling here; jitter is added on top of it. */
  maxMs: number;
  /** 0..1: up to this fraction of the delay is added at random, so that many retriers spread out. */
  jitter: number;
}

/**
 * Beyond this, 2^attempt times any sane base is far above any cap; stopping here keeps the product
 * finite (a base of 0 times Infinity would be NaN).
 */
const MAX_DOUBLINGS = 62;

/**
 * The delay before retry number `attempt` (0-based): `baseMs * 2^attempt`, capped at `maxMs`, plus up
 * to `jitter` of that at random. Jitter is added after the cap so that retriers which all reached the
 * cap still spread out instead of retrying in lockstep.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  assertValidPolicy(policy);
  if (!Number.isFinite(attempt) || attempt < 0) {
    throw new RangeError(`backoff attempt must be a finite number >= 0, got ${String(attempt)}`);
  }
  const doublings = Math.min(Math.floor(attempt), MAX_DOUBLINGS);
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** doublings);
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.round(capped + capped * policy.jitter * fraction);
}

function assertValidPolicy(policy: BackoffPolicy): void {
  const { baseMs, maxMs, jitter } = policy;
  if (!Number.isFinite(baseMs) || baseMs < 0) {
    throw new RangeError(`backoff baseMs must be a finite number >= 0, got ${String(baseMs)}`);
  }
  if (!Number.isFinite(maxMs) || maxMs < baseMs) {
    throw new RangeError(
      `backoff maxMs must be a finite number >= baseMs (${String(baseMs)}), got ${String(maxMs)}`,
    );
  }
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw new RangeError(`backoff jitter must be between 0 and 1, got ${String(jitter)}`);
  }
}
