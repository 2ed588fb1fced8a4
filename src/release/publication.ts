// Committing a completed release's report to git: whether an attempt is due, and what status says
// after one. Pure. The verdict never waits on git: publication starts once the release is Completed
// and is retried with backoff, the ReportPublished condition saying why, until the commit is made.
import type { ReleaseStatus } from "../api/v1alpha1/index.js";
import { setCondition } from "./conditions.js";
import { SUCCESS } from "./draft.js";

export const REPORT_PUBLISHED = "ReportPublished";

export type PublicationOutcome =
  | {
      ok: true;
      commit: string;
      gitPath: string;
      rollbackGitPath?: string;
      /** The tag that names this release, when one was set or already pointed at the commit. */
      tag?: string;
      /** Why the tag was not set, e.g. it already names another commit. */
      tagNote?: string;
      /** Whether this attempt made the commit (false: an earlier attempt had, before a restart). */
      created: boolean;
    }
  | { ok: false; message: string };

export type PublicationStep = { kind: "none" } | { kind: "wait"; delayMs: number } | { kind: "publish" };

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;

/** 5 s after the first failure, doubling, at most 10 minutes: a long git outage costs little. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

export function publicationStep(
  status: ReleaseStatus | undefined,
  reportUrl: string | undefined,
  now: Date,
): PublicationStep {
  if (status?.phase !== "Completed" || reportUrl === undefined) return { kind: "none" };
  if (status.report?.gitCommit !== undefined) return { kind: "none" };
  const next = status.report?.gitNextAttemptAt;
  const due = next === undefined ? Number.NaN : Date.parse(next);
  if (Number.isFinite(due) && due > now.getTime()) return { kind: "wait", delayMs: due - now.getTime() };
  return { kind: "publish" };
}

/** Whether a verdict puts the version in service, and so earns its release tag. */
export function tagsVersion(verdict: ReleaseStatus["verdict"]): boolean {
  return verdict !== undefined && SUCCESS.includes(verdict);
}

export interface PublicationResult {
  status: ReleaseStatus;
  event: { type: "Normal" | "Warning"; reason: string; message: string };
  /** When to try again; undefined once written. */
  retryAfterMs?: number;
}

/** The status after an attempt to commit to `where` (a URL fit to show, and the branch). */
export function statusAfterPublication(
  status: ReleaseStatus,
  outcome: PublicationOutcome,
  where: string,
  generation: number | undefined,
  now: Date,
): PublicationResult {
  const iso = now.toISOString();
  const conditions = status.conditions ?? [];
  if (outcome.ok) {
    const tagged = outcome.tag === undefined ? "" : `; tagged ${outcome.tag}`;
    const note = outcome.tagNote === undefined ? "" : `; ${outcome.tagNote}`;
    const files = [outcome.gitPath, outcome.rollbackGitPath]
      .filter((file) => file !== undefined)
      .join(" and ");
    const message = `${files} committed to ${where} as ${outcome.commit.slice(0, 12)}${tagged}${note}`;
    const report = { ...status.report };
    delete report.gitAttempts;
    delete report.gitNextAttemptAt;
    return {
      status: {
        ...status,
        report: {
          ...report,
          gitPath: outcome.gitPath,
          ...(outcome.rollbackGitPath === undefined ? {} : { rollbackGitPath: outcome.rollbackGitPath }),
          gitCommit: outcome.commit,
          ...(outcome.tag === undefined ? {} : { gitTag: outcome.tag }),
        },
        conditions: setCondition(
          conditions,
          { type: REPORT_PUBLISHED, status: "True", reason: "Committed", message },
          generation,
          iso,
        ),
      },
      event: { type: "Normal", reason: "ReportCommitted", message },
    };
  }
  const attempts = (status.report?.gitAttempts ?? 0) + 1;
  const retryAfterMs = retryDelayMs(attempts);
  const next = new Date(now.getTime() + retryAfterMs).toISOString();
  const why = `the report is not in git yet: ${outcome.message}`;
  return {
    status: {
      ...status,
      report: { ...status.report, gitAttempts: attempts, gitNextAttemptAt: next },
      conditions: setCondition(
        conditions,
        {
          type: REPORT_PUBLISHED,
          status: "False",
          reason: "GitUnavailable",
          message: `${why} (attempt ${attempts}; next at ${next}). The verdict stands; the report is in its ConfigMap meanwhile.`,
        },
        generation,
        iso,
      ),
    },
    // Without the attempt's number, so that repeats of one failure count up on a single Event.
    event: { type: "Warning", reason: "ReportNotCommitted", message: why },
    retryAfterMs,
  };
}
