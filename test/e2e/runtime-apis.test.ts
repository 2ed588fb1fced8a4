/**
 * The runtime's API-facing parts against a real apiserver: leader election on a Lease, status
 * writes through the status subresource with optimistic locking, and Events that count repeats.
 * No operator runs here, so nothing else writes the objects these tests make.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1Lease,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { API_VERSION, GROUP, RELEASE, VERSION } from "../../src/api/v1alpha1/index.js";
import { createLogger } from "../../src/log.js";
import { EventRecorder } from "../../src/runtime/events.js";
import { LeaderElector, type LeaderElectionOptions } from "../../src/runtime/leader-election.js";
import { ConflictError, writeStatus, type StatusTarget } from "../../src/runtime/status-writer.js";
import { minimalEnvironment } from "../support/environments.js";
import { eventually, kubectl, uniqueName } from "./support/kubectl.js";

const NAMESPACE = "default";
const TIMING = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(inject("cluster").kubeconfigs.admin);
const coordination = kubeConfig.makeApiClient(CoordinationV1Api);
const core = kubeConfig.makeApiClient(CoreV1Api);
const custom = kubeConfig.makeApiClient(CustomObjectsApi);
const log = createLogger({ level: process.env.E2E_LOG_LEVEL ?? "silent" });

interface Candidate {
  identity: string;
  elector: LeaderElector;
  started: number;
  stopped: number;
  run: Promise<void>;
}

function candidate(lease: string, identity: string, extra: Partial<LeaderElectionOptions> = {}): Candidate {
  const elector = new LeaderElector({
    kubeConfig,
    namespace: NAMESPACE,
    name: lease,
    identity,
    log: log.child({ identity }),
    ...TIMING,
    ...extra,
  });
  const state: Candidate = { identity, elector, started: 0, stopped: 0, run: Promise.resolve() };
  state.run = elector.run({
    onStartedLeading: () => {
      state.started += 1;
    },
    onStoppedLeading: () => {
      state.stopped += 1;
    },
  });
  return state;
}

function readLease(name: string): Promise<V1Lease> {
  return coordination.readNamespacedLease({ name, namespace: NAMESPACE });
}

/** The Lease's spec as JSON, MicroTimes as the server wrote them. */
async function leaseSpec(name: string): Promise<Record<string, unknown>> {
  const output = await kubectl(["get", "lease", name, "-n", NAMESPACE, "-o", "jsonpath={.spec}"]);
  return JSON.parse(output) as Record<string, unknown>;
}

function leaders(candidates: readonly Candidate[]): string[] {
  return candidates.filter((each) => each.elector.isLeader).map((each) => each.identity);
}

async function stopAll(candidates: readonly Candidate[], lease: string): Promise<void> {
  await Promise.all(candidates.map((each) => each.elector.stop()));
  await Promise.all(candidates.map((each) => each.run));
  await kubectl(["delete", "lease", lease, "-n", NAMESPACE, "--ignore-not-found", "--wait=false"]);
}

describe("LeaderElector on a real Lease (lease 3s, renew 2s, retry 500ms)", () => {
  it("lets exactly one of two lead, renews without a new term, and hands over at once on stop()", async () => {
    const lease = uniqueName("election");
    const first = candidate(lease, "replica-a");
    const second = candidate(lease, "replica-b");
    const both = [first, second];
    try {
      const [leaderName] = await eventually("one replica to lead", () =>
        Promise.resolve(leaders(both).length > 0 ? leaders(both) : undefined),
      );
      const leader = leaderName === first.identity ? first : second;
      const follower = leader === first ? second : first;
      const acquired = await leaseSpec(lease);
      expect(acquired).toMatchObject({
        holderIdentity: leader.identity,
        leaseDurationSeconds: 3,
        leaseTransitions: 0,
      });
      expect(acquired.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

      // Several renew periods: one leader throughout, the same term (acquireTime kept), renewTime moving.
      for (let check = 0; check < 6; check++) {
        await sleep(TIMING.retryPeriodMs);
        expect(leaders(both)).toEqual([leader.identity]);
      }
      const renewed = await leaseSpec(lease);
      expect(renewed).toMatchObject({
        holderIdentity: leader.identity,
        acquireTime: acquired.acquireTime,
        leaseTransitions: 0,
      });
      expect(renewed.renewTime).not.toBe(acquired.renewTime);
      expect(follower.started).toBe(0);

      const stoppedAt = Date.now();
      await leader.elector.stop();
      expect(leader.elector.isLeader).toBe(false);
      expect(leader.stopped).toBe(1);
      // Released, not left to expire: the holder is cleared (or already the follower).
      expect((await readLease(lease)).spec?.holderIdentity).not.toBe(leader.identity);

      await eventually(`${follower.identity} to lead after the release`, () =>
        Promise.resolve(follower.elector.isLeader ? true : undefined),
      );
      const takeoverMs = Date.now() - stoppedAt;
      // At once means before the old lease could have expired.
      expect(takeoverMs).toBeLessThan(TIMING.leaseDurationMs);
      expect(await leaseSpec(lease)).toMatchObject({
        holderIdentity: follower.identity,
        leaseTransitions: 1,
      });
      expect(follower.started).toBe(1);
    } finally {
      await stopAll(both, lease);
    }
  });

  it("waits out the lease duration when the leader vanishes without releasing", async () => {
    const lease = uniqueName("vanish");
    const vanishing = candidate(lease, "replica-crashing", { releaseOnStop: false });
    await eventually("the first replica to lead", () =>
      Promise.resolve(vanishing.elector.isLeader ? true : undefined),
    );
    const successor = candidate(lease, "replica-successor");
    const both = [vanishing, successor];
    try {
      // While the leader renews, the successor only watches.
      await sleep(TIMING.leaseDurationMs + TIMING.retryPeriodMs);
      expect(leaders(both)).toEqual([vanishing.identity]);

      const vanishedAt = Date.now();
      await vanishing.elector.stop();
      expect((await readLease(lease)).spec?.holderIdentity).toBe(vanishing.identity);

      await eventually(
        "the successor to lead once the lease expired",
        () => Promise.resolve(successor.elector.isLeader ? true : undefined),
        15_000,
      );
      const waitedMs = Date.now() - vanishedAt;
      // It counted the lease duration from when it last saw a renewal (at most one retry period
      // before the vanishing), by its own clock.
      expect(waitedMs).toBeGreaterThanOrEqual(TIMING.leaseDurationMs - 2 * TIMING.retryPeriodMs);
      expect(await leaseSpec(lease)).toMatchObject({
        holderIdentity: successor.identity,
        leaseTransitions: 1,
      });
    } finally {
      await stopAll(both, lease);
    }
  });

  it("stops leading when another holder takes the Lease", async () => {
    const lease = uniqueName("usurped");
    const leader = candidate(lease, "replica-a");
    try {
      await eventually("the replica to lead", () =>
        Promise.resolve(leader.elector.isLeader ? true : undefined),
      );
      await kubectl([
        "patch",
        "lease",
        lease,
        "-n",
        NAMESPACE,
        "--type=merge",
        "-p",
        '{"spec":{"holderIdentity":"intruder"}}',
      ]);
      await leader.run;
      expect(leader.elector.isLeader).toBe(false);
      expect(leader.stopped).toBe(1);
      expect((await readLease(lease)).spec?.holderIdentity).toBe("intruder");
    } finally {
      await stopAll([leader], lease);
    }
  });
});

interface ReleaseObject {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string };
  status?: Record<string, unknown>;
}

describe("writeStatus and EventRecorder on a real Release", () => {
  const environment = uniqueName("runtime-env");
  const release = uniqueName("runtime-rel");

  beforeAll(async () => {
    await kubectl(["create", "-n", NAMESPACE, "-f", "-"], {
      input: [
        stringify({
          apiVersion: API_VERSION,
          kind: "Environment",
          metadata: { name: environment },
          spec: minimalEnvironment,
        }),
        stringify({
          apiVersion: API_VERSION,
          kind: "Release",
          metadata: { name: release },
          spec: { environment, version: "1.4.2" },
        }),
      ].join("---\n"),
    });
  });

  afterAll(async () => {
    await kubectl(["delete", "release", release, "-n", NAMESPACE, "--ignore-not-found", "--wait=false"]);
    await kubectl([
      "delete",
      "environment",
      environment,
      "-n",
      NAMESPACE,
      "--ignore-not-found",
      "--wait=false",
    ]);
  });

  async function readRelease(): Promise<ReleaseObject> {
    return (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: RELEASE.plural,
      namespace: NAMESPACE,
      name: release,
    })) as ReleaseObject;
  }

  function targetOf(object: ReleaseObject): StatusTarget {
    return {
      group: GROUP,
      version: VERSION,
      plural: RELEASE.plural,
      namespace: NAMESPACE,
      name: release,
      resourceVersion: object.metadata.resourceVersion,
    };
  }

  it("writes the diff, skips an unchanged status, and refuses a stale resourceVersion", async () => {
    const fresh = await readRelease();
    expect(fresh.status).toBeUndefined();
    const first = {
      phase: "Pending",
      reason: "Waiting for the environment",
      startedAt: "2026-05-01T10:00:00Z",
      strategy: { recommended: "canary", recommendationReason: "breaking change in navigation" },
      phases: [{ phase: "Pending", startedAt: "2026-05-01T10:00:00Z" }],
    };
    const written = await writeStatus(custom, targetOf(fresh), fresh.status, first);
    expect(written?.status).toEqual(first);
    expect((await readRelease()).status).toEqual(first);

    const afterFirst = await readRelease();
    await expect(
      writeStatus(custom, targetOf(afterFirst), afterFirst.status, structuredClone(first)),
    ).resolves.toBeUndefined();
    expect((await readRelease()).metadata.resourceVersion).toBe(afterFirst.metadata.resourceVersion);

    // Nested removal, a changed scalar, a dropped key and a replaced list in one patch.
    const second = {
      phase: "PreReleaseGate",
      startedAt: "2026-05-01T10:00:00Z",
      strategy: { recommended: "canary", chosen: "canary", source: "spec" },
      phases: [
        {
          phase: "Pending",
          startedAt: "2026-05-01T10:00:00Z",
          finishedAt: "2026-05-01T10:00:05Z",
          outcome: "Succeeded",
        },
        { phase: "PreReleaseGate", startedAt: "2026-05-01T10:00:05Z" },
      ],
    };
    await writeStatus(custom, targetOf(afterFirst), afterFirst.status, second);
    const afterSecond = await readRelease();
    expect(afterSecond.status).toEqual(second);

    // A decision made from the first read is stale now: it must not land.
    const stale = writeStatus(custom, targetOf(afterFirst), afterFirst.status, {
      ...first,
      phase: "Execute",
    });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(stale).rejects.toThrow(
      new RegExp(`releases.release-operator.io default/${release} changed since resourceVersion`),
    );
    expect((await readRelease()).status).toEqual(second);
  });

  it("records two identical Events as one with count 2, and a different one apart", async () => {
    const object = await readRelease();
    const target = {
      apiVersion: API_VERSION,
      kind: RELEASE.kind,
      metadata: { ...object.metadata },
    };
    const recorder = new EventRecorder({
      coreApi: core,
      component: "release-operator",
      instance: "replica-a",
      log,
    });
    await recorder.record(target, "Normal", "PhaseChanged", "Entered PreReleaseGate");
    await recorder.record(target, "Normal", "PhaseChanged", "Entered PreReleaseGate");
    await recorder.record(
      target,
      "Warning",
      "InvalidDecision",
      "release-operator.io/strategy=fast is not one of canary",
    );
    // A restarted operator (new recorder, nothing remembered) counts on from the same Event.
    const restarted = new EventRecorder({
      coreApi: core,
      component: "release-operator",
      instance: "replica-b",
      log,
    });
    await restarted.record(
      target,
      "Warning",
      "InvalidDecision",
      "release-operator.io/strategy=fast is not one of canary",
    );

    const events = await core.listNamespacedEvent({
      namespace: NAMESPACE,
      fieldSelector: `involvedObject.uid=${object.metadata.uid}`,
    });
    const byReason = new Map(events.items.map((event) => [event.reason, event]));
    expect(events.items).toHaveLength(2);
    const phase = byReason.get("PhaseChanged");
    expect(phase).toMatchObject({
      type: "Normal",
      count: 2,
      message: "Entered PreReleaseGate",
      source: { component: "release-operator" },
      reportingComponent: "release-operator",
      reportingInstance: "replica-a",
      involvedObject: { kind: "Release", name: release, namespace: NAMESPACE, uid: object.metadata.uid },
    });
    expect(phase?.lastTimestamp?.getTime()).toBeGreaterThanOrEqual(
      phase?.firstTimestamp?.getTime() ?? Infinity,
    );
    expect(byReason.get("InvalidDecision")).toMatchObject({ type: "Warning", count: 2 });

    // kubectl describe shows them against the Release.
    const described = await kubectl(["describe", "release", release, "-n", NAMESPACE]);
    expect(described).toMatch(/PhaseChanged/);
    await Promise.all(
      events.items.map((event) =>
        core.deleteNamespacedEvent({ name: event.metadata.name ?? "", namespace: NAMESPACE }),
      ),
    );
  });
});
