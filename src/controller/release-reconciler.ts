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
  type ReleaseSettings,
} from "../api/v1alpha1/index.js";
import { objectLogger, type Logger } from "../log.js";
import { decideRelease, type EnvironmentView, type ReleaseAction } from "../release/decide.js";
import type { SmokeCaseOutcome, WatchReading } from "../release/world.js";
import { probesDue, type GateProbeResults, type ScriptJobResult } from "../release/gate.js";
import { jobNameFor, rollbackCheckResult } from "../release/jobs.js";
import { composeReport } from "../report/compose.js";
import { reportConfigMapName } from "../report/render.js";
import type { ReconcileResult } from "../runtime/controller.js";
import type { EventRecorder } from "../runtime/events.js";
import type { OperatorMetrics } from "../runtime/metrics.js";
import { executeAction, JobRefusedError, writeReport } from "./executor.js";
import { runGateProbes, type ProbeDependencies } from "./gate-probes.js";
import type { ProbeRunner } from "./probe-runner.js";
import type { PodsByJob } from "./caches.js";
import type { LogFollowers } from "./log-follower.js";
import { observeExecution, type ExecutionObservation } from "./release-observer.js";
import { isNotFound } from "../runtime/api-errors.js";
import { CONFLICT_REQUEUE_MS, writeStatusOf } from "./status.js";
import type { KubeClients } from "./kube.js";
import { secretsTouchedBy, type ReleaseSecrets } from "./release-secrets.js";
import { publishReleaseReport, reportDestination, type PublisherDependencies } from "./report-publisher.js";
import { publicationStep, statusAfterPublication, type PublicationOutcome } from "../release/publication.js";

export interface Caches {
  releases: ObjectCache<Release>;
  environments: ObjectCache<Environment>;
  jobs: ObjectCache<V1Job>;
  configMaps: ObjectCache<V1ConfigMap>;
  podsByJob: Pick<PodsByJob, "podOf">;
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
  /** Follows the deploy's and the rollback's output. */
  followers: LogFollowers;
  /** Runs the HTTP smoke cases beside the reconciles. */
  smokeRunner: ProbeRunner<SmokeCaseOutcome[]>;
  /** Takes the watch's readings (the pre-deploy baseline, each interval) beside the reconciles. */
  watchRunner: ProbeRunner<WatchReading>;
  /** Commits completed releases' reports to git beside the reconciles. */
  reportRunner: ProbeRunner<PublicationOutcome>;
  /** Reads the Secrets a release touches, so their values are kept out of all it writes. */
  secrets: ReleaseSecrets;
  publisher: PublisherDependencies;
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

/** The settings the Release runs with, when its spec and its Environment's are usable. */
function settingsFor(release: Release, view: EnvironmentView): ReleaseSettings | undefined {
  if (view.kind !== "ready") return undefined;
  const spec = readReleaseSpec(release.spec);
  if (!spec.ok) return undefined;
  const resolved = resolveReleaseSettings(view.name, view.settings, spec.value);
  return resolved.ok ? resolved.value : undefined;
}

/** The Release as the API server has it now, past the cache; undefined when it is gone. */
async function readRelease(
  clients: KubeClients,
  namespace: string,
  name: string,
): Promise<Release | undefined> {
  const fresh: unknown = await clients.custom
    .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RELEASE.plural, name })
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  return fresh as Release | undefined;
}

/** Lines of output a snapshot of a stopped Job shows. */
const SNAPSHOT_LINES = 20;

/** Actions before the status write, and those after it (deletions, which status must explain first). */
function splitActions(actions: readonly ReleaseAction[]): [ReleaseAction[], ReleaseAction[]] {
  const after = actions.filter((action) => action.kind === "delete-job");
  return [actions.filter((action) => action.kind !== "delete-job"), after];
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
  // Jobs the API server refused, by Release: the next decision learns of it. In memory is enough, since
  // after a restart the same Job is refused again and so learnt again.
  const refusals = new Map<string, Map<string, string>>();
  return async (key) => {
    const { namespace, name } = splitKey(key);
    const cached = caches.releases.get(name, namespace);
    // Gone, or terminal: a completed Release is cached trimmed (caches.ts) and never decided on again;
    // only its report may still be on its way to git.
    if (cached === undefined || cached.status?.phase === "Completed") {
      dependencies.probeRunner.settle(key);
      dependencies.smokeRunner.settle(key);
      dependencies.watchRunner.settle(key);
      dependencies.followers.forget(key);
      refusals.delete(key);
      if (cached === undefined) {
        dependencies.reportRunner.settle(key);
        return {};
      }
      return publishCompleted(dependencies, key, cached);
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
    let execution: ExecutionObservation | undefined;
    const reportName = reportConfigMapName(name);
    const report = caches.configMaps.get(reportName, namespace);
    const settings = settingsFor(release, view);
    // Before anything is written for the release, so that none of it can hold their values.
    if (settings !== undefined) await dependencies.secrets.learn(namespace, secretsTouchedBy(settings));
    if (settings !== undefined && release.status?.phase === "PreReleaseGate") {
      const scriptPath = settings.environment.deploy.script.path;
      const job = caches.jobs.get(jobNameFor(name, "rollback-check"), namespace);
      scriptJob = await observeScriptJob(clients, job, scriptPath);
      if (probesDue(release.status.gate, now, dependencies.gateRecheckIntervalMs)) {
        probes = dependencies.probeRunner.resultOrStart(key, cached.metadata.uid ?? "", async () => {
          const results = await runGateProbes(release, settings, dependencies.probes, dependencies.now());
          log.info({ at: results.at }, "Ran the gate's checks");
          return results;
        });
        probing = probes === undefined;
      }
    } else if (settings !== undefined) {
      execution = await observeExecution(
        { ...dependencies, log },
        release,
        settings,
        {
          job: (jobName) => caches.jobs.get(jobName, namespace),
          podOf: (jobName) => caches.podsByJob.podOf(namespace, jobName),
        },
        report,
        now,
      );
    }

    const decision = decideRelease({
      release,
      environment: view,
      ...(probes === undefined ? {} : { probes }),
      ...(scriptJob === undefined ? {} : { scriptJob }),
      ...execution?.world,
      ...(refusals.has(key) ? { refusedJobs: refusals.get(key) } : {}),
      now,
      gateRecheckIntervalMs: dependencies.gateRecheckIntervalMs,
    });

    if (decision.actions.length > 0) {
      // Acting on a stale cache could act twice: confirm the Release is as read before acting.
      const freshVersion = (await readRelease(clients, namespace, name))?.metadata.resourceVersion;
      if (freshVersion !== cached.metadata.resourceVersion) {
        log.info(
          { cached: cached.metadata.resourceVersion, fresh: freshVersion },
          "Deferred actions: the cache is behind the API server",
        );
        return { requeueAfterMs: CONFLICT_REQUEUE_MS };
      }
    }
    const attachments: Record<string, string> = { ...execution?.logs };
    const context = {
      lastLines: (purpose: "deploy" | "rollback") =>
        (dependencies.followers.view(key, purpose)?.log.lastLines(SNAPSHOT_LINES) ?? []).map(
          (line) => `${line.at} ${line.text}`,
        ),
      why: decision.status.reason ?? decision.status.rollback?.cause ?? "stopped",
      now,
    };
    const [before, after] = splitActions(decision.actions);
    for (const action of before) {
      let outcome;
      try {
        outcome = await executeAction(clients, release, action, context);
      } catch (error) {
        if (error instanceof JobRefusedError) {
          // Decided as if the Job would exist: decide again, knowing it never will.
          const refused = refusals.get(key) ?? new Map<string, string>();
          refusals.set(key, refused.set(error.jobName, error.apiMessage));
          log.warn({ job: error.jobName, error: error.apiMessage }, "The API server refused a Job");
          return { requeueAfterMs: 0 };
        }
        // Retried with backoff; the Event says why nothing moves meanwhile. Only the operator's own
        // summary goes into it: the client's error below it carries a dump of the HTTP exchange.
        const summary = error instanceof Error ? error.message : "an action failed";
        await dependencies.events.record(release, "Warning", "ActionFailed", summary);
        throw error;
      }
      Object.assign(attachments, outcome.attachments);
      log.info({ action: action.kind }, outcome.message);
    }

    // The report first: once status says Completed the Release is never reconciled again, so the
    // report must not depend on a reconcile after that one.
    const redactor = dependencies.secrets.redactor;
    const decided: Release = { ...release, status: redactor.redactDeep(decision.status) };
    if ((decision.status.phase ?? "Pending") !== "Pending") {
      decided.status = { ...decided.status, report: { ...decided.status?.report, configMap: reportName } };
      const metrics = settings?.environment.watch.metrics;
      const compose = (stored: Readonly<Record<string, string>>): Record<string, string> =>
        composeReport({
          release: decided,
          stored,
          attachments,
          ...(metrics === undefined ? {} : { metrics }),
          redact: (data) => redactor.redactDeep(data),
        });
      const written = await writeReport(clients, decided, compose, report);
      if (written !== "unchanged") log.info({ configMap: reportName }, `Report ${written}`);
    }
    const write = await writeStatusOf(clients, RELEASE, cached, decided.status);
    if (write.outcome === "conflict") {
      log.debug("Status write conflicted; deciding again on fresh data");
      return { requeueAfterMs: CONFLICT_REQUEUE_MS };
    }
    if (write.outcome === "written") written.wrote(key, cached.metadata.resourceVersion, write.object);
    if (probes !== undefined) dependencies.probeRunner.settle(key);
    if (execution?.world.httpSmoke !== undefined) dependencies.smokeRunner.settle(key);
    if (execution?.world.watchReading !== undefined) dependencies.watchRunner.settle(key);

    // After the status says why: a Job stopped before its reason was written would look deleted by someone.
    for (const action of after)
      log.info({ action: action.kind }, (await executeAction(clients, release, action, context)).message);

    for (const transition of decision.transitions) {
      dependencies.metrics.transition(transition.from, transition.to);
      log.info(transition, `Moved from ${transition.from} to ${transition.to}`);
    }
    for (const completed of decision.completed)
      dependencies.metrics.phaseCompleted(completed.phase, completed.outcome, completed.seconds);
    for (const severity of decision.breaches) dependencies.metrics.breach(severity);

    for (const event of decision.events)
      await dependencies.events.record(decided, event.type, event.reason, event.message);

    // While the checks run, their end wakes the release: a timed requeue would only spin.
    if (probing || decision.requeueAfterMs === undefined) return {};
    return { requeueAfterMs: decision.requeueAfterMs };
  };
}

/**
 * A completed Release whose Environment names a report repository: commit its report once, retrying
 * with backoff while git fails. Status is written against a fresh read, since the cache keeps a
 * completed Release trimmed (without its conditions).
 */
async function publishCompleted(
  dependencies: ReconcilerDependencies,
  key: string,
  cached: Release,
): Promise<ReconcileResult> {
  const { clients, caches, reportRunner } = dependencies;
  const namespace = cached.metadata.namespace ?? "";
  const name = cached.metadata.name ?? "";
  const now = dependencies.now();
  const settings = settingsFor(
    cached,
    environmentView(cached, caches.environments.get(cached.spec.environment, namespace)),
  );
  const step = publicationStep(cached.status, settings?.environment.report.url, now);
  if (step.kind === "none" || settings === undefined) {
    reportRunner.settle(key);
    return {};
  }
  if (step.kind === "wait") return { requeueAfterMs: step.delayMs };
  await dependencies.secrets.learn(namespace, secretsTouchedBy(settings));
  const configMap = caches.configMaps.get(reportConfigMapName(name), namespace);
  const outcome = reportRunner.resultOrStart(key, cached.metadata.uid ?? "", () =>
    publishReleaseReport(dependencies.publisher, cached, settings, configMap),
  );
  if (outcome === undefined) return {};
  const fresh = await readRelease(clients, namespace, name);
  if (fresh === undefined || fresh.status?.report?.gitCommit !== undefined) {
    reportRunner.settle(key);
    return {};
  }
  const result = statusAfterPublication(
    fresh.status ?? {},
    outcome,
    reportDestination(settings),
    fresh.metadata.generation,
    now,
  );
  const status = dependencies.secrets.redactor.redactDeep(result.status);
  const write = await writeStatusOf(clients, RELEASE, fresh, status);
  if (write.outcome === "conflict") return { requeueAfterMs: CONFLICT_REQUEUE_MS };
  reportRunner.settle(key);
  const log = objectLogger(dependencies.log, { kind: "Release", namespace, name });
  if (result.event.type === "Normal") log.info({ commit: status.report?.gitCommit }, result.event.message);
  else log.warn({ retryAfterMs: result.retryAfterMs }, result.event.message);
  await dependencies.events.record(fresh, result.event.type, result.event.reason, result.event.message);
  return result.retryAfterMs === undefined ? {} : { requeueAfterMs: result.retryAfterMs };
}
