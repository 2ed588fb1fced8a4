// Every rule of the zod schemas, with a good and a bad input each. Bad inputs are a valid spec with one
// field changed, so each names exactly one issue: its path, what is valid, and the value given.
import { describe, expect, it } from "vitest";
import { minimalEnvironment } from "../../../test/support/environments.js";
import { changed, type Path } from "../../../test/support/objects.js";
import type { EnvironmentSpec } from "./environment.js";
import type { ReleaseSpec } from "./release.js";
import {
  conditionSchema,
  environmentSpecSchema,
  METRIC_KINDS,
  OVERRIDABLE_FIELDS,
  placeholdersIn,
  releaseSpecSchema,
  STRATEGIES,
} from "./schema.js";
import { parseWith, type SpecIssue } from "./validation.js";

const issuesOf = (result: { ok: true } | { ok: false; issues: SpecIssue[] }): SpecIssue[] =>
  result.ok ? [] : result.issues;

const minimal = minimalEnvironment;

/** A production Environment that sets every field of the API. */
const full: EnvironmentSpec = {
  tier: "production",
  strategies: ["canary", "blue-green", "all-at-once", "manual"],
  defaultStrategy: "blue-green",
  autoSelectStrategy: false,
  approval: { required: true, count: 2, approverGroups: ["release-managers"], fourEyes: true },
  changeWindows: [
    { days: ["Mon", "Tue", "Wed", "Thu"], start: "09:00", end: "16:00", timeZone: "Europe/Berlin" },
    { days: ["Sat"], start: "22:00", end: "06:00" },
  ],
  blackouts: [{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00+01:00", reason: "Year-end freeze" }],
  allowedOverrides: [
    "deploy.timeout",
    "deploy.idleTimeout",
    "smoke.timeout",
    "watch.duration",
    "watch.interval",
  ],
  artifact: {
    repository: "registry.example.com/nav/onboard",
    pullSecret: { name: "registry-pull" },
    plainHTTP: false,
  },
  source: {
    url: "https://git.example.com/nav/onboard.git",
    credentialsSecret: { name: "git-readonly" },
    tagPattern: "v{version}",
    components: [
      { pathPrefix: "services/nav/", component: "navigation" },
      { pathPrefix: "services/fusion/", component: "sensor-fusion" },
    ],
  },
  acceptance: {
    criteria: [
      {
        id: "AC-1",
        description: "Position fix within 5 m after 10 minutes without GPS",
        tests: ["nav.DriftTest.test_drift_under_5m_after_10min"],
        critical: true,
      },
      { id: "AC-2", tests: ["fusion.ImuTest.test_imu_dropout_recovery", "test_fusion_restart"] },
    ],
    reports: [
      { configMap: { name: "nav-test-report", key: "junit.xml" } },
      { secret: { name: "fusion-report" } },
    ],
  },
  deploy: {
    image: "registry.example.com/nav/deploy-tools:2.3.0",
    imagePullPolicy: "Always",
    script: { configMap: { name: "deploy-script", key: "deploy.sh" } },
    strategyArgs: {
      "all-at-once": ["--all"],
      "blue-green": ["--blue-green"],
      canary: ["--canary", "10%"],
      manual: [],
    },
    envFrom: [{ secretRef: { name: "production-env" } }, { configMapRef: { name: "production-config" } }],
    requiredEnv: ["TARGET_HOST", "SSH_KEY_PATH", "_PRIVATE", "REGISTRY_TOKEN_2"],
    nodeSelector: { "node-role.release-operator.io/onboard": "true" },
    tolerations: [
      {
        key: "node-role.release-operator.io/onboard",
        operator: "Equal",
        value: "true",
        effect: "NoExecute",
        tolerationSeconds: 300,
      },
    ],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
    serviceAccountName: "release-deployer",
    podSecurity: "baseline",
    idleTimeout: "10m",
    timeout: "1h",
  },
  smoke: {
    required: true,
    timeout: "10m",
    http: [
      {
        name: "position-write",
        method: "POST",
        url: "https://nav.example.com/api/v1/waypoints",
        headers: { "X-Test-Account": "smoke-bot" },
        body: '{"lat": 0, "lon": 0}',
        expectedStatus: 201,
        bodyMatch: { contains: '"id"', regex: '^\\{"id":\\s*"[0-9a-f]+"' },
        timeout: "30s",
        safety: "test-account",
      },
    ],
    jobs: [
      {
        name: "fusion-selftest",
        image: "registry.example.com/nav/selftest:1",
        command: ["/bin/selftest", "--quick"],
        timeout: "2m",
        safety: "smoke-endpoint",
      },
    ],
  },
  watch: {
    duration: "2h",
    interval: "30s",
    noDataGrace: "5m",
    prometheus: {
      url: "https://prometheus.example.com",
      authSecret: { name: "prometheus-reader" },
      timeout: "15s",
    },
    baseline: { mode: "concurrent", window: "15m" },
    metrics: [
      {
        name: "error-rate",
        query:
          'sum(rate(http_requests_total{code=~"5..",version="{version}",env="{environment}"}[5m])) / sum(rate(http_requests_total{version="{version}"}[5m]))',
        kind: "error-rate",
        direction: "up",
        hardRatio: 3,
        softRatio: 2,
        floor: 0.001,
      },
      {
        name: "p99-latency",
        query:
          'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{version="{version}"}[5m])))',
        kind: "latency",
      },
      {
        name: "request-rate",
        query:
          'sum(rate(http_requests_total{version="{version}"}[5m])) - 0 * sum(up{version="{previousVersion}"})',
        kind: "throughput",
        direction: "down",
        floor: 0,
      },
    ],
    healthCheck: {
      url: "https://nav.example.com/healthz",
      method: "HEAD",
      expectedStatus: 204,
      timeout: "3s",
    },
  },
  report: {
    url: "ssh://git@git.example.com/nav/releases.git",
    branch: "releases",
    path: "docs/releases/",
    credentialsSecret: { name: "git-push" },
    tagPattern: "released/{version}",
  },
};

const bases = { minimal, full } as const;

interface Good {
  situation: string;
  base?: keyof typeof bases;
  at: Path;
  value: unknown;
}

interface Bad extends Good {
  /** The issue's exact path. */
  path: string;
  /** What the message must say: what is valid. */
  says: string;
  /** The value as rendered in the issue; absent when none is shown. */
  given?: string;
}

const readEnvironment = (input: unknown) => parseWith(environmentSpecSchema, input, "spec");

describe("environmentSpecSchema", () => {
  it.each([
    { situation: "the minimal spec", spec: minimal },
    { situation: "the full production spec", spec: full },
  ])("accepts $situation as written", ({ spec }) => {
    expect(readEnvironment(spec)).toEqual({ ok: true, value: spec });
  });

  const good: Good[] = [
    // tier, strategies
    ...["production", "staging", "development"].map((tier) => ({
      situation: `tier ${tier}`,
      at: ["tier"],
      value: tier,
    })),
    ...STRATEGIES.map((strategy) => ({
      situation: `the single strategy ${strategy}`,
      at: ["strategies"],
      value: [strategy],
    })),
    { situation: "a defaultStrategy without strategies", at: ["defaultStrategy"], value: "canary" },
    { situation: "approval from 1 approver", at: ["approval"], value: { count: 1 } },
    { situation: "approval from 10 approvers", at: ["approval"], value: { count: 10 } },
    // change windows and blackouts
    {
      situation: "a change window on every day, in UTC",
      at: ["changeWindows"],
      value: [
        {
          days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
          start: "00:00",
          end: "23:59",
          timeZone: "UTC",
        },
      ],
    },
    {
      situation: "a change window past midnight, in America/New_York",
      at: ["changeWindows"],
      value: [{ days: ["Fri"], start: "22:00", end: "02:00", timeZone: "America/New_York" }],
    },
    {
      situation: "a blackout of one second, with offsets and fractions",
      at: ["blackouts"],
      value: [{ from: "2026-12-24T18:00:00.5+01:00", to: "2026-12-24T17:00:01Z", reason: "Christmas Eve" }],
    },
    // source, report
    ...[
      "https://git.example.com/nav/onboard.git",
      "http://localhost:3000/nav/onboard",
      "ssh://git@git.example.com:22/nav/onboard.git",
      "file:///srv/git/onboard.git",
    ].map((url) => ({ situation: `the git URL ${url}`, at: ["source"], value: { url } })),
    {
      situation: "a tag pattern with {version} inside",
      at: ["report", "tagPattern"],
      value: "nav-{version}-final",
    },
    { situation: "an empty report path (the repository root)", at: ["report", "path"], value: "" },
    // deploy
    {
      situation: "a deploy script from a ConfigMap without a key",
      at: ["deploy", "script"],
      value: { configMap: { name: "s" } },
    },
    {
      situation: "envFrom with a ConfigMap",
      at: ["deploy", "envFrom"],
      value: [{ configMapRef: { name: "env" } }],
    },
    ...["5m", "1h30m", "90s", "500ms", "1.5h"].map((timeout) => ({
      situation: `the duration ${timeout}`,
      at: ["deploy", "timeout"],
      value: timeout,
    })),
    // smoke
    {
      situation: "a body match with contains only",
      at: ["smoke", "http"],
      value: [{ name: "a", url: "https://x.example.com", bodyMatch: { contains: "ok" } }],
    },
    {
      situation: "a body match with a regex only",
      at: ["smoke", "http"],
      value: [{ name: "a", url: "https://x.example.com", bodyMatch: { regex: "^ok$" } }],
    },
    ...[100, 599].map((status) => ({
      situation: `expected status ${status}`,
      at: ["smoke", "http"],
      value: [{ name: "a", url: "http://x.example.com:8080/healthz?verbose=1", expectedStatus: status }],
    })),
    {
      situation: "an HTTP case and a Job case with different names",
      at: ["smoke"],
      value: {
        http: [{ name: "health", url: "https://x.example.com" }],
        jobs: [{ name: "selftest", image: "i", command: ["true"] }],
      },
    },
    // metrics
    ...METRIC_KINDS.map((kind) => ({
      situation: `a metric of kind ${kind} with its defaults`,
      at: ["watch", "metrics", 0, "kind"],
      value: kind,
    })),
    {
      situation: "a latency metric with softRatio 2.5 alone (its default hardRatio is 3)",
      at: ["watch", "metrics", 0],
      value: { name: "p99", query: "x", kind: "latency", softRatio: 2.5 },
    },
    {
      situation: "a metric with hardRatio just above 1 and a softRatio below it",
      at: ["watch", "metrics", 0],
      value: { name: "m", query: "x", hardRatio: 1.2, softRatio: 1.1 },
    },
    {
      situation: "a metric with hardRatio 1000, the maximum",
      at: ["watch", "metrics", 0, "hardRatio"],
      value: 1000,
    },
    { situation: "a metric with floor 0", at: ["watch", "metrics", 0, "floor"], value: 0 },
    {
      situation: "a query with every placeholder",
      at: ["watch", "metrics", 0, "query"],
      value: 'x{version="{version}",prev="{previousVersion}",env="{environment}"}',
    },
    {
      situation: "a query with label matchers only, which are not placeholders",
      at: ["watch", "metrics", 0, "query"],
      value: 'sum(rate(x{job="x"}[5m])) / sum(rate(x{job!="y",code=~"5.."}[5m]))',
    },
    {
      situation: "a query with a regex quantifier in a label value",
      at: ["watch", "metrics", 0, "query"],
      value: 'x{code=~"5[0-9]{2}",path=~"/a{1,3}"}',
    },
    {
      situation: "a pre-deploy baseline, whose queries need no {version}",
      at: ["watch", "baseline"],
      value: { mode: "pre-deploy", window: "30m" },
    },
    {
      situation: "a concurrent baseline whose every query uses {version}",
      at: ["watch"],
      value: {
        prometheus: { url: "http://p:9090" },
        baseline: { mode: "concurrent" },
        metrics: [
          { name: "a", query: 'x{version="{version}"}' },
          { name: "b", query: 'y{v="{version}"} / y{v="{previousVersion}"}' },
        ],
      },
    },
  ];

  it.each(good)("accepts $situation", ({ base, at, value }) => {
    const input = changed(bases[base ?? "minimal"], at, value);
    expect(readEnvironment(input)).toEqual({ ok: true, value: input });
  });

  const bad: Bad[] = [
    // tier
    {
      situation: "a missing tier",
      at: ["tier"],
      value: undefined,
      path: "spec.tier",
      says: "is required: it must be one of: production, staging, development",
    },
    {
      situation: "an unknown tier",
      at: ["tier"],
      value: "prod",
      path: "spec.tier",
      says: "must be one of: production, staging, development",
      given: '"prod"',
    },
    // strategies
    {
      situation: "an unknown strategy",
      at: ["strategies"],
      value: ["canary", "rolling"],
      path: "spec.strategies[1]",
      says: "must be one of: all-at-once, blue-green, canary, manual",
      given: '"rolling"',
    },
    {
      situation: "a repeated strategy",
      at: ["strategies"],
      value: ["canary", "blue-green", "canary"],
      path: "spec.strategies[2]",
      says: 'repeats the strategy "canary"; each must be unique',
      given: '"canary"',
    },
    {
      situation: "no strategies",
      at: ["strategies"],
      value: [],
      path: "spec.strategies",
      says: "must name at least one of: all-at-once, blue-green, canary, manual",
    },
    {
      situation: "strategies that are not a list",
      at: ["strategies"],
      value: "canary",
      path: "spec.strategies",
      says: "must be a list",
      given: '"canary"',
    },
    {
      situation: "a defaultStrategy not among the strategies",
      base: "full",
      at: ["strategies"],
      value: ["canary", "all-at-once"],
      path: "spec.defaultStrategy",
      says: "must be one of the environment's strategies: canary, all-at-once",
      given: '"blue-green"',
    },
    {
      situation: "an unknown defaultStrategy",
      at: ["defaultStrategy"],
      value: "rolling",
      path: "spec.defaultStrategy",
      says: "must be one of: all-at-once, blue-green, canary, manual",
      given: '"rolling"',
    },
    {
      situation: "autoSelectStrategy as a string",
      at: ["autoSelectStrategy"],
      value: "yes",
      path: "spec.autoSelectStrategy",
      says: "must be true or false",
      given: '"yes"',
    },
    // approval
    ...[
      { count: 0, says: "must be at least 1", given: "0" },
      { count: 11, says: "must be at most 10", given: "11" },
      { count: 1.5, says: "must be a whole number", given: "1.5" },
      { count: "2", says: "must be a number", given: '"2"' },
    ].map(({ count, says, given }) => ({
      situation: `an approval count of ${JSON.stringify(count)}`,
      at: ["approval", "count"],
      value: count,
      path: "spec.approval.count",
      says,
      given,
    })),
    {
      situation: "approval.required as a string",
      at: ["approval", "required"],
      value: "true",
      path: "spec.approval.required",
      says: "must be true or false",
      given: '"true"',
    },
    {
      situation: "an empty approver group",
      at: ["approval", "approverGroups"],
      value: [""],
      path: "spec.approval.approverGroups[0]",
      says: "must not be empty",
      given: '""',
    },
    // change windows
    {
      situation: "a change window on no day",
      at: ["changeWindows"],
      value: [{ days: [], start: "09:00", end: "17:00" }],
      path: "spec.changeWindows[0].days",
      says: "must name at least one of: Mon, Tue, Wed, Thu, Fri, Sat, Sun",
    },
    {
      situation: "a change window naming a day twice",
      at: ["changeWindows"],
      value: [{ days: ["Mon", "Tue", "Mon"], start: "09:00", end: "17:00" }],
      path: "spec.changeWindows[0].days[2]",
      says: 'repeats the day "Mon"',
      given: '"Mon"',
    },
    {
      situation: "a change window that opens and closes at the same time",
      at: ["changeWindows"],
      value: [{ days: ["Mon"], start: "09:00", end: "09:00" }],
      path: "spec.changeWindows[0].end",
      says: "a window needs a length",
      given: '"09:00"',
    },
    {
      situation: "a change window on a day written in full",
      at: ["changeWindows"],
      value: [{ days: ["Mon", "Tuesday"], start: "09:00", end: "17:00" }],
      path: "spec.changeWindows[0].days[1]",
      says: "must be one of: Mon, Tue, Wed, Thu, Fri, Sat, Sun",
      given: '"Tuesday"',
    },
    {
      situation: "a change window opening at a time with seconds",
      at: ["changeWindows"],
      value: [{ days: ["Mon"], start: "09:00:00", end: "17:00" }],
      path: "spec.changeWindows[0].start",
      says: "is longer than 5 characters: it must be a time of day in 24-hour HH:MM, such as 09:00 or 17:30",
      given: '"09:00:00"',
    },
    ...["9:00", "24:00", "12:60", "9am"].map((start) => ({
      situation: `a change window opening at ${start}`,
      at: ["changeWindows"],
      value: [{ days: ["Mon"], start, end: "17:00" }],
      path: "spec.changeWindows[0].start",
      says: "must be a time of day in 24-hour HH:MM, such as 09:00 or 17:30",
      given: JSON.stringify(start),
    })),
    {
      situation: "a change window without an end",
      at: ["changeWindows"],
      value: [{ days: ["Mon"], start: "09:00" }],
      path: "spec.changeWindows[0].end",
      says: "is required: it must be a time of day in 24-hour HH:MM",
    },
    ...["Mars/Olympus", "CEST+1", ""].map((timeZone) => ({
      situation: `a change window in the time zone ${JSON.stringify(timeZone)}`,
      at: ["changeWindows"],
      value: [{ days: ["Mon"], start: "09:00", end: "17:00", timeZone }],
      path: "spec.changeWindows[0].timeZone",
      says: "must be an IANA time zone such as UTC or Europe/Berlin",
      given: JSON.stringify(timeZone),
    })),
    // blackouts
    {
      situation: "a blackout that ends before it starts",
      at: ["blackouts"],
      value: [{ from: "2026-12-24T00:00:00Z", to: "2026-12-23T00:00:00Z", reason: "Christmas" }],
      path: "spec.blackouts[0].to",
      says: "must be after from (2026-12-24T00:00:00Z)",
      given: '"2026-12-23T00:00:00Z"',
    },
    {
      situation: "a blackout that ends when it starts, written in another offset",
      at: ["blackouts"],
      value: [{ from: "2026-12-24T01:00:00+01:00", to: "2026-12-24T00:00:00Z", reason: "Christmas" }],
      path: "spec.blackouts[0].to",
      says: "must be after from (2026-12-24T01:00:00+01:00)",
      given: '"2026-12-24T00:00:00Z"',
    },
    ...["2026-12-24", "2026-12-24 00:00:00Z", "2026-12-24T00:00:00"].map((from) => ({
      situation: `a blackout from ${from}, not RFC 3339`,
      at: ["blackouts"],
      value: [{ from, to: "2027-01-01T00:00:00Z", reason: "freeze" }],
      path: "spec.blackouts[0].from",
      says: "must be an RFC 3339 timestamp such as 2026-11-25T14:00:00Z",
      given: JSON.stringify(from),
    })),
    {
      situation: "a blackout from the 45th day of the 13th month",
      at: ["blackouts"],
      value: [{ from: "2026-13-45T00:00:00Z", to: "2027-01-01T00:00:00Z", reason: "freeze" }],
      path: "spec.blackouts[0].from",
      says: "must be an RFC 3339 timestamp such as 2026-11-25T14:00:00Z",
      given: '"2026-13-45T00:00:00Z"',
    },
    {
      situation: "a blackout without a reason",
      at: ["blackouts"],
      value: [{ from: "2026-12-24T00:00:00Z", to: "2026-12-25T00:00:00Z", reason: "" }],
      path: "spec.blackouts[0].reason",
      says: "must not be empty",
      given: '""',
    },
    // allowed overrides
    {
      situation: "an override of a field that cannot be overridden",
      at: ["allowedOverrides"],
      value: ["watch.duration", "watch.noDataGrace"],
      path: "spec.allowedOverrides[1]",
      says: `must be one of: ${OVERRIDABLE_FIELDS.join(", ")}`,
      given: '"watch.noDataGrace"',
    },
    // artifact
    {
      situation: "an artifact with an empty repository",
      at: ["artifact"],
      value: { repository: "" },
      path: "spec.artifact.repository",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "an artifact pull secret with an invalid name",
      at: ["artifact"],
      value: { repository: "registry.example.com/nav", pullSecret: { name: "Registry_Pull" } },
      path: "spec.artifact.pullSecret.name",
      says: "must be the name of one object: lower-case letters, digits, '-' and '.'",
      given: '"Registry_Pull"',
    },
    {
      situation: "an artifact with plainHTTP as a string",
      at: ["artifact"],
      value: { repository: "localhost:5000/nav", plainHTTP: "yes" },
      path: "spec.artifact.plainHTTP",
      says: "must be true or false",
      given: '"yes"',
    },
    // source
    ...[
      "github.com/nav/onboard",
      "ftp://git.example.com/nav",
      "https://",
      "git://git.example.com/nav/onboard",
      "git@github.com:nav/onboard.git",
    ].map((url) => ({
      situation: `a source URL ${url}`,
      at: ["source"],
      value: { url },
      path: "spec.source.url",
      says: "must be a git URL: https://, http://, ssh:// or file:// (write user@host:path as ssh://user@host/path)",
      given: JSON.stringify(url),
    })),
    {
      situation: "a source tag pattern without {version}",
      base: "full",
      at: ["source", "tagPattern"],
      value: "release/latest",
      path: "spec.source.tagPattern",
      says: "must contain the placeholder {version}, e.g. release/{version}",
      given: '"release/latest"',
    },
    {
      situation: "a source tag pattern with another placeholder",
      base: "full",
      at: ["source", "tagPattern"],
      value: "release/{tag}",
      path: "spec.source.tagPattern",
      says: "must contain the placeholder {version}",
      given: '"release/{tag}"',
    },
    {
      situation: "a report tag pattern git refuses",
      base: "full",
      at: ["report", "tagPattern"],
      value: "release {version}",
      path: "spec.report.tagPattern",
      says: "contains a space",
      given: '"release {version}"',
    },
    {
      situation: "a report branch git refuses",
      base: "full",
      at: ["report", "branch"],
      value: "releases..old",
      path: "spec.report.branch",
      says: 'is not a valid git branch name: it contains ".."',
      given: '"releases..old"',
    },
    {
      situation: "a report path leaving the repository",
      base: "full",
      at: ["report", "path"],
      value: "docs/../../etc",
      path: "spec.report.path",
      says: '".." segments would leave the report folder',
      given: '"docs/../../etc"',
    },
    {
      situation: "a component without a path prefix",
      base: "full",
      at: ["source", "components", 0, "pathPrefix"],
      value: "",
      path: "spec.source.components[0].pathPrefix",
      says: "must not be empty",
      given: '""',
    },
    // acceptance
    {
      situation: "an acceptance criterion without tests",
      base: "full",
      at: ["acceptance", "criteria", 1, "tests"],
      value: [],
      path: "spec.acceptance.criteria[1].tests",
      says: "must name at least one test that proves the criterion",
    },
    {
      situation: "an acceptance criterion with an empty test name",
      base: "full",
      at: ["acceptance", "criteria", 1, "tests"],
      value: [""],
      path: "spec.acceptance.criteria[1].tests[0]",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "two acceptance criteria with the same id",
      base: "full",
      at: ["acceptance", "criteria", 1, "id"],
      value: "AC-1",
      path: "spec.acceptance.criteria[1]",
      says: 'repeats the criterion id "AC-1"; each must be unique',
    },
    {
      situation: "a test report in neither a ConfigMap nor a Secret",
      base: "full",
      at: ["acceptance", "reports", 1],
      value: {},
      path: "spec.acceptance.reports[1]",
      says: "needs exactly one of: configMap, secret",
    },
    {
      situation: "a test report in both a ConfigMap and a Secret",
      base: "full",
      at: ["acceptance", "reports", 1],
      value: { configMap: { name: "a" }, secret: { name: "b" } },
      path: "spec.acceptance.reports[1]",
      says: "sets configMap and secret; exactly one of configMap, secret is allowed",
    },
    // deploy
    {
      situation: "a deploy without a script",
      at: ["deploy", "script"],
      value: undefined,
      path: "spec.deploy.script",
      says: "is required: it must be an object",
    },
    {
      situation: "a deploy script with both a path and a ConfigMap",
      at: ["deploy", "script"],
      value: { path: "/app/deploy.sh", configMap: { name: "deploy-script" } },
      path: "spec.deploy.script",
      says: "sets path and configMap; exactly one of path, configMap is allowed",
    },
    {
      situation: "a deploy script with neither a path nor a ConfigMap",
      at: ["deploy", "script"],
      value: {},
      path: "spec.deploy.script",
      says: "needs exactly one of: path, configMap",
    },
    {
      situation: "a deploy script with an empty path",
      at: ["deploy", "script"],
      value: { path: "" },
      path: "spec.deploy.script.path",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "a deploy without an image",
      at: ["deploy", "image"],
      value: "",
      path: "spec.deploy.image",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "an unknown image pull policy",
      at: ["deploy", "imagePullPolicy"],
      value: "Sometimes",
      path: "spec.deploy.imagePullPolicy",
      says: "must be one of: Always, IfNotPresent, Never",
      given: '"Sometimes"',
    },
    {
      situation: "an envFrom entry with neither source",
      base: "full",
      at: ["deploy", "envFrom", 1],
      value: {},
      path: "spec.deploy.envFrom[1]",
      says: "needs exactly one of: secretRef, configMapRef",
    },
    {
      situation: "an envFrom entry with both sources",
      base: "full",
      at: ["deploy", "envFrom", 1],
      value: { secretRef: { name: "a" }, configMapRef: { name: "b" } },
      path: "spec.deploy.envFrom[1]",
      says: "sets secretRef and configMapRef; exactly one of secretRef, configMapRef is allowed",
    },
    ...["1PASSWORD", "API-KEY", "A B", ""].map((name) => ({
      situation: `a required variable named ${JSON.stringify(name)}`,
      at: ["deploy", "requiredEnv"],
      value: ["TARGET_HOST", name],
      path: "spec.deploy.requiredEnv[1]",
      says: "must be an environment variable name: letters, digits and '_', not starting with a digit",
      given: JSON.stringify(name),
    })),
    {
      situation: "extra arguments for an unknown strategy",
      at: ["deploy", "strategyArgs"],
      value: { rolling: ["--rolling"] },
      path: "spec.deploy.strategyArgs",
      says: "has unknown field rolling",
    },
    {
      situation: "a node selector value that is not a string",
      at: ["deploy", "nodeSelector"],
      value: { "kubernetes.io/hostname": 5 },
      path: 'spec.deploy.nodeSelector["kubernetes.io/hostname"]',
      says: "must be a string",
      given: "5",
    },
    {
      situation: "a node selector key with a space (the API server would refuse the deploy Job)",
      at: ["deploy", "nodeSelector"],
      value: { "node role/onboard": "" },
      path: 'spec.deploy.nodeSelector["node role/onboard"]',
      says: "has a key that is not a label key: an optional DNS subdomain prefix and '/', then at most 63 letters",
      given: '""',
    },
    {
      situation: "a node selector value with a slash",
      at: ["deploy", "nodeSelector"],
      value: { "node-role.kubernetes.io/onboard": "yes/no" },
      path: 'spec.deploy.nodeSelector["node-role.kubernetes.io/onboard"]',
      says: "must be a label value: empty, or at most 63 letters",
      given: '"yes/no"',
    },
    {
      situation: "a toleration that says Exists and gives a value",
      at: ["deploy", "tolerations"],
      value: [{ key: "node-role.kubernetes.io/onboard", operator: "Exists", value: "true" }],
      path: "spec.deploy.tolerations[0].value",
      says: "must be empty when operator is Exists",
      given: '"true"',
    },
    {
      situation: "a toleration without a key that is not Exists",
      at: ["deploy", "tolerations"],
      value: [{ operator: "Equal", value: "true" }],
      path: "spec.deploy.tolerations[0].operator",
      says: "must be Exists when no key is given",
      given: '"Equal"',
    },
    {
      situation: "a toleration key with a space",
      at: ["deploy", "tolerations"],
      value: [{ key: "node role", operator: "Exists" }],
      path: "spec.deploy.tolerations[0].key",
      says: "must be a label key",
      given: '"node role"',
    },
    {
      situation: "a toleration with an unknown operator",
      at: ["deploy", "tolerations"],
      value: [{ key: "k", operator: "In" }],
      path: "spec.deploy.tolerations[0].operator",
      says: "must be one of: Exists, Equal",
      given: '"In"',
    },
    {
      situation: "a ServiceAccount name in capitals",
      at: ["deploy", "serviceAccountName"],
      value: "Deployer",
      path: "spec.deploy.serviceAccountName",
      says: "must be the name of one object",
      given: '"Deployer"',
    },
    {
      situation: "an unknown Pod Security profile",
      at: ["deploy", "podSecurity"],
      value: "none",
      path: "spec.deploy.podSecurity",
      says: "must be one of: restricted, baseline, privileged",
      given: '"none"',
    },
    // durations, on every duration field
    ...[
      ["deploy", "timeout"],
      ["deploy", "idleTimeout"],
      ["smoke", "timeout"],
      ["watch", "duration"],
      ["watch", "interval"],
      ["watch", "noDataGrace"],
      ["watch", "prometheus", "timeout"],
      ["watch", "baseline", "window"],
    ].flatMap((at) => [
      ...["5x", "5", "m5", "1h 30m", "-5m", ""].map((text) => ({
        situation: `${at.join(".")} of ${JSON.stringify(text)}`,
        at,
        value: text,
        path: `spec.${at.join(".")}`,
        says: "must be a duration such as 90s, 5m or 1h30m (units ms, s, m, h)",
        given: JSON.stringify(text),
      })),
      {
        situation: `${at.join(".")} of 0s`,
        at,
        value: "0s",
        path: `spec.${at.join(".")}`,
        says: "must be a duration longer than zero",
        given: '"0s"',
      },
    ]),
    {
      situation: "a duration given as a number of seconds",
      at: ["deploy", "timeout"],
      value: 300,
      path: "spec.deploy.timeout",
      says: "must be a duration such as 90s, 5m or 1h30m",
      given: "300",
    },
    // smoke, HTTP cases
    {
      situation: "an HTTP smoke case with an unknown method",
      base: "full",
      at: ["smoke", "http", 0, "method"],
      value: "FETCH",
      path: "spec.smoke.http[0].method",
      says: "must be one of: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
      given: '"FETCH"',
    },
    ...["ftp://nav.example.com/healthz", "nav.example.com/healthz", "/healthz", "http:// nav"].map((url) => ({
      situation: `an HTTP smoke case at ${url}`,
      base: "full" as const,
      at: ["smoke", "http", 0, "url"],
      value: url,
      path: "spec.smoke.http[0].url",
      says: "must be an absolute http:// or https:// URL",
      given: JSON.stringify(url),
    })),
    {
      situation: "an HTTP smoke case without a URL",
      base: "full",
      at: ["smoke", "http", 0, "url"],
      value: undefined,
      path: "spec.smoke.http[0].url",
      says: "is required: it must be an absolute http:// or https:// URL",
    },
    ...[
      { status: 99, says: "must be at least 100" },
      { status: 600, says: "must be at most 599" },
      { status: 200.5, says: "must be a whole number" },
      { status: "200", says: "must be a number" },
    ].map(({ status, says }) => ({
      situation: `an HTTP smoke case expecting status ${JSON.stringify(status)}`,
      base: "full" as const,
      at: ["smoke", "http", 0, "expectedStatus"],
      value: status,
      path: "spec.smoke.http[0].expectedStatus",
      says,
      given: JSON.stringify(status),
    })),
    {
      situation: "a body match with neither contains nor regex",
      base: "full",
      at: ["smoke", "http", 0, "bodyMatch"],
      value: {},
      path: "spec.smoke.http[0].bodyMatch",
      says: "needs contains, regex, or both",
    },
    {
      situation: "a body match with an invalid regex",
      base: "full",
      at: ["smoke", "http", 0, "bodyMatch", "regex"],
      value: '"id":(',
      path: "spec.smoke.http[0].bodyMatch.regex",
      says: "must be a valid regular expression (ECMAScript syntax)",
      given: '"\\"id\\":("',
    },
    {
      situation: "a body match with an empty contains",
      base: "full",
      at: ["smoke", "http", 0, "bodyMatch", "contains"],
      value: "",
      path: "spec.smoke.http[0].bodyMatch.contains",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "an HTTP smoke case with an unknown safety",
      base: "full",
      at: ["smoke", "http", 0, "safety"],
      value: "read-only",
      path: "spec.smoke.http[0].safety",
      says: "must be one of: smoke-endpoint, test-account",
      given: '"read-only"',
    },
    // smoke, Job cases and names
    {
      situation: "a Job smoke case with no command",
      base: "full",
      at: ["smoke", "jobs", 0, "command"],
      value: [],
      path: "spec.smoke.jobs[0].command",
      says: "must have at least the program to run",
    },
    {
      situation: "a Job smoke case whose program is an empty string",
      base: "full",
      at: ["smoke", "jobs", 0, "command"],
      value: ["", "--quick"],
      path: "spec.smoke.jobs[0].command[0]",
      says: "must start with the program to run",
      given: '""',
    },
    {
      situation: "a Job smoke case without an image",
      base: "full",
      at: ["smoke", "jobs", 0, "image"],
      value: "",
      path: "spec.smoke.jobs[0].image",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "an HTTP case and a Job case with the same name",
      base: "full",
      at: ["smoke", "jobs", 0, "name"],
      value: "position-write",
      path: "spec.smoke",
      says: 'repeats the case name "position-write"; each case needs its own name',
    },
    {
      situation: "two HTTP cases with the same name",
      base: "full",
      at: ["smoke", "http", 1],
      value: { name: "position-write", url: "https://nav.example.com/healthz" },
      path: "spec.smoke",
      says: 'repeats the case name "position-write"; each case needs its own name',
    },
    {
      situation: "smoke.required as a string",
      at: ["smoke", "required"],
      value: "false",
      path: "spec.smoke.required",
      says: "must be true or false",
      given: '"false"',
    },
    // watch
    {
      situation: "a watch without Prometheus",
      at: ["watch", "prometheus"],
      value: undefined,
      path: "spec.watch.prometheus",
      says: "is required: it must be an object",
    },
    {
      situation: "a Prometheus URL without a scheme",
      at: ["watch", "prometheus", "url"],
      value: "prometheus:9090",
      path: "spec.watch.prometheus.url",
      says: "must be an absolute http:// or https:// URL",
      given: '"prometheus:9090"',
    },
    {
      situation: "an unknown baseline mode",
      at: ["watch", "baseline"],
      value: { mode: "previous-week" },
      path: "spec.watch.baseline.mode",
      says: "must be one of: pre-deploy, concurrent",
      given: '"previous-week"',
    },
    {
      situation: "a health check with method POST",
      base: "full",
      at: ["watch", "healthCheck", "method"],
      value: "POST",
      path: "spec.watch.healthCheck.method",
      says: "must be one of: GET, HEAD",
      given: '"POST"',
    },
    {
      situation: "a watch without metrics",
      at: ["watch", "metrics"],
      value: undefined,
      path: "spec.watch.metrics",
      says: "is required: it must be a list",
    },
    {
      situation: "a watch with an empty list of metrics",
      at: ["watch", "metrics"],
      value: [],
      path: "spec.watch.metrics",
      says: "must list at least one metric: the watch window is mandatory",
    },
    {
      situation: "two metrics with the same name",
      base: "full",
      at: ["watch", "metrics", 2, "name"],
      value: "error-rate",
      path: "spec.watch.metrics[2]",
      says: 'repeats the metric name "error-rate"; each must be unique',
    },
    {
      situation: "a metric without a name",
      at: ["watch", "metrics", 0, "name"],
      value: undefined,
      path: "spec.watch.metrics[0].name",
      says: "is required: it must be a string",
    },
    {
      situation: "a metric with an empty query",
      at: ["watch", "metrics", 0, "query"],
      value: "",
      path: "spec.watch.metrics[0].query",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "a metric of an unknown kind",
      at: ["watch", "metrics", 0, "kind"],
      value: "errors",
      path: "spec.watch.metrics[0].kind",
      says: "must be one of: error-rate, latency, throughput, saturation, custom",
      given: '"errors"',
    },
    {
      situation: "a metric with an unknown direction",
      at: ["watch", "metrics", 0, "direction"],
      value: "sideways",
      path: "spec.watch.metrics[0].direction",
      says: "must be one of: up, down",
      given: '"sideways"',
    },
    ...(["hardRatio", "softRatio"] as const).flatMap((field) => [
      ...[1, 0.5, 0, -2].map((ratio) => ({
        situation: `a metric with ${field} ${ratio}, not above 1`,
        at: ["watch", "metrics", 0],
        value: { name: "m", query: "x", hardRatio: 3, softRatio: 2, [field]: ratio },
        path: `spec.watch.metrics[0].${field}`,
        says: "must be greater than 1 (2 means twice as bad as the baseline)",
        given: String(ratio),
      })),
      {
        situation: `a metric with ${field} as a string`,
        at: ["watch", "metrics", 0],
        value: { name: "m", query: "x", hardRatio: 3, softRatio: 2, [field]: "2" },
        path: `spec.watch.metrics[0].${field}`,
        says: "must be a number greater than 1",
        given: '"2"',
      },
    ]),
    {
      situation: "a metric with hardRatio above 1000",
      at: ["watch", "metrics", 0],
      value: { name: "m", query: "x", hardRatio: 1001 },
      path: "spec.watch.metrics[0].hardRatio",
      says: "must be at most 1000",
      given: "1001",
    },
    {
      situation: "a metric whose softRatio is above its hardRatio",
      at: ["watch", "metrics", 0],
      value: { name: "m", query: "x", hardRatio: 2, softRatio: 3 },
      path: "spec.watch.metrics[0].softRatio",
      says: "softRatio (3) must be less than hardRatio (2)",
      given: "3",
    },
    {
      situation: "a metric whose softRatio equals its hardRatio",
      at: ["watch", "metrics", 0],
      value: { name: "m", query: "x", hardRatio: 2, softRatio: 2 },
      path: "spec.watch.metrics[0].softRatio",
      says: "softRatio (2) must be less than hardRatio (2)",
      given: "2",
    },
    {
      situation: "an error-rate metric whose softRatio is above its kind's default hardRatio",
      at: ["watch", "metrics", 0],
      value: { name: "errors", query: "x", kind: "error-rate", softRatio: 2.5 },
      path: "spec.watch.metrics[0].softRatio",
      says: "softRatio (2.5) must be less than hardRatio (2, the default)",
      given: "2.5",
    },
    {
      situation: "a metric without a kind whose hardRatio is below the default softRatio",
      at: ["watch", "metrics", 0],
      value: { name: "m", query: "x", hardRatio: 1.2 },
      path: "spec.watch.metrics[0].hardRatio",
      says: "softRatio (1.5, the default) must be less than hardRatio (1.2)",
      given: "1.2",
    },
    {
      situation: "a metric with a negative floor",
      at: ["watch", "metrics", 0, "floor"],
      value: -0.001,
      path: "spec.watch.metrics[0].floor",
      says: "must be at least 0",
      given: "-0.001",
    },
    {
      situation: "a metric with a floor as a string",
      at: ["watch", "metrics", 0, "floor"],
      value: "0.1",
      path: "spec.watch.metrics[0].floor",
      says: "must be a number of at least 0",
      given: '"0.1"',
    },
    ...[
      { query: 'x{version="{foo}"}', unknown: "{foo}" },
      { query: 'x{version="{Version}"}', unknown: "{Version}" },
      { query: 'x{env="{env}",v="{v2}"}', unknown: "{env}, {v2}" },
      { query: 'x{version="{version}"} / x{version="{previous_version}"}', unknown: "{previous_version}" },
    ].map(({ query, unknown }) => ({
      situation: `a query using the placeholder ${unknown}`,
      at: ["watch", "metrics", 0, "query"],
      value: query,
      path: "spec.watch.metrics[0].query",
      says: `uses the unknown placeholder ${unknown}; valid: {version}, {previousVersion}, {environment}`,
      given: JSON.stringify(query),
    })),
    {
      situation: "a concurrent baseline with a query without {version}",
      base: "full",
      at: ["watch", "metrics", 1, "query"],
      value: 'histogram_quantile(0.99, rate(x_bucket{env="{environment}"}[5m]))',
      path: "spec.watch.metrics[1].query",
      says: "must use {version}: a concurrent baseline runs the same query with {version} set to the previous version",
      given: '"histogram_quantile(0.99, rate(x_bucket{env=\\"{environment}\\"}[5m]))"',
    },
    {
      situation: "a concurrent baseline whose query names version only in a label matcher",
      at: ["watch"],
      value: {
        prometheus: { url: "http://p:9090" },
        baseline: { mode: "concurrent" },
        metrics: [{ name: "a", query: 'x{version="1.4.2"}' }],
      },
      path: "spec.watch.metrics[0].query",
      says: "must use {version}",
      given: '"x{version=\\"1.4.2\\"}"',
    },
    // report
    {
      situation: "a report tag pattern without {version}",
      base: "full",
      at: ["report", "tagPattern"],
      value: "released",
      path: "spec.report.tagPattern",
      says: "must contain the placeholder {version}, e.g. release/{version}",
      given: '"released"',
    },
    {
      situation: "a report URL that is not a git URL",
      base: "full",
      at: ["report", "url"],
      value: "releases.git",
      path: "spec.report.url",
      says: "must be a git URL",
      given: '"releases.git"',
    },
    {
      situation: "an empty report branch",
      base: "full",
      at: ["report", "branch"],
      value: "",
      path: "spec.report.branch",
      says: "must not be empty",
      given: '""',
    },
    // unknown fields, at every level
    ...[
      { at: ["approvers"], path: "spec", field: "approvers" },
      { at: ["approval", "approvers"], path: "spec.approval", field: "approvers" },
      { at: ["deploy", "scripts"], path: "spec.deploy", field: "scripts" },
      { at: ["deploy", "script", "args"], path: "spec.deploy.script", field: "args" },
      { at: ["watch", "metrics", 0, "threshold"], path: "spec.watch.metrics[0]", field: "threshold" },
      { at: ["watch", "prometheus", "token"], path: "spec.watch.prometheus", field: "token" },
      { at: ["smoke", "retries"], path: "spec.smoke", field: "retries" },
    ].map(({ at, path, field }) => ({
      situation: `the unknown field ${at.join(".")}`,
      at,
      value: "x",
      path,
      says: `has unknown field ${field}`,
    })),
  ];

  it.each(bad)("refuses $situation", ({ base, at, value, path, says, given }) => {
    const issues = issuesOf(readEnvironment(changed(bases[base ?? "minimal"], at, value)));
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0]?.message).toContain(says);
    expect(issues[0]?.given).toBe(given);
  });

  it("names every unknown field of one object in one issue", () => {
    const input = changed(minimal, ["watch"], { ...minimal.watch, step: "1m", window: "1h" });
    expect(issuesOf(readEnvironment(input))).toEqual([
      { path: "spec.watch", message: "has unknown fields step, window" },
    ]);
  });

  it("reports every issue of a spec, in field order", () => {
    const input = {
      ...minimal,
      tier: "prod",
      strategies: ["rolling"],
      deploy: { image: "", script: {} },
      watch: { prometheus: { url: "http://p:9090" }, metrics: [] },
    };
    expect(issuesOf(readEnvironment(input)).map((issue) => issue.path)).toEqual([
      "spec.tier",
      "spec.strategies[0]",
      "spec.deploy.image",
      "spec.deploy.script",
      "spec.watch.metrics",
    ]);
  });

  it.each([
    { situation: "a string", input: "tier: production", given: '"tier: production"' },
    { situation: "a list", input: [minimal], given: undefined },
    { situation: "null", input: null, given: "null" },
  ])("refuses a spec that is $situation", ({ input, given }) => {
    expect(issuesOf(readEnvironment(input))).toEqual([{ path: "spec", message: "must be an object", given }]);
  });
});

describe("placeholdersIn", () => {
  it.each([
    { query: "up", names: [] },
    { query: 'x{job="x"}', names: [] },
    { query: 'x{job=~"a{2}"}', names: [] },
    { query: 'x{version="{version}"}', names: ["version"] },
    {
      query: '{environment}{previousVersion} x{v="{version}"}',
      names: ["environment", "previousVersion", "version"],
    },
    { query: "{v2} {_x}", names: ["v2", "_x"] },
  ])("finds $names in $query", ({ query, names }) => {
    expect(placeholdersIn(query)).toEqual(names);
  });
});

/** The smallest Release. */
const release: ReleaseSpec = { environment: "staging", version: "1.4.2" };

/** A Release that sets every field. */
const fullRelease: ReleaseSpec = {
  environment: "production",
  version: "1.4.2",
  revision: "3f2a9c1",
  rollbackTarget: "1.4.1",
  strategy: "canary",
  strategyArgs: ["--canary", "5%"],
  overrides: {
    deploy: { timeout: "45m", idleTimeout: "10m" },
    smoke: { timeout: "10m" },
    watch: { duration: "2h", interval: "30s" },
  },
  scope: { exclude: ["NAV-1234", "3f2a9c1"] },
};

const releases = { release, fullRelease } as const;

interface BadRelease {
  situation: string;
  base?: keyof typeof releases;
  at: Path;
  value: unknown;
  path: string;
  says: string;
  given?: string;
}

const readRelease = (input: unknown) => parseWith(releaseSpecSchema, input, "spec");

describe("releaseSpecSchema", () => {
  it.each([
    { situation: "the minimal Release", spec: release },
    { situation: "the full Release", spec: fullRelease },
  ])("accepts $situation as written", ({ spec }) => {
    expect(readRelease(spec)).toEqual({ ok: true, value: spec });
  });

  it.each([
    { situation: "a semantic version", at: ["version"], value: "1.4.2" },
    { situation: "a v-prefixed version", at: ["version"], value: "v2" },
    { situation: "a version with a build suffix", at: ["version"], value: "1.4.2-rc.1_build5" },
    { situation: "a one-character version", at: ["version"], value: "7" },
    { situation: "a version of 128 characters", at: ["version"], value: `v${"1".repeat(127)}` },
    { situation: "an environment with dots", at: ["environment"], value: "nav.production" },
    ...STRATEGIES.map((strategy) => ({
      situation: `the strategy ${strategy}`,
      at: ["strategy"],
      value: strategy,
    })),
  ])("accepts $situation", ({ at, value }) => {
    const input = changed(release, at, value);
    expect(readRelease(input)).toEqual({ ok: true, value: input });
  });

  const exactlyOne = "must name exactly one Environment: create one Release per environment";
  const versionFormat =
    "must be a version usable as an image tag: letters, digits, '.', '_', '-', not starting with '.' or '-', at most 128 characters";
  const objectName = "must be the name of one object: lower-case letters, digits, '-' and '.'";

  const bad: BadRelease[] = [
    {
      situation: "a Release without an environment",
      at: ["environment"],
      value: undefined,
      path: "spec.environment",
      says: "is required: it must be a string",
    },
    ...["staging,production", "staging, production", "staging production", "staging;production"].map(
      (environment) => ({
        situation: `a Release to ${JSON.stringify(environment)}`,
        at: ["environment"],
        value: environment,
        path: "spec.environment",
        says: exactlyOne,
        given: JSON.stringify(environment),
      }),
    ),
    ...["", "Staging", "staging_1", "-staging", " staging"].map((environment) => ({
      situation: `a Release to the invalid name ${JSON.stringify(environment)}`,
      at: ["environment"],
      value: environment,
      path: "spec.environment",
      says: objectName,
      given: JSON.stringify(environment),
    })),
    {
      situation: "an environment given as a list",
      at: ["environment"],
      value: ["staging", "production"],
      path: "spec.environment",
      says: "must be a string",
    },
    {
      situation: "a Release without a version",
      at: ["version"],
      value: undefined,
      path: "spec.version",
      says: `is required: it ${versionFormat}`,
    },
    ...["", "-x", ".1", "1.4 .2", "1.4.2+build", "v/2"].map((version) => ({
      situation: `the version ${JSON.stringify(version)}`,
      at: ["version"],
      value: version,
      path: "spec.version",
      says: versionFormat,
      given: JSON.stringify(version),
    })),
    {
      situation: "a version given as a number",
      at: ["version"],
      value: 1.4,
      path: "spec.version",
      says: versionFormat,
      given: "1.4",
    },
    {
      situation: "a version of 129 characters",
      at: ["version"],
      value: `v${"1".repeat(128)}`,
      path: "spec.version",
      says: `is longer than 128 characters: it ${versionFormat}`,
      given: `"v${"1".repeat(77)}…`,
    },
    {
      situation: "a rollback target starting with a dash",
      base: "fullRelease",
      at: ["rollbackTarget"],
      value: "-1.4.1",
      path: "spec.rollbackTarget",
      says: versionFormat,
      given: '"-1.4.1"',
    },
    {
      situation: "an empty revision",
      base: "fullRelease",
      at: ["revision"],
      value: "",
      path: "spec.revision",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "an unknown strategy",
      at: ["strategy"],
      value: "rolling",
      path: "spec.strategy",
      says: "must be one of: all-at-once, blue-green, canary, manual",
      given: '"rolling"',
    },
    {
      situation: "strategy arguments given as one string",
      base: "fullRelease",
      at: ["strategyArgs"],
      value: "--canary 5%",
      path: "spec.strategyArgs",
      says: "must be a list",
      given: '"--canary 5%"',
    },
    ...[
      ["deploy", "timeout"],
      ["deploy", "idleTimeout"],
      ["smoke", "timeout"],
      ["watch", "duration"],
      ["watch", "interval"],
    ].flatMap((field) => [
      {
        situation: `an override of ${field.join(".")} to 5x`,
        base: "fullRelease" as const,
        at: ["overrides", ...field],
        value: "5x",
        path: `spec.overrides.${field.join(".")}`,
        says: "must be a duration such as 90s, 5m or 1h30m (units ms, s, m, h)",
        given: '"5x"',
      },
      {
        situation: `an override of ${field.join(".")} to 0s`,
        base: "fullRelease" as const,
        at: ["overrides", ...field],
        value: "0s",
        path: `spec.overrides.${field.join(".")}`,
        says: "must be a duration longer than zero",
        given: '"0s"',
      },
    ]),
    {
      situation: "an override of a field that cannot be overridden",
      at: ["overrides", "watch", "noDataGrace"],
      value: "10m",
      path: "spec.overrides.watch",
      says: "has unknown field noDataGrace",
    },
    {
      situation: "an override of a whole section",
      at: ["overrides", "approval"],
      value: { required: false },
      path: "spec.overrides",
      says: "has unknown field approval",
    },
    {
      situation: "an empty item in the scope's exclusions",
      base: "fullRelease",
      at: ["scope", "exclude", 1],
      value: "",
      path: "spec.scope.exclude[1]",
      says: "must not be empty",
      given: '""',
    },
    {
      situation: "an unknown field",
      at: ["environments"],
      value: ["staging", "production"],
      path: "spec",
      says: "has unknown field environments",
    },
  ];

  it.each(bad)("refuses $situation", ({ base, at, value, path, says, given }) => {
    const issues = issuesOf(readRelease(changed(releases[base ?? "release"], at, value)));
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0]?.message).toContain(says);
    expect(issues[0]?.given).toBe(given);
  });
});

describe("conditionSchema", () => {
  const condition = {
    type: "Ready",
    status: "True",
    observedGeneration: 3,
    lastTransitionTime: "2026-11-25T14:00:00Z",
    reason: "Released",
    message: "",
  };

  it("accepts a condition in the shape of metav1.Condition", () => {
    expect(parseWith(conditionSchema, condition, "status.conditions[0]")).toEqual({
      ok: true,
      value: condition,
    });
  });

  it.each([
    {
      at: ["status"],
      value: "Yes",
      path: "status.conditions[0].status",
      says: "must be one of: True, False, Unknown",
    },
    {
      at: ["observedGeneration"],
      value: -1,
      path: "status.conditions[0].observedGeneration",
      says: "must be at least 0",
    },
    {
      at: ["lastTransitionTime"],
      value: "yesterday",
      path: "status.conditions[0].lastTransitionTime",
      says: "must be an RFC 3339 timestamp",
    },
    { at: ["reason"], value: "", path: "status.conditions[0].reason", says: "must not be empty" },
  ])("refuses $path of $value", ({ at, value, path, says }) => {
    const issues = issuesOf(
      parseWith(conditionSchema, changed(condition, at, value), "status.conditions[0]"),
    );
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0]?.message).toContain(says);
  });
});
