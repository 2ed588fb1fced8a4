// Phase 1, PreReleaseGate: the checks of the reference's gate, what blocks, what is only a risk, and
// the PRE-RELEASE GATE box an approver reads. Pure. The external checks (git, registry, Prometheus,
// test reports) arrive as probe results; everything that depends on time or on decisions is derived
// again at every reconcile from what status holds.
import type {
  ChangeSummary,
  CheckStatus,
  GateCheck,
  GateSummary,
  PendingDecision,
  ReleaseSettings,
} from "../api/v1alpha1/index.js";
import type { ChangeSummaryFindings } from "../providers/git/classify.js";
import type { CriterionResult } from "../providers/junit/junit.js";
import {
  abortCommand,
  approveAsCommand,
  approveCommand,
  overrideCommand,
  rejectCommand,
  type ReleaseRef,
} from "./commands.js";
import type { Decisions } from "./decisions.js";
import type { StartPermission } from "./schedule.js";

/** The names of the gate's checks, in the order they are shown. */
export const GATE_CHECKS = {
  acceptance: "acceptance",
  changes: "changes",
  rollbackTarget: "rollback-target",
  rollbackImage: "rollback-image",
  rollbackScript: "rollback-script",
  observability: "observability",
  changeWindow: "change-window",
  approval: "approval",
} as const;

/** Checks whose result comes from an external system and is kept in status between reconciles. */
const PROBED: readonly string[] = [
  GATE_CHECKS.acceptance,
  GATE_CHECKS.changes,
  GATE_CHECKS.rollbackImage,
  GATE_CHECKS.rollbackScript,
  GATE_CHECKS.observability,
];

export type ProbeOutcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** What the external checks found, at one time. `undefined` means the environment configures nothing to check. */
export interface GateProbeResults {
  at: string;
  acceptance: ProbeOutcome<CriterionResult[]> | undefined;
  changes: ProbeOutcome<{ findings: ChangeSummaryFindings; notes: string[] }> | undefined;
  rollbackImage: ProbeOutcome<{ image: string }> | undefined;
  /** `job`: the script lives in the image, so a short Job reads it; its result arrives with the Job. */
  rollbackScript: ProbeOutcome<{ message: string }> | { ok: "job" };
  observability: { ok: true; message: string } | { ok: false; problems: string[] };
}

const check = (name: string, status: CheckStatus, message: string, risks: string[] = []): GateCheck => ({
  name,
  status,
  message,
  ...(risks.length === 0 ? {} : { risks: risks.slice(0, 16) }),
});

function acceptanceCheck(outcome: GateProbeResults["acceptance"]): GateCheck {
  if (outcome === undefined) {
    return check(GATE_CHECKS.acceptance, "Skipped", "no acceptance criteria configured", [
      "no acceptance criteria: nothing proves this version meets its requirements",
    ]);
  }
  if (!outcome.ok) return check(GATE_CHECKS.acceptance, "Failed", outcome.message);
  const criteria = outcome.value;
  const unmetCritical = criteria.filter((criterion) => criterion.critical && !criterion.met);
  const unmetOther = criteria.filter((criterion) => !criterion.critical && !criterion.met);
  const risks = unmetOther.map((criterion) => criterion.message);
  if (unmetCritical.length > 0) {
    return check(
      GATE_CHECKS.acceptance,
      "Failed",
      unmetCritical.map((criterion) => criterion.message).join("; "),
      risks,
    );
  }
  const met = criteria.length - unmetOther.length;
  return check(
    GATE_CHECKS.acceptance,
    "Passed",
    `${met} of ${criteria.length} criteria met${unmetOther.length > 0 ? `; ${unmetOther.length} non-critical unmet` : ""}`,
    risks,
  );
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function changeSummaryOf(findings: ChangeSummaryFindings): ChangeSummary {
  return {
    ...(findings.fromTag === undefined ? {} : { fromTag: findings.fromTag }),
    toRevision: findings.toRevision,
    commits: findings.commits,
    tickets: findings.tickets.length,
    ticketKeys: findings.tickets.slice(0, 128),
    breaking: findings.breaking,
    components: findings.components.slice(0, 64),
    breakingChanges: findings.breakingChanges.slice(0, 16),
    migrations: findings.migrations.slice(0, 16),
  };
}

function changesCheck(outcome: GateProbeResults["changes"]): { check: GateCheck; changes?: ChangeSummary } {
  if (outcome === undefined) {
    return {
      check: check(GATE_CHECKS.changes, "Skipped", "no source repository configured", [
        "no source repository: the change summary is unknown",
      ]),
    };
  }
  if (!outcome.ok) return { check: check(GATE_CHECKS.changes, "Failed", outcome.message) };
  const { findings, notes } = outcome.value;
  const risks = [
    ...findings.breakingChanges.map((change) => `breaking change: ${change}`),
    ...findings.migrations.map((change) => `migration: ${change}`),
    ...notes,
  ];
  const range = `${findings.fromTag ?? "the root commit"}..${findings.toRevision.slice(0, 12)}`;
  return {
    check: check(
      GATE_CHECKS.changes,
      "Passed",
      `${plural(findings.commits, "commit")}, ${plural(findings.tickets.length, "ticket")}, ${plural(findings.components.length, "component")} (${range})`,
      risks,
    ),
    changes: changeSummaryOf(findings),
  };
}

function outcomeCheck(
  name: string,
  outcome: ProbeOutcome<unknown> | undefined,
  passed: string,
  skipped: { message: string; risk: string },
): GateCheck {
  if (outcome === undefined) return check(name, "Skipped", skipped.message, [skipped.risk]);
  return outcome.ok ? check(name, "Passed", passed) : check(name, "Failed", outcome.message);
}

/** The checks the probes answer, and the change summary, as status keeps them. */
export function probedChecks(
  probes: GateProbeResults,
  rollbackTarget: string | undefined,
): { checks: GateCheck[]; changes?: ChangeSummary } {
  const changes = changesCheck(probes.changes);
  const image =
    probes.rollbackImage?.ok === true ? probes.rollbackImage.value.image : `version ${rollbackTarget ?? "?"}`;
  const script = probes.rollbackScript;
  return {
    checks: [
      acceptanceCheck(probes.acceptance),
      changes.check,
      outcomeCheck(GATE_CHECKS.rollbackImage, probes.rollbackImage, `${image} is pullable`, {
        message: "no artifact repository configured",
        risk: "no artifact repository: the rollback image is not proven pullable",
      }),
      script.ok === "job"
        ? check(GATE_CHECKS.rollbackScript, "Waiting", "reading the deploy script in a short Job")
        : script.ok
          ? check(GATE_CHECKS.rollbackScript, "Passed", script.value.message)
          : check(GATE_CHECKS.rollbackScript, "Failed", script.message),
      probes.observability.ok
        ? check(GATE_CHECKS.observability, "Passed", probes.observability.message)
        : check(GATE_CHECKS.observability, "Failed", probes.observability.problems.join("; ")),
    ],
    ...(changes.changes === undefined ? {} : { changes: changes.changes }),
  };
}

/** How the short Job that reads the deploy script ended, when it has. */
export type ScriptJobResult = { done: false } | { done: true; passed: boolean; message: string };

export interface ApprovalState {
  required: boolean;
  satisfied: boolean;
  needed: number;
  approvers: string[];
  message: string;
}

/**
 * Approvals: `count` distinct named approvers (`approval.release-operator.io/<user>`), each proven by
 * the admission policy; with a count of one, the gate's own `approved=true` is that approval.
 */
export function approvalState(
  policy: { required: boolean; count: number },
  decisions: Decisions,
): ApprovalState {
  const approvers = decisions.approvers;
  const needed = policy.count;
  if (!policy.required) {
    return { required: false, satisfied: true, needed: 0, approvers, message: "no approval required" };
  }
  const byGate = needed === 1 && approvers.length === 0 && decisions.gate?.answer === "proceed";
  if (approvers.length >= needed || byGate) {
    const gate = decisions.gate?.annotation ?? "approved";
    const given = decisions.read.find((read) => read.annotation === gate)?.value ?? "true";
    const who = byGate ? `${gate}=${given}` : approvers.join(", ");
    return { required: true, satisfied: true, needed, approvers, message: `approved (${who})` };
  }
  return {
    required: true,
    satisfied: false,
    needed,
    approvers,
    message:
      approvers.length === 0
        ? `waiting for ${plural(needed, "approval")}`
        : `${approvers.length} of ${needed} approvals (${approvers.join(", ")}); waiting for ${needed - approvers.length} more`,
  };
}

export type GateState = "evaluating" | "blocked" | "awaiting-approval" | "waiting-for-window" | "passed";

export interface GateEvaluation {
  summary: GateSummary;
  state: GateState;
  /** One line: why the gate is where it is. */
  message: string;
  overridden: boolean;
  /** What a human is asked, when one is (without `since`: the caller keeps it stable). */
  pending?: Omit<PendingDecision, "since">;
  /** When the gate should look again by itself. */
  recheckAt?: Date;
}

export interface GateInputs {
  release: ReleaseRef;
  environment: string;
  version: string;
  revision?: string;
  rollbackTarget?: string;
  settings: ReleaseSettings;
  /** What status holds: the probed checks, the change summary, when they ran. */
  persisted: GateSummary | undefined;
  scriptJob: ScriptJobResult | undefined;
  decisions: Decisions;
  permission: StartPermission;
}

/** The gate as of now: probed checks as kept, the others derived; what blocks; what is asked. */
export function evaluateGate(input: GateInputs): GateEvaluation {
  const { persisted, decisions, settings } = input;
  if (persisted?.evaluatedAt === undefined) {
    return {
      summary: { checks: [] },
      state: "evaluating",
      message: "running the gate's checks (acceptance, changes, rollback readiness, observability)",
      overridden: false,
    };
  }
  const kept = persisted.checks.filter((entry) => PROBED.includes(entry.name));
  const checks: GateCheck[] = [];
  let overridden = false;
  for (const entry of kept) {
    if (
      entry.name === GATE_CHECKS.acceptance &&
      (entry.status === "Failed" || entry.status === "Overridden")
    ) {
      if (decisions.override !== undefined) {
        overridden = true;
        checks.push({ ...entry, status: "Overridden" });
      } else {
        checks.push({ ...entry, status: "Failed" });
      }
      continue;
    }
    if (entry.name === GATE_CHECKS.rollbackScript && input.scriptJob?.done === true) {
      checks.push(
        check(
          GATE_CHECKS.rollbackScript,
          input.scriptJob.passed ? "Passed" : "Failed",
          input.scriptJob.message,
        ),
      );
      continue;
    }
    checks.push(entry);
  }
  const target = input.rollbackTarget;
  checks.splice(
    2,
    0,
    target === undefined
      ? check(
          GATE_CHECKS.rollbackTarget,
          "Failed",
          `no rollback target: set spec.rollbackTarget, or release to an Environment whose status.currentVersion is known`,
        )
      : check(GATE_CHECKS.rollbackTarget, "Passed", `rollback to ${target}`),
  );
  const permission = input.permission;
  checks.push(
    permission.allowed
      ? check(GATE_CHECKS.changeWindow, "Passed", windowMessage(permission.closesAt))
      : check(GATE_CHECKS.changeWindow, "Waiting", permission.message),
  );
  const approval = approvalState(settings.environment.approval, decisions);
  checks.push(
    check(
      GATE_CHECKS.approval,
      !approval.required ? "Skipped" : approval.satisfied ? "Passed" : "Waiting",
      approval.message,
    ),
  );

  const blockingIssues = checks
    .filter((entry) => entry.status === "Failed")
    .map((entry) => `${entry.name}: ${entry.message ?? "failed"}`);
  const openRisks = [
    ...checks.flatMap((entry) => entry.risks ?? []),
    ...(overridden && decisions.override !== undefined
      ? [`acceptance overridden: ${decisions.override.reason}`]
      : []),
  ].slice(0, 32);
  const waitingOnJob = checks.some(
    (entry) => entry.status === "Waiting" && entry.name === GATE_CHECKS.rollbackScript,
  );

  const base = { ...persisted, checks, openRisks, blockingIssues: blockingIssues.slice(0, 32) };
  const summary: GateSummary = { ...base, text: renderGateBox({ ...input, summary: base, approval }) };

  if (blockingIssues.length > 0) {
    const acceptanceOnly = checks.every(
      (entry) => entry.status !== "Failed" || entry.name === GATE_CHECKS.acceptance,
    );
    return {
      summary,
      state: "blocked",
      message: `blocked: ${blockingIssues.join("; ")}`,
      overridden,
      ...(acceptanceOnly
        ? {
            pending: {
              kind: "override",
              question: `A critical acceptance criterion is unmet. Ship anyway with a recorded reason, or abort?`,
              commands: [overrideCommand(input.release), abortCommand(input.release)],
            },
          }
        : {}),
    };
  }
  if (waitingOnJob) {
    return { summary, state: "evaluating", message: "reading the deploy script in a short Job", overridden };
  }
  if (!approval.satisfied) {
    const multi = approval.needed > 1;
    return {
      summary,
      state: "awaiting-approval",
      message: `awaiting approval: ${approval.message}`,
      overridden,
      pending: {
        kind: multi ? "approval" : "gate",
        question: multi
          ? `Release ${input.version} to ${input.environment}? ${approval.message}; each approver annotates with their own user name.`
          : `Release ${input.version} to ${input.environment}? Read status.gate.text, then proceed or abort.`,
        commands: multi
          ? [approveAsCommand(input.release), rejectCommand(input.release)]
          : [approveCommand(input.release), rejectCommand(input.release)],
      },
    };
  }
  if (!permission.allowed) {
    return {
      summary,
      state: "waiting-for-window",
      message: `${approval.required ? "approved; " : ""}${permission.message}`,
      overridden,
      recheckAt: permission.opensAt,
    };
  }
  return {
    summary,
    state: "passed",
    message: overridden ? "gate passed with an override" : "gate passed",
    overridden,
  };
}

function windowMessage(closesAt: Date | undefined): string {
  return closesAt === undefined
    ? "no change window restriction"
    : `inside a change window until ${closesAt.toISOString()}`;
}

/** When the probes should run again: never while they all passed, every `intervalMs` while one failed. */
export function probesDue(persisted: GateSummary | undefined, now: Date, intervalMs: number): boolean {
  if (persisted?.evaluatedAt === undefined) return true;
  const failed = persisted.checks.some(
    (entry) =>
      PROBED.includes(entry.name) && entry.name !== GATE_CHECKS.acceptance && entry.status === "Failed",
  );
  const acceptanceFailed = persisted.checks.some(
    (entry) => entry.name === GATE_CHECKS.acceptance && entry.status === "Failed",
  );
  if (!failed && !acceptanceFailed) return false;
  return now.getTime() - Date.parse(persisted.evaluatedAt) >= intervalMs;
}

/** When a failed probe will be retried, for the requeue. */
export function nextProbeAt(persisted: GateSummary | undefined, intervalMs: number): Date | undefined {
  if (persisted?.evaluatedAt === undefined) return undefined;
  return new Date(Date.parse(persisted.evaluatedAt) + intervalMs);
}

const RULE = "══════════════════════════════════════";

function componentLine(component: ChangeSummary["components"][number]): string {
  const parts = [
    component.features > 0 ? plural(component.features, "feature") : "",
    component.fixes > 0 ? plural(component.fixes, "fix").replace("fixs", "fixes") : "",
    component.breaking > 0 ? `${component.breaking} breaking` : "",
    component.security > 0 ? `${component.security} security` : "",
    component.other > 0 ? `${component.other} other` : "",
  ].filter((part) => part !== "");
  return `- ${component.component}: ${parts.join(", ") || "no changes"}`;
}

// No trailing space before the list: a line ending in a space makes kubectl's YAML output print the
// whole box as one escaped, quoted string instead of a readable block.
function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? " none" : `\n${items.map((item) => `  - ${item}`).join("\n")}`;
}

/** The reference's PRE-RELEASE GATE box, with the commands that answer it. */
export function renderGateBox(input: GateInputs & { summary: GateSummary; approval: ApprovalState }): string {
  const { summary, release } = input;
  const changes = summary.changes;
  const sha = changes?.toRevision?.slice(0, 12) ?? input.revision ?? "revision unknown";
  const lines = [
    RULE,
    "PRE-RELEASE GATE",
    RULE,
    `Target env: ${input.environment}`,
    `Target version: ${input.version} (${sha})`,
    `Rollback target: ${input.rollbackTarget ?? "none"}`,
    changes === undefined
      ? "Changes: unknown"
      : `Changes: ${plural(changes.tickets ?? 0, "ticket")}, ${plural(changes.components.length, "component")}`,
    ...(changes?.components.map(componentLine) ?? []),
    `Open risks:${listOrNone(summary.openRisks ?? [])}`,
    `Blocking issues:${listOrNone(summary.blockingIssues ?? [])}`,
    RULE,
    `A) Proceed to Strategy Select: ${input.approval.needed > 1 ? approveAsCommand(release) : approveCommand(release)}`,
    `B) Abort: ${rejectCommand(release)}`,
    `C) Edit release scope: create a new Release with spec.scope.exclude listing the tickets or commits to leave out`,
    RULE,
  ];
  return lines.join("\n");
}
