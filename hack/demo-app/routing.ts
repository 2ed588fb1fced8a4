// How the demo app decides, request by request, which version answers, whether it fails and how long it
// takes. Everything here is pure and deterministic, so the error ratio seen over a short window is the
// table's, not a coin toss's: tests and the demo must not be flaky.

/** One version's share of traffic, in percent (0..100). */
export interface Share {
  readonly version: string;
  readonly weight: number;
}

/**
 * Smooth weighted round-robin (the scheme nginx uses for upstream weights): each pick adds every
 * version's weight to its counter, picks the largest counter and takes the total off it. Over any run
 * of picks each version's count stays within one of its exact share, and versions are interleaved
 * rather than served in blocks. A version at weight 0 is never picked; ties go to the earlier share.
 */
export function pickVersion(
  shares: readonly Share[],
  counters: readonly number[],
): { readonly index: number; readonly counters: readonly number[] } {
  const total = shares.reduce((sum, share) => sum + share.weight, 0);
  if (total <= 0) throw new Error("no version has a share of traffic: the weights sum to 0");
  const raised = shares.map((share, index) => (counters[index] ?? 0) + share.weight);
  let chosen = 0;
  for (let index = 1; index < raised.length; index++) {
    if ((raised[index] ?? 0) > (raised[chosen] ?? 0)) chosen = index;
  }
  return {
    index: chosen,
    counters: raised.map((value, index) => (index === chosen ? value - total : value)),
  };
}

/**
 * Floating-point sums of a rate like 0.02 land a hair below 1 after 50 steps; without this slack the
 * error would come one request late and the ratio drift.
 */
const BUDGET_SLACK = 1e-9;

/**
 * An error budget accumulator: every request adds the version's error rate to the budget, and a
 * request that brings it to a whole error fails and spends it. A 2% version fails exactly one request
 * in fifty, evenly spread.
 */
export function spendErrorBudget(
  budget: number,
  errorRate: number,
): { readonly fails: boolean; readonly budget: number } {
  const raised = budget + errorRate;
  if (raised >= 1 - BUDGET_SLACK) return { fails: true, budget: Math.max(0, raised - 1) };
  return { fails: false, budget: raised };
}

/** How far (as a share of the median) one answer's latency may stray either way. */
export const LATENCY_JITTER = 0.25;

/** A latency around the median: `random` in [0, 1) maps linearly onto median ± LATENCY_JITTER. */
export function jitteredLatencyMs(medianMs: number, random: number): number {
  return medianMs * (1 + LATENCY_JITTER * (2 * random - 1));
}

/**
 * mulberry32: a tiny seeded generator of numbers in [0, 1). Seeded so two runs of the app jitter
 * alike; its quality is ample for spreading latencies.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
