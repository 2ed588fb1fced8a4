import { describe, expect, it } from "vitest";
import {
  applyCommand,
  HISTORY_LIMIT,
  initialState,
  sharesOf,
  weightsOf,
  type Command,
  type DemoState,
  type Deployment,
} from "./state.js";

const NOW = new Date("2026-03-02T10:00:00Z");

function state(deployment: Deployment): DemoState {
  return { ...deployment, history: [] };
}

const stableOnly = state({ stable: "1.4.1" });
const afterRelease = state({ stable: "1.4.2", previousStable: "1.4.1" });
const canary = state({
  stable: "1.4.1",
  candidate: { version: "1.4.3", weight: 10 },
  previousStable: "1.4.0",
});
const blueGreen = state({ stable: "1.4.1", candidate: { version: "1.4.2", weight: 0 } });

interface Case {
  readonly name: string;
  readonly from: DemoState;
  readonly command: Command;
  readonly expected: Deployment;
  readonly summary: string;
}

const cases: Case[] = [
  {
    name: "all-at-once: the new version takes all traffic, the old one becomes the rollback target",
    from: stableOnly,
    command: { action: "deploy", version: "1.4.2", strategy: "all-at-once" },
    expected: { stable: "1.4.2", previousStable: "1.4.1" },
    summary: "Deployed 1.4.2 to all traffic",
  },
  {
    name: "all-at-once of the stable version repairs the split but keeps the rollback target",
    from: state({ ...canary, candidate: { version: "1.4.3", weight: 40 } }),
    command: { action: "deploy", version: "1.4.1", strategy: "all-at-once" },
    expected: { stable: "1.4.1", previousStable: "1.4.0" },
    summary: "Deployed 1.4.1 to all traffic",
  },
  {
    name: "all-at-once during a canary replaces both versions",
    from: canary,
    command: { action: "deploy", version: "1.4.2", strategy: "all-at-once" },
    expected: { stable: "1.4.2", previousStable: "1.4.1" },
    summary: "Deployed 1.4.2 to all traffic",
  },
  {
    name: "canary: the new version gets its weight next to the stable one",
    from: stableOnly,
    command: { action: "deploy", version: "1.4.3", strategy: "canary", weight: 25 },
    expected: { stable: "1.4.1", candidate: { version: "1.4.3", weight: 25 } },
    summary: "Canary 1.4.3 at 25% next to 1.4.1",
  },
  {
    name: "canary of another version replaces the one in flight",
    from: canary,
    command: { action: "deploy", version: "1.4.4", strategy: "canary", weight: 5 },
    expected: { stable: "1.4.1", candidate: { version: "1.4.4", weight: 5 }, previousStable: "1.4.0" },
    summary: "Canary 1.4.4 at 5% next to 1.4.1",
  },
  {
    name: "blue-green: the new version is deployed idle at 0%",
    from: stableOnly,
    command: { action: "deploy", version: "1.4.2", strategy: "blue-green" },
    expected: { stable: "1.4.1", candidate: { version: "1.4.2", weight: 0 } },
    summary: "Deployed 1.4.2 idle (blue-green, 0%) next to 1.4.1",
  },
  {
    name: "set-weight moves the canary",
    from: canary,
    command: { action: "set-weight", weight: 50 },
    expected: { stable: "1.4.1", candidate: { version: "1.4.3", weight: 50 }, previousStable: "1.4.0" },
    summary: "Set 1.4.3 to 50% next to 1.4.1",
  },
  {
    name: "promote: the canary takes all traffic, the old stable becomes the rollback target",
    from: canary,
    command: { action: "promote" },
    expected: { stable: "1.4.3", previousStable: "1.4.1" },
    summary: "Promoted 1.4.3 to all traffic, replacing 1.4.1",
  },
  {
    name: "promote naming the version in flight: the blue-green switch",
    from: blueGreen,
    command: { action: "promote", version: "1.4.2" },
    expected: { stable: "1.4.2", previousStable: "1.4.1" },
    summary: "Promoted 1.4.2 to all traffic, replacing 1.4.1",
  },
  {
    name: "rollback during a canary abandons the canary and keeps the rollback target",
    from: canary,
    command: { action: "rollback" },
    expected: { stable: "1.4.1", previousStable: "1.4.0" },
    summary: "Rolled back 1.4.3; 1.4.1 takes all traffic",
  },
  {
    name: "rollback after an all-at-once release returns to the previous stable version",
    from: afterRelease,
    command: { action: "rollback" },
    expected: { stable: "1.4.1" },
    summary: "Rolled back 1.4.2 to 1.4.1",
  },
  {
    name: "rollback to a named version sends it all traffic and forgets the bad version",
    from: canary,
    command: { action: "rollback", version: "1.4.0" },
    expected: { stable: "1.4.0" },
    summary: "Rolled back 1.4.1 (90%) and 1.4.3 (10%) to 1.4.0",
  },
  {
    name: "rollback naming the stable version during a canary abandons the canary",
    from: canary,
    command: { action: "rollback", version: "1.4.1" },
    expected: { stable: "1.4.1", previousStable: "1.4.0" },
    summary: "Rolled back 1.4.3; 1.4.1 takes all traffic",
  },
  {
    name: "rollback naming the version that already runs alone changes nothing",
    from: afterRelease,
    command: { action: "rollback", version: "1.4.2" },
    expected: { stable: "1.4.2", previousStable: "1.4.1" },
    summary: "Rolled back to 1.4.2, which already took all traffic",
  },
  {
    name: "restore sets exactly the deployment given",
    from: canary,
    command: {
      action: "restore",
      deployment: { stable: "1.4.5", candidate: { version: "1.4.6", weight: 30 } },
    },
    expected: { stable: "1.4.5", candidate: { version: "1.4.6", weight: 30 } },
    summary: "Restored 1.4.5 (70%) and 1.4.6 (30%)",
  },
];

describe("applyCommand: each admin operation", () => {
  it.each(cases)("$name", ({ from, command, expected, summary }) => {
    const result = applyCommand(from, command, NOW);
    if (!result.ok) throw new Error(`expected success, got: ${result.error}`);
    const { history, ...deployment } = result.state;
    expect(deployment).toEqual(expected);
    expect(history.at(-1)).toEqual({
      at: NOW.toISOString(),
      action: command.action,
      summary,
      weights: weightsOf(expected),
    });
  });
});

describe("applyCommand: right request, wrong moment (409)", () => {
  it.each([
    {
      name: "a canary of the stable version",
      from: stableOnly,
      command: { action: "deploy", version: "1.4.1", strategy: "canary", weight: 10 } as const,
      error: /1\.4\.1 is already the stable version/,
    },
    {
      name: "a blue-green deploy of the stable version",
      from: stableOnly,
      command: { action: "deploy", version: "1.4.1", strategy: "blue-green" } as const,
      error: /1\.4\.1 is already the stable version.*blue-green/,
    },
    {
      name: "a weight with no release in flight",
      from: stableOnly,
      command: { action: "set-weight", weight: 50 } as const,
      error: /no release in flight \(only 1\.4\.1 runs\)/,
    },
    {
      name: "promote with nothing in flight",
      from: afterRelease,
      command: { action: "promote" } as const,
      error: /no release in flight to promote/,
    },
    {
      name: "promote naming a version that is not in flight",
      from: canary,
      command: { action: "promote", version: "1.4.4" } as const,
      error: /cannot promote 1\.4\.4: the version in flight is 1\.4\.3/,
    },
    {
      name: "rollback with nothing in flight and no earlier version",
      from: stableOnly,
      command: { action: "rollback" } as const,
      error: /nothing to roll back to.*name a version/,
    },
  ])("$name", ({ from, command, error }) => {
    const result = applyCommand(from, command, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe("the state's split and history", () => {
  it("derives weights that always sum to 100, stable first", () => {
    expect(sharesOf(canary)).toEqual([
      { version: "1.4.1", weight: 90 },
      { version: "1.4.3", weight: 10 },
    ]);
    expect(weightsOf(blueGreen)).toEqual({ "1.4.1": 100, "1.4.2": 0 });
    expect(weightsOf(initialState("1.4.1"))).toEqual({ "1.4.1": 100 });
  });

  it(`keeps only the last ${HISTORY_LIMIT} operations`, () => {
    let current: DemoState = stableOnly;
    for (let index = 0; index < HISTORY_LIMIT + 5; index++) {
      const version = index % 2 === 0 ? "1.4.2" : "1.4.1";
      const result = applyCommand(current, { action: "deploy", version, strategy: "all-at-once" }, NOW);
      if (!result.ok) throw new Error(result.error);
      current = result.state;
    }
    expect(current.history).toHaveLength(HISTORY_LIMIT);
  });

  it("does not change the state it was given", () => {
    const before = structuredClone(canary);
    applyCommand(canary, { action: "promote" }, NOW);
    expect(canary).toEqual(before);
  });
});
