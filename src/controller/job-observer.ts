// What the release's Jobs are doing, read from the caches (Job and Pod), confirmed with the API server
// where the cache could mislead: a Job that status says is running and the cache does not hold may
// just be newer than the cache, and "deleted" is an irreversible conclusion (it rolls back).
import type { CoreV1Api, BatchV1Api, V1Job, V1Pod } from "@kubernetes/client-node";
import type { JobRecord } from "../api/v1alpha1/index.js";
import type { JobObservation } from "../release/world.js";
import { isNotFound } from "../runtime/api-errors.js";

const iso = (value: Date | string | undefined): string | undefined =>
  value === undefined ? undefined : new Date(value).toISOString();

/** Why a Job's Pod has not started, in the words of the scheduler, the kubelet or the Job controller. */
export function whyNotStarted(pod: V1Pod | undefined): string {
  if (pod === undefined) return "no Pod was created (the Job's Events say why)";
  const unscheduled = pod.status?.conditions?.find(
    (condition) => condition.type === "PodScheduled" && condition.status === "False",
  );
  const describe = (what: string, reason?: string, message?: string): string =>
    [what, reason, message].filter((part) => part !== undefined && part !== "").join(": ");
  if (unscheduled !== undefined) return describe("not scheduled", unscheduled.reason, unscheduled.message);
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  if (waiting !== undefined) return describe("waiting", waiting.reason, waiting.message);
  return pod.spec?.nodeName === undefined ? "not scheduled yet" : `not started on node ${pod.spec.nodeName}`;
}

/** A Job and its Pod as the pure phases see them. */
export function jobObservation(job: V1Job | undefined, pod: V1Pod | undefined): JobObservation {
  if (job === undefined) return { state: "absent" };
  const status = job.status ?? {};
  const failedCondition = status.conditions?.find(
    (condition) => condition.type === "Failed" && condition.status === "True",
  );
  const container = pod?.status?.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  const running = container?.state?.running;
  const state: JobObservation["state"] =
    (status.succeeded ?? 0) > 0
      ? "succeeded"
      : failedCondition !== undefined || (status.failed ?? 0) > 0
        ? "failed"
        : running !== undefined || terminated !== undefined
          ? "running"
          : "pending";
  const startedAt = iso(running?.startedAt ?? terminated?.startedAt);
  const finishedAt =
    state === "succeeded" || state === "failed"
      ? iso(terminated?.finishedAt ?? status.completionTime ?? failedCondition?.lastTransitionTime)
      : undefined;
  const failure =
    failedCondition === undefined
      ? undefined
      : [failedCondition.reason, failedCondition.message].filter(Boolean).join(": ");
  return {
    state,
    ...(job.metadata?.uid === undefined ? {} : { uid: job.metadata.uid }),
    ...(pod?.spec?.nodeName === undefined ? {} : { nodeName: pod.spec.nodeName }),
    ...(pod?.metadata?.name === undefined ? {} : { podName: pod.metadata.name }),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
    ...(terminated?.exitCode === undefined ? {} : { exitCode: terminated.exitCode }),
    ...(failure === undefined || failure === "" ? {} : { failure }),
    ...(state === "pending" ? { waiting: whyNotStarted(pod) } : {}),
  };
}

export interface JobLookup {
  job(name: string): V1Job | undefined;
  podOf(jobName: string): V1Pod | undefined;
}

const OUTPUT_LINES = 10;

/**
 * Observes the named Jobs. `records` are the Jobs status names: a running one missing from the cache
 * is looked up in the API server before it counts as absent, and a failed smoke Job's last lines are
 * read once, before its result is recorded.
 */
export async function observeJobs(
  api: { batch: BatchV1Api; core: CoreV1Api },
  namespace: string,
  names: readonly string[],
  records: readonly JobRecord[],
  lookup: JobLookup,
): Promise<Map<string, JobObservation>> {
  const observations = new Map<string, JobObservation>();
  for (const name of new Set([...names, ...records.map((record) => record.name)])) {
    const record = records.find((entry) => entry.name === name);
    let job = lookup.job(name);
    if (job === undefined && record?.outcome === "Running") {
      job = await api.batch.readNamespacedJob({ name, namespace }).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
    }
    const pod = lookup.podOf(name);
    const observation = jobObservation(job, pod);
    const smoke = record?.purpose === "smoke" || record?.purpose === "rollback-smoke";
    if (
      smoke &&
      observation.state === "failed" &&
      record.outcome === "Running" &&
      observation.podName !== undefined
    ) {
      const output = await api.core
        .readNamespacedPodLog({ name: observation.podName, namespace, tailLines: OUTPUT_LINES })
        .catch(() => undefined);
      if (output !== undefined && output.trim() !== "") observation.output = output.trimEnd();
    }
    observations.set(name, observation);
  }
  return observations;
}
