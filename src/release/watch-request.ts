// Which reading of the live system a Release needs now, and what exactly to ask: the pre-deploy
// baseline before Execute starts the deploy, then one reading per interval of the watch window (and
// of the mini window after a rollback). Pure: the observer asks it what to read, the decision asks it
// whether the reading it got is the one due. Every reading has a key that the next one does not
// share, so a reading is taken once per interval, however often the Release is reconciled.
import type { Release, ReleaseSettings, ReleaseStatus, WatchProgress } from "../api/v1alpha1/index.js";
import { renderQuery, type PlaceholderValues } from "../providers/prometheus/query.js";
import { startPermission } from "./schedule.js";
import type { MetricRequest, WatchPurpose, WatchRequest } from "./world.js";

/** The version that ran before this release: the baseline of a first release's rollback target otherwise. */
export function versionBefore(status: ReleaseStatus): string | undefined {
  return status.previousVersion ?? status.rollbackTarget;
}

/**
 * When the window's next reading is due: on the grid of intervals from the window's start (a late
 * reading does not push the later ones back), the last one at its end; past the end (a pending
 * decision) on the same grid. After a restart the missed points are skipped, not made up.
 */
export function nextReadingAt(watch: WatchProgress, intervalMs: number): Date {
  const startedAt = Date.parse(watch.startedAt);
  const endsAt = Date.parse(watch.endsAt);
  const last = Date.parse(watch.lastEvaluatedAt ?? watch.startedAt);
  const next = startedAt + (Math.floor((last - startedAt) / intervalMs) + 1) * intervalMs;
  return new Date(last >= endsAt ? next : Math.min(next, endsAt));
}

/** Whether the window has had its last reading. */
export function windowOver(watch: WatchProgress): boolean {
  return watch.lastEvaluatedAt !== undefined && Date.parse(watch.lastEvaluatedAt) >= Date.parse(watch.endsAt);
}

/** Seconds, the duration form every PromQL version reads. */
const promDuration = (ms: number): string => `${Math.max(1, Math.round(ms / 1000))}s`;

/** About thirty points over the baseline's window, never finer than a second. */
const BASELINE_POINTS = 30;

/**
 * A metric's value over the pre-deploy baseline's window: its average at about thirty points (a
 * subquery, so it needs a query returning an instant vector; the gate checks this form too).
 */
export function preDeployQuery(query: string, windowMs: number): string {
  return `avg_over_time((${query})[${promDuration(windowMs)}:${promDuration(Math.max(1000, windowMs / BASELINE_POINTS))}])`;
}

function metricRequests(
  settings: ReleaseSettings,
  values: PlaceholderValues,
  baselineValues: PlaceholderValues | undefined,
): MetricRequest[] {
  return settings.environment.watch.metrics.map((metric) => {
    const rendered = renderQuery(metric.query, values);
    if (!rendered.ok) return { metric: metric.name, problem: rendered.message };
    if (baselineValues === undefined) return { metric: metric.name, query: rendered.query };
    const baseline = renderQuery(metric.query, baselineValues);
    return {
      metric: metric.name,
      query: rendered.query,
      ...(baseline.ok ? { baselineQuery: baseline.query } : {}),
    };
  });
}

function keyOf(release: Release, purpose: WatchPurpose, ...parts: string[]): string {
  return [release.metadata.uid ?? "", purpose, ...parts].join(":");
}

function preDeployBaselineDue(
  release: Release,
  status: ReleaseStatus,
  settings: ReleaseSettings,
  now: Date,
): WatchRequest | undefined {
  const { watch, changeWindows, blackouts } = settings.environment;
  if (watch.baseline.mode !== "pre-deploy" || status.baseline?.capturedAt !== undefined) return undefined;
  const deployStarted =
    status.manual !== undefined || (status.jobs ?? []).some((record) => record.purpose === "deploy");
  if (deployStarted) return undefined;
  // Read right before the deploy, not while it waits for its change window.
  if (!startPermission(changeWindows, blackouts, now).allowed) return undefined;
  const last = status.baseline?.lastAttemptAt;
  if (last !== undefined && now.getTime() < Date.parse(last) + watch.intervalMs) return undefined;
  const before = versionBefore(status);
  const windowMs = watch.baseline.windowMs;
  const metrics = watch.metrics.map((metric): MetricRequest => {
    if (before === undefined && /\{(version|previousVersion)\}/.test(metric.query)) {
      return {
        metric: metric.name,
        problem:
          "no version ran before this release (no previous version, no rollback target) to measure the baseline of",
      };
    }
    const rendered = renderQuery(metric.query, {
      version: before ?? "",
      ...(before === undefined ? {} : { previousVersion: before }),
      environment: release.spec.environment,
    });
    return rendered.ok
      ? { metric: metric.name, query: preDeployQuery(rendered.query, windowMs) }
      : { metric: metric.name, problem: rendered.message };
  });
  return { purpose: "baseline", key: keyOf(release, "baseline", last ?? "first"), metrics };
}

function windowReadingDue(
  release: Release,
  status: ReleaseStatus,
  settings: ReleaseSettings,
  watch: WatchProgress,
  now: Date,
): WatchRequest | undefined {
  const { intervalMs, healthCheck, baseline } = settings.environment.watch;
  if (now < nextReadingAt(watch, intervalMs)) return undefined;
  const purpose: WatchPurpose = watch.window;
  const before = versionBefore(status);
  const watched = watch.version ?? release.spec.version;
  const environment = release.spec.environment;
  // The rollback's window watches the target, the version it came from being the one before it.
  const values: PlaceholderValues =
    purpose === "release"
      ? { version: watched, ...(before === undefined ? {} : { previousVersion: before }), environment }
      : { version: watched, previousVersion: release.spec.version, environment };
  const concurrent =
    purpose === "release" && baseline.mode === "concurrent" && before !== undefined
      ? { version: before, previousVersion: before, environment }
      : undefined;
  return {
    purpose,
    key: keyOf(release, purpose, watch.startedAt, String(watch.intervalsEvaluated)),
    metrics: metricRequests(settings, values, concurrent),
    ...(healthCheck === undefined ? {} : { healthCheck }),
  };
}

/** The reading the Release needs now, judged on `status` (as read, or as being decided). */
export function watchRequestDue(
  release: Release,
  status: ReleaseStatus,
  settings: ReleaseSettings,
  now: Date,
): WatchRequest | undefined {
  switch (status.phase) {
    case "Execute":
      return preDeployBaselineDue(release, status, settings, now);
    case "WatchWindow":
      return status.watch === undefined
        ? undefined
        : windowReadingDue(release, status, settings, status.watch, now);
    case "RollingBack":
      return status.rollbackWatch === undefined || windowOver(status.rollbackWatch)
        ? undefined
        : windowReadingDue(release, status, settings, status.rollbackWatch, now);
    case undefined:
    case "Pending":
    case "PreReleaseGate":
    case "StrategySelect":
    case "SmokeTest":
    case "CommitOrRollback":
    case "Completed":
      return undefined;
  }
}
