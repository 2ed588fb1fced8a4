// Pod status from container states: the phase table of the kubelet, conditions and containerStatuses.
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { computePodStatus, podPhase, rfc3339, type ContainerRecord, type ContainerState } from "./status.js";

const t0 = new Date("2030-01-01T00:00:00.000Z");
const t1 = new Date("2030-01-01T00:00:05.250Z");
const t2 = new Date("2030-01-01T00:00:09.000Z");

const waiting = (reason = "ContainerCreating"): ContainerState => ({ kind: "waiting", reason });
const running = (pid = 100): ContainerState => ({ kind: "running", startedAt: t0, pid });
const exited = (exitCode: number, pid = 100): ContainerState => ({
  kind: "terminated",
  exitCode,
  reason: exitCode === 0 ? "Completed" : "Error",
  startedAt: t0,
  finishedAt: t1,
  pid,
});

function record(name: string, state: ContainerState, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return { name, image: "busybox", state, restartCount: 0, ...extra };
}
const restarting = (name: string, lastExit: number): ContainerRecord =>
  record(name, waiting("CrashLoopBackOff"), {
    lastTerminated: { kind: "terminated", exitCode: lastExit, reason: "Error", finishedAt: t1, pid: 7 },
    restartCount: 1,
  });

describe("podPhase", () => {
  it.each<[string, string, ContainerRecord[], ContainerRecord[], boolean, string]>([
    ["nothing started yet", "Never", [], [record("a", waiting())], false, "Pending"],
    ["one running", "Never", [], [record("a", running())], false, "Running"],
    [
      "one running, one still waiting: waiting wins",
      "Never",
      [],
      [record("a", running()), record("b", waiting())],
      false,
      "Pending",
    ],
    [
      "all exited 0 under Never",
      "Never",
      [],
      [record("a", exited(0)), record("b", exited(0))],
      false,
      "Succeeded",
    ],
    [
      "one failed under Never",
      "Never",
      [],
      [record("a", exited(0)), record("b", exited(3))],
      false,
      "Failed",
    ],
    [
      "one failed while another runs",
      "Never",
      [],
      [record("a", running()), record("b", exited(3))],
      false,
      "Running",
    ],
    ["all exited 0 under OnFailure", "OnFailure", [], [record("a", exited(0))], false, "Succeeded"],
    [
      "a failure under OnFailure will be restarted",
      "OnFailure",
      [],
      [record("a", exited(1))],
      false,
      "Running",
    ],
    ["back-off after a failure counts as stopped", "OnFailure", [], [restarting("a", 1)], false, "Running"],
    ["exited 0 under Always will be restarted", "Always", [], [record("a", exited(0))], false, "Running"],
    [
      "init running",
      "Never",
      [record("i", running())],
      [record("a", waiting("PodInitializing"))],
      false,
      "Pending",
    ],
    [
      "init done, main running",
      "Never",
      [record("i", exited(0))],
      [record("a", running())],
      false,
      "Running",
    ],
    [
      "init failed under Never",
      "Never",
      [record("i", exited(2))],
      [record("a", waiting("PodInitializing"))],
      false,
      "Failed",
    ],
    [
      "init failed under OnFailure: retried",
      "OnFailure",
      [restarting("i", 2)],
      [record("a", waiting("PodInitializing"))],
      false,
      "Pending",
    ],
    ["terminal: killed containers fail the pod", "Always", [], [record("a", exited(143))], true, "Failed"],
    ["terminal: all exited 0", "Always", [], [record("a", exited(0))], true, "Succeeded"],
    ["terminal before anything started", "Never", [], [record("a", waiting())], true, "Failed"],
    ["terminal with a failure under OnFailure", "OnFailure", [], [restarting("a", 1)], true, "Failed"],
  ])("%s (%s) → %s", (_name, policy, init, containers, terminal, expected) => {
    expect(podPhase(policy, init, containers, terminal)).toBe(expected);
  });
});

function pod(spec: Partial<NonNullable<V1Pod["spec"]>> = {}, status: V1Pod["status"] = {}): V1Pod {
  return {
    metadata: { name: "p", namespace: "ns", uid: "u" },
    spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }], ...spec },
    status,
  };
}

describe("computePodStatus", () => {
  it("a running pod: Running, all conditions True, container running and ready", () => {
    const status = computePodStatus(
      pod(),
      { initContainers: [], containers: [record("main", running(4242))], startTime: t0, sandboxReady: true },
      "127.0.0.1",
      t1,
    );
    expect(status).toEqual({
      phase: "Running",
      conditions: [
        {
          type: "PodReadyToStartContainers",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: "2030-01-01T00:00:05Z",
        },
        {
          type: "Initialized",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: "2030-01-01T00:00:05Z",
        },
        { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2030-01-01T00:00:05Z" },
        {
          type: "ContainersReady",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: "2030-01-01T00:00:05Z",
        },
        {
          type: "PodScheduled",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: "2030-01-01T00:00:05Z",
        },
      ],
      hostIP: "127.0.0.1",
      hostIPs: [{ ip: "127.0.0.1" }],
      podIP: "127.0.0.1",
      podIPs: [{ ip: "127.0.0.1" }],
      startTime: "2030-01-01T00:00:00Z",
      containerStatuses: [
        {
          name: "main",
          image: "busybox",
          imageID: "node-agent://host-process/busybox",
          containerID: "node-agent://4242",
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: "2030-01-01T00:00:00Z" } },
          lastState: {},
        },
      ],
    });
  });

  it("a failed pod: terminated state with exit code and message, Ready False with the unready containers", () => {
    const failed: ContainerState = {
      kind: "terminated",
      exitCode: 3,
      reason: "Error",
      message: "boom",
      startedAt: t0,
      finishedAt: t1,
      pid: 9,
    };
    const status = computePodStatus(
      pod(),
      { initContainers: [], containers: [record("main", failed)], startTime: t0, sandboxReady: true },
      "127.0.0.1",
      t2,
    );
    expect(status.phase).toBe("Failed");
    expect(status.containerStatuses[0]?.state).toEqual({
      terminated: {
        exitCode: 3,
        reason: "Error",
        message: "boom",
        startedAt: "2030-01-01T00:00:00Z",
        finishedAt: "2030-01-01T00:00:05Z",
        containerID: "node-agent://9",
      },
    });
    expect(status.containerStatuses[0]?.ready).toBe(false);
    expect(status.conditions.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [main]",
    });
    expect(status.conditions.find((c) => c.type === "PodReadyToStartContainers")?.status).toBe("False");
  });

  it("a succeeded pod's readiness says PodCompleted", () => {
    const status = computePodStatus(
      pod({ initContainers: [{ name: "init" }] }),
      {
        initContainers: [record("init", exited(0, 5))],
        containers: [record("main", exited(0, 6))],
        sandboxReady: true,
      },
      "127.0.0.1",
      t2,
    );
    expect(status.phase).toBe("Succeeded");
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["PodReadyToStartContainers", "False", undefined],
      ["Initialized", "True", "PodCompleted"],
      ["Ready", "False", "PodCompleted"],
      ["ContainersReady", "False", "PodCompleted"],
      ["PodScheduled", "True", undefined],
    ]);
    expect(status.initContainerStatuses?.map((s) => s.state.terminated?.reason)).toEqual(["Completed"]);
  });

  it("waiting on init: Initialized False names the incomplete init containers; waiting reasons are reported", () => {
    const status = computePodStatus(
      pod({ initContainers: [{ name: "one" }, { name: "two" }] }),
      {
        initContainers: [record("one", exited(0)), record("two", running())],
        containers: [record("main", waiting("PodInitializing"))],
        sandboxReady: true,
      },
      "127.0.0.1",
      t1,
    );
    expect(status.phase).toBe("Pending");
    expect(status.conditions.find((c) => c.type === "Initialized")).toMatchObject({
      status: "False",
      reason: "ContainersNotInitialized",
      message: "containers with incomplete status: [two]",
    });
    expect(status.containerStatuses[0]).toMatchObject({
      state: { waiting: { reason: "PodInitializing" } },
      imageID: "",
      ready: false,
      started: false,
    });
    expect(status.containerStatuses[0]).not.toHaveProperty("containerID");
  });

  it("a restart in back-off keeps the last termination and the restart count", () => {
    const status = computePodStatus(
      pod({ restartPolicy: "OnFailure" }),
      { initContainers: [], containers: [restarting("main", 1)], sandboxReady: true },
      "127.0.0.1",
      t1,
    );
    expect(status.phase).toBe("Running");
    expect(status.containerStatuses[0]).toMatchObject({
      restartCount: 1,
      containerID: "node-agent://7",
      state: { waiting: { reason: "CrashLoopBackOff" } },
      lastState: { terminated: { exitCode: 1, reason: "Error" } },
    });
  });

  it("a forced terminal reason becomes the pod's reason and message", () => {
    const status = computePodStatus(
      pod(),
      {
        initContainers: [],
        containers: [record("main", exited(143))],
        sandboxReady: false,
        terminal: {
          reason: "DeadlineExceeded",
          message: "Pod was active on the node longer than the specified deadline",
        },
      },
      "127.0.0.1",
      t1,
    );
    expect(status).toMatchObject({
      phase: "Failed",
      reason: "DeadlineExceeded",
      message: "Pod was active on the node longer than the specified deadline",
    });
  });

  it("a condition keeps its lastTransitionTime while its status holds, and moves when it flips", () => {
    const before = pod(
      {},
      {
        conditions: [
          { type: "Ready", status: "True", lastTransitionTime: t0 },
          { type: "PodScheduled", status: "True", lastTransitionTime: t0 },
        ],
      },
    );
    const status = computePodStatus(
      before,
      { initContainers: [], containers: [record("main", exited(1))], sandboxReady: true },
      "127.0.0.1",
      t2,
    );
    expect(status.conditions.find((c) => c.type === "PodScheduled")?.lastTransitionTime).toBe(rfc3339(t0));
    expect(status.conditions.find((c) => c.type === "Ready")?.lastTransitionTime).toBe(rfc3339(t2));
  });

  it("times from a watch event arrive as text and are kept too", () => {
    const before = pod(
      {},
      {
        conditions: [
          {
            type: "PodScheduled",
            status: "True",
            lastTransitionTime: "2029-12-31T23:59:00Z" as unknown as Date,
          },
        ],
      },
    );
    const status = computePodStatus(
      before,
      { initContainers: [], containers: [record("main", running())], sandboxReady: true },
      "127.0.0.1",
      t2,
    );
    expect(status.conditions.find((c) => c.type === "PodScheduled")?.lastTransitionTime).toBe(
      "2029-12-31T23:59:00Z",
    );
  });
});
