// The status a reconcile is writing, with what it announces on the way: each phase works on a Draft,
// and decide.ts turns it into the reconcile's result. Pure.
import type {
  JobRecord,
  PendingDecision,
  PhaseOutcome,
  PhaseRecord,
  Release,
  ReleasePhase,
  ReleaseStatus,
  Verdict,
} from "../api/v1alpha1/index.js";
import type { ReleaseRef } from "./commands.js";
import type { EventToRecord, PhaseCompletion, ReleaseAction } from "./world.js";

/** Where the release stands after deciding: what Ready/Reconciling/Stalled say. */
export interface Standing {
  reason: string;
  message: string;
  /** `progressing`: the operator works or waits for something that will come by itself; `human`: a person must act. */
  kind: "progressing" | "human" | "stalled" | "done";
  warning?: boolean;
  /**
   * The message carries figures that change as the phase goes (the watch window's readings): the
   * standing is announced when its reason changes, not at every new figure.
   */
  progress?: boolean;
}

export const SUCCESS: readonly Verdict[] = ["Released", "Released-with-override"];

export const refOf = (release: Release): ReleaseRef => ({
  namespace: release.metadata.namespace ?? "",
  name: release.metadata.name ?? "",
});

const MAX_JOBS = 16;

export class Draft {
  readonly status: ReleaseStatus;
  readonly events: EventToRecord[] = [];
  readonly actions: ReleaseAction[] = [];
  readonly completed: PhaseCompletion[] = [];
  readonly transitions: { from: ReleasePhase; to: ReleasePhase }[] = [];
  /** Breaches seen in this reconcile, for the metrics. */
  readonly breachesSeen: ("soft" | "hard")[] = [];
  requeueAt: Date | undefined;

  constructor(
    release: Release,
    readonly now: Date,
  ) {
    this.status = structuredClone(release.status ?? {});
  }

  get iso(): string {
    return this.now.toISOString();
  }

  get phase(): ReleasePhase {
    return this.status.phase ?? "Pending";
  }

  requeueNoLaterThan(at: Date): void {
    if (this.requeueAt === undefined || at < this.requeueAt) this.requeueAt = at;
  }

  /** When the open record of the current phase started. */
  get phaseStartedAt(): Date {
    const open = this.status.phases?.at(-1);
    return open?.phase === this.phase ? new Date(open.startedAt) : this.now;
  }

  /** Ends the open phase record and enters `next`, announcing the transition. */
  enter(next: ReleasePhase, outcome: PhaseOutcome, message: string): void {
    const from = this.phase;
    const phases = [...(this.status.phases ?? [])];
    const open = phases.at(-1);
    if (open !== undefined && open.finishedAt === undefined) {
      phases[phases.length - 1] = { ...open, finishedAt: this.iso, outcome, message };
      this.completed.push({
        phase: open.phase,
        outcome,
        seconds: Math.max(0, (this.now.getTime() - Date.parse(open.startedAt)) / 1000),
      });
    }
    if (next !== "Completed") phases.push({ phase: next, startedAt: this.iso } satisfies PhaseRecord);
    this.status.phases = phases.slice(-32);
    this.status.phase = next;
    this.transitions.push({ from, to: next });
    this.events.push({ type: "Normal", reason: next, message: `${from} -> ${next}: ${message}` });
  }

  complete(verdict: Verdict, outcome: PhaseOutcome, reason: string): void {
    this.enter("Completed", outcome, reason);
    this.status.verdict = verdict;
    this.status.completedAt = this.iso;
    this.status.reason = reason;
    delete this.status.pendingDecision;
    this.events.push({
      type: SUCCESS.includes(verdict) ? "Normal" : "Warning",
      reason: verdict.replaceAll("-", ""),
      message: reason,
    });
  }

  /**
   * Decides to roll back: the cause is kept for the reason chain, and the rollback starts in the next
   * step of this reconcile. A second cause (an abort while a hung deploy is stopped) changes nothing.
   */
  rollBack(cause: string, outcome: PhaseOutcome = "Failed"): void {
    if (this.status.rollback !== undefined) return;
    const from = this.phase;
    this.status.rollback = {
      cause,
      from,
      requestedAt: this.iso,
      ...(this.status.rollbackTarget === undefined ? {} : { target: this.status.rollbackTarget }),
    };
    this.enter("RollingBack", outcome, cause);
  }

  ask(pending: Omit<PendingDecision, "since">): void {
    const current = this.status.pendingDecision;
    // The same kind of decision is the same wait, even when its question changes with progress
    // ("1 of 3 approvals"): `since` says how long the operator has been waiting for it.
    const same = current?.kind === pending.kind;
    this.status.pendingDecision = { ...pending, since: same ? current.since : this.iso };
  }

  /** Stops a Job after the status write; asking twice in one reconcile stops it once. */
  stopJob(jobName: string): void {
    if (!this.actions.some((action) => action.kind === "delete-job" && action.jobName === jobName)) {
      this.actions.push({ kind: "delete-job", jobName });
    }
  }

  job(name: string): JobRecord | undefined {
    return this.status.jobs?.find((record) => record.name === name);
  }

  /** Adds or updates the record of a Job, by name. */
  recordJob(record: JobRecord): void {
    const jobs = [...(this.status.jobs ?? [])];
    const index = jobs.findIndex((entry) => entry.name === record.name);
    if (index === -1) jobs.push(record);
    else jobs[index] = { ...jobs[index], ...record };
    this.status.jobs = jobs.slice(-MAX_JOBS);
  }
}
