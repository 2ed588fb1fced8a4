// What the humans said: the decision annotations on a Release (SPEC section 4), each read through zod.
// Pure. An invalid value is reported with the values that are valid and changes nothing; the phases
// decide what a valid value means where they are.
import { z } from "zod";
import {
  ANNOTATIONS,
  APPROVER_ANNOTATION_PREFIX,
  parseDuration,
  STRATEGIES,
  type DecisionKind,
  type DecisionRecord,
  type Strategy,
} from "../api/v1alpha1/index.js";

export type GateAnswer = "proceed" | "abort";
export type EscalationAnswer =
  { kind: "continue" } | { kind: "rollback" } | { kind: "extend"; byMs: number; text: string };

/** One annotation as read: which decision it gives, and whether its value is one the operator accepts. */
export interface ReadAnnotation {
  kind: DecisionKind;
  annotation: string;
  value: string;
  /** The approver an `approval.release-operator.io/<approver>` annotation names. */
  by?: string;
  /** Why the value is refused and what is valid; absent when it is valid. */
  invalid?: string;
}

export interface Decisions {
  gate?: { answer: GateAnswer; annotation: string };
  /** Distinct approvers who approved, sorted. */
  approvers: string[];
  override?: { reason: string; annotation: string };
  strategy?: { strategy: Strategy; annotation: string };
  manualResult?: "done" | "failed";
  escalation?: EscalationAnswer;
  skipWatch?: { reason: string };
  abort?: { reason: string };
  /** Every decision annotation present, valid or not, in a stable order. */
  read: ReadAnnotation[];
}

const MAX_REASON = 1024;

const reason = z
  .string()
  .trim()
  .min(1, { error: () => "must give a reason (free text)" })
  .max(MAX_REASON, { error: () => `must be at most ${MAX_REASON} characters` });

const GATE_VALUES = { true: "proceed", proceed: "proceed", false: "abort", abort: "abort" } as const;

const gateAnswer = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(["true", "proceed", "false", "abort"], { error: () => "valid: true, proceed, false, abort" }))
  .transform((value) => GATE_VALUES[value]);

const approval = z.literal("approved", { error: () => "valid: approved" });

const strategy = z.enum(STRATEGIES, { error: () => `valid: ${STRATEGIES.join(", ")}` });

const manualResult = z.enum(["done", "failed"], { error: () => "valid: done, failed" });

const ESCALATION_VALID = "valid: continue, rollback, extend=<duration> (e.g. extend=15m)";

const escalation = z.string().transform((value, ctx): EscalationAnswer => {
  const trimmed = value.trim();
  if (trimmed === "continue" || trimmed === "rollback") return { kind: trimmed };
  const extend = /^extend=(.+)$/.exec(trimmed);
  const byMs = extend?.[1] === undefined ? undefined : parseDuration(extend[1]);
  if (extend?.[1] !== undefined && byMs !== undefined && byMs > 0) {
    return { kind: "extend", byMs, text: extend[1] };
  }
  ctx.addIssue({ code: "custom", message: ESCALATION_VALID });
  return z.NEVER;
});

/** An `escalation` annotation's value as the operator reads it, or undefined when it is invalid. */
export function readEscalation(value: string): EscalationAnswer | undefined {
  const parsed = escalation.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** An approver's name as it appears in the annotation key: a Kubernetes user name made key-safe. */
const APPROVER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? "invalid";
}

function readOne<T>(
  kind: DecisionKind,
  annotation: string,
  value: string,
  schema: z.ZodType<T>,
): { read: ReadAnnotation; value?: T } {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { read: { kind, annotation, value }, value: parsed.data }
    : { read: { kind, annotation, value, invalid: firstMessage(parsed.error) } };
}

/** Reads every decision annotation of a Release. Annotations that are not decisions are ignored. */
export function readDecisions(annotations: Readonly<Record<string, string>> | undefined): Decisions {
  const decisions: Decisions = { approvers: [], read: [] };
  const all = annotations ?? {};
  const keys = Object.keys(all).sort();
  let gateFromShorthand: { answer: GateAnswer; annotation: string } | undefined;

  for (const annotation of keys) {
    const value = all[annotation] ?? "";
    switch (annotation) {
      case ANNOTATIONS.approvedShorthand:
      case ANNOTATIONS.gate: {
        const { read, value: answer } = readOne("gate", annotation, value, gateAnswer);
        decisions.read.push(read);
        if (answer === undefined) break;
        // The full annotation wins over the shorthand when both are set.
        if (annotation === ANNOTATIONS.gate) decisions.gate = { answer, annotation };
        else gateFromShorthand = { answer, annotation };
        break;
      }
      case ANNOTATIONS.overrideReason: {
        const { read, value: text } = readOne("override", annotation, value, reason);
        decisions.read.push(read);
        if (text !== undefined) decisions.override = { reason: text, annotation };
        break;
      }
      case ANNOTATIONS.strategy: {
        const { read, value: chosen } = readOne("strategy", annotation, value.trim(), strategy);
        decisions.read.push({ ...read, value });
        if (chosen !== undefined) decisions.strategy = { strategy: chosen, annotation };
        break;
      }
      case ANNOTATIONS.manualResult: {
        const { read, value: result } = readOne("manual-result", annotation, value.trim(), manualResult);
        decisions.read.push({ ...read, value });
        if (result !== undefined) decisions.manualResult = result;
        break;
      }
      case ANNOTATIONS.escalation: {
        const { read, value: answer } = readOne("escalation", annotation, value, escalation);
        decisions.read.push(read);
        if (answer !== undefined) decisions.escalation = answer;
        break;
      }
      case ANNOTATIONS.skipWatch: {
        const { read, value: text } = readOne("skip-watch", annotation, value, reason);
        decisions.read.push(read);
        if (text !== undefined) decisions.skipWatch = { reason: text };
        break;
      }
      case ANNOTATIONS.abort: {
        const { read, value: text } = readOne("abort", annotation, value, reason);
        decisions.read.push(read);
        if (text !== undefined) decisions.abort = { reason: text };
        break;
      }
      default: {
        if (!annotation.startsWith(APPROVER_ANNOTATION_PREFIX)) break;
        const approver = annotation.slice(APPROVER_ANNOTATION_PREFIX.length);
        if (!APPROVER_NAME.test(approver)) {
          decisions.read.push({
            kind: "approval",
            annotation,
            value,
            invalid: `the approver in the key must be a user name (letters, digits, - _ .); got "${approver}"`,
          });
          break;
        }
        const { read, value: approved } = readOne("approval", annotation, value.trim(), approval);
        decisions.read.push({ ...read, value, by: approver });
        if (approved !== undefined && !decisions.approvers.includes(approver))
          decisions.approvers.push(approver);
      }
    }
  }
  decisions.gate ??= gateFromShorthand;
  decisions.approvers.sort();
  return decisions;
}

/** The annotations whose values the operator refuses, as one line each: `<annotation>=<value>: <what is valid>`. */
export function invalidDecisions(decisions: Decisions): string[] {
  return decisions.read
    .filter((read) => read.invalid !== undefined)
    .map((read) => `${read.annotation}=${JSON.stringify(read.value)}: ${read.invalid ?? ""}`);
}

export const MAX_DECISION_RECORDS = 64;

/**
 * The decision log with every annotation not yet recorded appended (an annotation counts as new when
 * its value changed). Returns the new records too, so each is announced once.
 */
export function recordDecisions(
  recorded: readonly DecisionRecord[],
  decisions: Decisions,
  effects: ReadonlyMap<string, string>,
  at: string,
): { records: DecisionRecord[]; added: DecisionRecord[] } {
  // Compared with the value last recorded for the annotation, not with every value it ever had: a
  // change back to an earlier value (continue -> extend=15m -> continue) is a new decision too.
  const lastRecorded = new Map(recorded.map((record) => [record.annotation, record.value]));
  const added: DecisionRecord[] = [];
  for (const read of decisions.read) {
    if (lastRecorded.get(read.annotation) === read.value) continue;
    const effect = effects.get(read.annotation);
    added.push({
      kind: read.kind,
      annotation: read.annotation,
      value: read.value,
      ...(read.by === undefined ? {} : { by: read.by }),
      at,
      accepted: read.invalid === undefined,
      ...(read.invalid !== undefined
        ? { message: `refused: ${read.invalid}` }
        : effect === undefined
          ? {}
          : { message: effect }),
    });
  }
  const records = [...recorded, ...added];
  return { records: records.slice(Math.max(0, records.length - MAX_DECISION_RECORDS)), added };
}
