// The report ConfigMap's whole data from what it holds and what this reconcile brings: the attachments
// (followed output, snapshots), each watch window's series with its latest interval appended, both
// documents rendered, secret values removed, and all of it fitted under the ConfigMap limit. Pure.
import type { MetricSettings, Release } from "../api/v1alpha1/index.js";
import { fitReport } from "./fit.js";
import { renderReleaseReport, REPORT_KEY } from "./render.js";
import { renderRollbackReport, ROLLBACK_REPORT_KEY } from "./rollback-report.js";
import { appendLatest, WATCH_SERIES_KEYS } from "./watch-series.js";

export interface ReportInput {
  release: Release;
  /** What the ConfigMap holds now. */
  stored: Readonly<Record<string, string>>;
  /** New attachments from this reconcile, replacing stored ones of the same key. */
  attachments?: Readonly<Record<string, string>>;
  /** The watched metrics, for the charts' thresholds. */
  metrics?: readonly MetricSettings[];
  /** Removes secret values from every string of the data. */
  redact?: (data: Record<string, string>) => Record<string, string>;
}

export function composeReport(input: ReportInput): Record<string, string> {
  const { release, stored, metrics } = input;
  const data: Record<string, string> = { ...stored, ...input.attachments };
  const windows = { release: release.status?.watch, rollback: release.status?.rollbackWatch };
  for (const [window, key] of Object.entries(WATCH_SERIES_KEYS) as [keyof typeof windows, string][]) {
    const appended = appendLatest(stored[key], windows[window]);
    if (appended !== undefined) data[key] = appended;
  }
  const rollback = renderRollbackReport(release, data, metrics);
  data[REPORT_KEY] = renderReleaseReport(release, data, metrics);
  if (rollback !== undefined) data[ROLLBACK_REPORT_KEY] = rollback;
  // Redacted before fitted: a redaction can make a text longer.
  return fitReport(input.redact === undefined ? data : input.redact(data));
}
