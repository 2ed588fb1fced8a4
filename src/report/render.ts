// The release report (`release.md`), rendered from the Release's status and the report's attachments
// (followed Job output, snapshots, watch series): together they hold everything the operator learned
// and decided, so the report can be written again at any time and always says the same. Pure.
// Sections appear as phases complete; the verdict is last. A rollback has its own report
// (`rollback.md`, rollback-report.ts): this one keeps its facts and points there.
import type {
  ChangeSummary,
  GateCheck,
  MetricSettings,
  PhaseRecord,
  Release,
} from "../api/v1alpha1/index.js";
import type { Attachments } from "./attachments.js";
import { ROLLBACK_REPORT_KEY, rollbackSpan } from "./rollback-report.js";
import {
  cell,
  fenced,
  figure,
  jobLine,
  outputOf,
  smokeCount,
  smokeTable,
  timing,
  reasonAfterVerdict,
  verdictSection,
  windowView,
} from "./sections.js";
import { WATCH_SERIES_KEYS } from "./watch-series.js";
import { fitName, MAX_OBJECT_NAME } from "../release/names.js";

export { renderRollbackReport, ROLLBACK_REPORT_KEY } from "./rollback-report.js";

const PHASE_TITLES: Readonly<Record<string, string>> = {
  PreReleaseGate: "Phase 1: Pre-Release Gate",
  StrategySelect: "Phase 2: Strategy Select",
  Execute: "Phase 3: Execute",
  SmokeTest: "Phase 4: Smoke Test",
  WatchWindow: "Phase 5: Watch Window",
  CommitOrRollback: "Phase 6: Commit or Rollback",
  RollingBack: "Rollback",
};

function checksTable(checks: readonly GateCheck[]): string[] {
  return [
    "| Check | Result | Details |",
    "|---|---|---|",
    ...checks.map((check) => `| ${cell(check.name)} | ${check.status} | ${cell(check.message)} |`),
  ];
}

const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;

function commitList(title: string, commits: readonly string[] | undefined): string[] {
  if (commits === undefined || commits.length === 0) return [];
  return [`${title}:`, "", ...commits.map((commit) => `- ${commit}`), ""];
}

function ticketsText(changes: ChangeSummary): string {
  const keys = changes.ticketKeys ?? [];
  const count = changes.tickets ?? keys.length;
  if (count === 0) return "no ticket";
  if (keys.length === 0) return plural(count, "ticket");
  // Status keeps at most 128 keys: the rest are counted, not named.
  const more = count > keys.length ? ` and ${count - keys.length} more` : "";
  return `${plural(count, "ticket")}: ${keys.join(", ")}${more}`;
}

function changeSummary(changes: ChangeSummary, evaluatedAt: string | undefined): string[] {
  const listed = changes.breakingChanges?.length ?? 0;
  const breaking = !changes.breaking
    ? "No breaking change."
    : listed === 0
      ? "**Breaking**: at least one commit is a breaking change."
      : `**Breaking**: ${plural(listed, "breaking commit")} listed below.`;
  const tickets = ticketsText(changes);
  const lines = [
    "### Change Summary",
    "",
    `${evaluatedAt === undefined ? "" : `Read at ${evaluatedAt}: `}${plural(changes.commits, "commit")} from ${changes.fromTag ?? "the root commit"} to ${changes.toRevision ?? "?"}, ${tickets}. ${breaking}`,
    "",
  ];
  if (changes.components.length > 0) {
    lines.push(
      "| Component | Features | Fixes | Breaking | Security | Other |",
      "|---|---|---|---|---|---|",
      ...changes.components.map(
        (component) =>
          `| ${cell(component.component)} | ${component.features} | ${component.fixes} | ${component.breaking} | ${component.security} | ${component.other} |`,
      ),
      "",
    );
  }
  lines.push(
    ...commitList("Breaking changes", changes.breakingChanges),
    ...commitList("Migrations", changes.migrations),
  );
  return lines;
}

function gateSection(release: Release, record: PhaseRecord): string[] {
  const gate = release.status?.gate;
  const lines = [`## ${PHASE_TITLES.PreReleaseGate ?? ""}`, "", timing(record), ""];
  if (gate?.text !== undefined) lines.push(...fenced(gate.text), "");
  if (gate !== undefined && gate.checks.length > 0) lines.push(...checksTable(gate.checks), "");
  if (gate?.changes !== undefined) lines.push(...changeSummary(gate.changes, gate.evaluatedAt));
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

/**
 * The rollback's facts in a few lines; its output, smoke table and mini window (table and charts) are
 * in `rollback.md`, committed beside this report: written once, they do not take the ConfigMap's
 * limited room twice, and this report still reads whole without them.
 */
function rollbackSection(release: Release): string[] {
  const status = release.status ?? {};
  const span = rollbackSpan(release);
  const lines = [`## ${PHASE_TITLES.RollingBack ?? ""}`, ""];
  if (span !== undefined) lines.push(timing(span), "");
  if (status.rollback !== undefined) {
    lines.push(
      `Cause: ${status.rollback.cause} (decided in ${status.rollback.from} at ${status.rollback.requestedAt}).`,
      `Target: ${status.rollback.target ?? "none known"}.`,
      "",
    );
  }
  lines.push(...jobLine(status.jobs?.find((job) => job.purpose === "rollback")));
  const smoke = (status.smoke ?? []).filter((result) => result.run === "rollback");
  if (smoke.length > 0) lines.push(`Smoke tests after the rollback: ${smokeCount(smoke)}.`, "");
  const mini = status.rollbackWatch;
  if (mini !== undefined) {
    const hard = (status.breaches ?? []).filter(
      (breach) => breach.window === "rollback" && breach.severity === "hard",
    );
    lines.push(
      `Mini watch window on ${mini.version ?? "?"} from ${mini.startedAt} to ${mini.endsAt}: ${plural(mini.intervalsEvaluated, "interval")} evaluated, ${hard.length === 0 ? "no hard breach" : plural(hard.length, "hard breach", "hard breaches")}.`,
      "",
    );
  }
  const git = status.report?.rollbackGitPath;
  lines.push(
    `The rollback's output, smoke results and mini watch window (table and charts): see ${ROLLBACK_REPORT_KEY}${git === undefined ? "" : ` (\`${git}\` in the report repository)`}.`,
    "",
  );
  return lines;
}

function watchSection(
  release: Release,
  record: PhaseRecord,
  attachments: Attachments,
  metrics: readonly MetricSettings[] | undefined,
): string[] {
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
  const view =
    watch === undefined
      ? undefined
      : windowView(
          watch,
          attachments[WATCH_SERIES_KEYS.release],
          (status.breaches ?? []).filter((breach) => breach.window !== "rollback"),
          metrics,
          "release window",
        );
  lines.push(...(view?.body ?? []));
  if (status.incident !== undefined) {
    lines.push(
      `**Incident**: ${status.incident.reason} (${status.incident.at}); an incident retrospective is due.`,
      "",
    );
  }
  lines.push(...(view?.charts ?? []));
  return lines;
}

function genericSection(record: PhaseRecord): string[] {
  return [`## ${PHASE_TITLES[record.phase] ?? record.phase}`, "", timing(record), record.message ?? "", ""];
}

const CHOSEN_BY: Readonly<Record<string, string>> = {
  spec: "set in the spec",
  auto: "selected automatically",
  decision: "chosen by a decision",
};

function header(release: Release): string[] {
  const status = release.status ?? {};
  const strategy = status.strategy;
  const requested = release.spec.rollbackTarget;
  return [
    `# Release ${release.spec.version} to ${release.spec.environment}`,
    "",
    `- Release: ${release.metadata.namespace ?? ""}/${release.metadata.name ?? ""}`,
    `- Environment: ${release.spec.environment}`,
    `- Version: ${release.spec.version}`,
    `- Revision: ${release.spec.revision ?? status.gate?.changes?.toRevision ?? "the version's tag"}`,
    `- Rollback target: ${status.rollbackTarget ?? (requested === undefined ? "not resolved yet" : `${requested} (requested, not checked yet)`)}`,
    `- Strategy: ${
      strategy?.chosen !== undefined
        ? `${strategy.chosen} (${CHOSEN_BY[strategy.source ?? ""] ?? "chosen"})`
        : strategy?.recommended !== undefined
          ? `${strategy.recommended} (recommended, not chosen yet)`
          : "not chosen yet"
    }`,
    `- Phase: ${status.phase ?? "Pending"}`,
    `- Started: ${status.startedAt ?? "not yet"}`,
    `- Completed: ${status.completedAt ?? "not yet"}`,
    `- Verdict: ${status.verdict === undefined ? "none yet" : `${status.verdict}${status.reason === undefined ? "" : `: ${reasonAfterVerdict(status.verdict, status.reason)}`}`}`,
    "",
  ];
}

/** `metrics`: the watched metrics' settings, for the charts' thresholds; without them none are drawn. */
export function renderReleaseReport(
  release: Release,
  attachments: Attachments = {},
  metrics?: readonly MetricSettings[],
): string {
  const status = release.status ?? {};
  const lines = header(release);
  let rollbackShown = false;
  for (const record of status.phases ?? []) {
    if (record.phase === "PreReleaseGate") lines.push(...gateSection(release, record));
    else if (record.phase === "StrategySelect") lines.push(...strategySection(release, record));
    else if (record.phase === "Execute") lines.push(...executeSection(release, record, attachments));
    else if (record.phase === "SmokeTest") lines.push(...smokeSection(release, record));
    else if (record.phase === "WatchWindow")
      lines.push(...watchSection(release, record, attachments, metrics));
    else if (record.phase === "RollingBack") {
      // One section for the whole rollback, however often the phase was entered again.
      if (!rollbackShown) lines.push(...rollbackSection(release));
      rollbackShown = true;
    } else lines.push(...genericSection(record));
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
  lines.push(...verdictSection(status));
  return lines.join("\n");
}

export const REPORT_KEY = "release.md";

export function reportConfigMapName(releaseName: string): string {
  return fitName(releaseName, "-report", MAX_OBJECT_NAME);
}
