/**
 * How each version of the demo app behaves. The demo releases walk through these: a good version, one
 * that doubles the error rate (a hard breach), one between the soft and hard thresholds (a human is
 * asked), a slow one (a latency breach) and one that exposes no data (the no-data grace applies).
 */
export type Behaviour = "good" | "errors-doubled" | "errors-soft" | "slow" | "no-data";

export interface VersionBehaviour {
  readonly version: string;
  readonly behaviour: Behaviour;
  /** Share of requests answered with a 5xx. */
  readonly errorRate: number;
  /** Median time to answer, in milliseconds. */
  readonly latencyMs: number;
  /** False for a version whose requests leave no trace in /metrics. */
  readonly exposesMetrics: boolean;
}

/** The baseline error rate and latency every other row is a multiple of. */
const BASE_ERROR_RATE = 0.02;
const BASE_LATENCY_MS = 40;

export const VERSION_TABLE: readonly VersionBehaviour[] = [
  {
    version: "1.4.0",
    behaviour: "good",
    errorRate: BASE_ERROR_RATE,
    latencyMs: BASE_LATENCY_MS,
    exposesMetrics: true,
  },
  {
    version: "1.4.1",
    behaviour: "good",
    errorRate: BASE_ERROR_RATE,
    latencyMs: BASE_LATENCY_MS,
    exposesMetrics: true,
  },
  {
    version: "1.4.2",
    behaviour: "good",
    errorRate: BASE_ERROR_RATE,
    latencyMs: BASE_LATENCY_MS,
    exposesMetrics: true,
  },
  // 2.5x the baseline: above the 2x hard ratio for error rates.
  {
    version: "1.4.3",
    behaviour: "errors-doubled",
    errorRate: BASE_ERROR_RATE * 2.5,
    latencyMs: BASE_LATENCY_MS,
    exposesMetrics: true,
  },
  // 1.75x the baseline: above the 1.5x soft ratio, below the 2x hard one.
  {
    version: "1.4.4",
    behaviour: "errors-soft",
    errorRate: BASE_ERROR_RATE * 1.75,
    latencyMs: BASE_LATENCY_MS,
    exposesMetrics: true,
  },
  // 5x the baseline latency: above the 3x hard ratio for latency.
  {
    version: "1.4.5",
    behaviour: "slow",
    errorRate: BASE_ERROR_RATE,
    latencyMs: BASE_LATENCY_MS * 5,
    exposesMetrics: true,
  },
  {
    version: "1.4.6",
    behaviour: "no-data",
    errorRate: BASE_ERROR_RATE,
    latencyMs: BASE_LATENCY_MS,
    exposesMetrics: false,
  },
];

/** The version the app runs when first started. */
export const INITIAL_VERSION = "1.4.1";

export function behaviourOf(version: string): VersionBehaviour | undefined {
  return VERSION_TABLE.find((row) => row.version === version);
}
