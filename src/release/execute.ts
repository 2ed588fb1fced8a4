// Phase 3, Execute: check the deploy's environment, re-check the change window, run `deploy.sh
// <version>` once in its Job and follow it to an exit code; or, for the manual strategy, show the
// checklist and wait for the human's answer. Pure. A failure decides a rollback; it never retries.
import { ANNOTATIONS, formatDuration, type ReleaseSettings } from "../api/v1alpha1/index.js";
import { abortCommand, annotateCommand } from "./commands.js";
import type { Decisions } from "./decisions.js";
import { refOf, type Draft, type Standing } from "./draft.js";
import { scriptJobOf, settleStoppedJob, type ScriptJob } from "./job-progress.js";
import { deployJob, jobNameFor } from "./jobs.js";
import { startPermission } from "./schedule.js";
import { preDeployBaseline } from "./watch.js";
import type { ReleaseWorld } from "./world.js";

export const HUNG_REASON = "Deploy hung — manual investigation required";

/** Whether the deploy may have touched the target: from then on an abort rolls back instead of aborting. */
export function deployStarted(draft: Draft, world: ReleaseWorld): boolean {
  if (draft.status.manual !== undefined) return true;
  const name = jobNameFor(world.release.metadata.name ?? "", "deploy");
  if (draft.job(name) !== undefined) return true;
  const job = world.jobs?.get(name);
  return job !== undefined && job.state !== "absent";
}

function defaultChecklist(world: ReleaseWorld): string[] {
  const { version, environment } = world.release.spec;
  return [
    `Deploy version ${version} to ${environment} following the environment's runbook.`,
    `Confirm that ${environment} serves version ${version}.`,
    "Answer with the manual-result command below: done when the version runs, failed otherwise.",
  ];
}

function manualExecute(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  decisions: Decisions,
): Standing | undefined {
  if (draft.status.manual === undefined) {
    const baseline = preDeployBaseline(draft, world, settings);
    if (baseline !== undefined || draft.phase !== "Execute") return baseline;
  }
  const configured = settings.environment.deploy.manualChecklist;
  draft.status.manual ??= { checklist: configured.length > 0 ? configured : defaultChecklist(world) };
  const manual = draft.status.manual;
  if (decisions.abort !== undefined) {
    draft.rollBack(
      `abort requested (release-operator.io/abort) during the manual deploy: ${decisions.abort.reason}`,
    );
    return undefined;
  }
  if (decisions.manualResult !== undefined) {
    manual.result = decisions.manualResult;
    manual.answeredAt = draft.iso;
    if (decisions.manualResult === "done")
      draft.enter("SmokeTest", "Succeeded", "the manual deploy was reported done");
    else draft.rollBack("manual deploy failure: reported failed (release-operator.io/manual-result=failed)");
    return undefined;
  }
  const ref = refOf(world.release);
  draft.ask({
    kind: "manual-result",
    question: `Manual deploy of ${world.release.spec.version}: carry out the checklist, then answer.\n${manual.checklist
      .map((step, index) => `${index + 1}. ${step}`)
      .join("\n")}`,
    commands: [
      annotateCommand(ref, ANNOTATIONS.manualResult, "done"),
      annotateCommand(ref, ANNOTATIONS.manualResult, "failed"),
      abortCommand(ref),
    ],
  });
  return {
    reason: "AwaitingManualDeploy",
    message: `waiting for the manual deploy of ${world.release.spec.version}: ${manual.checklist.length} steps; answer with release-operator.io/manual-result=done|failed`,
    kind: "human",
  };
}

/**
 * The deploy's Pod was never scheduled: deploy.sh never ran, so there is nothing to roll back. The Job
 * is stopped first (it would run the moment a node took it) and the release ends Aborted once it is
 * gone; an abort asked meanwhile changes nothing.
 */
function deployNeverStarted(draft: Draft, job: ScriptJob, message: string): Standing | undefined {
  if (settleStoppedJob(draft, job, "deploy")) {
    return {
      reason: "StoppingDeploy",
      message: `${message}; waiting for Job ${job.name} to be gone before ending the release`,
      kind: "progressing",
      warning: true,
    };
  }
  draft.complete(
    "Aborted",
    "Failed",
    `Aborted at Execute: ${message}; deploy.sh never ran, nothing was deployed`,
  );
  return undefined;
}

export function execute(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  decisions: Decisions,
): Standing | undefined {
  const strategy = draft.status.strategy?.chosen ?? settings.environment.defaultStrategy;
  if (strategy === "manual") return manualExecute(draft, world, settings, decisions);

  const { release, now } = world;
  const deploy = settings.environment.deploy;
  const job = scriptJobOf(draft, world, settings, "deploy");
  const { name, progress } = job;

  if (progress.state === "create") {
    // StrategySelect may have waited for hours: the window is checked again right before the deploy.
    const permission = startPermission(
      settings.environment.changeWindows,
      settings.environment.blackouts,
      now,
    );
    if (!permission.allowed) {
      draft.requeueNoLaterThan(permission.opensAt);
      return {
        reason: permission.reason === "blackout" ? "Blackout" : "OutsideChangeWindow",
        message: `the deploy waits: ${permission.message}`,
        kind: "progressing",
      };
    }
    if (world.deployEnvironment === undefined) {
      draft.requeueNoLaterThan(now);
      return {
        reason: "CheckingEnvironment",
        message: "checking the deploy's environment",
        kind: "progressing",
      };
    }
    if (world.deployEnvironment.length > 0) {
      draft.complete(
        "Aborted",
        "Failed",
        `Aborted at Execute: the deploy's environment is not ready: ${world.deployEnvironment.join("; ")}; nothing was deployed`,
      );
      return undefined;
    }
    const baseline = preDeployBaseline(draft, world, settings);
    if (baseline !== undefined || draft.phase !== "Execute") return baseline;
    draft.actions.push({
      kind: "create-job",
      purpose: "deploy",
      job: deployJob(release, settings, {
        purpose: "deploy",
        strategy,
        version: release.spec.version,
        ...(draft.status.previousVersion === undefined
          ? {}
          : { previousVersion: draft.status.previousVersion }),
        ...(draft.status.rollbackTarget === undefined ? {} : { rollbackTarget: draft.status.rollbackTarget }),
      }),
    });
    draft.recordJob({ purpose: "deploy", name, startedAt: draft.iso, outcome: "Running" });
    draft.requeueNoLaterThan(new Date(now.getTime() + Math.min(deploy.idleTimeoutMs, deploy.timeoutMs)));
    return {
      reason: "Deploying",
      message: `started deploy.sh ${release.spec.version} (${strategy}) in Job ${name}`,
      kind: "progressing",
    };
  }

  if (progress.state === "not-started") return deployNeverStarted(draft, job, progress.message);

  if (progress.state === "running") {
    draft.recordJob(progress.record);
    if (decisions.abort !== undefined) {
      const message = `stopped: abort requested (release-operator.io/abort): ${decisions.abort.reason}`;
      draft.recordJob({ ...progress.record, outcome: "Deleted", finishedAt: draft.iso, message });
      draft.stopJob(name);
      draft.rollBack(
        `abort requested (release-operator.io/abort) during the deploy: ${decisions.abort.reason}`,
        "Aborted",
      );
      return undefined;
    }
    if (progress.recheckAt !== undefined) draft.requeueNoLaterThan(progress.recheckAt);
    return { reason: "Deploying", message: progress.message, kind: "progressing" };
  }

  settleStoppedJob(draft, job, "deploy");
  switch (progress.state) {
    case "succeeded":
      draft.enter("SmokeTest", "Succeeded", progress.message);
      return undefined;
    case "failed":
      draft.rollBack(`deploy script failure: ${progress.message}`);
      return undefined;
    case "hung":
      draft.rollBack(`${HUNG_REASON} (${progress.message})`);
      return undefined;
    case "timed-out":
      draft.rollBack(
        `deploy timed out: ${progress.message}; stopped (${formatDuration(deploy.timeoutMs)} allowed)`,
      );
      return undefined;
    case "deleted":
      draft.rollBack(progress.message);
      return undefined;
  }
}
