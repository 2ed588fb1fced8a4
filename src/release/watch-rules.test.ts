import { describe, expect, it } from "vitest";
import {
  breachReason,
  elapsedLabel,
  finite,
  formatRatio,
  judgeMetric,
  type BreachRule,
  type MetricJudgement,
} from "./watch-rules.js";

// The defaults of SPEC 3 (phase 5): error rate hard 2x, latency hard 3x, throughput down, soft 1.5x.
const errorRate: BreachRule = { direction: "up", hardRatio: 2, softRatio: 1.5, floor: 0 };
const latency: BreachRule = { direction: "up", hardRatio: 3, softRatio: 1.5, floor: 0 };
const throughput: BreachRule = { direction: "down", hardRatio: 2, softRatio: 1.5, floor: 0 };
const withFloor = (rule: BreachRule, floor: number): BreachRule => ({ ...rule, floor });

const NO_BASELINE = "no baseline to compare with";
const NEGATIVE = "a negative value or baseline has no ratio; not compared";

describe("judgeMetric", () => {
  it.each<{
    situation: string;
    rule: BreachRule;
    value: number | undefined;
    baseline: number | undefined;
    judgement: MetricJudgement;
  }>([
    // Ratios against the thresholds, direction up.
    {
      situation: "as good as the baseline",
      rule: errorRate,
      value: 0.25,
      baseline: 0.25,
      judgement: { verdict: "ok", ratio: 1 },
    },
    {
      situation: "better than the baseline",
      rule: errorRate,
      value: 0.125,
      baseline: 0.25,
      judgement: { verdict: "ok", ratio: 0.5 },
    },
    {
      situation: "just under the soft ratio",
      rule: errorRate,
      value: 0.37,
      baseline: 0.25,
      judgement: { verdict: "ok", ratio: 1.48 },
    },
    {
      situation: "exactly at the soft ratio: soft",
      rule: errorRate,
      value: 0.375,
      baseline: 0.25,
      judgement: { verdict: "soft", ratio: 1.5 },
    },
    {
      situation: "just under the hard ratio: soft",
      rule: errorRate,
      value: 0.49,
      baseline: 0.25,
      judgement: { verdict: "soft", ratio: 1.96 },
    },
    {
      situation: "exactly at the hard ratio: hard",
      rule: errorRate,
      value: 0.5,
      baseline: 0.25,
      judgement: { verdict: "hard", ratio: 2 },
    },
    {
      situation: "doubled errors, decimal figures: hard at 2.0x",
      rule: errorRate,
      value: 0.02,
      baseline: 0.01,
      judgement: { verdict: "hard", ratio: 2 },
    },
    {
      situation: "latency tripled, decimal figures whose quotient is 2.9999999999999996 in binary: hard",
      rule: latency,
      value: 0.3,
      baseline: 0.1,
      judgement: { verdict: "hard", ratio: expect.closeTo(3, 12) as number },
    },
    {
      situation: "latency doubled: soft under a hard ratio of 3",
      rule: latency,
      value: 0.2,
      baseline: 0.1,
      judgement: { verdict: "soft", ratio: 2 },
    },
    {
      situation: "far past the hard ratio",
      rule: errorRate,
      value: 10,
      baseline: 1,
      judgement: { verdict: "hard", ratio: 10 },
    },

    // Direction down: the ratio is baseline / value.
    {
      situation: "down: throughput halved is 2x worse: hard",
      rule: throughput,
      value: 50,
      baseline: 100,
      judgement: { verdict: "hard", ratio: 2 },
    },
    {
      situation: "down: throughput at two thirds is 1.5x worse: soft",
      rule: throughput,
      value: 60,
      baseline: 90,
      judgement: { verdict: "soft", ratio: 1.5 },
    },
    {
      situation: "down: throughput up is better",
      rule: throughput,
      value: 200,
      baseline: 100,
      judgement: { verdict: "ok", ratio: 0.5 },
    },
    {
      situation: "down: a value ten times higher is not worse",
      rule: withFloor(throughput, 1),
      value: 1000,
      baseline: 100,
      judgement: { verdict: "ok", ratio: 0.1 },
    },
    {
      situation: "down: throughput dropped to zero: infinitely worse",
      rule: throughput,
      value: 0,
      baseline: 100,
      judgement: { verdict: "hard", ratio: Number.POSITIVE_INFINITY },
    },

    // The floor: twice almost nothing is nothing.
    {
      situation: "up: a value under the floor is ok even at 10x",
      rule: withFloor(errorRate, 0.01),
      value: 0.005,
      baseline: 0.0005,
      judgement: { verdict: "ok", message: "under the floor of 0.01" },
    },
    {
      situation: "up: a value exactly at the floor counts",
      rule: withFloor(errorRate, 0.01),
      value: 0.01,
      baseline: 0.001,
      judgement: { verdict: "hard", ratio: 10 },
    },
    {
      situation: "up: a baseline under the floor does not protect a value above it",
      rule: withFloor(errorRate, 0.01),
      value: 0.02,
      baseline: 0.005,
      judgement: { verdict: "hard", ratio: 4 },
    },
    {
      situation: "down: a baseline under the floor is ok however far the value fell",
      rule: withFloor(throughput, 5),
      value: 0.1,
      baseline: 4,
      judgement: { verdict: "ok", message: "under the floor of 5" },
    },
    {
      situation: "down: a baseline above the floor, the value under it: compared",
      rule: withFloor(throughput, 5),
      value: 4,
      baseline: 10,
      judgement: { verdict: "hard", ratio: 2.5 },
    },

    // Zero baselines.
    {
      situation: "a zero baseline, a value above the floor: hard, infinitely worse",
      rule: errorRate,
      value: 0.001,
      baseline: 0,
      judgement: { verdict: "hard", ratio: Number.POSITIVE_INFINITY },
    },
    {
      situation: "a zero baseline, a value under the floor: ok",
      rule: withFloor(errorRate, 0.01),
      value: 0.001,
      baseline: 0,
      judgement: { verdict: "ok", message: "under the floor of 0.01" },
    },
    {
      situation: "both zero: ok",
      rule: errorRate,
      value: 0,
      baseline: 0,
      judgement: { verdict: "ok", ratio: 1 },
    },
    {
      situation: "errors gone (zero) from a non-zero baseline: ok, ratio 0, not 1",
      rule: errorRate,
      value: 0,
      baseline: 0.25,
      judgement: { verdict: "ok", ratio: 0 },
    },

    // No data, no baseline.
    {
      situation: "a NaN value (0/0, no traffic): no data",
      rule: errorRate,
      value: Number.NaN,
      baseline: 0.25,
      judgement: { verdict: "no-data", message: "no data" },
    },
    {
      situation: "no value: no data",
      rule: errorRate,
      value: undefined,
      baseline: 0.25,
      judgement: { verdict: "no-data", message: "no data" },
    },
    {
      situation: "no value and no baseline: no data wins",
      rule: errorRate,
      value: undefined,
      baseline: undefined,
      judgement: { verdict: "no-data", message: "no data" },
    },
    {
      situation: "a NaN baseline: ok, nothing to compare with",
      rule: errorRate,
      value: 10,
      baseline: Number.NaN,
      judgement: { verdict: "ok", message: NO_BASELINE },
    },
    {
      situation: "no baseline: ok, nothing to compare with",
      rule: errorRate,
      value: 10,
      baseline: undefined,
      judgement: { verdict: "ok", message: NO_BASELINE },
    },

    // Infinities and negative numbers.
    {
      situation: "up: a +Inf value (a quantile in the top bucket): hard",
      rule: latency,
      value: Number.POSITIVE_INFINITY,
      baseline: 0.25,
      judgement: { verdict: "hard", ratio: Number.POSITIVE_INFINITY },
    },
    {
      situation: "up: +Inf now and in the baseline: no worse",
      rule: latency,
      value: Number.POSITIVE_INFINITY,
      baseline: Number.POSITIVE_INFINITY,
      judgement: { verdict: "ok", ratio: 1 },
    },
    {
      situation: "up: a +Inf baseline, a finite value: better",
      rule: latency,
      value: 0.25,
      baseline: Number.POSITIVE_INFINITY,
      judgement: { verdict: "ok", ratio: 0 },
    },
    {
      situation: "a negative value: not compared",
      rule: errorRate,
      value: -1,
      baseline: 0.25,
      judgement: { verdict: "ok", message: NEGATIVE },
    },
    {
      situation: "a negative baseline: not compared",
      rule: errorRate,
      value: 10,
      baseline: -0.5,
      judgement: { verdict: "ok", message: NEGATIVE },
    },
    {
      situation: "a -Inf value: not compared",
      rule: throughput,
      value: Number.NEGATIVE_INFINITY,
      baseline: 100,
      judgement: { verdict: "ok", message: NEGATIVE },
    },
  ])("$situation", ({ rule, value, baseline, judgement }) => {
    expect(judgeMetric(rule, value, baseline)).toStrictEqual(judgement);
  });
});

describe("elapsedLabel", () => {
  const start = new Date("2026-11-25T10:00:00Z");
  const after = (ms: number): Date => new Date(start.getTime() + ms);
  it.each([
    { situation: "at the start", at: after(0), label: "T+0s" },
    { situation: "before the start (clock skew)", at: after(-5_000), label: "T+0s" },
    { situation: "under a second", at: after(999), label: "T+0s" },
    { situation: "40 seconds", at: after(40_000), label: "T+40s" },
    { situation: "59.9 seconds", at: after(59_900), label: "T+59s" },
    { situation: "one minute", at: after(60_000), label: "T+1m" },
    { situation: "3m59s: whole minutes, not rounded up", at: after(239_000), label: "T+3m" },
    { situation: "an hour", at: after(3_600_000), label: "T+60m" },
  ])("$situation: $label", ({ at, label }) => {
    expect(elapsedLabel(start, at)).toBe(label);
  });
});

describe("formatRatio", () => {
  it.each([
    { ratio: 2, shown: "2.0x" },
    { ratio: 1, shown: "1.0x" },
    { ratio: 0, shown: "0.0x" },
    { ratio: 2.5, shown: "2.5x" },
    { ratio: 2.46, shown: "2.46x" },
    { ratio: 2.468, shown: "2.46x" },
    // Never rounded up across a threshold: 1.999x is not yet a 2x breach.
    { ratio: 1.999, shown: "1.99x" },
    { ratio: 1.9999999, shown: "1.99x" },
    // Nor down below one it reached: 0.3 / 0.1 counts as 3x, and 2.3 and 1.15 are 229.99999999999997
    // and 114.99999999999999 times 100.
    { ratio: 0.3 / 0.1, shown: "3.0x" },
    { ratio: 2.3, shown: "2.3x" },
    { ratio: 1.15, shown: "1.15x" },
    { ratio: 4.35, shown: "4.35x" },
    { ratio: 1000, shown: "1000.0x" },
    { ratio: Number.POSITIVE_INFINITY, shown: "∞x" },
  ])("shows $ratio as $shown", ({ ratio, shown }) => {
    expect(formatRatio(ratio)).toBe(shown);
  });

  it("shows a ratio at or over the hard ratio exactly when the verdict is hard", () => {
    // Every two-decimal hard ratio from 1.01 to 10.00, and a few large ones, against ratios just under,
    // at and just over it (floating point noise included).
    const thresholds = [
      ...Array.from({ length: 900 }, (_, index) => (index + 101) / 100),
      99.99,
      999.99,
      1000,
    ];
    const disagreements: string[] = [];
    for (const threshold of thresholds) {
      const rule: BreachRule = { direction: "up", hardRatio: threshold, softRatio: 1.001, floor: 0 };
      const ratios = [
        threshold * (1 - 1e-6),
        threshold * (1 - 2e-9),
        threshold * (1 - 5e-10),
        threshold,
        threshold * (1 + 1e-9),
        (threshold * 3) / 3,
        (threshold * 0.1) / 0.1,
        threshold - 0.01,
        threshold + 0.001,
      ];
      for (const value of ratios) {
        const judged = judgeMetric(rule, value, 1);
        const shown = formatRatio(judged.ratio ?? Number.NaN);
        if ((judged.verdict === "hard") !== Number(shown.slice(0, -1)) >= threshold)
          disagreements.push(`${value} is ${judged.verdict} at hard ${threshold}x, shown ${shown}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe("breachReason", () => {
  it.each([
    {
      metric: "error-rate",
      ratio: 2.5,
      elapsed: "T+3m",
      reason: "error-rate breached 2.5x baseline at T+3m",
    },
    { metric: "error-rate", ratio: 2, elapsed: "T+1m", reason: "error-rate breached 2.0x baseline at T+1m" },
    {
      metric: "p99-latency",
      ratio: 3.456,
      elapsed: "T+40s",
      reason: "p99-latency breached 3.45x baseline at T+40s",
    },
    {
      metric: "error-rate",
      ratio: Number.POSITIVE_INFINITY,
      elapsed: "T+2m",
      reason: "error-rate breached ∞x baseline at T+2m",
    },
  ])("$reason", ({ metric, ratio, elapsed, reason }) => {
    expect(breachReason(metric, ratio, elapsed)).toBe(reason);
  });
});

describe("finite", () => {
  it.each([
    { number: 0.25, kept: 0.25 },
    { number: 0, kept: 0 },
    { number: -3, kept: -3 },
    { number: Number.NaN, kept: undefined },
    { number: Number.POSITIVE_INFINITY, kept: undefined },
    { number: Number.NEGATIVE_INFINITY, kept: undefined },
    { number: undefined, kept: undefined },
  ])("keeps $number as $kept", ({ number, kept }) => {
    expect(finite(number)).toBe(kept);
  });
});
