// Phase 6, Path B: the rollback. `deploy.sh --rollback <target>` once in its own Job (after the deploy
// Job is gone), the smoke cases again, then the mini watch window (hard breaches only, watch.ts); every step appends to the reason
// chain. Any failure is Rollback-Failed: the target is in an unknown state and a human takes over; no
// further Job is ever started. Pure.
import type { ReleaseSettings } from "../api/v1alpha1/index.js";
import type { Draft, Standing } from "./draft.js";
import { HUNG_REASON } from "./execute.js";
import { isFinished, scriptJobOf, settleStoppedJob } from "./job-progress.js";
import { deployJob, jobNameFor } from "./jobs.js";
import { smokeCaseCount, smokeRun } from "./smoke.js";
import { miniWatch } from "./watch.js";
import type { ReleaseWorld } from "./world.js";

const TAKEOVER = "the target is in an unknown state: a human must take over; no further deploy is run";

function failRollback(draft: Draft, chain: string[], what: string): Standing {
  const reason = [...chain, what, TAKEOVER].join(" -> ");
  draft.complete("Rollback-Failed", "Failed", reason);
  draft.events.push({ type: "Warning", reason: "HumanTakeoverRequired", message: reason });
  return { reason: "RollbackFailed", message: reason, kind: "done" };
}

export function rollingBack(draft: Draft, world: ReleaseWorld, settings: ReleaseSettings): Standing {
  const { release, now } = world;
  const rollback = draft.status.rollback ?? {
    cause: draft.status.reason ?? "rollback requested",
    from: "RollingBack" as const,
    requestedAt: draft.iso,
  };
  draft.status.rollback = rollback;
  const chain = [rollback.cause];
  const releaseName = release.metadata.name ?? "";

  // A deploy Job the operator stopped (or that is being stopped) must be gone before the rollback runs:
  // deletion is foreground, so a gone Job has no Pod left either.
  const deployName = jobNameFor(releaseName, "deploy");
  const deployRecord = draft.job(deployName);
  const deployJobNow = world.jobs?.get(deployName);
  const endedByItself = deployJobNow?.state === "succeeded" || deployJobNow?.state === "failed";
  if (
    deployJobNow !== undefined &&
    deployJobNow.state !== "absent" &&
    (!endedByItself || !isFinished(deployRecord))
  ) {
    draft.stopJob(deployName);
    return {
      reason: "StoppingDeploy",
      message: `${rollback.cause}; waiting for deploy Job ${deployName} to be gone before rolling back`,
      kind: "progressing",
    };
  }

  const target = rollback.target ?? draft.status.rollbackTarget;
  if (target === undefined) return failRollback(draft, chain, "no rollback target is known");

  const deploy = settings.environment.deploy;
  const job = scriptJobOf(draft, world, settings, "rollback");
  const { name, progress } = job;
  switch (progress.state) {
    case "create":
      draft.actions.push({
        kind: "create-job",
        purpose: "rollback",
        job: deployJob(release, settings, {
          purpose: "rollback",
          strategy: draft.status.strategy?.chosen ?? settings.environment.defaultStrategy,
          version: release.spec.version,
          ...(draft.status.previousVersion === undefined
            ? {}
            : { previousVersion: draft.status.previousVersion }),
          rollbackTarget: target,
        }),
      });
      draft.recordJob({ purpose: "rollback", name, startedAt: draft.iso, outcome: "Running" });
      draft.requeueNoLaterThan(new Date(now.getTime() + Math.min(deploy.idleTimeoutMs, deploy.timeoutMs)));
      return {
        reason: "RollingBack",
        message: `${rollback.cause}; started deploy.sh --rollback ${target} in Job ${name}`,
        kind: "progressing",
      };
    case "running":
      draft.recordJob(progress.record);
      if (progress.recheckAt !== undefined) draft.requeueNoLaterThan(progress.recheckAt);
      return {
        reason: "RollingBack",
        message: `${rollback.cause}; ${progress.message}`,
        kind: "progressing",
      };
    case "succeeded":
      draft.recordJob(progress.record);
      break;
    case "failed":
    case "hung":
    case "timed-out":
    case "not-started":
    case "deleted": {
      const what =
        progress.state === "hung"
          ? `rollback to ${target} hung: ${HUNG_REASON.toLowerCase()} (${progress.message})`
          : `rollback to ${target} failed: ${progress.message}`;
      if (settleStoppedJob(draft, job, "rollback")) {
        return {
          reason: "StoppingRollback",
          message: `${[...chain, what].join(" -> ")}; waiting for Job ${name} to be gone before ending the release`,
          kind: "progressing",
          warning: true,
        };
      }
      return failRollback(draft, chain, what);
    }
  }
  chain.push(`rolled back to ${target} (${progress.message})`);

  const finishedAt = new Date(progress.record.finishedAt ?? draft.iso);
  const smoke = smokeRun(draft, world, settings, "rollback", finishedAt);
  if (smoke.state === "running") {
    return {
      reason: "RollbackSmokeTest",
      message: `${chain.join(" -> ")}; ${smoke.message}`,
      kind: "progressing",
    };
  }
  if (smoke.state === "failed") return failRollback(draft, chain, `after the rollback, ${smoke.message}`);
  const cases = smokeCaseCount(settings);
  chain.push(cases === 0 ? "no smoke cases to re-run" : `smoke after the rollback passed (${cases} cases)`);
  const watched = miniWatch(draft, world, settings, target);
  if (watched.state === "watching") {
    return {
      reason: "RollbackWatch",
      message: `${chain.join(" -> ")}; ${watched.message}`,
      kind: "progressing",
      progress: true,
    };
  }
  if (watched.state === "failed") return failRollback(draft, chain, watched.message);
  chain.push(watched.message);
  const reason = chain.join(" -> ");
  draft.complete("Rolled-Back", "Succeeded", reason);
  return { reason: "RolledBack", message: reason, kind: "done" };
}
