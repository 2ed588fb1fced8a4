// Worlds for the unit tests of the Release decision: a Release at a given point of its life, built
// by running the decision itself reconcile after reconcile, so a test starts from a status the
// operator really writes.
import { resolveReleaseSettings, type Release, type ReleaseSettings } from "../../src/api/v1alpha1/index.js";
import { decideRelease, type EnvironmentView, type ReleaseWorld } from "../../src/release/decide.js";
import { watchRequestDue } from "../../src/release/watch-request.js";
import type { WatchReading } from "../../src/release/world.js";
import type { GateProbeResults } from "../../src/release/gate.js";
import { GATE_RECHECK_MS, heldBy, NOW, probeResults, releaseObject, withStatus } from "./releases.js";

/** The first reconcile of `release`; by default its environment names it the holder. */
export function worldOf(
  release: Release = releaseObject(),
  environment: EnvironmentView = heldBy(release.metadata.name),
): ReleaseWorld {
  return { release, environment, now: NOW, gateRecheckIntervalMs: GATE_RECHECK_MS };
}

/**
 * The world of the next reconcile: the Release as stored with the decided status, no new probe
 * results (they ran once), everything else as before unless `changes` says otherwise.
 */
export function next(world: ReleaseWorld, changes: Partial<ReleaseWorld> = {}): ReleaseWorld {
  const decided = decideRelease(world);
  const following: ReleaseWorld = { ...world, release: withStatus(world.release, decided.status) };
  delete following.probes;
  return { ...following, ...changes };
}

/** A Release admitted to its environment and in PreReleaseGate, about to get the probes' results. */
export function atGate(
  options: { release?: Release; environment?: EnvironmentView; probes?: GateProbeResults } = {},
): ReleaseWorld {
  const release = options.release ?? releaseObject();
  const environment = options.environment ?? heldBy(release.metadata.name);
  const admitted = next(worldOf(release, environment));
  return { ...admitted, probes: options.probes ?? probeResults() };
}

/** The settings `world`'s Release runs with; a test whose world has none fails here. */
export function settingsOfWorld(world: ReleaseWorld): ReleaseSettings {
  const view = world.environment;
  if (view.kind !== "ready") throw new Error("the test world's Environment is not ready");
  const resolved = resolveReleaseSettings(view.name, view.settings, world.release.spec);
  if (!resolved.ok) throw new Error("the test world's Release spec is not accepted by its Environment");
  return resolved.value;
}

/**
 * The watch reading due for `world` as the observer would bring it: each metric's value (and its
 * concurrent baseline) as given, a metric not given without data. Undefined when none is due.
 */
export function readingFor(
  world: ReleaseWorld,
  values: Readonly<Record<string, number | { value?: number; baseline?: number }>> = {},
  extra: Partial<Omit<WatchReading, "key" | "metrics">> = {},
): WatchReading | undefined {
  const status = world.release.status ?? {};
  const request = watchRequestDue(world.release, status, settingsOfWorld(world), world.now);
  if (request === undefined) return undefined;
  return {
    key: request.key,
    at: world.now.toISOString(),
    metrics: request.metrics.map((metric) => {
      const given = values[metric.metric];
      const read = typeof given === "number" ? { value: given } : (given ?? {});
      return {
        metric: metric.metric,
        ...read,
        ...(read.value === undefined ? { problem: "no data: the query returned an empty result" } : {}),
      };
    }),
    ...extra,
  };
}

/** `world` with the watch reading due in it (see readingFor). */
export function withReading(
  world: ReleaseWorld,
  values: Parameters<typeof readingFor>[1] = {},
  extra: Parameters<typeof readingFor>[2] = {},
): ReleaseWorld {
  const reading = readingFor(world, values, extra);
  return reading === undefined ? world : { ...world, watchReading: reading };
}
