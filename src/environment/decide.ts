// The reconcile of an Environment as a pure function: which Release holds it (one at a time, the
// others in creation order), what version runs there, the recent history, and the settings in force.
// The Environment's reconcile is the only place that admits a Release, so two Releases can never
// both believe they hold one environment.
import {
  describeIssues,
  effectiveSummary,
  readEnvironmentSpec,
  readReleaseSpec,
  resolveReleaseSettings,
  type Environment,
  type EnvironmentSettings,
  type EnvironmentStatus,
  type Release,
  type ReleaseRecord,
  type SpecResult,
  type Verdict,
} from "../api/v1alpha1/index.js";
import { setConditions, type ConditionInput } from "../release/conditions.js";

export interface EnvironmentWorld {
  environment: Environment;
  /** The Releases naming this environment, in its namespace. */
  releases: readonly Release[];
  now: Date;
}

export interface EnvironmentDecision {
  status: EnvironmentStatus;
  events: { type: "Normal" | "Warning"; reason: string; message: string }[];
}

export const MAX_HISTORY = 20;
const MAX_QUEUE = 64;

/** Creation order, names breaking ties (creation timestamps have one-second resolution). */
export function creationOrder(a: Release, b: Release): number {
  const at = Date.parse(String(a.metadata.creationTimestamp ?? "")) || 0;
  const bt = Date.parse(String(b.metadata.creationTimestamp ?? "")) || 0;
  return at - bt || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

const isCompleted = (release: Release): boolean => release.status?.phase === "Completed";

/** Whether the environment could ever run this release: a spec it cannot accept waits outside the line. */
function admissible(
  environment: string,
  settings: SpecResult<EnvironmentSettings>,
  release: Release,
): boolean {
  const spec = readReleaseSpec(release.spec);
  if (!settings.ok || !spec.ok) return false;
  return resolveReleaseSettings(environment, settings.value, spec.value).ok;
}

/** What a finished release leaves running on the target. */
export function versionAfter(
  release: Release,
  verdict: Verdict,
  current: string | undefined,
): { version: string | undefined; unknown: boolean } {
  switch (verdict) {
    case "Released":
    case "Released-with-override":
      return { version: release.spec.version, unknown: false };
    case "Rolled-Back":
      return { version: release.status?.rollbackTarget ?? current, unknown: false };
    case "Rollback-Failed":
      return { version: current, unknown: true };
    case "Aborted":
      return { version: current, unknown: false };
  }
}

function recordOf(release: Release, verdict: Verdict): ReleaseRecord {
  return {
    release: release.metadata.name ?? "",
    version: release.spec.version,
    verdict,
    completedAt: release.status?.completedAt ?? "",
    ...(release.status?.reason === undefined ? {} : { reason: release.status.reason.slice(0, 1024) }),
  };
}

export function decideEnvironment(world: EnvironmentWorld): EnvironmentDecision {
  const { environment, now } = world;
  const status: EnvironmentStatus = structuredClone(environment.status ?? {});
  const events: EnvironmentDecision["events"] = [];
  const iso = now.toISOString();
  const generation = environment.metadata.generation;
  const byName = new Map(world.releases.map((release) => [release.metadata.name ?? "", release]));

  // The holder's release finished or vanished: record it, free the environment.
  const holderName = status.activeRelease;
  if (holderName !== undefined) {
    const holder = byName.get(holderName);
    const verdict = holder?.status?.verdict;
    if (holder === undefined) {
      delete status.activeRelease;
      events.push({
        type: "Warning",
        reason: "ActiveReleaseDeleted",
        message: `Release ${holderName} was deleted while it held the environment`,
      });
    } else if (isCompleted(holder) && verdict !== undefined) {
      const history = status.history ?? [];
      if (!history.some((entry) => entry.release === holderName)) {
        const after = versionAfter(holder, verdict, status.currentVersion);
        if (after.version === undefined) delete status.currentVersion;
        else status.currentVersion = after.version;
        if (after.unknown) status.currentVersionUnknown = true;
        else if (verdict !== "Aborted") delete status.currentVersionUnknown;
        const record = recordOf(holder, verdict);
        status.history = [record, ...history].slice(0, MAX_HISTORY);
        if (verdict === "Released" || verdict === "Released-with-override") status.lastReleased = record;
      }
      delete status.activeRelease;
      events.push({
        type: "Normal",
        reason: "ReleaseFinished",
        message: `Release ${holderName} finished: ${verdict}`,
      });
    }
  }

  const settings = readEnvironmentSpec(environment.spec);
  const waiting = world.releases
    .filter(
      (release) => !isCompleted(release) && admissible(environment.metadata.name ?? "", settings, release),
    )
    .sort(creationOrder);
  if (status.activeRelease === undefined) {
    const next = waiting[0];
    if (next !== undefined) {
      status.activeRelease = next.metadata.name ?? "";
      events.push({
        type: "Normal",
        reason: "ReleaseAdmitted",
        message: `Release ${status.activeRelease} (version ${next.spec.version}) holds the environment`,
      });
    }
  }
  const queue = waiting
    .map((release) => release.metadata.name ?? "")
    .filter((entry) => entry !== status.activeRelease);
  if (queue.length > 0) status.queue = queue.slice(0, MAX_QUEUE);
  else delete status.queue;

  const conditions: ConditionInput[] = [];
  if (settings.ok) {
    status.effective = effectiveSummary(settings.value);
    const message =
      status.activeRelease === undefined
        ? `no release running${status.currentVersion === undefined ? "" : `; ${status.currentVersion} is current`}`
        : `Release ${status.activeRelease} holds the environment${queue.length > 0 ? `; ${queue.length} waiting` : ""}`;
    conditions.push(
      status.currentVersionUnknown === true
        ? {
            type: "Ready",
            status: "False",
            reason: "VersionUnknown",
            message:
              "a rollback failed: the version running is unknown until a human repairs the target and releases again",
          }
        : {
            type: "Ready",
            status: "True",
            reason: status.activeRelease === undefined ? "Idle" : "Releasing",
            message,
          },
    );
  } else {
    const message = `the spec cannot be used; no release starts until it is fixed:\n${describeIssues(settings.issues)}`;
    delete status.effective;
    conditions.push(
      { type: "Ready", status: "False", reason: "InvalidSpec", message },
      { type: "Stalled", status: "True", reason: "InvalidSpec", message },
    );
  }
  const before = environment.status?.conditions ?? [];
  status.conditions = setConditions(before, conditions, settings.ok ? ["Stalled"] : [], generation, iso);
  status.observedGeneration = generation;
  const wasInvalid = before.some((condition) => condition.type === "Stalled" && condition.status === "True");
  if (!settings.ok && !wasInvalid) {
    events.push({ type: "Warning", reason: "InvalidSpec", message: describeIssues(settings.issues) });
  }
  return { status, events };
}
