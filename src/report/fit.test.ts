import { describe, expect, it } from "vitest";

import { API_VERSION, type MetricSettings, type Release } from "../api/v1alpha1/index.js";
import { fitReport, REPORT_DATA_LIMIT, reportBytes } from "./fit.js";
import { BoundedLog, seenLinesIn } from "./job-log.js";
import { REPORT_KEY, renderReleaseReport, renderRollbackReport, ROLLBACK_REPORT_KEY } from "./render.js";
import { seriesWasCut } from "./series-cut.js";
import { parseSeries, type SeriesEntry } from "./watch-series.js";
import { TEN_METRICS as METRICS } from "../../test/support/reports.js";

const at = (minute: number): string => new Date(Date.UTC(2026, 10, 25, 10, minute)).toISOString();

function entry(interval: number, metrics: readonly MetricSettings[]): SeriesEntry {
  return {
    interval,
    at: at(9 + interval),
    elapsed: `T+${interval}m`,
    metrics: metrics.map((metric, index) => {
      const value = 0.01 + ((interval * (index + 1)) % 13) * 0.0007;
      return { metric: metric.name, value, baseline: 0.01, ratio: value / 0.01, verdict: "ok" as const };
    }),
    health: "ok",
  };
}

const seriesOf = (count: number, metrics: readonly MetricSettings[] = METRICS): string =>
  `${Array.from({ length: count }, (_, index) => JSON.stringify(entry(index + 1, metrics))).join("\n")}\n`;

/** `lines` lines of `bytesPerLine` through the operator's own log keeper, as the ConfigMap gets them. */
function jobLog(lines: number, bytesPerLine: number, what: string): string {
  const log = new BoundedLog();
  for (let line = 1; line <= lines; line += 1)
    log.push({ at: at(3), text: `${what} step ${line} ${"x".repeat(Math.max(0, bytesPerLine - 20))}` });
  return log.render();
}

/** A release rolled back after a 720-interval watch window: every part of the report at full size. */
function rolledBack(intervals: number): Release {
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    metadata: { name: "nav-1-4-2", namespace: "prod" },
    spec: { environment: "production", version: "1.4.2" },
    status: {
      phase: "Completed",
      verdict: "Rolled-Back",
      reason: "metric-0 breached 2.1x baseline at T+700m -> rolled back to 1.4.1",
      startedAt: at(0),
      completedAt: at(800),
      phases: [
        { phase: "Execute", startedAt: at(1), finishedAt: at(8), outcome: "Succeeded" },
        { phase: "WatchWindow", startedAt: at(9), finishedAt: at(9 + intervals), outcome: "Failed" },
        { phase: "RollingBack", startedAt: at(9 + intervals), finishedAt: at(800), outcome: "Succeeded" },
      ],
      jobs: [
        { purpose: "deploy", name: "nav-1-4-2-deploy", exitCode: 0, outcome: "Succeeded" },
        { purpose: "rollback", name: "nav-1-4-2-rollback", exitCode: 0, outcome: "Succeeded" },
      ],
      watch: {
        window: "release",
        version: "1.4.2",
        startedAt: at(9),
        endsAt: at(9 + intervals),
        intervalsEvaluated: intervals,
      },
      rollback: {
        cause: "metric-0 breached",
        from: "WatchWindow",
        requestedAt: at(9 + intervals),
        target: "1.4.1",
      },
      rollbackWatch: {
        window: "rollback",
        version: "1.4.1",
        startedAt: at(750),
        endsAt: at(755),
        intervalsEvaluated: 5,
      },
    },
  };
}

/** The ConfigMap's entries as the reconciler writes them: the attachments and both documents. */
function reportEntries(release: Release, attachments: Record<string, string>): Record<string, string> {
  return {
    ...attachments,
    [REPORT_KEY]: renderReleaseReport(release, attachments, METRICS),
    [ROLLBACK_REPORT_KEY]: renderRollbackReport(release, attachments, METRICS) ?? "",
  };
}

/** The interval numbers of the rows of a document's first interval table; the note of a cut as its text. */
function tableRows(markdown: string): (number | string)[] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.startsWith("| Interval | At |"));
  const rows: (number | string)[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const first = /^\| (\d+) \|/.exec(line)?.[1];
    rows.push(first === undefined ? line : Number(first));
  }
  return rows;
}

/** The content of the first `text` code block that follows `after`. */
function blockAfter(markdown: string, after: string): string {
  const lines = markdown.split("\n");
  const open = lines.findIndex((line, index) => index > lines.indexOf(after) && /^`{3,}text$/.test(line));
  const fence = (lines[open] ?? "").replace("text", "");
  return lines.slice(open + 1, lines.indexOf(fence, open + 1)).join("\n");
}

describe("fitReport", () => {
  const small = reportEntries(rolledBack(40), { "watch.jsonl": seriesOf(40, METRICS.slice(0, 2)) });
  const full = reportEntries(rolledBack(720), {
    "watch.jsonl": seriesOf(720),
    "deploy.log": jobLog(20_000, 120, "deploy"),
    "rollback.log": jobLog(20_000, 120, "rollback"),
  });

  it.each<{
    situation: string;
    entries: Record<string, string>;
    limit: number;
    check: (fitted: Record<string, string>, entries: Record<string, string>) => void;
  }>([
    {
      situation: "what fits is returned as it is",
      entries: small,
      limit: REPORT_DATA_LIMIT,
      check: (fitted, entries) => {
        expect(fitted).toEqual(entries);
      },
    },
    {
      situation: "a little over: only the middle rows of the interval table, which the series still has",
      entries: small,
      limit: reportBytes(small) - 1_000,
      check: (fitted, entries) => {
        expect(fitted["watch.jsonl"]).toBe(entries["watch.jsonl"]);
        const rows = tableRows(fitted[REPORT_KEY] ?? "");
        const note = String(rows.find((row) => typeof row === "string"));
        const [from, to] = (/Intervals (\d+) to (\d+)/.exec(note) ?? []).slice(1).map(Number);
        expect(note).toBe(
          `| … | Intervals ${from} to ${to} are not shown here to keep the report ConfigMap under 1 MiB; they are in watch.jsonl in this ConfigMap. |`,
        );
        // The rows kept are the first and the last, and the note stands for exactly the rest.
        const kept = rows.filter((row): row is number => typeof row === "number");
        expect(kept.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(kept.slice(-10)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
        expect(
          [...kept, ...Array.from({ length: (to ?? 0) - (from ?? 0) + 1 }, (_, i) => (from ?? 0) + i)].sort(
            (a, b) => a - b,
          ),
        ).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        // The charts were drawn from every interval and are untouched.
        const charts = (text: string): string[] =>
          text.split("\n").filter((line) => line.startsWith("  line "));
        expect(charts(fitted[REPORT_KEY] ?? "")).toEqual(charts(entries[REPORT_KEY] ?? ""));
      },
    },
    {
      situation: "720 intervals of 10 metrics and two 2 MB logs: tables, then the logs with their copies",
      entries: full,
      limit: REPORT_DATA_LIMIT,
      check: (fitted, entries) => {
        const release = fitted[REPORT_KEY] ?? "";
        expect(tableRows(release).filter((row) => typeof row === "string")).toEqual([
          "| … | Intervals 11 to 710 are not shown here to keep the report ConfigMap under 1 MiB; they are in watch.jsonl in this ConfigMap. |",
        ]);
        // Each log and the copy its report shows are cut alike, and say so in their first line and where.
        for (const [key, document, heading] of [
          ["deploy.log", REPORT_KEY, "## Phase 3: Execute"],
          ["rollback.log", ROLLBACK_REPORT_KEY, "## Rollback Job"],
        ] as const) {
          const log = fitted[key] ?? "";
          expect(blockAfter(fitted[document] ?? "", heading)).toBe(log);
          expect(log).toMatch(
            /^# 20000 lines, \d+ lines cut between line \d+ and \d+ \(\d+ of them to keep the report ConfigMap under 1 MiB\)\n/,
          );
          expect(log).toMatch(
            /\n\.\.\. \d+ lines cut \(\d+ of them to keep the report ConfigMap under 1 MiB; the operator keeps them nowhere else\) \.\.\.\n/,
          );
          expect(seenLinesIn(log)).toBe(20_000);
          expect(Buffer.byteLength(log)).toBeGreaterThanOrEqual(24 * 1024);
        }
        // The series is whole: the logs were enough.
        expect(fitted["watch.jsonl"]).toBe(entries["watch.jsonl"]);
        // Ten charts and the verdict are still there.
        expect(release.match(/```mermaid/g)).toHaveLength(10);
        expect(release).toContain("## Verdict\n\n**Rolled-Back**");
      },
    },
    {
      situation:
        "tighter: the oldest intervals of the series go, and the table's note says where the rest is",
      entries: full,
      limit: 250_000,
      check: (fitted) => {
        const series = fitted["watch.jsonl"] ?? "";
        const kept = parseSeries(series);
        expect(seriesWasCut(series)).toBe(true);
        const first = kept[0]?.interval ?? 0;
        expect(first).toBeGreaterThan(1);
        expect(kept.at(-1)?.interval).toBe(720);
        expect(series.split("\n")[0]).toBe(
          `{"cut":"Intervals 1 to ${first - 1} are not in this series: the oldest were dropped to keep the report ConfigMap under 1 MiB, and are kept nowhere else."}`,
        );
        expect(fitted[REPORT_KEY]).toContain(
          `| … | Intervals 11 to 710 are not shown here to keep the report ConfigMap under 1 MiB; intervals ${first} to 710 are in watch.jsonl in this ConfigMap, the others nowhere else. |`,
        );
      },
    },
    {
      situation: "one value larger than the limit by itself: its head, and a note of what was cut",
      entries: { [REPORT_KEY]: "# Release\n", "notes.txt": "z".repeat(2_000_000) },
      limit: 100_000,
      check: (fitted) => {
        const snapshot = fitted["notes.txt"] ?? "";
        expect(snapshot).toMatch(
          /^z+\n\[\.\.\. \d+ bytes cut here to keep the report ConfigMap under 1 MiB; the operator keeps them nowhere else\]$/,
        );
        expect(fitted[REPORT_KEY]).toBe("# Release\n");
      },
    },
    {
      situation: "multi-byte text cut at a byte budget: never half a character",
      entries: { [REPORT_KEY]: "é".repeat(100_000) },
      limit: 50_001,
      check: (fitted) => {
        expect(fitted[REPORT_KEY]).not.toContain("\uFFFD");
        expect(fitted[REPORT_KEY]).toMatch(/^é+(\n\[\.\.\. \d+ bytes cut here .*\])?$/);
      },
    },
    {
      situation: "more keys than room: the largest go whole, release.md stays",
      entries: Object.fromEntries<string>([
        [REPORT_KEY, "# Release"],
        ...Array.from({ length: 50 }, (_, index): [string, string] => [`extra-${index}.txt`, "x".repeat(90)]),
      ]),
      limit: 1_000,
      check: (fitted) => {
        expect(fitted[REPORT_KEY]).toBe("# Release");
      },
    },
  ])("$situation", ({ entries, limit, check }) => {
    const fitted = fitReport(entries, limit);
    expect(reportBytes(fitted)).toBeLessThanOrEqual(limit);
    check(fitted, entries);
    // Idempotent and deterministic.
    expect(fitReport(fitted, limit)).toEqual(fitted);
    expect(fitReport(entries, limit)).toEqual(fitted);
  });

  it("a 2 MB deploy log through the log keeper, the renderer and fitReport: under the limit, the cut said", () => {
    const deployLog = jobLog((2 * 1024 * 1024) / 200, 200, "deploy");
    const release = rolledBack(60);
    const fitted = fitReport(
      reportEntries(release, { "deploy.log": deployLog, "watch.jsonl": seriesOf(60) }),
    );
    expect(reportBytes(fitted)).toBeLessThanOrEqual(REPORT_DATA_LIMIT);
    const shown = blockAfter(fitted[REPORT_KEY] ?? "", "## Phase 3: Execute");
    expect(shown.split("\n")[0]).toMatch(
      /^# 10485 lines, \d+ lines \(\d+ bytes\) cut between line \d+ and \d+$/,
    );
    expect(shown).toMatch(/\n\.\.\. \d+ lines cut \.\.\.\n/);
    expect(shown.split("\n").at(-1)).toContain("deploy step 10485 ");
  });

  it("nothing fits: not even release.md's key", () => {
    expect(fitReport({ [REPORT_KEY]: "# Release" }, 5)).toEqual({});
  });
});
