// The rollback report (`rollback.md`), written beside `release.md` once a rollback was decided: why,
// from which version to which, the rollback Job and its output, the smoke tests after it, the mini
// watch window with its table, charts and breaches, and the verdict. Rendered from status and the
// report's attachments like `release.md`, so it can be written again at any time. Pure.
import type { MetricSettings, PhaseRecord, Release } from "../api/v1alpha1/index.js";
import type { Attachments } from "./attachments.js";
import { jobLine, outputOf, smokeCount, smokeTable, timing, verdictSection, windowView } from "./sections.js";
import { WATCH_SERIES_KEYS } from "./watch-series.js";

export const ROLLBACK_REPORT_KEY = "rollback.md";

/** The RollingBack phase as one span: from its first record's start to its last one's end. */
export function rollbackSpan(release: Release): PhaseRecord | undefined {
  const records = (release.status?.phases ?? []).filter((record) => record.phase === "RollingBack");
  const first = records[0];
  const last = records.at(-1);
  if (first === undefined || last === undefined) return undefined;
  return { ...last, startedAt: first.startedAt };
}

/** Whether a rollback was decided: the report exists from then on. */
export function rollbackRan(release: Release): boolean {
  return release.status?.rollback !== undefined || rollbackSpan(release) !== undefined;
}

export function renderRollbackReport(
  release: Release,
  attachments: Attachments = {},
  metrics?: readonly MetricSettings[],
): string | undefined {
  if (!rollbackRan(release)) return undefined;
  const status = release.status ?? {};
  const rollback = status.rollback;
  const span = rollbackSpan(release);
  const target = rollback?.target ?? status.rollbackTarget;
  const lines = [
    `# Rollback of ${release.spec.version} in ${release.spec.environment}`,
    "",
    `- Release: ${release.metadata.namespace ?? ""}/${release.metadata.name ?? ""}`,
    `- Environment: ${release.spec.environment}`,
    `- Rolled back: ${release.spec.version} -> ${target ?? "no target known"}`,
    `- Cause: ${rollback?.cause ?? "not recorded"}`,
    `- Decided: ${rollback === undefined ? "not recorded" : `in ${rollback.from} at ${rollback.requestedAt}`}`,
    `- Rollback: ${span === undefined ? "not started yet" : timing(span)}`,
    `- Verdict: ${status.verdict ?? "none yet"}`,
    "",
    "## Rollback Job",
    "",
  ];
  const job = status.jobs?.find((record) => record.purpose === "rollback");
  if (job === undefined) lines.push("No rollback Job yet.", "");
  lines.push(...jobLine(job), ...outputOf("rollback", attachments));

  const smoke = (status.smoke ?? []).filter((result) => result.run === "rollback");
  lines.push("## Smoke Tests After the Rollback", "");
  if (smoke.length === 0) lines.push("No smoke test has run after the rollback.", "");
  else {
    const when = job?.finishedAt === undefined ? "" : ` after the rollback Job finished at ${job.finishedAt}`;
    lines.push(`Run${when}: ${smokeCount(smoke)}.`, "", ...smokeTable(smoke));
  }

  const mini = status.rollbackWatch;
  lines.push("## Mini Watch Window", "");
  if (mini === undefined) lines.push("No mini watch window (yet).", "");
  else {
    const view = windowView(
      mini,
      attachments[WATCH_SERIES_KEYS.rollback],
      (status.breaches ?? []).filter((breach) => breach.window === "rollback"),
      metrics,
      "after the rollback",
    );
    lines.push("Hard breaches only, against the release's baseline.", "", ...view.body, ...view.charts);
  }

  lines.push(...verdictSection(status));
  return lines.join("\n");
}
