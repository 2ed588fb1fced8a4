import { describe, expect, it } from "vitest";

import type { EnvironmentStatus, Release, ReleaseRecord, Verdict } from "../api/v1alpha1/index.js";
import { changed } from "../../test/support/objects.js";
import {
  completedRelease,
  conditionOf,
  environmentObject,
  environmentSpec,
  minutesAfter,
  NOW,
  releaseObject,
  runningRelease,
} from "../../test/support/releases.js";
import { decideEnvironment, MAX_HISTORY, type EnvironmentDecision } from "./decide.js";

const ISO = NOW.toISOString();

/** A Release waiting in Pending, created `minute` minutes after 09:00. */
const waiting = (name: string, minute: number, spec: Partial<Release["spec"]> = {}): Release =>
  releaseObject({ name, createdAt: `2026-11-25T09:${String(minute).padStart(2, "0")}:00Z`, spec });

function decide(
  status: EnvironmentStatus | undefined,
  releases: readonly Release[],
  now = NOW,
): EnvironmentDecision {
  return decideEnvironment({
    environment: environmentObject(status === undefined ? {} : { status }),
    releases,
    now,
  });
}

const record = (release: string, version: string, verdict: Verdict = "Released"): ReleaseRecord => ({
  release,
  version,
  verdict,
  completedAt: "2026-11-20T10:00:00Z",
});

describe("decideEnvironment: who holds the environment", () => {
  it.each<{
    situation: string;
    status?: EnvironmentStatus;
    releases: Release[];
    holder: string | undefined;
    queue: string[] | undefined;
  }>([
    { situation: "no releases: idle", releases: [], holder: undefined, queue: undefined },
    {
      situation: "one waiting release is admitted",
      releases: [waiting("nav-1-4-2", 0)],
      holder: "nav-1-4-2",
      queue: undefined,
    },
    {
      situation: "the earliest created is admitted, the others wait in creation order",
      releases: [waiting("nav-c", 30), waiting("nav-a", 10), waiting("nav-b", 20)],
      holder: "nav-a",
      queue: ["nav-b", "nav-c"],
    },
    {
      situation: "created in the same second: names break the tie",
      releases: [waiting("nav-y", 5), waiting("nav-x", 5)],
      holder: "nav-x",
      queue: ["nav-y"],
    },
    {
      situation: "completed releases are neither admitted nor queued",
      releases: [
        completedRelease({ name: "nav-old", verdict: "Aborted", createdAt: "2026-11-25T08:00:00Z" }),
        waiting("nav-new", 0),
      ],
      holder: "nav-new",
      queue: undefined,
    },
    {
      situation: "a spec the environment cannot accept waits outside the line",
      releases: [waiting("nav-canary", 0, { strategy: "canary" }), waiting("nav-plain", 10)],
      holder: "nav-plain",
      queue: undefined,
    },
    {
      situation:
        "the holder keeps the environment while it runs, even when an earlier-created release appears",
      status: { activeRelease: "nav-late" },
      releases: [
        waiting("nav-early", 0),
        runningRelease({ name: "nav-late", createdAt: "2026-11-25T09:30:00Z" }),
      ],
      holder: "nav-late",
      queue: ["nav-early"],
    },
  ])("$situation", ({ status, releases, holder, queue }) => {
    const decision = decide(status, releases);
    expect(decision.status.activeRelease).toBe(holder);
    expect(decision.status.queue).toEqual(queue);
    expect(conditionOf(decision.status, "Ready")).toMatchObject({
      status: "True",
      reason: holder === undefined ? "Idle" : "Releasing",
      observedGeneration: 1,
    });
    const admitted = decision.events.filter((event) => event.reason === "ReleaseAdmitted");
    expect(admitted).toHaveLength(status?.activeRelease === undefined && holder !== undefined ? 1 : 0);
  });

  it("announces the admission with the release and its version", () => {
    const decision = decide(undefined, [waiting("nav-1-4-2", 0)]);
    expect(decision.events).toEqual([
      {
        type: "Normal",
        reason: "ReleaseAdmitted",
        message: "Release nav-1-4-2 (version 1.4.2) holds the environment",
      },
    ]);
    expect(conditionOf(decision.status, "Ready")?.message).toBe("Release nav-1-4-2 holds the environment");
  });

  it("shows the settings in force, tier defaults applied", () => {
    const decision = decide(undefined, []);
    expect(decision.status.effective).toMatchObject({
      strategies: ["all-at-once"],
      autoSelectStrategy: true,
      approvalRequired: false,
      watchDuration: "15m",
    });
  });
});

describe("decideEnvironment: the holder finished", () => {
  const history = [record("nav-1-4-1", "1.4.1"), record("nav-1-4-0", "1.4.0")];

  it.each<{
    verdict: Verdict;
    rollbackTarget?: string;
    currentVersion: string;
    unknown: boolean;
    lastReleased: boolean;
  }>([
    { verdict: "Released", currentVersion: "1.4.2", unknown: false, lastReleased: true },
    { verdict: "Released-with-override", currentVersion: "1.4.2", unknown: false, lastReleased: true },
    {
      verdict: "Rolled-Back",
      rollbackTarget: "1.3.9",
      currentVersion: "1.3.9",
      unknown: false,
      lastReleased: false,
    },
    { verdict: "Aborted", currentVersion: "1.4.1", unknown: false, lastReleased: false },
    {
      verdict: "Rollback-Failed",
      rollbackTarget: "1.4.1",
      currentVersion: "1.4.1",
      unknown: true,
      lastReleased: false,
    },
  ])(
    "$verdict: recorded newest first, currentVersion $currentVersion, the next release admitted",
    ({ verdict, rollbackTarget, currentVersion, unknown, lastReleased }) => {
      const finished = completedRelease({
        name: "nav-1-4-2",
        verdict,
        completedAt: "2026-11-25T09:55:00Z",
        ...(rollbackTarget === undefined ? {} : { rollbackTarget }),
      });
      const decision = decide(
        {
          activeRelease: "nav-1-4-2",
          currentVersion: "1.4.1",
          lastReleased: record("nav-1-4-1", "1.4.1"),
          history,
        },
        [finished, waiting("nav-1-4-3", 30)],
      );
      const status = decision.status;
      const entry: ReleaseRecord = {
        release: "nav-1-4-2",
        version: "1.4.2",
        verdict,
        completedAt: "2026-11-25T09:55:00Z",
        reason: `ended ${verdict}`,
      };

      expect(status.history).toEqual([entry, ...history]);
      expect(status.currentVersion).toBe(currentVersion);
      expect(status.currentVersionUnknown).toBe(unknown ? true : undefined);
      expect(status.lastReleased).toEqual(lastReleased ? entry : record("nav-1-4-1", "1.4.1"));
      expect(status.activeRelease).toBe("nav-1-4-3");
      expect(status.queue).toBeUndefined();
      expect(decision.events).toEqual([
        { type: "Normal", reason: "ReleaseFinished", message: `Release nav-1-4-2 finished: ${verdict}` },
        expect.objectContaining({ type: "Normal", reason: "ReleaseAdmitted" }),
      ]);
      expect(conditionOf(status, "Ready")).toMatchObject(
        unknown ? { status: "False", reason: "VersionUnknown" } : { status: "True", reason: "Releasing" },
      );
    },
  );

  it("Rolled-Back without a recorded rollback target: the version stays what it was", () => {
    const decision = decide({ activeRelease: "nav-1-4-2", currentVersion: "1.4.1" }, [
      completedRelease({ name: "nav-1-4-2", verdict: "Rolled-Back" }),
    ]);
    expect(decision.status.currentVersion).toBe("1.4.1");
  });

  it.each<{ situation: string; verdict: Verdict; unknown: boolean }>([
    {
      situation: "an abort after a failed rollback keeps the version unknown",
      verdict: "Aborted",
      unknown: true,
    },
    {
      situation: "a release after a failed rollback makes the version known again",
      verdict: "Released",
      unknown: false,
    },
    {
      situation: "a rollback that worked makes the version known again",
      verdict: "Rolled-Back",
      unknown: false,
    },
  ])("$situation", ({ verdict, unknown }) => {
    const decision = decide(
      { activeRelease: "nav-1-4-2", currentVersion: "1.4.1", currentVersionUnknown: true },
      [completedRelease({ name: "nav-1-4-2", verdict, rollbackTarget: "1.4.0" })],
    );
    expect(decision.status.currentVersionUnknown).toBe(unknown ? true : undefined);
    expect(conditionOf(decision.status, "Ready")?.status).toBe(unknown ? "False" : "True");
  });

  it(`keeps at most ${MAX_HISTORY} entries, dropping the oldest`, () => {
    const full = Array.from({ length: MAX_HISTORY }, (_, index) =>
      record(`nav-${MAX_HISTORY - index}`, `1.0.${MAX_HISTORY - index}`),
    );
    const decision = decide({ activeRelease: "nav-new", history: full }, [
      completedRelease({ name: "nav-new", verdict: "Released" }),
    ]);
    expect(decision.status.history).toHaveLength(MAX_HISTORY);
    expect(decision.status.history?.[0]?.release).toBe("nav-new");
    expect(decision.status.history?.[1]?.release).toBe(`nav-${MAX_HISTORY}`);
    expect(decision.status.history?.at(-1)?.release).toBe("nav-2");
  });

  it("recorded once: the decided status fed back adds no second entry and announces nothing", () => {
    const releases = [completedRelease({ name: "nav-1-4-2", verdict: "Released" })];
    const first = decide({ activeRelease: "nav-1-4-2", currentVersion: "1.4.1" }, releases);
    const again = decide(first.status, releases, minutesAfter(NOW, 1));
    expect(again.status).toEqual(first.status);
    expect(again.status.history).toHaveLength(1);
    expect(again.events).toEqual([]);
  });

  it("a deleted holder frees the environment without a history entry; the next is admitted", () => {
    const decision = decide({ activeRelease: "nav-gone", currentVersion: "1.4.1" }, [
      waiting("nav-1-4-3", 0),
    ]);
    expect(decision.status.activeRelease).toBe("nav-1-4-3");
    expect(decision.status.history).toBeUndefined();
    expect(decision.status.currentVersion).toBe("1.4.1");
    expect(decision.events).toEqual([
      {
        type: "Warning",
        reason: "ActiveReleaseDeleted",
        message: "Release nav-gone was deleted while it held the environment",
      },
      expect.objectContaining({ reason: "ReleaseAdmitted" }),
    ]);
  });
});

describe("decideEnvironment: an invalid spec", () => {
  const invalidSpec = changed(environmentSpec(), ["watch", "metrics"], []);
  const invalid = (status?: EnvironmentStatus) =>
    environmentObject({ spec: invalidSpec, ...(status === undefined ? {} : { status }) });

  it("Ready=False and Stalled=True InvalidSpec with the issues; nobody is admitted", () => {
    const decision = decideEnvironment({
      environment: invalid(),
      releases: [waiting("nav-1-4-2", 0)],
      now: NOW,
    });
    const ready = conditionOf(decision.status, "Ready");

    expect(ready).toMatchObject({ status: "False", reason: "InvalidSpec", lastTransitionTime: ISO });
    expect(ready?.message).toContain("spec.watch.metrics");
    expect(conditionOf(decision.status, "Stalled")).toMatchObject({ status: "True", reason: "InvalidSpec" });
    expect(decision.status.activeRelease).toBeUndefined();
    expect(decision.status.queue).toBeUndefined();
    expect(decision.status.effective).toBeUndefined();
    expect(decision.events).toEqual([
      {
        type: "Warning",
        reason: "InvalidSpec",
        message: expect.stringContaining("spec.watch.metrics") as string,
      },
    ]);
  });

  it("fixed: Stalled goes away and the waiting release is admitted", () => {
    const stalled = decideEnvironment({ environment: invalid(), releases: [], now: NOW });
    const decision = decide(stalled.status, [waiting("nav-1-4-2", 0)], minutesAfter(NOW, 2));
    expect(conditionOf(decision.status, "Stalled")).toBeUndefined();
    expect(conditionOf(decision.status, "Ready")).toMatchObject({
      status: "True",
      lastTransitionTime: minutesAfter(NOW, 2).toISOString(),
    });
    expect(decision.status.activeRelease).toBe("nav-1-4-2");
  });
});

describe("decideEnvironment: idempotence", () => {
  const invalidSpec = changed(environmentSpec(), ["watch", "metrics"], []);

  it.each<{ situation: string; spec?: typeof invalidSpec; status?: EnvironmentStatus; releases: Release[] }>([
    { situation: "idle", releases: [] },
    {
      situation: "holding, with a queue",
      releases: [waiting("nav-a", 0), waiting("nav-b", 1), waiting("nav-c", 2)],
    },
    {
      situation: "the holder just finished and the next was admitted",
      status: { activeRelease: "nav-a", currentVersion: "1.4.1" },
      releases: [completedRelease({ name: "nav-a", verdict: "Released" }), waiting("nav-b", 1)],
    },
    {
      situation: "a rollback failed",
      status: { activeRelease: "nav-a", currentVersion: "1.4.1" },
      releases: [completedRelease({ name: "nav-a", verdict: "Rollback-Failed" })],
    },
    {
      situation: "the holder was deleted",
      status: { activeRelease: "nav-gone" },
      releases: [waiting("nav-b", 1)],
    },
    { situation: "an invalid spec", spec: invalidSpec, releases: [waiting("nav-a", 0)] },
  ])(
    "$situation: the decided status fed back changes nothing, now or later",
    ({ spec, status, releases }) => {
      const environment = environmentObject({
        ...(spec === undefined ? {} : { spec }),
        ...(status === undefined ? {} : { status }),
      });
      const first = decideEnvironment({ environment, releases, now: NOW });
      for (const now of [NOW, minutesAfter(NOW, 10)]) {
        const again = decideEnvironment({
          environment: { ...environment, status: first.status },
          releases,
          now,
        });
        expect(again.status).toEqual(first.status);
        expect(again.events).toEqual([]);
      }
    },
  );
});
