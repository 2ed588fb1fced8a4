// The reconcile of a Release as a pure function: from the Release, its Environment, what the world
// looked like and the time, to the next status, the actions to take (idempotent, named
// deterministically) and the Events to announce. Nothing here talks to anything.
import {
  describeIssues,
  readReleaseSpec,
  resolveReleaseSettings,
  type Condition,
  type Release,
  type ReleasePhase,
  type ReleaseSettings,
} from "../api/v1alpha1/index.js";
import { abortCommand, strategyCommand } from "./commands.js";
import { findCondition, setConditions, type ConditionInput } from "./conditions.js";
import { invalidDecisions, readDecisions, recordDecisions, type Decisions } from "./decisions.js";
import { Draft, refOf, SUCCESS, type Standing } from "./draft.js";
import { deployStarted, execute } from "./execute.js";
import { evaluateGate, nextProbeAt, probedChecks, GATE_CHECKS } from "./gate.js";
import { rollbackCheckJob } from "./jobs.js";
import { rollingBack } from "./rollback.js";
import { startPermission } from "./schedule.js";
import { smokeRun, smokeUnfit } from "./smoke.js";
import { chooseStrategy, recommendStrategy } from "./strategy.js";
import { watchWindow } from "./watch.js";
import type { ReleaseDecision, ReleaseWorld } from "./world.js";

export type {
  EnvironmentView,
  EventToRecord,
  JobObservation,
  OutputView,
  PhaseCompletion,
  ReleaseAction,
  ReleaseDecision,
  ReleaseWorld,
} from "./world.js";

/** Phases before anything touched the target: an abort there ends the release as Aborted. */
const BEFORE_EXECUTE: readonly ReleasePhase[] = ["Pending", "PreReleaseGate", "StrategySelect"];

/** A `strategy` decision the environment does not support is refused like any invalid value. */
function refuseUnsupportedStrategy(decisions: Decisions, settings: ReleaseSettings): Decisions {
  const chosen = decisions.strategy;
  const supported = settings.environment.strategies;
  if (chosen === undefined || supported.includes(chosen.strategy)) return decisions;
  return {
    ...decisions,
    strategy: undefined,
    read: decisions.read.map((read) =>
      read.annotation === chosen.annotation
        ? { ...read, invalid: `not supported by this Environment; valid: ${supported.join(", ")}` }
        : read,
    ),
  };
}

function logDecisions(draft: Draft, decisions: Decisions): void {
  const { records, added } = recordDecisions(draft.status.decisions ?? [], decisions, new Map(), draft.iso);
  if (added.length === 0) return;
  draft.status.decisions = records;
  for (const record of added) {
    draft.events.push(
      record.accepted
        ? { type: "Normal", reason: "DecisionRecorded", message: `${record.annotation}=${record.value}` }
        : {
            type: "Warning",
            reason: "InvalidDecision",
            message: `${record.annotation}=${JSON.stringify(record.value)} is invalid and changes nothing; ${(record.message ?? "").replace(/^refused: /, "")}`,
          },
    );
  }
}

function abortReason(decisions: Decisions): string | undefined {
  if (decisions.abort !== undefined)
    return `abort requested (release-operator.io/abort): ${decisions.abort.reason}`;
  const gate = decisions.gate;
  if (gate?.answer === "abort") {
    const given = decisions.read.find((read) => read.annotation === gate.annotation)?.value ?? "false";
    return `the gate was answered with ${gate.annotation}=${given}`;
  }
  return undefined;
}

/**
 * DecisionsValid, when the decisions were read in this reconcile. Otherwise (completed, or no settings
 * to judge them by) the last judgement stands, rather than a "valid" that nobody checked.
 */
function decisionsValidity(decisions: Decisions | undefined): ConditionInput[] {
  if (decisions === undefined) return [];
  const invalid = invalidDecisions(decisions);
  return [
    invalid.length === 0
      ? {
          type: "DecisionsValid",
          status: "True",
          reason: "Valid",
          message: "every decision annotation is valid",
        }
      : { type: "DecisionsValid", status: "False", reason: "InvalidAnnotation", message: invalid.join("\n") },
  ];
}

/** The kstatus summary and the domain conditions, set in one place. */
function finalize(
  draft: Draft,
  release: Release,
  standing: Standing,
  domain: { inputs: ConditionInput[]; absent: string[] },
  decisions: Decisions | undefined,
): void {
  const status = draft.status;
  const generation = release.metadata.generation;
  const verdict = status.verdict;
  const kstatus: ConditionInput[] = [
    verdict !== undefined && SUCCESS.includes(verdict)
      ? { type: "Ready", status: "True", reason: verdict.replaceAll("-", ""), message: standing.message }
      : { type: "Ready", status: "False", reason: standing.reason, message: standing.message },
  ];
  const absent = [...domain.absent];
  if (standing.kind === "progressing" || standing.kind === "human") {
    kstatus.push({ type: "Reconciling", status: "True", reason: standing.reason, message: standing.message });
  } else {
    absent.push("Reconciling");
  }
  const failed = verdict !== undefined && !SUCCESS.includes(verdict);
  if (standing.kind === "stalled" || failed) {
    kstatus.push({ type: "Stalled", status: "True", reason: standing.reason, message: standing.message });
  } else {
    absent.push("Stalled");
  }
  const before: readonly Condition[] = status.conditions ?? [];
  const previous = findCondition(before, "Ready");
  status.conditions = setConditions(
    before,
    [...kstatus, ...domain.inputs, ...decisionsValidity(decisions)],
    absent,
    generation,
    draft.iso,
  );
  status.observedGeneration = generation;
  if (verdict === undefined) status.reason = standing.message;
  if (standing.kind !== "human") delete status.pendingDecision;

  // A new standing is announced once; transitions were announced as they happened.
  const changed =
    previous?.reason !== standing.reason ||
    (standing.progress !== true && previous.message !== standing.message);
  if (changed && standing.kind !== "done") {
    draft.events.push({
      type: standing.warning === true || standing.kind === "stalled" ? "Warning" : "Normal",
      reason: standing.reason,
      message: standing.message,
    });
  }
}

function result(draft: Draft): ReleaseDecision {
  const requeueAfterMs =
    draft.requeueAt === undefined ? undefined : Math.max(0, draft.requeueAt.getTime() - draft.now.getTime());
  return {
    status: draft.status,
    actions: draft.actions,
    events: draft.events,
    ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }),
    completed: draft.completed,
    transitions: draft.transitions,
    breaches: draft.breachesSeen,
  };
}

const notAdmitted = (reason: string, message: string): ConditionInput => ({
  type: "Admitted",
  status: "False",
  reason,
  message,
});

export function decideRelease(world: ReleaseWorld): ReleaseDecision {
  const { release, now } = world;
  const draft = new Draft(release, now);
  const name = release.metadata.name ?? "";
  const environmentName = release.spec.environment;
  draft.status.startedAt ??= draft.iso;
  draft.status.phase ??= "Pending";

  if (draft.phase === "Completed") {
    finalize(
      draft,
      release,
      {
        reason: draft.status.verdict?.replaceAll("-", "") ?? "Completed",
        message: draft.status.reason ?? "completed",
        kind: "done",
      },
      { inputs: [], absent: ["Admitted"] },
      undefined,
    );
    return result(draft);
  }

  // An abort is honoured whatever else holds the release back (a missing Environment, a spec it
  // cannot accept): a held release must be stoppable without fixing what holds it.
  const asked = readDecisions(release.metadata.annotations);
  const aborted = abortReason(asked);
  const untouched =
    BEFORE_EXECUTE.includes(draft.phase) || (draft.phase === "Execute" && !deployStarted(draft, world));
  if (aborted !== undefined && untouched) {
    logDecisions(draft, asked);
    const at = draft.phase;
    draft.complete("Aborted", "Aborted", `Aborted at ${at}: ${aborted}; nothing was deployed`);
    finalize(
      draft,
      release,
      { reason: "Aborted", message: draft.status.reason ?? "", kind: "done" },
      { inputs: [], absent: ["Admitted"] },
      asked,
    );
    return result(draft);
  }

  const spec = readReleaseSpec(release.spec);
  if (!spec.ok) {
    finalize(
      draft,
      release,
      {
        reason: "InvalidSpec",
        message: `the spec cannot be accepted:\n${describeIssues(spec.issues)}`,
        kind: "stalled",
      },
      { inputs: [notAdmitted("InvalidSpec", "the spec cannot be accepted")], absent: [] },
      undefined,
    );
    return result(draft);
  }

  const environment = world.environment;
  if (environment.kind === "missing") {
    const message = `Environment ${environmentName} not found in namespace ${release.metadata.namespace ?? ""}; the release starts when it exists`;
    finalize(
      draft,
      release,
      { reason: "EnvironmentNotFound", message, kind: "progressing", warning: true },
      { inputs: [notAdmitted("EnvironmentNotFound", message)], absent: [] },
      undefined,
    );
    return result(draft);
  }
  if (environment.kind === "invalid") {
    const message = `Environment ${environmentName} has an invalid spec; the release waits until it is fixed:\n${environment.issues}`;
    finalize(
      draft,
      release,
      { reason: "EnvironmentInvalid", message, kind: "stalled" },
      { inputs: [notAdmitted("EnvironmentInvalid", message)], absent: [] },
      undefined,
    );
    return result(draft);
  }
  const resolved = resolveReleaseSettings(environmentName, environment.settings, spec.value);
  if (!resolved.ok) {
    const message = `the spec cannot be accepted by Environment ${environmentName}:\n${describeIssues(resolved.issues)}`;
    finalize(
      draft,
      release,
      { reason: "SpecNotAccepted", message, kind: "stalled" },
      { inputs: [notAdmitted("SpecNotAccepted", message)], absent: [] },
      undefined,
    );
    return result(draft);
  }
  const settings = resolved.value;
  const decisions = refuseUnsupportedStrategy(asked, settings);
  logDecisions(draft, decisions);

  const holder = environment.status.activeRelease;
  if (draft.phase === "Pending") {
    if (holder !== name) {
      const queue = environment.status.queue ?? [];
      const position = queue.indexOf(name);
      const message =
        holder === undefined
          ? `waiting for Environment ${environmentName} to admit this release`
          : `Environment ${environmentName} is held by Release ${holder}${position >= 0 ? `; this release is number ${position + 1} in line` : ""}`;
      const reason = holder === undefined ? "WaitingForAdmission" : "EnvironmentBusy";
      finalize(
        draft,
        release,
        { reason, message, kind: "progressing" },
        { inputs: [notAdmitted(reason, message)], absent: [] },
        decisions,
      );
      return result(draft);
    }
    draft.status.previousVersion ??= environment.status.currentVersion;
    const target = spec.value.rollbackTarget ?? environment.status.currentVersion;
    if (target !== undefined) draft.status.rollbackTarget ??= target;
    if (draft.status.previousVersion === undefined) delete draft.status.previousVersion;
    draft.enter("PreReleaseGate", "Succeeded", `admitted to Environment ${environmentName}`);
  }
  const admitted: ConditionInput = {
    type: "Admitted",
    status: "True",
    reason: "HoldsEnvironment",
    message: `this release holds Environment ${environmentName}`,
  };

  const standing = advance(draft, world, settings, decisions);
  finalize(
    draft,
    release,
    standing.standing,
    { inputs: [admitted, ...standing.conditions], absent: [] },
    decisions,
  );
  return result(draft);
}

interface Advance {
  standing: Standing;
  conditions: ConditionInput[];
}

/** Walks the phases as far as they go in this reconcile. */
function advance(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  decisions: Decisions,
): Advance {
  const gateCondition: ConditionInput[] = [];
  for (;;) {
    switch (draft.phase) {
      case "PreReleaseGate": {
        const unfit = smokeUnfit(settings, world.release.spec.environment);
        if (unfit !== undefined) {
          draft.complete("Aborted", "Aborted", unfit);
          break;
        }
        const gate = preReleaseGate(draft, world, settings, decisions);
        gateCondition.push(gate.condition);
        if (gate.standing !== undefined) return { standing: gate.standing, conditions: gateCondition };
        break;
      }
      case "StrategySelect": {
        const chosen = strategySelect(draft, world.release, settings, decisions);
        if (chosen !== undefined) return { standing: chosen, conditions: gateCondition };
        break;
      }
      case "Execute": {
        const standing = execute(draft, world, settings, decisions);
        if (standing !== undefined) return { standing, conditions: gateCondition };
        break;
      }
      case "SmokeTest": {
        const standing = smokeTest(draft, world, settings, decisions);
        if (standing !== undefined) return { standing, conditions: gateCondition };
        break;
      }
      case "WatchWindow": {
        const standing = watchWindow(draft, world, settings, decisions);
        if (standing !== undefined) return { standing, conditions: gateCondition };
        break;
      }
      case "RollingBack":
        return { standing: rollingBack(draft, world, settings), conditions: gateCondition };
      case "Completed":
        return {
          standing: {
            reason: draft.status.verdict?.replaceAll("-", "") ?? "Completed",
            message: draft.status.reason ?? "completed",
            kind: "done",
          },
          conditions: gateCondition,
        };
      case "Pending":
      case "CommitOrRollback":
        return {
          standing: {
            reason: "PhaseNotAvailable",
            message: `phase ${draft.phase} is not handled by this operator version; the release waits`,
            kind: "progressing",
          },
          conditions: gateCondition,
        };
    }
  }
}

/** Phase 4: every smoke case once; any failure rolls back, naming the cases. */
function smokeTest(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  decisions: Decisions,
): Standing | undefined {
  if (decisions.abort !== undefined) {
    draft.rollBack(
      `abort requested (release-operator.io/abort) during the smoke tests: ${decisions.abort.reason}`,
      "Aborted",
    );
    return undefined;
  }
  const progress = smokeRun(draft, world, settings, "release", draft.phaseStartedAt);
  switch (progress.state) {
    case "running":
      return { reason: "SmokeTesting", message: progress.message, kind: "progressing" };
    case "failed":
      draft.rollBack(progress.message);
      return undefined;
    case "passed":
      draft.enter(
        "WatchWindow",
        progress.cases === 0 ? "Skipped" : "Succeeded",
        progress.cases === 0 ? "no smoke cases defined (smoke.required is false)" : progress.message,
      );
      return undefined;
  }
}

function preReleaseGate(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  decisions: Decisions,
): { condition: ConditionInput; standing?: Standing } {
  const { release } = world;
  const status = draft.status;
  if (world.probes !== undefined) {
    const probed = probedChecks(world.probes, status.rollbackTarget);
    status.gate = {
      ...status.gate,
      evaluatedAt: world.probes.at,
      checks: probed.checks,
      ...(probed.changes === undefined ? {} : { changes: probed.changes }),
    };
    const waitingOnJob = probed.checks.some(
      (entry) => entry.name === GATE_CHECKS.rollbackScript && entry.status === "Waiting",
    );
    const path = settings.environment.deploy.script.path;
    if (waitingOnJob && world.scriptJob === undefined && path !== undefined) {
      draft.actions.push({
        kind: "create-job",
        purpose: "rollback-check",
        job: rollbackCheckJob(release, settings, path),
      });
    }
  }
  const permission = startPermission(
    settings.environment.changeWindows,
    settings.environment.blackouts,
    draft.now,
  );
  const evaluation = evaluateGate({
    release: refOf(release),
    environment: release.spec.environment,
    version: release.spec.version,
    ...(release.spec.revision === undefined ? {} : { revision: release.spec.revision }),
    ...(status.rollbackTarget === undefined ? {} : { rollbackTarget: status.rollbackTarget }),
    settings,
    persisted: status.gate,
    scriptJob: world.scriptJob,
    decisions,
    permission,
  });
  if (status.gate !== undefined) status.gate = evaluation.summary;

  const condition = (reason: string, ok: boolean): ConditionInput => ({
    type: "GatePassed",
    status: ok ? "True" : "False",
    reason,
    message: evaluation.message,
  });
  switch (evaluation.state) {
    case "evaluating":
      // Probes run at the start of the next reconcile; a Job's result arrives through its watch.
      if (status.gate?.evaluatedAt === undefined) draft.requeueNoLaterThan(draft.now);
      return {
        condition: condition("Evaluating", false),
        standing: { reason: "GateEvaluating", message: evaluation.message, kind: "progressing" },
      };
    case "blocked": {
      const retry = nextProbeAt(status.gate, world.gateRecheckIntervalMs);
      if (retry !== undefined) draft.requeueNoLaterThan(retry);
      if (evaluation.pending !== undefined) draft.ask(evaluation.pending);
      return {
        condition: condition("Blocked", false),
        standing: {
          reason: "GateBlocked",
          message: evaluation.message,
          kind: evaluation.pending === undefined ? "progressing" : "human",
          warning: true,
        },
      };
    }
    case "awaiting-approval":
      if (evaluation.pending !== undefined) draft.ask(evaluation.pending);
      return {
        condition: condition("AwaitingApproval", false),
        standing: { reason: "AwaitingApproval", message: evaluation.message, kind: "human" },
      };
    case "waiting-for-window": {
      if (evaluation.recheckAt !== undefined) draft.requeueNoLaterThan(evaluation.recheckAt);
      const reason =
        !permission.allowed && permission.reason === "blackout" ? "Blackout" : "OutsideChangeWindow";
      return {
        condition: condition(reason, false),
        standing: { reason, message: evaluation.message, kind: "progressing" },
      };
    }
    case "passed":
      draft.enter("StrategySelect", evaluation.overridden ? "Overridden" : "Succeeded", evaluation.message);
      return { condition: condition(evaluation.overridden ? "Overridden" : "Passed", true) };
  }
}

function strategySelect(
  draft: Draft,
  release: Release,
  settings: ReleaseSettings,
  decisions: Decisions,
): Standing | undefined {
  const environment = settings.environment;
  const recommendation = recommendStrategy(
    environment.strategies,
    environment.defaultStrategy,
    draft.status.gate?.changes,
  );
  const answer = chooseStrategy({
    recommendation,
    supported: environment.strategies,
    preset: settings.presetStrategy,
    decided: decisions.strategy?.strategy,
    autoSelect: environment.autoSelectStrategy,
  });
  draft.status.strategy = answer.choice;
  if (answer.chosen) {
    const { chosen, source } = answer.choice;
    const by =
      source === "spec"
        ? "spec.strategy"
        : source === "decision"
          ? "the strategy decision"
          : "auto-selection";
    draft.enter(
      "Execute",
      "Succeeded",
      `strategy ${chosen ?? "?"} chosen by ${by} (recommended: ${recommendation.strategy}, ${recommendation.reason})`,
    );
    return undefined;
  }
  const ref = refOf(release);
  draft.ask({
    kind: "strategy",
    question: `Which strategy? Recommended: ${recommendation.strategy} (${recommendation.reason}).`,
    commands: [
      ...answer.waitingFor.map((strategy) => strategyCommand(ref, strategy)),
      abortCommand(ref),
    ].slice(0, 8),
  });
  return {
    reason: "AwaitingStrategy",
    message: `waiting for a strategy choice; recommended: ${recommendation.strategy} (${recommendation.reason})`,
    kind: "human",
  };
}
