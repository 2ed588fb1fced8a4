// The pieces both reports are made of (`release.md` and `rollback.md`): table cells, code blocks, a
// Job and its output, smoke results, a watch window with its interval table, breaches and charts.
// Pure; each returns Markdown lines, a blank line last.
import type {
  Breach,
  JobRecord,
  MetricSettings,
  MetricSnapshot,
  PhaseRecord,
  ReleaseStatus,
  SmokeResult,
  WatchProgress,
} from "../api/v1alpha1/index.js";
import { attachmentKeys, type Attachments } from "./attachments.js";
import { metricChart, plainNumber } from "./chart.js";
import { seriesWasCut } from "./series-cut.js";
import { MAX_SERIES_INTERVALS, parseSeries, type SeriesEntry } from "./watch-series.js";

/** Markdown table cells hold one line, and a pipe would end the cell. */
export function cell(text: string | undefined): string {
  return (text ?? "").replaceAll("|", "\\|").replaceAll(/\r?\n/g, "<br>");
}

/** A code fence longer than any run of backticks in `text`, so the text cannot close it early. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

export function fenced(text: string, info = "text"): string[] {
  const fence = fenceFor(text);
  return [`${fence}${info}`, text, fence];
}

export function timing(record: PhaseRecord): string {
  const end =
    record.finishedAt === undefined ? "in progress" : `${record.finishedAt} (${record.outcome ?? "?"})`;
  return `Started ${record.startedAt}; ended ${end}.`;
}

/** The verdict, last in both reports; nothing before one is reached. */
/**
 * The reason without the verdict it may start with (`Released: 1.4.2 watched ...`), for the places that
 * put the verdict before it already, so it is not said twice.
 */
export function reasonAfterVerdict(verdict: string | undefined, reason: string | undefined): string {
  const text = reason ?? "";
  return verdict !== undefined && text.startsWith(`${verdict}: `) ? text.slice(verdict.length + 2) : text;
}

export function verdictSection(status: ReleaseStatus): string[] {
  if (status.verdict === undefined) return [];
  return [
    "## Verdict",
    "",
    `**${status.verdict}** at ${status.completedAt ?? "?"}: ${reasonAfterVerdict(status.verdict, status.reason)}`,
    "",
  ];
}

/** Four significant digits: the figures of a watch table, not a data dump. */
export function figure(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "–" : plainNumber(value);
}

export function jobLine(job: JobRecord | undefined): string[] {
  if (job === undefined) return [];
  const parts = [
    `Job \`${job.name}\``,
    job.nodeName === undefined ? undefined : `on node \`${job.nodeName}\``,
    job.startedAt === undefined ? undefined : `started ${job.startedAt}`,
    job.finishedAt === undefined ? undefined : `finished ${job.finishedAt}`,
    job.exitCode === undefined ? undefined : `exit code ${job.exitCode}`,
    job.outcome === undefined ? undefined : `outcome ${job.outcome}`,
  ].filter((part): part is string => part !== undefined);
  return [`${parts.join(", ")}.${job.message === undefined ? "" : ` ${job.message}.`}`, ""];
}

/** The followed output of the deploy or rollback script, and the snapshot of a Job stopped while hung. */
export function outputOf(purpose: "deploy" | "rollback", attachments: Attachments): string[] {
  const lines: string[] = [];
  const log = attachments[attachmentKeys[purpose].log];
  if (log !== undefined && log !== "")
    lines.push(
      `Output (${purpose === "deploy" ? "deploy.sh" : "deploy.sh --rollback"}, timestamped):`,
      "",
      ...fenced(log),
      "",
    );
  const snapshot = attachments[attachmentKeys[purpose].snapshot];
  if (snapshot !== undefined)
    lines.push("Snapshot taken before the Job was stopped:", "", ...fenced(snapshot), "");
  return lines;
}

export function smokeTable(results: readonly SmokeResult[]): string[] {
  if (results.length === 0) return [];
  return [
    "| Case | Kind | Result | Duration | Details |",
    "|---|---|---|---|---|",
    ...results.map(
      (result) =>
        `| ${cell(result.name)} | ${result.kind} | ${result.passed ? "passed" : "FAILED"} | ${result.durationMs} ms | ${cell(result.message)} |`,
    ),
    "",
  ];
}

export function smokeCount(results: readonly SmokeResult[]): string {
  return `${results.filter((result) => result.passed).length} of ${results.length} passed`;
}

function metricCell(snapshot: MetricSnapshot | undefined): string {
  if (snapshot === undefined) return "";
  if (snapshot.verdict === "no-data")
    return cell(`no data${snapshot.message === undefined ? "" : `: ${snapshot.message}`}`);
  const ratio = snapshot.ratio === undefined ? "" : ` = ${figure(snapshot.ratio)}x`;
  const verdict = snapshot.verdict === "ok" ? "ok" : `**${snapshot.verdict}**`;
  const note = snapshot.message === undefined ? "" : ` (${snapshot.message})`;
  return cell(`${figure(snapshot.value)} / ${figure(snapshot.baseline)}${ratio} ${verdict}${note}`);
}

/** How the interval table of a window starts: `fitReport` finds the tables by it. */
export const INTERVAL_TABLE_START = "| Interval | At |";

/** A window's intervals: the whole series kept in the ConfigMap, else the last ones in status. */
function windowRows(watch: WatchProgress, series: readonly SeriesEntry[]): SeriesEntry[] {
  if (series.length > 0) return [...series];
  return (watch.snapshots ?? []).map((snapshot, index, all) => ({
    interval: watch.intervalsEvaluated - all.length + index + 1,
    ...snapshot,
  }));
}

function metricsOf(rows: readonly SeriesEntry[]): string[] {
  return [...new Set(rows.flatMap((row) => row.metrics.map((metric) => metric.metric)))];
}

function intervalTable(rows: readonly SeriesEntry[], source: string): string[] {
  if (rows.length === 0) return ["No interval evaluated yet.", ""];
  const metrics = metricsOf(rows);
  const health = rows.some((row) => row.health !== undefined);
  const first = rows[0]?.interval ?? 1;
  return [
    ...(first > 1 ? [`Intervals 1 to ${first - 1} are not shown: ${source}.`, ""] : []),
    "Each metric: value / baseline = ratio, verdict.",
    "",
    `${INTERVAL_TABLE_START} ${metrics.map(cell).join(" | ")}${health ? " | Health" : ""} |`,
    `|---|---|${metrics.map(() => "---|").join("")}${health ? "---|" : ""}`,
    ...rows.map((row) => {
      const cells = metrics.map((name) => metricCell(row.metrics.find((metric) => metric.metric === name)));
      return `| ${row.interval} | ${row.elapsed} (${row.at}) | ${cells.join(" | ")}${health ? ` | ${row.health ?? ""}` : ""} |`;
    }),
    "",
  ];
}

function breachList(breaches: readonly Breach[]): string[] {
  if (breaches.length === 0) return [];
  return [
    "Breaches:",
    "",
    ...breaches.map(
      (breach) => `- ${breach.severity.toUpperCase()} at ${breach.elapsed} (${breach.at}): ${breach.message}`,
    ),
    "",
  ];
}

function windowLines(watch: WatchProgress): string[] {
  const extended = watch.extendedBy === undefined ? "" : `, extended by ${watch.extendedBy}`;
  return [
    `Watched ${watch.version ?? "?"} from ${watch.startedAt} to ${watch.endsAt}${extended}; ${watch.intervalsEvaluated} intervals evaluated.`,
    "",
  ];
}

export interface WindowView {
  /** The window's times, its interval table and its breaches. */
  body: string[];
  /** A chart per metric under a heading, empty before the first interval. */
  charts: string[];
}

/**
 * One watch window as the reports show it. `seriesText` is the window's series attachment; `metrics`
 * the watched metrics' settings, for the thresholds (and the order of the charts).
 */
export function windowView(
  watch: WatchProgress,
  seriesText: string | undefined,
  breaches: readonly Breach[],
  metrics: readonly MetricSettings[] | undefined,
  windowName: string,
): WindowView {
  const series = parseSeries(seriesText);
  const rows = windowRows(watch, series);
  const source =
    series.length === 0
      ? "only the last ones are in status"
      : seriesWasCut(seriesText)
        ? `the report keeps at most the last ${MAX_SERIES_INTERVALS}, and dropped older ones to keep its ConfigMap under 1 MiB`
        : `the report keeps the last ${MAX_SERIES_INTERVALS}`;
  const body = [...windowLines(watch), ...intervalTable(rows, source), ...breachList(breaches)];
  if (rows.length === 0) return { body, charts: [] };
  const measured = metricsOf(rows);
  const names = [
    ...(metrics ?? []).map((metric) => metric.name),
    ...measured.filter((name) => !(metrics ?? []).some((metric) => metric.name === name)),
  ];
  const charts = names.flatMap((name) => {
    const settings = metrics?.find((metric) => metric.name === name);
    return metricChart({
      metric: name,
      title: `${name}, ${windowName}`,
      intervals: rows,
      ...(settings === undefined ? {} : { settings }),
    });
  });
  return { body, charts: ["### Charts", "", ...charts] };
}
