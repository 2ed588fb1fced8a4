// Status conditions in the metav1.Condition shape. Pure. A condition's lastTransitionTime moves only
// when its status does, so re-reconciling an unchanged object writes nothing.
import type { Condition } from "../api/v1alpha1/index.js";

export type ConditionStatus = Condition["status"];

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

const MAX_MESSAGE = 32_768;

/** The conditions with `input` set, keeping lastTransitionTime when the status did not change. */
export function setCondition(
  conditions: readonly Condition[],
  input: ConditionInput,
  generation: number | undefined,
  now: string,
): Condition[] {
  const existing = conditions.find((condition) => condition.type === input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    lastTransitionTime: existing?.status === input.status ? existing.lastTransitionTime : now,
    reason: input.reason,
    message:
      input.message.length > MAX_MESSAGE ? `${input.message.slice(0, MAX_MESSAGE - 1)}…` : input.message,
  };
  // Replaced in place: moving an updated condition to the end would reorder the list on every
  // reconcile that sets only some of them, and a reordered list is a status write that changes nothing.
  const at = conditions.findIndex((condition) => condition.type === input.type);
  const updated =
    at === -1
      ? [...conditions, next]
      : [
          ...conditions.slice(0, at),
          next,
          ...conditions.slice(at + 1).filter((condition) => condition.type !== input.type),
        ];
  return updated.sort((a, b) => conditionOrder(a.type) - conditionOrder(b.type));
}

export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((condition) => condition.type !== type);
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** kstatus conditions first, so `kubectl describe` shows the summary before the details. */
const ORDER = ["Ready", "Reconciling", "Stalled"];

function conditionOrder(type: string): number {
  const index = ORDER.indexOf(type);
  return index === -1 ? ORDER.length : index;
}

/** Applies several inputs in order; types listed in `absent` are removed. */
export function setConditions(
  conditions: readonly Condition[],
  inputs: readonly ConditionInput[],
  absent: readonly string[],
  generation: number | undefined,
  now: string,
): Condition[] {
  let out = conditions.filter((condition) => !absent.includes(condition.type));
  for (const input of inputs) out = setCondition(out, input, generation, now);
  return out;
}
