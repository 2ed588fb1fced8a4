// The settings the operator computes with: defaults by tier, fixed defaults, metric kind defaults, the
// rules that only hold once defaults are in, and a Release's overrides against its Environment.
import { describe, expect, it } from "vitest";
import { minimalEnvironment } from "../../../test/support/environments.js";
import { changed, type Path } from "../../../test/support/objects.js";
import type { Strategy } from "./common.js";
import { DEFAULT_STRATEGY, FIXED_DEFAULTS, METRIC_DEFAULTS, TIER_DEFAULTS } from "./defaults.js";
import { formatDuration } from "./duration.js";
import type { EnvironmentSpec, MetricKind, OverridableField, Tier } from "./environment.js";
import type { ReleaseSpec } from "./release.js";
import { METRIC_KINDS, OVERRIDABLE_FIELDS, STRATEGIES } from "./schema.js";
import {
  effectiveSummary,
  readEnvironmentSpec,
  readReleaseSpec,
  resolveReleaseSettings,
  type EnvironmentSettings,
} from "./settings.js";
import type { SpecIssue } from "./validation.js";

const MINUTE = 60_000;

const minimal = minimalEnvironment;

const ofTier = (tier: Tier): EnvironmentSpec => ({ ...minimal, tier });

const settingsOf = (spec: EnvironmentSpec): EnvironmentSettings => valueOf(readEnvironmentSpec(spec));

/** The value of a result that must be valid; its issues, readable, when it is not. */
function valueOf<T>(result: { ok: true; value: T } | { ok: false; issues: SpecIssue[] }): T {
  if (!result.ok) throw new Error(`expected a valid result: ${JSON.stringify(result.issues)}`);
  return result.value;
}

const issuesOf = (result: { ok: true } | { ok: false; issues: SpecIssue[] }): SpecIssue[] =>
  result.ok ? [] : result.issues;

describe("readEnvironmentSpec: defaults", () => {
  it("resolves the minimal staging spec to exactly these settings", () => {
    expect(readEnvironmentSpec(minimal)).toEqual({
      ok: true,
      value: {
        tier: "staging",
        strategies: ["all-at-once"],
        defaultStrategy: "all-at-once",
        autoSelectStrategy: true,
        approval: { required: false, count: 1, approverGroups: [], fourEyes: false },
        changeWindows: [],
        blackouts: [],
        allowedOverrides: [],
        acceptance: { criteria: [], reports: [] },
        deploy: {
          image: "registry.example.com/nav/deploy-tools:2.3.0",
          imagePullPolicy: "IfNotPresent",
          script: { path: "/app/scripts/deploy.sh" },
          strategyArgs: {},
          envFrom: [],
          requiredEnv: [],
          nodeSelector: {},
          tolerations: [],
          podSecurity: "restricted",
          manualChecklist: [],
          idleTimeoutMs: 5 * MINUTE,
          timeoutMs: 30 * MINUTE,
        },
        smoke: { required: false, timeoutMs: 5 * MINUTE, http: [], jobs: [] },
        watch: {
          durationMs: 15 * MINUTE,
          intervalMs: MINUTE,
          noDataGraceMs: 3 * MINUTE,
          prometheus: { url: "http://prometheus.monitoring:9090", timeoutMs: 10_000 },
          baseline: { mode: "pre-deploy", windowMs: 10 * MINUTE },
          metrics: [
            {
              name: "error-rate",
              query: 'sum(rate(http_requests_total{code=~"5..",version="{version}"}[5m]))',
              kind: "custom",
              direction: "up",
              hardRatio: 2,
              softRatio: 1.5,
              floor: 0,
            },
          ],
        },
        report: { branch: "main", path: "_docs/04_release/", tagPattern: "release/{version}" },
      } satisfies EnvironmentSettings,
    });
  });

  describe.each<{
    tier: Tier;
    approvalRequired: boolean;
    fourEyes: boolean;
    autoSelectStrategy: boolean;
    smokeRequired: boolean;
    watchDuration: string;
  }>([
    {
      tier: "production",
      approvalRequired: true,
      fourEyes: true,
      autoSelectStrategy: false,
      smokeRequired: true,
      watchDuration: "1h",
    },
    {
      tier: "staging",
      approvalRequired: false,
      fourEyes: false,
      autoSelectStrategy: true,
      smokeRequired: false,
      watchDuration: "15m",
    },
    {
      tier: "development",
      approvalRequired: false,
      fourEyes: false,
      autoSelectStrategy: true,
      smokeRequired: false,
      watchDuration: "15m",
    },
  ])("a $tier Environment that sets nothing", (expected) => {
    const settings = settingsOf(ofTier(expected.tier));

    it(`takes the ${expected.tier} tier's defaults`, () => {
      expect({
        approvalRequired: settings.approval.required,
        fourEyes: settings.approval.fourEyes,
        autoSelectStrategy: settings.autoSelectStrategy,
        smokeRequired: settings.smoke.required,
        watchDuration: formatDuration(settings.watch.durationMs),
      }).toEqual({
        approvalRequired: expected.approvalRequired,
        fourEyes: expected.fourEyes,
        autoSelectStrategy: expected.autoSelectStrategy,
        smokeRequired: expected.smokeRequired,
        watchDuration: expected.watchDuration,
      });
    });

    it("shows them in its status summary", () => {
      expect(effectiveSummary(settings)).toEqual({
        strategies: ["all-at-once"],
        defaultStrategy: "all-at-once",
        autoSelectStrategy: expected.autoSelectStrategy,
        approvalRequired: expected.approvalRequired,
        approvalCount: 1,
        fourEyes: expected.fourEyes,
        smokeRequired: expected.smokeRequired,
        watchDuration: expected.watchDuration,
        watchInterval: "1m",
      });
    });
  });

  it("TIER_DEFAULTS holds the durations the summary shows", () => {
    expect(
      Object.fromEntries(Object.entries(TIER_DEFAULTS).map(([tier, d]) => [tier, d.watchDuration])),
    ).toEqual({
      production: "60m",
      staging: "15m",
      development: "15m",
    });
  });

  // A spec in which every section with fixed defaults is present but sets nothing of its own.
  const sections: EnvironmentSpec = {
    ...minimal,
    source: { url: "https://git.example.com/nav/onboard.git" },
    smoke: {
      http: [{ name: "health", url: "https://nav.example.com/healthz" }],
      jobs: [{ name: "selftest", image: "registry.example.com/nav/selftest:1", command: ["/selftest"] }],
    },
    watch: { ...minimal.watch, baseline: {}, healthCheck: { url: "https://nav.example.com/healthz" } },
    report: {},
  };
  const withSections = settingsOf(sections);

  const fixed: {
    key: keyof typeof FIXED_DEFAULTS;
    expected: string | number;
    read: (settings: EnvironmentSettings) => string | number | undefined;
  }[] = [
    { key: "approval.count", expected: 1, read: (s) => s.approval.count },
    { key: "source.tagPattern", expected: "release/{version}", read: (s) => s.source?.tagPattern },
    { key: "deploy.imagePullPolicy", expected: "IfNotPresent", read: (s) => s.deploy.imagePullPolicy },
    { key: "deploy.podSecurity", expected: "restricted", read: (s) => s.deploy.podSecurity },
    { key: "deploy.idleTimeout", expected: "5m", read: (s) => formatDuration(s.deploy.idleTimeoutMs) },
    { key: "deploy.timeout", expected: "30m", read: (s) => formatDuration(s.deploy.timeoutMs) },
    { key: "smoke.timeout", expected: "5m", read: (s) => formatDuration(s.smoke.timeoutMs) },
    { key: "smoke.http[].method", expected: "GET", read: (s) => s.smoke.http[0]?.method },
    { key: "smoke.http[].expectedStatus", expected: 200, read: (s) => s.smoke.http[0]?.expectedStatus },
    { key: "watch.interval", expected: "1m", read: (s) => formatDuration(s.watch.intervalMs) },
    { key: "watch.noDataGrace", expected: "3m", read: (s) => formatDuration(s.watch.noDataGraceMs) },
    {
      key: "watch.prometheus.timeout",
      expected: "10s",
      read: (s) => formatDuration(s.watch.prometheus.timeoutMs),
    },
    { key: "watch.baseline.mode", expected: "pre-deploy", read: (s) => s.watch.baseline.mode },
    { key: "watch.baseline.window", expected: "10m", read: (s) => formatDuration(s.watch.baseline.windowMs) },
    { key: "watch.healthCheck.method", expected: "GET", read: (s) => s.watch.healthCheck?.method },
    {
      key: "watch.healthCheck.expectedStatus",
      expected: 200,
      read: (s) => s.watch.healthCheck?.expectedStatus,
    },
    {
      key: "watch.healthCheck.timeout",
      expected: "5s",
      read: (s) =>
        s.watch.healthCheck === undefined ? undefined : formatDuration(s.watch.healthCheck.timeoutMs),
    },
    { key: "report.branch", expected: "main", read: (s) => s.report.branch },
    { key: "report.path", expected: "_docs/04_release/", read: (s) => s.report.path },
    { key: "report.tagPattern", expected: "release/{version}", read: (s) => s.report.tagPattern },
  ];

  it("covers every fixed default below", () => {
    expect(fixed.map((row) => row.key).sort()).toEqual(Object.keys(FIXED_DEFAULTS).sort());
  });

  it.each(fixed)("fills in $key: $expected", ({ key, expected, read }) => {
    expect(FIXED_DEFAULTS[key]).toBe(expected);
    expect(read(withSections)).toBe(expected);
  });

  it("gives each smoke case the phase's timeout, and HTTP cases no headers", () => {
    expect({ http: withSections.smoke.http, jobs: withSections.smoke.jobs }).toEqual({
      http: [
        {
          name: "health",
          method: "GET",
          url: "https://nav.example.com/healthz",
          headers: {},
          expectedStatus: 200,
          timeoutMs: 5 * MINUTE,
        },
      ],
      jobs: [
        {
          name: "selftest",
          image: "registry.example.com/nav/selftest:1",
          command: ["/selftest"],
          timeoutMs: 5 * MINUTE,
        },
      ],
    });
  });

  it.each<{ situation: string; at: Path; value: unknown; expected: Partial<Record<"critical", boolean>> }>([
    {
      situation: "not critical unless it says so",
      at: ["acceptance", "criteria"],
      value: [{ id: "AC-1", tests: ["t"] }],
      expected: { critical: false },
    },
    {
      situation: "critical when it says so",
      at: ["acceptance", "criteria"],
      value: [{ id: "AC-1", tests: ["t"], critical: true }],
      expected: { critical: true },
    },
  ])("reads an acceptance criterion as $situation", ({ at, value, expected }) => {
    expect(settingsOf(changed(minimal, at, value)).acceptance.criteria).toEqual([
      { id: "AC-1", tests: ["t"], ...expected },
    ]);
  });
});

describe("readEnvironmentSpec: metric defaults by kind", () => {
  it.each<{ kind: MetricKind | undefined; direction: "up" | "down"; hardRatio: number; softRatio: number }>([
    { kind: "error-rate", direction: "up", hardRatio: 2, softRatio: 1.5 },
    { kind: "latency", direction: "up", hardRatio: 3, softRatio: 1.5 },
    { kind: "throughput", direction: "down", hardRatio: 2, softRatio: 1.5 },
    { kind: "saturation", direction: "up", hardRatio: 2, softRatio: 1.5 },
    { kind: "custom", direction: "up", hardRatio: 2, softRatio: 1.5 },
    { kind: undefined, direction: "up", hardRatio: 2, softRatio: 1.5 },
  ])("a $kind metric: $direction is worse, hard $hardRatio, soft $softRatio", (expected) => {
    const metric = { name: "m", query: "x", ...(expected.kind === undefined ? {} : { kind: expected.kind }) };
    const settings = settingsOf(changed(minimal, ["watch", "metrics"], [metric]));
    expect(settings.watch.metrics).toEqual([
      {
        name: "m",
        query: "x",
        kind: expected.kind ?? "custom",
        direction: expected.direction,
        hardRatio: expected.hardRatio,
        softRatio: expected.softRatio,
        floor: 0,
      },
    ]);
    expect(METRIC_DEFAULTS[expected.kind ?? "custom"]).toEqual({
      direction: expected.direction,
      hardRatio: expected.hardRatio,
      softRatio: expected.softRatio,
    });
  });

  it("has defaults for every kind", () => {
    expect(Object.keys(METRIC_DEFAULTS).sort()).toEqual([...METRIC_KINDS].sort());
  });

  it.each(METRIC_KINDS)("a %s metric keeps every value it sets", (kind) => {
    const metric = {
      name: "m",
      query: "x",
      kind,
      direction: "down",
      hardRatio: 5,
      softRatio: 4,
      floor: 0.25,
    };
    expect(settingsOf(changed(minimal, ["watch", "metrics"], [metric])).watch.metrics).toEqual([metric]);
  });

  it("a latency metric takes softRatio 2.5 alone, below its default hardRatio 3", () => {
    const metric = { name: "p99", query: "x", kind: "latency", softRatio: 2.5 };
    expect(settingsOf(changed(minimal, ["watch", "metrics"], [metric])).watch.metrics[0]).toEqual({
      ...metric,
      direction: "up",
      hardRatio: 3,
      floor: 0,
    });
  });
});

describe("readEnvironmentSpec: explicit values win over defaults", () => {
  it.each<{
    situation: string;
    tier: Tier;
    at: Path;
    value: unknown;
    read: (s: EnvironmentSettings) => unknown;
    expected: unknown;
  }>([
    ...(
      [
        ["production", false],
        ["staging", true],
      ] as const
    ).flatMap(([tier, flag]) => [
      {
        situation: `approval.required ${flag}`,
        tier,
        at: ["approval", "required"],
        value: flag,
        read: (s: EnvironmentSettings) => s.approval.required,
        expected: flag,
      },
      {
        situation: `approval.fourEyes ${flag}`,
        tier,
        at: ["approval", "fourEyes"],
        value: flag,
        read: (s: EnvironmentSettings) => s.approval.fourEyes,
        expected: flag,
      },
      {
        situation: `autoSelectStrategy ${!flag}`,
        tier,
        at: ["autoSelectStrategy"],
        value: !flag,
        read: (s: EnvironmentSettings) => s.autoSelectStrategy,
        expected: !flag,
      },
      {
        situation: `smoke.required ${flag}`,
        tier,
        at: ["smoke", "required"],
        value: flag,
        read: (s: EnvironmentSettings) => s.smoke.required,
        expected: flag,
      },
      {
        situation: "watch.duration 2h",
        tier,
        at: ["watch", "duration"],
        value: "2h",
        read: (s: EnvironmentSettings) => s.watch.durationMs,
        expected: 120 * MINUTE,
      },
    ]),
    {
      situation: "approval.count 3",
      tier: "production",
      at: ["approval", "count"],
      value: 3,
      read: (s) => s.approval.count,
      expected: 3,
    },
    {
      situation: "a source tag pattern",
      tier: "staging",
      at: ["source"],
      value: { url: "https://git.example.com/nav.git", tagPattern: "v{version}" },
      read: (s) => s.source?.tagPattern,
      expected: "v{version}",
    },
    {
      situation: "deploy timeouts",
      tier: "staging",
      at: ["deploy"],
      value: { ...minimal.deploy, idleTimeout: "90s", timeout: "1h30m" },
      read: (s) => [s.deploy.idleTimeoutMs, s.deploy.timeoutMs],
      expected: [90_000, 90 * MINUTE],
    },
    {
      situation: "a smoke timeout, which the cases inherit unless they set their own",
      tier: "staging",
      at: ["smoke"],
      value: {
        timeout: "10m",
        http: [
          { name: "a", url: "https://x.example.com" },
          { name: "b", url: "https://x.example.com", timeout: "30s" },
        ],
        jobs: [
          { name: "c", image: "i", command: ["true"] },
          { name: "d", image: "i", command: ["true"], timeout: "2m" },
        ],
      },
      read: (s) => [
        s.smoke.timeoutMs,
        ...s.smoke.http.map((c) => c.timeoutMs),
        ...s.smoke.jobs.map((c) => c.timeoutMs),
      ],
      expected: [10 * MINUTE, 10 * MINUTE, 30_000, 10 * MINUTE, 2 * MINUTE],
    },
    {
      situation: "watch interval, grace, Prometheus timeout and baseline",
      tier: "staging",
      at: ["watch"],
      value: {
        ...minimal.watch,
        interval: "30s",
        noDataGrace: "5m",
        prometheus: { url: "http://p:9090", timeout: "15s" },
        baseline: { mode: "concurrent", window: "30m" },
      },
      read: (s) => [
        s.watch.intervalMs,
        s.watch.noDataGraceMs,
        s.watch.prometheus.timeoutMs,
        s.watch.baseline,
      ],
      expected: [30_000, 5 * MINUTE, 15_000, { mode: "concurrent", windowMs: 30 * MINUTE }],
    },
    {
      situation: "a health check",
      tier: "staging",
      at: ["watch", "healthCheck"],
      value: { url: "https://x.example.com", method: "HEAD", expectedStatus: 204, timeout: "2s" },
      read: (s) => s.watch.healthCheck,
      expected: { url: "https://x.example.com", method: "HEAD", expectedStatus: 204, timeoutMs: 2_000 },
    },
    {
      situation: "the report's branch, path and tag pattern",
      tier: "staging",
      at: ["report"],
      value: { branch: "releases", path: "docs/", tagPattern: "released/{version}" },
      read: (s) => s.report,
      expected: { branch: "releases", path: "docs/", tagPattern: "released/{version}" },
    },
  ])("$tier: $situation", ({ tier, at, value, read, expected }) => {
    expect(read(settingsOf(changed(ofTier(tier), at, value)))).toEqual(expected);
  });
});

describe("readEnvironmentSpec: strategies", () => {
  it.each<{
    situation: string;
    strategies?: Strategy[];
    defaultStrategy?: Strategy;
    expected: { strategies: Strategy[]; defaultStrategy: Strategy };
  }>([
    {
      situation: "neither strategies nor a default: all-at-once",
      expected: { strategies: ["all-at-once"], defaultStrategy: "all-at-once" },
    },
    {
      situation: "a default only: the strategies are that one",
      defaultStrategy: "canary",
      expected: { strategies: ["canary"], defaultStrategy: "canary" },
    },
    {
      situation: "strategies only: the first is the default",
      strategies: ["blue-green", "canary"],
      expected: { strategies: ["blue-green", "canary"], defaultStrategy: "blue-green" },
    },
    {
      situation: "both: as written",
      strategies: ["blue-green", "canary"],
      defaultStrategy: "canary",
      expected: { strategies: ["blue-green", "canary"], defaultStrategy: "canary" },
    },
  ])("$situation", ({ strategies, defaultStrategy, expected }) => {
    const settings = settingsOf({
      ...minimal,
      ...(strategies === undefined ? {} : { strategies }),
      ...(defaultStrategy === undefined ? {} : { defaultStrategy }),
    });
    expect({ strategies: settings.strategies, defaultStrategy: settings.defaultStrategy }).toEqual(expected);
  });

  it("the default strategy is the one every script can do", () => {
    expect(DEFAULT_STRATEGY).toBe("all-at-once");
  });
});

describe("readEnvironmentSpec: rules that hold once defaults are in", () => {
  const needsAnInterval = ": the window needs at least one interval";

  it.each<{ situation: string; tier: Tier; at: Path; value: unknown; issues: SpecIssue[] }>([
    {
      situation: "a watch.interval longer than staging's default duration",
      tier: "staging",
      at: ["watch", "interval"],
      value: "20m",
      issues: [
        {
          path: "spec.watch.interval",
          given: '"20m"',
          message: `must not be longer than watch.duration (15m, staging's default)${needsAnInterval}`,
        },
      ],
    },
    {
      situation: "a watch.interval longer than development's default duration",
      tier: "development",
      at: ["watch", "interval"],
      value: "16m",
      issues: [
        {
          path: "spec.watch.interval",
          given: '"16m"',
          message: `must not be longer than watch.duration (15m, development's default)${needsAnInterval}`,
        },
      ],
    },
    {
      situation: "a watch.interval longer than production's default duration",
      tier: "production",
      at: ["watch", "interval"],
      value: "2h",
      issues: [
        {
          path: "spec.watch.interval",
          given: '"2h"',
          message: `must not be longer than watch.duration (1h, production's default)${needsAnInterval}`,
        },
      ],
    },
    {
      situation: "a watch.interval longer than an explicit duration, which is no default",
      tier: "production",
      at: ["watch"],
      value: { ...minimal.watch, duration: "30m", interval: "45m" },
      issues: [
        {
          path: "spec.watch.interval",
          given: '"45m"',
          message: `must not be longer than watch.duration (30m)${needsAnInterval}`,
        },
      ],
    },
    {
      situation: "a watch.duration shorter than the default interval",
      tier: "staging",
      at: ["watch", "duration"],
      value: "30s",
      issues: [
        {
          path: "spec.watch.duration",
          given: '"30s"',
          message: `must not be shorter than watch.interval (1m, the default)${needsAnInterval}`,
        },
      ],
    },
    {
      situation: "a deploy.idleTimeout longer than the default timeout",
      tier: "staging",
      at: ["deploy", "idleTimeout"],
      value: "1h",
      issues: [
        {
          path: "spec.deploy.idleTimeout",
          given: '"1h"',
          message: "must not be longer than deploy.timeout (30m, the default)",
        },
      ],
    },
    {
      situation: "a deploy.idleTimeout longer than an explicit timeout",
      tier: "staging",
      at: ["deploy"],
      value: { ...minimal.deploy, idleTimeout: "20m", timeout: "10m" },
      issues: [
        {
          path: "spec.deploy.idleTimeout",
          given: '"20m"',
          message: "must not be longer than deploy.timeout (10m)",
        },
      ],
    },
    {
      situation: "a deploy.timeout shorter than the default idleTimeout",
      tier: "staging",
      at: ["deploy", "timeout"],
      value: "2m",
      issues: [
        {
          path: "spec.deploy.timeout",
          given: '"2m"',
          message: "must not be shorter than deploy.idleTimeout (5m, the default)",
        },
      ],
    },
  ])("refuses $situation", ({ tier, at, value, issues }) => {
    expect(readEnvironmentSpec(changed(ofTier(tier), at, value))).toEqual({ ok: false, issues });
  });

  it("reports both rules when both are broken", () => {
    const spec: EnvironmentSpec = {
      ...minimal,
      deploy: { ...minimal.deploy, idleTimeout: "45m" },
      watch: { ...minimal.watch, interval: "1h" },
    };
    expect(issuesOf(readEnvironmentSpec(spec)).map((issue) => issue.path)).toEqual([
      "spec.watch.interval",
      "spec.deploy.idleTimeout",
    ]);
  });

  it("does not check them while the spec itself is invalid", () => {
    const spec = changed(minimal, ["watch", "interval"], "5x");
    expect(issuesOf(readEnvironmentSpec(spec))).toEqual([
      {
        path: "spec.watch.interval",
        given: '"5x"',
        message: "must be a duration such as 90s, 5m or 1h30m (units ms, s, m, h)",
      },
    ]);
  });

  it.each<{ situation: string; tier: Tier; at: Path; value: unknown }>([
    {
      situation: "an interval as long as staging's default duration",
      tier: "staging",
      at: ["watch", "interval"],
      value: "15m",
    },
    {
      situation: "an interval as long as production's default duration",
      tier: "production",
      at: ["watch", "interval"],
      value: "60m",
    },
    {
      situation: "a long interval in a longer explicit duration",
      tier: "production",
      at: ["watch"],
      value: { ...minimal.watch, duration: "3h", interval: "90m" },
    },
    {
      situation: "a duration as short as the default interval",
      tier: "staging",
      at: ["watch", "duration"],
      value: "1m",
    },
    {
      situation: "an idleTimeout as long as the default timeout",
      tier: "staging",
      at: ["deploy", "idleTimeout"],
      value: "30m",
    },
    {
      situation: "a timeout as short as the default idleTimeout",
      tier: "staging",
      at: ["deploy", "timeout"],
      value: "5m",
    },
  ])("accepts $situation", ({ tier, at, value }) => {
    const spec = changed(ofTier(tier), at, value);
    expect(readEnvironmentSpec(spec)).toEqual({ ok: true, value: settingsOf(spec) });
  });
});

describe("readReleaseSpec", () => {
  it("returns the spec as written", () => {
    const spec: ReleaseSpec = { environment: "staging", version: "1.4.2", strategy: "canary" };
    expect(readReleaseSpec(spec)).toEqual({ ok: true, value: spec });
  });

  it("says why a Release to two environments is refused", () => {
    expect(readReleaseSpec({ environment: "staging,production", version: "1.4.2" })).toEqual({
      ok: false,
      issues: [
        {
          path: "spec.environment",
          given: '"staging,production"',
          message: "must name exactly one Environment: create one Release per environment",
        },
      ],
    });
  });
});

describe("resolveReleaseSettings", () => {
  const production: EnvironmentSpec = {
    ...minimal,
    tier: "production",
    strategies: ["canary", "blue-green"],
    allowedOverrides: ["watch.duration"],
    deploy: { ...minimal.deploy, strategyArgs: { canary: ["--canary", "10%"], "blue-green": ["--switch"] } },
  };
  const environment = settingsOf(production);
  const allowingEverything = settingsOf({ ...production, allowedOverrides: [...OVERRIDABLE_FIELDS] });
  const allowingNothing = settingsOf({ ...production, allowedOverrides: [] });
  const release = (extra: Partial<ReleaseSpec> = {}): ReleaseSpec => ({
    environment: "production",
    version: "1.4.2",
    ...extra,
  });

  it("without a strategy or overrides, takes the Environment's settings as they are", () => {
    const value = valueOf(resolveReleaseSettings("production", environment, release()));
    expect(value.environment).toEqual(environment);
    expect("presetStrategy" in value).toBe(false);
  });

  it.each(["canary", "blue-green"] as const)(
    "takes the preset strategy %s, one the Environment supports",
    (strategy) => {
      expect(
        valueOf(resolveReleaseSettings("production", environment, release({ strategy }))).presetStrategy,
      ).toBe(strategy);
    },
  );

  it.each<{ situation: string; settings: EnvironmentSettings; spec: ReleaseSpec; issues: SpecIssue[] }>([
    ...STRATEGIES.filter((strategy) => !environment.strategies.includes(strategy)).map((strategy) => ({
      situation: `the preset strategy ${strategy}, which the Environment does not support`,
      settings: environment,
      spec: release({ strategy }),
      issues: [
        {
          path: "spec.strategy",
          given: JSON.stringify(strategy),
          message: "is not supported by Environment production; valid: canary, blue-green",
        },
      ],
    })),
    {
      situation: "an override the Environment does not allow",
      settings: environment,
      spec: release({ overrides: { deploy: { timeout: "45m" } } }),
      issues: [
        {
          path: "spec.overrides.deploy.timeout",
          given: '"45m"',
          message: "is not allowed by Environment production; it allows: watch.duration",
        },
      ],
    },
    ...(
      [
        ["deploy.timeout", { deploy: { timeout: "45m" } }],
        ["deploy.idleTimeout", { deploy: { idleTimeout: "45m" } }],
        ["smoke.timeout", { smoke: { timeout: "45m" } }],
        ["watch.duration", { watch: { duration: "45m" } }],
        ["watch.interval", { watch: { interval: "45m" } }],
      ] as const
    ).map(([field, overrides]) => ({
      situation: `an override of ${field} when the Environment allows none`,
      settings: allowingNothing,
      spec: release({ overrides }),
      issues: [
        {
          path: `spec.overrides.${field}`,
          given: '"45m"',
          message: "is not allowed by Environment production; it allows: no overrides",
        },
      ],
    })),
    {
      situation: "an override that is not allowed and would break a rule: only the first is said",
      settings: environment,
      spec: release({ overrides: { watch: { interval: "2h" } } }),
      issues: [
        {
          path: "spec.overrides.watch.interval",
          given: '"2h"',
          message: "is not allowed by Environment production; it allows: watch.duration",
        },
      ],
    },
    {
      situation: "a watch.duration override shorter than the Environment's interval",
      settings: environment,
      spec: release({ overrides: { watch: { duration: "30s" } } }),
      issues: [
        {
          path: "spec.overrides.watch.duration",
          given: '"30s"',
          message:
            "must not be shorter than watch.interval (1m, Environment production's): the window needs at least one interval",
        },
      ],
    },
    {
      situation: "a watch.interval override longer than the Environment's duration",
      settings: allowingEverything,
      spec: release({ overrides: { watch: { interval: "2h" } } }),
      issues: [
        {
          path: "spec.overrides.watch.interval",
          given: '"2h"',
          message:
            "must not be longer than watch.duration (1h, Environment production's): the window needs at least one interval",
        },
      ],
    },
    {
      situation: "a watch.interval override longer than the duration overridden with it",
      settings: allowingEverything,
      spec: release({ overrides: { watch: { duration: "1h", interval: "2h" } } }),
      issues: [
        {
          path: "spec.overrides.watch.interval",
          given: '"2h"',
          message: "must not be longer than watch.duration (1h): the window needs at least one interval",
        },
      ],
    },
    {
      situation: "a deploy.idleTimeout override longer than the Environment's timeout",
      settings: allowingEverything,
      spec: release({ overrides: { deploy: { idleTimeout: "45m" } } }),
      issues: [
        {
          path: "spec.overrides.deploy.idleTimeout",
          given: '"45m"',
          message: "must not be longer than deploy.timeout (30m, Environment production's)",
        },
      ],
    },
    {
      situation: "a deploy.timeout override shorter than the Environment's idleTimeout",
      settings: allowingEverything,
      spec: release({ overrides: { deploy: { timeout: "2m" } } }),
      issues: [
        {
          path: "spec.overrides.deploy.timeout",
          given: '"2m"',
          message: "must not be shorter than deploy.idleTimeout (5m, Environment production's)",
        },
      ],
    },
    {
      situation: "an unsupported strategy and a disallowed override together",
      settings: environment,
      spec: release({ strategy: "manual", overrides: { smoke: { timeout: "1m" } } }),
      issues: [
        {
          path: "spec.strategy",
          given: '"manual"',
          message: "is not supported by Environment production; valid: canary, blue-green",
        },
        {
          path: "spec.overrides.smoke.timeout",
          given: '"1m"',
          message: "is not allowed by Environment production; it allows: watch.duration",
        },
      ],
    },
  ])("refuses $situation", ({ settings, spec, issues }) => {
    expect(resolveReleaseSettings("production", settings, spec)).toEqual({ ok: false, issues });
  });

  it.each<{
    field: OverridableField;
    overrides: ReleaseSpec["overrides"];
    read: (s: EnvironmentSettings) => number;
    ms: number;
  }>([
    {
      field: "deploy.timeout",
      overrides: { deploy: { timeout: "45m" } },
      read: (s) => s.deploy.timeoutMs,
      ms: 45 * MINUTE,
    },
    {
      field: "deploy.idleTimeout",
      overrides: { deploy: { idleTimeout: "10m" } },
      read: (s) => s.deploy.idleTimeoutMs,
      ms: 10 * MINUTE,
    },
    {
      field: "smoke.timeout",
      overrides: { smoke: { timeout: "90s" } },
      read: (s) => s.smoke.timeoutMs,
      ms: 90_000,
    },
    {
      field: "watch.duration",
      overrides: { watch: { duration: "2h" } },
      read: (s) => s.watch.durationMs,
      ms: 120 * MINUTE,
    },
    {
      field: "watch.interval",
      overrides: { watch: { interval: "30s" } },
      read: (s) => s.watch.intervalMs,
      ms: 30_000,
    },
  ])("applies an allowed override of $field", ({ overrides, read, ms }) => {
    const value = valueOf(resolveReleaseSettings("production", allowingEverything, release({ overrides })));
    expect(read(value.environment)).toBe(ms);
  });

  it("applies watch.duration 2h when it is the one override allowed, and changes nothing else", () => {
    const before = structuredClone(environment);
    const spec = release({ overrides: { watch: { duration: "2h" } } });
    expect(valueOf(resolveReleaseSettings("production", environment, spec)).environment).toEqual({
      ...environment,
      watch: { ...environment.watch, durationMs: 120 * MINUTE },
    });
    // The Environment's settings are shared by every Release: they stay as they were.
    expect(environment).toEqual(before);
  });

  it.each<{ situation: string; releaseArgs?: string[]; strategy: Strategy; expected: string[] }>([
    {
      situation: "the Environment's arguments, then the Release's",
      releaseArgs: ["--dry-run"],
      strategy: "canary",
      expected: ["--canary", "10%", "--dry-run"],
    },
    {
      situation: "the Environment's arguments for another strategy, then the Release's",
      releaseArgs: ["--dry-run"],
      strategy: "blue-green",
      expected: ["--switch", "--dry-run"],
    },
    {
      situation: "only the Release's, for a strategy without Environment arguments",
      releaseArgs: ["--dry-run"],
      strategy: "all-at-once",
      expected: ["--dry-run"],
    },
    {
      situation: "only the Environment's, when the Release has none",
      strategy: "canary",
      expected: ["--canary", "10%"],
    },
    { situation: "nothing at all", strategy: "manual", expected: [] },
  ])("argsFor($strategy) is $situation", ({ releaseArgs, strategy, expected }) => {
    const spec = release(releaseArgs === undefined ? {} : { strategyArgs: releaseArgs });
    expect(valueOf(resolveReleaseSettings("production", environment, spec)).argsFor(strategy)).toEqual(
      expected,
    );
  });
});
