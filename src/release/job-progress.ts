// Where a script Job (the deploy, or the rollback) stands, from its record in status, what the
// reconciler observed of it and of its output, and the time. Pure. The record is the memory that makes
// a Job run at most once: a Job named in status and gone from the API server was deleted, and is never
// created again.
import { formatDuration, type JobRecord, type ReleaseSettings } from "../api/v1alpha1/index.js";
import type { Draft } from "./draft.js";
import { jobNameFor, refusedJobMessage } from "./jobs.js";
import type { JobObservation, OutputView, ReleaseWorld } from "./world.js";

export interface ScriptJobLimits {
  idleTimeoutMs: number;
  timeoutMs: number;
}

/** How long after its container stopped the last lines of a Job may take to arrive. */
export const OUTPUT_DRAIN_GRACE_MS = 15_000;

export type ScriptJobProgress =
  /** Never created: create it now. */
  | { state: "create" }
  /** Created and not finished, within its limits; look again at `recheckAt` at the latest. */
  | { state: "running"; record: JobRecord; recheckAt?: Date; message: string }
  | { state: "succeeded"; record: JobRecord; message: string }
  /** It failed by itself (exit code, or the Job failed). */
  | { state: "failed"; record: JobRecord; message: string }
  /** The operator stops it: no output for idleTimeout, or past its timeout. Snapshot, then delete. */
  | { state: "hung" | "timed-out"; record: JobRecord; message: string }
  /** Someone else deleted it before it finished. */
  | { state: "deleted"; record: JobRecord; message: string }
  /** Its Pod was never scheduled within idleTimeout, or the API server refused the Job: the script never ran. */
  | { state: "not-started"; record: JobRecord; message: string };

const FINISHED: readonly NonNullable<JobRecord["outcome"]>[] = [
  "Succeeded",
  "Failed",
  "Hung",
  "TimedOut",
  "Deleted",
  "NotStarted",
];

export function isFinished(record: JobRecord | undefined): boolean {
  return record?.outcome !== undefined && FINISHED.includes(record.outcome);
}

/** The record brought up to date with what was observed of the Job and its Pod. */
function observed(record: JobRecord, job: JobObservation | undefined): JobRecord {
  if (job === undefined || job.state === "absent") return record;
  return {
    ...record,
    ...(job.uid === undefined ? {} : { uid: job.uid }),
    ...(job.nodeName === undefined ? {} : { nodeName: job.nodeName }),
    ...(job.startedAt === undefined ? {} : { startedAt: job.startedAt }),
  };
}

const latest = (...times: (string | undefined)[]): Date =>
  new Date(Math.max(...times.map((time) => (time === undefined ? 0 : Date.parse(time) || 0))));

/** What a terminal record means, for a reconcile that finds it again (after a crash, or a later phase). */
function fromRecord(record: JobRecord): ScriptJobProgress {
  const message = record.message ?? `Job ${record.name} ${record.outcome ?? "ended"}`;
  switch (record.outcome) {
    case "Succeeded":
      return { state: "succeeded", record, message };
    case "Hung":
      return { state: "hung", record, message };
    case "TimedOut":
      return { state: "timed-out", record, message };
    case "Deleted":
      return { state: "deleted", record, message };
    case "NotStarted":
      return { state: "not-started", record, message };
    case "Failed":
    case "Running":
    case undefined:
      return { state: "failed", record, message };
  }
}

export function scriptJobProgress(input: {
  name: string;
  purpose: "deploy" | "rollback";
  record: JobRecord | undefined;
  job: JobObservation | undefined;
  output: OutputView | undefined;
  limits: ScriptJobLimits;
  now: Date;
  /** The API server's message when it refused to create the Job. */
  refused?: string;
}): ScriptJobProgress {
  const { name, purpose, job, output, limits, now } = input;
  if (input.record === undefined) {
    if ((job === undefined || job.state === "absent") && input.refused !== undefined) {
      const message = refusedJobMessage(purpose, name, input.refused);
      const at = now.toISOString();
      return {
        state: "not-started",
        record: { purpose, name, startedAt: at, finishedAt: at, outcome: "NotStarted", message },
        message,
      };
    }
    if (job === undefined || job.state === "absent") return { state: "create" };
    // Created by an operator that crashed before it could record it: the Job is this release's, adopt it.
    const adopted = observed({ purpose, name, startedAt: now.toISOString(), outcome: "Running" }, job);
    return scriptJobProgress({ ...input, record: adopted });
  }
  if (isFinished(input.record)) return fromRecord(input.record);
  const record = observed(input.record, job);
  const on = record.nodeName === undefined ? "" : ` on node ${record.nodeName}`;

  if (job?.state === "absent") {
    const message = `${purpose} Job ${name} was deleted before it finished; it is not created again`;
    return {
      state: "deleted",
      record: { ...record, outcome: "Deleted", finishedAt: now.toISOString(), message },
      message,
    };
  }
  if (job?.state === "succeeded" || job?.state === "failed") {
    const finishedAt = job.finishedAt ?? now.toISOString();
    // The last lines may still be on their way: wait for the stream's end, a little.
    const drained = output?.ended === true || now.getTime() >= Date.parse(finishedAt) + OUTPUT_DRAIN_GRACE_MS;
    if (!drained) {
      return {
        state: "running",
        record,
        recheckAt: new Date(Date.parse(finishedAt) + OUTPUT_DRAIN_GRACE_MS),
        message: `${purpose} Job ${name} finished${on}; reading its last output`,
      };
    }
    const done = { ...record, finishedAt, ...(job.exitCode === undefined ? {} : { exitCode: job.exitCode }) };
    if (job.state === "succeeded") {
      const message = `deploy.sh${purpose === "rollback" ? " --rollback" : ""} exited 0${on}`;
      return { state: "succeeded", record: { ...done, outcome: "Succeeded", message }, message };
    }
    const message =
      job.exitCode !== undefined
        ? `exit code ${job.exitCode}${on}`
        : `the Job failed without an exit code (${job.failure ?? "no reason given"})${on}`;
    return { state: "failed", record: { ...done, outcome: "Failed", message }, message };
  }

  // Running, or still pending (not scheduled, not started): both count against the limits.
  const startedAt = Date.parse(input.record.startedAt ?? "") || now.getTime();
  const timeoutAt = new Date(startedAt + limits.timeoutMs);
  if (now >= timeoutAt) {
    const message = `${purpose} exceeded its timeout of ${formatDuration(limits.timeoutMs)}${on}`;
    return {
      state: "timed-out",
      record: { ...record, outcome: "TimedOut", finishedAt: now.toISOString(), message },
      message,
    };
  }
  let recheckAt = timeoutAt;
  // A Job whose Pod has not started prints nothing either. Not scheduled within idleTimeout, the
  // script certainly never ran (a node offline, no node matching the placement, a Pod refused by
  // admission); scheduled and not started, it may be running where the kubelet cannot report from,
  // so that is judged as hung.
  if (job?.state === "pending") {
    const startBy = new Date(startedAt + limits.idleTimeoutMs);
    if (now >= startBy) {
      const why = job.waiting ?? "no reason given";
      if (job.nodeName === undefined) {
        const message = `${purpose} Job ${name} was not scheduled within ${formatDuration(limits.idleTimeoutMs)} (${why})`;
        return {
          state: "not-started",
          record: { ...record, outcome: "NotStarted", finishedAt: now.toISOString(), message },
          message,
        };
      }
      const message = `not started within ${formatDuration(limits.idleTimeoutMs)}${on} (${why})`;
      return {
        state: "hung",
        record: { ...record, outcome: "Hung", finishedAt: now.toISOString(), message },
        message,
      };
    }
    if (startBy < recheckAt) recheckAt = startBy;
  }
  // Idleness is judged only on output read to its current end: right after a restart, before the log
  // was read again, silence would be a guess.
  if (output !== undefined) {
    const lastSign = latest(input.record.startedAt, job?.startedAt, output.lastOutputAt);
    const idleAt = new Date(lastSign.getTime() + limits.idleTimeoutMs);
    if (now >= idleAt) {
      const message = `no output for ${formatDuration(limits.idleTimeoutMs)}${on}`;
      return {
        state: "hung",
        record: { ...record, outcome: "Hung", finishedAt: now.toISOString(), message },
        message,
      };
    }
    if (idleAt < recheckAt) recheckAt = idleAt;
  }
  const state = job?.state === "running" ? "running" : "waiting to start";
  return {
    state: "running",
    record,
    recheckAt,
    message: `${purpose} Job ${name} ${state}${on}${output === undefined ? "" : `; ${output.seen} lines of output`}`,
  };
}

export interface ScriptJob {
  name: string;
  podName: string | undefined;
  /** Still in the API server (or not looked at): a stop must wait for it to be gone. */
  exists: boolean;
  progress: ScriptJobProgress;
}

/** The deploy's or the rollback's Job: its deterministic name, its Pod, and where it stands. */
export function scriptJobOf(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  purpose: "deploy" | "rollback",
): ScriptJob {
  const name = jobNameFor(world.release.metadata.name ?? "", purpose);
  const deploy = settings.environment.deploy;
  const observed = world.jobs?.get(name);
  const refused = world.refusedJobs?.get(name);
  return {
    name,
    podName: observed?.podName,
    // A Job the API server refused never existed.
    exists: observed?.state !== "absent" && refused === undefined,
    progress: scriptJobProgress({
      name,
      purpose,
      record: draft.job(name),
      job: observed,
      output: world.output?.[purpose],
      limits: { idleTimeoutMs: deploy.idleTimeoutMs, timeoutMs: deploy.timeoutMs },
      now: world.now,
      ...(refused === undefined ? {} : { refused }),
    }),
  };
}

/**
 * Records how a script Job ended. One the operator stops (hung, overdue, never scheduled) gets a
 * snapshot in the reconcile that decides it, and is deleted until it is gone. Returns whether it is
 * still being stopped: a verdict waits for that, since a completed release is never looked at again
 * and a Job left behind could still run.
 */
export function settleStoppedJob(draft: Draft, job: ScriptJob, purpose: "deploy" | "rollback"): boolean {
  const { progress } = job;
  if (progress.state === "create") return false;
  const decidedNow = !isFinished(draft.job(job.name));
  draft.recordJob(progress.record);
  const stopped =
    progress.state === "hung" || progress.state === "timed-out" || progress.state === "not-started";
  if (!stopped) return false;
  // A Job that never existed has nothing to show.
  if (decidedNow && job.exists) {
    draft.actions.push({
      kind: "capture-snapshot",
      purpose,
      jobName: job.name,
      ...(job.podName === undefined ? {} : { podName: job.podName }),
    });
  }
  if (job.exists) draft.stopJob(job.name);
  return job.exists;
}
