import { describe, expect, it } from "vitest";
import type { Release, ReleaseStatus } from "../api/v1alpha1/index.js";
import { decideEnvironment } from "../environment/decide.js";
import { environmentObject } from "../../test/support/releases.js";
import { COMPLETED_STATUS_KEPT, deleteLastApplied, ownerKey, trimRelease } from "./caches.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

const fullStatus: ReleaseStatus = {
  observedGeneration: 1,
  phase: "Completed",
  verdict: "Rolled-Back",
  reason: "error-rate breached 2.5x baseline at T+4m",
  startedAt: "2026-11-25T09:00:00Z",
  completedAt: "2026-11-25T10:00:00Z",
  rollbackTarget: "1.4.1",
  previousVersion: "1.4.1",
  conditions: [
    {
      type: "Ready",
      status: "False",
      reason: "RolledBack",
      message: "rolled back",
      lastTransitionTime: "2026-11-25T10:00:00Z",
    },
  ],
  phases: [{ phase: "PreReleaseGate", startedAt: "2026-11-25T09:00:00Z" }],
  decisions: [
    { kind: "gate", annotation: "approved", value: "true", at: "2026-11-25T09:10:00Z", accepted: true },
  ],
  gate: { checks: [{ name: "acceptance", status: "Passed" }], text: "PRE-RELEASE GATE".repeat(100) },
  report: { configMap: "nav-1-4-2-report" },
};

function release(status: ReleaseStatus, annotations: Record<string, string> = {}): Release {
  return {
    apiVersion: "release-operator.io/v1alpha1",
    kind: "Release",
    metadata: {
      name: "nav-1-4-2",
      namespace: "nav",
      creationTimestamp: new Date("2026-11-25T08:59:00Z"),
      annotations,
    },
    spec: { environment: "nav-production", version: "1.4.2" },
    status,
  };
}

describe("trimRelease: what of a Release stays in the operator's memory", () => {
  it("a completed release keeps only what admission and history read", () => {
    const trimmed = release(structuredClone(fullStatus));
    trimRelease(trimmed);
    expect(Object.keys(trimmed.status ?? {}).sort()).toEqual(
      COMPLETED_STATUS_KEPT.filter((field) => fullStatus[field] !== undefined).sort(),
    );
    expect(trimmed.status).toMatchObject({
      verdict: "Rolled-Back",
      rollbackTarget: "1.4.1",
      phase: "Completed",
    });
    expect(trimmed.spec).toEqual({ environment: "nav-production", version: "1.4.2" });
  });

  it("a completed release's long reason is cut to 1024 characters", () => {
    const trimmed = release({ ...structuredClone(fullStatus), reason: "x".repeat(5000) });
    trimRelease(trimmed);
    expect(trimmed.status?.reason).toHaveLength(1024);
  });

  it.each<{ situation: string; status: ReleaseStatus }>([
    {
      situation: "waiting at the gate",
      status: { ...structuredClone(fullStatus), phase: "PreReleaseGate", verdict: undefined },
    },
    { situation: "new, no status yet", status: {} },
  ])("a live release ($situation) keeps its whole status", ({ status }) => {
    const live = release(structuredClone(status));
    trimRelease(live);
    expect(live.status).toEqual(status);
  });

  it("kubectl's last-applied copy goes; decision annotations stay", () => {
    const applied = release(
      {},
      { [LAST_APPLIED]: "{...}", approved: "true", "approval.release-operator.io/alice": "approved" },
    );
    deleteLastApplied(applied);
    expect(applied.metadata.annotations).toEqual({
      approved: "true",
      "approval.release-operator.io/alice": "approved",
    });
    trimRelease(applied);
    expect(applied.metadata.annotations).toEqual({
      approved: "true",
      "approval.release-operator.io/alice": "approved",
    });
  });

  it("the Environment records a trimmed completed holder as it would the whole one", () => {
    const whole = release(structuredClone(fullStatus));
    const trimmed = release(structuredClone(fullStatus));
    trimRelease(trimmed);
    const environment = environmentObject({
      name: "nav-production",
      status: { activeRelease: "nav-1-4-2", currentVersion: "1.4.1" },
    });
    const now = new Date("2026-11-25T10:01:00Z");
    expect(decideEnvironment({ environment, releases: [trimmed], now })).toEqual(
      decideEnvironment({ environment, releases: [whole], now }),
    );
  });
});

describe("ownerKey: which Release a Job or ConfigMap wakes", () => {
  it.each<{
    situation: string;
    owners: { kind: string; name: string; controller?: boolean }[];
    expected: string | undefined;
  }>([
    {
      situation: "owned by a Release as controller",
      owners: [{ kind: "Release", name: "nav-1-4-2", controller: true }],
      expected: "nav/nav-1-4-2",
    },
    {
      situation: "a Release owner that is not the controller",
      owners: [{ kind: "Release", name: "nav-1-4-2" }],
      expected: undefined,
    },
    {
      situation: "owned by something else",
      owners: [{ kind: "CronJob", name: "x", controller: true }],
      expected: undefined,
    },
    { situation: "no owner", owners: [], expected: undefined },
  ])("$situation", ({ owners, expected }) => {
    expect(
      ownerKey({
        metadata: {
          name: "nav-1-4-2-rollback-check",
          namespace: "nav",
          ownerReferences: owners.map((owner) => ({
            apiVersion: "release-operator.io/v1alpha1",
            uid: "u",
            ...owner,
          })),
        },
      }),
    ).toBe(expected);
  });
});
