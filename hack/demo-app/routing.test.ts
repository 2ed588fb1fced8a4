import { describe, expect, it } from "vitest";
import {
  jitteredLatencyMs,
  LATENCY_JITTER,
  pickVersion,
  seededRandom,
  spendErrorBudget,
  type Share,
} from "./routing.js";

function pickMany(shares: readonly Share[], count: number): string[] {
  let counters: readonly number[] = shares.map(() => 0);
  const picked: string[] = [];
  for (let index = 0; index < count; index++) {
    const next = pickVersion(shares, counters);
    counters = next.counters;
    picked.push(shares[next.index]?.version ?? "?");
  }
  return picked;
}

function countOf(picked: readonly string[], version: string): number {
  return picked.filter((name) => name === version).length;
}

describe("pickVersion: traffic split by weight", () => {
  const cases: { name: string; shares: Share[]; picks: number; expected: Record<string, number> }[] = [
    {
      name: "one version takes everything",
      shares: [{ version: "a", weight: 100 }],
      picks: 10,
      expected: { a: 10 },
    },
    {
      name: "a 50% canary gets every other request",
      shares: [
        { version: "stable", weight: 50 },
        { version: "canary", weight: 50 },
      ],
      picks: 100,
      expected: { stable: 50, canary: 50 },
    },
    {
      name: "a 10% canary gets one request in ten",
      shares: [
        { version: "stable", weight: 90 },
        { version: "canary", weight: 10 },
      ],
      picks: 200,
      expected: { stable: 180, canary: 20 },
    },
    {
      name: "an idle blue-green version (0%) gets nothing",
      shares: [
        { version: "blue", weight: 100 },
        { version: "green", weight: 0 },
      ],
      picks: 50,
      expected: { blue: 50, green: 0 },
    },
    {
      name: "a canary at 100% leaves the stable version nothing",
      shares: [
        { version: "stable", weight: 0 },
        { version: "canary", weight: 100 },
      ],
      picks: 50,
      expected: { stable: 0, canary: 50 },
    },
    {
      name: "a fractional weight (2.5%) is honoured over 400 picks",
      shares: [
        { version: "stable", weight: 97.5 },
        { version: "canary", weight: 2.5 },
      ],
      picks: 400,
      expected: { stable: 390, canary: 10 },
    },
  ];
  it.each(cases)("$name", ({ shares, picks, expected }) => {
    const picked = pickMany(shares, picks);
    for (const [version, count] of Object.entries(expected)) expect(countOf(picked, version)).toBe(count);
  });

  it("interleaves versions rather than serving them in blocks", () => {
    const picked = pickMany(
      [
        { version: "stable", weight: 50 },
        { version: "canary", weight: 50 },
      ],
      20,
    );
    for (let index = 1; index < picked.length; index++) expect(picked[index]).not.toBe(picked[index - 1]);
  });

  it("stays within one request of the exact share at every point", () => {
    const picked = pickMany(
      [
        { version: "stable", weight: 70 },
        { version: "canary", weight: 30 },
      ],
      300,
    );
    picked.forEach((_, index) => {
      const canaries = countOf(picked.slice(0, index + 1), "canary");
      expect(Math.abs(canaries - (index + 1) * 0.3)).toBeLessThanOrEqual(1);
    });
  });

  it("refuses a split where no version has traffic", () => {
    expect(() => pickVersion([{ version: "a", weight: 0 }], [0])).toThrow(/weights sum to 0/);
  });
});

describe("spendErrorBudget: errors at the table's rate, evenly spread", () => {
  function failures(errorRate: number, requests: number): number[] {
    let budget = 0;
    const failed: number[] = [];
    for (let index = 0; index < requests; index++) {
      const spent = spendErrorBudget(budget, errorRate);
      budget = spent.budget;
      if (spent.fails) failed.push(index);
    }
    return failed;
  }

  it.each([
    { name: "a good version (2%) fails 1 in 50", errorRate: 0.02, requests: 1000, expected: 20 },
    { name: "errors doubled (5%) fails 1 in 20", errorRate: 0.05, requests: 1000, expected: 50 },
    { name: "errors soft (3.5%) fails 35 in 1000", errorRate: 0.035, requests: 1000, expected: 35 },
    { name: "a perfect version never fails", errorRate: 0, requests: 1000, expected: 0 },
    { name: "a broken version always fails", errorRate: 1, requests: 100, expected: 100 },
  ])("$name", ({ errorRate, requests, expected }) => {
    expect(failures(errorRate, requests)).toHaveLength(expected);
  });

  it("spaces a 2% version's errors exactly 50 requests apart (no float drift)", () => {
    const failed = failures(0.02, 1000);
    const gaps = failed.slice(1).map((at, index) => at - (failed[index] ?? 0));
    expect(new Set(gaps)).toEqual(new Set([50]));
  });

  it("keeps the observed ratio of any 300-request window within one error of the rate", () => {
    const failed = failures(0.05, 3000);
    for (let start = 0; start + 300 <= 3000; start += 100) {
      const inWindow = failed.filter((at) => at >= start && at < start + 300).length;
      expect(Math.abs(inWindow - 15)).toBeLessThanOrEqual(1);
    }
  });
});

describe("latency jitter", () => {
  it.each([
    { random: 0, expected: 40 * (1 - LATENCY_JITTER) },
    { random: 0.5, expected: 40 },
    { random: 0.999999, expected: 40 * (1 + LATENCY_JITTER) },
  ])("maps $random onto the median ± the jitter", ({ random, expected }) => {
    expect(jitteredLatencyMs(40, random)).toBeCloseTo(expected, 3);
  });

  it("draws the same sequence from the same seed, within [0, 1), centred on 0.5", () => {
    const first = seededRandom(7);
    const second = seededRandom(7);
    const draws = Array.from({ length: 2000 }, () => first());
    expect(Array.from({ length: 2000 }, () => second())).toEqual(draws);
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(seededRandom(8)()).not.toBe(draws[0]);
  });
});
