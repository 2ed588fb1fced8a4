import { describe, expect, it } from "vitest";

import type { ChangeSummary, ComponentChanges, Strategy } from "../api/v1alpha1/index.js";
import { chooseStrategy, recommendStrategy, type Recommendation, type StrategyAnswer } from "./strategy.js";

const component = (name: string, breaking: number): ComponentChanges => ({
  component: name,
  features: 1,
  fixes: 0,
  breaking,
  security: 0,
  other: 0,
});

const noBreaking: ChangeSummary = {
  commits: 3,
  breaking: false,
  components: [component("nav", 0)],
  breakingChanges: [],
};
const oneBreaking: ChangeSummary = {
  commits: 3,
  breaking: true,
  components: [component("nav", 1)],
  breakingChanges: ["abc1234 feat!: drop the v1 route API"],
};
const twoBreakingUnlisted: ChangeSummary = {
  commits: 5,
  breaking: true,
  components: [component("nav", 1), component("ui", 2), component("docs", 0)],
};

describe("recommendStrategy", () => {
  it.each<{
    situation: string;
    supported: Strategy[];
    defaultStrategy: Strategy;
    changes: ChangeSummary | undefined;
    expected: Recommendation;
  }>([
    {
      situation: "breaking change, canary supported: canary",
      supported: ["all-at-once", "blue-green", "canary"],
      defaultStrategy: "all-at-once",
      changes: oneBreaking,
      expected: { strategy: "canary", reason: "1 breaking change: canary limits the blast radius" },
    },
    {
      situation: "breaking change, only blue-green among the gradual ones: blue-green",
      supported: ["all-at-once", "blue-green"],
      defaultStrategy: "all-at-once",
      changes: oneBreaking,
      expected: { strategy: "blue-green", reason: "1 breaking change: blue-green limits the blast radius" },
    },
    {
      situation: "breaking change, neither supported: the default, the risk said",
      supported: ["all-at-once", "manual"],
      defaultStrategy: "all-at-once",
      changes: oneBreaking,
      expected: {
        strategy: "all-at-once",
        reason:
          "1 breaking change, but the environment supports neither canary nor blue-green: all-at-once (every user gets the change at once)",
      },
    },
    {
      situation: "breaking changes not listed by commit: counted from the components that have one",
      supported: ["canary"],
      defaultStrategy: "canary",
      changes: twoBreakingUnlisted,
      expected: { strategy: "canary", reason: "2 breaking changes: canary limits the blast radius" },
    },
    {
      situation: "no breaking change: the default, even where canary is supported",
      supported: ["all-at-once", "canary"],
      defaultStrategy: "all-at-once",
      changes: noBreaking,
      expected: {
        strategy: "all-at-once",
        reason: "no breaking change: the environment's default, all-at-once",
      },
    },
    {
      situation: "changes unknown (no source repository): the default, saying the risk is unknown",
      supported: ["all-at-once", "canary"],
      defaultStrategy: "all-at-once",
      changes: undefined,
      expected: {
        strategy: "all-at-once",
        reason: "change risk unknown: the environment's default, all-at-once",
      },
    },
  ])("$situation", ({ supported, defaultStrategy, changes, expected }) => {
    expect(recommendStrategy(supported, defaultStrategy, changes)).toEqual(expected);
  });
});

describe("chooseStrategy: spec, then decision, then auto, then wait", () => {
  const recommendation: Recommendation = {
    strategy: "canary",
    reason: "1 breaking change: canary limits the blast radius",
  };
  const supported: Strategy[] = ["all-at-once", "blue-green", "canary"];
  const base = { recommended: "canary", recommendationReason: recommendation.reason } as const;

  it.each<{
    situation: string;
    preset?: Strategy;
    decided?: Strategy;
    autoSelect: boolean;
    expected: StrategyAnswer;
  }>([
    {
      situation: "a preset spec.strategy wins over a decision and auto-selection",
      preset: "blue-green",
      decided: "all-at-once",
      autoSelect: true,
      expected: { chosen: true, choice: { ...base, chosen: "blue-green", source: "spec" } },
    },
    {
      situation: "a supported decision wins over auto-selection",
      decided: "all-at-once",
      autoSelect: true,
      expected: { chosen: true, choice: { ...base, chosen: "all-at-once", source: "decision" } },
    },
    {
      situation: "a decision the environment does not support is passed over for auto-selection",
      decided: "manual",
      autoSelect: true,
      expected: { chosen: true, choice: { ...base, chosen: "canary", source: "auto" } },
    },
    {
      situation: "a decision the environment does not support, no auto-selection: still waiting",
      decided: "manual",
      autoSelect: false,
      expected: { chosen: false, choice: base, waitingFor: supported },
    },
    {
      situation: "auto-selection takes the recommendation",
      autoSelect: true,
      expected: { chosen: true, choice: { ...base, chosen: "canary", source: "auto" } },
    },
    {
      situation: "nobody answered: waiting, offering every supported strategy",
      autoSelect: false,
      expected: { chosen: false, choice: base, waitingFor: supported },
    },
  ])("$situation", ({ preset, decided, autoSelect, expected }) => {
    expect(chooseStrategy({ recommendation, supported, preset, decided, autoSelect })).toEqual(expected);
  });

  it("the strategies waited for are a copy: changing them leaves the environment's list alone", () => {
    const list: Strategy[] = ["canary"];
    const answer = chooseStrategy({
      recommendation,
      supported: list,
      preset: undefined,
      decided: undefined,
      autoSelect: false,
    });
    if (answer.chosen) throw new Error("expected a wait");
    answer.waitingFor.push("manual");
    expect(list).toEqual(["canary"]);
  });
});
