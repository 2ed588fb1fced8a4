// One reconcile of one Environment: who holds it, what runs there, what is in force. The only writer
// of an Environment's status, serialized per key by the queue, so admission is decided in one place.
import { ENVIRONMENT } from "../api/v1alpha1/index.js";
import { decideEnvironment } from "../environment/decide.js";
import { objectLogger } from "../log.js";
import type { ReconcileResult } from "../runtime/controller.js";
import { CONFLICT_REQUEUE_MS, writeStatusOf } from "./status.js";
import { splitKey, type ReconcilerDependencies } from "./release-reconciler.js";

export function environmentReconciler(
  dependencies: Pick<ReconcilerDependencies, "clients" | "caches" | "events" | "log" | "now">,
): (key: string) => Promise<ReconcileResult> {
  const { clients, caches } = dependencies;
  return async (key) => {
    const { namespace, name } = splitKey(key);
    const cached = caches.environments.get(name, namespace);
    if (cached === undefined) return {};
    const log = objectLogger(dependencies.log, { kind: "Environment", namespace, name });
    const releases = caches.releases
      .list(namespace)
      .filter((release) => release.spec.environment === name)
      .map((release) => structuredClone(release));
    const decision = decideEnvironment({
      environment: structuredClone(cached),
      releases,
      now: dependencies.now(),
    });
    const write = await writeStatusOf(clients, ENVIRONMENT, cached, decision.status);
    if (write.outcome === "conflict") return { requeueAfterMs: CONFLICT_REQUEUE_MS };
    if (write.outcome === "written" && decision.status.activeRelease !== cached.status?.activeRelease) {
      log.info(
        { activeRelease: decision.status.activeRelease ?? null },
        "Changed the release holding the environment",
      );
    }
    const target = { ...cached, status: decision.status };
    for (const event of decision.events)
      await dependencies.events.record(target, event.type, event.reason, event.message);
    return {};
  };
}
