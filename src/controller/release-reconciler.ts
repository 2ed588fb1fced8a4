// One reconcile of one Release: read from the caches, look at the world where the phase needs it,
// decide (pure), act once, write status (a merge patch of the diff, locked on the resourceVersion
// read), write the report, announce. A crash between any two lines repeats nothing: actions are
// idempotent and status is written last of the steps that decide.
import type { ObjectCache, V1ConfigMap, V1Job } from "@kubernetes/client-node";
import {
  describeIssues,
  GROUP,
  RELEASE,
  VERSION,
  readEnvironmentSpec,
  readReleaseSpec,
  resolveReleaseSettings,
  type Environment,
  type Release,
} from "../api/v1alpha1/index.js";
import { objectLogger, type Logger } from "../log.js";
import { decideRelease, type EnvironmentView } from "../release/decide.js";
import { probesDue, type GateProbeResults, type ScriptJobResult } from "../release/gate.js";
import { jobNameFor, rollbackCheckResult } from "../release/jobs.js";
import { renderReleaseReport, reportConfigMapName } from "../report/render.js";
import type { ReconcileResult } from "../runtime/controller.js";
import type { EventRecorder } from "../runtime/events.js";
import type { OperatorMetrics } from "../runtime/metrics.js";
import { executeAction, writeReport } from "./executor.js";
import { runGateProbes, type ProbeDependencies } from "./gate-probes.js";
import type { ProbeRunner } from "./probe-runner.js";
import { isNotFound } from "../runtime/api-errors.js";
import { CONFLICT_REQUEUE_MS, writeStatusOf } from "./status.js";
import type { KubeClients } from "./kube.js";

export interface Caches {
  releases: ObjectCache<Release>;
  environments: ObjectCache<Environment>;
  jobs: ObjectCache<V1Job>;
  configMaps: ObjectCache<V1ConfigMap>;
}

export interface ReconcilerDependencies {
  clients: KubeClients;
  caches: Caches;
  events: EventRecorder;
  metrics: OperatorMetrics;
  log: Logger;
  probes: ProbeDependencies;
  /** Runs the gate's external checks beside the reconciles; see probe-runner.ts. */
  probeRunner: ProbeRunner<GateProbeResults>;
  gateRecheckIntervalMs: number;
  now: () => Date;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash === -1
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * An Environment's settings, read once per version of it: the cache replaces the object on every
 * change, so the object itself is the key, and a thousand Releases of one Environment share one read.
 * Readers never change settings (resolveReleaseSettings works on a copy).
 */
const settingsRead = new WeakMap<Environment, ReturnType<typeof readEnvironmentSpec>>();

function settingsOf(environment: Environment): ReturnType<typeof readEnvironmentSpec> {
  let settings = settingsRead.get(environment);
  if (settings === undefined) {
    settings = readEnvironmentSpec(environment.spec);
    settingsRead.set(environment, settings);
  }
  return settings;
}

function environmentView(release: Release, environment: Environment | undefined): EnvironmentView {
  const name = release.spec.environment;
  if (environment === undefined) return { kind: "missing", name };
  const settings = settingsOf(environment);
  if (!settings.ok) return { kind: "invalid", name, issues: describeIssues(settings.issues) };
  return { kind: "ready", name, settings: settings.value, status: environment.status ?? {} };
}

/** How the rollback-check Job ended: its Pod's exit code says why it failed. */
async function observeScriptJob(
  clients: KubeClients,
  job: V1Job | undefined,
  scriptPath: string | undefined,
): Promise<ScriptJobResult | undefined> {
  if (job === undefined || scriptPath === undefined) return undefined;
  if ((job.status?.succeeded ?? 0) > 0) return { done: true, ...rollbackCheckResult(0, scriptPath) };
  const failed = job.status?.conditions?.some(
    (condition) => condition.type === "Failed" && condition.status === "True",
  );
  if (failed !== true) return { done: false };
  const pods = await clients.core.listNamespacedPod({
    namespace: job.metadata?.namespace ?? "",
    labelSelector: `batch.kubernetes.io/job-name=${job.metadata?.name ?? ""}`,
  });
  const exitCode = pods.items
    .flatMap((pod) => pod.status?.containerStatuses ?? [])
    .map((container) => container.state?.terminated?.exitCode)
    .find((code) => code !== undefined);
  return { done: true, ...rollbackCheckResult(exitCode, scriptPath) };
}

/**
 * The resourceVersion each status write replaced. A cache still holding it has not seen the write
 * yet; deciding on it would only repeat work and conflict (argo-rollouts' resourceversion tracker).
 */
export class WrittenVersions {
  private readonly replaced = new Map<string, string>();

  wrote(key: string, from: string | undefined, written: Record<string, unknown> | undefined): void {
    const to = (written?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (from !== undefined && to !== undefined && to !== from) this.replaced.set(key, from);
  }

  isStale(key: string, cachedVersion: string | undefined): boolean {
    const stale = this.replaced.get(key);
    if (stale === undefined) return false;
    if (stale === cachedVersion) return true;
    this.replaced.delete(key);
    return false;
  }
}

export function releaseReconciler(
  dependencies: ReconcilerDependencies,
): (key: string) => Promise<ReconcileResult> {
  const { clients, caches } = dependencies;
  const written = new WrittenVersions();
  return async (key) => {
    const { namespace, name } = splitKey(key);
    const cached = caches.releases.get(name, namespace);
    // Gone, or terminal: a completed Release is cached trimmed (caches.ts) and never decided on again.
    if (cached === undefined || cached.status?.phase === "Completed") {
      dependencies.probeRunner.settle(key);
      return {};
    }
    if (written.isStale(key, cached.metadata.resourceVersion)) return { requeueAfterMs: CONFLICT_REQUEUE_MS };
    const release = structuredClone(cached);
    const log = objectLogger(dependencies.log, { kind: "Release", namespace, name });
    const now = dependencies.now();
    const environment = caches.environments.get(release.spec.environment, namespace);
    const view = environmentView(release, environment);

    let probes: GateProbeResults | undefined;
    let probing = false;
    let scriptJob: ScriptJobResult | undefined;
    if (view.kind === "ready" && release.status?.phase === "PreReleaseGate") {
      const spec = readReleaseSpec(release.spec);
      const settings = spec.ok ? resolveReleaseSettings(view.name, view.settings, spec.value) : undefined;
      if (settings?.ok === true) {
        const scriptPath = settings.value.environment.deploy.script.path;
        const job = caches.jobs.get(jobNameFor(name, "rollback-check"), namespace);
        scriptJob = await observeScriptJob(clients, job, scriptPath);
        if (probesDue(release.status.gate, now, dependencies.gateRecheckIntervalMs)) {
          const resolved = settings.value;
          probes = dependencies.probeRunner.resultOrStart(key, cached.metadata.uid ?? "", async () => {
            const results = await runGateProbes(release, resolved, dependencies.probes, dependencies.now());
            log.info({ at: results.at }, "Ran the gate's checks");
            return results;
          });
          probing = probes === undefined;
        }
      }
    }

    const decision = decideRelease({
      release,
      environment: view,
      ...(probes === undefined ? {} : { probes }),
      ...(scriptJob === undefined ? {} : { scriptJob }),
      now,
      gateRecheckIntervalMs: dependencies.gateRecheckIntervalMs,
    });

    if (decision.actions.length > 0) {
      // Acting on a stale cache could act twice: confirm the Release is as read before acting.
      const fresh: unknown = await clients.custom
        .getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: RELEASE.plural,
          name,
        })
        .catch((error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        });
      const freshVersion = (fresh as Release | undefined)?.metadata.resourceVersion;
      if (freshVersion !== cached.metadata.resourceVersion) {
        log.info(
          { cached: cached.metadata.resourceVersion, fresh: freshVersion },
          "Deferred actions: the cache is behind the API server",
        );
        return { requeueAfterMs: CONFLICT_REQUEUE_MS };
      }
      for (const action of decision.actions)
        log.info({ action: action.kind }, await executeAction(clients, release, action));
    }

    // The report first: once status says Completed the Release is never reconciled again, so the
    // report must not depend on a reconcile after that one.
    const decided: Release = { ...release, status: decision.status };
    if ((decision.status.phase ?? "Pending") !== "Pending") {
      const current = caches.configMaps.get(reportConfigMapName(name), namespace);
      const report = await writeReport(clients, decided, renderReleaseReport(decided), current);
      if (report !== "unchanged") log.info({ configMap: reportConfigMapName(name) }, `Report ${report}`);
    }
    const write = await writeStatusOf(clients, RELEASE, cached, decision.status);
    if (write.outcome === "conflict") {
      log.debug("Status write conflicted; deciding again on fresh data");
      return { requeueAfterMs: CONFLICT_REQUEUE_MS };
    }
    if (write.outcome === "written") written.wrote(key, cached.metadata.resourceVersion, write.object);
    if (probes !== undefined) dependencies.probeRunner.settle(key);

    for (const transition of decision.transitions) {
      dependencies.metrics.transition(transition.from, transition.to);
      log.info(transition, `Moved from ${transition.from} to ${transition.to}`);
    }
    for (const completed of decision.completed)
      dependencies.metrics.phaseCompleted(completed.phase, completed.outcome, completed.seconds);

    for (const event of decision.events)
      await dependencies.events.record(decided, event.type, event.reason, event.message);

    // While the checks run, their end wakes the release: a timed requeue would only spin.
    if (probing || decision.requeueAfterMs === undefined) return {};
    return { requeueAfterMs: decision.requeueAfterMs };
  };
}
