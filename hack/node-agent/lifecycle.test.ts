// Restarts, grace periods, deadlines, and pods an earlier agent left behind.
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  deadlineAt,
  killGraceSeconds,
  lostPodRuntime,
  recordedRunningPids,
  restartBackoffMs,
  restartPolicyOf,
  shouldRestart,
  startedByEarlierAgent,
  type RestartPolicy,
} from "./lifecycle.js";
import { computePodStatus } from "./status.js";

describe("shouldRestart", () => {
  it.each<[RestartPolicy, number, boolean]>([
    ["Never", 0, false],
    ["Never", 1, false],
    ["OnFailure", 0, false],
    ["OnFailure", 1, true],
    ["OnFailure", 137, true],
    ["Always", 0, true],
    ["Always", 2, true],
  ])("%s after exit %i → %s", (policy, exitCode, expected) => {
    expect(shouldRestart(policy, exitCode)).toBe(expected);
  });

  it("a pod without restartPolicy is Always, as the API defaults it", () => {
    expect(restartPolicyOf({ spec: { containers: [] } })).toBe("Always");
    expect(restartPolicyOf({ spec: { containers: [], restartPolicy: "OnFailure" } })).toBe("OnFailure");
  });

  it.each([
    [0, 1000],
    [1, 2000],
    [3, 8000],
    [5, 20_000],
    [50, 20_000],
  ])("back-off before restart after %i restarts is %i ms", (restarts, ms) => {
    expect(restartBackoffMs(restarts)).toBe(ms);
  });
});

describe("killGraceSeconds", () => {
  it.each<[string, V1Pod, number]>([
    ["the default 30 s", { spec: { containers: [] } }, 30],
    [
      "the pod's terminationGracePeriodSeconds",
      { spec: { containers: [], terminationGracePeriodSeconds: 5 } },
      5,
    ],
    [
      "the deletion's grace period first",
      {
        metadata: { deletionGracePeriodSeconds: 3 },
        spec: { containers: [], terminationGracePeriodSeconds: 20 },
      },
      3,
    ],
    ["never under 2 s", { metadata: { deletionGracePeriodSeconds: 0 }, spec: { containers: [] } }, 2],
    ["never over 30 s", { spec: { containers: [], terminationGracePeriodSeconds: 600 } }, 30],
  ])("%s", (_name, pod, expected) => {
    expect(killGraceSeconds(pod)).toBe(expected);
  });
});

describe("deadlineAt", () => {
  const start = new Date("2030-01-01T00:00:00Z");
  it("counts activeDeadlineSeconds from the start time", () => {
    expect(deadlineAt({ spec: { containers: [], activeDeadlineSeconds: 90 } }, start)).toEqual(
      new Date("2030-01-01T00:01:30Z"),
    );
  });
  it("is undefined without a deadline or a start", () => {
    expect(deadlineAt({ spec: { containers: [] } }, start)).toBeUndefined();
    expect(deadlineAt({ spec: { containers: [], activeDeadlineSeconds: 5 } }, undefined)).toBeUndefined();
  });
});

const spec = {
  containers: [
    { name: "main", image: "busybox" },
    { name: "side", image: "busybox" },
  ],
};

describe("startedByEarlierAgent", () => {
  it.each<[string, V1Pod["status"], boolean]>([
    ["a fresh pod", undefined, false],
    [
      "Pending with only waiting containers",
      {
        phase: "Pending",
        containerStatuses: [
          {
            name: "main",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: "ContainerCreating" } },
          },
        ],
      },
      false,
    ],
    ["Running", { phase: "Running" }, true],
    [
      "Pending but an init container ran",
      {
        phase: "Pending",
        initContainerStatuses: [
          {
            name: "init",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { running: { startedAt: new Date() } },
          },
        ],
      },
      true,
    ],
    [
      "Pending in back-off after a run",
      {
        phase: "Pending",
        containerStatuses: [
          {
            name: "main",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 1,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 1 } },
          },
        ],
      },
      true,
    ],
  ])("%s → %s", (_name, status, expected) => {
    expect(startedByEarlierAgent({ spec, ...(status ? { status } : {}) })).toBe(expected);
  });
});

describe("lostPodRuntime", () => {
  const now = new Date("2030-01-01T00:10:00Z");
  const pod: V1Pod = {
    metadata: { name: "p", namespace: "ns", uid: "u" },
    spec: { ...spec, restartPolicy: "Never" },
    status: {
      phase: "Running",
      startTime: "2030-01-01T00:00:00Z" as unknown as Date,
      containerStatuses: [
        {
          name: "main",
          image: "busybox",
          imageID: "",
          containerID: "node-agent://4321",
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: "2030-01-01T00:00:01Z" as unknown as Date } },
        },
        {
          name: "side",
          image: "busybox",
          imageID: "",
          containerID: "node-agent://99",
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode: 0,
              reason: "Completed",
              finishedAt: "2030-01-01T00:05:00Z" as unknown as Date,
            },
          },
        },
      ],
    },
  };

  it("reports the pod Failed with the running container lost (137, NodeAgentRestarted)", () => {
    const status = computePodStatus(pod, lostPodRuntime(pod, now), "127.0.0.1", now);
    expect(status.phase).toBe("Failed");
    expect(status.reason).toBe("NodeAgentRestarted");
    expect(status.message).toContain("not run twice");
    expect(status.startTime).toBe("2030-01-01T00:00:00Z");
    expect(status.containerStatuses.map((s) => s.state.terminated)).toEqual([
      {
        exitCode: 137,
        reason: "NodeAgentRestarted",
        message: "The node agent restarted and lost this container's process; it was not started again",
        startedAt: "2030-01-01T00:00:01Z",
        finishedAt: "2030-01-01T00:10:00Z",
        containerID: "node-agent://4321",
      },
      {
        exitCode: 0,
        reason: "Completed",
        finishedAt: "2030-01-01T00:05:00Z",
        containerID: "node-agent://99",
      },
    ]);
  });

  it("only running containers' pids are candidates for the leftover sweep", () => {
    expect(recordedRunningPids(pod)).toEqual([4321]);
  });
});
