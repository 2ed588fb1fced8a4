// One reconcile of one Environment: who holds it, what runs there, what is in force. The only writer
// of an Environment's status, serialized per key by the queue, so admission is decided in one place.
import { ENVIRONMENT, GROUP, VERSION } from "../api/v1alpha1/index.js";
import { decideEnvironment } from "../environment/decide.js";
import { objectLogger } from "../log.js";
import type { ReconcileResult } from "../runtime/controller.js";
import { ConflictError, writeStatus } from "../runtime/status-writer.js";
import { apiErrorMessage } from "../runtime/api-errors.js";
import { splitKey, type ReconcilerDependencies } from "./release-reconciler.js";

const CONFLICT_REQUEUE_MS = 200;

export function environmentReconciler(
  dependencies: Omit<ReconcilerDependencies, "probes" | "gateRecheckIntervalMs">,
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
    try {
      const written = await writeStatus(
        clients.custom,
        {
          group: GROUP,
          version: VERSION,
          plural: ENVIRONMENT.plural,
          namespace,
          name,
          resourceVersion: cached.metadata.resourceVersion ?? "",
        },
        cached.status ?? {},
        decision.status,
      );
      if (written !== undefined && decision.status.activeRelease !== cached.status?.activeRelease) {
        log.info(
          { activeRelease: decision.status.activeRelease ?? null },
          "Changed the release holding the environment",
        );
      }
    } catch (error) {
      if (error instanceof ConflictError) return { requeueAfterMs: CONFLICT_REQUEUE_MS };
      throw new Error(`Environment ${key}: writing status failed: ${apiErrorMessage(error)}`, {
        cause: error,
      });
    }
    const target = { ...cached, status: decision.status };
    for (const event of decision.events)
      await dependencies.events.record(target, event.type, event.reason, event.message);
    return {};
  };
}
