import { describe, expect, it } from "vitest";

import type { Condition } from "../api/v1alpha1/index.js";
import {
  findCondition,
  removeCondition,
  setCondition,
  setConditions,
  type ConditionInput,
} from "./conditions.js";

const EARLIER = "2026-11-25T10:00:00Z";
const NOW = "2026-11-25T10:05:00Z";

const condition = (
  type: string,
  status: Condition["status"],
  overrides: Partial<Condition> = {},
): Condition => ({
  type,
  status,
  observedGeneration: 1,
  lastTransitionTime: EARLIER,
  reason: `${type}Reason`,
  message: `${type} message`,
  ...overrides,
});

const input = (type: string, status: Condition["status"], reason = `${type}Reason`): ConditionInput => ({
  type,
  status,
  reason,
  message: `${type} message`,
});

describe("setCondition: lastTransitionTime", () => {
  it.each<{
    situation: string;
    existing: Condition[];
    set: ConditionInput;
    lastTransitionTime: string;
  }>([
    {
      situation: "a new condition: now",
      existing: [],
      set: input("Ready", "False"),
      lastTransitionTime: NOW,
    },
    {
      situation: "the same status again: kept",
      existing: [condition("Ready", "False")],
      set: input("Ready", "False"),
      lastTransitionTime: EARLIER,
    },
    {
      situation: "the same status with a new reason and message: kept",
      existing: [condition("Ready", "False")],
      set: { type: "Ready", status: "False", reason: "AwaitingApproval", message: "waiting for 1 approval" },
      lastTransitionTime: EARLIER,
    },
    {
      situation: "False to True: moved",
      existing: [condition("Ready", "False")],
      set: input("Ready", "True"),
      lastTransitionTime: NOW,
    },
    {
      situation: "True to Unknown: moved",
      existing: [condition("Ready", "True")],
      set: input("Ready", "Unknown"),
      lastTransitionTime: NOW,
    },
    {
      situation: "another type's status does not count",
      existing: [condition("Stalled", "False")],
      set: input("Ready", "False"),
      lastTransitionTime: NOW,
    },
  ])("$situation", ({ existing, set, lastTransitionTime }) => {
    const result = setCondition(existing, set, 2, NOW);
    expect(findCondition(result, set.type)).toEqual({
      type: set.type,
      status: set.status,
      observedGeneration: 2,
      lastTransitionTime,
      reason: set.reason,
      message: set.message,
    });
  });

  it("no generation known: observedGeneration left out", () => {
    const result = setCondition([condition("Ready", "True")], input("Ready", "True"), undefined, NOW);
    expect(result[0]).not.toHaveProperty("observedGeneration");
  });

  it("one condition per type: setting a type again replaces it", () => {
    const result = setCondition([condition("Ready", "False")], input("Ready", "True"), 1, NOW);
    expect(result.filter((entry) => entry.type === "Ready")).toHaveLength(1);
  });

  it("an over-long message is cut with an ellipsis to 32768 characters", () => {
    const message = "x".repeat(40_000);
    const result = setCondition([], { ...input("Ready", "False"), message }, 1, NOW);
    const cut = result[0]?.message ?? "";
    expect(cut).toHaveLength(32_768);
    expect(cut.endsWith("…")).toBe(true);
  });

  it("a message of exactly 32768 characters is kept whole", () => {
    const message = "y".repeat(32_768);
    expect(setCondition([], { ...input("Ready", "False"), message }, 1, NOW)[0]?.message).toBe(message);
  });

  it("the input list is not changed", () => {
    const existing = [condition("Ready", "False")];
    const copy = structuredClone(existing);
    setCondition(existing, input("Ready", "True"), 2, NOW);
    expect(existing).toEqual(copy);
  });
});

describe("condition order", () => {
  it.each<{ situation: string; existing: Condition[]; set: ConditionInput[]; order: string[] }>([
    {
      situation: "kstatus types set last still come first, Ready, Reconciling, Stalled",
      existing: [],
      set: [
        input("GatePassed", "False"),
        input("Stalled", "True"),
        input("Reconciling", "True"),
        input("Ready", "False"),
      ],
      order: ["Ready", "Reconciling", "Stalled", "GatePassed"],
    },
    {
      situation: "a domain condition added after the kstatus ones goes after them",
      existing: [condition("Ready", "False"), condition("Reconciling", "True")],
      set: [input("DecisionsValid", "True")],
      order: ["Ready", "Reconciling", "DecisionsValid"],
    },
    {
      situation: "Stalled added to Ready and a domain condition goes between them",
      existing: [condition("Ready", "False"), condition("GatePassed", "False")],
      set: [input("Stalled", "True")],
      order: ["Ready", "Stalled", "GatePassed"],
    },
  ])("$situation", ({ existing, set, order }) => {
    const result = set.reduce<Condition[]>((out, entry) => setCondition(out, entry, 1, NOW), existing);
    expect(result.map((entry) => entry.type)).toEqual(order);
  });
});

describe("setConditions", () => {
  const inputs = [
    input("Ready", "False", "AwaitingApproval"),
    input("Reconciling", "True", "AwaitingApproval"),
    input("GatePassed", "False", "AwaitingApproval"),
    input("DecisionsValid", "True", "Valid"),
  ];

  it("absent types are removed, the others set", () => {
    const existing = [
      condition("Ready", "False"),
      condition("Stalled", "True"),
      condition("GatePassed", "False"),
    ];
    const result = setConditions(existing, [input("Ready", "True")], ["Stalled"], 3, NOW);
    expect(result.map((entry) => [entry.type, entry.status])).toEqual([
      ["Ready", "True"],
      ["GatePassed", "False"],
    ]);
    // Untouched conditions are left as they were.
    expect(findCondition(result, "GatePassed")).toEqual(condition("GatePassed", "False"));
  });

  it("setting only some conditions keeps every condition in its place (no reordering to write)", () => {
    const first = setConditions([], inputs, [], 2, EARLIER);
    const second = setConditions(first, [input("GatePassed", "True", "Passed")], [], 2, NOW);
    expect(second.map((entry) => entry.type)).toEqual([
      "Ready",
      "Reconciling",
      "GatePassed",
      "DecisionsValid",
    ]);
  });

  it("re-reconciling an unchanged object: the same conditions, nothing to write", () => {
    const first = setConditions([], inputs, ["Stalled"], 2, EARLIER);
    const second = setConditions(first, inputs, ["Stalled"], 2, NOW);
    expect(second).toEqual(first);
  });

  it("only the condition whose status changed gets a new time", () => {
    const first = setConditions([], inputs, [], 2, EARLIER);
    const changed = inputs.map((entry) =>
      entry.type === "GatePassed" ? input("GatePassed", "True", "Passed") : entry,
    );
    const second = setConditions(first, changed, [], 2, NOW);
    expect(second.map((entry) => [entry.type, entry.lastTransitionTime])).toEqual([
      ["Ready", EARLIER],
      ["Reconciling", EARLIER],
      ["GatePassed", NOW],
      ["DecisionsValid", EARLIER],
    ]);
  });

  it("a removed condition that comes back transitions now", () => {
    const first = setConditions([], [input("Stalled", "True")], [], 1, EARLIER);
    const gone = setConditions(first, [], ["Stalled"], 1, EARLIER);
    expect(gone).toEqual([]);
    const back = setConditions(gone, [input("Stalled", "True")], [], 1, NOW);
    expect(back[0]?.lastTransitionTime).toBe(NOW);
  });
});

describe("removeCondition and findCondition", () => {
  const existing = [condition("Ready", "True"), condition("GatePassed", "True")];

  it.each<{ situation: string; type: string; remaining: string[] }>([
    { situation: "a present type is removed", type: "GatePassed", remaining: ["Ready"] },
    { situation: "an absent type changes nothing", type: "Stalled", remaining: ["Ready", "GatePassed"] },
  ])("removeCondition: $situation", ({ type, remaining }) => {
    expect(removeCondition(existing, type).map((entry) => entry.type)).toEqual(remaining);
  });

  it.each<{ situation: string; conditions: Condition[] | undefined; type: string; found: boolean }>([
    { situation: "present", conditions: existing, type: "Ready", found: true },
    { situation: "absent", conditions: existing, type: "Stalled", found: false },
    { situation: "no conditions at all", conditions: undefined, type: "Ready", found: false },
  ])("findCondition: $situation", ({ conditions, type, found }) => {
    expect(findCondition(conditions, type)).toEqual(found ? condition(type, "True") : undefined);
  });
});
