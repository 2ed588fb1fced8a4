// What a reconcile of a Release sees and what it may ask for: the inputs of the pure decision (the
// Release, its Environment, what the reconciler observed of Jobs, logs and external checks, the time)
// and its outputs (actions, Events). Types only.
import type { V1Job } from "@kubernetes/client-node";
import type {
  EnvironmentSettings,
  EnvironmentStatus,
  PhaseOutcome,
  Release,
  ReleasePhase,
  ReleaseStatus,
} from "../api/v1alpha1/index.js";
import type { SmokeCaseOutcome } from "../providers/smoke/http.js";
import type { GateProbeResults, ScriptJobResult } from "./gate.js";
import type { OperatorJobPurpose } from "./jobs.js";

export type EnvironmentView =
  | { kind: "missing"; name: string }
  | { kind: "invalid"; name: string; issues: string }
  | { kind: "ready"; name: string; settings: EnvironmentSettings; status: EnvironmentStatus };

/** A Job of the release as the reconciler found it: the Job, its Pod, and, for a failure, its last words. */
export interface JobObservation {
  /** `absent`: not in the API server (confirmed there, not only missing from the cache). */
  state: "absent" | "pending" | "running" | "succeeded" | "failed";
  uid?: string;
  nodeName?: string;
  podName?: string;
  /** When its container started. */
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** Why it failed when no exit code says it, e.g. the Job's DeadlineExceeded. */
  failure?: string;
  /** Why a pending Job has not started: not scheduled, its image not pulled, no Pod created. */
  waiting?: string;
  /** The last lines of a failed Job's output, when they were read (smoke Job cases). */
  output?: string;
}

/** How far a Job's output has been followed (see controller/log-follower.ts). */
export interface OutputView {
  /** Lines read so far. */
  seen: number;
  /** The kubelet's timestamp of the last line. */
  lastOutputAt?: string;
  /** The stream ended after the container stopped: every line is in. */
  ended: boolean;
}

/** One smoke case's result as run by the operator (HTTP cases). */
export type { SmokeCaseOutcome };

export type SmokeRun = "release" | "rollback";

/** What a reading of the watch asks for: before the deploy (the baseline), or one interval of a window. */
export type WatchPurpose = "baseline" | "release" | "rollback";

/** One watched metric's queries, placeholders filled in; `problem` when it cannot be asked at all. */
export interface MetricRequest {
  metric: string;
  query?: string;
  /** The baseline's query, asked at the same time (a `concurrent` baseline). */
  baselineQuery?: string;
  problem?: string;
}

/** The reading the watch needs now: the observer takes it, the decision judges it. */
export interface WatchRequest {
  purpose: WatchPurpose;
  /** Names this reading: the next interval's reading has another key. */
  key: string;
  metrics: MetricRequest[];
  healthCheck?: EnvironmentSettings["watch"]["healthCheck"];
}

export interface MetricReading {
  metric: string;
  value?: number;
  baseline?: number;
  /** Why there is no value. */
  problem?: string;
  /** Why there is no baseline value, when one was asked. */
  baselineProblem?: string;
}

/** What Prometheus and the health check said for one WatchRequest. */
export interface WatchReading {
  key: string;
  /** When it was taken. */
  at: string;
  metrics: MetricReading[];
  /** Prometheus answered no query at all (unreachable, timed out, refused the credentials): why. */
  unreachable?: string;
  health?: { ok: boolean; message?: string };
}

export interface ReleaseWorld {
  /** The Release as read; never mutated. */
  release: Release;
  environment: EnvironmentView;
  /** Fresh results of the gate's external checks, when they ran in this reconcile. */
  probes?: GateProbeResults;
  /** The rollback-check Job, when it exists. */
  scriptJob?: ScriptJobResult;
  /** The release's Jobs by name, as observed; a name missing here was not looked at. */
  jobs?: ReadonlyMap<string, JobObservation>;
  /** Jobs the API server refused to create, by name, with its message: never created, never will be. */
  refusedJobs?: ReadonlyMap<string, string>;
  /** The deploy's and the rollback's output, as followed. */
  output?: Partial<Record<"deploy" | "rollback", OutputView>>;
  /** Problems with the deploy's environment (`envFrom`, `requiredEnv`), when it was checked in this reconcile. */
  deployEnvironment?: readonly string[];
  /** The HTTP smoke cases' results, when a run finished. */
  httpSmoke?: { run: SmokeRun; outcomes: readonly SmokeCaseOutcome[] };
  /** The watch's reading, when one was due and has been taken. */
  watchReading?: WatchReading;
  now: Date;
  gateRecheckIntervalMs: number;
}

export type ReleaseAction =
  /** Before the status write: a Job under its deterministic name (adopted when it exists and is ours). */
  | { kind: "create-job"; purpose: OperatorJobPurpose; job: V1Job }
  /** Before the status write: what a hung or overdue Job was doing, into the report. */
  | { kind: "capture-snapshot"; purpose: "deploy" | "rollback"; jobName: string; podName?: string }
  /** After the status write (status first says why): stops a Job and its Pod. */
  | { kind: "delete-job"; jobName: string };

export interface EventToRecord {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface PhaseCompletion {
  phase: ReleasePhase;
  outcome: PhaseOutcome;
  seconds: number;
}

export interface ReleaseDecision {
  status: ReleaseStatus;
  actions: ReleaseAction[];
  events: EventToRecord[];
  requeueAfterMs?: number;
  /** Phases that ended in this reconcile, for the metrics. */
  completed: PhaseCompletion[];
  /** Phase changes in this reconcile, in order. */
  transitions: { from: ReleasePhase; to: ReleasePhase }[];
  /** Breaches seen in this reconcile, for the metrics. */
  breaches: ("soft" | "hard")[];
}
