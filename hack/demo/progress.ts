// What the demo prints while a Release runs: the difference between two readings of its status, as
// plain lines. Pure: the same two statuses always give the same lines, so the demo can poll at any pace
// (or miss a reading while the operator restarts) and still print every transition once.
import type {
  Breach,
  JobPurpose,
  MetricSnapshot,
  PhaseRecord,
  ReleasePhase,
  ReleaseStatus,
  WatchProgress,
  WatchSnapshot,
} from "../../src/api/v1alpha1/index.js";

/** One printed line: when it happened (an RFC 3339 time from status, or the reading's time) and what. */
export interface ProgressLine {
  readonly at: string;
  readonly text: string;
}

/** `21:50:07`: the UTC time of day of an RFC 3339 timestamp (status times are UTC). */
export function clockOf(timestamp: string): string {
  const parsed = new Date(timestamp);
  return Number.isNaN(parsed.getTime()) ? "--:--:--" : parsed.toISOString().slice(11, 19);
}

/** A metric value with three significant digits: 0.0201, 0.0467, 1230; `inf` for an infinity. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "inf" : value < 0 ? "-inf" : "NaN";
  return String(Number(value.toPrecision(3)));
}

/** `2.55x`: cut, never rounded up, to two decimals, as the operator's breach reasons show it. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "inf x";
  return `${(Math.trunc(ratio * 100) / 100).toFixed(2)}x`;
}

/** `error-rate 0.0503 / 0.0201 = 2.50x hard`, or why there is no ratio. */
export function describeMetric(metric: MetricSnapshot): string {
  if (metric.value === undefined) {
    return `${metric.metric} ${metric.verdict}${metric.message ? ` (${metric.message})` : ""}`;
  }
  const value = formatValue(metric.value);
  if (metric.baseline === undefined || metric.ratio === undefined) {
    return `${metric.metric} ${value}, no baseline to compare with${metric.message ? ` (${metric.message})` : ""}: ${metric.verdict}`;
  }
  return `${metric.metric} ${value} / ${formatValue(metric.baseline)} = ${formatRatio(metric.ratio)} ${metric.verdict}`;
}

/** One interval's reading: `T+10s  error-rate ... | p95-latency ... | health ok`. */
export function describeSnapshot(snapshot: WatchSnapshot): string {
  const parts = snapshot.metrics.map(describeMetric);
  if (snapshot.health !== undefined) parts.push(`health ${snapshot.health}`);
  return `${snapshot.elapsed}  ${parts.join(" | ")}`;
}

function describeBreach(breach: Breach): string {
  const figures =
    breach.value !== undefined && breach.baseline !== undefined && breach.ratio !== undefined
      ? ` ${formatValue(breach.value)} / ${formatValue(breach.baseline)} = ${formatRatio(breach.ratio)}`
      : "";
  const where = breach.window === "rollback" ? " in the mini watch" : "";
  return `${breach.severity.toUpperCase()} BREACH${where}: ${breach.metric}${figures} at ${breach.elapsed}: ${breach.message}`;
}

const phaseKey = (record: PhaseRecord): string => `${record.phase}@${record.startedAt}`;

function phaseLines(before: readonly PhaseRecord[], after: readonly PhaseRecord[]): ProgressLine[] {
  const known = new Map(before.map((record) => [phaseKey(record), record]));
  const lines: ProgressLine[] = [];
  for (const record of after) {
    const previous = known.get(phaseKey(record));
    if (previous === undefined) lines.push({ at: record.startedAt, text: `-> ${record.phase}` });
    if (record.outcome !== undefined && previous?.outcome === undefined) {
      lines.push({
        at: record.finishedAt ?? record.startedAt,
        text: `   ${record.phase} ${record.outcome}${record.message ? `: ${record.message}` : ""}`,
      });
    }
  }
  return lines;
}

function windowLines(
  label: string,
  before: WatchProgress | undefined,
  after: WatchProgress | undefined,
): ProgressLine[] {
  if (after === undefined) return [];
  const lines: ProgressLine[] = [];
  // The same window as last read, or undefined when this one is new (or a rollback's follows it).
  const previous = before?.startedAt === after.startedAt ? before : undefined;
  if (previous === undefined) {
    lines.push({
      at: after.startedAt,
      text: `${label} on ${after.version ?? "?"}: from ${clockOf(after.startedAt)} to ${clockOf(after.endsAt)}`,
    });
  } else if (previous.endsAt !== after.endsAt) {
    lines.push({
      at: after.lastEvaluatedAt ?? after.startedAt,
      text: `${label} now ends at ${clockOf(after.endsAt)}${after.extendedBy ? ` (extended by ${after.extendedBy})` : ""}`,
    });
  }
  // Status keeps the last snapshots only: what is newer than the newest one already printed is new.
  const printedUpTo = Math.max(
    ...(previous?.snapshots ?? []).map((snapshot) => Date.parse(snapshot.at)),
    -Infinity,
  );
  for (const snapshot of after.snapshots ?? []) {
    if (Date.parse(snapshot.at) > printedUpTo) {
      lines.push({ at: snapshot.at, text: `${label} ${describeSnapshot(snapshot)}` });
    }
  }
  return lines;
}

/** `VERDICT Released: 1.4.2 watched ...`, the verdict said once when the reason starts with it. */
function verdictLine(verdict: string, reason: string | undefined): string {
  if (reason === undefined || reason === "") return `VERDICT ${verdict}`;
  return reason.startsWith(`${verdict}:`) ? `VERDICT ${reason}` : `VERDICT ${verdict}: ${reason}`;
}

/** The Ready condition's reason: what the release stands at, e.g. `Deploying`, `AwaitingApproval`. */
const standingOf = (status: ReleaseStatus): string | undefined =>
  status.conditions?.find((condition) => condition.type === "Ready")?.reason;

/**
 * When a run of smoke tests ended: the smoke test phase's end after the deploy, the mini watch's start
 * after a rollback (status keeps results, not their times).
 */
function smokeTime(status: ReleaseStatus, run: "release" | "rollback"): string | undefined {
  if (run === "rollback") return status.rollbackWatch?.startedAt;
  return status.phases?.findLast((record) => record.phase === "SmokeTest")?.finishedAt;
}

/** The phase each kind of Job runs in. */
const JOB_PHASE: Readonly<Record<JobPurpose, ReleasePhase>> = {
  deploy: "Execute",
  smoke: "SmokeTest",
  rollback: "RollingBack",
  "rollback-smoke": "RollingBack",
};

function phaseStart(status: ReleaseStatus, phase: ReleasePhase): string | undefined {
  return status.phases?.findLast((record) => record.phase === phase)?.startedAt;
}

/** A Job's times have whole seconds: one cut to before its phase began is printed with the phase's start. */
function notBefore(time: string, floor: string | undefined): string {
  return floor !== undefined && Date.parse(floor) > Date.parse(time) ? floor : time;
}

const breachKey = (breach: Breach): string =>
  `${breach.window ?? "release"}/${breach.metric}/${breach.severity}/${breach.at}`;

/**
 * The lines that say what changed from `before` (undefined: nothing printed yet) to `after`, oldest
 * first. `now` dates what status carries no time for (a new standing reason).
 */
export function progressLines(
  before: ReleaseStatus | undefined,
  after: ReleaseStatus,
  now: Date,
): ProgressLine[] {
  const at = now.toISOString();
  // Lines of equal times print in the order pushed: decisions and smoke results go before the phases, so
  // an approval prints before the end of the gate it ended, and smoke results before the next phase.
  const lines: ProgressLine[] = [];
  const seenDecisions = before?.decisions?.length ?? 0;
  for (const decision of (after.decisions ?? []).slice(seenDecisions)) {
    lines.push({
      at: decision.at,
      text: `   decision ${decision.annotation}=${decision.value}${decision.by ? ` by ${decision.by}` : ""}: ${decision.accepted ? "accepted" : "refused"}${decision.message ? ` (${decision.message})` : ""}`,
    });
  }

  const smokeBefore = new Set((before?.smoke ?? []).map((result) => `${result.run}/${result.name}`));
  for (const result of after.smoke ?? []) {
    if (smokeBefore.has(`${result.run}/${result.name}`)) continue;
    const run = result.run === "rollback" ? "smoke after the rollback" : "smoke";
    lines.push({
      at: smokeTime(after, result.run) ?? at,
      text: `   ${run} ${result.name}: ${result.passed ? "passed" : "FAILED"} in ${result.durationMs} ms${result.message ? `: ${result.message}` : ""}`,
    });
  }

  lines.push(...phaseLines(before?.phases ?? [], after.phases ?? []));

  const jobsBefore = new Map((before?.jobs ?? []).map((job) => [job.name, job]));
  for (const job of after.jobs ?? []) {
    const previous = jobsBefore.get(job.name);
    if (previous === undefined && job.startedAt === undefined) {
      lines.push({ at, text: `   ${job.purpose} Job ${job.name} created` });
    }
    if (job.startedAt !== undefined && previous?.startedAt === undefined) {
      lines.push({
        at: notBefore(job.startedAt, phaseStart(after, JOB_PHASE[job.purpose])),
        text: `   ${job.purpose} Job ${job.name} started${job.nodeName ? ` on node ${job.nodeName}` : ""}`,
      });
    }
    if (job.outcome !== undefined && job.outcome !== "Running" && job.outcome !== previous?.outcome) {
      const exit = job.exitCode === undefined ? "" : `, exit code ${job.exitCode}`;
      lines.push({
        at: job.finishedAt ?? at,
        text: `   ${job.purpose} Job ${job.name} ${job.outcome}${exit}${job.message ? `: ${job.message}` : ""}`,
      });
    }
  }

  const baseline = after.baseline;
  if (baseline?.values !== undefined && before?.baseline?.values === undefined) {
    const values = baseline.values
      .map((entry) =>
        entry.value === undefined ? `${entry.metric} no data` : `${entry.metric} ${formatValue(entry.value)}`,
      )
      .join(", ");
    const over = baseline.window === undefined ? "" : ` over ${baseline.window}`;
    lines.push({
      at: baseline.capturedAt ?? at,
      text: `   baseline (${baseline.mode}${over}, version ${baseline.version ?? "?"}): ${values}`,
    });
  }

  lines.push(...windowLines("watch", before?.watch, after.watch));
  lines.push(...windowLines("mini watch", before?.rollbackWatch, after.rollbackWatch));

  const breachesBefore = new Set((before?.breaches ?? []).map(breachKey));
  for (const breach of after.breaches ?? []) {
    if (!breachesBefore.has(breachKey(breach))) lines.push({ at: breach.at, text: describeBreach(breach) });
  }

  const rollback = after.rollback;
  if (rollback !== undefined && before?.rollback?.requestedAt !== rollback.requestedAt) {
    lines.push({
      at: rollback.requestedAt,
      text: `ROLLING BACK${rollback.target ? ` to ${rollback.target}` : ""}: ${rollback.cause}`,
    });
  }

  const pending = after.pendingDecision;
  if (pending !== undefined && before?.pendingDecision?.since !== pending.since) {
    lines.push({ at: pending.since, text: `WAITING for a human (${pending.kind}): ${pending.question}` });
    for (const command of pending.commands) lines.push({ at: pending.since, text: `   answer: ${command}` });
  }

  // The verdict's line carries its reason. Before it, the reason is printed when the standing (the Ready
  // condition's reason: Deploying, AwaitingApproval, ...) changes, not at each progress message within one.
  if (after.verdict !== undefined && before?.verdict === undefined) {
    lines.push({
      at: after.completedAt ?? at,
      text: verdictLine(after.verdict, after.reason),
    });
  } else if (after.verdict === undefined && after.reason !== undefined) {
    const standing = standingOf(after);
    if (before === undefined || standing !== standingOf(before)) {
      lines.push({ at, text: `   ${standing ?? "status"}: ${after.reason}` });
    }
  }

  const report = after.report;
  if (report?.configMap !== undefined && before?.report?.configMap === undefined) {
    lines.push({ at, text: `   report: ConfigMap ${report.configMap}` });
  }
  if (report?.gitCommit !== undefined && report.gitCommit !== before?.report?.gitCommit) {
    const tag = report.gitTag ? `, tag ${report.gitTag}` : "";
    lines.push({
      at,
      text: `   report committed to git: ${report.gitPath ?? "?"} in ${report.gitCommit.slice(0, 12)}${tag}`,
    });
  }

  // Oldest first; lines of the same moment keep the order above (a phase's end before the next start).
  const timeOf = (line: ProgressLine): number => {
    const time = Date.parse(line.at);
    return Number.isNaN(time) ? now.getTime() : time;
  };
  return lines
    .map((line, index) => ({ line, index, time: timeOf(line) }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map(({ line }) => line);
}

/** A line as printed: `21:50:07  nav-1-4-2  -> SmokeTest`. */
export function renderLine(release: string, line: ProgressLine): string {
  return `${clockOf(line.at)}  ${release}  ${line.text}`;
}
