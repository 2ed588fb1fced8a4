import { describe, expect, it } from "vitest";

import type { DecisionRecord } from "../api/v1alpha1/index.js";
import {
  MAX_DECISION_RECORDS,
  invalidDecisions,
  readDecisions,
  recordDecisions,
  type Decisions,
} from "./decisions.js";

const GATE_VALID = "valid: true, proceed, false, abort";
const REASON_MISSING = "must give a reason (free text)";
const ESCALATION_VALID = "valid: continue, rollback, extend=<duration> (e.g. extend=15m)";
const STRATEGY_VALID = "valid: all-at-once, blue-green, canary, manual";

/** The one annotation read from a single-annotation object, and what it decided. */
function readSingle(annotation: string, value: string): { decisions: Decisions; invalid?: string } {
  const decisions = readDecisions({ [annotation]: value });
  expect(decisions.read).toHaveLength(1);
  const invalid = decisions.read[0]?.invalid;
  return invalid === undefined ? { decisions } : { decisions, invalid };
}

describe("readDecisions: the gate", () => {
  it.each<{ situation: string; annotation: string; value: string; answer: "proceed" | "abort" }>([
    { situation: "approved=true", annotation: "approved", value: "true", answer: "proceed" },
    { situation: "approved=proceed", annotation: "approved", value: "proceed", answer: "proceed" },
    { situation: "approved=false", annotation: "approved", value: "false", answer: "abort" },
    { situation: "approved=abort", annotation: "approved", value: "abort", answer: "abort" },
    { situation: "upper case is read", annotation: "approved", value: "TRUE", answer: "proceed" },
    { situation: "mixed case is read", annotation: "approved", value: "Proceed", answer: "proceed" },
    {
      situation: "surrounding whitespace is read",
      annotation: "approved",
      value: "  false\n",
      answer: "abort",
    },
    {
      situation: "the full annotation with true",
      annotation: "release-operator.io/gate",
      value: "true",
      answer: "proceed",
    },
    {
      situation: "the full annotation with abort",
      annotation: "release-operator.io/gate",
      value: "abort",
      answer: "abort",
    },
  ])("$situation", ({ annotation, value, answer }) => {
    const { decisions, invalid } = readSingle(annotation, value);
    expect(invalid).toBeUndefined();
    expect(decisions.gate).toEqual({ answer, annotation });
    expect(decisions.read[0]).toEqual({ kind: "gate", annotation, value });
  });

  it.each<{ situation: string; annotation: string; value: string }>([
    { situation: "approved=maybe", annotation: "approved", value: "maybe" },
    { situation: "approved=yes (not one of the four words)", annotation: "approved", value: "yes" },
    { situation: "approved=1", annotation: "approved", value: "1" },
    { situation: "an empty shorthand", annotation: "approved", value: "" },
    { situation: "an empty full annotation", annotation: "release-operator.io/gate", value: "  " },
    { situation: "a word inside a sentence", annotation: "release-operator.io/gate", value: "true please" },
  ])("refused: $situation, naming the valid values", ({ annotation, value }) => {
    const { decisions, invalid } = readSingle(annotation, value);
    expect(decisions.gate).toBeUndefined();
    expect(invalid).toBe(GATE_VALID);
    expect(decisions.read[0]).toMatchObject({ kind: "gate", annotation, value });
  });

  it.each<{ situation: string; annotations: Record<string, string>; answer: "proceed" | "abort" }>([
    {
      situation: "the full annotation says proceed, the shorthand abort",
      annotations: { approved: "false", "release-operator.io/gate": "proceed" },
      answer: "proceed",
    },
    {
      situation: "the full annotation says abort, the shorthand proceed",
      annotations: { approved: "true", "release-operator.io/gate": "abort" },
      answer: "abort",
    },
  ])("release-operator.io/gate wins over approved: $situation", ({ annotations, answer }) => {
    const decisions = readDecisions(annotations);
    expect(decisions.gate).toEqual({ answer, annotation: "release-operator.io/gate" });
    expect(decisions.read.map((read) => read.annotation)).toEqual(["approved", "release-operator.io/gate"]);
  });

  it("an invalid full annotation leaves the valid shorthand in force, and is still reported", () => {
    const decisions = readDecisions({ approved: "true", "release-operator.io/gate": "maybe" });
    expect(decisions.gate).toEqual({ answer: "proceed", annotation: "approved" });
    expect(invalidDecisions(decisions)).toEqual([`release-operator.io/gate="maybe": ${GATE_VALID}`]);
  });
});

describe("readDecisions: approvers", () => {
  it("approvers given in reverse order come out sorted, each once", () => {
    const decisions = readDecisions({
      "approval.release-operator.io/carol": "approved",
      "approval.release-operator.io/alice": "approved",
      "approval.release-operator.io/bob.smith": "approved",
    });
    expect(decisions.approvers).toEqual(["alice", "bob.smith", "carol"]);
    expect(decisions.read.map((read) => read.by)).toEqual(["alice", "bob.smith", "carol"]);
    expect(decisions.read.every((read) => read.kind === "approval" && read.invalid === undefined)).toBe(true);
  });

  it("an approval with whitespace around the value counts, its value kept as written", () => {
    const decisions = readDecisions({ "approval.release-operator.io/alice": " approved\n" });
    expect(decisions.approvers).toEqual(["alice"]);
    expect(decisions.read).toEqual([
      {
        kind: "approval",
        annotation: "approval.release-operator.io/alice",
        value: " approved\n",
        by: "alice",
      },
    ]);
  });

  it.each<{ situation: string; value: string }>([
    { situation: "true instead of approved", value: "true" },
    { situation: "capitalised", value: "Approved" },
    { situation: "empty", value: "" },
  ])("an approval valued $situation does not count and names the valid value", ({ value }) => {
    const decisions = readDecisions({
      "approval.release-operator.io/alice": value,
      "approval.release-operator.io/bob": "approved",
    });
    expect(decisions.approvers).toEqual(["bob"]);
    expect(decisions.read[0]).toEqual({
      kind: "approval",
      annotation: "approval.release-operator.io/alice",
      value,
      by: "alice",
      invalid: "valid: approved",
    });
  });

  it.each<{ situation: string; approver: string }>([
    { situation: "no name at all", approver: "" },
    { situation: "a name starting with a dash", approver: "-alice" },
    { situation: "a name ending with a dot", approver: "alice." },
    { situation: "an e-mail address", approver: "alice@example.com" },
    { situation: "a path", approver: "team/alice" },
    { situation: "a space", approver: "alice smith" },
  ])("an approver key with $situation is refused and counts for nothing", ({ approver }) => {
    const annotation = `approval.release-operator.io/${approver}`;
    const decisions = readDecisions({ [annotation]: "approved" });
    expect(decisions.approvers).toEqual([]);
    expect(decisions.read).toEqual([
      {
        kind: "approval",
        annotation,
        value: "approved",
        invalid: `the approver in the key must be a user name (letters, digits, - _ .); got "${approver}"`,
      },
    ]);
  });
});

describe("readDecisions: reasons (override, skip-watch, abort)", () => {
  it.each<{ situation: string; annotation: string; pick: (decisions: Decisions) => string | undefined }>([
    {
      situation: "override-reason",
      annotation: "release-operator.io/override-reason",
      pick: (decisions) => decisions.override?.reason,
    },
    {
      situation: "skip-watch",
      annotation: "release-operator.io/skip-watch",
      pick: (decisions) => decisions.skipWatch?.reason,
    },
    {
      situation: "abort",
      annotation: "release-operator.io/abort",
      pick: (decisions) => decisions.abort?.reason,
    },
  ])(
    "$situation: a reason is kept trimmed; empty, blank and over-long reasons are refused",
    ({ annotation, pick }) => {
      expect(pick(readDecisions({ [annotation]: "  flake tracked in NAV-140 \n" }))).toBe(
        "flake tracked in NAV-140",
      );
      const longest = "x".repeat(1024);
      expect(pick(readDecisions({ [annotation]: longest }))).toBe(longest);

      for (const [value, message] of [
        ["", REASON_MISSING],
        ["   \t", REASON_MISSING],
        ["x".repeat(1025), "must be at most 1024 characters"],
      ] as const) {
        const { decisions, invalid } = readSingle(annotation, value);
        expect(pick(decisions), JSON.stringify(value)).toBeUndefined();
        expect(invalid, JSON.stringify(value)).toBe(message);
      }
    },
  );

  it("the override is recorded with the annotation that gave it", () => {
    expect(readDecisions({ "release-operator.io/override-reason": "known flake" }).override).toEqual({
      reason: "known flake",
      annotation: "release-operator.io/override-reason",
    });
  });
});

describe("readDecisions: strategy and manual result", () => {
  it.each<{ situation: string; value: string; strategy?: string; invalid?: string }>([
    { situation: "canary", value: "canary", strategy: "canary" },
    { situation: "blue-green", value: "blue-green", strategy: "blue-green" },
    { situation: "all-at-once", value: "all-at-once", strategy: "all-at-once" },
    { situation: "manual", value: "manual", strategy: "manual" },
    { situation: "whitespace around the name", value: " canary\n", strategy: "canary" },
    { situation: "an unknown strategy", value: "rolling", invalid: STRATEGY_VALID },
    { situation: "a capitalised name (names are exact)", value: "Canary", invalid: STRATEGY_VALID },
    { situation: "empty", value: "", invalid: STRATEGY_VALID },
  ])("strategy: $situation", ({ value, strategy, invalid }) => {
    const decisions = readDecisions({ "release-operator.io/strategy": value });
    expect(decisions.strategy).toEqual(
      strategy === undefined ? undefined : { strategy, annotation: "release-operator.io/strategy" },
    );
    // The value is kept as written, for the record.
    expect(decisions.read).toEqual([
      {
        kind: "strategy",
        annotation: "release-operator.io/strategy",
        value,
        ...(invalid === undefined ? {} : { invalid }),
      },
    ]);
  });

  it.each<{ situation: string; value: string; result?: "done" | "failed" }>([
    { situation: "done", value: "done", result: "done" },
    { situation: "failed", value: "failed", result: "failed" },
    { situation: "done with a trailing newline", value: "done\n", result: "done" },
    { situation: "success (not a valid word)", value: "success" },
    { situation: "DONE (names are exact)", value: "DONE" },
  ])("manual-result: $situation", ({ value, result }) => {
    const { decisions, invalid } = readSingle("release-operator.io/manual-result", value);
    expect(decisions.manualResult).toBe(result);
    expect(invalid).toBe(result === undefined ? "valid: done, failed" : undefined);
    expect(decisions.read[0]?.value).toBe(value);
  });
});

describe("readDecisions: escalation", () => {
  it.each<{ situation: string; value: string; answer: Decisions["escalation"] }>([
    { situation: "continue", value: "continue", answer: { kind: "continue" } },
    { situation: "rollback", value: "rollback", answer: { kind: "rollback" } },
    { situation: "rollback with whitespace", value: " rollback ", answer: { kind: "rollback" } },
    { situation: "extend=15m", value: "extend=15m", answer: { kind: "extend", byMs: 900_000, text: "15m" } },
    {
      situation: "extend=1h30m",
      value: "extend=1h30m",
      answer: { kind: "extend", byMs: 5_400_000, text: "1h30m" },
    },
  ])("$situation is accepted", ({ value, answer }) => {
    const { decisions, invalid } = readSingle("release-operator.io/escalation", value);
    expect(invalid).toBeUndefined();
    expect(decisions.escalation).toEqual(answer);
  });

  it.each<{ situation: string; value: string }>([
    { situation: "extend=soon", value: "extend=soon" },
    { situation: "extend with no duration", value: "extend=" },
    { situation: "extend by nothing", value: "extend=0s" },
    { situation: "a bare duration", value: "15m" },
    { situation: "extend without a value", value: "extend" },
    { situation: "an unknown word", value: "wait" },
    { situation: "Continue (names are exact)", value: "Continue" },
  ])("$situation is refused, naming the valid values", ({ value }) => {
    const { decisions, invalid } = readSingle("release-operator.io/escalation", value);
    expect(decisions.escalation).toBeUndefined();
    expect(invalid).toBe(ESCALATION_VALID);
  });
});

describe("readDecisions: what is not a decision", () => {
  it.each<{ situation: string; annotations: Record<string, string> | undefined }>([
    { situation: "no annotations at all", annotations: undefined },
    { situation: "an empty map", annotations: {} },
    {
      situation: "kubectl's last-applied-configuration",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"approved":"true"}' },
    },
    {
      situation: "Argo CD and Flux annotations",
      annotations: {
        "argocd.argoproj.io/sync-wave": "1",
        "kustomize.toolkit.fluxcd.io/reconcile": "disabled",
      },
    },
    {
      situation: "an unknown key in the operator's prefix",
      annotations: { "release-operator.io/approve": "true" },
    },
    { situation: "a look-alike of the shorthand", annotations: { Approved: "true", "approved-by": "alice" } },
  ])("$situation: nothing read, nothing decided", ({ annotations }) => {
    expect(readDecisions(annotations)).toEqual({ approvers: [], read: [] });
  });

  it("decisions beside unrelated annotations are read in key order, the unrelated ones left out", () => {
    const decisions = readDecisions({
      "release-operator.io/strategy": "canary",
      "kubectl.kubernetes.io/last-applied-configuration": "{}",
      approved: "true",
      "approval.release-operator.io/alice": "approved",
    });
    expect(decisions.read.map((read) => read.annotation)).toEqual([
      "approval.release-operator.io/alice",
      "approved",
      "release-operator.io/strategy",
    ]);
  });
});

describe("invalidDecisions", () => {
  it("one line per refused annotation: the annotation, the value as JSON, what is valid", () => {
    const decisions = readDecisions({
      approved: "maybe",
      "release-operator.io/escalation": "extend=soon",
      "release-operator.io/abort": "",
      "release-operator.io/strategy": "canary",
    });
    expect(invalidDecisions(decisions)).toEqual([
      `approved="maybe": ${GATE_VALID}`,
      `release-operator.io/abort="": ${REASON_MISSING}`,
      `release-operator.io/escalation="extend=soon": ${ESCALATION_VALID}`,
    ]);
  });

  it("nothing refused: no lines", () => {
    expect(invalidDecisions(readDecisions({ approved: "true" }))).toEqual([]);
  });
});

describe("recordDecisions", () => {
  const t1 = "2026-11-25T10:00:00Z";
  const t2 = "2026-11-25T10:05:00Z";
  const t3 = "2026-11-25T10:10:00Z";
  const none = new Map<string, string>();

  it("first sight: every annotation is recorded, valid or not, with who and when", () => {
    const decisions = readDecisions({ approved: "maybe", "approval.release-operator.io/alice": "approved" });
    const { records, added } = recordDecisions([], decisions, none, t1);
    expect(added).toEqual([
      {
        kind: "approval",
        annotation: "approval.release-operator.io/alice",
        value: "approved",
        by: "alice",
        at: t1,
        accepted: true,
      },
      {
        kind: "gate",
        annotation: "approved",
        value: "maybe",
        at: t1,
        accepted: false,
        message: `refused: ${GATE_VALID}`,
      },
    ]);
    expect(records).toEqual(added);
  });

  it("the effect given for an accepted annotation is its message", () => {
    const decisions = readDecisions({ approved: "true" });
    const { added } = recordDecisions([], decisions, new Map([["approved", "gate passed"]]), t1);
    expect(added).toEqual([
      { kind: "gate", annotation: "approved", value: "true", at: t1, accepted: true, message: "gate passed" },
    ]);
  });

  it("the same annotation with the same value on the next reconcile: nothing new", () => {
    const decisions = readDecisions({ approved: "true", "release-operator.io/strategy": "canary" });
    const first = recordDecisions([], decisions, none, t1);
    const second = recordDecisions(first.records, decisions, none, t2);
    expect(second.added).toEqual([]);
    expect(second.records).toEqual(first.records);
  });

  it("a changed value is recorded again, the earlier record kept", () => {
    const first = recordDecisions([], readDecisions({ approved: "maybe" }), none, t1);
    const second = recordDecisions(first.records, readDecisions({ approved: "true" }), none, t2);
    expect(second.added).toEqual([
      { kind: "gate", annotation: "approved", value: "true", at: t2, accepted: true },
    ]);
    expect(second.records.map((record) => [record.value, record.accepted, record.at])).toEqual([
      ["maybe", false, t1],
      ["true", true, t2],
    ]);
  });

  it("a value changed back to an earlier one is a new decision and is recorded again", () => {
    const escalation = (value: string): Decisions =>
      readDecisions({ "release-operator.io/escalation": value });
    const first = recordDecisions([], escalation("continue"), none, t1);
    const second = recordDecisions(first.records, escalation("extend=15m"), none, t2);
    const third = recordDecisions(second.records, escalation("continue"), none, t3);
    expect(third.added.map((record) => [record.value, record.at])).toEqual([["continue", t3]]);
    expect(third.records.map((record) => record.value)).toEqual(["continue", "extend=15m", "continue"]);
  });

  it(`caps the log at ${MAX_DECISION_RECORDS}, keeping the newest`, () => {
    const recorded: DecisionRecord[] = Array.from({ length: MAX_DECISION_RECORDS }, (_, index) => ({
      kind: "approval",
      annotation: `approval.release-operator.io/user-${index}`,
      value: "approved",
      by: `user-${index}`,
      at: t1,
      accepted: true,
    }));
    const decisions = readDecisions({
      "approval.release-operator.io/zed": "approved",
      "release-operator.io/abort": "stop",
    });
    const { records, added } = recordDecisions(recorded, decisions, none, t2);
    expect(added).toHaveLength(2);
    expect(records).toHaveLength(MAX_DECISION_RECORDS);
    expect(records[0]?.annotation).toBe("approval.release-operator.io/user-2");
    expect(records.slice(-2)).toEqual(added);
  });
});
