// The Environment API: how releases to one target are done, written once by the platform team.
// Fields left unset take the defaults of the environment's tier (see defaults.ts); those defaults are
// applied by the operator when it reads the spec, so `kubectl get environment -o yaml` shows what
// was written and `status` shows what is in force.
import type {
  Condition,
  Duration,
  EnvFromSource,
  EnvVarName,
  HttpUrl,
  KeyReference,
  ObjectName,
  SecretReference,
  Strategy,
  TimeOfDay,
  Timestamp,
  Toleration,
  VersionString,
} from "./common.js";

/** The kind of target; defaults for approval, smoke tests, strategy selection and watch depend on it. */
export type Tier = "production" | "staging" | "development";

/** A day of the week, as its three-letter English abbreviation. */
export type Weekday = "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun";

/** The verdict a Release ends with. */
export type Verdict = "Released" | "Released-with-override" | "Rolled-Back" | "Rollback-Failed" | "Aborted";

/** Environment fields a Release may override, when the Environment allows it in `allowedOverrides`. */
export type OverridableField =
  "deploy.timeout" | "deploy.idleTimeout" | "smoke.timeout" | "watch.duration" | "watch.interval";

export interface EnvironmentSpec {
  /** The kind of target. Defaults for approval, smoke, strategy selection and watch depend on it. */
  tier: Tier;
  /**
   * The strategies this target supports, in order of preference.
   * @minItems 1
   * @maxItems 4
   */
  strategies?: Strategy[];
  /** The strategy recommended when the change summary gives no reason to pick another. Defaults to the first of `strategies`. */
  defaultStrategy?: Strategy;
  /** Accept the recommended strategy without waiting for a decision. Defaults to false for production, true otherwise. */
  autoSelectStrategy?: boolean;
  /** Who must approve a release before it is executed. */
  approval?: ApprovalPolicy;
  /**
   * When releases may start; outside every window the release waits. No windows means any time.
   * @maxItems 16
   */
  changeWindows?: ChangeWindow[];
  /**
   * Periods when no release may start, whatever the change windows say.
   * @maxItems 64
   */
  blackouts?: Blackout[];
  /**
   * Environment fields a Release may override in `spec.overrides`. None by default.
   * @maxItems 5
   */
  allowedOverrides?: OverridableField[];
  /** The image of the released software, used to prove the rollback target is still pullable. */
  artifact?: Artifact;
  /** The source repository, used for the change summary. */
  source?: SourceRepository;
  /** Acceptance criteria and the test reports that prove them. */
  acceptance?: Acceptance;
  /** How `deploy.sh` is run. */
  deploy: Deploy;
  /** Smoke tests run after the deploy and after a rollback. */
  smoke?: Smoke;
  /** The watch window: what is observed after the deploy, for how long, against which baseline. */
  watch: Watch;
  /** Where the Markdown report is committed in git, besides its ConfigMap. */
  report?: Report;
}

export interface ApprovalPolicy {
  /** Whether a human must approve the gate. Defaults to true for production, false otherwise. */
  required?: boolean;
  /**
   * How many distinct approvers are needed.
   * @asType integer
   * @minimum 1
   * @maximum 10
   */
  count?: number;
  /**
   * Groups whose members may approve (checked by the chart's admission policy). Empty means any user
   * allowed to annotate the Release.
   * @maxItems 16
   */
  approverGroups?: string[];
  /** Four-eyes: the Release's creator may not approve it. Defaults to true for production, false otherwise. */
  fourEyes?: boolean;
}

export interface ChangeWindow {
  /**
   * The days the window opens on.
   * @minItems 1
   * @maxItems 7
   */
  days: Weekday[];
  /** Opening time, `HH:MM`. */
  start: TimeOfDay;
  /** Closing time, `HH:MM`; a window that closes before it opens runs past midnight. */
  end: TimeOfDay;
  /** IANA time zone of `start` and `end`, e.g. `Europe/Berlin`. */
  timeZone?: string;
}

export interface Blackout {
  /** Start of the blackout (RFC 3339). */
  from: Timestamp;
  /** End of the blackout (RFC 3339), after `from`. */
  to: Timestamp;
  /** Why no release may start, shown to whoever waits. */
  reason: string;
}

export interface Artifact {
  /** Image repository including the registry host, e.g. `registry.example.com/nav/onboard`. */
  repository: string;
  /** A `kubernetes.io/dockerconfigjson` Secret with credentials for the registry. */
  pullSecret?: SecretReference;
  /** Talk to the registry over plain HTTP (a registry on loopback in a lab). */
  plainHTTP?: boolean;
}

export interface SourceRepository {
  /** Git URL of the source repository (`https://`, `http://`, `ssh://` or `file://`). */
  url: string;
  /** A Secret with `username` and `password` (or `token`) for the repository. */
  credentialsSecret?: SecretReference;
  /**
   * How release tags are named; `{version}` is replaced by the version.
   */
  tagPattern?: string;
  /**
   * Which component a changed path belongs to; the longest matching prefix wins.
   * @maxItems 64
   */
  components?: ComponentPath[];
}

export interface ComponentPath {
  /** A path prefix in the repository, e.g. `services/nav/`. */
  pathPrefix: string;
  /** The component's name in the change summary. */
  component: string;
}

export interface Acceptance {
  /**
   * The acceptance criteria and the tests that prove each.
   * @maxItems 256
   */
  criteria?: AcceptanceCriterion[];
  /**
   * Where the latest test reports (JUnit XML) are.
   * @maxItems 32
   */
  reports?: TestReportSource[];
}

export interface AcceptanceCriterion {
  /** The criterion's id, e.g. `AC-12`. */
  id: string;
  /** What the criterion demands. */
  description?: string;
  /**
   * Test cases (JUnit `classname.name` or `name`) that prove the criterion; all must pass.
   * @maxItems 256
   */
  tests: string[];
  /** A critical criterion without a passing test blocks the release unless overridden with a reason. */
  critical?: boolean;
}

/** A JUnit XML report in a ConfigMap or a Secret: exactly one of the two. */
export interface TestReportSource {
  configMap?: KeyReference;
  secret?: KeyReference;
}

export interface Deploy {
  /** The image that holds `deploy.sh` and its tools. */
  image: string;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** Where `deploy.sh` is. */
  script: DeployScript;
  /** Extra arguments appended to `deploy.sh <version>`, per strategy. */
  strategyArgs?: StrategyArgs;
  /**
   * The `.env` of the deploy: Secrets and ConfigMaps whose keys become environment variables.
   * @maxItems 16
   */
  envFrom?: EnvFromSource[];
  /**
   * Variables that must be set, and not to a placeholder, before the deploy starts (the `.env.example`).
   * @maxItems 256
   */
  requiredEnv?: EnvVarName[];
  /** Node placement of the deploy, rollback and smoke Jobs: an edge or onboard node included. */
  nodeSelector?: Record<string, string>;
  /** @maxItems 32 */
  tolerations?: Toleration[];
  /** Affinity, as in a Pod spec. */
  affinity?: Affinity;
  /** The ServiceAccount the Jobs run as. */
  serviceAccountName?: ObjectName;
  /** The Pod Security profile the Jobs are written for. */
  podSecurity?: PodSecurityProfile;
  /**
   * No output for this long means the deploy hung: it is stopped and rolled back.
   */
  idleTimeout?: Duration;
  /**
   * The longest a deploy may run before it is stopped and rolled back.
   */
  timeout?: Duration;
  /**
   * The operator's steps for the `manual` strategy, shown as a checklist while the release waits for
   * `release-operator.io/manual-result`. Without it a generic checklist is shown.
   * @maxItems 64
   */
  manualChecklist?: string[];
}

/** A Pod Security Standards profile. */
export type PodSecurityProfile = "restricted" | "baseline" | "privileged";

/** Affinity as in a Pod spec (nodeAffinity, podAffinity, podAntiAffinity), passed to the Jobs as written. */
export type Affinity = Record<string, unknown>;

/** Where `deploy.sh` is: exactly one of `path` and `configMap`. */
export interface DeployScript {
  /** Path of the script inside the image, e.g. `/app/scripts/deploy.sh`. */
  path?: string;
  /** A ConfigMap key holding the script; it is mounted and run with `sh`. */
  configMap?: KeyReference;
}

/** Arguments appended to `deploy.sh <version>` for each strategy, e.g. `canary: ["--canary", "5%"]`. */
export interface StrategyArgs {
  /** @maxItems 32 */
  "all-at-once"?: string[];
  /** @maxItems 32 */
  "blue-green"?: string[];
  /** @maxItems 32 */
  canary?: string[];
  /** @maxItems 32 */
  manual?: string[];
}

export interface Smoke {
  /** A release without smoke cases is aborted. Defaults to true for production, false otherwise. */
  required?: boolean;
  /**
   * All cases must finish within this time.
   */
  timeout?: Duration;
  /** @maxItems 64 */
  http?: HttpSmokeCase[];
  /** @maxItems 32 */
  jobs?: JobSmokeCase[];
}

/** For a production target, what makes a smoke case safe to run against live traffic. */
export type SmokeSafety = "smoke-endpoint" | "test-account";

export interface HttpSmokeCase {
  /** The case's name in results and reasons. */
  name: string;
  method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
  url: HttpUrl;
  /** Request headers. */
  headers?: Record<string, string>;
  /**
   * Request body.
   * @maxLength 65536
   */
  body?: string;
  /**
   * The status the response must have.
   * @asType integer
   * @minimum 100
   * @maximum 599
   */
  expectedStatus?: number;
  /** What the response body must contain. */
  bodyMatch?: BodyMatch;
  /** Per-case timeout; defaults to the phase's timeout. */
  timeout?: Duration;
  /** Required for production targets: the case hits a smoke endpoint or uses a test account. */
  safety?: SmokeSafety;
}

/** A body check: a substring, a regular expression, or both. */
export interface BodyMatch {
  contains?: string;
  /** An ECMAScript regular expression. */
  regex?: string;
}

export interface JobSmokeCase {
  /** The case's name in results and reasons. */
  name: string;
  image: string;
  /**
   * The command; exit code 0 passes.
   * @minItems 1
   * @maxItems 64
   */
  command: string[];
  /** Per-case timeout; defaults to the phase's timeout. */
  timeout?: Duration;
  /** Required for production targets: the case hits a smoke endpoint or uses a test account. */
  safety?: SmokeSafety;
}

export interface Watch {
  /** How long the live system is watched. Defaults to 60m for production, 15m otherwise. */
  duration?: Duration;
  /**
   * How often metrics are evaluated.
   */
  interval?: Duration;
  /**
   * How long metrics may be missing before that is itself a hard breach.
   */
  noDataGrace?: Duration;
  prometheus: PrometheusSource;
  baseline?: Baseline;
  /**
   * The watched metrics.
   * @minItems 1
   * @maxItems 32
   */
  metrics: Metric[];
  /** An HTTP health check evaluated every interval. */
  healthCheck?: HealthCheck;
}

export interface PrometheusSource {
  /** Base URL of the Prometheus HTTP API, e.g. `http://prometheus.monitoring:9090`. */
  url: HttpUrl;
  /** A Secret with `username` and `password`, or `token` for a bearer token. */
  authSecret?: SecretReference;
  /**
   * Timeout of one query.
   */
  timeout?: Duration;
}

/** How the baseline a metric is compared with is obtained. */
export type BaselineMode = "pre-deploy" | "concurrent";

export interface Baseline {
  /**
   * `pre-deploy`: each metric over `window` before Execute, stored in status. `concurrent`: the same
   * query with `{version}` set to the previous version, at every interval.
   */
  mode?: BaselineMode;
  /**
   * The range a pre-deploy baseline is measured over.
   */
  window?: Duration;
}

/** What a metric measures; it sets the defaults of `direction`, `hardRatio` and `softRatio`. */
export type MetricKind = "error-rate" | "latency" | "throughput" | "saturation" | "custom";

/** How many times worse than the baseline a value is: greater than 1, at most 1000. */
export type Ratio = number;

/** Which way a metric gets worse. */
export type MetricDirection = "up" | "down";

export interface Metric {
  /** The metric's name in the report and in breach reasons, e.g. `error-rate`. */
  name: string;
  /**
   * A PromQL instant query returning one series. Placeholders: `{version}`, `{previousVersion}`,
   * `{environment}`.
   */
  query: string;
  /** What the metric measures. error-rate: up is worse, hard 2x, soft 1.5x; latency: up, 3x, 1.5x; throughput: down, 2x, 1.5x; saturation and custom: up, 2x, 1.5x. */
  kind?: MetricKind;
  /** Whether a higher (`up`) or lower (`down`) value is worse. */
  direction?: MetricDirection;
  /** A value this many times worse than the baseline is a hard breach: automatic rollback. Greater than 1. */
  hardRatio?: Ratio;
  /** A value this many times worse than the baseline is a soft breach: a human decides. Greater than 1, less than hardRatio. */
  softRatio?: Ratio;
  /**
   * Below this absolute value nothing counts as a breach (twice almost nothing is nothing).
   * @minimum 0
   */
  floor?: number;
}

export interface HealthCheck {
  url: HttpUrl;
  method?: "GET" | "HEAD";
  /**
   * @asType integer
   * @minimum 100
   * @maximum 599
   */
  expectedStatus?: number;
  timeout?: Duration;
}

export interface Report {
  /** Git URL of the repository the report is committed to. Without it the report lives in its ConfigMap only. */
  url?: string;
  branch?: string;
  /**
   * Folder of the reports in the repository.
   */
  path?: string;
  /** A Secret with `username` and `password` (or `token`) for pushing. */
  credentialsSecret?: SecretReference;
  /**
   * The tag set on a Released version; `{version}` is replaced by the version.
   */
  tagPattern?: string;
}

export interface EnvironmentStatus {
  /**
   * The generation of the spec the status was computed for.
   * @asType integer
   */
  observedGeneration?: number;
  /**
   * @maxItems 16
   */
  conditions?: Condition[];
  /** The version running on the target, as far as the operator knows; empty when unknown. */
  currentVersion?: VersionString;
  /** Set after a rollback failed: the target is in an unknown state until a human fixes it. */
  currentVersionUnknown?: boolean;
  /** The Release that holds this environment now. */
  activeRelease?: ObjectName;
  /**
   * Releases waiting for the environment, in creation order.
   * @maxItems 64
   */
  queue?: ObjectName[];
  /** The last release that ended `Released`. */
  lastReleased?: ReleaseRecord;
  /**
   * The most recent completed releases, newest first.
   * @maxItems 20
   */
  history?: ReleaseRecord[];
  /** The tier defaults and overrides in force (the spec as the operator reads it). */
  effective?: EffectiveSummary;
}

export interface ReleaseRecord {
  release: ObjectName;
  version: VersionString;
  verdict: Verdict;
  /** When the verdict was reached. */
  completedAt: Timestamp;
  /** The verdict's reason. */
  reason?: string;
}

/** The settings in force after tier defaults, for `kubectl get -o yaml` readers. */
export interface EffectiveSummary {
  strategies: Strategy[];
  defaultStrategy: Strategy;
  autoSelectStrategy: boolean;
  approvalRequired: boolean;
  /** @asType integer */
  approvalCount: number;
  fourEyes: boolean;
  smokeRequired: boolean;
  watchDuration: Duration;
  watchInterval: Duration;
}
