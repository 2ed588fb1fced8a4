import { describe, expect, it } from "vitest";

import { minimalEnvironment } from "../../test/support/environments.js";
import {
  readEnvironmentSpec,
  type ComponentChanges,
  type GateCheck,
  type GateSummary,
  type ReleaseSettings,
} from "../api/v1alpha1/index.js";
import type { ChangeSummaryFindings } from "../providers/git/classify.js";
import type { CriterionResult } from "../providers/junit/junit.js";
import { readDecisions } from "./decisions.js";
import {
  GATE_CHECKS,
  approvalState,
  evaluateGate,
  nextProbeAt,
  probedChecks,
  probesDue,
  type GateEvaluation,
  type GateProbeResults,
  type GateState,
  type ScriptJobResult,
} from "./gate.js";
import type { StartPermission } from "./schedule.js";

const RELEASE = { namespace: "prod", name: "nav-1-4-2" };
const EVALUATED_AT = "2026-11-25T10:00:00Z";
const SHA = "abcdef1234567890abcdef1234567890abcdef12";

const APPROVE = "kubectl annotate release nav-1-4-2 -n prod approved=true";
const REJECT = "kubectl annotate release nav-1-4-2 -n prod approved=false";
const APPROVE_AS =
  "kubectl annotate release nav-1-4-2 -n prod 'approval.release-operator.io/<your-user-name>=approved'";
const OVERRIDE =
  "kubectl annotate release nav-1-4-2 -n prod 'release-operator.io/override-reason=<why it ships anyway>'";
const ABORT = "kubectl annotate release nav-1-4-2 -n prod 'release-operator.io/abort=<reason>'";

const baseSettings = (() => {
  const read = readEnvironmentSpec(minimalEnvironment);
  if (!read.ok) throw new Error(`the minimal environment must be valid: ${JSON.stringify(read.issues)}`);
  return read.value;
})();

function settingsWith(approval: { required: boolean; count: number }): ReleaseSettings {
  return {
    environment: { ...baseSettings, approval: { ...baseSettings.approval, ...approval } },
    argsFor: () => [],
  };
}

const criterion = (id: string, critical: boolean, met: boolean): CriterionResult => ({
  id,
  critical,
  met,
  tests: [{ test: `nav.${id}`, status: met ? "passed" : "failed" }],
  message: met ? `${id}: met` : `${id}: nav.${id} failed`,
});

const component = (name: string, counts: Partial<ComponentChanges> = {}): ComponentChanges => ({
  component: name,
  features: 0,
  fixes: 0,
  breaking: 0,
  security: 0,
  other: 0,
  ...counts,
});

function findings(overrides: Partial<ChangeSummaryFindings> = {}): ChangeSummaryFindings {
  return {
    fromTag: "release/1.4.1",
    toRevision: SHA,
    commits: 4,
    tickets: ["NAV-1", "NAV-2", "NAV-3"],
    breaking: false,
    components: [component("nav", { features: 2, fixes: 1 }), component("ui", { other: 1 })],
    breakingChanges: [],
    migrations: [],
    excluded: [],
    ...overrides,
  };
}

const passingProbes: GateProbeResults = {
  at: EVALUATED_AT,
  acceptance: { ok: true, value: [criterion("AC-1", true, true), criterion("AC-2", false, true)] },
  changes: { ok: true, value: { findings: findings(), notes: [] } },
  rollbackImage: { ok: true, value: { image: "registry.example.com/nav/app:1.4.1" } },
  rollbackScript: { ok: true, value: { message: "deploy script deploy.sh supports --rollback" } },
  observability: { ok: true, message: "Prometheus reachable; 1 query valid" },
};

function persistedFrom(probes: Partial<GateProbeResults>, rollbackTarget = "1.4.1"): GateSummary {
  const probed = probedChecks({ ...passingProbes, ...probes }, rollbackTarget);
  return {
    evaluatedAt: EVALUATED_AT,
    checks: probed.checks,
    ...(probed.changes === undefined ? {} : { changes: probed.changes }),
  };
}

const OPENS_AT = new Date("2026-11-25T22:00:00Z");
const allowed: StartPermission = { allowed: true };
const OUTSIDE_MESSAGE = "outside the change windows; the next opens 2026-11-25T22:00:00Z";
const outsideWindow: StartPermission = {
  allowed: false,
  reason: "outside-window",
  opensAt: OPENS_AT,
  message: OUTSIDE_MESSAGE,
};

interface GateCase {
  probes?: Partial<GateProbeResults>;
  persisted?: GateSummary;
  annotations?: Record<string, string>;
  approval?: { required: boolean; count: number };
  permission?: StartPermission;
  /** null: no rollback target resolved. */
  rollbackTarget?: string | null;
  scriptJob?: ScriptJobResult;
  revision?: string;
}

function gate(input: GateCase = {}): GateEvaluation {
  const rollbackTarget = input.rollbackTarget === null ? undefined : (input.rollbackTarget ?? "1.4.1");
  return evaluateGate({
    release: RELEASE,
    environment: "production",
    version: "1.4.2",
    ...(input.revision === undefined ? {} : { revision: input.revision }),
    ...(rollbackTarget === undefined ? {} : { rollbackTarget }),
    settings: settingsWith(input.approval ?? { required: false, count: 1 }),
    persisted: input.persisted ?? persistedFrom(input.probes ?? {}),
    scriptJob: input.scriptJob,
    decisions: readDecisions(input.annotations),
    permission: input.permission ?? allowed,
  });
}

const checkNamed = (evaluation: GateEvaluation, name: string): GateCheck | undefined =>
  evaluation.summary.checks.find((entry) => entry.name === name);

describe("probedChecks: what each probe result becomes", () => {
  it.each<{ situation: string; probes: Partial<GateProbeResults>; name: string; expected: GateCheck }>([
    {
      situation: "every criterion met",
      probes: {},
      name: GATE_CHECKS.acceptance,
      expected: { name: "acceptance", status: "Passed", message: "2 of 2 criteria met" },
    },
    {
      situation: "a non-critical criterion unmet: passed, with the criterion as a risk",
      probes: {
        acceptance: { ok: true, value: [criterion("AC-1", true, true), criterion("AC-2", false, false)] },
      },
      name: GATE_CHECKS.acceptance,
      expected: {
        name: "acceptance",
        status: "Passed",
        message: "1 of 2 criteria met; 1 non-critical unmet",
        risks: ["AC-2: nav.AC-2 failed"],
      },
    },
    {
      situation: "a critical criterion unmet: failed with the criterion's message",
      probes: {
        acceptance: {
          ok: true,
          value: [
            criterion("AC-1", true, false),
            criterion("AC-2", true, false),
            criterion("AC-3", false, false),
          ],
        },
      },
      name: GATE_CHECKS.acceptance,
      expected: {
        name: "acceptance",
        status: "Failed",
        message: "AC-1: nav.AC-1 failed; AC-2: nav.AC-2 failed",
        risks: ["AC-3: nav.AC-3 failed"],
      },
    },
    {
      situation: "the test reports could not be read",
      probes: { acceptance: { ok: false, message: "ConfigMap junit-nav not found" } },
      name: GATE_CHECKS.acceptance,
      expected: { name: "acceptance", status: "Failed", message: "ConfigMap junit-nav not found" },
    },
    {
      situation: "no acceptance criteria configured: skipped, a risk",
      probes: { acceptance: undefined },
      name: GATE_CHECKS.acceptance,
      expected: {
        name: "acceptance",
        status: "Skipped",
        message: "no acceptance criteria configured",
        risks: ["no acceptance criteria: nothing proves this version meets its requirements"],
      },
    },
    {
      situation: "a change summary: counts and range",
      probes: {},
      name: GATE_CHECKS.changes,
      expected: {
        name: "changes",
        status: "Passed",
        message: "4 commits, 3 tickets, 2 components (release/1.4.1..abcdef123456)",
      },
    },
    {
      situation: "a first release with one commit: singular words, from the root commit",
      probes: {
        changes: {
          ok: true,
          value: {
            findings: findings({
              fromTag: undefined,
              commits: 1,
              tickets: ["NAV-1"],
              components: [component("nav")],
            }),
            notes: [],
          },
        },
      },
      name: GATE_CHECKS.changes,
      expected: {
        name: "changes",
        status: "Passed",
        message: "1 commit, 1 ticket, 1 component (the root commit..abcdef123456)",
      },
    },
    {
      situation: "breaking changes, migrations and notes are risks",
      probes: {
        changes: {
          ok: true,
          value: {
            findings: findings({
              breaking: true,
              breakingChanges: ["abc1234 feat!: drop the v1 route API"],
              migrations: ["def5678 add column eta"],
            }),
            notes: ["2 commits excluded by spec.scope.exclude"],
          },
        },
      },
      name: GATE_CHECKS.changes,
      expected: {
        name: "changes",
        status: "Passed",
        message: "4 commits, 3 tickets, 2 components (release/1.4.1..abcdef123456)",
        risks: [
          "breaking change: abc1234 feat!: drop the v1 route API",
          "migration: def5678 add column eta",
          "2 commits excluded by spec.scope.exclude",
        ],
      },
    },
    {
      situation: "git could not be read",
      probes: { changes: { ok: false, message: "tag release/1.4.1 not found in the source repository" } },
      name: GATE_CHECKS.changes,
      expected: {
        name: "changes",
        status: "Failed",
        message: "tag release/1.4.1 not found in the source repository",
      },
    },
    {
      situation: "no source repository: skipped, a risk",
      probes: { changes: undefined },
      name: GATE_CHECKS.changes,
      expected: {
        name: "changes",
        status: "Skipped",
        message: "no source repository configured",
        risks: ["no source repository: the change summary is unknown"],
      },
    },
    {
      situation: "the rollback image is pullable",
      probes: {},
      name: GATE_CHECKS.rollbackImage,
      expected: {
        name: "rollback-image",
        status: "Passed",
        message: "registry.example.com/nav/app:1.4.1 is pullable",
      },
    },
    {
      situation: "the rollback image is missing",
      probes: {
        rollbackImage: { ok: false, message: "registry.example.com/nav/app:1.4.1: manifest unknown" },
      },
      name: GATE_CHECKS.rollbackImage,
      expected: {
        name: "rollback-image",
        status: "Failed",
        message: "registry.example.com/nav/app:1.4.1: manifest unknown",
      },
    },
    {
      situation: "no artifact repository: skipped, a risk",
      probes: { rollbackImage: undefined },
      name: GATE_CHECKS.rollbackImage,
      expected: {
        name: "rollback-image",
        status: "Skipped",
        message: "no artifact repository configured",
        risks: ["no artifact repository: the rollback image is not proven pullable"],
      },
    },
    {
      situation: "the script lives in the image: waiting for the short Job",
      probes: { rollbackScript: { ok: "job" } },
      name: GATE_CHECKS.rollbackScript,
      expected: {
        name: "rollback-script",
        status: "Waiting",
        message: "reading the deploy script in a short Job",
      },
    },
    {
      situation: "the script in a ConfigMap has no --rollback",
      probes: { rollbackScript: { ok: false, message: "deploy script has no --rollback option" } },
      name: GATE_CHECKS.rollbackScript,
      expected: {
        name: "rollback-script",
        status: "Failed",
        message: "deploy script has no --rollback option",
      },
    },
    {
      situation: "Prometheus problems are listed together",
      probes: {
        observability: {
          ok: false,
          problems: ["metric error-rate: parse error at char 7", "Prometheus took 10s"],
        },
      },
      name: GATE_CHECKS.observability,
      expected: {
        name: "observability",
        status: "Failed",
        message: "metric error-rate: parse error at char 7; Prometheus took 10s",
      },
    },
  ])("$situation", ({ probes, name, expected }) => {
    const { checks } = probedChecks({ ...passingProbes, ...probes }, "1.4.1");
    expect(checks.find((entry) => entry.name === name)).toEqual(expected);
  });

  it("the probed checks come in the gate's order, with the change summary beside them", () => {
    const probed = probedChecks(passingProbes, "1.4.1");
    expect(probed.checks.map((entry) => entry.name)).toEqual([
      "acceptance",
      "changes",
      "rollback-image",
      "rollback-script",
      "observability",
    ]);
    expect(probed.changes).toEqual({
      fromTag: "release/1.4.1",
      toRevision: SHA,
      commits: 4,
      tickets: 3,
      ticketKeys: ["NAV-1", "NAV-2", "NAV-3"],
      breaking: false,
      components: findings().components,
      breakingChanges: [],
      migrations: [],
    });
  });

  it("no change summary when git was not read", () => {
    expect(probedChecks({ ...passingProbes, changes: undefined }, "1.4.1").changes).toBeUndefined();
  });
});

describe("approvalState", () => {
  it.each<{
    situation: string;
    policy: { required: boolean; count: number };
    annotations: Record<string, string>;
    satisfied: boolean;
    message: string;
  }>([
    {
      situation: "not required",
      policy: { required: false, count: 1 },
      annotations: {},
      satisfied: true,
      message: "no approval required",
    },
    {
      situation: "count 1, nobody yet",
      policy: { required: true, count: 1 },
      annotations: {},
      satisfied: false,
      message: "waiting for 1 approval",
    },
    {
      situation: "count 1 by approved=true",
      policy: { required: true, count: 1 },
      annotations: { approved: "true" },
      satisfied: true,
      message: "approved (approved=true)",
    },
    {
      situation: "count 1 by the full gate annotation",
      policy: { required: true, count: 1 },
      annotations: { "release-operator.io/gate": "proceed" },
      satisfied: true,
      message: "approved (release-operator.io/gate=proceed)",
    },
    {
      situation: "count 1 by one named approver",
      policy: { required: true, count: 1 },
      annotations: { "approval.release-operator.io/alice": "approved" },
      satisfied: true,
      message: "approved (alice)",
    },
    {
      situation: "count 1, approved=false is no approval",
      policy: { required: true, count: 1 },
      annotations: { approved: "false" },
      satisfied: false,
      message: "waiting for 1 approval",
    },
    {
      situation: "count 1, approved=maybe is no approval",
      policy: { required: true, count: 1 },
      annotations: { approved: "maybe" },
      satisfied: false,
      message: "waiting for 1 approval",
    },
    {
      situation: "count 2, nobody yet",
      policy: { required: true, count: 2 },
      annotations: {},
      satisfied: false,
      message: "waiting for 2 approvals",
    },
    {
      situation: "count 2, one named approver",
      policy: { required: true, count: 2 },
      annotations: { "approval.release-operator.io/alice": "approved" },
      satisfied: false,
      message: "1 of 2 approvals (alice); waiting for 1 more",
    },
    {
      situation: "count 2, the shorthand is not the second approver",
      policy: { required: true, count: 2 },
      annotations: { "approval.release-operator.io/alice": "approved", approved: "true" },
      satisfied: false,
      message: "1 of 2 approvals (alice); waiting for 1 more",
    },
    {
      situation: "count 2, the shorthand alone approves nothing",
      policy: { required: true, count: 2 },
      annotations: { approved: "true" },
      satisfied: false,
      message: "waiting for 2 approvals",
    },
    {
      situation: "count 2, a second approval with an invalid value does not count",
      policy: { required: true, count: 2 },
      annotations: {
        "approval.release-operator.io/alice": "approved",
        "approval.release-operator.io/bob": "yes",
      },
      satisfied: false,
      message: "1 of 2 approvals (alice); waiting for 1 more",
    },
    {
      situation: "count 2, two distinct named approvers",
      policy: { required: true, count: 2 },
      annotations: {
        "approval.release-operator.io/carol": "approved",
        "approval.release-operator.io/alice": "approved",
      },
      satisfied: true,
      message: "approved (alice, carol)",
    },
    {
      situation: "count 3, two approvers",
      policy: { required: true, count: 3 },
      annotations: {
        "approval.release-operator.io/alice": "approved",
        "approval.release-operator.io/carol": "approved",
      },
      satisfied: false,
      message: "2 of 3 approvals (alice, carol); waiting for 1 more",
    },
  ])("$situation", ({ policy, annotations, satisfied, message }) => {
    const state = approvalState(policy, readDecisions(annotations));
    expect(state).toMatchObject({ required: policy.required, satisfied, message });
    expect(state.needed).toBe(policy.required ? policy.count : 0);
  });
});

describe("evaluateGate", () => {
  it("before the probes ran: evaluating, nothing asked", () => {
    expect(gate({ persisted: { checks: [] } })).toEqual({
      summary: { checks: [] },
      state: "evaluating",
      message: "running the gate's checks (acceptance, changes, rollback readiness, observability)",
      overridden: false,
    });
  });

  it("every check in the gate's order, the derived ones between and after the probed ones", () => {
    expect(gate().summary.checks.map((entry) => entry.name)).toEqual([
      "acceptance",
      "changes",
      "rollback-target",
      "rollback-image",
      "rollback-script",
      "observability",
      "change-window",
      "approval",
    ]);
  });

  it("everything passes and no approval is required: passed, nothing blocks, nothing asked", () => {
    const evaluation = gate();
    expect(evaluation).toMatchObject({ state: "passed", message: "gate passed", overridden: false });
    expect(evaluation.pending).toBeUndefined();
    expect(evaluation.summary.blockingIssues).toEqual([]);
    expect(evaluation.summary.openRisks).toEqual([]);
    expect(evaluation.summary.evaluatedAt).toBe(EVALUATED_AT);
    expect(checkNamed(evaluation, "rollback-target")).toEqual({
      name: "rollback-target",
      status: "Passed",
      message: "rollback to 1.4.1",
    });
    expect(checkNamed(evaluation, "change-window")).toEqual({
      name: "change-window",
      status: "Passed",
      message: "no change window restriction",
    });
    expect(checkNamed(evaluation, "approval")).toEqual({
      name: "approval",
      status: "Skipped",
      message: "no approval required",
    });
  });

  describe("acceptance", () => {
    const failingCritical: Partial<GateProbeResults> = {
      acceptance: { ok: true, value: [criterion("AC-1", true, true), criterion("AC-2", true, false)] },
    };

    it("a critical criterion failing: blocked with the criterion's message, asking for an override or abort", () => {
      const evaluation = gate({ probes: failingCritical });
      expect(evaluation.state).toBe("blocked");
      expect(evaluation.message).toBe("blocked: acceptance: AC-2: nav.AC-2 failed");
      expect(evaluation.summary.blockingIssues).toEqual(["acceptance: AC-2: nav.AC-2 failed"]);
      expect(evaluation.overridden).toBe(false);
      expect(evaluation.pending).toEqual({
        kind: "override",
        question: "A critical acceptance criterion is unmet. Ship anyway with a recorded reason, or abort?",
        commands: [OVERRIDE, ABORT],
      });
    });

    it("an override-reason: Overridden, the reason an open risk, the gate passes with an override", () => {
      const evaluation = gate({
        probes: failingCritical,
        annotations: { "release-operator.io/override-reason": "reroute flake tracked in NAV-140" },
      });
      expect(evaluation).toMatchObject({
        state: "passed",
        message: "gate passed with an override",
        overridden: true,
      });
      expect(checkNamed(evaluation, "acceptance")?.status).toBe("Overridden");
      expect(evaluation.summary.blockingIssues).toEqual([]);
      expect(evaluation.summary.openRisks).toEqual([
        "acceptance overridden: reroute flake tracked in NAV-140",
      ]);
    });

    it("an empty override-reason overrides nothing", () => {
      const evaluation = gate({
        probes: failingCritical,
        annotations: { "release-operator.io/override-reason": " " },
      });
      expect(evaluation.state).toBe("blocked");
      expect(evaluation.overridden).toBe(false);
    });

    it("the override removed after it was persisted: blocked again", () => {
      const overridden = gate({
        probes: failingCritical,
        annotations: { "release-operator.io/override-reason": "known flake" },
      });
      const again = gate({ persisted: overridden.summary });
      expect(checkNamed(again, "acceptance")?.status).toBe("Failed");
      expect(again.state).toBe("blocked");
    });

    it("an override when nothing failed changes nothing and adds no risk", () => {
      const evaluation = gate({ annotations: { "release-operator.io/override-reason": "just in case" } });
      expect(evaluation).toMatchObject({ state: "passed", message: "gate passed", overridden: false });
      expect(evaluation.summary.openRisks).toEqual([]);
    });

    it("a non-critical criterion unmet: passed, with a risk", () => {
      const evaluation = gate({
        probes: {
          acceptance: { ok: true, value: [criterion("AC-1", true, true), criterion("AC-9", false, false)] },
        },
      });
      expect(evaluation.state).toBe("passed");
      expect(evaluation.summary.openRisks).toEqual(["AC-9: nav.AC-9 failed"]);
      expect(evaluation.summary.blockingIssues).toEqual([]);
    });
  });

  it.each<{ situation: string; probes: Partial<GateProbeResults>; issue: string }>([
    {
      situation: "test reports unreadable",
      probes: { acceptance: { ok: false, message: "ConfigMap junit-nav not found" } },
      issue: "acceptance: ConfigMap junit-nav not found",
    },
    {
      situation: "git unreadable",
      probes: { changes: { ok: false, message: "git fetch failed: authentication required" } },
      issue: "changes: git fetch failed: authentication required",
    },
    {
      situation: "rollback image not pullable",
      probes: {
        rollbackImage: { ok: false, message: "registry.example.com/nav/app:1.4.1: manifest unknown" },
      },
      issue: "rollback-image: registry.example.com/nav/app:1.4.1: manifest unknown",
    },
    {
      situation: "deploy script without --rollback",
      probes: { rollbackScript: { ok: false, message: "deploy script has no --rollback option" } },
      issue: "rollback-script: deploy script has no --rollback option",
    },
    {
      situation: "Prometheus unreachable",
      probes: { observability: { ok: false, problems: ["Prometheus unreachable: ECONNREFUSED"] } },
      issue: "observability: Prometheus unreachable: ECONNREFUSED",
    },
  ])("a probe failure blocks: $situation -> `$issue`", ({ probes, issue }) => {
    const evaluation = gate({
      probes,
      approval: { required: true, count: 1 },
      annotations: { approved: "true" },
    });
    expect(evaluation.state).toBe("blocked");
    expect(evaluation.summary.blockingIssues).toEqual([issue]);
    expect(evaluation.message).toBe(`blocked: ${issue}`);
  });

  it("a failure other than acceptance asks nobody: an override cannot fix it", () => {
    const evaluation = gate({
      probes: {
        acceptance: { ok: true, value: [criterion("AC-1", true, false)] },
        rollbackImage: { ok: false, message: "manifest unknown" },
      },
    });
    expect(evaluation.summary.blockingIssues).toEqual([
      "acceptance: AC-1: nav.AC-1 failed",
      "rollback-image: manifest unknown",
    ]);
    expect(evaluation.pending).toBeUndefined();
  });

  it("several failures are all listed, in the gate's order", () => {
    const evaluation = gate({
      probes: {
        changes: { ok: false, message: "no tag" },
        observability: { ok: false, problems: ["a", "b"] },
      },
      rollbackTarget: null,
    });
    expect(evaluation.summary.blockingIssues).toEqual([
      "changes: no tag",
      expect.stringMatching(/^rollback-target: no rollback target/),
      "observability: a; b",
    ]);
  });

  it("no rollback target: blocked, saying how to give one", () => {
    const evaluation = gate({ rollbackTarget: null });
    expect(evaluation.state).toBe("blocked");
    expect(evaluation.summary.blockingIssues).toEqual([
      "rollback-target: no rollback target: set spec.rollbackTarget, or release to an Environment whose status.currentVersion is known",
    ]);
    expect(evaluation.pending).toBeUndefined();
  });

  it("nothing configured to check (no criteria, source or artifact): risks, not blockers", () => {
    const evaluation = gate({
      probes: { acceptance: undefined, changes: undefined, rollbackImage: undefined },
    });
    expect(evaluation.state).toBe("passed");
    expect(evaluation.summary.blockingIssues).toEqual([]);
    expect(evaluation.summary.openRisks).toEqual([
      "no acceptance criteria: nothing proves this version meets its requirements",
      "no source repository: the change summary is unknown",
      "no artifact repository: the rollback image is not proven pullable",
    ]);
    expect(
      evaluation.summary.checks.filter((entry) => entry.status === "Skipped").map((entry) => entry.name),
    ).toEqual(["acceptance", "changes", "rollback-image", "approval"]);
  });

  describe("the deploy script read by a short Job", () => {
    const inImage: Partial<GateProbeResults> = { rollbackScript: { ok: "job" } };

    it.each<{ situation: string; scriptJob: ScriptJobResult | undefined }>([
      { situation: "the Job not seen yet", scriptJob: undefined },
      { situation: "the Job still running", scriptJob: { done: false } },
    ])("$situation: still evaluating, even when approved", ({ scriptJob }) => {
      const evaluation = gate({
        probes: inImage,
        approval: { required: true, count: 1 },
        annotations: { approved: "true" },
        ...(scriptJob === undefined ? {} : { scriptJob }),
      });
      expect(evaluation).toMatchObject({
        state: "evaluating",
        message: "reading the deploy script in a short Job",
      });
      expect(checkNamed(evaluation, "rollback-script")?.status).toBe("Waiting");
      expect(evaluation.pending).toBeUndefined();
    });

    it("the Job found --rollback: the check passes with the Job's message", () => {
      const evaluation = gate({
        probes: inImage,
        scriptJob: { done: true, passed: true, message: "deploy script /app/deploy.sh supports --rollback" },
      });
      expect(evaluation.state).toBe("passed");
      expect(checkNamed(evaluation, "rollback-script")).toEqual({
        name: "rollback-script",
        status: "Passed",
        message: "deploy script /app/deploy.sh supports --rollback",
      });
    });

    it("the Job found no --rollback: blocked with the Job's message", () => {
      const evaluation = gate({
        probes: inImage,
        scriptJob: {
          done: true,
          passed: false,
          message: "deploy script /app/deploy.sh has no --rollback option",
        },
      });
      expect(evaluation.state).toBe("blocked");
      expect(evaluation.summary.blockingIssues).toEqual([
        "rollback-script: deploy script /app/deploy.sh has no --rollback option",
      ]);
    });

    it("a blocker elsewhere is reported before the Job ends", () => {
      const evaluation = gate({
        probes: { ...inImage, rollbackImage: { ok: false, message: "manifest unknown" } },
      });
      expect(evaluation.state).toBe("blocked");
    });
  });

  it.each<{ situation: string; gate: GateCase; state: GateState }>([
    {
      situation: "a blocker, no approval, outside the window: blocked",
      gate: {
        probes: { observability: { ok: false, problems: ["down"] } },
        approval: { required: true, count: 1 },
        permission: outsideWindow,
      },
      state: "blocked",
    },
    {
      situation: "no blocker, no approval, outside the window: awaiting approval",
      gate: { approval: { required: true, count: 1 }, permission: outsideWindow },
      state: "awaiting-approval",
    },
    {
      situation: "approved, outside the window: waiting for the window",
      gate: {
        approval: { required: true, count: 1 },
        annotations: { approved: "true" },
        permission: outsideWindow,
      },
      state: "waiting-for-window",
    },
    {
      situation: "approved, inside the window: passed",
      gate: { approval: { required: true, count: 1 }, annotations: { approved: "true" } },
      state: "passed",
    },
  ])("order of states: $situation", ({ gate: input, state }) => {
    expect(gate(input).state).toBe(state);
  });

  it("awaiting one approval: asks for approved=true or false, with the exact commands", () => {
    const evaluation = gate({ approval: { required: true, count: 1 } });
    expect(evaluation.message).toBe("awaiting approval: waiting for 1 approval");
    expect(evaluation.pending).toEqual({
      kind: "gate",
      question: "Release 1.4.2 to production? Read status.gate.text, then proceed or abort.",
      commands: [APPROVE, REJECT],
    });
    expect(checkNamed(evaluation, "approval")).toEqual({
      name: "approval",
      status: "Waiting",
      message: "waiting for 1 approval",
    });
  });

  it("awaiting the second of two approvals: asks each approver to annotate with their own name", () => {
    const evaluation = gate({
      approval: { required: true, count: 2 },
      annotations: { "approval.release-operator.io/alice": "approved" },
    });
    expect(evaluation.message).toBe("awaiting approval: 1 of 2 approvals (alice); waiting for 1 more");
    expect(evaluation.pending).toEqual({
      kind: "approval",
      question:
        "Release 1.4.2 to production? 1 of 2 approvals (alice); waiting for 1 more; each approver annotates with their own user name.",
      commands: [APPROVE_AS, REJECT],
    });
  });

  it("approved but outside the window: says so, and when to look again", () => {
    const evaluation = gate({
      approval: { required: true, count: 1 },
      annotations: { approved: "true" },
      permission: outsideWindow,
    });
    expect(evaluation).toMatchObject({
      state: "waiting-for-window",
      message: `approved; ${OUTSIDE_MESSAGE}`,
      recheckAt: OPENS_AT,
    });
    expect(evaluation.pending).toBeUndefined();
    expect(checkNamed(evaluation, "change-window")?.status).toBe("Waiting");
    expect(evaluation.summary.blockingIssues).toEqual([]);
  });

  it("outside the window with no approval required: only the window's message", () => {
    const evaluation = gate({ permission: outsideWindow });
    expect(evaluation.message).toBe(OUTSIDE_MESSAGE);
  });

  it("inside a window that closes: the check says until when", () => {
    const closesAt = new Date("2026-11-25T16:00:00Z");
    const evaluation = gate({ permission: { allowed: true, closesAt } });
    expect(checkNamed(evaluation, "change-window")).toEqual({
      name: "change-window",
      status: "Passed",
      message: "inside a change window until 2026-11-25T16:00:00.000Z",
    });
  });

  it("evaluating the same inputs twice gives the same summary (nothing accumulates in status)", () => {
    const input: GateCase = {
      probes: { acceptance: { ok: true, value: [criterion("AC-1", true, false)] } },
      annotations: { "release-operator.io/override-reason": "known flake" },
    };
    const first = gate(input);
    const second = gate({ ...input, persisted: first.summary });
    expect(second.summary).toEqual(first.summary);
  });
});

describe("probesDue", () => {
  const interval = 60_000;
  const at = (offsetMs: number): Date => new Date(Date.parse(EVALUATED_AT) + offsetMs);
  const evaluated = (
    probes: Partial<GateProbeResults>,
    overrides: Partial<GateSummary> = {},
  ): GateSummary => ({
    ...persistedFrom(probes),
    ...overrides,
  });

  it.each<{ situation: string; persisted: GateSummary | undefined; now: Date; due: boolean }>([
    { situation: "never run (no gate in status)", persisted: undefined, now: at(0), due: true },
    { situation: "never run (no evaluatedAt)", persisted: { checks: [] }, now: at(0), due: true },
    { situation: "all passed, a day later", persisted: evaluated({}), now: at(86_400_000), due: false },
    {
      situation: "skipped and waiting checks only, much later",
      persisted: evaluated({ acceptance: undefined, rollbackScript: { ok: "job" } }),
      now: at(86_400_000),
      due: false,
    },
    {
      situation: "a probe failed, before the interval",
      persisted: evaluated({ rollbackImage: { ok: false, message: "manifest unknown" } }),
      now: at(interval - 1),
      due: false,
    },
    {
      situation: "a probe failed, at the interval",
      persisted: evaluated({ rollbackImage: { ok: false, message: "manifest unknown" } }),
      now: at(interval),
      due: true,
    },
    {
      situation: "Prometheus failed, long after",
      persisted: evaluated({ observability: { ok: false, problems: ["down"] } }),
      now: at(10 * interval),
      due: true,
    },
    {
      situation: "a critical criterion failed, after the interval (new test reports may have arrived)",
      persisted: evaluated({ acceptance: { ok: true, value: [criterion("AC-1", true, false)] } }),
      now: at(interval),
      due: true,
    },
    {
      situation: "acceptance overridden: nothing to look at again",
      persisted: evaluated(
        {},
        { checks: [{ name: "acceptance", status: "Overridden", message: "AC-1 failed" }] },
      ),
      now: at(10 * interval),
      due: false,
    },
    {
      situation: "only a derived check failed (rollback target): the probes would not change it",
      persisted: evaluated(
        {},
        {
          checks: [
            ...persistedFrom({}).checks,
            { name: "rollback-target", status: "Failed", message: "no rollback target" },
          ],
        },
      ),
      now: at(10 * interval),
      due: false,
    },
  ])("$situation: due=$due", ({ persisted, now, due }) => {
    expect(probesDue(persisted, now, interval)).toBe(due);
  });

  it.each<{ situation: string; persisted: GateSummary | undefined; expected: Date | undefined }>([
    { situation: "never run", persisted: undefined, expected: undefined },
    { situation: "run", persisted: evaluated({}), expected: at(interval) },
  ])("nextProbeAt, $situation", ({ persisted, expected }) => {
    expect(nextProbeAt(persisted, interval)).toEqual(expected);
  });
});

describe("the PRE-RELEASE GATE box", () => {
  const RULE = "══════════════════════════════════════";

  it("a release with changes and a risk, one approval: the reference's form, line by line", () => {
    const evaluation = gate({
      approval: { required: true, count: 1 },
      probes: {
        changes: {
          ok: true,
          value: {
            findings: findings({
              breaking: true,
              components: [
                component("nav", { features: 2, fixes: 1, breaking: 1 }),
                component("ui", { fixes: 2, security: 1, other: 3 }),
                component("docs"),
              ],
              breakingChanges: ["abc1234 feat!: drop the v1 route API"],
            }),
            notes: [],
          },
        },
      },
    });
    expect(evaluation.summary.text?.split("\n")).toEqual([
      RULE,
      "PRE-RELEASE GATE",
      RULE,
      "Target env: production",
      "Target version: 1.4.2 (abcdef123456)",
      "Rollback target: 1.4.1",
      "Changes: 3 tickets, 3 components",
      "- nav: 2 features, 1 fix, 1 breaking",
      "- ui: 2 fixes, 1 security, 3 other",
      "- docs: no changes",
      "Open risks:",
      "  - breaking change: abc1234 feat!: drop the v1 route API",
      "Blocking issues: none",
      RULE,
      `A) Proceed to Strategy Select: ${APPROVE}`,
      `B) Abort: ${REJECT}`,
      "C) Edit release scope: create a new Release with spec.scope.exclude listing the tickets or commits to leave out",
      RULE,
    ]);
  });

  it("a blocked release with nothing known: unknowns said, the blockers listed", () => {
    const evaluation = gate({
      probes: {
        changes: undefined,
        acceptance: undefined,
        rollbackImage: { ok: false, message: "manifest unknown" },
      },
      rollbackTarget: null,
      revision: "release/1.4.2",
    });
    const lines = evaluation.summary.text?.split("\n") ?? [];
    expect(lines.slice(3, 13)).toEqual([
      "Target env: production",
      "Target version: 1.4.2 (release/1.4.2)",
      "Rollback target: none",
      "Changes: unknown",
      "Open risks:",
      "  - no acceptance criteria: nothing proves this version meets its requirements",
      "  - no source repository: the change summary is unknown",
      "Blocking issues:",
      expect.stringMatching(/^ {2}- rollback-target: no rollback target/),
      "  - rollback-image: manifest unknown",
    ]);
  });

  it.each<{ situation: string; gate: GateCase; version: string }>([
    { situation: "the change summary's commit, cut to 12", gate: {}, version: "1.4.2 (abcdef123456)" },
    {
      situation: "no change summary: the spec's revision",
      gate: { probes: { changes: undefined }, revision: "0123abc" },
      version: "1.4.2 (0123abc)",
    },
    {
      situation: "neither",
      gate: { probes: { changes: undefined } },
      version: "1.4.2 (revision unknown)",
    },
  ])("target version: $situation", ({ gate: input, version }) => {
    expect(gate(input).summary.text?.split("\n")).toContain(`Target version: ${version}`);
  });

  it("with two approvals required, A) gives the per-approver command", () => {
    const text = gate({ approval: { required: true, count: 2 } }).summary.text ?? "";
    expect(text.split("\n")).toContain(`A) Proceed to Strategy Select: ${APPROVE_AS}`);
  });

  it("no line ends in whitespace (kubectl's YAML output keeps the box readable as a block)", () => {
    const text =
      gate({
        probes: { acceptance: undefined, rollbackImage: { ok: false, message: "manifest unknown" } },
      }).summary.text ?? "";
    expect(text).not.toBe("");
    expect(text.split("\n").filter((line) => /\s$/.test(line))).toEqual([]);
  });
});
