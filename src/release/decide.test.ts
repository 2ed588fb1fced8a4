import { describe, expect, it } from "vitest";

import type { EnvironmentSpec, ReleasePhase, ReleaseSpec, Strategy } from "../api/v1alpha1/index.js";
import {
  annotated,
  breakingFindings,
  changeFindings,
  conditionOf,
  criterion,
  environmentSpec,
  GATE_RECHECK_MS,
  heldBy,
  minutesAfter,
  NAMESPACE,
  NOW,
  probeResults,
  productionSpec,
  readyEnvironment,
  releaseObject,
} from "../../test/support/releases.js";
import { atGate, next, worldOf } from "../../test/support/worlds.js";
import { decideRelease, type EnvironmentView, type ReleaseDecision, type ReleaseWorld } from "./decide.js";
import type { GateProbeResults } from "./gate.js";

const NAME = "nav-1-4-2";
const ISO = NOW.toISOString();
const HOUR_MS = 3_600_000;

/** A staging environment that waits for a strategy decision instead of auto-selecting. */
const choosingSpec = (changes: Partial<EnvironmentSpec> = {}): EnvironmentSpec =>
  environmentSpec({
    strategies: ["all-at-once", "blue-green", "canary"],
    autoSelectStrategy: false,
    ...changes,
  });

const phaseRecords = (decision: ReleaseDecision): [ReleasePhase, string | undefined][] =>
  (decision.status.phases ?? []).map((record) => [record.phase, record.outcome]);

const check = (decision: ReleaseDecision, name: string) =>
  decision.status.gate?.checks.find((entry) => entry.name === name);

describe("decideRelease: Pending, before the environment is held", () => {
  it.each<{
    situation: string;
    environment: EnvironmentView;
    spec?: Partial<ReleaseSpec>;
    reason: string;
    stalled: boolean;
    says: string[];
  }>([
    {
      situation: "stale cache: holder is another release, this one is second in line",
      environment: heldBy("nav-1-4-1", { status: { queue: ["nav-1-4-0", NAME] } }),
      reason: "EnvironmentBusy",
      stalled: false,
      says: ["held by Release nav-1-4-1", "number 2 in line"],
    },
    {
      situation: "holder is another release and the queue does not list this one yet",
      environment: heldBy("nav-1-4-1"),
      reason: "EnvironmentBusy",
      stalled: false,
      says: ["Environment nav-staging is held by Release nav-1-4-1"],
    },
    {
      situation: "stale cache: the environment has not admitted anyone yet",
      environment: heldBy(undefined),
      reason: "WaitingForAdmission",
      stalled: false,
      says: ["waiting for Environment nav-staging to admit this release"],
    },
    {
      situation: "the Environment does not exist (yet)",
      environment: { kind: "missing", name: "nav-staging" },
      reason: "EnvironmentNotFound",
      stalled: false,
      says: ["Environment nav-staging not found in namespace nav"],
    },
    {
      situation: "the Environment's spec is invalid",
      environment: { kind: "invalid", name: "nav-staging", issues: "spec.watch.metrics: must not be empty" },
      reason: "EnvironmentInvalid",
      stalled: true,
      says: ["invalid spec", "spec.watch.metrics: must not be empty"],
    },
    {
      situation: "spec.strategy the environment does not support, even if the environment named it holder",
      environment: heldBy(NAME),
      spec: { strategy: "canary" },
      reason: "SpecNotAccepted",
      stalled: true,
      says: ["spec.strategy", "valid: all-at-once"],
    },
    {
      situation: "an override the environment does not allow",
      environment: heldBy(NAME),
      spec: { overrides: { watch: { duration: "5m" } } },
      reason: "SpecNotAccepted",
      stalled: true,
      says: ["spec.overrides.watch.duration", "it allows: no overrides"],
    },
    {
      situation: "an override outside the ones allowed, naming those that are",
      environment: heldBy(NAME, { spec: environmentSpec({ allowedOverrides: ["deploy.timeout"] }) }),
      spec: { overrides: { smoke: { timeout: "1m" } } },
      reason: "SpecNotAccepted",
      stalled: true,
      says: ["spec.overrides.smoke.timeout", "it allows: deploy.timeout"],
    },
    {
      situation: "the Release's own spec is invalid",
      environment: heldBy(NAME),
      spec: { version: "1.4.2 final" },
      reason: "InvalidSpec",
      stalled: true,
      says: ["spec.version"],
    },
  ])(
    "$situation: stays Pending with Admitted=False $reason",
    ({ environment, spec, reason, stalled, says }) => {
      const decision = decideRelease(worldOf(releaseObject(spec === undefined ? {} : { spec }), environment));
      const status = decision.status;

      expect(status.phase).toBe("Pending");
      expect(status.phases).toBeUndefined();
      expect(status.startedAt).toBe(ISO);
      expect(decision.transitions).toEqual([]);
      expect(decision.actions).toEqual([]);
      expect(status.gate).toBeUndefined();
      expect(status.pendingDecision).toBeUndefined();
      const admitted = conditionOf(status, "Admitted");
      expect(admitted).toMatchObject({
        status: "False",
        reason,
        observedGeneration: 1,
        lastTransitionTime: ISO,
      });
      const ready = conditionOf(status, "Ready");
      expect(ready).toMatchObject({ status: "False", reason });
      for (const part of says) expect(ready?.message).toContain(part);
      if (stalled) {
        expect(conditionOf(status, "Stalled")).toMatchObject({ status: "True", reason });
        expect(conditionOf(status, "Reconciling")).toBeUndefined();
      } else {
        expect(conditionOf(status, "Stalled")).toBeUndefined();
        expect(conditionOf(status, "Reconciling")).toMatchObject({ status: "True", reason });
      }
      expect(decision.events.map((event) => event.reason)).toEqual([reason]);
    },
  );

  it("an environment that comes back after being missing admits the release on the next reconcile", () => {
    const missing = worldOf(releaseObject(), { kind: "missing", name: "nav-staging" });
    const decision = decideRelease(next(missing, { environment: heldBy(NAME) }));
    expect(decision.status.phase).toBe("PreReleaseGate");
    expect(conditionOf(decision.status, "Admitted")).toMatchObject({
      status: "True",
      reason: "HoldsEnvironment",
    });
  });
});

describe("decideRelease: entering PreReleaseGate", () => {
  it.each<{
    situation: string;
    rollbackTarget?: string;
    currentVersion?: string;
    previousVersion: string | undefined;
    resolvedTarget: string | undefined;
  }>([
    {
      situation: "no rollbackTarget in the spec: the environment's currentVersion",
      currentVersion: "1.4.1",
      previousVersion: "1.4.1",
      resolvedTarget: "1.4.1",
    },
    {
      situation: "a rollbackTarget in the spec wins over currentVersion",
      rollbackTarget: "1.3.9",
      currentVersion: "1.4.1",
      previousVersion: "1.4.1",
      resolvedTarget: "1.3.9",
    },
    {
      situation: "first release to the environment: only the spec's target",
      rollbackTarget: "1.3.9",
      previousVersion: undefined,
      resolvedTarget: "1.3.9",
    },
    {
      situation: "first release and no target anywhere",
      previousVersion: undefined,
      resolvedTarget: undefined,
    },
  ])("$situation", ({ rollbackTarget, currentVersion, previousVersion, resolvedTarget }) => {
    const release = releaseObject(rollbackTarget === undefined ? {} : { spec: { rollbackTarget } });
    const environment = readyEnvironment({
      status: { activeRelease: NAME, ...(currentVersion === undefined ? {} : { currentVersion }) },
    });
    const decision = decideRelease(worldOf(release, environment));

    expect(decision.status.phase).toBe("PreReleaseGate");
    expect(decision.status.previousVersion).toBe(previousVersion);
    expect(decision.status.rollbackTarget).toBe(resolvedTarget);
    expect(decision.status.phases).toEqual([{ phase: "PreReleaseGate", startedAt: ISO }]);
    expect(decision.transitions).toEqual([{ from: "Pending", to: "PreReleaseGate" }]);
  });

  it("admitted: asks to be requeued at once for the probes and says the gate is evaluating", () => {
    const decision = decideRelease(worldOf());
    expect(decision.requeueAfterMs).toBe(0);
    expect(decision.actions).toEqual([]);
    expect(decision.status.gate).toBeUndefined();
    expect(conditionOf(decision.status, "Admitted")).toMatchObject({
      status: "True",
      reason: "HoldsEnvironment",
    });
    expect(conditionOf(decision.status, "GatePassed")).toMatchObject({
      status: "False",
      reason: "Evaluating",
    });
    expect(conditionOf(decision.status, "Reconciling")).toMatchObject({
      status: "True",
      reason: "GateEvaluating",
    });
    expect(decision.events).toEqual([
      expect.objectContaining({ type: "Normal", reason: "PreReleaseGate" }),
      expect.objectContaining({ type: "Normal", reason: "GateEvaluating" }),
    ]);
  });

  it("recorded once: a currentVersion that changes later moves neither previousVersion nor rollbackTarget", () => {
    const admitted = next(worldOf());
    const decision = decideRelease({
      ...admitted,
      environment: heldBy(NAME, { status: { currentVersion: "1.5.0" } }),
    });
    expect(decision.status.previousVersion).toBe("1.4.1");
    expect(decision.status.rollbackTarget).toBe("1.4.1");
  });
});

describe("decideRelease: PreReleaseGate with probe results", () => {
  it("every check passed on staging: the gate passes and auto-selection reaches Execute in one reconcile", () => {
    const decision = decideRelease(atGate());
    const gate = decision.status.gate;

    expect(gate?.evaluatedAt).toBe(ISO);
    expect(gate?.checks.map((entry) => [entry.name, entry.status])).toEqual([
      ["acceptance", "Passed"],
      ["changes", "Passed"],
      ["rollback-target", "Passed"],
      ["rollback-image", "Passed"],
      ["rollback-script", "Passed"],
      ["observability", "Passed"],
      ["change-window", "Passed"],
      ["approval", "Skipped"],
    ]);
    expect(gate?.blockingIssues).toEqual([]);
    expect(gate?.text).toContain("PRE-RELEASE GATE");
    expect(gate?.changes?.commits).toBe(3);
    expect(phaseRecords(decision)).toEqual([
      ["PreReleaseGate", "Succeeded"],
      ["StrategySelect", "Succeeded"],
      ["Execute", undefined],
    ]);
    expect(conditionOf(decision.status, "GatePassed")).toMatchObject({ status: "True", reason: "Passed" });
    expect(decision.completed.map((entry) => entry.phase)).toEqual(["PreReleaseGate", "StrategySelect"]);
  });

  it.each<{
    situation: string;
    probes?: Partial<GateProbeResults>;
    environment?: EnvironmentView;
    blocking: string;
  }>([
    {
      situation: "a metric query is invalid",
      probes: { observability: { ok: false, problems: ["metric error-rate: parse error at char 12"] } },
      blocking: "observability: metric error-rate: parse error at char 12",
    },
    {
      situation: "the rollback image is not pullable",
      probes: { rollbackImage: { ok: false, message: "registry.example.com/nav/app:1.4.1 not found" } },
      blocking: "rollback-image: registry.example.com/nav/app:1.4.1 not found",
    },
    {
      situation: "the deploy script has no --rollback",
      probes: { rollbackScript: { ok: false, message: "deploy script has no --rollback option" } },
      blocking: "rollback-script: deploy script has no --rollback option",
    },
    {
      situation: "the source repository is unreachable",
      probes: { changes: { ok: false, message: "git ls-remote failed: connection refused" } },
      blocking: "changes: git ls-remote failed: connection refused",
    },
    {
      situation: "no rollback target anywhere",
      environment: heldBy(NAME, { status: { currentVersion: undefined } }),
      blocking: "rollback-target: no rollback target",
    },
    {
      situation: "a critical criterion unmet and the registry down: an override cannot help",
      probes: {
        acceptance: { ok: true, value: [criterion("AC-2", { met: false })] },
        rollbackImage: { ok: false, message: "registry unreachable" },
      },
      blocking: "rollback-image: registry unreachable",
    },
  ])("blocked when $situation: no override is asked", ({ probes, environment, blocking }) => {
    const decision = decideRelease(
      atGate({ probes: probeResults(probes), ...(environment === undefined ? {} : { environment }) }),
    );

    expect(decision.status.phase).toBe("PreReleaseGate");
    expect(decision.status.gate?.evaluatedAt).toBe(ISO);
    expect(decision.status.gate?.blockingIssues).toContainEqual(expect.stringContaining(blocking));
    expect(decision.status.pendingDecision).toBeUndefined();
    expect(conditionOf(decision.status, "GatePassed")).toMatchObject({ status: "False", reason: "Blocked" });
    expect(conditionOf(decision.status, "GatePassed")?.message).toContain(blocking);
    expect(decision.events).toEqual([expect.objectContaining({ type: "Warning", reason: "GateBlocked" })]);
    expect(decision.requeueAfterMs).toBe(GATE_RECHECK_MS);
    expect(decision.transitions).toEqual([]);
  });

  it.each<{ situation: string; acceptance: GateProbeResults["acceptance"]; blocking: string }>([
    {
      situation: "a critical criterion without a passing test",
      acceptance: { ok: true, value: [criterion("AC-1"), criterion("AC-2", { met: false })] },
      blocking: "acceptance: AC-2: nav.AC-2Test.test_it failed",
    },
    {
      situation: "the test report cannot be read",
      acceptance: { ok: false, message: "ConfigMap nav-junit not found" },
      blocking: "acceptance: ConfigMap nav-junit not found",
    },
  ])(
    "blocked by acceptance alone ($situation): asks for override-reason or abort",
    ({ acceptance, blocking }) => {
      const decision = decideRelease(atGate({ probes: probeResults({ acceptance }) }));

      expect(decision.status.phase).toBe("PreReleaseGate");
      expect(decision.status.gate?.blockingIssues).toEqual([blocking]);
      expect(decision.status.pendingDecision).toEqual({
        kind: "override",
        question: expect.stringContaining("critical acceptance criterion") as string,
        since: ISO,
        commands: [
          `kubectl annotate release ${NAME} -n ${NAMESPACE} 'release-operator.io/override-reason=<why it ships anyway>'`,
          `kubectl annotate release ${NAME} -n ${NAMESPACE} 'release-operator.io/abort=<reason>'`,
        ],
      });
      expect(conditionOf(decision.status, "Reconciling")).toMatchObject({
        status: "True",
        reason: "GateBlocked",
      });
    },
  );

  it("a non-critical criterion unmet does not block; it is a risk the approver sees", () => {
    const acceptance = {
      ok: true as const,
      value: [criterion("AC-1"), criterion("AC-9", { critical: false, met: false })],
    };
    const decision = decideRelease(atGate({ probes: probeResults({ acceptance }) }));
    expect(decision.status.phase).toBe("Execute");
    expect(decision.status.gate?.openRisks).toContain("AC-9: nav.AC-9Test.test_it failed");
  });

  it("override-reason set on a release blocked by acceptance: the gate passes as Overridden, the risk recorded", () => {
    const acceptance = { ok: true as const, value: [criterion("AC-2", { met: false })] };
    const blocked = next(atGate({ probes: probeResults({ acceptance }) }));
    const reason = "reroute flake tracked in NAV-140";
    const decision = decideRelease({
      ...blocked,
      release: annotated(blocked.release, { "release-operator.io/override-reason": reason }),
      now: minutesAfter(NOW, 1),
    });

    expect(phaseRecords(decision)[0]).toEqual(["PreReleaseGate", "Overridden"]);
    expect(decision.status.phase).toBe("Execute");
    expect(check(decision, "acceptance")?.status).toBe("Overridden");
    expect(decision.status.gate?.openRisks).toContain(`acceptance overridden: ${reason}`);
    expect(conditionOf(decision.status, "GatePassed")).toMatchObject({
      status: "True",
      reason: "Overridden",
    });
    expect(decision.status.decisions).toEqual([
      {
        kind: "override",
        annotation: "release-operator.io/override-reason",
        value: reason,
        at: minutesAfter(NOW, 1).toISOString(),
        accepted: true,
      },
    ]);
  });

  it("override-reason does not lift a block that is not about acceptance", () => {
    const probes = probeResults({ observability: { ok: false, problems: ["Prometheus unreachable"] } });
    const release = releaseObject({ annotations: { "release-operator.io/override-reason": "ship it" } });
    const decision = decideRelease(atGate({ release, probes }));
    expect(decision.status.phase).toBe("PreReleaseGate");
    expect(conditionOf(decision.status, "GatePassed")?.reason).toBe("Blocked");
  });

  it("blocked, probed again later with the same failure: no new Warning, the next retry an interval later", () => {
    const probes = { observability: { ok: false as const, problems: ["Prometheus unreachable"] } };
    const blocked = next(atGate({ probes: probeResults(probes) }));
    const later = minutesAfter(NOW, 5);
    const decision = decideRelease({ ...blocked, now: later, probes: probeResults(probes, later) });

    expect(decision.events).toEqual([]);
    expect(decision.status.gate?.evaluatedAt).toBe(later.toISOString());
    expect(decision.requeueAfterMs).toBe(GATE_RECHECK_MS);
  });

  it("blocked, reconciled between probes: the retry stays at evaluatedAt + the recheck interval", () => {
    const blocked = next(atGate({ probes: probeResults({ rollbackImage: { ok: false, message: "gone" } }) }));
    const decision = decideRelease({ ...blocked, now: minutesAfter(NOW, 2) });
    expect(decision.requeueAfterMs).toBe(GATE_RECHECK_MS - 2 * 60_000);
  });

  it("the failure is fixed at the next probe: the gate passes", () => {
    const blocked = next(atGate({ probes: probeResults({ rollbackImage: { ok: false, message: "gone" } }) }));
    const later = minutesAfter(NOW, 5);
    const decision = decideRelease({ ...blocked, now: later, probes: probeResults({}, later) });
    expect(phaseRecords(decision)[0]).toEqual(["PreReleaseGate", "Succeeded"]);
  });
});

describe("decideRelease: the rollback-check Job", () => {
  const jobProbes = probeResults({ rollbackScript: { ok: "job" } });

  it("the script lives in the image: exactly one Job, named for the release and owned by it; the gate waits", () => {
    const decision = decideRelease(atGate({ probes: jobProbes }));

    expect(decision.actions).toHaveLength(1);
    const action = decision.actions[0];
    const job = action?.kind === "create-job" ? action.job : undefined;
    expect(decision.actions[0]).toMatchObject({ kind: "create-job", purpose: "rollback-check" });
    expect(job?.metadata).toMatchObject({
      name: `${NAME}-rollback-check`,
      namespace: NAMESPACE,
      ownerReferences: [
        {
          apiVersion: "release-operator.io/v1alpha1",
          kind: "Release",
          name: NAME,
          uid: `uid-${NAME}`,
          controller: true,
        },
      ],
    });
    expect(job?.spec?.template.spec?.containers[0]?.command).toContain("/app/scripts/deploy.sh");
    expect(decision.status.phase).toBe("PreReleaseGate");
    expect(check(decision, "rollback-script")?.status).toBe("Waiting");
    expect(conditionOf(decision.status, "GatePassed")).toMatchObject({
      status: "False",
      reason: "Evaluating",
    });
  });

  it("the Job exists and runs: no second Job, even when the probes run again", () => {
    const waiting = next(atGate({ probes: jobProbes }), { scriptJob: { done: false } });
    const later = minutesAfter(NOW, 1);
    expect(decideRelease(waiting).actions).toEqual([]);
    expect(
      decideRelease({
        ...waiting,
        now: later,
        probes: probeResults({ rollbackScript: { ok: "job" } }, later),
      }).actions,
    ).toEqual([]);
  });

  it("the Job succeeded: the check passes with its message and the gate moves on", () => {
    const world = next(atGate({ probes: jobProbes }), {
      scriptJob: {
        done: true,
        passed: true,
        message: "deploy script /app/scripts/deploy.sh supports --rollback",
      },
    });
    const decision = decideRelease(world);
    expect(decision.actions).toEqual([]);
    expect(check(decision, "rollback-script")).toMatchObject({
      status: "Passed",
      message: "deploy script /app/scripts/deploy.sh supports --rollback",
    });
    expect(phaseRecords(decision)[0]).toEqual(["PreReleaseGate", "Succeeded"]);
  });

  it("the Job failed: the gate blocks with the Job's reason and creates nothing", () => {
    const message = "deploy script /app/scripts/deploy.sh has no --rollback option";
    const world = next(atGate({ probes: jobProbes }), { scriptJob: { done: true, passed: false, message } });
    const decision = decideRelease(world);
    expect(decision.actions).toEqual([]);
    expect(decision.status.phase).toBe("PreReleaseGate");
    expect(decision.status.gate?.blockingIssues).toEqual([`rollback-script: ${message}`]);
    expect(conditionOf(decision.status, "GatePassed")?.reason).toBe("Blocked");
  });
});

describe("decideRelease: approval", () => {
  const production = (changes: Partial<EnvironmentSpec> = {}) =>
    heldBy(NAME, { spec: productionSpec(changes) });
  const approvalWorld = (annotations: Record<string, string>, changes: Partial<EnvironmentSpec> = {}) =>
    atGate({ release: releaseObject({ annotations }), environment: production(changes) });

  it.each<{
    situation: string;
    annotations: Record<string, string>;
    count?: number;
    phase: ReleasePhase;
    asks?: "gate" | "approval" | "strategy";
    approval: string;
  }>([
    {
      situation: "production, nobody answered",
      annotations: {},
      phase: "PreReleaseGate",
      asks: "gate",
      approval: "waiting for 1 approval",
    },
    {
      situation: "production, approved=true",
      annotations: { approved: "true" },
      phase: "StrategySelect",
      asks: "strategy",
      approval: "approved (approved=true)",
    },
    {
      situation: "production, release-operator.io/gate=proceed",
      annotations: { "release-operator.io/gate": "proceed" },
      phase: "StrategySelect",
      asks: "strategy",
      approval: "approved (release-operator.io/gate",
    },
    {
      situation: "production, one named approver of one",
      annotations: { "approval.release-operator.io/alice": "approved" },
      phase: "StrategySelect",
      asks: "strategy",
      approval: "approved (alice)",
    },
    {
      situation: "count 2, one named approver",
      annotations: { "approval.release-operator.io/alice": "approved" },
      count: 2,
      phase: "PreReleaseGate",
      asks: "approval",
      approval: "1 of 2 approvals (alice); waiting for 1 more",
    },
    {
      situation: "count 2, one named approver and approved=true: the shorthand is no second approver",
      annotations: { "approval.release-operator.io/alice": "approved", approved: "true" },
      count: 2,
      phase: "PreReleaseGate",
      asks: "approval",
      approval: "1 of 2 approvals (alice)",
    },
    {
      situation: "count 2, two distinct named approvers",
      annotations: {
        "approval.release-operator.io/carol": "approved",
        "approval.release-operator.io/alice": "approved",
      },
      count: 2,
      phase: "StrategySelect",
      asks: "strategy",
      approval: "approved (alice, carol)",
    },
  ])("$situation: $phase", ({ annotations, count, phase, asks, approval }) => {
    const decision = decideRelease(
      approvalWorld(annotations, count === undefined ? {} : { approval: { count } }),
    );
    expect(decision.status.phase).toBe(phase);
    expect(decision.status.pendingDecision?.kind).toBe(asks);
    expect(check(decision, "approval")?.message).toContain(approval);
    if (phase === "PreReleaseGate") {
      expect(conditionOf(decision.status, "GatePassed")).toMatchObject({
        status: "False",
        reason: "AwaitingApproval",
      });
    } else {
      expect(phaseRecords(decision)[0]).toEqual(["PreReleaseGate", "Succeeded"]);
    }
  });

  it("production waits for the gate: the first command is exactly the approve command", () => {
    const decision = decideRelease(approvalWorld({}));
    expect(decision.status.pendingDecision?.commands[0]).toBe(
      `kubectl annotate release ${NAME} -n ${NAMESPACE} approved=true`,
    );
    expect(decision.status.pendingDecision?.commands).toContain(
      `kubectl annotate release ${NAME} -n ${NAMESPACE} approved=false`,
    );
    expect(decision.status.pendingDecision?.since).toBe(ISO);
    expect(conditionOf(decision.status, "Reconciling")).toMatchObject({
      status: "True",
      reason: "AwaitingApproval",
    });
    expect(conditionOf(decision.status, "Ready")).toMatchObject({
      status: "False",
      reason: "AwaitingApproval",
    });
    expect(decision.status.gate?.text).toContain(
      `A) Proceed to Strategy Select: kubectl annotate release ${NAME}`,
    );
  });

  it("count 2 asks each approver to annotate with their own name", () => {
    const decision = decideRelease(approvalWorld({}, { approval: { count: 2 } }));
    expect(decision.status.pendingDecision?.commands[0]).toBe(
      `kubectl annotate release ${NAME} -n ${NAMESPACE} 'approval.release-operator.io/<your-user-name>=approved'`,
    );
  });

  it("approved=maybe: refused and recorded, a Warning and DecisionsValid=False list the valid values; nothing moves", () => {
    const waiting = next(approvalWorld({}));
    const decision = decideRelease({
      ...waiting,
      release: annotated(waiting.release, { approved: "maybe" }),
    });

    expect(decision.status.phase).toBe("PreReleaseGate");
    expect(decision.status.pendingDecision?.kind).toBe("gate");
    expect(decision.status.decisions).toEqual([
      {
        kind: "gate",
        annotation: "approved",
        value: "maybe",
        at: ISO,
        accepted: false,
        message: "refused: valid: true, proceed, false, abort",
      },
    ]);
    expect(decision.events).toContainEqual({
      type: "Warning",
      reason: "InvalidDecision",
      message: expect.stringMatching(
        /^approved="maybe" is invalid and changes nothing; valid: true, proceed, false, abort$/,
      ) as string,
    });
    expect(conditionOf(decision.status, "DecisionsValid")).toMatchObject({
      status: "False",
      reason: "InvalidAnnotation",
      message: 'approved="maybe": valid: true, proceed, false, abort',
    });
  });

  it("an invalid value corrected: DecisionsValid turns True and the corrected value moves the gate", () => {
    const refused = next(approvalWorld({ approved: "maybe" }));
    const later = minutesAfter(NOW, 3);
    const decision = decideRelease({
      ...refused,
      release: annotated(refused.release, { approved: "true" }),
      now: later,
    });
    expect(decision.status.phase).toBe("StrategySelect");
    expect(conditionOf(decision.status, "DecisionsValid")).toMatchObject({
      status: "True",
      lastTransitionTime: later.toISOString(),
    });
    expect(decision.status.decisions?.map((record) => [record.value, record.accepted, record.at])).toEqual([
      ["maybe", false, ISO],
      ["true", true, later.toISOString()],
    ]);
  });
});

describe("decideRelease: change windows and blackouts", () => {
  const afternoonWindow = {
    days: ["Mon", "Tue", "Wed", "Thu", "Fri"],
    start: "12:00",
    end: "16:00",
    timeZone: "UTC",
  } as const;
  const freeze = { from: "2026-11-25T00:00:00Z", to: "2026-11-25T18:00:00Z", reason: "winter freeze" };

  it.each<{
    situation: string;
    spec: Partial<EnvironmentSpec>;
    reason: "OutsideChangeWindow" | "Blackout";
    opensAt: string;
    says: string;
  }>([
    {
      situation: "outside the afternoon window on a Wednesday morning",
      spec: { changeWindows: [{ ...afternoonWindow, days: [...afternoonWindow.days] }] },
      reason: "OutsideChangeWindow",
      opensAt: "2026-11-25T12:00:00.000Z",
      says: "outside every change window",
    },
    {
      situation: "inside a blackout, no windows",
      spec: { blackouts: [freeze] },
      reason: "Blackout",
      opensAt: "2026-11-25T18:00:00.000Z",
      says: 'blackout "winter freeze" until 2026-11-25T18:00:00.000Z',
    },
    {
      situation: "inside a blackout that ends after the day's window closed: the next day's opening",
      spec: { blackouts: [freeze], changeWindows: [{ ...afternoonWindow, days: [...afternoonWindow.days] }] },
      reason: "Blackout",
      opensAt: "2026-11-26T12:00:00.000Z",
      says: "winter freeze",
    },
  ])("$situation: waits ($reason) until the opening, then goes on", ({ spec, reason, opensAt, says }) => {
    const environment = heldBy(NAME, { spec: environmentSpec(spec) });
    const waiting = decideRelease(atGate({ environment }));

    expect(waiting.status.phase).toBe("PreReleaseGate");
    expect(conditionOf(waiting.status, "GatePassed")).toMatchObject({ status: "False", reason });
    expect(conditionOf(waiting.status, "GatePassed")?.message).toContain(says);
    expect(check(waiting, "change-window")?.status).toBe("Waiting");
    expect(conditionOf(waiting.status, "Reconciling")).toMatchObject({ status: "True", reason });
    expect(waiting.requeueAfterMs).toBe(Date.parse(opensAt) - NOW.getTime());

    const stored = next(atGate({ environment }));
    const aMinuteBefore = decideRelease({ ...stored, now: new Date(Date.parse(opensAt) - 60_000) });
    expect(aMinuteBefore.status.phase).toBe("PreReleaseGate");
    expect(aMinuteBefore.requeueAfterMs).toBe(60_000);

    const opened = decideRelease({ ...stored, now: new Date(opensAt) });
    expect(phaseRecords(opened)[0]).toEqual(["PreReleaseGate", "Succeeded"]);
    expect(conditionOf(opened.status, "GatePassed")).toMatchObject({ status: "True", reason: "Passed" });
  });

  it("production, approved, outside the window: approval first, then the window", () => {
    const environment = heldBy(NAME, {
      spec: productionSpec({ changeWindows: [{ ...afternoonWindow, days: [...afternoonWindow.days] }] }),
    });
    const unapproved = decideRelease(atGate({ environment }));
    expect(conditionOf(unapproved.status, "GatePassed")?.reason).toBe("AwaitingApproval");

    const approved = decideRelease(
      atGate({ environment, release: releaseObject({ annotations: { approved: "true" } }) }),
    );
    expect(conditionOf(approved.status, "GatePassed")?.reason).toBe("OutsideChangeWindow");
    expect(conditionOf(approved.status, "GatePassed")?.message).toMatch(
      /^approved; outside every change window/,
    );
    expect(approved.status.pendingDecision).toBeUndefined();
    expect(approved.requeueAfterMs).toBe(2 * HOUR_MS);
  });
});

describe("decideRelease: StrategySelect", () => {
  const choosing = (changes: Partial<EnvironmentSpec> = {}) => heldBy(NAME, { spec: choosingSpec(changes) });

  it.each<{
    situation: string;
    spec?: { strategy: Strategy };
    annotation?: string;
    environment: EnvironmentView;
    chosen: Strategy;
    source: "spec" | "decision" | "auto";
  }>([
    {
      situation: "spec.strategy wins over an annotation and over auto-selection",
      spec: { strategy: "blue-green" },
      annotation: "canary",
      environment: choosing({ autoSelectStrategy: true }),
      chosen: "blue-green",
      source: "spec",
    },
    {
      situation: "a valid strategy annotation wins over auto-selection",
      annotation: "canary",
      environment: choosing({ autoSelectStrategy: true }),
      chosen: "canary",
      source: "decision",
    },
    {
      situation: "a strategy annotation where the environment does not auto-select",
      annotation: " blue-green ",
      environment: choosing(),
      chosen: "blue-green",
      source: "decision",
    },
    {
      situation: "auto-selection takes the recommendation",
      environment: choosing({ autoSelectStrategy: true }),
      chosen: "all-at-once",
      source: "auto",
    },
  ])("$situation: $chosen from $source", ({ spec, annotation, environment, chosen, source }) => {
    const release = releaseObject({
      ...(spec === undefined ? {} : { spec }),
      ...(annotation === undefined ? {} : { annotations: { "release-operator.io/strategy": annotation } }),
    });
    const decision = decideRelease(atGate({ release, environment }));
    expect(decision.status.phase).toBe("Execute");
    expect(decision.status.strategy).toMatchObject({ chosen, source, recommended: "all-at-once" });
    expect(decision.status.pendingDecision).toBeUndefined();
    expect(phaseRecords(decision)[1]).toEqual(["StrategySelect", "Succeeded"]);
  });

  it("nobody chose: asks with one command per supported strategy, and abort", () => {
    const decision = decideRelease(atGate({ environment: choosing() }));
    const ref = `kubectl annotate release ${NAME} -n ${NAMESPACE}`;

    expect(decision.status.phase).toBe("StrategySelect");
    expect(decision.status.pendingDecision).toEqual({
      kind: "strategy",
      question: expect.stringContaining("Recommended: all-at-once") as string,
      since: ISO,
      commands: [
        `${ref} release-operator.io/strategy=all-at-once`,
        `${ref} release-operator.io/strategy=blue-green`,
        `${ref} release-operator.io/strategy=canary`,
        `${ref} 'release-operator.io/abort=<reason>'`,
      ],
    });
    expect(decision.status.strategy).toEqual({
      recommended: "all-at-once",
      recommendationReason: expect.stringContaining("no breaking change") as string,
    });
    expect(conditionOf(decision.status, "Reconciling")).toMatchObject({
      status: "True",
      reason: "AwaitingStrategy",
    });
  });

  it("the strategy annotation answers the question: Execute, the question gone", () => {
    const waiting = next(atGate({ environment: choosing() }));
    const later = minutesAfter(NOW, 4);
    const decision = decideRelease({
      ...waiting,
      release: annotated(waiting.release, { "release-operator.io/strategy": "canary" }),
      now: later,
    });
    expect(decision.status.phase).toBe("Execute");
    expect(decision.status.strategy).toMatchObject({ chosen: "canary", source: "decision" });
    expect(decision.status.pendingDecision).toBeUndefined();
    expect(decision.transitions).toEqual([{ from: "StrategySelect", to: "Execute" }]);
  });

  it.each<{ situation: string; value: string; refusal: string }>([
    {
      situation: "a strategy the environment does not support",
      value: "manual",
      refusal: "not supported by this Environment; valid: all-at-once, blue-green, canary",
    },
    {
      situation: "no strategy at all",
      value: "yolo",
      refusal: "valid: all-at-once, blue-green, canary, manual",
    },
  ])("$situation, answered while the release waits, is refused and changes nothing", ({ value, refusal }) => {
    const waiting = next(atGate({ environment: choosing() }));
    const decision = decideRelease({
      ...waiting,
      release: annotated(waiting.release, { "release-operator.io/strategy": value }),
    });

    expect(decision.status.phase).toBe("StrategySelect");
    expect(decision.status.pendingDecision?.kind).toBe("strategy");
    expect(decision.status.strategy?.chosen).toBeUndefined();
    expect(decision.status.decisions).toEqual([
      expect.objectContaining({ kind: "strategy", value, accepted: false, message: `refused: ${refusal}` }),
    ]);
    expect(decision.events).toContainEqual(
      expect.objectContaining({ type: "Warning", reason: "InvalidDecision" }),
    );
    expect(conditionOf(decision.status, "DecisionsValid")).toMatchObject({ status: "False" });
    expect(conditionOf(decision.status, "DecisionsValid")?.message).toContain(refusal);
  });

  it.each<{ situation: string; strategies: Strategy[]; breaking: boolean; recommended: Strategy }>([
    {
      situation: "breaking change, canary supported",
      strategies: ["all-at-once", "blue-green", "canary"],
      breaking: true,
      recommended: "canary",
    },
    {
      situation: "breaking change, only blue-green gradual",
      strategies: ["all-at-once", "blue-green"],
      breaking: true,
      recommended: "blue-green",
    },
    {
      situation: "breaking change, nothing gradual: the default",
      strategies: ["all-at-once", "manual"],
      breaking: true,
      recommended: "all-at-once",
    },
    {
      situation: "no breaking change: the default",
      strategies: ["all-at-once", "canary"],
      breaking: false,
      recommended: "all-at-once",
    },
  ])("recommendation, $situation: $recommended", ({ strategies, breaking, recommended }) => {
    const changes = {
      ok: true as const,
      value: { findings: breaking ? breakingFindings() : changeFindings(), notes: [] },
    };
    const decision = decideRelease(
      atGate({
        environment: heldBy(NAME, { spec: environmentSpec({ strategies, autoSelectStrategy: true }) }),
        probes: probeResults({ changes }),
      }),
    );
    expect(decision.status.strategy).toMatchObject({ recommended, chosen: recommended, source: "auto" });
  });
});

describe("decideRelease: entering Execute", () => {
  it("the strategy is chosen: the deploy's environment is checked before anything runs; no Job yet, no verdict", () => {
    const decision = decideRelease(next(atGate()));
    expect(decision.status.phase).toBe("Execute");
    expect(decision.status.verdict).toBeUndefined();
    expect(decision.status.jobs).toBeUndefined();
    expect(decision.actions).toEqual([]);
    expect(decision.requeueAfterMs).toBe(0);
    expect(conditionOf(decision.status, "Reconciling")).toMatchObject({
      status: "True",
      reason: "CheckingEnvironment",
    });
    expect(conditionOf(decision.status, "Stalled")).toBeUndefined();
  });
});

describe("decideRelease: abort before anything was deployed", () => {
  const production = heldBy(NAME, { spec: productionSpec() });
  const queued = (): ReleaseWorld =>
    worldOf(releaseObject(), heldBy("nav-1-4-1", { status: { queue: [NAME] } }));
  const admittedOnly = (): ReleaseWorld => worldOf(releaseObject(), heldBy(NAME));
  const evaluating = (): ReleaseWorld => next(worldOf());
  const awaitingApproval = (): ReleaseWorld => next(atGate({ environment: production }));
  const awaitingStrategy = (): ReleaseWorld =>
    next(atGate({ environment: heldBy(NAME, { spec: choosingSpec() }) }));
  const executing = (): ReleaseWorld => next(atGate());
  const rollbackCheckDue = (): ReleaseWorld =>
    atGate({ probes: probeResults({ rollbackScript: { ok: "job" } }) });

  it.each<{
    situation: string;
    world: () => ReleaseWorld;
    from: ReleasePhase;
    annotations: Record<string, string>;
    cause: string;
  }>([
    {
      situation: "queued behind another release",
      world: queued,
      from: "Pending",
      annotations: { "release-operator.io/abort": "wrong version" },
      cause: "wrong version",
    },
    {
      situation: "just admitted",
      world: admittedOnly,
      from: "Pending",
      annotations: { approved: "false" },
      cause: "approved=false",
    },
    {
      situation: "gate evaluating",
      world: evaluating,
      from: "PreReleaseGate",
      annotations: { "release-operator.io/abort": "wrong version" },
      cause: "wrong version",
    },
    {
      situation: "awaiting approval, approved=false",
      world: awaitingApproval,
      from: "PreReleaseGate",
      annotations: { approved: "false" },
      cause: "approved=false",
    },
    {
      situation: "awaiting approval, gate=abort",
      world: awaitingApproval,
      from: "PreReleaseGate",
      annotations: { "release-operator.io/gate": "abort" },
      cause: "release-operator.io/gate",
    },
    {
      situation: "a rollback-check Job would be created",
      world: rollbackCheckDue,
      from: "PreReleaseGate",
      annotations: { "release-operator.io/abort": "stop" },
      cause: "stop",
    },
    {
      situation: "awaiting a strategy",
      world: awaitingStrategy,
      from: "StrategySelect",
      annotations: { "release-operator.io/abort": "wrong version" },
      cause: "wrong version",
    },
    {
      situation: "waiting in Execute",
      world: executing,
      from: "Execute",
      annotations: { approved: "false" },
      cause: "approved=false",
    },
  ])("$situation: Completed, Aborted, nothing done", ({ world, from, annotations, cause }) => {
    const before = world();
    const decision = decideRelease({ ...before, release: annotated(before.release, annotations) });
    const status = decision.status;

    expect(status.phase).toBe("Completed");
    expect(status.verdict).toBe("Aborted");
    expect(status.completedAt).toBe(ISO);
    expect(status.reason).toContain(`Aborted at ${from}`);
    expect(status.reason).toContain(cause);
    expect(status.pendingDecision).toBeUndefined();
    expect(decision.actions).toEqual([]);
    expect(decision.transitions).toEqual([{ from, to: "Completed" }]);
    expect(conditionOf(status, "Stalled")).toMatchObject({ status: "True", reason: "Aborted" });
    expect(conditionOf(status, "Ready")).toMatchObject({ status: "False", reason: "Aborted" });
    expect(conditionOf(status, "Reconciling")).toBeUndefined();
    expect(conditionOf(status, "Admitted")).toBeUndefined();
    expect(decision.events).toContainEqual({ type: "Warning", reason: "Aborted", message: status.reason });
    // The phase it was in is closed as Aborted; from Pending no phase was ever entered.
    expect(status.phases?.at(-1)).toEqual(
      from === "Pending"
        ? undefined
        : expect.objectContaining({ phase: from, finishedAt: ISO, outcome: "Aborted" }),
    );
  });
});

describe("decideRelease: abort while the release cannot be admitted", () => {
  // A held release must be stoppable without fixing what holds it.
  it.each<{ situation: string; world: () => ReleaseWorld }>([
    {
      situation: "the Environment is missing",
      world: () => worldOf(releaseObject(), { kind: "missing", name: "nav-staging" }),
    },
    {
      situation: "the Environment is invalid",
      world: () =>
        worldOf(releaseObject(), { kind: "invalid", name: "nav-staging", issues: "spec.tier: invalid" }),
    },
    {
      situation: "the environment cannot accept the spec",
      world: () => worldOf(releaseObject({ spec: { strategy: "canary" } })),
    },
  ])("$situation: abort ends it Aborted", ({ world }) => {
    const before = world();
    const decision = decideRelease({
      ...before,
      release: annotated(before.release, { "release-operator.io/abort": "wrong environment" }),
    });
    expect(decision.status.verdict).toBe("Aborted");
    expect(decision.status.phase).toBe("Completed");
    expect(decision.status.reason).toContain("wrong environment");
    expect(decision.actions).toEqual([]);
  });
});

describe("decideRelease: idempotence (a restarted operator, a re-list, a no-op resync)", () => {
  const production = (changes: Partial<EnvironmentSpec> = {}) =>
    heldBy(NAME, { spec: productionSpec(changes) });
  const window = { days: ["Mon" as const, "Fri" as const], start: "12:00", end: "16:00" };

  it.each<{ situation: string; world: () => ReleaseWorld; after?: Partial<ReleaseWorld>; standing: string }>([
    {
      situation: "environment busy",
      world: () => worldOf(releaseObject(), heldBy("nav-1-4-1", { status: { queue: [NAME] } })),
      standing: "EnvironmentBusy",
    },
    {
      situation: "waiting for admission",
      world: () => worldOf(releaseObject(), heldBy(undefined)),
      standing: "WaitingForAdmission",
    },
    {
      situation: "environment not found",
      world: () => worldOf(releaseObject(), { kind: "missing", name: "nav-staging" }),
      standing: "EnvironmentNotFound",
    },
    {
      situation: "environment invalid",
      world: () =>
        worldOf(releaseObject(), { kind: "invalid", name: "nav-staging", issues: "spec.tier: invalid" }),
      standing: "EnvironmentInvalid",
    },
    {
      situation: "spec not accepted",
      world: () => worldOf(releaseObject({ spec: { strategy: "manual" } })),
      standing: "SpecNotAccepted",
    },
    { situation: "gate evaluating, no probes yet", world: () => next(worldOf()), standing: "GateEvaluating" },
    {
      situation: "gate waiting for the rollback-check Job",
      world: () => atGate({ probes: probeResults({ rollbackScript: { ok: "job" } }) }),
      after: { scriptJob: { done: false } },
      standing: "GateEvaluating",
    },
    {
      situation: "gate blocked by a failing probe",
      world: () => atGate({ probes: probeResults({ observability: { ok: false, problems: ["down"] } }) }),
      standing: "GateBlocked",
    },
    {
      situation: "gate blocked by acceptance, override asked",
      world: () =>
        atGate({
          probes: probeResults({ acceptance: { ok: true, value: [criterion("AC-2", { met: false })] } }),
        }),
      standing: "GateBlocked",
    },
    {
      situation: "awaiting approval",
      world: () => atGate({ environment: production() }),
      standing: "AwaitingApproval",
    },
    {
      situation: "one of two approvals",
      world: () =>
        atGate({
          environment: production({ approval: { count: 2 } }),
          release: releaseObject({ annotations: { "approval.release-operator.io/alice": "approved" } }),
        }),
      standing: "AwaitingApproval",
    },
    {
      situation: "approved=maybe refused",
      world: () =>
        atGate({ environment: production(), release: releaseObject({ annotations: { approved: "maybe" } }) }),
      standing: "AwaitingApproval",
    },
    {
      situation: "outside the change window",
      world: () =>
        atGate({ environment: heldBy(NAME, { spec: environmentSpec({ changeWindows: [window] }) }) }),
      standing: "OutsideChangeWindow",
    },
    {
      situation: "inside a blackout",
      world: () =>
        atGate({
          environment: heldBy(NAME, {
            spec: environmentSpec({
              blackouts: [{ from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z", reason: "freeze" }],
            }),
          }),
        }),
      standing: "Blackout",
    },
    {
      situation: "awaiting a strategy",
      world: () => atGate({ environment: heldBy(NAME, { spec: choosingSpec() }) }),
      standing: "AwaitingStrategy",
    },
    {
      situation: "awaiting a strategy after a refused strategy annotation",
      world: () =>
        atGate({
          environment: heldBy(NAME, { spec: choosingSpec() }),
          release: releaseObject({ annotations: { "release-operator.io/strategy": "manual" } }),
        }),
      standing: "AwaitingStrategy",
    },
    {
      situation: "in Execute, checking the deploy's environment",
      world: () => atGate(),
      standing: "CheckingEnvironment",
    },
    {
      situation: "aborted",
      world: () => worldOf(releaseObject({ annotations: { "release-operator.io/abort": "wrong version" } })),
      standing: "Aborted",
    },
    {
      situation: "aborted beside a refused annotation",
      world: () =>
        worldOf(
          releaseObject({
            annotations: {
              "release-operator.io/abort": "wrong version",
              "release-operator.io/strategy": "yolo",
            },
          }),
        ),
      standing: "Aborted",
    },
    {
      situation: "environment not found, with a refused annotation",
      world: () =>
        worldOf(releaseObject({ annotations: { approved: "maybe" } }), {
          kind: "missing",
          name: "nav-staging",
        }),
      standing: "EnvironmentNotFound",
    },
  ])(
    "$situation: the decided status fed back changes nothing, now or later",
    ({ world, after, standing }) => {
      const first = world();
      const decided = decideRelease(first);
      expect(conditionOf(decided.status, "Ready")?.reason).toBe(standing);

      for (const now of [first.now, minutesAfter(first.now, 1)]) {
        const again = decideRelease(next(first, { now, ...after }));
        expect(again.status).toEqual(decided.status);
        expect(again.actions).toEqual([]);
        expect(again.events).toEqual([]);
        expect(again.transitions).toEqual([]);
      }
    },
  );
});

describe("decideRelease: the decision log", () => {
  it("a decision is recorded once per annotation and value, at the time it was first read", () => {
    const production = heldBy(NAME, { spec: productionSpec() });
    const refused = next(
      atGate({ environment: production, release: releaseObject({ annotations: { approved: "maybe" } }) }),
    );

    const later = decideRelease({ ...refused, now: minutesAfter(NOW, 5) });
    expect(later.status.decisions).toEqual([expect.objectContaining({ value: "maybe", at: ISO })]);
    expect(later.events).toEqual([]);

    const changed = decideRelease({
      ...refused,
      release: annotated(refused.release, { approved: "true" }),
      now: minutesAfter(NOW, 6),
    });
    expect(changed.status.decisions?.map((record) => [record.annotation, record.value, record.at])).toEqual([
      ["approved", "maybe", ISO],
      ["approved", "true", minutesAfter(NOW, 6).toISOString()],
    ]);
    expect(changed.events).toContainEqual({
      type: "Normal",
      reason: "DecisionRecorded",
      message: "approved=true",
    });
  });

  it("an approver is recorded with who approved", () => {
    const production = heldBy(NAME, { spec: productionSpec({ approval: { count: 2 } }) });
    const release = releaseObject({ annotations: { "approval.release-operator.io/alice": "approved" } });
    const decision = decideRelease(atGate({ environment: production, release }));
    expect(decision.status.decisions).toEqual([
      {
        kind: "approval",
        annotation: "approval.release-operator.io/alice",
        value: "approved",
        by: "alice",
        at: ISO,
        accepted: true,
      },
    ]);
  });

  it("pendingDecision.since stays when the same question is asked again later", () => {
    const production = heldBy(NAME, { spec: productionSpec() });
    const waiting = next(atGate({ environment: production }));
    const decision = decideRelease({ ...waiting, now: minutesAfter(NOW, 30) });
    expect(decision.status.pendingDecision?.since).toBe(ISO);
  });

  it("pendingDecision.since stays while approvals trickle in", () => {
    const production = heldBy(NAME, { spec: productionSpec({ approval: { count: 3 } }) });
    const waiting = next(atGate({ environment: production }));
    const later = minutesAfter(NOW, 30);
    const decision = decideRelease({
      ...waiting,
      release: annotated(waiting.release, { "approval.release-operator.io/alice": "approved" }),
      now: later,
    });
    expect(decision.status.pendingDecision).toMatchObject({ kind: "approval", since: ISO });
    expect(decision.status.pendingDecision?.question).toContain("1 of 3");
  });
});
