// What one reconcile of a Release looks at before deciding, phase by phase: the gate's external checks,
// the release's Jobs and their Pods, the output of its script Jobs, the deploy's environment and the
// HTTP smoke cases. The one place a Release's reconcile reads the world; everything it learns is data
// for the pure decision (src/release/decide.ts). Long-running reads (checks, smoke cases, log streams)
// run beside the reconcile and wake the Release when they have news.
import type { V1ConfigMap } from "@kubernetes/client-node";
import type { HttpSmokeSettings, JobRecord, Release, ReleaseSettings } from "../api/v1alpha1/index.js";
import type { Logger } from "../log.js";
import { checkDeployEnvironment } from "../release/deploy-env.js";
import { isFinished } from "../release/job-progress.js";
import { jobNameFor, smokeJobPurpose } from "../release/jobs.js";
import type {
  JobObservation,
  OutputView,
  ReleaseWorld,
  SmokeCaseOutcome,
  SmokeRun,
  WatchReading,
} from "../release/world.js";
import { watchRequestDue } from "../release/watch-request.js";
import { takeWatchReading } from "./watch-reader.js";
import { attachmentKeys } from "../report/attachments.js";
import { seenLinesIn } from "../report/job-log.js";
import { runHttpSmokeCases } from "../providers/smoke/http.js";
import { readDeployEnvironment } from "./deploy-env.js";
import { observeJobs, type JobLookup } from "./job-observer.js";
import type { LogFollowers } from "./log-follower.js";
import type { ProbeRunner } from "./probe-runner.js";
import type { KubeClients } from "./kube.js";

export interface ObserverDependencies {
  clients: KubeClients;
  followers: LogFollowers;
  /** Runs HTTP smoke cases beside the reconciles, like the gate's checks. */
  smokeRunner: ProbeRunner<SmokeCaseOutcome[]>;
  /** Takes the watch's readings beside the reconciles. */
  watchRunner: ProbeRunner<WatchReading>;
  log: Logger;
  now: () => Date;
}

export type ExecutionWorld = Pick<
  ReleaseWorld,
  "jobs" | "output" | "deployEnvironment" | "httpSmoke" | "watchReading"
>;

export interface ExecutionObservation {
  world: ExecutionWorld;
  /** HTTP smoke cases are running: their end wakes the Release. */
  smokeRunning: boolean;
  /** Logs followed to their current end, by report key, to be written into the report ConfigMap. */
  logs: Record<string, string>;
}

const SCRIPT_PURPOSES = ["deploy", "rollback"] as const;

/** The Jobs a release may have, by deterministic name. */
function expectedJobs(name: string, settings: ReleaseSettings): string[] {
  const cases = settings.environment.smoke.jobs.length;
  const smoke = (run: SmokeRun): string[] =>
    Array.from({ length: cases }, (_, index) => jobNameFor(name, smokeJobPurpose(run, index)));
  return [
    jobNameFor(name, "deploy"),
    jobNameFor(name, "rollback"),
    ...smoke("release"),
    ...smoke("rollback"),
  ];
}

/** The phases whose decisions depend on Jobs: before Execute there is nothing to look at. */
const EXECUTING = new Set(["Execute", "SmokeTest", "WatchWindow", "RollingBack"]);

export async function observeExecution(
  dependencies: ObserverDependencies,
  release: Release,
  settings: ReleaseSettings,
  lookup: JobLookup,
  report: V1ConfigMap | undefined,
  now: Date,
): Promise<ExecutionObservation> {
  const observation: ExecutionObservation = { world: {}, smokeRunning: false, logs: {} };
  const status = release.status ?? {};
  const phase = status.phase ?? "Pending";
  if (!EXECUTING.has(phase)) return observation;
  const namespace = release.metadata.namespace ?? "";
  const name = release.metadata.name ?? "";
  const key = `${namespace}/${name}`;
  const records: readonly JobRecord[] = status.jobs ?? [];

  const jobs = await observeJobs(
    dependencies.clients,
    namespace,
    expectedJobs(name, settings),
    records,
    lookup,
  );
  observation.world.jobs = jobs;
  observation.world.output = followOutput(
    dependencies,
    key,
    namespace,
    name,
    jobs,
    records,
    report,
    observation,
  );

  const deployName = jobNameFor(name, "deploy");
  const strategy = status.strategy?.chosen ?? settings.environment.defaultStrategy;
  const deployNotStarted =
    phase === "Execute" &&
    strategy !== "manual" &&
    records.every((record) => record.name !== deployName) &&
    (jobs.get(deployName)?.state ?? "absent") === "absent";
  if (deployNotStarted) {
    const deploy = settings.environment.deploy;
    const sources = await readDeployEnvironment(dependencies.clients.core, namespace, deploy.envFrom);
    observation.world.deployEnvironment = checkDeployEnvironment(deploy.requiredEnv, sources);
  }

  const run = smokeRunDue(release, settings, now);
  if (run !== undefined) {
    const runKey = `${release.metadata.uid ?? ""}:${run.run}`;
    const outcomes = dependencies.smokeRunner.resultOrStart(key, runKey, async () => {
      const results = await runHttpSmokeCases(run.cases, { deadline: run.deadline });
      dependencies.log.info({ run: run.run, cases: results.length }, "Ran the HTTP smoke cases");
      return results;
    });
    if (outcomes === undefined) observation.smokeRunning = true;
    else observation.world.httpSmoke = { run: run.run, outcomes };
  }

  const request = watchRequestDue(release, status, settings, now);
  if (request !== undefined) {
    const reading = dependencies.watchRunner.resultOrStart(key, request.key, () =>
      takeWatchReading(
        dependencies.clients.core,
        namespace,
        settings.environment.watch,
        request,
        dependencies.now,
      ),
    );
    if (reading !== undefined) observation.world.watchReading = reading;
  }
  return observation;
}

/**
 * Follows the deploy's and the rollback's output while their Pods exist. A stream read again from
 * the start after a restart counts only once it has caught up with what the report already holds,
 * so a half-read log never replaces a whole one.
 */
function followOutput(
  dependencies: ObserverDependencies,
  key: string,
  namespace: string,
  name: string,
  jobs: ReadonlyMap<string, JobObservation>,
  records: readonly JobRecord[],
  report: V1ConfigMap | undefined,
  observation: ExecutionObservation,
): Partial<Record<"deploy" | "rollback", OutputView>> {
  const output: Partial<Record<"deploy" | "rollback", OutputView>> = {};
  for (const purpose of SCRIPT_PURPOSES) {
    const jobName = jobNameFor(name, purpose);
    const job = jobs.get(jobName);
    const record = records.find((entry) => entry.name === jobName);
    if (job?.podName !== undefined && job.startedAt !== undefined && !isFinished(record)) {
      const running = job.state === "running" || job.state === "pending";
      dependencies.followers.follow(
        key,
        purpose,
        { namespace, pod: job.podName, container: purpose },
        running,
      );
    }
    const view = dependencies.followers.view(key, purpose);
    if (view === undefined) continue;
    const reportKey = attachmentKeys[purpose].log;
    const persisted = seenLinesIn(report?.data?.[reportKey] ?? "");
    if (view.log.seen < persisted) continue;
    if (view.log.seen > 0 || persisted === 0) observation.logs[reportKey] = view.log.render();
    output[purpose] = {
      seen: view.log.seen,
      ended: view.ended,
      ...(view.log.lastAt === undefined || view.log.lastAt === "" ? {} : { lastOutputAt: view.log.lastAt }),
    };
  }
  return output;
}

/** The HTTP smoke run the release waits for now, if any: after the deploy, or after the rollback. */
function smokeRunDue(
  release: Release,
  settings: ReleaseSettings,
  now: Date,
): { run: SmokeRun; cases: readonly HttpSmokeSettings[]; deadline: Date } | undefined {
  const status = release.status ?? {};
  const timeoutMs = settings.environment.smoke.timeoutMs;
  let run: SmokeRun;
  let startedAt: Date;
  if (status.phase === "SmokeTest") {
    run = "release";
    const open = status.phases?.at(-1);
    startedAt = open?.phase === "SmokeTest" ? new Date(open.startedAt) : now;
  } else if (status.phase === "RollingBack") {
    const rollback = status.jobs?.find((record) => record.purpose === "rollback");
    if (rollback?.outcome !== "Succeeded") return undefined;
    run = "rollback";
    startedAt = new Date(rollback.finishedAt ?? now.toISOString());
  } else {
    return undefined;
  }
  const cases = settings.environment.smoke.http;
  const recorded = new Set(
    (status.smoke ?? []).filter((result) => result.run === run).map((result) => result.name),
  );
  if (cases.every((testCase) => recorded.has(testCase.name))) return undefined;
  return { run, cases, deadline: new Date(startedAt.getTime() + timeoutMs) };
}
