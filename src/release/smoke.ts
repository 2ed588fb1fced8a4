// One run of the smoke cases (after the deploy, or after a rollback), as a pure step: HTTP cases run
// by the operator (their outcomes arrive in the world), Job cases as Jobs under deterministic names,
// every case recorded with its duration and the first lines of a failure, all within the phase's
// timeout. A run is over when every case has a result in status.
import { formatDuration, type ReleaseSettings, type SmokeResult } from "../api/v1alpha1/index.js";
import type { Draft } from "./draft.js";
import { jobNameFor, refusedJobMessage, smokeJob, smokeJobPurpose } from "./jobs.js";
import type { ReleaseWorld, SmokeRun } from "./world.js";

export type SmokeProgress =
  | { state: "running"; message: string }
  | { state: "passed"; message: string; cases: number }
  | { state: "failed"; message: string; failed: string[] };

/**
 * Why the smoke tests cannot be run against this target at all, checked at the gate so nothing is
 * deployed: none defined where they are required, or, in production, a case not marked as hitting a
 * smoke endpoint or using a test account (it would touch real customer data).
 */
export function smokeUnfit(settings: ReleaseSettings, environmentName: string): string | undefined {
  const { smoke, tier } = settings.environment;
  const cases = [...smoke.http, ...smoke.jobs];
  if (smoke.required && cases.length === 0) {
    return `Aborted: smoke tests missing for prod-mode target: Environment ${environmentName} requires smoke tests (smoke.required) and defines none; nothing was deployed`;
  }
  const unsafe = tier === "production" ? cases.filter((testCase) => testCase.safety === undefined) : [];
  if (unsafe.length > 0) {
    return `Aborted: smoke test would touch real customer data: production Environment ${environmentName} has smoke cases not marked safety: smoke-endpoint or test-account (${unsafe.map((testCase) => testCase.name).join(", ")}); define a smoke endpoint or a test account; nothing was deployed`;
  }
  return undefined;
}

export function smokeCaseCount(settings: ReleaseSettings): number {
  return settings.environment.smoke.http.length + settings.environment.smoke.jobs.length;
}

const MAX_MESSAGE = 1000;

function recordResults(draft: Draft, results: SmokeResult[]): void {
  if (results.length === 0) return;
  draft.status.smoke = [...(draft.status.smoke ?? []), ...results].slice(-96);
}

export function smokeRun(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  run: SmokeRun,
  startedAt: Date,
): SmokeProgress {
  const { release, now } = world;
  const smoke = settings.environment.smoke;
  const deadline = new Date(startedAt.getTime() + smoke.timeoutMs);
  const overdue = now >= deadline;
  const recorded = (draft.status.smoke ?? []).filter((result) => result.run === run);
  const has = (name: string): boolean => recorded.some((result) => result.name === name);
  const outOfTime = `did not finish within the smoke phase's timeout of ${formatDuration(smoke.timeoutMs)}`;

  // HTTP cases: one batch, run by the reconciler beside the reconcile; recorded once.
  const httpCases = settings.environment.smoke.http;
  const httpPending = httpCases.filter((testCase) => !has(testCase.name));
  if (httpPending.length > 0) {
    const outcomes = world.httpSmoke?.run === run ? world.httpSmoke.outcomes : undefined;
    if (outcomes !== undefined) {
      recordResults(
        draft,
        httpPending.map((testCase) => {
          const outcome = outcomes.find((entry) => entry.name === testCase.name);
          return {
            name: testCase.name,
            kind: "http",
            run,
            passed: outcome?.passed ?? false,
            durationMs: Math.round(outcome?.durationMs ?? 0),
            ...(outcome?.passed === true
              ? {}
              : { message: (outcome?.message ?? "no result").slice(0, MAX_MESSAGE) }),
            ...(testCase.safety === undefined ? {} : { safety: testCase.safety }),
          } satisfies SmokeResult;
        }),
      );
    } else if (overdue) {
      recordResults(
        draft,
        httpPending.map((testCase) => ({
          name: testCase.name,
          kind: "http",
          run,
          passed: false,
          durationMs: now.getTime() - startedAt.getTime(),
          message: outOfTime,
        })),
      );
    }
  }

  // Job cases: created once each, read when they end, stopped at the deadline.
  smoke.jobs.forEach((testCase, index) => {
    if (has(testCase.name)) return;
    const name = jobNameFor(release.metadata.name ?? "", smokeJobPurpose(run, index));
    const record = draft.job(name);
    const job = world.jobs?.get(name);
    const refused = world.refusedJobs?.get(name);
    if (record === undefined && refused !== undefined && (job === undefined || job.state === "absent")) {
      const message = refusedJobMessage("smoke", name, refused).slice(0, MAX_MESSAGE);
      draft.recordJob({
        purpose: run === "release" ? "smoke" : "rollback-smoke",
        name,
        startedAt: draft.iso,
        finishedAt: draft.iso,
        outcome: "NotStarted",
        message,
      });
      recordResults(draft, [
        { name: testCase.name, kind: "job", run, passed: false, durationMs: 0, message },
      ]);
      return;
    }
    if (record === undefined) {
      if (overdue) {
        recordResults(draft, [
          { name: testCase.name, kind: "job", run, passed: false, durationMs: 0, message: outOfTime },
        ]);
        return;
      }
      if (job === undefined || job.state === "absent") {
        draft.actions.push({
          kind: "create-job",
          purpose: smokeJobPurpose(run, index),
          job: smokeJob(release, settings, testCase, run, index, {
            version: release.spec.version,
            ...(draft.status.previousVersion === undefined
              ? {}
              : { previousVersion: draft.status.previousVersion }),
          }),
        });
      }
      draft.recordJob({
        purpose: run === "release" ? "smoke" : "rollback-smoke",
        name,
        startedAt: draft.iso,
        outcome: "Running",
      });
      return;
    }
    const durationMs = now.getTime() - Date.parse(record.startedAt ?? draft.iso);
    const finish = (
      passed: boolean,
      outcome: "Succeeded" | "Failed" | "Deleted" | "TimedOut",
      message?: string,
    ): void => {
      draft.recordJob({
        ...record,
        outcome,
        finishedAt: job?.finishedAt ?? draft.iso,
        ...(job?.exitCode === undefined ? {} : { exitCode: job.exitCode }),
        ...(job?.nodeName === undefined ? {} : { nodeName: job.nodeName }),
        ...(message === undefined ? {} : { message: message.slice(0, MAX_MESSAGE) }),
      });
      recordResults(draft, [
        {
          name: testCase.name,
          kind: "job",
          run,
          passed,
          durationMs: Math.max(0, durationMs),
          ...(message === undefined || passed ? {} : { message: message.slice(0, MAX_MESSAGE) }),
          ...(testCase.safety === undefined ? {} : { safety: testCase.safety }),
        },
      ]);
    };
    if (job?.state === "succeeded") finish(true, "Succeeded");
    else if (job?.state === "failed") {
      const why =
        job.exitCode === undefined ? (job.failure ?? "the Job failed") : `exit code ${job.exitCode}`;
      finish(false, "Failed", job.output === undefined ? why : `${why}\n${job.output}`);
    } else if (job?.state === "absent")
      finish(false, "Deleted", `smoke Job ${name} was deleted before it finished`);
    else if (overdue) {
      finish(false, "TimedOut", outOfTime);
      draft.stopJob(name);
    }
  });

  const results = (draft.status.smoke ?? []).filter((result) => result.run === run);
  const total = httpCases.length + smoke.jobs.length;
  if (results.length < total) {
    draft.requeueNoLaterThan(deadline);
    return {
      state: "running",
      message: `smoke ${run === "release" ? "tests" : "tests after the rollback"}: ${results.length} of ${total} cases done`,
    };
  }
  const failed = results.filter((result) => !result.passed).map((result) => result.name);
  if (failed.length > 0) {
    return {
      state: "failed",
      failed,
      message: `smoke test failure: ${failed.join(", ")}`,
    };
  }
  return { state: "passed", cases: total, message: `all ${total} smoke cases passed` };
}
