// The settings in force for an Environment and for one Release: the spec read through zod, fixed
// and tier defaults applied, durations in milliseconds, overrides checked against what the
// Environment allows. Pure: the phases compute with these, never with raw specs.
import type { Duration, EnvFromSource, SecretReference, Strategy, Toleration } from "./common.js";
import { DEFAULT_STRATEGY, FIXED_DEFAULTS, METRIC_DEFAULTS, TIER_DEFAULTS } from "./defaults.js";
import { formatDuration, parseDuration } from "./duration.js";
import type {
  AcceptanceCriterion,
  Affinity,
  Artifact,
  BaselineMode,
  Blackout,
  BodyMatch,
  ChangeWindow,
  ComponentPath,
  DeployScript,
  EffectiveSummary,
  EnvironmentSpec,
  MetricDirection,
  MetricKind,
  OverridableField,
  PodSecurityProfile,
  SmokeSafety,
  TestReportSource,
  Tier,
} from "./environment.js";
import type { ReleaseSpec } from "./release.js";
import { environmentSpecSchema, releaseSpecSchema } from "./schema.js";
import { parseWith, type SpecIssue, type SpecResult } from "./validation.js";

export interface DeploySettings {
  image: string;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  script: DeployScript;
  strategyArgs: Partial<Record<Strategy, string[]>>;
  envFrom: EnvFromSource[];
  requiredEnv: string[];
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  affinity?: Affinity;
  serviceAccountName?: string;
  podSecurity: PodSecurityProfile;
  idleTimeoutMs: number;
  timeoutMs: number;
  manualChecklist: string[];
}

export interface HttpSmokeSettings {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  expectedStatus: number;
  bodyMatch?: BodyMatch;
  timeoutMs: number;
  safety?: SmokeSafety;
}

export interface JobSmokeSettings {
  name: string;
  image: string;
  command: string[];
  timeoutMs: number;
  safety?: SmokeSafety;
}

export interface SmokeSettings {
  required: boolean;
  timeoutMs: number;
  http: HttpSmokeSettings[];
  jobs: JobSmokeSettings[];
}

export interface MetricSettings {
  name: string;
  query: string;
  kind: MetricKind;
  direction: MetricDirection;
  hardRatio: number;
  softRatio: number;
  floor: number;
}

export interface WatchSettings {
  durationMs: number;
  intervalMs: number;
  noDataGraceMs: number;
  prometheus: { url: string; authSecret?: SecretReference; timeoutMs: number };
  baseline: { mode: BaselineMode; windowMs: number };
  metrics: MetricSettings[];
  healthCheck?: { url: string; method: "GET" | "HEAD"; expectedStatus: number; timeoutMs: number };
}

export interface EnvironmentSettings {
  tier: Tier;
  strategies: Strategy[];
  defaultStrategy: Strategy;
  autoSelectStrategy: boolean;
  approval: { required: boolean; count: number; approverGroups: string[]; fourEyes: boolean };
  changeWindows: ChangeWindow[];
  blackouts: Blackout[];
  allowedOverrides: OverridableField[];
  artifact?: Artifact;
  source?: {
    url: string;
    credentialsSecret?: SecretReference;
    tagPattern: string;
    components: ComponentPath[];
  };
  acceptance: { criteria: (AcceptanceCriterion & { critical: boolean })[]; reports: TestReportSource[] };
  deploy: DeploySettings;
  smoke: SmokeSettings;
  watch: WatchSettings;
  report: {
    url?: string;
    branch: string;
    path: string;
    credentialsSecret?: SecretReference;
    tagPattern: string;
  };
}

/** The settings for one Release: its Environment's, with the Release's allowed overrides applied. */
export interface ReleaseSettings {
  environment: EnvironmentSettings;
  /** The spec's pre-made strategy, checked against the environment's strategies. */
  presetStrategy?: Strategy;
  /** Arguments for `deploy.sh` per strategy: the environment's, then the release's. */
  argsFor: (strategy: Strategy) => string[];
}

/** A duration the schema has already accepted. */
const ms = (value: Duration): number => parseDuration(value) ?? 0;

function resolveEnvironment(spec: EnvironmentSpec): EnvironmentSettings {
  const tier = TIER_DEFAULTS[spec.tier];
  const strategies = spec.strategies ?? [spec.defaultStrategy ?? DEFAULT_STRATEGY];
  const phaseTimeout = ms(spec.smoke?.timeout ?? FIXED_DEFAULTS["smoke.timeout"]);
  const watch = spec.watch;
  return {
    tier: spec.tier,
    strategies,
    defaultStrategy: spec.defaultStrategy ?? strategies[0] ?? DEFAULT_STRATEGY,
    autoSelectStrategy: spec.autoSelectStrategy ?? tier.autoSelectStrategy,
    approval: {
      required: spec.approval?.required ?? tier.approvalRequired,
      count: spec.approval?.count ?? FIXED_DEFAULTS["approval.count"],
      approverGroups: spec.approval?.approverGroups ?? [],
      fourEyes: spec.approval?.fourEyes ?? tier.fourEyes,
    },
    changeWindows: spec.changeWindows ?? [],
    blackouts: spec.blackouts ?? [],
    allowedOverrides: spec.allowedOverrides ?? [],
    ...(spec.artifact === undefined ? {} : { artifact: spec.artifact }),
    ...(spec.source === undefined
      ? {}
      : {
          source: {
            url: spec.source.url,
            ...(spec.source.credentialsSecret === undefined
              ? {}
              : { credentialsSecret: spec.source.credentialsSecret }),
            tagPattern: spec.source.tagPattern ?? FIXED_DEFAULTS["source.tagPattern"],
            components: spec.source.components ?? [],
          },
        }),
    acceptance: {
      criteria: (spec.acceptance?.criteria ?? []).map((criterion) => ({
        ...criterion,
        critical: criterion.critical ?? false,
      })),
      reports: spec.acceptance?.reports ?? [],
    },
    deploy: {
      image: spec.deploy.image,
      imagePullPolicy: spec.deploy.imagePullPolicy ?? FIXED_DEFAULTS["deploy.imagePullPolicy"],
      script: spec.deploy.script,
      strategyArgs: spec.deploy.strategyArgs ?? {},
      envFrom: spec.deploy.envFrom ?? [],
      requiredEnv: spec.deploy.requiredEnv ?? [],
      nodeSelector: spec.deploy.nodeSelector ?? {},
      tolerations: spec.deploy.tolerations ?? [],
      ...(spec.deploy.affinity === undefined ? {} : { affinity: spec.deploy.affinity }),
      ...(spec.deploy.serviceAccountName === undefined
        ? {}
        : { serviceAccountName: spec.deploy.serviceAccountName }),
      podSecurity: spec.deploy.podSecurity ?? FIXED_DEFAULTS["deploy.podSecurity"],
      idleTimeoutMs: ms(spec.deploy.idleTimeout ?? FIXED_DEFAULTS["deploy.idleTimeout"]),
      timeoutMs: ms(spec.deploy.timeout ?? FIXED_DEFAULTS["deploy.timeout"]),
      manualChecklist: spec.deploy.manualChecklist ?? [],
    },
    smoke: {
      required: spec.smoke?.required ?? tier.smokeRequired,
      timeoutMs: phaseTimeout,
      http: (spec.smoke?.http ?? []).map(({ timeout, method, headers, expectedStatus, ...rest }) => ({
        ...rest,
        method: method ?? FIXED_DEFAULTS["smoke.http[].method"],
        headers: headers ?? {},
        expectedStatus: expectedStatus ?? FIXED_DEFAULTS["smoke.http[].expectedStatus"],
        timeoutMs: timeout === undefined ? phaseTimeout : ms(timeout),
      })),
      jobs: (spec.smoke?.jobs ?? []).map(({ timeout, ...rest }) => ({
        ...rest,
        timeoutMs: timeout === undefined ? phaseTimeout : ms(timeout),
      })),
    },
    watch: {
      durationMs: ms(watch.duration ?? tier.watchDuration),
      intervalMs: ms(watch.interval ?? FIXED_DEFAULTS["watch.interval"]),
      noDataGraceMs: ms(watch.noDataGrace ?? FIXED_DEFAULTS["watch.noDataGrace"]),
      prometheus: {
        url: watch.prometheus.url,
        ...(watch.prometheus.authSecret === undefined ? {} : { authSecret: watch.prometheus.authSecret }),
        timeoutMs: ms(watch.prometheus.timeout ?? FIXED_DEFAULTS["watch.prometheus.timeout"]),
      },
      baseline: {
        mode: watch.baseline?.mode ?? FIXED_DEFAULTS["watch.baseline.mode"],
        windowMs: ms(watch.baseline?.window ?? FIXED_DEFAULTS["watch.baseline.window"]),
      },
      metrics: watch.metrics.map((metric) => {
        const kind = metric.kind ?? "custom";
        const defaults = METRIC_DEFAULTS[kind];
        return {
          name: metric.name,
          query: metric.query,
          kind,
          direction: metric.direction ?? defaults.direction,
          hardRatio: metric.hardRatio ?? defaults.hardRatio,
          softRatio: metric.softRatio ?? defaults.softRatio,
          floor: metric.floor ?? 0,
        };
      }),
      ...(watch.healthCheck === undefined
        ? {}
        : {
            healthCheck: {
              url: watch.healthCheck.url,
              method: watch.healthCheck.method ?? FIXED_DEFAULTS["watch.healthCheck.method"],
              expectedStatus:
                watch.healthCheck.expectedStatus ?? FIXED_DEFAULTS["watch.healthCheck.expectedStatus"],
              timeoutMs: ms(watch.healthCheck.timeout ?? FIXED_DEFAULTS["watch.healthCheck.timeout"]),
            },
          }),
    },
    report: {
      ...(spec.report?.url === undefined ? {} : { url: spec.report.url }),
      branch: spec.report?.branch ?? FIXED_DEFAULTS["report.branch"],
      path: spec.report?.path ?? FIXED_DEFAULTS["report.path"],
      ...(spec.report?.credentialsSecret === undefined
        ? {}
        : { credentialsSecret: spec.report.credentialsSecret }),
      tagPattern: spec.report?.tagPattern ?? FIXED_DEFAULTS["report.tagPattern"],
    },
  };
}

/** One side of a "must not be longer than" rule: its value and where that value came from. */
interface Bound {
  field: OverridableField;
  ms: number;
  /** The value as written in the spec being checked; undefined when it came from elsewhere. */
  written: Duration | undefined;
  /** Where the value came from when it was not written there, e.g. `, staging's default`. */
  origin: string;
}

/**
 * `shorter` must not be longer than `longer`. The issue is put on a field written in the spec being
 * checked (the shorter one first), so the user is pointed at something they wrote.
 */
function checkOrder(root: string, shorter: Bound, longer: Bound, why: string): SpecIssue[] {
  if (shorter.ms <= longer.ms) return [];
  const [at, other, relation] =
    shorter.written !== undefined ? [shorter, longer, "longer"] : [longer, shorter, "shorter"];
  // Neither value was written here: both come from a spec that was checked when it was read.
  if (at.written === undefined) return [];
  return [
    {
      path: `${root}.${at.field}`,
      given: JSON.stringify(at.written),
      message: `must not be ${relation} than ${other.field} (${formatDuration(other.ms)}${other.written === undefined ? other.origin : ""})${why}`,
    },
  ];
}

const NEEDS_AN_INTERVAL = ": the window needs at least one interval";

/** Rules that only hold once defaults are in: a tier default can meet an explicit value. */
function checkResolved(spec: EnvironmentSpec, settings: EnvironmentSettings): SpecIssue[] {
  const { watch, deploy } = settings;
  const fixed = ", the default";
  return [
    ...checkOrder(
      "spec",
      { field: "watch.interval", ms: watch.intervalMs, written: spec.watch.interval, origin: fixed },
      {
        field: "watch.duration",
        ms: watch.durationMs,
        written: spec.watch.duration,
        origin: `, ${spec.tier}'s default`,
      },
      NEEDS_AN_INTERVAL,
    ),
    ...checkOrder(
      "spec",
      {
        field: "deploy.idleTimeout",
        ms: deploy.idleTimeoutMs,
        written: spec.deploy.idleTimeout,
        origin: fixed,
      },
      { field: "deploy.timeout", ms: deploy.timeoutMs, written: spec.deploy.timeout, origin: fixed },
      "",
    ),
  ];
}

/** Reads an Environment spec as the operator will use it, or says precisely what is wrong. */
export function readEnvironmentSpec(input: unknown): SpecResult<EnvironmentSettings> {
  const parsed = parseWith<EnvironmentSpec>(environmentSpecSchema, input, "spec");
  if (!parsed.ok) return parsed;
  const settings = resolveEnvironment(parsed.value);
  const issues = checkResolved(parsed.value, settings);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: settings };
}

export function readReleaseSpec(input: unknown): SpecResult<ReleaseSpec> {
  return parseWith<ReleaseSpec>(releaseSpecSchema, input, "spec");
}

interface OverrideTarget {
  field: OverridableField;
  value: Duration | undefined;
  apply: (settings: EnvironmentSettings, ms: number) => void;
}

function overridesOf(spec: ReleaseSpec): OverrideTarget[] {
  const o = spec.overrides;
  return [
    { field: "deploy.timeout", value: o?.deploy?.timeout, apply: (s, v) => (s.deploy.timeoutMs = v) },
    {
      field: "deploy.idleTimeout",
      value: o?.deploy?.idleTimeout,
      apply: (s, v) => (s.deploy.idleTimeoutMs = v),
    },
    { field: "smoke.timeout", value: o?.smoke?.timeout, apply: (s, v) => (s.smoke.timeoutMs = v) },
    { field: "watch.duration", value: o?.watch?.duration, apply: (s, v) => (s.watch.durationMs = v) },
    { field: "watch.interval", value: o?.watch?.interval, apply: (s, v) => (s.watch.intervalMs = v) },
  ];
}

/**
 * The settings for one Release against its Environment: the preset strategy must be one the
 * environment supports, and every override one it allows.
 */
export function resolveReleaseSettings(
  environmentName: string,
  environment: EnvironmentSettings,
  spec: ReleaseSpec,
): SpecResult<ReleaseSettings> {
  const issues: SpecIssue[] = [];
  if (spec.strategy !== undefined && !environment.strategies.includes(spec.strategy)) {
    issues.push({
      path: "spec.strategy",
      given: JSON.stringify(spec.strategy),
      message: `is not supported by Environment ${environmentName}; valid: ${environment.strategies.join(", ")}`,
    });
  }
  const settings = structuredClone(environment);
  const applied = new Map<OverridableField, Duration>();
  for (const override of overridesOf(spec)) {
    if (override.value === undefined) continue;
    if (!environment.allowedOverrides.includes(override.field)) {
      issues.push({
        path: `spec.overrides.${override.field}`,
        given: JSON.stringify(override.value),
        message: `is not allowed by Environment ${environmentName}; it allows: ${environment.allowedOverrides.join(", ") || "no overrides"}`,
      });
      continue;
    }
    override.apply(settings, ms(override.value));
    applied.set(override.field, override.value);
  }
  // The same rules as for the Environment, now on the overrides: the issue names the override to change.
  const bound = (field: OverridableField, value: number): Bound => ({
    field,
    ms: value,
    written: applied.get(field),
    origin: `, Environment ${environmentName}'s`,
  });
  issues.push(
    ...checkOrder(
      "spec.overrides",
      bound("watch.interval", settings.watch.intervalMs),
      bound("watch.duration", settings.watch.durationMs),
      NEEDS_AN_INTERVAL,
    ),
    ...checkOrder(
      "spec.overrides",
      bound("deploy.idleTimeout", settings.deploy.idleTimeoutMs),
      bound("deploy.timeout", settings.deploy.timeoutMs),
      "",
    ),
  );
  if (issues.length > 0) return { ok: false, issues };
  const releaseArgs = spec.strategyArgs ?? [];
  return {
    ok: true,
    value: {
      environment: settings,
      ...(spec.strategy === undefined ? {} : { presetStrategy: spec.strategy }),
      argsFor: (strategy) => [...(settings.deploy.strategyArgs[strategy] ?? []), ...releaseArgs],
    },
  };
}

/** The part of the settings shown in the Environment's status. */
export function effectiveSummary(settings: EnvironmentSettings): EffectiveSummary {
  return {
    strategies: settings.strategies,
    defaultStrategy: settings.defaultStrategy,
    autoSelectStrategy: settings.autoSelectStrategy,
    approvalRequired: settings.approval.required,
    approvalCount: settings.approval.count,
    fourEyes: settings.approval.fourEyes,
    smokeRequired: settings.smoke.required,
    watchDuration: formatDuration(settings.watch.durationMs),
    watchInterval: formatDuration(settings.watch.intervalMs),
  };
}
