import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { PodsByJob } from "./caches.js";
import { jobObservation, whyNotStarted } from "./job-observer.js";

const STARTED = new Date("2026-11-25T10:00:01Z");
const FINISHED = new Date("2026-11-25T10:00:09Z");

const job = (status: V1Job["status"] = {}): V1Job => ({
  metadata: { name: "nav-deploy", uid: "job-uid" },
  status,
});
const pod = (
  state: NonNullable<NonNullable<V1Pod["status"]>["containerStatuses"]>[number]["state"],
  name = "nav-deploy-abcde",
  created = "2026-11-25T10:00:00Z",
): V1Pod => ({
  metadata: {
    name,
    namespace: "nav",
    uid: `uid-${name}`,
    creationTimestamp: new Date(created),
    labels: { "batch.kubernetes.io/job-name": "nav-deploy" },
  },
  spec: { nodeName: "onboard", containers: [] },
  status: {
    containerStatuses: [{ name: "deploy", image: "x", imageID: "", ready: false, restartCount: 0, state }],
  },
});

describe("jobObservation", () => {
  it.each<{ situation: string; job?: V1Job; pod?: V1Pod; expected: object }>([
    { situation: "no Job", expected: { state: "absent" } },
    {
      situation: "a Job whose Pod is not there yet",
      job: job(),
      expected: { state: "pending", uid: "job-uid" },
    },
    {
      situation: "its container waiting (image pull, scheduling)",
      job: job({ active: 1 }),
      pod: pod({ waiting: { reason: "ContainerCreating" } }),
      expected: { state: "pending", nodeName: "onboard", podName: "nav-deploy-abcde" },
    },
    {
      situation: "running",
      job: job({ active: 1 }),
      pod: pod({ running: { startedAt: STARTED } }),
      expected: { state: "running", startedAt: STARTED.toISOString(), nodeName: "onboard" },
    },
    {
      situation: "succeeded: exit 0, when it finished",
      job: job({ succeeded: 1, completionTime: FINISHED }),
      pod: pod({ terminated: { exitCode: 0, startedAt: STARTED, finishedAt: FINISHED } }),
      expected: { state: "succeeded", exitCode: 0, finishedAt: FINISHED.toISOString() },
    },
    {
      situation: "failed with its exit code",
      job: job({
        failed: 1,
        conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }],
      }),
      pod: pod({ terminated: { exitCode: 3, startedAt: STARTED, finishedAt: FINISHED } }),
      expected: { state: "failed", exitCode: 3, failure: "BackoffLimitExceeded" },
    },
    {
      situation: "failed by its deadline, no Pod left to say an exit code",
      job: job({
        conditions: [
          {
            type: "Failed",
            status: "True",
            reason: "DeadlineExceeded",
            message: "Job was active longer than specified deadline",
            lastTransitionTime: FINISHED,
          },
        ],
      }),
      expected: {
        state: "failed",
        failure: "DeadlineExceeded: Job was active longer than specified deadline",
        finishedAt: FINISHED.toISOString(),
      },
    },
  ])("$situation", ({ job: observedJob, pod: observedPod, expected }) => {
    expect(jobObservation(observedJob, observedPod)).toMatchObject(expected);
  });
});

describe("PodsByJob", () => {
  it("keeps the newest Pod of each Job, and forgets it only when that Pod is deleted", () => {
    const pods = new PodsByJob();
    const first = pod({ running: {} }, "nav-deploy-aaaaa", "2026-11-25T10:00:00Z");
    const second = pod({ running: {} }, "nav-deploy-bbbbb", "2026-11-25T10:00:05Z");
    pods.changed(first, "add");
    pods.changed(second, "add");
    pods.changed(first, "update");
    expect(pods.podOf("nav", "nav-deploy")?.metadata?.name).toBe("nav-deploy-bbbbb");
    pods.changed(first, "delete");
    expect(pods.podOf("nav", "nav-deploy")?.metadata?.name).toBe("nav-deploy-bbbbb");
    pods.changed(second, "delete");
    expect(pods.podOf("nav", "nav-deploy")).toBeUndefined();
  });
});

describe("whyNotStarted", () => {
  const pending = (status: V1Pod["status"], nodeName?: string): V1Pod => ({
    metadata: { name: "nav-deploy-abcde" },
    spec: { containers: [], ...(nodeName === undefined ? {} : { nodeName }) },
    status,
  });
  it.each<{ situation: string; pod?: V1Pod; why: string }>([
    { situation: "no Pod at all", why: "no Pod was created (the Job's Events say why)" },
    {
      situation: "the scheduler found no node",
      pod: pending({
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/2 nodes are available: 1 node(s) had untolerated taint",
          },
        ],
      }),
      why: "not scheduled: Unschedulable: 0/2 nodes are available: 1 node(s) had untolerated taint",
    },
    {
      situation: "the image cannot be pulled",
      pod: pending(
        {
          containerStatuses: [
            {
              name: "deploy",
              image: "x",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } },
            },
          ],
        },
        "onboard",
      ),
      why: "waiting: ImagePullBackOff: Back-off pulling image",
    },
    { situation: "not looked at by the scheduler yet", pod: pending({}), why: "not scheduled yet" },
    {
      situation: "bound, no word from the node",
      pod: pending({}, "onboard"),
      why: "not started on node onboard",
    },
  ])("$situation", ({ pod, why }) => {
    expect(whyNotStarted(pod)).toBe(why);
  });

  it("is part of a pending Job's observation, and only of a pending one", () => {
    expect(jobObservation(job(), undefined).waiting).toBe("no Pod was created (the Job's Events say why)");
    expect(
      jobObservation(job({ active: 1 }), pod({ running: { startedAt: STARTED } })).waiting,
    ).toBeUndefined();
  });
});
