// Phase 5, the watch window, and the mini window after a rollback: each interval's reading judged
// against the baseline (watch-rules.ts), a hard breach rolling back, a soft one asking a human, the
// window measured from the start time in status so a restarted operator resumes it. Also the
// pre-deploy baseline, read before Execute starts the deploy. Pure.
import {
  ANNOTATIONS,
  formatDuration,
  parseDuration,
  type Breach,
  type MetricSnapshot,
  type ReleaseSettings,
  type WatchProgress,
} from "../api/v1alpha1/index.js";
import { abortCommand, annotateCommand } from "./commands.js";
import { readEscalation, type Decisions } from "./decisions.js";
import { refOf, type Draft, type Standing } from "./draft.js";
import { nextReadingAt, versionBefore, watchRequestDue, windowOver } from "./watch-request.js";
import {
  breachReason,
  elapsedLabel,
  finite,
  formatRatio,
  judgeMetric,
  NO_BASELINE,
  storedRatio,
} from "./watch-rules.js";
import type { ReleaseWorld, WatchReading } from "./world.js";

/** The reference's mini watch window after a rollback; shorter when the release's own window is. */
export const MINI_WATCH_MS = 5 * 60_000;
const MAX_SNAPSHOTS = 10;
const MAX_BREACHES = 32;
const MAX_MESSAGE = 500;
const OBSERVABILITY_BROKEN = "observability is itself broken";

const clip = (text: string): string =>
  text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;

/** The reading due now, when the observer has taken it. */
function readingDue(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
): { due: boolean; reading?: WatchReading } {
  const request = watchRequestDue(world.release, draft.status, settings, draft.now);
  if (request === undefined) return { due: false };
  const reading = world.watchReading?.key === request.key ? world.watchReading : undefined;
  return reading === undefined ? { due: true } : { due: true, reading };
}

function startWindow(
  window: WatchProgress["window"],
  version: string,
  durationMs: number,
  now: Date,
): WatchProgress {
  return {
    window,
    version,
    startedAt: now.toISOString(),
    endsAt: new Date(now.getTime() + durationMs).toISOString(),
    intervalsEvaluated: 0,
  };
}

/** `9s`, not `9s17ms`: how long something lasted, as a reason says it. */
const wholeSeconds = (ms: number): string => formatDuration(Math.floor(ms / 1000) * 1000);

const intervals = (count: number): string => `${count} interval${count === 1 ? "" : "s"}`;

const windowMs = (watch: WatchProgress): number => Date.parse(watch.endsAt) - Date.parse(watch.startedAt);

interface IntervalOutcome {
  /** The breach that rolls back, worded as the verdict's reason. */
  hard?: { reason: string };
  soft: Breach[];
}

/** The baseline each metric is compared with when the reading brings none (pre-deploy, and every mini window). */
function storedBaselines(draft: Draft): Map<string, number | undefined> {
  return new Map((draft.status.baseline?.values ?? []).map((entry) => [entry.metric, entry.value]));
}

/**
 * Judges one reading into the window's progress (`watch` is the draft's copy): a snapshot, the metrics
 * without data, the health check's run of failures, and the breaches. A mini window (`hardOnly`)
 * records soft verdicts but never asks about them.
 */
function evaluate(
  draft: Draft,
  settings: ReleaseSettings,
  watch: WatchProgress,
  reading: WatchReading,
  hardOnly: boolean,
): IntervalOutcome {
  const { metrics, noDataGraceMs, baseline: baselineSettings } = settings.environment.watch;
  const at = new Date(reading.at);
  const startedAt = new Date(watch.startedAt);
  const elapsed = elapsedLabel(startedAt, at);
  const concurrent = watch.window === "release" && baselineSettings.mode === "concurrent";
  const stored = storedBaselines(draft);
  const readings = new Map(reading.metrics.map((entry) => [entry.metric, entry]));
  const previous = new Map((watch.snapshots?.at(-1)?.metrics ?? []).map((entry) => [entry.metric, entry]));
  const missing = new Map((watch.missingData ?? []).map((entry) => [entry.metric, entry]));
  const graceMs = Math.min(noDataGraceMs, windowMs(watch));
  const hard: { reason: string; breach: Breach }[] = [];
  const soft: Breach[] = [];
  const breach = (
    severity: Breach["severity"],
    metric: string,
    message: string,
    figures: Partial<Breach> = {},
  ): Breach => ({
    metric,
    window: watch.window,
    severity,
    at: reading.at,
    elapsed,
    ...figures,
    message: clip(message),
  });

  const snapshot: MetricSnapshot[] = metrics.map((metric) => {
    const read = readings.get(metric.name);
    const value = reading.unreachable === undefined ? read?.value : undefined;
    const baseline = concurrent ? read?.baseline : stored.get(metric.name);
    const judged = judgeMetric(metric, value, baseline);
    const figures = {
      ...(finite(value) === undefined ? {} : { value: finite(value) }),
      ...(finite(baseline) === undefined ? {} : { baseline: finite(baseline) }),
      ...(finite(judged.ratio) === undefined ? {} : { ratio: storedRatio(judged.ratio ?? 0) }),
    };
    let message = judged.message;
    if (judged.verdict === "no-data") {
      message = reading.unreachable ?? read?.problem ?? "no data";
      const since = missing.get(metric.name)?.since ?? watch.lastEvaluatedAt ?? watch.startedAt;
      missing.set(metric.name, { metric: metric.name, since, message: clip(message) });
      const lasted = at.getTime() - Date.parse(since);
      if (lasted >= graceMs) {
        const what =
          reading.unreachable === undefined
            ? `no data for ${metric.name} for ${wholeSeconds(lasted)} at ${elapsed}`
            : `Prometheus unreachable for ${wholeSeconds(lasted)} at ${elapsed}`;
        const reason = `${what}: ${OBSERVABILITY_BROKEN} (${clip(message)})`;
        hard.push({ reason, breach: breach("hard", metric.name, reason) });
      }
    } else {
      missing.delete(metric.name);
      if (judged.message === NO_BASELINE && read?.baselineProblem !== undefined)
        message = `no baseline: ${read.baselineProblem}`;
    }
    if (judged.verdict === "hard" && judged.ratio !== undefined) {
      const reason = breachReason(metric.name, judged.ratio, elapsed);
      hard.push({
        reason,
        breach: breach(
          "hard",
          metric.name,
          `${reason} (value ${String(value)}, baseline ${String(baseline)}, hard at ${metric.hardRatio}x)`,
          figures,
        ),
      });
    }
    if (
      judged.verdict === "soft" &&
      judged.ratio !== undefined &&
      previous.get(metric.name)?.verdict !== "soft"
    ) {
      soft.push(
        breach(
          "soft",
          metric.name,
          `${metric.name} at ${formatRatio(judged.ratio)} baseline at ${elapsed} (soft from ${metric.softRatio}x, hard from ${metric.hardRatio}x)`,
          figures,
        ),
      );
    }
    return {
      metric: metric.name,
      ...figures,
      verdict: judged.verdict,
      ...(message === undefined ? {} : { message: clip(message) }),
    };
  });

  if (reading.health !== undefined) {
    const failures = reading.health.ok ? 0 : (watch.consecutiveHealthFailures ?? 0) + 1;
    watch.consecutiveHealthFailures = failures;
    const why = reading.health.message === undefined ? "" : ` (${clip(reading.health.message)})`;
    if (failures >= 2) {
      const reason = `health-check failed ${failures} consecutive intervals at ${elapsed}${why}`;
      hard.push({ reason, breach: breach("hard", "health-check", reason) });
    } else if (failures === 1) {
      soft.push(
        breach(
          "soft",
          "health-check",
          `health-check failed once at ${elapsed} (a blip until it fails again)${why}`,
        ),
      );
    }
  }

  watch.intervalsEvaluated += 1;
  watch.lastEvaluatedAt = reading.at;
  if (missing.size > 0) watch.missingData = [...missing.values()];
  else delete watch.missingData;
  watch.snapshots = [
    ...(watch.snapshots ?? []),
    {
      at: reading.at,
      elapsed,
      metrics: snapshot,
      ...(reading.health === undefined
        ? {}
        : { health: reading.health.ok ? ("ok" as const) : ("failed" as const) }),
    },
  ].slice(-MAX_SNAPSHOTS);

  if (concurrent) {
    const before = versionBefore(draft.status);
    draft.status.baseline = {
      mode: "concurrent",
      capturedAt: reading.at,
      ...(before === undefined ? {} : { version: before }),
      values: metrics.map((metric) => {
        const read = readings.get(metric.name);
        const value = finite(read?.baseline);
        const message = read?.baselineProblem;
        return {
          metric: metric.name,
          ...(value === undefined ? {} : { value }),
          ...(value === undefined && message !== undefined ? { message: clip(message) } : {}),
        };
      }),
    };
  }

  const recorded = [...hard.map((entry) => entry.breach), ...(hardOnly ? [] : soft)];
  if (recorded.length > 0) {
    draft.status.breaches = [...(draft.status.breaches ?? []), ...recorded].slice(-MAX_BREACHES);
    for (const entry of recorded) {
      draft.breachesSeen.push(entry.severity);
      draft.events.push({
        type: "Warning",
        reason: entry.severity === "hard" ? "HardBreach" : "SoftBreach",
        message: entry.message,
      });
    }
  }
  const first = hard[0];
  return { ...(first === undefined ? {} : { hard: { reason: first.reason } }), soft: hardOnly ? [] : soft };
}

/** Each accepted `escalation=extend=<d>` decision lengthens the window once. */
function applyExtensions(draft: Draft, watch: WatchProgress): void {
  const extends_ = (draft.status.decisions ?? []).flatMap((record) => {
    if (record.annotation !== ANNOTATIONS.escalation || !record.accepted) return [];
    const answer = readEscalation(record.value);
    return answer?.kind === "extend" ? [{ record, byMs: answer.byMs }] : [];
  });
  const applied = watch.extensions ?? 0;
  if (extends_.length <= applied) return;
  let total = parseDuration(watch.extendedBy ?? "0s") ?? 0;
  let endsAt = Date.parse(watch.endsAt);
  for (const { record, byMs } of extends_.slice(applied)) {
    total += byMs;
    endsAt += byMs;
    draft.events.push({
      type: "Normal",
      reason: "WatchExtended",
      message: `the watch window was extended by ${formatDuration(byMs)} (${record.annotation}=${record.value}); it now ends at ${new Date(endsAt).toISOString()}`,
    });
  }
  watch.extensions = extends_.length;
  watch.extendedBy = formatDuration(total);
  watch.endsAt = new Date(endsAt).toISOString();
}

function lastFigures(watch: WatchProgress): string {
  const last = watch.snapshots?.at(-1);
  if (last === undefined) return "no reading yet";
  const figures = last.metrics.map((entry) =>
    entry.ratio !== undefined
      ? `${entry.metric} ${formatRatio(entry.ratio)}`
      : `${entry.metric} ${entry.verdict === "no-data" ? "no data" : String(entry.value ?? "?")}`,
  );
  if (last.health !== undefined) figures.push(`health ${last.health}`);
  return `at ${last.elapsed}: ${figures.join(", ")}`;
}

function progressMessage(watch: WatchProgress, now: Date): string {
  return `watching ${watch.version ?? "?"}: ${elapsedLabel(new Date(watch.startedAt), now)} of ${formatDuration(windowMs(watch))}, ${intervals(watch.intervalsEvaluated)}; ${lastFigures(watch)}`;
}

/** While a reading is due and not in yet, its end wakes the Release; this is the fallback. */
function requeueForReading(
  draft: Draft,
  settings: ReleaseSettings,
  watch: WatchProgress,
  due: boolean,
): void {
  const intervalMs = settings.environment.watch.intervalMs;
  draft.requeueNoLaterThan(
    due ? new Date(draft.now.getTime() + intervalMs) : nextReadingAt(watch, intervalMs),
  );
}

/** Phase 5: the release's watch window. */
export function watchWindow(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  decisions: Decisions,
): Standing | undefined {
  const status = draft.status;
  const { release } = world;
  if (decisions.abort !== undefined) {
    draft.rollBack(
      `abort requested (release-operator.io/abort) during the watch window: ${decisions.abort.reason}`,
      "Aborted",
    );
    return undefined;
  }
  if (decisions.skipWatch !== undefined) {
    const reason = `the watch window was skipped (${ANNOTATIONS.skipWatch}): ${decisions.skipWatch.reason}`;
    status.incident = { reason, at: draft.iso };
    draft.complete(
      "Released-with-override",
      "Overridden",
      `Released-with-override: ${reason}; an incident retrospective is due`,
    );
    draft.events.push({ type: "Warning", reason: "IncidentRetrospectiveDue", message: reason });
    return undefined;
  }
  const pending = status.pendingDecision?.kind === "escalation" ? status.pendingDecision : undefined;
  if (decisions.escalation?.kind === "rollback") {
    draft.rollBack(
      `rolled back by decision (${ANNOTATIONS.escalation}=rollback)${pending === undefined ? "" : `: ${pending.question}`}`,
    );
    return undefined;
  }

  const watch: WatchProgress = structuredClone(
    status.watch ??
      startWindow("release", release.spec.version, settings.environment.watch.durationMs, draft.now),
  );
  status.watch = watch;
  applyExtensions(draft, watch);
  const { due, reading } = readingDue(draft, world, settings);
  const outcome = reading === undefined ? undefined : evaluate(draft, settings, watch, reading, false);
  if (outcome?.hard !== undefined) {
    draft.rollBack(outcome.hard.reason);
    return undefined;
  }
  requeueForReading(draft, settings, watch, due && reading === undefined);

  const answered = decisions.escalation !== undefined;
  const newSoft = outcome?.soft ?? [];
  if (!answered && (pending !== undefined || newSoft.length > 0)) {
    const ref = refOf(release);
    const question =
      newSoft.length > 0
        ? `Soft breach: ${newSoft.map((entry) => entry.message).join("; ")}. Continue the watch, roll back, or extend the window?`
        : (pending?.question ?? "");
    draft.ask({
      kind: "escalation",
      question,
      commands: [
        annotateCommand(ref, ANNOTATIONS.escalation, "continue"),
        annotateCommand(ref, ANNOTATIONS.escalation, "rollback"),
        annotateCommand(
          ref,
          ANNOTATIONS.escalation,
          `extend=${formatDuration(Math.min(windowMs(watch), 15 * 60_000))}`,
        ),
        abortCommand(ref),
      ],
    });
    return {
      reason: "AwaitingEscalation",
      message: `${question} Hard breaches still roll back; the window does not end while this waits (${progressMessage(watch, draft.now)})`,
      kind: "human",
      warning: true,
      progress: true,
    };
  }

  if (windowOver(watch)) {
    const soft = (status.breaches ?? []).filter(
      (entry) => entry.window === "release" && entry.severity === "soft",
    );
    const accepted =
      soft.length === 0
        ? ""
        : `; soft breaches accepted by decision: ${soft.map((entry) => `${entry.metric} at ${entry.elapsed}`).join(", ")}`;
    const extended = watch.extendedBy === undefined ? "" : ` (extended by ${watch.extendedBy})`;
    // A metric without a baseline was read but never compared: the verdict must not hide that.
    const uncompared = settings.environment.watch.metrics
      .map((metric) => metric.name)
      .filter((name) => status.baseline?.values?.find((entry) => entry.metric === name)?.value === undefined);
    const blind =
      uncompared.length === 0
        ? ""
        : `; not compared for lack of a baseline (${status.baseline?.mode ?? settings.environment.watch.baseline.mode}): ${uncompared.join(", ")}`;
    draft.complete(
      "Released",
      "Succeeded",
      `Released: ${watch.version ?? release.spec.version} watched for ${formatDuration(windowMs(watch))}${extended}, ${intervals(watch.intervalsEvaluated)}, no hard breach${accepted}${blind}`,
    );
    return undefined;
  }
  return {
    reason: "Watching",
    message: progressMessage(watch, draft.now),
    kind: "progressing",
    progress: true,
  };
}

export type MiniWatchProgress =
  | { state: "watching"; message: string }
  | { state: "passed"; message: string }
  | { state: "failed"; message: string };

/** Phase 6, Path B: the mini window after a rollback, hard breaches only, against the release's baseline. */
export function miniWatch(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
  target: string,
): MiniWatchProgress {
  const status = draft.status;
  const watch: WatchProgress = structuredClone(
    status.rollbackWatch ??
      startWindow(
        "rollback",
        target,
        Math.min(MINI_WATCH_MS, settings.environment.watch.durationMs),
        draft.now,
      ),
  );
  status.rollbackWatch = watch;
  const { due, reading } = readingDue(draft, world, settings);
  const outcome = reading === undefined ? undefined : evaluate(draft, settings, watch, reading, true);
  if (outcome?.hard !== undefined) {
    return {
      state: "failed",
      message: `in the mini watch window after the rollback, ${outcome.hard.reason}`,
    };
  }
  if (windowOver(watch)) {
    return {
      state: "passed",
      message: `mini watch window of ${formatDuration(windowMs(watch))} on ${target} passed (${intervals(watch.intervalsEvaluated)}, no hard breach)`,
    };
  }
  requeueForReading(draft, settings, watch, due && reading === undefined);
  return { state: "watching", message: `mini watch window: ${progressMessage(watch, draft.now)}` };
}

/**
 * Before the deploy Job starts: each metric's value over the baseline window, read from the version
 * that runs now, stored in status. Prometheus not answering at all holds the deploy (the watch would
 * be blind) and, past the no-data grace, aborts the release with nothing deployed.
 */
export function preDeployBaseline(
  draft: Draft,
  world: ReleaseWorld,
  settings: ReleaseSettings,
): Standing | undefined {
  const { watch } = settings.environment;
  const status = draft.status;
  if (watch.baseline.mode !== "pre-deploy" || status.baseline?.capturedAt !== undefined) return undefined;
  const { due, reading } = readingDue(draft, world, settings);
  if (reading === undefined) {
    const last = status.baseline?.lastAttemptAt;
    draft.requeueNoLaterThan(
      new Date((due || last === undefined ? draft.now.getTime() : Date.parse(last)) + watch.intervalMs),
    );
    return status.baseline?.message === undefined
      ? {
          reason: "ReadingBaseline",
          message: "reading the pre-deploy baseline from Prometheus",
          kind: "progressing",
        }
      : {
          reason: "BaselineUnavailable",
          message: `the deploy waits for the pre-deploy baseline: ${status.baseline.message}`,
          kind: "progressing",
          warning: true,
        };
  }
  const window = formatDuration(watch.baseline.windowMs);
  if (reading.unreachable !== undefined) {
    const first = status.baseline?.firstAttemptAt ?? reading.at;
    status.baseline = {
      mode: "pre-deploy",
      window,
      firstAttemptAt: first,
      lastAttemptAt: reading.at,
      message: clip(reading.unreachable),
    };
    const lasted = Date.parse(reading.at) - Date.parse(first);
    if (lasted >= watch.noDataGraceMs) {
      draft.complete(
        "Aborted",
        "Failed",
        `Aborted at Execute: ${OBSERVABILITY_BROKEN}: the pre-deploy baseline could not be read for ${wholeSeconds(lasted)} (${clip(reading.unreachable)}); nothing was deployed`,
      );
      return undefined;
    }
    draft.requeueNoLaterThan(new Date(Date.parse(reading.at) + watch.intervalMs));
    return {
      reason: "BaselineUnavailable",
      message: `the deploy waits for the pre-deploy baseline: ${clip(reading.unreachable)}`,
      kind: "progressing",
      warning: true,
    };
  }
  const before = versionBefore(status);
  status.baseline = {
    mode: "pre-deploy",
    window,
    capturedAt: reading.at,
    ...(before === undefined ? {} : { version: before }),
    values: reading.metrics.map((entry) => {
      const value = finite(entry.value);
      return {
        metric: entry.metric,
        ...(value === undefined ? {} : { value }),
        ...(value === undefined ? { message: clip(entry.problem ?? "no data") } : {}),
      };
    }),
  };
  return undefined;
}
