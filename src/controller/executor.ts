// Carries out a Release's actions, each idempotent: a Job is created under its deterministic name, and
// an AlreadyExists is adopted only when the existing object is owned by this very Release (its UID);
// the report ConfigMap is created or updated to what status says.
import type { V1ConfigMap, V1Job, V1ObjectMeta } from "@kubernetes/client-node";
import type { Release } from "../api/v1alpha1/index.js";
import type { ReleaseAction } from "../release/decide.js";
import { labelsFor, ownerReferenceTo } from "../release/jobs.js";
import { attachmentKeys } from "../report/attachments.js";
import { reportConfigMapName } from "../report/render.js";
import { apiErrorMessage, isConflict, isNotFound, isRefused } from "../runtime/api-errors.js";
import type { KubeClients } from "./kube.js";
import { captureSnapshot } from "./snapshot.js";

export class OwnershipError extends Error {}

/** The API server refused a Job as written (400, 422): creating it again would be refused again. */
export class JobRefusedError extends Error {
  constructor(
    readonly jobName: string,
    /** The API server's words, e.g. `422: Job.batch "x" is invalid: spec.template.spec.nodeSelector: ...`. */
    readonly apiMessage: string,
    options?: ErrorOptions,
  ) {
    super(`the API server refused Job ${jobName}: ${apiMessage}`, options);
    this.name = "JobRefusedError";
  }
}

function ownedBy(metadata: V1ObjectMeta | undefined, release: Release): boolean {
  return (metadata?.ownerReferences ?? []).some(
    (owner) => owner.kind === "Release" && owner.uid === release.metadata.uid && owner.controller === true,
  );
}

function where(release: Release): string {
  return `Release ${release.metadata.namespace ?? ""}/${release.metadata.name ?? ""}`;
}

/** Creates the Job, or adopts the one that exists when this Release owns it. */
export async function ensureJob(
  clients: KubeClients,
  release: Release,
  job: V1Job,
): Promise<"created" | "existed"> {
  const namespace = job.metadata?.namespace ?? "";
  const name = job.metadata?.name ?? "";
  try {
    await clients.batch.createNamespacedJob({ namespace, body: job });
    return "created";
  } catch (error) {
    if (isRefused(error)) throw new JobRefusedError(name, apiErrorMessage(error), { cause: error });
    if (!isConflict(error)) {
      throw new Error(`${where(release)}: creating Job ${name} failed: ${apiErrorMessage(error)}`, {
        cause: error,
      });
    }
  }
  const existing = await clients.batch.readNamespacedJob({ name, namespace });
  if (!ownedBy(existing.metadata, release)) {
    throw new OwnershipError(
      `${where(release)}: Job ${name} exists but is not owned by this Release (uid ${release.metadata.uid ?? "?"}); delete it or rename the Release`,
    );
  }
  return "existed";
}

export interface ActionContext {
  /** The last lines of a script Job's output, for the snapshot of a hung one. */
  lastLines: (purpose: "deploy" | "rollback") => string[];
  why: string;
  now: Date;
}

export interface ActionOutcome {
  message: string;
  /** Report ConfigMap keys the action produced. */
  attachments?: Record<string, string>;
}

/** Stops a Job and, first, its Pod: foreground deletion keeps the Job until its Pod is gone. */
async function deleteJob(clients: KubeClients, release: Release, name: string): Promise<"deleted" | "gone"> {
  const namespace = release.metadata.namespace ?? "";
  try {
    await clients.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Foreground" });
    return "deleted";
  } catch (error) {
    if (isNotFound(error)) return "gone";
    throw new Error(`${where(release)}: deleting Job ${name} failed: ${apiErrorMessage(error)}`, {
      cause: error,
    });
  }
}

export async function executeAction(
  clients: KubeClients,
  release: Release,
  action: ReleaseAction,
  context: ActionContext,
): Promise<ActionOutcome> {
  switch (action.kind) {
    case "create-job": {
      const outcome = await ensureJob(clients, release, action.job);
      return {
        message: `${outcome === "created" ? "Created" : "Found existing"} ${action.purpose} Job ${action.job.metadata?.name ?? ""}`,
      };
    }
    case "capture-snapshot": {
      const snapshot = await captureSnapshot(clients.core, {
        namespace: release.metadata.namespace ?? "",
        jobName: action.jobName,
        ...(action.podName === undefined ? {} : { podName: action.podName }),
        why: context.why,
        at: context.now,
        lastLines: context.lastLines(action.purpose),
      });
      return {
        message: `Captured a snapshot of ${action.purpose} Job ${action.jobName}`,
        attachments: { [attachmentKeys[action.purpose].snapshot]: snapshot },
      };
    }
    case "delete-job": {
      const outcome = await deleteJob(clients, release, action.jobName);
      return {
        message:
          outcome === "deleted" ? `Deleted Job ${action.jobName}` : `Job ${action.jobName} was already gone`,
      };
    }
  }
}

/** Whether `data` holds exactly `wanted`: the same keys, the same values. */
function same(
  data: Readonly<Record<string, string>> | undefined,
  wanted: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(data ?? {});
  return keys.length === Object.keys(wanted).length && keys.every((key) => data?.[key] === wanted[key]);
}

/** A report's whole data from what the ConfigMap holds now (empty when there is none yet). */
export type ReportComposer = (stored: Readonly<Record<string, string>>) => Record<string, string>;

/**
 * Writes `<release>-report` as `compose` makes it from what it holds: from the cached copy (`current`)
 * first, and on an update again from a fresh read, so a write the cache has not seen yet is built on,
 * not lost. The data is replaced whole, so a key the composer dropped (to stay under the size limit)
 * stays dropped. Update carries the resourceVersion read, so a concurrent writer makes this fail, not vanish.
 */
export async function writeReport(
  clients: KubeClients,
  release: Release,
  compose: ReportComposer,
  current: V1ConfigMap | undefined,
): Promise<"created" | "updated" | "unchanged"> {
  const namespace = release.metadata.namespace ?? "";
  const name = reportConfigMapName(release.metadata.name ?? "");
  const entries = compose(current?.data ?? {});
  if (current !== undefined && same(current.data, entries)) return "unchanged";
  if (current === undefined) {
    const body: V1ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        namespace,
        labels: labelsFor(release, "report"),
        ownerReferences: [ownerReferenceTo(release)],
      },
      data: { ...entries },
    };
    try {
      await clients.core.createNamespacedConfigMap({ namespace, body });
      return "created";
    } catch (error) {
      if (!isConflict(error))
        throw new Error(`${where(release)}: creating ConfigMap ${name} failed: ${apiErrorMessage(error)}`, {
          cause: error,
        });
      // Created meanwhile (the cache was behind): fall through to update the fresh copy.
    }
  }
  let fresh: V1ConfigMap;
  try {
    fresh = await clients.core.readNamespacedConfigMap({ name, namespace });
  } catch (error) {
    if (isNotFound(error))
      throw new Error(`${where(release)}: ConfigMap ${name} vanished while being written`, { cause: error });
    throw error;
  }
  if (!ownedBy(fresh.metadata, release)) {
    throw new OwnershipError(`${where(release)}: ConfigMap ${name} exists but is not owned by this Release`);
  }
  const data = compose(fresh.data ?? {});
  if (same(fresh.data, data)) return "unchanged";
  await clients.core.replaceNamespacedConfigMap({
    name,
    namespace,
    body: { apiVersion: "v1", kind: "ConfigMap", metadata: fresh.metadata, data },
  });
  return "updated";
}
