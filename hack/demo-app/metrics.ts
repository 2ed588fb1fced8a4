// The demo app's /metrics. These names are an interface: the demo Environment's PromQL queries use them.
//
//   demo_requests_total{version, code}            counter: answered requests; code is "200" or "500"
//   demo_request_duration_seconds{version}        histogram (_bucket{le}, _sum, _count): time to answer
//   demo_traffic_weight_percent{version}          gauge: the version's share of traffic, 0..100
//
// A deployed version's series exist from the moment it is deployed (counters at 0, so the first error
// is seen by rate()), and go away when it stops being deployed. A version whose row says
// `exposesMetrics: false` has no series at all, whatever traffic it serves: that is "no data".
// Node's default process metrics (process_resident_memory_bytes, ...) are exposed too.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Share } from "./routing.js";

export const METRIC_NAMES = {
  requests: "demo_requests_total",
  duration: "demo_request_duration_seconds",
  weight: "demo_traffic_weight_percent",
} as const;

/** The status codes the app answers traffic with; each deployed version has a series for each. */
export const RESPONSE_CODES = ["200", "500"] as const;
export type ResponseCode = (typeof RESPONSE_CODES)[number];

/**
 * Dense around the table's 40 ms median and its 200 ms slow version, so histogram_quantile tells a 3x
 * latency breach from noise.
 */
export const DURATION_BUCKETS = [
  0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 2.5,
];

export class DemoMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: METRIC_NAMES.requests,
    help: "Requests answered, by the version that answered and the HTTP status code.",
    labelNames: ["version", "code"] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: METRIC_NAMES.duration,
    help: "Time from receiving a request to finishing its answer, by version.",
    labelNames: ["version"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly weight = new Gauge({
    name: METRIC_NAMES.weight,
    help: "The version's share of traffic, in percent.",
    labelNames: ["version"] as const,
    registers: [this.registry],
  });
  /** Versions whose series are currently exposed. */
  private exposed = new Set<string>();

  constructor(private readonly exposesMetrics: (version: string) => boolean) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Creates the series of newly deployed versions, removes those of versions no longer deployed. */
  deployed(shares: readonly Share[]): void {
    const next = new Set(
      shares.filter((share) => this.exposesMetrics(share.version)).map((share) => share.version),
    );
    for (const version of this.exposed) {
      if (next.has(version)) continue;
      for (const code of RESPONSE_CODES) this.requests.remove({ version, code });
      this.duration.remove({ version });
      this.weight.remove({ version });
    }
    for (const share of shares) {
      if (!next.has(share.version)) continue;
      if (!this.exposed.has(share.version)) {
        for (const code of RESPONSE_CODES) this.requests.inc({ version: share.version, code }, 0);
        this.duration.zero({ version: share.version });
      }
      this.weight.set({ version: share.version }, share.weight);
    }
    this.exposed = next;
  }

  answered(version: string, code: ResponseCode, seconds: number): void {
    if (!this.exposed.has(version)) return;
    this.requests.inc({ version, code });
    this.duration.observe({ version }, seconds);
  }

  async exposition(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
