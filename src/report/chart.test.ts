import { describe, expect, it } from "vitest";

import { METRIC_DEFAULTS, type MetricSettings, type MetricSnapshot } from "../api/v1alpha1/index.js";
import { judgeMetric, type BreachRule } from "../release/watch-rules.js";
import { MAX_CHART_POINTS, mermaidText, metricChart, plainNumber, thresholdFor } from "./chart.js";
import type { SeriesEntry } from "./watch-series.js";

/** A number as xychart's grammar reads one: no exponent, no NaN. */
const MERMAID_NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

interface ParsedChart {
  title: string;
  labels: string[];
  axis: { label: string; min: number; max: number };
  lines: Record<string, number[]>;
  caption: string;
}

const unquote = (text: string): string => {
  expect(text).toMatch(/^"[^"\n]*"$/);
  return text.slice(1, -1);
};

/** The chart read back the way xychart-beta's grammar reads it; fails on anything it would refuse. */
function parseChart(markdown: readonly string[]): ParsedChart {
  const open = markdown.indexOf("```mermaid");
  const close = markdown.indexOf("```", open + 1);
  expect(open).toBeGreaterThanOrEqual(0);
  expect(close).toBeGreaterThan(open);
  const body = markdown.slice(open + 1, close);
  expect(body[0]).toMatch(/^%%\{init: .*\}%%$/);
  expect(body[1]).toBe("xychart-beta");
  const chart: ParsedChart = {
    title: "",
    labels: [],
    axis: { label: "", min: 0, max: 0 },
    lines: {},
    caption: "",
  };
  const numbers = (list: string): number[] =>
    list.split(", ").map((text) => {
      expect(text).toMatch(MERMAID_NUMBER);
      return Number(text);
    });
  for (const line of body.slice(2)) {
    const title = /^ {2}title (.*)$/.exec(line);
    const xAxis = /^ {2}x-axis \[(.*)\]$/.exec(line);
    const yAxis = /^ {2}y-axis ("[^"]*") (\S+) --> (\S+)$/.exec(line);
    const plot = /^ {2}line ("[^"]*") \[(.*)\]$/.exec(line);
    if (title !== null) chart.title = unquote(title[1] ?? "");
    else if (xAxis !== null) chart.labels = (xAxis[1] ?? "").split(", ").map(unquote);
    else if (yAxis !== null) {
      const [min, max] = numbers(`${yAxis[2] ?? ""}, ${yAxis[3] ?? ""}`);
      chart.axis = { label: unquote(yAxis[1] ?? ""), min: min ?? Number.NaN, max: max ?? Number.NaN };
    } else if (plot !== null) chart.lines[unquote(plot[1] ?? "")] = numbers(plot[2] ?? "");
    else throw new Error(`not a statement of the chart: ${line}`);
  }
  for (const values of Object.values(chart.lines)) {
    expect(values).toHaveLength(chart.labels.length);
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(chart.axis.min);
      expect(value).toBeLessThanOrEqual(chart.axis.max);
    }
  }
  chart.caption = markdown.slice(close + 1).join("\n");
  return chart;
}

const at = (index: number): string => new Date(Date.UTC(2026, 10, 25, 10, index)).toISOString();

/** A window of `values` of one metric, `error-rate` unless named, each against `baseline`. */
function window(
  values: readonly (number | undefined)[],
  baseline: number | undefined | ((index: number) => number | undefined),
  metric = "error-rate",
): SeriesEntry[] {
  return values.map((value, index) => {
    const base = typeof baseline === "function" ? baseline(index) : baseline;
    const reading: MetricSnapshot =
      value === undefined
        ? { metric, verdict: "no-data", message: "no data" }
        : { metric, value, ...(base === undefined ? {} : { baseline: base }), verdict: "ok" };
    return { interval: index + 1, at: at(index), elapsed: `T+${index + 1}m`, metrics: [reading] };
  });
}

/** error-rate's defaults: up is worse, soft from 1.5x, hard from 2x. */
const settingsOf = (overrides: Partial<MetricSettings>): MetricSettings => ({
  name: "error-rate",
  query: "sum(rate(errors[1m]))",
  kind: "error-rate",
  ...METRIC_DEFAULTS["error-rate"],
  floor: 0,
  ...overrides,
});

describe("plainNumber: four significant digits Mermaid can read", () => {
  it.each<[number, string]>([
    [0, "0"],
    [-0, "0"],
    [0.017, "0.017"],
    [66.666666, "66.67"],
    [123456, "123500"],
    [1e-7, "0.0000001"],
    [1.5e-7, "0.00000015"],
    [2.5e21, "2500000000000000000000"],
    [-0.000123, "-0.000123"],
  ])("%s -> %s", (value, text) => {
    expect(plainNumber(value)).toBe(text);
    expect(text).toMatch(MERMAID_NUMBER);
  });

  it("refuses what has no decimal form", () => {
    expect(() => plainNumber(Number.POSITIVE_INFINITY)).toThrow(/no decimal form/);
    expect(() => plainNumber(Number.NaN)).toThrow(/no decimal form/);
  });
});

describe("mermaidText: a quoted text the grammar cannot leave early", () => {
  it.each<[string, string]>([
    ["error-rate", '"error-rate"'],
    ['req "rate"', "\"req 'rate'\""],
    ["two\nlines\r\nhere", '"two lines here"'],
  ])("%j", (text, quoted) => {
    expect(mermaidText(text)).toBe(quoted);
  });
});

describe("thresholdFor: the value at which judgeMetric starts to say soft or hard", () => {
  it.each<{ situation: string; rule: BreachRule; baseline: number; soft?: number; hard?: number }>([
    {
      situation: "up is worse",
      rule: { direction: "up", softRatio: 1.5, hardRatio: 2, floor: 0 },
      baseline: 0.01,
      soft: 0.015,
      hard: 0.02,
    },
    {
      situation: "up, the floor between soft and hard",
      rule: { direction: "up", softRatio: 1.5, hardRatio: 3, floor: 0.02 },
      baseline: 0.01,
      soft: 0.02,
      hard: 0.03,
    },
    {
      situation: "up, the floor above both: a value at the floor is a hard breach",
      rule: { direction: "up", softRatio: 1.5, hardRatio: 2, floor: 1 },
      baseline: 0.01,
      soft: 1,
      hard: 1,
    },
    {
      situation: "down is worse",
      rule: { direction: "down", softRatio: 1.5, hardRatio: 2, floor: 0 },
      baseline: 90,
      soft: 60,
      hard: 45,
    },
    {
      situation: "down, baseline under the floor: nothing breaches",
      rule: { direction: "down", softRatio: 1.5, hardRatio: 2, floor: 100 },
      baseline: 90,
    },
    {
      situation: "a negative baseline is not compared",
      rule: { direction: "up", softRatio: 1.5, hardRatio: 2, floor: 0 },
      baseline: -1,
    },
  ])("$situation", ({ rule, baseline, soft, hard }) => {
    const drawn = [
      thresholdFor(rule, baseline, rule.softRatio),
      thresholdFor(rule, baseline, rule.hardRatio),
    ];
    if (soft === undefined || hard === undefined) {
      expect(drawn).toEqual([undefined, undefined]);
      for (const value of [0, baseline / 10, baseline * 10])
        expect(judgeMetric(rule, value, baseline).verdict).toBe("ok");
      return;
    }
    expect(drawn[0]).toBeCloseTo(soft, 10);
    expect(drawn[1]).toBeCloseTo(hard, 10);
    // Just past a line the rule says its kind; just short of the soft line it says ok.
    const past = rule.direction === "up" ? 1.000001 : 0.999999;
    const short = rule.direction === "up" ? 0.999 : 1.001;
    expect(judgeMetric(rule, soft * past, baseline).verdict).toBe(soft === hard ? "hard" : "soft");
    expect(judgeMetric(rule, soft * short, baseline).verdict).toBe("ok");
    expect(judgeMetric(rule, hard * past, baseline).verdict).toBe("hard");
  });
});

describe("metricChart", () => {
  const spike = Array.from({ length: 720 }, (_, index) =>
    index === 500 ? 0.09 : 0.01 + (index % 7) * 0.0001,
  );

  it.each<{
    situation: string;
    intervals: SeriesEntry[];
    settings?: Partial<MetricSettings>;
    lines: Record<string, number[]> | ((lines: Record<string, number[]>) => void);
    labels?: string[] | ((labels: string[]) => void);
    axis?: [number, number];
    caption: string[];
  }>([
    {
      situation: "a breach series: the value crosses the soft, then the hard threshold",
      intervals: window([0.01, 0.016, 0.025], 0.01),
      settings: {},
      lines: {
        value: [0.01, 0.016, 0.025],
        baseline: [0.01, 0.01, 0.01],
        "soft threshold": [0.015, 0.015, 0.015],
        "hard threshold": [0.02, 0.02, 0.02],
      },
      labels: ["T+1m", "T+2m", "T+3m"],
      axis: [0, 0.028],
      caption: [
        "Lines, drawn in this order: value (blue), baseline (grey), soft threshold = baseline × 1.5 (orange), hard threshold = baseline × 2 (red).",
        "A value at or above the soft threshold is a soft breach, at or above the hard one a hard breach.",
      ],
    },
    {
      situation: "one point",
      intervals: window([0.012], 0.01),
      settings: {},
      lines: { value: [0.012], baseline: [0.01], "soft threshold": [0.015], "hard threshold": [0.02] },
      labels: ["T+1m"],
      axis: [0, 0.022],
      caption: ["Lines, drawn in this order: value (blue)"],
    },
    {
      situation: "720 intervals: 60 points, each the worst of 12, the spike kept",
      intervals: window(spike, 0.01),
      settings: {},
      lines: (lines) => {
        expect(lines.value).toHaveLength(MAX_CHART_POINTS);
        expect(Math.max(...(lines.value ?? []))).toBe(0.09);
        // Each bucket of 12 keeps its highest: 0.0106 (index % 7 === 6) is in every one.
        expect((lines.value ?? []).filter((value) => value !== 0.09).every((value) => value === 0.0106)).toBe(
          true,
        );
      },
      labels: (labels) => {
        expect(labels).toHaveLength(MAX_CHART_POINTS);
        expect(labels).toContain("T+501m");
        expect(new Set(labels).size).toBe(labels.length);
      },
      caption: [
        "720 intervals drawn as 60 points: each point is the worst value (the highest) of up to 12 consecutive intervals, at that reading's label.",
      ],
    },
    {
      situation: "down is worse: thresholds under the baseline, none where the baseline is under the floor",
      intervals: window([100, 95, 40, 30], (index) => (index < 2 ? 100 : 20)),
      settings: { direction: "down", floor: 50 },
      lines: {
        value: [100, 95, 40, 30],
        baseline: [100, 100, 20, 20],
        "soft threshold": [66.67, 66.67, 0, 0],
        "hard threshold": [50, 50, 0, 0],
      },
      axis: [0, 110],
      caption: [
        "soft threshold = baseline ÷ 1.5 (orange), hard threshold = baseline ÷ 2 (red)",
        "A value at or below the soft threshold is a soft breach, at or below the hard one a hard breach; nothing breaches while the baseline is under the floor of 50.",
        "At 2 points no value could breach; the thresholds are drawn at 0 there.",
      ],
    },
    {
      situation: "down is worse, 720 intervals: the lowest of each bucket is kept",
      intervals: window(
        Array.from({ length: 720 }, (_, index) => (index === 100 ? 5 : 100 - (index % 3))),
        100,
      ),
      settings: { direction: "down" },
      lines: (lines) => {
        expect(Math.min(...(lines.value ?? []))).toBe(5);
        expect((lines.value ?? []).filter((value) => value !== 5).every((value) => value === 98)).toBe(true);
      },
      caption: ["each point is the worst value (the lowest) of up to 12 consecutive intervals"],
    },
    {
      situation: "a zero baseline, no floor: any value above 0 breaches, thresholds at 0",
      intervals: window([0, 0.002], 0),
      settings: {},
      lines: { value: [0, 0.002], baseline: [0, 0], "soft threshold": [0, 0], "hard threshold": [0, 0] },
      axis: [0, 0.0022],
      caption: ["Where the baseline is 0, any value above 0 breaches."],
    },
    {
      situation: "a zero baseline with a floor: the thresholds are the floor",
      intervals: window([0, 0.002], 0),
      settings: { floor: 0.001 },
      lines: {
        value: [0, 0.002],
        baseline: [0, 0],
        "soft threshold": [0.001, 0.001],
        "hard threshold": [0.001, 0.001],
      },
      caption: ["no value under the floor of 0.001 breaches, so the thresholds are at least the floor"],
    },
    {
      situation: "no settings: value and baseline, thresholds unknown",
      intervals: window([0.01, 0.02], 0.01),
      lines: { value: [0.01, 0.02], baseline: [0.01, 0.01] },
      caption: [
        "Lines, drawn in this order: value (blue), baseline (grey).",
        "The thresholds are unknown: the metric's settings were not given to the report.",
      ],
    },
    {
      situation: "no baseline at any interval: the value alone",
      intervals: window([0.01, 0.02], undefined),
      settings: {},
      lines: { value: [0.01, 0.02] },
      caption: ["No interval had a baseline: only the value is drawn."],
    },
    {
      situation: "intervals without data, or without a baseline, are left out and counted",
      intervals: window([0.01, undefined, 0.02, undefined, 0.03], (index) =>
        index === 4 ? undefined : 0.01,
      ),
      settings: {},
      lines: {
        value: [0.01, 0.02],
        baseline: [0.01, 0.01],
        "soft threshold": [0.015, 0.015],
        "hard threshold": [0.02, 0.02],
      },
      labels: ["T+1m", "T+3m"],
      caption: [
        "2 of 5 intervals had no value and are not drawn.",
        "1 intervals had a value but no baseline and are not drawn.",
      ],
    },
    {
      situation: "tiny values: plain decimals, never 1e-7",
      intervals: window([1e-7, 3e-7], 1e-7),
      settings: {},
      lines: {
        value: [1e-7, 3e-7],
        baseline: [1e-7, 1e-7],
        "soft threshold": [1.5e-7, 1.5e-7],
        "hard threshold": [2e-7, 2e-7],
      },
      axis: [0, 3.3e-7],
      caption: [],
    },
    {
      situation: "two intervals in the same minute: the later label says its number",
      intervals: window([1, 2, 3], 1).map((entry, index) => ({
        ...entry,
        elapsed: index < 2 ? "T+0s" : "T+1m",
      })),
      settings: {},
      lines: {
        value: [1, 2, 3],
        baseline: [1, 1, 1],
        "soft threshold": [1.5, 1.5, 1.5],
        "hard threshold": [2, 2, 2],
      },
      labels: ["T+0s", "T+0s #2", "T+1m"],
      caption: [],
    },
  ])("$situation", ({ intervals, settings, lines, labels, axis, caption }) => {
    const markdown = metricChart({
      metric: "error-rate",
      title: "error-rate, release window",
      intervals,
      ...(settings === undefined ? {} : { settings: settingsOf(settings) }),
    });
    const chart = parseChart(markdown);
    expect(chart.title).toBe("error-rate, release window");
    expect(chart.axis.label).toBe("error-rate");
    if (typeof lines === "function") lines(chart.lines);
    else expect(chart.lines).toEqual(lines);
    if (typeof labels === "function") labels(chart.labels);
    else if (labels !== undefined) expect(chart.labels).toEqual(labels);
    if (axis !== undefined) expect([chart.axis.min, chart.axis.max]).toEqual(axis);
    for (const sentence of caption) expect(chart.caption).toContain(sentence);
  });

  it("all intervals without data: a sentence, no chart (a line needs at least one number)", () => {
    const markdown = metricChart({
      metric: "error-rate",
      title: "t",
      intervals: window([undefined, undefined], 0.01),
    });
    expect(markdown.join("\n")).not.toContain("```");
    expect(markdown[0]).toBe("No chart of error-rate: none of the 2 intervals had a value.");
  });

  it("a metric name with quotes: the title and the axis stay one quoted text each", () => {
    const markdown = metricChart({
      metric: 'req "rate"',
      title: 'req "rate", release window',
      intervals: window([5, 6], 5, 'req "rate"'),
    });
    const chart = parseChart(markdown);
    expect(chart.title).toBe("req 'rate', release window");
    expect(chart.axis.label).toBe("req 'rate'");
  });

  it("negative values: the axis goes below 0 and still holds every line", () => {
    const chart = parseChart(
      metricChart({ metric: "error-rate", title: "t", intervals: window([-3, 2], undefined) }),
    );
    expect(chart.lines.value).toEqual([-3, 2]);
    expect(chart.axis.min).toBeLessThanOrEqual(-3);
  });
});
