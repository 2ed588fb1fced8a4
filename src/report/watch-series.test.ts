import { describe, expect, it } from "vitest";
import type { WatchProgress, WatchSnapshot } from "../api/v1alpha1/index.js";
import { appendLatest, MAX_SERIES_INTERVALS, parseSeries } from "./watch-series.js";

const snapshot = (second: number): WatchSnapshot => ({
  at: new Date(Date.UTC(2026, 10, 25, 10, 0, second)).toISOString(),
  elapsed: `T+${second}s`,
  metrics: [{ metric: "error-rate", value: 0.01, baseline: 0.01, ratio: 1, verdict: "ok" }],
});

const progress = (intervals: number): WatchProgress => ({
  window: "release",
  startedAt: snapshot(0).at,
  endsAt: snapshot(59).at,
  intervalsEvaluated: intervals,
  snapshots: Array.from({ length: Math.min(intervals, 10) }, (_, index) =>
    snapshot(intervals - Math.min(intervals, 10) + index + 1),
  ),
});

describe("appendLatest", () => {
  it.each([
    { name: "no window yet", series: undefined, watch: undefined, intervals: undefined },
    { name: "a window without a reading", series: undefined, watch: progress(0), intervals: undefined },
    { name: "the first interval", series: undefined, watch: progress(1), intervals: [1] },
    { name: "the next interval", series: "first", watch: progress(2), intervals: [1, 2] },
    {
      name: "the same interval again (a repeated reconcile)",
      series: "first",
      watch: progress(1),
      intervals: undefined,
    },
  ])("$name", ({ series, watch, intervals }) => {
    const existing = series === "first" ? appendLatest(undefined, progress(1)) : undefined;
    const appended = appendLatest(existing, watch);
    if (intervals === undefined) expect(appended).toBeUndefined();
    else expect(parseSeries(appended).map((entry) => entry.interval)).toEqual(intervals);
  });

  it("keeps the last MAX_SERIES_INTERVALS, the oldest going first", () => {
    let series: string | undefined;
    for (let interval = 1; interval <= MAX_SERIES_INTERVALS + 2; interval++)
      series = appendLatest(series, progress(interval)) ?? series;
    const entries = parseSeries(series);
    expect(entries).toHaveLength(MAX_SERIES_INTERVALS);
    expect(entries[0]?.interval).toBe(3);
    expect(entries.at(-1)?.interval).toBe(MAX_SERIES_INTERVALS + 2);
  });
});

describe("parseSeries", () => {
  it("skips a line that is not a series entry and keeps the rest", () => {
    const good = JSON.stringify({ interval: 1, ...snapshot(1) });
    expect(
      parseSeries(`${good}\n{"interval":\nnot json\n{"at":"x"}\n`).map((entry) => entry.interval),
    ).toEqual([1]);
  });
});
