// Worlds for the unit tests of the Release decision: a Release at a given point of its life, built
// by running the decision itself reconcile after reconcile, so a test starts from a status the
// operator really writes.
import type { Release } from "../../src/api/v1alpha1/index.js";
import { decideRelease, type EnvironmentView, type ReleaseWorld } from "../../src/release/decide.js";
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
