import { describe, expect, it } from "vitest";
import type {
  EnvironmentSpec,
  Metric,
  Release,
  ReleaseSettings,
  ReleaseStatus,
  Watch,
  WatchProgress,
} from "../api/v1alpha1/index.js";
import { environmentSpec, NOW, readyEnvironment, releaseObject } from "../../test/support/releases.js";
import { settingsOfWorld, worldOf } from "../../test/support/worlds.js";
import { nextReadingAt, versionBefore, watchRequestDue, windowOver } from "./watch-request.js";
import type { WatchRequest } from "./world.js";

// Calendar: NOW (2026-11-25T10:00:00Z) is a Wednesday morning. The Release is nav-1-4-2 (uid
// uid-nav-1-4-2) taking nav-staging from 1.4.1 to 1.4.2.

const UID = "uid-nav-1-4-2";
const MINUTE = 60_000;
const at = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();
const after = (ms: number): Date => new Date(NOW.getTime() + ms);

const ERRORS: Metric = {
  name: "error-rate",
  query: 'sum(rate(http_requests_total{code=~"5..",version="{version}"}[5m]))',
};
const LATENCY: Metric = {
  name: "p99-latency",
  kind: "latency",
  query:
    'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{environment="{environment}"}[5m])))',
};
const DRIFT: Metric = {
  name: "drift",
  query: 'sum(up{version="{version}"}) - sum(up{version="{previousVersion}"})',
};
const errorsOf = (version: string): string =>
  `sum(rate(http_requests_total{code=~"5..",version="${version}"}[5m]))`;
const LATENCY_QUERY =
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{environment="nav-staging"}[5m])))';
const driftOf = (version: string, previous: string): string =>
  `sum(up{version="${version}"}) - sum(up{version="${previous}"})`;
const HEALTH = {
  url: "http://nav.example.com/healthz",
  method: "GET" as const,
  expectedStatus: 200,
  timeoutMs: 5000,
};

/** The watch section of the minimal Environment with `changes`; one-minute interval, 15-minute window. */
function watchSpec(changes: Partial<Watch> = {}): Watch {
  return {
    prometheus: { url: "http://prometheus.monitoring:9090" },
    interval: "1m",
    duration: "15m",
    metrics: [ERRORS],
    ...changes,
  };
}

function settingsFor(
  release: Release,
  watch: Partial<Watch> = {},
  changes: Partial<EnvironmentSpec> = {},
): ReleaseSettings {
  const spec = environmentSpec({ ...changes, watch: watchSpec(watch) });
  return settingsOfWorld(worldOf(release, readyEnvironment({ spec })));
}

/** Execute, before the deploy: the release replaces 1.4.1, its rollback target too. */
const executing = (changes: ReleaseStatus = {}): ReleaseStatus => ({
  phase: "Execute",
  previousVersion: "1.4.1",
  rollbackTarget: "1.4.1",
  ...changes,
});

/** The release window of 15 minutes from NOW, `progress` applied. */
const window = (progress: Partial<WatchProgress> = {}): WatchProgress => ({
  window: "release",
  version: "1.4.2",
  startedAt: at(0),
  endsAt: at(15 * MINUTE),
  intervalsEvaluated: 0,
  ...progress,
});

const watching = (progress: Partial<WatchProgress> = {}, changes: ReleaseStatus = {}): ReleaseStatus => ({
  phase: "WatchWindow",
  previousVersion: "1.4.1",
  rollbackTarget: "1.4.1",
  watch: window(progress),
  ...changes,
});

/** Rolling back to 1.4.1, its mini window of 5 minutes from NOW. */
const rollingBack = (progress: Partial<WatchProgress> = {}): ReleaseStatus => ({
  phase: "RollingBack",
  previousVersion: "1.4.1",
  rollbackTarget: "1.4.1",
  rollbackWatch: {
    window: "rollback",
    version: "1.4.1",
    startedAt: at(0),
    endsAt: at(5 * MINUTE),
    intervalsEvaluated: 0,
    ...progress,
  },
});

const baselineOf = (query: string, range = "[600s:20s]"): string => `avg_over_time((${query})${range})`;

interface Case {
  situation: string;
  release?: Release;
  status: ReleaseStatus;
  watch?: Partial<Watch>;
  environment?: Partial<EnvironmentSpec>;
  now?: Date;
  expected: WatchRequest | undefined;
}

function run({
  release = releaseObject(),
  status,
  watch,
  environment,
  now = NOW,
}: Case): WatchRequest | undefined {
  return watchRequestDue(release, status, settingsFor(release, watch, environment), now);
}

describe("watchRequestDue: the pre-deploy baseline", () => {
  it.each<Case>([
    {
      situation: "Execute, nothing deployed yet: each metric over the baseline window, of the version before",
      status: executing(),
      watch: { metrics: [ERRORS, LATENCY] },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [
          { metric: "error-rate", query: baselineOf(errorsOf("1.4.1")) },
          { metric: "p99-latency", query: baselineOf(LATENCY_QUERY) },
        ],
      },
    },
    {
      situation: "the default baseline mode is pre-deploy",
      status: executing(),
      watch: {},
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.4.1")) }],
      },
    },
    {
      situation: "a one-minute baseline window: thirty points two seconds apart",
      status: executing(),
      watch: { baseline: { mode: "pre-deploy", window: "1m" } },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.4.1"), "[60s:2s]") }],
      },
    },
    {
      situation: "a ten-second baseline window: points never finer than a second",
      status: executing(),
      watch: { baseline: { mode: "pre-deploy", window: "10s" } },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.4.1"), "[10s:1s]") }],
      },
    },
    {
      situation: "an hour's baseline window",
      status: executing(),
      watch: { baseline: { mode: "pre-deploy", window: "1h" } },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.4.1"), "[3600s:120s]") }],
      },
    },
    {
      situation: "no previous version: the rollback target is the version that runs",
      status: { phase: "Execute", rollbackTarget: "1.3.9" },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.3.9")) }],
      },
    },
    {
      situation: "{previousVersion} in a baseline is the version before too",
      status: executing(),
      watch: { metrics: [DRIFT] },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "drift", query: baselineOf(driftOf("1.4.1", "1.4.1")) }],
      },
    },
    {
      situation: "a first release: metrics of a version get a problem, the others are asked",
      status: { phase: "Execute" },
      watch: { metrics: [ERRORS, LATENCY, DRIFT] },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [
          {
            metric: "error-rate",
            problem:
              "no version ran before this release (no previous version, no rollback target) to measure the baseline of",
          },
          { metric: "p99-latency", query: baselineOf(LATENCY_QUERY) },
          {
            metric: "drift",
            problem:
              "no version ran before this release (no previous version, no rollback target) to measure the baseline of",
          },
        ],
      },
    },
    {
      situation: "a version before with a quote: refused, not injected",
      status: executing({ previousVersion: '1.4.1"} or vector(1) or x{a="' }),
      watch: { metrics: [ERRORS, LATENCY] },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [
          {
            metric: "error-rate",
            problem: expect.stringMatching(
              /^the value of \{version\} \("1\.4\.1\\"\} or vector\(1\).*holds a quote, backslash or line break, which would change the query$/,
            ) as string,
          },
          { metric: "p99-latency", query: baselineOf(LATENCY_QUERY) },
        ],
      },
    },
    {
      situation: "a failed attempt, an interval ago: tried again under a new key",
      status: executing({
        baseline: { mode: "pre-deploy", firstAttemptAt: at(-2 * MINUTE), lastAttemptAt: at(-MINUTE) },
      }),
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:${at(-MINUTE)}`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.4.1")) }],
      },
    },
    {
      situation: "a failed attempt, less than an interval ago: not yet",
      status: executing({ baseline: { mode: "pre-deploy", lastAttemptAt: at(-59_999) } }),
      expected: undefined,
    },
    {
      situation: "already captured",
      status: executing({ baseline: { mode: "pre-deploy", capturedAt: at(-MINUTE), values: [] } }),
      expected: undefined,
    },
    {
      situation: "concurrent mode: no baseline before the deploy",
      status: executing(),
      watch: { baseline: { mode: "concurrent" } },
      expected: undefined,
    },
    {
      situation: "the deploy Job is recorded: too late",
      status: executing({ jobs: [{ purpose: "deploy", name: "nav-1-4-2-deploy" }] }),
      expected: undefined,
    },
    {
      situation: "a smoke Job's record does not count as the deploy",
      status: executing({ jobs: [{ purpose: "smoke", name: "nav-1-4-2-smoke" }] }),
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.4.1")) }],
      },
    },
    {
      situation: "a manual deploy under way: too late",
      status: executing({ manual: { checklist: ["deploy 1.4.2 by hand"] } }),
      expected: undefined,
    },
    {
      situation: "the change window is closed: read right before the deploy, not now",
      status: executing(),
      environment: { changeWindows: [{ days: ["Sat"], start: "09:00", end: "17:00" }] },
      expected: undefined,
    },
    {
      situation: "a blackout: not now",
      status: executing(),
      environment: {
        blackouts: [{ reason: "freeze", from: at(-MINUTE), to: at(60 * MINUTE) }],
      },
      expected: undefined,
    },
    {
      situation: "inside the change window",
      status: executing(),
      environment: { changeWindows: [{ days: ["Wed"], start: "09:00", end: "17:00" }] },
      expected: {
        purpose: "baseline",
        key: `${UID}:baseline:first`,
        metrics: [{ metric: "error-rate", query: baselineOf(errorsOf("1.4.1")) }],
      },
    },
  ])("$situation", (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });

  it.each<ReleaseStatus["phase"]>([
    undefined,
    "Pending",
    "PreReleaseGate",
    "StrategySelect",
    "SmokeTest",
    "Completed",
  ])("phase %s: nothing to read", (phase) => {
    expect(run({ situation: "", status: { ...executing(), phase }, expected: undefined })).toBeUndefined();
  });
});

describe("watchRequestDue: the release window", () => {
  it.each<Case>([
    {
      situation: "no window in status yet: nothing",
      status: { phase: "WatchWindow", previousVersion: "1.4.1" },
      now: after(5 * MINUTE),
      expected: undefined,
    },
    {
      situation: "just started: the first reading is an interval in",
      status: watching(),
      now: after(59_999),
      expected: undefined,
    },
    {
      situation: "an interval in: the first reading, of the watched version",
      status: watching(),
      now: after(MINUTE),
      watch: { metrics: [ERRORS, LATENCY] },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [
          { metric: "error-rate", query: errorsOf("1.4.2") },
          { metric: "p99-latency", query: LATENCY_QUERY },
        ],
      },
    },
    {
      situation: "late: still due",
      status: watching(),
      now: after(7 * MINUTE),
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2") }],
      },
    },
    {
      situation: "the health check comes with every reading",
      status: watching(),
      now: after(MINUTE),
      watch: { healthCheck: { url: HEALTH.url } },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2") }],
        healthCheck: HEALTH,
      },
    },
    {
      situation: "three intervals read (the third late): the fourth, under its own key, on the grid",
      status: watching({ intervalsEvaluated: 3, lastEvaluatedAt: at(3 * MINUTE + 5_000) }),
      now: after(4 * MINUTE),
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:3`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2") }],
      },
    },
    {
      situation: "three intervals read: not before the grid's next point",
      status: watching({ intervalsEvaluated: 3, lastEvaluatedAt: at(3 * MINUTE + 5_000) }),
      now: after(4 * MINUTE - 1),
      expected: undefined,
    },
    {
      situation: "the last reading is due at the window's end, not an interval after the one before",
      status: watching({ intervalsEvaluated: 14, lastEvaluatedAt: at(14 * MINUTE + 30_000) }),
      now: after(15 * MINUTE),
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:14`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2") }],
      },
    },
    {
      situation: "the window over, a decision pending: every interval, not sooner",
      status: watching({ intervalsEvaluated: 15, lastEvaluatedAt: at(15 * MINUTE + 1_000) }),
      now: after(16 * MINUTE - 1),
      expected: undefined,
    },
    {
      situation: "the window over, a decision pending: the grid's next point",
      status: watching({ intervalsEvaluated: 15, lastEvaluatedAt: at(15 * MINUTE + 1_000) }),
      now: after(16 * MINUTE),
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:15`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2") }],
      },
    },
    {
      situation: "{previousVersion} is the version before",
      status: watching(),
      now: after(MINUTE),
      watch: { metrics: [DRIFT] },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [{ metric: "drift", query: driftOf("1.4.2", "1.4.1") }],
      },
    },
    {
      situation: "pre-deploy mode: no baseline query (the stored baseline is compared)",
      status: watching({}, { baseline: { mode: "pre-deploy", capturedAt: at(-MINUTE), values: [] } }),
      now: after(MINUTE),
      watch: { baseline: { mode: "pre-deploy" } },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2") }],
      },
    },
    {
      situation: "concurrent mode: the same query of the version before, asked at the same time",
      status: watching(),
      now: after(MINUTE),
      // The Environment refuses a concurrent baseline for a query without {version}.
      watch: { baseline: { mode: "concurrent" }, metrics: [ERRORS, DRIFT] },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [
          { metric: "error-rate", query: errorsOf("1.4.2"), baselineQuery: errorsOf("1.4.1") },
          { metric: "drift", query: driftOf("1.4.2", "1.4.1"), baselineQuery: driftOf("1.4.1", "1.4.1") },
        ],
      },
    },
    {
      situation: "concurrent mode, no previous version: the rollback target's",
      status: watching({}, { previousVersion: undefined, rollbackTarget: "1.3.9" }),
      now: after(MINUTE),
      watch: { baseline: { mode: "concurrent" } },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2"), baselineQuery: errorsOf("1.3.9") }],
      },
    },
    {
      situation: "concurrent mode, a first release: nothing to compare with, {previousVersion} a problem",
      status: { phase: "WatchWindow", watch: window() },
      now: after(MINUTE),
      watch: { baseline: { mode: "concurrent" }, metrics: [ERRORS, DRIFT] },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [
          { metric: "error-rate", query: errorsOf("1.4.2") },
          {
            metric: "drift",
            problem:
              "the query uses {previousVersion} but there is no previousVersion (a first release has no version before it)",
          },
        ],
      },
    },
    {
      situation: "the window's version, not the spec's, is the one watched",
      status: watching({ version: "1.4.2-hotfix.1" }),
      now: after(MINUTE),
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2-hotfix.1") }],
      },
    },
    {
      situation: "a version with a quote: refused, not injected",
      release: releaseObject({ spec: { version: '1.4.2"}) or vector(1' } }),
      status: watching({ version: undefined }),
      now: after(MINUTE),
      watch: { metrics: [ERRORS, LATENCY] },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [
          {
            metric: "error-rate",
            problem:
              'the value of {version} ("1.4.2\\"}) or vector(1") holds a quote, backslash or line break, which would change the query',
          },
          { metric: "p99-latency", query: LATENCY_QUERY },
        ],
      },
    },
    {
      situation: "a version before with a line break: no baseline query rather than an injected one",
      status: watching({}, { previousVersion: "1.4.1\n" }),
      now: after(MINUTE),
      watch: { baseline: { mode: "concurrent" } },
      expected: {
        purpose: "release",
        key: `${UID}:release:${at(0)}:0`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.2") }],
      },
    },
  ])("$situation", (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });

  it("asks once per interval: the same key all interval long, another after the next reading", () => {
    const settings = settingsFor(releaseObject());
    const keyAt = (status: ReleaseStatus, now: Date): string | undefined =>
      watchRequestDue(releaseObject(), status, settings, now)?.key;
    const first = keyAt(watching(), after(MINUTE));
    expect(keyAt(watching(), after(MINUTE + 30_000))).toBe(first);
    const read = watching({ intervalsEvaluated: 1, lastEvaluatedAt: at(MINUTE) });
    expect(keyAt(read, after(MINUTE + 30_000))).toBeUndefined();
    expect(keyAt(read, after(2 * MINUTE))).not.toBe(first);
    // A window started again (another start time) never reuses a key of the one before.
    const restarted = watching({ startedAt: at(10 * MINUTE), endsAt: at(25 * MINUTE) });
    expect(keyAt(restarted, after(11 * MINUTE))).not.toBe(first);
  });
});

describe("watchRequestDue: the mini window after a rollback", () => {
  it.each<Case>([
    {
      situation: "the rollback target is watched; {previousVersion} is the version rolled back from",
      status: rollingBack(),
      now: after(MINUTE),
      watch: { metrics: [ERRORS, DRIFT], healthCheck: { url: HEALTH.url } },
      expected: {
        purpose: "rollback",
        key: `${UID}:rollback:${at(0)}:0`,
        metrics: [
          { metric: "error-rate", query: errorsOf("1.4.1") },
          { metric: "drift", query: driftOf("1.4.1", "1.4.2") },
        ],
        healthCheck: HEALTH,
      },
    },
    {
      situation: "concurrent mode: compared with the stored baseline, no baseline query",
      status: rollingBack(),
      now: after(MINUTE),
      watch: { baseline: { mode: "concurrent" } },
      expected: {
        purpose: "rollback",
        key: `${UID}:rollback:${at(0)}:0`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.1") }],
      },
    },
    {
      situation: "before the first interval",
      status: rollingBack(),
      now: after(30_000),
      expected: undefined,
    },
    {
      situation: "the last reading at the mini window's end",
      status: rollingBack({ intervalsEvaluated: 4, lastEvaluatedAt: at(4 * MINUTE + 30_000) }),
      now: after(5 * MINUTE),
      expected: {
        purpose: "rollback",
        key: `${UID}:rollback:${at(0)}:4`,
        metrics: [{ metric: "error-rate", query: errorsOf("1.4.1") }],
      },
    },
    {
      situation: "the mini window over: nothing more (no decision waits in it)",
      status: rollingBack({ intervalsEvaluated: 5, lastEvaluatedAt: at(5 * MINUTE) }),
      now: after(7 * MINUTE),
      expected: undefined,
    },
    {
      situation: "rolling back without a mini window yet (the rollback Job runs)",
      status: { phase: "RollingBack", previousVersion: "1.4.1", rollbackTarget: "1.4.1" },
      now: after(7 * MINUTE),
      expected: undefined,
    },
  ])("$situation", (testCase) => {
    expect(run(testCase)).toEqual(testCase.expected);
  });
});

describe("nextReadingAt", () => {
  it.each<{ situation: string; progress: Partial<WatchProgress>; intervalMs: number; next: string }>([
    {
      situation: "none read: an interval after the start",
      progress: {},
      intervalMs: MINUTE,
      next: at(MINUTE),
    },
    {
      situation: "a late reading does not push the next one back: the grid from the start",
      progress: { intervalsEvaluated: 2, lastEvaluatedAt: at(2 * MINUTE + 7_000) },
      intervalMs: MINUTE,
      next: at(3 * MINUTE),
    },
    {
      situation: "clamped to the window's end",
      progress: { intervalsEvaluated: 14, lastEvaluatedAt: at(14 * MINUTE + 30_000) },
      intervalMs: MINUTE,
      next: at(15 * MINUTE),
    },
    {
      situation: "an interval longer than the window: at its end",
      progress: {},
      intervalMs: 20 * MINUTE,
      next: at(15 * MINUTE),
    },
    {
      situation: "the last reading exactly at the end: an interval on (a pending decision)",
      progress: { intervalsEvaluated: 15, lastEvaluatedAt: at(15 * MINUTE) },
      intervalMs: MINUTE,
      next: at(16 * MINUTE),
    },
    {
      situation: "past the end: every interval, on the same grid",
      progress: { intervalsEvaluated: 17, lastEvaluatedAt: at(17 * MINUTE + 2_000) },
      intervalMs: MINUTE,
      next: at(18 * MINUTE),
    },
    {
      situation: "after a restart the missed points are skipped: the next after the last reading",
      progress: { intervalsEvaluated: 2, lastEvaluatedAt: at(7 * MINUTE + 20_000) },
      intervalMs: MINUTE,
      next: at(8 * MINUTE),
    },
    {
      situation: "an extended window: the end moved on",
      progress: { endsAt: at(25 * MINUTE), intervalsEvaluated: 15, lastEvaluatedAt: at(15 * MINUTE + 1_000) },
      intervalMs: MINUTE,
      next: at(16 * MINUTE),
    },
  ])("$situation", ({ progress, intervalMs, next }) => {
    expect(nextReadingAt(window(progress), intervalMs).toISOString()).toBe(next);
  });
});

describe("windowOver", () => {
  it.each<{ situation: string; progress: Partial<WatchProgress>; over: boolean }>([
    { situation: "nothing read", progress: {}, over: false },
    {
      situation: "read before the end",
      progress: { lastEvaluatedAt: at(14 * MINUTE + 59_999) },
      over: false,
    },
    { situation: "read at the end", progress: { lastEvaluatedAt: at(15 * MINUTE) }, over: true },
    { situation: "read after the end", progress: { lastEvaluatedAt: at(15 * MINUTE + 3_000) }, over: true },
    {
      situation: "read after the original end, the window extended",
      progress: { lastEvaluatedAt: at(15 * MINUTE + 3_000), endsAt: at(25 * MINUTE) },
      over: false,
    },
  ])("$situation: $over", ({ progress, over }) => {
    expect(windowOver(window(progress))).toBe(over);
  });
});

describe("versionBefore", () => {
  it.each<{ situation: string; status: ReleaseStatus; version: string | undefined }>([
    {
      situation: "the previous version",
      status: { previousVersion: "1.4.1", rollbackTarget: "1.3.0" },
      version: "1.4.1",
    },
    { situation: "else the rollback target", status: { rollbackTarget: "1.3.0" }, version: "1.3.0" },
    { situation: "a first release: none", status: {}, version: undefined },
  ])("$situation", ({ status, version }) => {
    expect(versionBefore(status)).toBe(version);
  });
});
