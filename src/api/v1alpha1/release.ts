// The Release API: one version to one environment, one attempt. The spec is immutable once created
// (a re-attempt is a new object); everything the operator learns and decides lives in status, so a
// restarted operator resumes exactly where it stopped.
import type { BaselineMode, SmokeSafety, Verdict } from "./environment.js";
import type { Condition, Duration, ObjectName, Strategy, Timestamp, VersionString } from "./common.js";

export interface ReleaseSpec {
  /** The Environment (same namespace) this release goes to. One release targets exactly one environment. */
  environment: ObjectName;
  /** The version to release, as its image tag, e.g. `1.4.2`. */
  version: VersionString;
  /** The source commit (SHA or ref) of the version; the change summary ends there. Defaults to the version's tag. */
  revision?: string;
  /** The version a rollback returns to. Defaults to the environment's `currentVersion`. */
  rollbackTarget?: VersionString;
  /** A pre-made strategy choice; it must be one of the environment's strategies. */
  strategy?: Strategy;
  /**
   * Arguments appended to `deploy.sh <version>` after the environment's arguments for the strategy.
   * @maxItems 32
   */
  strategyArgs?: string[];
  /** Overrides of environment settings, each allowed by the environment's `allowedOverrides`. */
  overrides?: ReleaseOverrides;
  /** Items left out of the release scope. */
  scope?: ReleaseScope;
}

export interface ReleaseOverrides {
  deploy?: DeployOverrides;
  smoke?: SmokeOverrides;
  watch?: WatchOverrides;
}

export interface DeployOverrides {
  timeout?: Duration;
  idleTimeout?: Duration;
}

export interface SmokeOverrides {
  timeout?: Duration;
}

export interface WatchOverrides {
  duration?: Duration;
  interval?: Duration;
}

export interface ReleaseScope {
  /**
   * Tickets or commits (ids or SHAs) excluded from the change scope.
   * @maxItems 128
   */
  exclude?: string[];
}

/** Where a Release is in its life. */
export type ReleasePhase =
  | "Pending"
  | "PreReleaseGate"
  | "StrategySelect"
  | "Execute"
  | "SmokeTest"
  | "WatchWindow"
  | "CommitOrRollback"
  | "RollingBack"
  | "Completed";

/** How a phase ended. */
export type PhaseOutcome = "Succeeded" | "Failed" | "Aborted" | "Skipped" | "Overridden";

export interface ReleaseStatus {
  /**
   * The generation of the spec the status was computed for.
   * @asType integer
   */
  observedGeneration?: number;
  phase?: ReleasePhase;
  verdict?: Verdict;
  /** Why the release is where it is: the full reason chain, most recent cause last. */
  reason?: string;
  /** When the operator first picked the release up. */
  startedAt?: Timestamp;
  /** When the verdict was reached. */
  completedAt?: Timestamp;
  /** @maxItems 16 */
  conditions?: Condition[];
  /**
   * One record per phase entered, in order.
   * @maxItems 32
   */
  phases?: PhaseRecord[];
  /** What the operator waits for, with the exact command to answer. */
  pendingDecision?: PendingDecision;
  /**
   * Every decision taken (annotations read), in order.
   * @maxItems 64
   */
  decisions?: DecisionRecord[];
  /** The version a rollback returns to, as resolved at the gate. */
  rollbackTarget?: VersionString;
  /** The version that was running before this release (`{previousVersion}`). */
  previousVersion?: VersionString;
  /** The gate's findings. */
  gate?: GateSummary;
  /** The strategy: what was recommended, what was chosen and by whom. */
  strategy?: StrategyChoice;
  /**
   * The Jobs the release ran: deploy, rollback, smoke.
   * @maxItems 16
   */
  jobs?: JobRecord[];
  /**
   * Smoke results of the last run (after the deploy, then after a rollback).
   * @maxItems 96
   */
  smoke?: SmokeResult[];
  baseline?: BaselineRecord;
  /** The release's watch window. */
  watch?: WatchProgress;
  /** The mini watch window after a rollback (hard breaches only). */
  rollbackWatch?: WatchProgress;
  /**
   * Every breach seen in the watch windows.
   * @maxItems 32
   */
  breaches?: Breach[];
  /** Why and where to the release is being rolled back, once a rollback was decided. */
  rollback?: RollbackProgress;
  /** The `manual` strategy's checklist and the answer given. */
  manual?: ManualDeploy;
  /** Set when the verdict skipped part of the process: an incident retrospective is due. */
  incident?: IncidentFlag;
  /** Where the report is. */
  report?: ReportLocations;
}

export interface PhaseRecord {
  phase: ReleasePhase;
  startedAt: Timestamp;
  finishedAt?: Timestamp;
  outcome?: PhaseOutcome;
  message?: string;
}

/** The kinds of decision a human can give by annotating the Release. */
export type DecisionKind =
  "gate" | "approval" | "override" | "strategy" | "manual-result" | "escalation" | "skip-watch" | "abort";

export interface PendingDecision {
  kind: DecisionKind;
  /** What is asked, in a sentence. */
  question: string;
  /** Since when the operator has been waiting. */
  since: Timestamp;
  /**
   * The exact commands that answer, one per option, e.g. `kubectl annotate release nav-1-4-2 approved=true`.
   * @maxItems 8
   */
  commands: string[];
}

export interface DecisionRecord {
  kind: DecisionKind;
  /** The annotation read. */
  annotation: string;
  /** Its value, as written. */
  value: string;
  /** Who gave it, where known (the approver named in the annotation). */
  by?: string;
  /** When the operator read it. */
  at: Timestamp;
  /** Whether the value was valid and acted upon. */
  accepted: boolean;
  /** What it did, or why it was refused. */
  message?: string;
}

/** The result of one gate check. */
export type CheckStatus = "Passed" | "Failed" | "Overridden" | "Waiting" | "Skipped";

export interface GateSummary {
  /** When the gate's external checks (git, registry, Prometheus, test reports) last ran. */
  evaluatedAt?: Timestamp;
  /**
   * One entry per check: acceptance, change summary, rollback readiness, restrictions, observability.
   * @maxItems 32
   */
  checks: GateCheck[];
  changes?: ChangeSummary;
  /**
   * Risks shown to the approver.
   * @maxItems 32
   */
  openRisks?: string[];
  /**
   * What blocks the release now.
   * @maxItems 32
   */
  blockingIssues?: string[];
  /** The PRE-RELEASE GATE box, as shown in the report. */
  text?: string;
}

export interface GateCheck {
  name: string;
  status: CheckStatus;
  message?: string;
  /**
   * What the check found that does not block but the approver should weigh.
   * @maxItems 16
   */
  risks?: string[];
}

export interface ChangeSummary {
  /** The tag the summary starts from (the last release), when one exists. */
  fromTag?: string;
  /** The commit it ends at. */
  toRevision?: string;
  /** @asType integer */
  commits: number;
  /** @asType integer */
  tickets?: number;
  /**
   * The ticket keys named in the commits.
   * @maxItems 128
   */
  ticketKeys?: string[];
  /** True when any commit is a breaking change. */
  breaking: boolean;
  /** @maxItems 64 */
  components: ComponentChanges[];
  /**
   * The breaking commits, `<sha> <subject>`.
   * @maxItems 16
   */
  breakingChanges?: string[];
  /**
   * Commits that carry a migration, `<sha> <subject>`.
   * @maxItems 16
   */
  migrations?: string[];
}

export interface ComponentChanges {
  component: string;
  /** @asType integer */
  features: number;
  /** @asType integer */
  fixes: number;
  /** @asType integer */
  breaking: number;
  /** @asType integer */
  security: number;
  /** @asType integer */
  other: number;
}

export interface StrategyChoice {
  recommended?: Strategy;
  /** Why it was recommended. */
  recommendationReason?: string;
  chosen?: Strategy;
  /** Who chose: the spec, the environment's auto-selection, or a decision. */
  source?: "spec" | "auto" | "decision";
}

/** What a Job did for the release. */
export type JobPurpose = "deploy" | "rollback" | "smoke" | "rollback-smoke";

export interface JobRecord {
  purpose: JobPurpose;
  /** The Job's deterministic name. */
  name: ObjectName;
  uid?: string;
  /** The node the pod ran on. */
  nodeName?: string;
  startedAt?: Timestamp;
  finishedAt?: Timestamp;
  /** @asType integer */
  exitCode?: number;
  /** `NotStarted`: the script never ran: the Pod was not scheduled within idleTimeout (the Job was stopped), or the API server refused the Job. */
  outcome?: "Running" | "Succeeded" | "Failed" | "Hung" | "TimedOut" | "Deleted" | "NotStarted";
  message?: string;
}

export interface RollbackProgress {
  /** What made the release roll back, e.g. `deploy script failure: exit code 1`. */
  cause: string;
  /** The phase the rollback was decided in. */
  from: ReleasePhase;
  requestedAt: Timestamp;
  /** The version `deploy.sh --rollback` returns to. */
  target?: VersionString;
}

export interface ManualDeploy {
  /**
   * The steps a human carries out, in order.
   * @maxItems 64
   */
  checklist: string[];
  /** The answer given by `release-operator.io/manual-result`. */
  result?: "done" | "failed";
  answeredAt?: Timestamp;
}

export interface SmokeResult {
  name: string;
  kind: "http" | "job";
  /** Which run: after the deploy or after a rollback. */
  run: "release" | "rollback";
  passed: boolean;
  /** @asType integer */
  durationMs: number;
  /** The first lines of a failure. */
  message?: string;
  safety?: SmokeSafety;
}

export interface BaselineRecord {
  mode: BaselineMode;
  /** When the values were read: before the deploy (`pre-deploy`), or at the last interval (`concurrent`). */
  capturedAt?: Timestamp;
  window?: Duration;
  /** The version the values are of. */
  version?: VersionString;
  /** @maxItems 32 */
  values?: MetricValue[];
  /** While a pre-deploy baseline could not be read: since when it has been tried. */
  firstAttemptAt?: Timestamp;
  lastAttemptAt?: Timestamp;
  /** Why the last attempt failed. */
  message?: string;
}

export interface MetricValue {
  metric: string;
  /** Absent when the query returned no data. */
  value?: number;
  /** Why there is no value. */
  message?: string;
}

/** How one metric looked at one interval. */
export type MetricVerdict = "ok" | "soft" | "hard" | "no-data";

export interface WatchProgress {
  /** Which window: the release's, or the mini window after a rollback. */
  window: "release" | "rollback";
  /** The version watched. */
  version?: VersionString;
  startedAt: Timestamp;
  /** When the window ends, extensions included. */
  endsAt: Timestamp;
  /** Total extension granted by `escalation=extend=<d>` decisions. */
  extendedBy?: Duration;
  /**
   * How many `escalation=extend=<d>` decisions were applied: each lengthens the window once.
   * @asType integer
   */
  extensions?: number;
  /** @asType integer */
  intervalsEvaluated: number;
  /** @asType integer */
  consecutiveHealthFailures?: number;
  /**
   * Metrics without data, each since when (the window's start when it never had any).
   * @maxItems 32
   */
  missingData?: MissingData[];
  lastEvaluatedAt?: Timestamp;
  /**
   * The most recent interval snapshots (the full series is in the report).
   * @maxItems 10
   */
  snapshots?: WatchSnapshot[];
}

export interface MissingData {
  metric: string;
  since: Timestamp;
  /** Why the last reading had no value. */
  message?: string;
}

export interface WatchSnapshot {
  at: Timestamp;
  /** Minutes since the window started, e.g. `T+3m`. */
  elapsed: string;
  /** @maxItems 32 */
  metrics: MetricSnapshot[];
  health?: "ok" | "failed";
}

export interface MetricSnapshot {
  metric: string;
  value?: number;
  baseline?: number;
  /** How many times worse than the baseline (direction taken into account). */
  ratio?: number;
  verdict: MetricVerdict;
  /** Why there is no verdict on the value (no data, no baseline). */
  message?: string;
}

export interface Breach {
  /** A metric's name, or `health-check`. */
  metric: string;
  /** Which window saw it. */
  window?: "release" | "rollback";
  severity: "soft" | "hard";
  at: Timestamp;
  /** Minutes since the window started, e.g. `T+3m`. */
  elapsed: string;
  value?: number;
  baseline?: number;
  ratio?: number;
  message: string;
}

export interface IncidentFlag {
  reason: string;
  at: Timestamp;
}

export interface ReportLocations {
  /** The ConfigMap holding `release.md` (and `rollback.md`). */
  configMap?: ObjectName;
  /** Path of the release report in the report repository. */
  gitPath?: string;
  /** Path of the rollback report, when a rollback ran. */
  rollbackGitPath?: string;
  /** The commit that holds the final report. */
  gitCommit?: string;
  /** The tag set on Released. */
  gitTag?: string;
  /**
   * Failed attempts to commit the report to git so far; reset when it is written.
   * @asType integer
   */
  gitAttempts?: number;
  /** When the next attempt is due after a failed one. */
  gitNextAttemptAt?: Timestamp;
}
