// The release report (`release.md`), rendered from the Release's status and the report's attachments
// (followed Job output, snapshots): together they hold everything the operator learned and decided,
// so the report can be written again at any time and always says the same. Pure. Sections appear as
// phases complete.
import type {
  Breach,
  GateCheck,
  JobRecord,
  MetricSnapshot,
  PhaseRecord,
  Release,
  SmokeResult,
  WatchProgress,
} from "../api/v1alpha1/index.js";
import { attachmentKeys, type Attachments } from "./attachments.js";
import { MAX_SERIES_INTERVALS, parseSeries, WATCH_SERIES_KEYS, type SeriesEntry } from "./watch-series.js";
import { fitName, MAX_OBJECT_NAME } from "../release/names.js";

const PHASE_TITLES: Readonly<Record<string, string>> = {
  PreReleaseGate: "Phase 1: Pre-Release Gate",
  StrategySelect: "Phase 2: Strategy Select",
  Execute: "Phase 3: Execute",
  SmokeTest: "Phase 4: Smoke Test",
  WatchWindow: "Phase 5: Watch Window",
  CommitOrRollback: "Phase 6: Commit or Rollback",
  RollingBack: "Rollback",
};

/** Markdown table cells hold one line, and a pipe would end the cell. */
function cell(text: string | undefined): string {
  return (text ?? "").replaceAll("|", "\\|").replaceAll(/\r?\n/g, "<br>");
}

/** A code fence longer than any run of backticks in `text`, so the text cannot close it early. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

function timing(record: PhaseRecord): string {
  const end =
    record.finishedAt === undefined ? "in progress" : `${record.finishedAt} (${record.outcome ?? "?"})`;
  return `Started ${record.startedAt}; ended ${end}.`;
}

function checksTable(checks: readonly GateCheck[]): string[] {
  return [
    "| Check | Result | Details |",
    "|---|---|---|",
    ...checks.map((check) => `| ${cell(check.name)} | ${check.status} | ${cell(check.message)} |`),
  ];
}

function gateSection(release: Release, record: PhaseRecord): string[] {
  const gate = release.status?.gate;
  const lines = [`## ${PHASE_TITLES.PreReleaseGate ?? ""}`, "", timing(record), ""];
  if (gate?.text !== undefined) {
    const fence = fenceFor(gate.text);
    lines.push(`${fence}text`, gate.text, fence, "");
  }
  if (gate !== undefined && gate.checks.length > 0) lines.push(...checksTable(gate.checks), "");
  const changes = gate?.changes;
  if (changes !== undefined) {
    lines.push(
      `Changes from ${changes.fromTag ?? "the root commit"} to ${changes.toRevision ?? "?"}: ${changes.commits} commits, tickets ${changes.ticketKeys?.length ? changes.ticketKeys.join(", ") : "none"}.`,
      "",
    );
  }
  if (release.status?.rollbackTarget !== undefined) {
    lines.push(
      "### Rollback Plan",
      "",
      `Roll back to ${release.status.rollbackTarget} with \`deploy.sh --rollback ${release.status.rollbackTarget}\`.`,
      "",
    );
  }
  return lines;
}

function strategySection(release: Release, record: PhaseRecord): string[] {
  const strategy = release.status?.strategy;
  return [
    `## ${PHASE_TITLES.StrategySelect ?? ""}`,
    "",
    timing(record),
    "",
    `Recommended: ${strategy?.recommended ?? "?"} (${strategy?.recommendationReason ?? "no reason recorded"}).`,
    strategy?.chosen === undefined
      ? "Not chosen yet."
      : `Chosen: ${strategy.chosen}, by ${strategy.source ?? "?"}.`,
    "",
  ];
}

function fenced(text: string, info = "text"): string[] {
  const fence = fenceFor(text);
  return [`${fence}${info}`, text, fence];
}

function jobLine(job: JobRecord | undefined): string[] {
  if (job === undefined) return [];
  const parts = [
    `Job \`${job.name}\``,
    job.nodeName === undefined ? undefined : `on node \`${job.nodeName}\``,
    job.exitCode === undefined ? undefined : `exit code ${job.exitCode}`,
    job.outcome === undefined ? undefined : `outcome ${job.outcome}`,
  ].filter((part): part is string => part !== undefined);
  return [`${parts.join(", ")}.${job.message === undefined ? "" : ` ${job.message}.`}`, ""];
}

function outputOf(purpose: "deploy" | "rollback", attachments: Attachments): string[] {
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

function smokeTable(results: readonly SmokeResult[]): string[] {
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

function executeSection(release: Release, record: PhaseRecord, attachments: Attachments): string[] {
  const status = release.status ?? {};
  const lines = [`## ${PHASE_TITLES.Execute ?? ""}`, "", timing(record), record.message ?? "", ""];
  if (status.manual !== undefined) {
    lines.push(
      "Manual deploy checklist:",
      "",
      ...status.manual.checklist.map((step) => `- [${status.manual?.result === "done" ? "x" : " "}] ${step}`),
      "",
      status.manual.result === undefined
        ? "Waiting for `release-operator.io/manual-result`."
        : `Reported \`${status.manual.result}\` at ${status.manual.answeredAt ?? "?"}.`,
      "",
    );
  }
  lines.push(
    ...jobLine(status.jobs?.find((job) => job.purpose === "deploy")),
    ...outputOf("deploy", attachments),
  );
  return lines;
}

function smokeSection(release: Release, record: PhaseRecord): string[] {
  const results = (release.status?.smoke ?? []).filter((result) => result.run === "release");
  return [
    `## ${PHASE_TITLES.SmokeTest ?? ""}`,
    "",
    timing(record),
    record.message ?? "",
    "",
    ...smokeTable(results),
  ];
}

function rollbackSection(release: Release, record: PhaseRecord, attachments: Attachments): string[] {
  const status = release.status ?? {};
  const lines = [`## ${PHASE_TITLES.RollingBack ?? ""}`, "", timing(record), ""];
  if (status.rollback !== undefined) {
    lines.push(
      `Cause: ${status.rollback.cause} (decided in ${status.rollback.from} at ${status.rollback.requestedAt}).`,
      `Target: ${status.rollback.target ?? "none known"}.`,
      "",
    );
  }
  lines.push(
    ...jobLine(status.jobs?.find((job) => job.purpose === "rollback")),
    ...outputOf("rollback", attachments),
  );
  const smoke = (status.smoke ?? []).filter((result) => result.run === "rollback");
  if (smoke.length > 0) lines.push("Smoke tests after the rollback:", "", ...smokeTable(smoke));
  const mini = status.rollbackWatch;
  if (mini !== undefined) {
    lines.push(
      "Mini watch window after the rollback (hard breaches only):",
      "",
      ...windowLines(mini),
      ...intervalTable(mini, parseSeries(attachments[WATCH_SERIES_KEYS.rollback])),
      ...breachList((status.breaches ?? []).filter((breach) => breach.window === "rollback")),
    );
  }
  return lines;
}

/** Four significant digits: the figures of a watch table, not a data dump. */
function figure(value: number | undefined): string {
  return value === undefined ? "–" : String(Number(value.toPrecision(4)));
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

/** Every interval of a window (the series in the ConfigMap, else the last ones in status), one row each. */
function intervalTable(watch: WatchProgress, series: readonly SeriesEntry[]): string[] {
  const rows: SeriesEntry[] =
    series.length > 0
      ? [...series]
      : (watch.snapshots ?? []).map((snapshot, index, all) => ({
          interval: watch.intervalsEvaluated - all.length + index + 1,
          ...snapshot,
        }));
  if (rows.length === 0) return ["No interval evaluated yet.", ""];
  const metrics = [...new Set(rows.flatMap((row) => row.metrics.map((metric) => metric.metric)))];
  const health = rows.some((row) => row.health !== undefined);
  const first = rows[0]?.interval ?? 1;
  const cut =
    first > 1
      ? [
          `Intervals 1 to ${first - 1} are not shown: ${series.length > 0 ? `the report keeps the last ${MAX_SERIES_INTERVALS}` : "only the last ones are in status"}.`,
          "",
        ]
      : [];
  return [
    ...cut,
    "Each metric: value / baseline = ratio, verdict.",
    "",
    `| Interval | At | ${metrics.map(cell).join(" | ")}${health ? " | Health" : ""} |`,
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

function watchSection(release: Release, record: PhaseRecord, attachments: Attachments): string[] {
  const status = release.status ?? {};
  const lines = [`## ${PHASE_TITLES.WatchWindow ?? ""}`, "", timing(record), record.message ?? "", ""];
  const baseline = status.baseline;
  if (baseline?.mode === "pre-deploy" && baseline.capturedAt !== undefined) {
    const values = (baseline.values ?? []).map(
      (entry) =>
        `${entry.metric} ${entry.value === undefined ? `none (${entry.message ?? "no data"})` : figure(entry.value)}`,
    );
    lines.push(
      `Baseline: pre-deploy, each metric over ${baseline.window ?? "?"} of ${baseline.version ?? "the running version"}, read at ${baseline.capturedAt} before the deploy: ${values.join(", ")}.`,
      "",
    );
  } else if (baseline?.mode === "concurrent") {
    lines.push(
      `Baseline: concurrent, the same queries for ${baseline.version ?? "the previous version"} at each interval.`,
      "",
    );
  }
  const watch = status.watch;
  if (watch !== undefined) {
    lines.push(
      ...windowLines(watch),
      ...intervalTable(watch, parseSeries(attachments[WATCH_SERIES_KEYS.release])),
      ...breachList((status.breaches ?? []).filter((breach) => breach.window !== "rollback")),
    );
  }
  if (status.incident !== undefined) {
    lines.push(
      `**Incident**: ${status.incident.reason} (${status.incident.at}); an incident retrospective is due.`,
      "",
    );
  }
  return lines;
}

function genericSection(record: PhaseRecord): string[] {
  return [`## ${PHASE_TITLES[record.phase] ?? record.phase}`, "", timing(record), record.message ?? "", ""];
}

export function renderReleaseReport(release: Release, attachments: Attachments = {}): string {
  const status = release.status ?? {};
  const name = release.metadata.name ?? "";
  const lines = [
    `# Release ${release.spec.version} to ${release.spec.environment}`,
    "",
    `- Release: ${release.metadata.namespace ?? ""}/${name}`,
    `- Version: ${release.spec.version}${release.spec.revision === undefined ? "" : ` (${release.spec.revision})`}`,
    `- Environment: ${release.spec.environment}`,
    `- Started: ${status.startedAt ?? "not yet"}`,
    `- Phase: ${status.phase ?? "Pending"}`,
    `- Verdict: ${status.verdict ?? "none yet"}`,
    "",
  ];
  for (const record of status.phases ?? []) {
    if (record.phase === "PreReleaseGate") lines.push(...gateSection(release, record));
    else if (record.phase === "StrategySelect") lines.push(...strategySection(release, record));
    else if (record.phase === "Execute") lines.push(...executeSection(release, record, attachments));
    else if (record.phase === "SmokeTest") lines.push(...smokeSection(release, record));
    else if (record.phase === "RollingBack") lines.push(...rollbackSection(release, record, attachments));
    else if (record.phase === "WatchWindow") lines.push(...watchSection(release, record, attachments));
    else lines.push(...genericSection(record));
  }
  const decisions = status.decisions ?? [];
  if (decisions.length > 0) {
    lines.push(
      "## Decisions",
      "",
      "| When | Annotation | Value | By | Accepted | Effect |",
      "|---|---|---|---|---|---|",
      ...decisions.map(
        (decision) =>
          `| ${decision.at} | ${cell(decision.annotation)} | ${cell(decision.value)} | ${cell(decision.by ?? "")} | ${decision.accepted ? "yes" : "no"} | ${cell(decision.message ?? "")} |`,
      ),
      "",
    );
  }
  if (status.verdict !== undefined) {
    lines.push(
      "## Verdict",
      "",
      `**${status.verdict}** at ${status.completedAt ?? "?"}: ${status.reason ?? ""}`,
      "",
    );
  }
  return lines.join("\n");
}

export const REPORT_KEY = "release.md";

export function reportConfigMapName(releaseName: string): string {
  return fitName(releaseName, "-report", MAX_OBJECT_NAME);
}
