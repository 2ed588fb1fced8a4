// The whole series of a watch window's readings, kept in the report ConfigMap beside `release.md`:
// status holds only the last ten intervals, the report every one. One JSON line per interval, appended
// once (the interval's number is its key), so a reconcile that runs twice appends nothing twice. Pure.
import type { WatchProgress, WatchSnapshot } from "../api/v1alpha1/index.js";

export const WATCH_SERIES_KEYS = { release: "watch.jsonl", rollback: "rollback-watch.jsonl" } as const;

/** Far more than a 60-minute window at one-minute intervals; the oldest go first past it, and the report says so. */
export const MAX_SERIES_INTERVALS = 720;

export interface SeriesEntry extends WatchSnapshot {
  /** The interval's number in its window, from 1. */
  interval: number;
}

export function parseSeries(text: string | undefined): SeriesEntry[] {
  if (text === undefined || text === "") return [];
  const entries: SeriesEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed = JSON.parse(line) as Partial<SeriesEntry>;
      if (
        typeof parsed.interval === "number" &&
        typeof parsed.at === "string" &&
        Array.isArray(parsed.metrics)
      )
        entries.push(parsed as SeriesEntry);
    } catch {
      // A line cut by hand is skipped; the rest of the series stands.
    }
  }
  return entries;
}

/**
 * The series with the window's latest interval appended, or undefined when it is already there
 * (or the window has no reading yet). Runs on every reconcile of a watched release: only the last
 * line is parsed.
 */
export function appendLatest(
  series: string | undefined,
  watch: WatchProgress | undefined,
): string | undefined {
  const latest = watch?.snapshots?.at(-1);
  if (watch === undefined || latest === undefined) return undefined;
  const lines = (series ?? "").split("\n").filter((line) => line.trim() !== "");
  const interval = watch.intervalsEvaluated;
  if ((parseSeries(lines.at(-1)).at(-1)?.interval ?? 0) >= interval) return undefined;
  const next = [...lines, JSON.stringify({ interval, ...latest } satisfies SeriesEntry)];
  return `${next.slice(-MAX_SERIES_INTERVALS).join("\n")}\n`;
}
