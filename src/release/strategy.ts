// Phase 2, StrategySelect: which strategy fits the change and the environment, and who picked it. Pure.
import type { ChangeSummary, Strategy, StrategyChoice } from "../api/v1alpha1/index.js";

export interface Recommendation {
  strategy: Strategy;
  reason: string;
}

/** Gradual strategies, safest first: a breaking change should reach some traffic before all of it. */
const GRADUAL: readonly Strategy[] = ["canary", "blue-green"];

/**
 * The reference's rule: a breaking change biases toward canary or blue-green where the environment
 * supports one; otherwise the environment's default.
 */
export function recommendStrategy(
  supported: readonly Strategy[],
  defaultStrategy: Strategy,
  changes: ChangeSummary | undefined,
): Recommendation {
  if (changes?.breaking === true) {
    const gradual = GRADUAL.find((strategy) => supported.includes(strategy));
    const breaking =
      changes.breakingChanges?.length ?? changes.components.filter((c) => c.breaking > 0).length;
    const what = `${breaking} breaking change${breaking === 1 ? "" : "s"}`;
    if (gradual !== undefined) {
      return { strategy: gradual, reason: `${what}: ${gradual} limits the blast radius` };
    }
    return {
      strategy: defaultStrategy,
      reason: `${what}, but the environment supports neither canary nor blue-green: ${defaultStrategy} (every user gets the change at once)`,
    };
  }
  if (changes === undefined) {
    return {
      strategy: defaultStrategy,
      reason: `change risk unknown: the environment's default, ${defaultStrategy}`,
    };
  }
  return {
    strategy: defaultStrategy,
    reason: `no breaking change: the environment's default, ${defaultStrategy}`,
  };
}

export type StrategyAnswer =
  | { chosen: true; choice: StrategyChoice }
  | { chosen: false; choice: StrategyChoice; waitingFor: Strategy[] };

/**
 * Who answers, in order: the spec's pre-made choice, a `strategy` decision, the environment's
 * auto-selection of the recommendation. Otherwise the release waits for a human.
 */
export function chooseStrategy(input: {
  recommendation: Recommendation;
  supported: readonly Strategy[];
  preset: Strategy | undefined;
  decided: Strategy | undefined;
  autoSelect: boolean;
}): StrategyAnswer {
  const base: StrategyChoice = {
    recommended: input.recommendation.strategy,
    recommendationReason: input.recommendation.reason,
  };
  if (input.preset !== undefined)
    return { chosen: true, choice: { ...base, chosen: input.preset, source: "spec" } };
  if (input.decided !== undefined && input.supported.includes(input.decided)) {
    return { chosen: true, choice: { ...base, chosen: input.decided, source: "decision" } };
  }
  if (input.autoSelect) {
    return { chosen: true, choice: { ...base, chosen: input.recommendation.strategy, source: "auto" } };
  }
  return { chosen: false, choice: base, waitingFor: [...input.supported] };
}
