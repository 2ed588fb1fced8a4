// The Argo CD health check the chart ships for Release objects, run in a real Lua interpreter in a
// sandbox shaped like Argo CD's: on statuses written by hand (every phase, every wait for a person,
// every verdict, odd and missing fields) and on statuses the operator's own decision code writes.
// Also: the docs' argocd-cm snippet and the chart's optional ConfigMap carry exactly the chart's file.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  API_VERSION,
  type Condition,
  type EnvironmentSpec,
  type PendingDecision,
  type ReleasePhase,
  type ReleaseStatus,
  type Verdict,
} from "../../src/api/v1alpha1/index.js";
import { decideRelease, type ReleaseWorld } from "../../src/release/decide.js";
import {
  annotated,
  criterion,
  environmentSpec,
  heldBy,
  probeResults,
  productionSpec,
  releaseObject,
  withStatus,
} from "../support/releases.js";
import { atGate, next, withReading, worldOf } from "../support/worlds.js";
import {
  assessHealth,
  ensureLua,
  HEALTH_CHECK_KEY,
  HEALTH_CHECK_PATH,
  lua51Violations,
  luaLiteral,
  type Health,
} from "./argocd-health-lua.js";
import { chartDir, findHelm, renderHelm, repoRoot, type Manifest } from "./render.js";

const NAME = "nav-1-4-2";
const AT = "2026-11-25T10:00:00Z";

beforeAll(ensureLua);

// ---- Statuses written by hand, in the shapes the operator writes them ----

function releaseWith(status?: unknown, generation = 1): unknown {
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    metadata: { name: NAME, namespace: "nav", generation },
    spec: { environment: "nav-prod", version: "1.4.2" },
    ...(status === undefined ? {} : { status }),
  };
}

const condition = (
  type: string,
  status: Condition["status"],
  reason: string,
  message: string,
): Condition => ({
  type,
  status,
  observedGeneration: 1,
  lastTransitionTime: AT,
  reason,
  message,
});

/** A release the operator works on: Ready=False and Reconciling=True, the standing's message as the reason. */
function working(phase: ReleasePhase, reason: string, message: string): ReleaseStatus {
  return {
    observedGeneration: 1,
    phase,
    reason: message,
    conditions: [
      condition("Ready", "False", reason, message),
      condition("Reconciling", "True", reason, message),
    ],
  };
}

/** A release waiting for a person: as `working`, with the question in status.pendingDecision. */
function waitingFor(
  phase: ReleasePhase,
  reason: string,
  message: string,
  pending: Omit<PendingDecision, "since">,
): ReleaseStatus {
  return { ...working(phase, reason, message), pendingDecision: { ...pending, since: AT } };
}

/** A completed release: Ready=True on success, Ready=False and Stalled=True otherwise. */
function ended(verdict: Verdict, reason: string): ReleaseStatus {
  const conditionReason = verdict.replaceAll("-", "");
  const success = verdict === "Released" || verdict === "Released-with-override";
  return {
    observedGeneration: 1,
    phase: "Completed",
    verdict,
    reason,
    completedAt: AT,
    conditions: success
      ? [condition("Ready", "True", conditionReason, reason)]
      : [
          condition("Ready", "False", conditionReason, reason),
          condition("Stalled", "True", conditionReason, reason),
        ],
  };
}

/** A release that cannot go on until a spec changes: Stalled=True, no verdict. */
function stalledBy(reason: string, message: string): ReleaseStatus {
  return {
    observedGeneration: 1,
    phase: "Pending",
    reason: message,
    conditions: [condition("Ready", "False", reason, message), condition("Stalled", "True", reason, message)],
  };
}

const annotate = (value: string): string => `kubectl annotate release ${NAME} -n nav ${value}`;
const ABORT = annotate("'release-operator.io/abort=<reason>'");

const ROLLBACK_CHAIN =
  "deploy script failure: exit code 1 on node onboard -> rolled back to 1.4.1 (deploy.sh --rollback exited 0 on node onboard) -> smoke tests passed (2 of 2) -> mini watch window of 5m on 1.4.1 passed (5 intervals, no hard breach)";
const TAKEOVER_CHAIN =
  "deploy script failure: exit code 1 on node onboard -> deploy.sh --rollback exited 2 on node onboard -> the target is in an unknown state: a human must take over; no further deploy is run";
const CHECKLIST_QUESTION =
  "Manual deploy of 1.4.2: carry out the checklist, then answer.\n1. Copy the build to the vessel\n2. Restart the chart plotter";
// Every kind of byte a Lua literal must escape, and a digit right after an escaped byte.
const AWKWARD =
  'Released: "quoted" \\back\\slash\\ ]] [[ \n\ttab\r\u0000nul \u000123 — ünïcödé 🚀 \\u0041 %s %d $HOME';

interface HealthCase {
  situation: string;
  release: unknown;
  health: Health;
}

describe("the health check on hand-written statuses", () => {
  it.each<HealthCase>([
    {
      situation: "just applied: no status yet",
      release: releaseWith(),
      health: {
        status: "Progressing",
        message: "Waiting for the operator to pick the release up (no status yet)",
      },
    },
    {
      situation: "an empty status",
      release: releaseWith({}),
      health: {
        status: "Progressing",
        message: "Waiting for the operator to pick the release up (no status yet)",
      },
    },
    {
      situation: "the status is of generation 1 and the spec of generation 2: even a verdict is not read",
      release: releaseWith(ended("Released", "Released: 1.4.2 watched for 1h"), 2),
      health: {
        status: "Progressing",
        message: "Waiting for the operator to observe generation 2 (the status is of generation 1)",
      },
    },
  ])("waiting for the operator: $situation", async ({ release, health }) => {
    expect(await assessHealth(release)).toEqual(health);
  });

  it.each<{ phase: ReleasePhase; reason: string; message: string }>([
    {
      phase: "Pending",
      reason: "EnvironmentBusy",
      message: "Environment nav-prod is held by Release nav-1-4-1; this release is number 1 in line",
    },
    {
      phase: "Pending",
      reason: "EnvironmentNotFound",
      message: "Environment nav-prod not found in namespace nav; the release starts when it exists",
    },
    {
      phase: "PreReleaseGate",
      reason: "GateEvaluating",
      message: "running the gate's checks (acceptance, changes, rollback readiness, observability)",
    },
    {
      phase: "PreReleaseGate",
      reason: "GateBlocked",
      message: "blocked: rollback image registry.example.com/nav/app:1.4.1 is not pullable (HEAD 404)",
    },
    {
      phase: "PreReleaseGate",
      reason: "OutsideChangeWindow",
      message:
        "approved; outside the change window (Mon-Fri 08:00-16:00 Europe/Oslo); it opens at 2026-11-26T07:00:00Z",
    },
    { phase: "Execute", reason: "CheckingEnvironment", message: "checking the deploy's environment" },
    {
      phase: "Execute",
      reason: "Deploying",
      message: "deploy.sh 1.4.2 runs in Job nav-1-4-2-deploy on node onboard",
    },
    { phase: "SmokeTest", reason: "SmokeTesting", message: "smoke tests: 1 of 2 passed, 1 running" },
    { phase: "WatchWindow", reason: "ReadingBaseline", message: "reading the pre-deploy baseline" },
    { phase: "WatchWindow", reason: "Watching", message: "T+12m of 60m: error-rate 1.1x baseline" },
    {
      phase: "CommitOrRollback",
      reason: "PhaseNotAvailable",
      message: "phase CommitOrRollback is not handled by this operator version; the release waits",
    },
    {
      phase: "RollingBack",
      reason: "RollingBack",
      message:
        "deploy script failure: exit code 1 on node onboard; deploy.sh --rollback 1.4.1 runs in Job nav-1-4-2-rollback",
    },
  ])("Progressing in $phase ($reason): the phase and the reason", async ({ phase, reason, message }) => {
    expect(await assessHealth(releaseWith(working(phase, reason, message)))).toEqual({
      status: "Progressing",
      message: `${phase}: ${message}`,
    });
  });

  it.each<HealthCase>([
    {
      situation: "the gate's approval",
      release: releaseWith(
        waitingFor("PreReleaseGate", "AwaitingApproval", "awaiting approval: 0 of 1", {
          kind: "gate",
          question: "Release 1.4.2 to nav-prod? Read status.gate.text, then proceed or abort.",
          commands: [annotate("approved=true"), annotate("approved=false")],
        }),
      ),
      health: {
        status: "Suspended",
        message: `Waiting for a decision (gate): Release 1.4.2 to nav-prod? Read status.gate.text, then proceed or abort. Answer with one of: ${annotate("approved=true")}; ${annotate("approved=false")}`,
      },
    },
    {
      situation: "two approvers",
      release: releaseWith(
        waitingFor("PreReleaseGate", "AwaitingApproval", "awaiting approval: 1 of 2 (alice)", {
          kind: "approval",
          question:
            "Release 1.4.2 to nav-prod? 1 of 2 approvals (alice); each approver annotates with their own user name.",
          commands: [
            annotate("'approval.release-operator.io/<your-user-name>=approved'"),
            annotate("approved=false"),
          ],
        }),
      ),
      health: {
        status: "Suspended",
        message: `Waiting for a decision (approval): Release 1.4.2 to nav-prod? 1 of 2 approvals (alice); each approver annotates with their own user name. Answer with one of: ${annotate("'approval.release-operator.io/<your-user-name>=approved'")}; ${annotate("approved=false")}`,
      },
    },
    {
      situation:
        "an unmet critical criterion: override or abort (the gate is blocked, and a person can unblock it)",
      release: releaseWith(
        waitingFor("PreReleaseGate", "GateBlocked", "blocked: acceptance: AC-1 failed", {
          kind: "override",
          question: "A critical acceptance criterion is unmet. Ship anyway with a recorded reason, or abort?",
          commands: [annotate("'release-operator.io/override-reason=<why it ships anyway>'"), ABORT],
        }),
      ),
      health: {
        status: "Suspended",
        message: `Waiting for a decision (override): A critical acceptance criterion is unmet. Ship anyway with a recorded reason, or abort? Answer with one of: ${annotate("'release-operator.io/override-reason=<why it ships anyway>'")}; ${ABORT}`,
      },
    },
    {
      situation: "the strategy",
      release: releaseWith(
        waitingFor(
          "StrategySelect",
          "AwaitingStrategy",
          "waiting for a strategy choice; recommended: canary",
          {
            kind: "strategy",
            question: "Which strategy? Recommended: canary (breaking change in geo).",
            commands: [annotate("release-operator.io/strategy=canary"), ABORT],
          },
        ),
      ),
      health: {
        status: "Suspended",
        message: `Waiting for a decision (strategy): Which strategy? Recommended: canary (breaking change in geo). Answer with one of: ${annotate("release-operator.io/strategy=canary")}; ${ABORT}`,
      },
    },
    {
      situation: "the result of a manual deploy (a question over several lines)",
      release: releaseWith(
        waitingFor("Execute", "AwaitingManualDeploy", "waiting for the manual deploy of 1.4.2: 2 steps", {
          kind: "manual-result",
          question: CHECKLIST_QUESTION,
          commands: [
            annotate("release-operator.io/manual-result=done"),
            annotate("release-operator.io/manual-result=failed"),
          ],
        }),
      ),
      health: {
        status: "Suspended",
        message: `Waiting for a decision (manual-result): ${CHECKLIST_QUESTION} Answer with one of: ${annotate("release-operator.io/manual-result=done")}; ${annotate("release-operator.io/manual-result=failed")}`,
      },
    },
    {
      situation: "a soft breach in the watch window",
      release: releaseWith(
        waitingFor("WatchWindow", "AwaitingEscalation", "Soft breach: error-rate at 1.7x baseline at T+9m.", {
          kind: "escalation",
          question:
            "Soft breach: error-rate at 1.7x baseline at T+9m. Continue the watch, roll back, or extend the window?",
          commands: [
            annotate("release-operator.io/escalation=continue"),
            annotate("release-operator.io/escalation=rollback"),
          ],
        }),
      ),
      health: {
        status: "Suspended",
        message: `Waiting for a decision (escalation): Soft breach: error-rate at 1.7x baseline at T+9m. Continue the watch, roll back, or extend the window? Answer with one of: ${annotate("release-operator.io/escalation=continue")}; ${annotate("release-operator.io/escalation=rollback")}`,
      },
    },
    {
      situation: "no pendingDecision, but Reconciling says the operator waits for a person",
      release: releaseWith(
        working("WatchWindow", "AwaitingEscalation", "Soft breach: error-rate at 1.7x baseline."),
      ),
      health: {
        status: "Suspended",
        message: "Waiting for a decision: Soft breach: error-rate at 1.7x baseline.",
      },
    },
    {
      situation: "a pendingDecision that is plain text",
      release: releaseWith({
        ...working("PreReleaseGate", "AwaitingApproval", "awaiting approval"),
        pendingDecision: "approve with kubectl annotate release nav-1-4-2 approved=true",
      }),
      health: {
        status: "Suspended",
        message: "Waiting for a decision: approve with kubectl annotate release nav-1-4-2 approved=true",
      },
    },
    {
      situation: "a pendingDecision with a message instead of a question",
      release: releaseWith({ observedGeneration: 1, pendingDecision: { message: "approve it" } }),
      health: { status: "Suspended", message: "Waiting for a decision: approve it" },
    },
    {
      situation: "a pendingDecision without a question, its commands partly not text",
      release: releaseWith({
        observedGeneration: 1,
        phase: "PreReleaseGate",
        pendingDecision: { kind: "gate", commands: [3, "", { run: "x" }, annotate("approved=true")] },
      }),
      health: {
        status: "Suspended",
        message: `Waiting for a decision (gate): see status.pendingDecision. Answer with one of: ${annotate("approved=true")}`,
      },
    },
  ])("Suspended, waiting for a person: $situation", async ({ release, health }) => {
    expect(await assessHealth(release)).toEqual(health);
  });

  it.each<HealthCase>([
    {
      situation: "Released",
      release: releaseWith(ended("Released", "Released: 1.4.2 watched for 1h, 60 intervals, no hard breach")),
      health: { status: "Healthy", message: "Released: 1.4.2 watched for 1h, 60 intervals, no hard breach" },
    },
    {
      situation: "Released-with-override",
      release: releaseWith(
        ended(
          "Released-with-override",
          "Released-with-override: the watch window was skipped (release-operator.io/skip-watch): hotfix; an incident retrospective is due",
        ),
      ),
      health: {
        status: "Healthy",
        message:
          "Released-with-override: the watch window was skipped (release-operator.io/skip-watch): hotfix; an incident retrospective is due",
      },
    },
    {
      situation: "Released without a reason",
      release: releaseWith({ observedGeneration: 1, phase: "Completed", verdict: "Released" }),
      health: { status: "Healthy", message: "Released" },
    },
    {
      situation: "a verdict this check does not know, with Ready=True",
      release: releaseWith({
        ...ended("Released", "promoted to the fleet"),
        verdict: "Promoted",
      }),
      health: { status: "Healthy", message: "Promoted: promoted to the fleet" },
    },
  ])("Healthy: $situation", async ({ release, health }) => {
    expect(await assessHealth(release)).toEqual(health);
  });

  it.each<HealthCase>([
    {
      situation: "Rolled-Back: the verdict before the reason chain",
      release: releaseWith(ended("Rolled-Back", ROLLBACK_CHAIN)),
      health: { status: "Degraded", message: `Rolled-Back: ${ROLLBACK_CHAIN}` },
    },
    {
      situation: "Rollback-Failed: the verdict before the reason chain",
      release: releaseWith(ended("Rollback-Failed", TAKEOVER_CHAIN)),
      health: { status: "Degraded", message: `Rollback-Failed: ${TAKEOVER_CHAIN}` },
    },
    {
      situation: "Aborted: its reason already names it",
      release: releaseWith(
        ended(
          "Aborted",
          "Aborted at PreReleaseGate: the gate was answered with approved=false; nothing was deployed",
        ),
      ),
      health: {
        status: "Degraded",
        message: "Aborted at PreReleaseGate: the gate was answered with approved=false; nothing was deployed",
      },
    },
    {
      situation: "Aborted without a reason",
      release: releaseWith({ observedGeneration: 1, phase: "Completed", verdict: "Aborted" }),
      health: { status: "Degraded", message: "Aborted" },
    },
    {
      situation: "a verdict this check does not know, with Ready=False",
      release: releaseWith({ ...ended("Aborted", "replaced by nav-1-4-3"), verdict: "Superseded" }),
      health: { status: "Degraded", message: "Superseded: replaced by nav-1-4-3" },
    },
    {
      situation: "Stalled without a verdict: the Release's spec is invalid",
      release: releaseWith(
        stalledBy("InvalidSpec", "the spec cannot be accepted:\nspec.version: not a version"),
      ),
      health: {
        status: "Degraded",
        message: "InvalidSpec: the spec cannot be accepted:\nspec.version: not a version",
      },
    },
    {
      situation: "Stalled without a verdict: the Environment does not accept the spec",
      release: releaseWith(
        stalledBy(
          "SpecNotAccepted",
          "the spec cannot be accepted by Environment nav-prod:\nspec.strategy: valid: all-at-once",
        ),
      ),
      health: {
        status: "Degraded",
        message:
          "SpecNotAccepted: the spec cannot be accepted by Environment nav-prod:\nspec.strategy: valid: all-at-once",
      },
    },
    {
      situation: "Stalled without a message: the release's reason",
      release: releaseWith({
        observedGeneration: 1,
        phase: "Pending",
        reason: "Environment nav-prod has an invalid spec",
        conditions: [{ type: "Stalled", status: "True", reason: "EnvironmentInvalid" }],
      }),
      health: { status: "Degraded", message: "EnvironmentInvalid: Environment nav-prod has an invalid spec" },
    },
    {
      situation: "Stalled with nothing else said",
      release: releaseWith({ conditions: [{ type: "Stalled", status: "True" }] }),
      health: { status: "Degraded", message: "Stalled" },
    },
  ])("Degraded: $situation", async ({ release, health }) => {
    expect(await assessHealth(release)).toEqual(health);
  });

  it.each<HealthCase>([
    {
      situation: "conditions is a map, not a list: not read",
      release: releaseWith({
        observedGeneration: 1,
        phase: "Execute",
        reason: "deploying",
        conditions: { Stalled: { type: "Stalled", status: "True" } },
      }),
      health: { status: "Progressing", message: "Execute: deploying" },
    },
    {
      situation: "conditions is text",
      release: releaseWith({
        observedGeneration: 1,
        phase: "Execute",
        reason: "deploying",
        conditions: "Stalled",
      }),
      health: { status: "Progressing", message: "Execute: deploying" },
    },
    {
      situation: "entries of the conditions that are not conditions are passed over",
      release: releaseWith({
        observedGeneration: 1,
        conditions: [
          "Stalled",
          3,
          true,
          { type: "Stalled", status: "True", reason: "InvalidSpec", message: "bad" },
        ],
      }),
      health: { status: "Degraded", message: "InvalidSpec: bad" },
    },
    {
      situation: "a condition whose status is a boolean, not the text True",
      release: releaseWith({
        observedGeneration: 1,
        phase: "Execute",
        reason: "deploying",
        conditions: [{ type: "Stalled", status: true, reason: "InvalidSpec", message: "bad" }],
      }),
      health: { status: "Progressing", message: "Execute: deploying" },
    },
    {
      situation: "the status is text",
      release: releaseWith("Released"),
      health: {
        status: "Progressing",
        message: "Waiting for the operator to pick the release up (no status yet)",
      },
    },
    {
      situation: "the status is a list",
      release: releaseWith(["Released"]),
      health: { status: "Progressing", message: "Pending" },
    },
    {
      situation: "no metadata; generations as text are not compared",
      release: {
        kind: "Release",
        status: { ...ended("Released", "Released: 1.4.2"), observedGeneration: "1" },
      },
      health: { status: "Healthy", message: "Released: 1.4.2" },
    },
    {
      situation: "a generation without observedGeneration is not compared",
      release: releaseWith({ phase: "SmokeTest", reason: "smoke tests: 1 of 2 passed" }, 3),
      health: { status: "Progressing", message: "SmokeTest: smoke tests: 1 of 2 passed" },
    },
    {
      situation: "verdict, reason and phase of the wrong types",
      release: releaseWith({ observedGeneration: 1, verdict: 7, reason: { text: "x" }, phase: 3 }),
      health: { status: "Progressing", message: "Pending" },
    },
    {
      situation: "an empty pendingDecision text is not a wait",
      release: releaseWith({
        observedGeneration: 1,
        phase: "Execute",
        reason: "deploying",
        pendingDecision: "",
      }),
      health: { status: "Progressing", message: "Execute: deploying" },
    },
    {
      situation: "no reason: the Reconciling message",
      release: releaseWith({
        observedGeneration: 1,
        phase: "WatchWindow",
        conditions: [condition("Reconciling", "True", "Watching", "T+3m of 15m")],
      }),
      health: { status: "Progressing", message: "WatchWindow: T+3m of 15m" },
    },
    {
      situation: "no object at all",
      release: null,
      health: { status: "Unknown", message: "No Release to assess" },
    },
    {
      situation: "every awkward character in the reason reaches the message unchanged",
      release: releaseWith(ended("Released", AWKWARD)),
      health: { status: "Healthy", message: AWKWARD },
    },
  ])("never fails on odd fields: $situation", async ({ release, health }) => {
    expect(await assessHealth(release)).toEqual(health);
  });
});

// ---- Statuses the operator's decision code writes ----

const manualSpec: EnvironmentSpec = environmentSpec({
  strategies: ["manual"],
  deploy: {
    ...environmentSpec().deploy,
    manualChecklist: ["Copy the build to the vessel", "Restart the chart plotter"],
  },
});

interface DecidedCase {
  situation: string;
  world: () => ReleaseWorld;
  /** What the decided status must show, so the case cannot drift into another situation unnoticed. */
  standing: { reconciling?: string; stalled?: string; pending?: PendingDecision["kind"]; verdict?: Verdict };
  status: string;
}

describe("the health check on statuses decideRelease writes", () => {
  it.each<DecidedCase>([
    {
      situation: "another release holds the Environment",
      world: () => worldOf(releaseObject(), heldBy("nav-1-4-1")),
      standing: { reconciling: "EnvironmentBusy" },
      status: "Progressing",
    },
    {
      situation: "the gate runs its checks",
      world: () => worldOf(),
      standing: { reconciling: "GateEvaluating" },
      status: "Progressing",
    },
    {
      situation: "a production gate waits for its approval",
      world: () => atGate({ environment: heldBy(NAME, { spec: productionSpec() }) }),
      standing: { reconciling: "AwaitingApproval", pending: "gate" },
      status: "Suspended",
    },
    {
      situation: "two approvers are needed",
      world: () =>
        atGate({
          environment: heldBy(NAME, { spec: productionSpec({ approval: { required: true, count: 2 } }) }),
        }),
      standing: { reconciling: "AwaitingApproval", pending: "approval" },
      status: "Suspended",
    },
    {
      situation: "a critical criterion is unmet: override or abort",
      world: () =>
        atGate({
          probes: probeResults({ acceptance: { ok: true, value: [criterion("AC-1", { met: false })] } }),
        }),
      standing: { reconciling: "GateBlocked", pending: "override" },
      status: "Suspended",
    },
    {
      situation: "the strategy is not chosen by itself",
      world: () =>
        next(
          atGate({
            environment: heldBy(NAME, {
              spec: environmentSpec({ strategies: ["all-at-once", "canary"], autoSelectStrategy: false }),
            }),
          }),
        ),
      standing: { reconciling: "AwaitingStrategy", pending: "strategy" },
      status: "Suspended",
    },
    {
      situation: "a manual deploy waits for its result",
      world: () =>
        withReading(next(atGate({ environment: heldBy(NAME, { spec: manualSpec }) })), {
          "error-rate": 0.01,
        }),
      standing: { reconciling: "AwaitingManualDeploy", pending: "manual-result" },
      status: "Suspended",
    },
    {
      situation: "the Environment's spec is invalid",
      world: () =>
        worldOf(releaseObject(), {
          kind: "invalid",
          name: "nav-staging",
          issues: "spec.watch.metrics: must not be empty",
        }),
      standing: { stalled: "EnvironmentInvalid" },
      status: "Degraded",
    },
    {
      situation: "the Release's spec is invalid",
      world: () => worldOf(releaseObject({ spec: { version: "1.4.2 final" } })),
      standing: { stalled: "InvalidSpec" },
      status: "Degraded",
    },
    {
      situation: "aborted at the gate by annotation",
      world: () => {
        const gate = next(atGate({ environment: heldBy(NAME, { spec: productionSpec() }) }));
        return { ...gate, release: annotated(gate.release, { approved: "false" }) };
      },
      standing: { stalled: "Aborted", verdict: "Aborted" },
      status: "Degraded",
    },
  ])("$situation: $status", async ({ world, standing, status }) => {
    const before = world();
    const decided = decideRelease(before).status;
    const reasonOf = (type: string) =>
      decided.conditions?.find((entry) => entry.type === type && entry.status === "True")?.reason;
    expect({
      reconciling: reasonOf("Reconciling"),
      stalled: reasonOf("Stalled"),
      pending: decided.pendingDecision?.kind,
      verdict: decided.verdict,
    }).toEqual({
      reconciling: undefined,
      stalled: undefined,
      pending: undefined,
      verdict: undefined,
      ...standing,
    });

    const health = await assessHealth(withStatus(before.release, decided));
    expect(health.status).toBe(status);
    // The message carries what a person needs: the question and every answer, or the reason.
    const pending = decided.pendingDecision;
    const expectedParts =
      pending === undefined
        ? [decided.reason ?? ""]
        : [pending.question, ...pending.commands].filter((part) => part !== "");
    for (const part of expectedParts) expect(health.message).toContain(part);
  });
});

// ---- The sandbox and the Lua the check may use ----

describe("the sandbox rejects what Argo CD would", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "release-operator-argocd-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    {
      situation: "the string library",
      check: 'return { status = string.upper("healthy") }',
      error: /global 'string'/,
    },
    {
      situation: "a method of a string",
      check: 'return { status = ("healthy"):upper() }',
      error: /index a string value/,
    },
    {
      situation: "the math library",
      check: "return { status = tostring(math.max(1, 2)) }",
      error: /global 'math'/,
    },
    { situation: "the os library", check: "return { status = os.date() }", error: /global 'os'/ },
    { situation: "no table returned", check: "local hs = {}", error: /returned a nil, not a table/ },
    {
      situation: "a status that is not text",
      check: "return { status = 1, message = 'x' }",
      error: /status of Lua type number/,
    },
    { situation: "no message", check: "return { status = 'Healthy' }", error: /message of Lua type nil/ },
    {
      situation: "a status Argo CD does not know",
      check: "return { status = 'Waiting', message = 'x' }",
      error: /status "Waiting", which Argo CD shows as Unknown/,
    },
    { situation: "a syntax error", check: "return {", error: /does not parse/ },
  ])("$situation", async ({ check, error }) => {
    const path = join(dir, "check.lua");
    await writeFile(path, check);
    await expect(assessHealth(releaseWith(), path)).rejects.toThrow(error);
  });
});

describe("the check's Lua", () => {
  it("uses only Lua 5.1 syntax and what Argo CD's sandbox opens for a health check", async () => {
    expect(lua51Violations(await readFile(HEALTH_CHECK_PATH, "utf8"))).toEqual([]);
  });

  it.each([
    { source: 'local x = string.format("%d", 1)', violation: "the string library" },
    { source: "local x = s:upper()", violation: "a method call or a label" },
    { source: "::again:: goto again", violation: "goto (Lua 5.2)" },
    { source: "local x = 7 // 2", violation: "integer division or bitwise operators (Lua 5.3)" },
    { source: "local x <const> = 1", violation: "variable attributes (Lua 5.4)" },
    { source: "local f = require('json')", violation: "loading code" },
  ])("flags $violation", ({ source, violation }) => {
    expect(lua51Violations(source)).toContain(violation);
  });

  it.each([
    {
      source: '-- string.format in a comment, a:b() too\nlocal x = "string.format(a:b) // goto"',
      clean: true,
    },
    { source: "if a ~= b then return end", clean: true },
  ])("leaves comments, strings and ~= alone: $source", ({ source }) => {
    expect(lua51Violations(source)).toEqual([]);
  });

  it.each([
    { value: { a: [1, "x", true, null] }, literal: '{["a"] = {1, "x", true, nil}}' },
    { value: 'say "hi"\n', literal: '"say \\034hi\\034\\010"' },
    { value: "é1", literal: '"\\195\\1691"' },
    { value: -2.5e-7, literal: "-2.5e-7" },
  ])("luaLiteral($value)", ({ value, literal }) => {
    expect(luaLiteral(value)).toBe(literal);
  });

  it("luaLiteral refuses what JSON cannot hold, naming where", () => {
    expect(() => luaLiteral({ a: [1, Number.NaN] })).toThrow("$.a[1]: NaN has no JSON form");
    expect(() => luaLiteral({ f: () => 1 })).toThrow("$.f: a function has no JSON form");
  });
});

// ---- Shipped the same way everywhere ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `data` of a ConfigMap, each value as text. */
function configMapData(object: unknown, where: string): Record<string, string> {
  if (!isRecord(object) || object.kind !== "ConfigMap" || !isRecord(object.data)) {
    throw new Error(`${where} is not a ConfigMap with data`);
  }
  return Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, String(value)]));
}

describe("the check as docs/argocd.md and the chart ship it", { timeout: 30_000 }, () => {
  let shipped: string;
  beforeAll(async () => {
    shipped = await readFile(HEALTH_CHECK_PATH, "utf8");
  });

  it("docs/argocd.md's argocd-cm snippet carries the chart's file, byte for byte", async () => {
    const markdown = await readFile(join(repoRoot, "docs/argocd.md"), "utf8");
    const snippets = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? "")
      .filter((block) => block.includes(HEALTH_CHECK_KEY));
    expect(snippets, "docs/argocd.md has one yaml block with the argocd-cm key").toHaveLength(1);
    const configMap: unknown = parse(snippets[0] ?? "");
    expect(isRecord(configMap) && isRecord(configMap.metadata) ? configMap.metadata.name : undefined).toBe(
      "argocd-cm",
    );
    expect(
      configMapData(configMap, "the docs' snippet")[HEALTH_CHECK_KEY],
      `docs/argocd.md is stale: paste ${HEALTH_CHECK_PATH} into its argocd-cm snippet, indented by 4 spaces`,
    ).toBe(shipped);
  });

  describe("helm", () => {
    let helm: string;
    beforeAll(async () => {
      helm = await findHelm();
    });

    const healthConfigMaps = (manifests: Manifest[]) =>
      manifests.filter(
        (manifest) => manifest.kind === "ConfigMap" && manifest.metadata.name.endsWith("-argocd-health"),
      );

    it("renders no ConfigMap for it by default", async () => {
      expect(healthConfigMaps((await renderHelm(helm, "release-operator")).manifests)).toEqual([]);
    });

    it.each([
      { release: "release-operator", name: "release-operator-argocd-health" },
      { release: "t", name: "t-release-operator-argocd-health" },
    ])(
      "argocd.healthCheck.enabled=true renders ConfigMap $name with the file under the argocd-cm key",
      async ({ release, name }) => {
        const rendered = await renderHelm(helm, release, { "argocd.healthCheck.enabled": "true" });
        expect(rendered.stderr).toBe("");
        const found = healthConfigMaps(rendered.manifests);
        expect(
          found.map((manifest) => `${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`),
        ).toEqual([`release-operator-system/${name}`]);
        expect(configMapData(found[0], name)).toEqual({ [HEALTH_CHECK_KEY]: shipped });
      },
    );

    it("helm lint --strict passes with it enabled", async () => {
      const result = await execa(
        helm,
        ["lint", "--strict", chartDir, "--set", "argocd.healthCheck.enabled=true"],
        {
          reject: false,
          all: true,
        },
      );
      expect(result.all).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(result.exitCode, result.all).toBe(0);
    });

    it("refuses a health check setting that is not a boolean", async () => {
      await expect(
        renderHelm(helm, "release-operator", { "argocd.healthCheck.enabled": "yes" }),
      ).rejects.toThrow(/argocd/);
    });
  });
});
