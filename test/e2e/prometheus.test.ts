// Prometheus sees the demo app as the operator's watch will: per version, through rate() over its
// request counter. Runs against the local cluster (`npm run cluster -- up`), which other tests share:
// every test puts the demo app back the way it found it.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { queryPrometheus, type Sample } from "../../hack/cluster/fixtures/prometheus.js";
import { readClusterInfo, type ClusterInfo } from "../../hack/cluster/info.js";
import { waitUntil } from "../../hack/cluster/wait.js";
import { METRIC_NAMES } from "../../hack/demo-app/metrics.js";
import { behaviourOf } from "../../hack/demo-app/versions.js";

/** A good version and one whose error rate breaches the 2x hard ratio, per the version table. */
const BASELINE = "1.4.1";
const BREACHING = "1.4.3";
const NO_DATA = "1.4.6";
const TEST_TIMEOUT_MS = 120_000;
/** Time for a fresh series' rate to settle at 1 s scrapes and ~10 requests/s per version. */
const SETTLE_TIMEOUT_MS = 90_000;
const POLL_MS = 1_000;
/** rate() windows: long enough for several errors of a 5% version at ~10 requests/s, short enough to settle. */
const MIN_WINDOW_S = 10;
const MAX_WINDOW_S = 30;

interface AdminState {
  readonly stable: string;
  readonly candidate?: { readonly version: string; readonly weight: number };
  readonly previousStable?: string;
  readonly weights: Readonly<Record<string, number>>;
}

let cluster: ClusterInfo;
/** The demo app's deployment before the test, put back after it. */
let before: AdminState | undefined;

async function admin(method: "GET" | "POST" | "PUT", route: string, body?: unknown): Promise<AdminState> {
  const response = await fetch(`${cluster.demoApp.adminUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${cluster.demoApp.adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text) as AdminState;
}

function byVersion(samples: readonly Sample[]): Record<string, number> {
  return Object.fromEntries(samples.map((sample) => [sample.metric.version ?? "", sample.value]));
}

beforeAll(() => {
  cluster = readClusterInfo();
});

afterEach(async () => {
  if (before === undefined) return;
  const { stable, candidate, previousStable } = before;
  before = undefined;
  await admin("PUT", "/state", { stable, candidate, previousStable });
});

describe("Prometheus over the demo app", () => {
  it(
    `answers a rate() query with a different error ratio for each of two live versions (${BASELINE} and a ${BREACHING} canary)`,
    async () => {
      before = await admin("GET", "/state");
      await admin("PUT", "/state", { stable: BASELINE });
      const live = await admin("POST", "/deploy", { version: BREACHING, strategy: "canary", weight: 50 });
      expect(live.weights).toEqual({ [BASELINE]: 50, [BREACHING]: 50 });

      const changedAt = Date.now();

      const versions = `version=~"${BASELINE}|${BREACHING}"`;
      // The window starts after the change: an earlier run's series may still hold samples in the last 30 s.
      const errorRatio = (seconds: number): string =>
        `sum by (version) (rate(${METRIC_NAMES.requests}{code=~"5..",${versions}}[${seconds}s]))` +
        ` / sum by (version) (rate(${METRIC_NAMES.requests}{${versions}}[${seconds}s]))`;
      const expected = {
        [BASELINE]: behaviourOf(BASELINE)?.errorRate ?? Number.NaN,
        [BREACHING]: behaviourOf(BREACHING)?.errorRate ?? Number.NaN,
      };
      let ratios: Record<string, number> = {};
      // Settled: both versions answer, each within 30% of its table rate, the canary's over twice the other's.
      await waitUntil(
        "both versions' error ratios to settle near the version table's",
        async () => {
          const seconds = Math.min(MAX_WINDOW_S, Math.floor((Date.now() - changedAt) / 1000));
          if (seconds < MIN_WINDOW_S) return false;
          ratios = byVersion(await queryPrometheus(cluster.prometheus.url, errorRatio(seconds)));
          const nearTable = Object.entries(expected).every(
            ([version, rate]) => Math.abs((ratios[version] ?? Number.NaN) - rate) <= rate * 0.3,
          );
          return nearTable && (ratios[BREACHING] ?? 0) > 2 * (ratios[BASELINE] ?? Number.POSITIVE_INFINITY);
        },
        {
          timeoutMs: SETTLE_TIMEOUT_MS,
          intervalMs: POLL_MS,
          whileWaiting: () => `last ratios: ${JSON.stringify(ratios)}`,
        },
      );

      expect(Object.keys(ratios).sort()).toEqual([BASELINE, BREACHING]);
      expect(ratios[BASELINE]).toBeGreaterThan(0.014);
      expect(ratios[BASELINE]).toBeLessThan(0.026);
      expect(ratios[BREACHING]).toBeGreaterThan(0.035);
      expect(ratios[BREACHING]).toBeLessThan(0.065);
      // What the watch will conclude: above the 2x hard ratio for error rates.
      expect((ratios[BREACHING] ?? 0) / (ratios[BASELINE] ?? 1)).toBeGreaterThan(2);

      const weights = byVersion(
        await queryPrometheus(cluster.prometheus.url, `${METRIC_NAMES.weight}{${versions}}`),
      );
      expect(weights).toEqual({ [BASELINE]: 50, [BREACHING]: 50 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    `has no series at all for a version that exposes no metrics (${NO_DATA}), though it serves traffic`,
    async () => {
      before = await admin("GET", "/state");
      await admin("PUT", "/state", { stable: BASELINE });
      await admin("POST", "/deploy", { version: NO_DATA, strategy: "canary", weight: 50 });
      const changedAt = Date.now() / 1000;

      // A scrape after the change shows the baseline's new weight; from then on the canary would show too.
      await waitUntil(
        `Prometheus to scrape the demo app after the ${NO_DATA} canary started`,
        async () => {
          const scraped = await queryPrometheus(
            cluster.prometheus.url,
            `timestamp(${METRIC_NAMES.weight}{version="${BASELINE}"} == 50)`,
          );
          return (scraped[0]?.value ?? 0) > changedAt;
        },
        { timeoutMs: 30_000, intervalMs: POLL_MS },
      );

      let served = false;
      for (let attempt = 0; attempt < 100 && !served; attempt++) {
        const response = await fetch(`${cluster.demoApp.url}/api/route`, {
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        served = response.headers.get("x-demo-version") === NO_DATA;
      }
      expect(served, `${NO_DATA} answered none of 100 requests`).toBe(true);

      expect(await queryPrometheus(cluster.prometheus.url, `{version="${NO_DATA}"}`)).toEqual([]);
      expect(
        await queryPrometheus(
          cluster.prometheus.url,
          `sum(rate(${METRIC_NAMES.requests}{version="${NO_DATA}"}[30s]))`,
        ),
      ).toEqual([]);
      const exposition = await (await fetch(`${cluster.demoApp.url}/metrics`)).text();
      expect(exposition).not.toContain(`version="${NO_DATA}"`);
      expect(exposition).toContain(`${METRIC_NAMES.requests}{version="${BASELINE}"`);
    },
    TEST_TIMEOUT_MS,
  );
});
