// The operator process: caches (informers) for Releases, Environments and what the operator owns, one
// controller per kind, leader election, the HTTP endpoints, and an orderly shutdown. Informers start
// before leadership, so a standby replica takes over with a warm cache; only the leader reconciles.
import path from "node:path";
import type { OperatorConfig } from "../config.js";
import type { PublicationOutcome } from "../release/publication.js";
import { Redactor } from "../runtime/redaction.js";
import { ReleaseSecrets } from "./release-secrets.js";
import type { Logger } from "../log.js";
import type { GateProbeResults } from "../release/gate.js";
import type { SmokeCaseOutcome, WatchReading } from "../release/world.js";
import { Controller, describeError } from "../runtime/controller.js";
import { EventRecorder } from "../runtime/events.js";
import { startHttpServer } from "../runtime/http-server.js";
import { LeaderElector } from "../runtime/leader-election.js";
import { OperatorMetrics } from "../runtime/metrics.js";
import { keyOf, operatorCaches } from "./caches.js";
import { environmentReconciler } from "./environment-reconciler.js";
import { kubeClients, loadKubeConfig } from "./kube.js";
import { kubeLogSource, LogFollowers } from "./log-follower.js";
import { ProbeRunner } from "./probe-runner.js";
import { releaseReconciler } from "./release-reconciler.js";

export interface RunningOperator {
  /** Where /metrics is served. */
  metricsUrl: string;
  /** Where /healthz and /readyz are served. */
  healthUrl: string;
  /** Resolves with the process exit code once the operator has stopped (signal, or leadership lost). */
  stopped: Promise<number>;
  stop(reason: string): Promise<number>;
}

/**
 * `redactor` holds the secret values kept out of everything the operator writes; the logger given is
 * expected to pass its lines through the same one (main.ts).
 */
export async function runOperator(
  config: OperatorConfig,
  log: Logger,
  redactor: Redactor = new Redactor(),
): Promise<RunningOperator> {
  const metrics = new OperatorMetrics();
  const clients = kubeClients(loadKubeConfig(config.kubeconfig), (method) => {
    metrics.apiRequest(method);
  });
  const events = new EventRecorder({
    coreApi: clients.core,
    component: "release-operator",
    instance: config.identity,
    log,
    redact: (text) => redactor.redact(text),
  });
  // The informers' handlers enqueue into controllers made below; no handler runs before start().
  const controllers: { release?: Controller; environment?: Controller } = {};
  const caches = operatorCaches(
    clients,
    { namespace: config.namespace, stallAfterMs: config.watchStallAfterMs, log, metrics },
    {
      release: (key) => controllers.release?.enqueue(key),
      environment: (key) => controllers.environment?.enqueue(key),
    },
  );
  const { releases, environments, jobs, configMaps, pods } = caches;
  const all = [releases, environments, jobs, configMaps, pods];

  const hooks = {
    reconciled: (
      controller: string,
      result: "success" | "requeue" | "error" | "terminal",
      seconds: number,
    ) => {
      metrics.reconciled(controller, result, seconds);
    },
    queueDepth: (controller: string, depth: number) => {
      metrics.queueDepth(controller, depth);
    },
  };
  const dependencies = {
    clients,
    caches,
    events,
    metrics,
    log,
    now: () => new Date(),
  };
  const wakeRelease = (key: string, delayMs: number): void => {
    if (delayMs === 0) controllers.release?.enqueue(key);
    else controllers.release?.enqueueAfter(key, delayMs);
  };
  const followers = new LogFollowers({
    source: kubeLogSource(clients.kubeConfig),
    wake: (key) => {
      wakeRelease(key, 0);
    },
    log,
  });
  const releaseController = new Controller({
    name: "release",
    concurrency: config.concurrency,
    log,
    hooks,
    reconcile: releaseReconciler({
      ...dependencies,
      probes: {
        core: clients.core,
        gitCacheDir: config.gitCacheDir,
        gitTimeoutMs: 60_000,
        registryTimeoutMs: 15_000,
      },
      probeRunner: new ProbeRunner<GateProbeResults>({
        // Checks wait on git, registries and Prometheus, not on this process's CPU: more may run
        // than reconciles, but not so many that a thousand gates at once flood a git server.
        limit: config.concurrency * 2,
        wake: wakeRelease,
        failed: (key, error) => {
          log.error({ key, error: describeError(error) }, "Gate checks failed to run");
        },
      }),
      followers,
      smokeRunner: new ProbeRunner<SmokeCaseOutcome[]>({
        // Smoke requests wait on the target, not on this process: as many as the gate's checks.
        limit: config.concurrency * 2,
        wake: wakeRelease,
        failed: (key, error) => {
          log.error({ key, error: describeError(error) }, "Smoke cases failed to run");
        },
      }),
      watchRunner: new ProbeRunner<WatchReading>({
        // Readings wait on Prometheus and the health check; each Release takes one per interval.
        limit: config.concurrency * 2,
        wake: wakeRelease,
        failed: (key, error) => {
          log.error({ key, error: describeError(error) }, "A watch reading failed to run");
        },
        retryAfterMs: 5_000,
      }),
      reportRunner: new ProbeRunner<PublicationOutcome>({
        // Pushes to one repository are serialized anyway (report-repo.ts); a few repositories at once.
        limit: config.concurrency,
        wake: wakeRelease,
        failed: (key, error) => {
          log.error({ key, error: describeError(error) }, "Committing a report failed to run");
        },
      }),
      secrets: new ReleaseSecrets(clients.core, redactor),
      publisher: {
        core: clients.core,
        redactor,
        workDir: path.join(config.gitCacheDir, "reports"),
        timeoutMs: 60_000,
      },
      gateRecheckIntervalMs: config.gateRecheckIntervalMs,
    }),
  });
  const environmentController = new Controller({
    name: "environment",
    concurrency: Math.max(1, Math.ceil(config.concurrency / 2)),
    log,
    hooks,
    reconcile: environmentReconciler(dependencies),
  });
  controllers.release = releaseController;
  controllers.environment = environmentController;
  metrics.countReleasesWith(() =>
    releases.list().map((release) => ({
      phase: release.status?.phase ?? "Pending",
      verdict: release.status?.verdict ?? "",
    })),
  );

  let leading = false;
  let stopping = false;
  const metricsServer = await startHttpServer({
    host: config.metricsAddress.host,
    port: config.metricsAddress.port,
    registry: metrics.registry,
    log,
  });
  const healthServer = await startHttpServer({
    host: config.healthAddress.host,
    port: config.healthAddress.port,
    probes: {
      healthy: () => ({ ok: true, reasons: ["the event loop answers"] }),
      // Ready once every cache has synced: a standby replica is ready too, so a rollout of the
      // Deployment can proceed while the old leader still holds the Lease.
      ready: () => {
        const reasons = [
          ...(stopping ? ["shutting down"] : []),
          ...all
            .filter((informer) => !informer.synced)
            .map((informer) => `cache ${informer.name} not synced`),
        ];
        return { ok: reasons.length === 0, reasons };
      },
    },
    log,
  });

  await Promise.all(all.map((informer) => informer.start()));
  log.info({ releases: releases.list().length, environments: environments.list().length }, "Caches synced");

  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));

  const startControllers = (): void => {
    leading = true;
    metrics.setLeader(true);
    log.info({ identity: config.identity }, "Leading: reconciling");
    // Everything seen while standing by is reconciled now.
    for (const environment of environments.list()) environmentController.enqueue(keyOf(environment));
    for (const release of releases.list()) releaseController.enqueue(keyOf(release));
    environmentController.start();
    releaseController.start();
  };

  const elector = config.leaderElection.enabled
    ? new LeaderElector({
        kubeConfig: clients.kubeConfig,
        namespace: config.leaderElection.namespace,
        name: config.leaderElection.name,
        identity: config.identity,
        leaseDurationMs: config.leaderElection.leaseDurationMs,
        renewDeadlineMs: config.leaderElection.renewDeadlineMs,
        retryPeriodMs: config.leaderElection.retryPeriodMs,
        log,
      })
    : undefined;

  const stop = async (reason: string, code = 0): Promise<number> => {
    if (stopping) return stopped;
    stopping = true;
    log.info({ reason }, "Stopping");
    await Promise.all([
      releaseController.stop(config.shutdownTimeoutMs),
      environmentController.stop(config.shutdownTimeoutMs),
    ]);
    // Released only after the last reconcile finished, so a successor never overlaps with this one.
    await elector?.stop();
    followers.stopAll();
    metrics.setLeader(false);
    await Promise.all(all.map((informer) => informer.stop()));
    await Promise.all([metricsServer.close(), healthServer.close()]);
    log.info({ code }, "Stopped");
    resolveStopped(code);
    return code;
  };

  if (elector === undefined) {
    startControllers();
  } else {
    log.info(
      {
        lease: `${config.leaderElection.namespace}/${config.leaderElection.name}`,
        identity: config.identity,
      },
      "Waiting to lead",
    );
    void elector
      .run({
        onStartedLeading: startControllers,
        onStoppedLeading: () => {
          if (!leading || stopping) return;
          log.error("Leadership lost: stopping so that only the new leader acts");
          void stop("leadership lost", 1);
        },
      })
      .catch((error: unknown) => {
        log.error({ err: error }, "Leader election failed");
        void stop("leader election failed", 1);
      });
  }

  return {
    metricsUrl: metricsServer.url,
    healthUrl: healthServer.url,
    stopped,
    stop: (reason) => stop(reason),
  };
}
