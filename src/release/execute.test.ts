import { describe, expect, it } from "vitest";
import type { EnvironmentSpec, ReleaseStatus } from "../api/v1alpha1/index.js";
import {
  annotated,
  conditionOf,
  environmentSpec,
  heldBy,
  minutesAfter,
  NOW,
  withStatus,
} from "../../test/support/releases.js";
import { atGate, next, withReading } from "../../test/support/worlds.js";
import { decideRelease, type JobObservation, type ReleaseDecision, type ReleaseWorld } from "./decide.js";

const NAME = "nav-1-4-2";
const DEPLOY = `${NAME}-deploy`;
const ROLLBACK = `${NAME}-rollback`;
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

const running = (startedSecondsAfter = 1): JobObservation => ({
  state: "running",
  uid: "job-uid",
  nodeName: "onboard",
  podName: `${DEPLOY}-abcde`,
  startedAt: at(startedSecondsAfter).toISOString(),
});
const ended = (
  state: "succeeded" | "failed",
  exitCode: number,
  finishedSecondsAfter: number,
): JobObservation => ({
  ...running(),
  state,
  exitCode,
  finishedAt: at(finishedSecondsAfter).toISOString(),
});

/** A world that has gone through the gate and strategy, in Execute, its deploy environment checked and fine. */
function inExecute(
  spec: EnvironmentSpec = environmentSpec({
    deploy: { ...environmentSpec().deploy, idleTimeout: "1m", timeout: "10m" },
  }),
): ReleaseWorld {
  const world = next(atGate({ environment: heldBy(NAME, { spec }) }));
  // The pre-deploy baseline is read before the deploy Job: here it came back at 1% errors.
  return withReading({ ...world, deployEnvironment: [] }, { "error-rate": 0.01 });
}

/** The deploy Job created and recorded: what the next reconcile reads. */
function deploying(spec?: EnvironmentSpec): ReleaseWorld {
  return next(inExecute(spec), { deployEnvironment: [] });
}

/** The reconcile after `world`, with the Jobs observed as given. */
function observed(
  world: ReleaseWorld,
  jobs: Record<string, JobObservation>,
  changes: Partial<ReleaseWorld> = {},
): ReleaseWorld {
  return { ...world, jobs: new Map(Object.entries(jobs)), ...changes };
}

const createdJobs = (decision: ReleaseDecision): string[] =>
  decision.actions.flatMap((action) =>
    action.kind === "create-job" ? [action.job.metadata?.name ?? ""] : [],
  );
const jobRecord = (status: ReleaseStatus, name: string) => status.jobs?.find((job) => job.name === name);

describe("Execute: before the deploy Job", () => {
  it("environment fine, window open: exactly one deploy Job, recorded as running, with a check at the idle deadline", () => {
    const decision = decideRelease(inExecute());
    expect(createdJobs(decision)).toEqual([DEPLOY]);
    expect(jobRecord(decision.status, DEPLOY)).toMatchObject({
      purpose: "deploy",
      outcome: "Running",
      startedAt: NOW.toISOString(),
    });
    expect(decision.requeueAfterMs).toBe(60_000);
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("Deploying");
  });

  it("a placeholder in the environment: Aborted before any Job, the problem named", () => {
    const decision = decideRelease({
      ...inExecute(),
      deployEnvironment: ["API_TOKEN from Secret nav-env is a placeholder"],
    });
    expect(decision.actions).toEqual([]);
    expect(decision.status.verdict).toBe("Aborted");
    expect(decision.status.reason).toContain("API_TOKEN from Secret nav-env is a placeholder");
    expect(decision.status.reason).toContain("nothing was deployed");
  });

  it("the change window closed while the strategy was chosen: no Job, a wait until it opens", () => {
    const spec = environmentSpec({
      changeWindows: [{ days: ["Wed"], start: "09:00", end: "10:30", timeZone: "UTC" }],
    });
    const late = { ...inExecute(spec), now: minutesAfter(NOW, 60) };
    const decision = decideRelease(late);
    expect(decision.actions).toEqual([]);
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("OutsideChangeWindow");
    // The next Wednesday, 09:00 UTC.
    expect(decision.requeueAfterMs).toBe(
      Date.parse("2026-12-02T09:00:00Z") - minutesAfter(NOW, 60).getTime(),
    );
  });

  it("the deploy Job exists but status never recorded it (a crash after creating it): adopted, not created again", () => {
    const decision = decideRelease(observed(inExecute(), { [DEPLOY]: running() }));
    expect(createdJobs(decision)).toEqual([]);
    expect(jobRecord(decision.status, DEPLOY)).toMatchObject({
      outcome: "Running",
      nodeName: "onboard",
      uid: "job-uid",
    });
  });

  it("abort before the deploy Job exists: Aborted, nothing deployed", () => {
    const world = inExecute();
    const decision = decideRelease({
      ...world,
      release: annotated(world.release, { "release-operator.io/abort": "not today" }),
    });
    expect(decision.status.verdict).toBe("Aborted");
    expect(decision.actions).toEqual([]);
  });
});

describe("Execute: following the deploy Job", () => {
  it.each<{
    situation: string;
    job: JobObservation;
    output?: { seen: number; lastOutputAt?: string; ended: boolean };
    seconds: number;
    phase: string;
    outcome: string;
    actions: string[];
    cause?: RegExp;
  }>([
    {
      situation: "printing: keeps running, nothing done",
      job: running(),
      output: { seen: 3, lastOutputAt: at(40).toISOString(), ended: false },
      seconds: 70,
      phase: "Execute",
      outcome: "Running",
      actions: [],
    },
    {
      situation: "exit 0 and all output read: through the smoke tests (none defined) to the watch window",
      job: ended("succeeded", 0, 20),
      output: { seen: 5, lastOutputAt: at(19).toISOString(), ended: true },
      seconds: 21,
      phase: "WatchWindow",
      outcome: "Succeeded",
      actions: [],
    },
    {
      situation: "exit 0, last lines still coming: waits for them",
      job: ended("succeeded", 0, 20),
      output: { seen: 5, ended: false },
      seconds: 21,
      phase: "Execute",
      outcome: "Running",
      actions: [],
    },
    {
      situation: "exit 1: rolls back at once, the rollback Job created in the same reconcile",
      job: ended("failed", 1, 20),
      output: { seen: 5, ended: true },
      seconds: 21,
      phase: "RollingBack",
      outcome: "Failed",
      actions: [`create-job ${ROLLBACK}`],
      cause: /^deploy script failure: exit code 1 on node onboard$/,
    },
    {
      situation: "no output for idleTimeout: hung, a snapshot, the Job deleted after status says so",
      job: running(),
      output: { seen: 1, lastOutputAt: at(2).toISOString(), ended: false },
      seconds: 63,
      phase: "RollingBack",
      outcome: "Hung",
      actions: ["capture-snapshot", "delete-job"],
      cause: /^Deploy hung — manual investigation required \(no output for 1m on node onboard\)$/,
    },
    {
      situation: "right after a restart the output is not read yet: silence is not judged",
      job: running(),
      seconds: 63,
      phase: "Execute",
      outcome: "Running",
      actions: [],
    },
    {
      situation: "past its timeout while printing: stopped as timed out",
      job: running(),
      output: { seen: 900, lastOutputAt: at(599).toISOString(), ended: false },
      seconds: 601,
      phase: "RollingBack",
      outcome: "TimedOut",
      actions: ["capture-snapshot", "delete-job"],
      cause: /^deploy timed out: deploy exceeded its timeout of 10m/,
    },
    {
      situation: "its Pod not scheduled yet, within idleTimeout: waits, and looks again at the idle deadline",
      job: {
        state: "pending",
        uid: "job-uid",
        waiting: "not scheduled: Unschedulable: 0/2 nodes are available",
      },
      seconds: 30,
      phase: "Execute",
      outcome: "Running",
      actions: [],
    },
    {
      situation: "its Pod scheduled but not started for idleTimeout (image pull, a node out of reach): hung",
      job: {
        state: "pending",
        uid: "job-uid",
        nodeName: "onboard",
        podName: `${DEPLOY}-abcde`,
        waiting: "waiting: ImagePullBackOff",
      },
      seconds: 61,
      phase: "RollingBack",
      outcome: "Hung",
      actions: ["capture-snapshot", "delete-job"],
      cause:
        /^Deploy hung — manual investigation required \(not started within 1m on node onboard \(waiting: ImagePullBackOff\)\)$/,
    },
    {
      situation: "deleted by someone while running: rolled back, never created again",
      job: { state: "absent" },
      seconds: 30,
      phase: "RollingBack",
      outcome: "Deleted",
      actions: [`create-job ${ROLLBACK}`],
      cause: /^deploy Job nav-1-4-2-deploy was deleted before it finished; it is not created again$/,
    },
  ])("$situation", ({ job, output, seconds, phase, outcome, actions, cause }) => {
    const world = observed(
      deploying(),
      { [DEPLOY]: job },
      { now: at(seconds), ...(output === undefined ? {} : { output: { deploy: output } }) },
    );
    const decision = decideRelease(world);
    expect(decision.status.phase).toBe(phase);
    expect(jobRecord(decision.status, DEPLOY)?.outcome).toBe(outcome);
    expect(
      decision.actions.map((action) =>
        action.kind === "create-job" ? `create-job ${action.job.metadata?.name ?? ""}` : action.kind,
      ),
    ).toEqual(actions);
    expect(createdJobs(decision)).not.toContain(DEPLOY);
    if (cause !== undefined) expect(decision.status.rollback?.cause).toMatch(cause);
  });

  it("within idleTimeout a pending Pod is looked at again at the idle deadline", () => {
    const world = observed(
      deploying(),
      { [DEPLOY]: { state: "pending", waiting: "not scheduled yet" } },
      { now: at(30) },
    );
    expect(decideRelease(world).requeueAfterMs).toBe(30_000);
  });

  it("its Pod never scheduled within idleTimeout: the Job is stopped, then Aborted (deploy.sh never ran), no rollback", () => {
    const why = "not scheduled: Unschedulable: 0/2 nodes are available: 1 node(s) had untolerated taint";
    const pending: JobObservation = {
      state: "pending",
      uid: "job-uid",
      podName: `${DEPLOY}-abcde`,
      waiting: why,
    };
    const world = observed(deploying(), { [DEPLOY]: pending }, { now: at(61) });
    const decision = decideRelease(world);
    expect(decision.status.phase).toBe("Execute");
    expect(jobRecord(decision.status, DEPLOY)).toMatchObject({
      outcome: "NotStarted",
      message: `deploy Job ${DEPLOY} was not scheduled within 1m (${why})`,
    });
    expect(decision.actions.map((action) => action.kind)).toEqual(["capture-snapshot", "delete-job"]);
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("StoppingDeploy");

    // Still being deleted, an abort meanwhile: no second snapshot, no rollback, the Job asked to stop again.
    const deleting = observed(
      next(world),
      { [DEPLOY]: pending },
      {
        now: at(62),
        release: annotated(withStatus(world.release, decision.status), {
          "release-operator.io/abort": "give up",
        }),
      },
    );
    const waiting = decideRelease(deleting);
    expect(waiting.status.phase).toBe("Execute");
    expect(waiting.actions.map((action) => action.kind)).toEqual(["delete-job"]);

    // Gone: Aborted, nothing created, the reason says the script never ran.
    const gone = observed(
      deleting,
      { [DEPLOY]: { state: "absent" } },
      { now: at(64), release: withStatus(deleting.release, waiting.status) },
    );
    const done = decideRelease(gone);
    expect(done.status.verdict).toBe("Aborted");
    expect(done.status.reason).toBe(
      `Aborted at Execute: deploy Job ${DEPLOY} was not scheduled within 1m (${why}); deploy.sh never ran, nothing was deployed`,
    );
    expect(done.actions).toEqual([]);
    expect(jobRecord(done.status, ROLLBACK)).toBeUndefined();
  });

  it("the API server refused the deploy Job (an invalid nodeSelector): Aborted, nothing deployed, no rollback", () => {
    const refused =
      '422: Job.batch "nav-1-4-2-deploy" is invalid: spec.template.spec.nodeSelector: Invalid value';
    const decision = decideRelease({ ...inExecute(), refusedJobs: new Map([[DEPLOY, refused]]) });
    expect(decision.status.verdict).toBe("Aborted");
    expect(decision.status.reason).toBe(
      `Aborted at Execute: deploy Job ${DEPLOY} was refused by the API server (${refused}); deploy.sh never ran, nothing was deployed`,
    );
    expect(decision.actions).toEqual([]);
    expect(jobRecord(decision.status, DEPLOY)?.outcome).toBe("NotStarted");
  });

  it("abort while the deploy runs: the Job is stopped and the release rolls back once it is gone", () => {
    const world = observed(deploying(), { [DEPLOY]: running() }, { now: at(10) });
    const decision = decideRelease({
      ...world,
      release: annotated(world.release, { "release-operator.io/abort": "wrong config" }),
    });
    expect(decision.status.phase).toBe("RollingBack");
    expect(decision.status.rollback?.cause).toContain("wrong config");
    expect(decision.actions.map((action) => action.kind)).toEqual(["delete-job"]);
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("StoppingDeploy");

    // The Job is gone: the rollback starts.
    const gone = observed(
      next(world),
      { [DEPLOY]: { state: "absent" } },
      {
        now: at(15),
        release: annotated(withStatus(world.release, decision.status), {
          "release-operator.io/abort": "wrong config",
        }),
      },
    );
    expect(createdJobs(decideRelease(gone))).toEqual([ROLLBACK]);
  });
});

describe("the rollback", () => {
  /** A release whose deploy exited 1, with its rollback Job created and recorded. */
  function rollingBack(): ReleaseWorld {
    const failed = observed(
      deploying(),
      { [DEPLOY]: ended("failed", 1, 20) },
      { now: at(21), output: { deploy: { seen: 2, ended: true } } },
    );
    return observed(next(failed), { [DEPLOY]: ended("failed", 1, 20) }, { now: at(22) });
  }

  it("the rollback Job succeeded and there are no smoke cases: Rolled-Back with the whole reason chain", () => {
    const world = observed(
      rollingBack(),
      { [DEPLOY]: ended("failed", 1, 20), [ROLLBACK]: ended("succeeded", 0, 30) },
      { now: at(31), output: { rollback: { seen: 2, ended: true } } },
    );
    const watching = decideRelease(world);
    expect(watching.status.verdict).toBeUndefined();
    expect(conditionOf(watching.status, "Reconciling")?.reason).toBe("RollbackWatch");
    expect(watching.status.rollbackWatch).toMatchObject({ window: "rollback", version: "1.4.1" });
    // The mini window is the release's (15m), capped at five minutes; its one reading due at its end.
    expect(watching.requeueAfterMs).toBe(60_000);
    const ended5m = { ...world, release: withStatus(world.release, watching.status), now: at(31 + 300) };
    const decision = decideRelease(withReading(ended5m, { "error-rate": 0.012 }));
    expect(decision.status.verdict).toBe("Rolled-Back");
    expect(decision.status.reason).toBe(
      "deploy script failure: exit code 1 on node onboard -> rolled back to 1.4.1 (deploy.sh --rollback exited 0 on node onboard) -> no smoke cases to re-run -> mini watch window of 5m on 1.4.1 passed (1 interval, no hard breach)",
    );
    expect(createdJobs(decision)).toEqual([]);
  });

  it("the rollback Job's Pod never scheduled: stopped first (it could still run later), then Rollback-Failed", () => {
    const pending: JobObservation = {
      state: "pending",
      uid: "rollback-uid",
      waiting: "not scheduled: Unschedulable",
    };
    const world = observed(
      rollingBack(),
      { [DEPLOY]: ended("failed", 1, 20), [ROLLBACK]: pending },
      { now: at(22 + 61) },
    );
    const stopping = decideRelease(world);
    expect(stopping.status.phase).toBe("RollingBack");
    expect(stopping.status.verdict).toBeUndefined();
    expect(conditionOf(stopping.status, "Reconciling")?.reason).toBe("StoppingRollback");
    expect(stopping.actions.map((action) => action.kind)).toEqual(["capture-snapshot", "delete-job"]);
    expect(jobRecord(stopping.status, ROLLBACK)?.outcome).toBe("NotStarted");

    // Still there: asked to stop again, no second snapshot.
    const still = observed(
      next(world),
      { [DEPLOY]: ended("failed", 1, 20), [ROLLBACK]: pending },
      {
        now: at(22 + 62),
        release: withStatus(world.release, stopping.status),
      },
    );
    const again = decideRelease(still);
    expect(again.actions.map((action) => action.kind)).toEqual(["delete-job"]);

    const gone = observed(
      still,
      { [DEPLOY]: ended("failed", 1, 20), [ROLLBACK]: { state: "absent" } },
      {
        now: at(22 + 64),
        release: withStatus(still.release, again.status),
      },
    );
    const decision = decideRelease(gone);
    expect(decision.status.verdict).toBe("Rollback-Failed");
    expect(decision.status.reason).toContain(
      `rollback to 1.4.1 failed: rollback Job ${ROLLBACK} was not scheduled within 1m (not scheduled: Unschedulable)`,
    );
    expect(decision.actions).toEqual([]);
  });

  it("the API server refused the rollback Job: Rollback-Failed, nothing more tried", () => {
    const world = observed(rollingBack(), {
      [DEPLOY]: ended("failed", 1, 20),
      [ROLLBACK]: { state: "absent" },
    });
    const unrecorded = {
      ...world,
      release: withStatus(world.release, {
        ...world.release.status,
        jobs: world.release.status?.jobs?.filter((job) => job.name !== ROLLBACK),
      }),
    };
    const decision = decideRelease({ ...unrecorded, refusedJobs: new Map([[ROLLBACK, "422: invalid"]]) });
    expect(decision.status.verdict).toBe("Rollback-Failed");
    expect(decision.status.reason).toContain(
      `rollback to 1.4.1 failed: rollback Job ${ROLLBACK} was refused by the API server (422: invalid)`,
    );
    expect(decision.actions).toEqual([]);
  });

  it("the rollback Job failed: Rollback-Failed, a human asked for, no further Job", () => {
    const world = observed(
      rollingBack(),
      { [DEPLOY]: ended("failed", 1, 20), [ROLLBACK]: ended("failed", 1, 30) },
      { now: at(31), output: { rollback: { seen: 2, ended: true } } },
    );
    const decision = decideRelease(world);
    expect(decision.status.verdict).toBe("Rollback-Failed");
    expect(decision.status.reason).toContain("rollback to 1.4.1 failed: exit code 1");
    expect(decision.status.reason).toContain("a human must take over");
    expect(decision.actions).toEqual([]);
    expect(decision.events).toContainEqual(
      expect.objectContaining({ type: "Warning", reason: "HumanTakeoverRequired" }),
    );
    expect(conditionOf(decision.status, "Stalled")?.status).toBe("True");

    // Read again after the verdict: nothing more is ever started.
    const after = decideRelease({
      ...world,
      release: withStatus(world.release, decision.status),
      now: at(600),
    });
    expect(after.actions).toEqual([]);
  });
});

describe("smoke tests", () => {
  const smokeSpec = environmentSpec({
    smoke: {
      http: [{ name: "api", url: "http://app.example/healthz" }],
      jobs: [{ name: "orders", image: "smoke:1", command: ["smoke", "orders"] }],
      timeout: "2m",
    },
  });
  /** The deploy Job just ended well: the reconcile that moves into SmokeTest. */
  const deployed = (): ReleaseWorld =>
    observed(
      deploying(smokeSpec),
      { [DEPLOY]: ended("succeeded", 0, 20) },
      { now: at(21), output: { deploy: { seen: 1, ended: true } } },
    );
  const smoking = (): ReleaseWorld => next(deployed());

  it("a smoke Job the API server refused is a failed case, named with the API server's words", () => {
    const world = deployed();
    const decision = decideRelease({
      ...world,
      refusedJobs: new Map([[`${NAME}-smoke-0`, "422: invalid image"]]),
    });
    expect(createdJobs(decision)).toEqual([]);
    const result = decision.status.smoke?.find((entry) => entry.name === "orders");
    expect(result).toMatchObject({ passed: false, run: "release" });
    expect(result?.message).toBe(
      `smoke Job ${NAME}-smoke-0 was refused by the API server (422: invalid image)`,
    );
  });

  it("entering the phase starts the Job case and waits for the HTTP cases", () => {
    const decision = decideRelease(deployed());
    expect(createdJobs(decision)).toEqual([`${NAME}-smoke-0`]);
    expect(decision.status.phase).toBe("SmokeTest");
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("SmokeTesting");
  });

  it.each<{ situation: string; http: boolean; job: "succeeded" | "failed"; phase: string; cause?: string }>([
    {
      situation: "every case passed: on to the watch window",
      http: true,
      job: "succeeded",
      phase: "WatchWindow",
    },
    {
      situation: "the HTTP case failed: rolled back, the case named",
      http: false,
      job: "succeeded",
      phase: "RollingBack",
      cause: "smoke test failure: api",
    },
    {
      situation: "the Job case failed: rolled back, the case named",
      http: true,
      job: "failed",
      phase: "RollingBack",
      cause: "smoke test failure: orders",
    },
  ])("$situation", ({ http, job, phase, cause }) => {
    const started = smoking();
    const world = observed(
      started,
      {
        [DEPLOY]: ended("succeeded", 0, 20),
        [`${NAME}-smoke-0`]: ended(job, job === "succeeded" ? 0 : 3, 30),
      },
      {
        now: at(31),
        httpSmoke: {
          run: "release",
          outcomes: [
            {
              name: "api",
              passed: http,
              durationMs: 12,
              ...(http ? {} : { message: "expected status 200, got 500" }),
            },
          ],
        },
      },
    );
    const decision = decideRelease(world);
    expect(decision.status.phase).toBe(phase);
    expect(decision.status.smoke?.map((result) => [result.name, result.passed])).toEqual([
      ["api", http],
      ["orders", job === "succeeded"],
    ]);
    if (cause !== undefined) expect(decision.status.rollback?.cause).toBe(cause);
  });

  it("out of time: unfinished cases fail as overdue and their Jobs are stopped", () => {
    const started = smoking();
    const world = observed(
      started,
      { [DEPLOY]: ended("succeeded", 0, 20), [`${NAME}-smoke-0`]: running() },
      { now: at(21 + 121) },
    );
    const decision = decideRelease(world);
    expect(decision.status.phase).toBe("RollingBack");
    expect(
      decision.status.smoke?.every(
        (result) => !result.passed && (result.message ?? "").includes("timeout of 2m"),
      ),
    ).toBe(true);
    expect(decision.actions).toContainEqual({ kind: "delete-job", jobName: `${NAME}-smoke-0` });
  });

  it("smoke required without a single case: Aborted at the gate, before anything is deployed", () => {
    const spec = environmentSpec({ smoke: { required: true } });
    const world = next({ ...atGate({ environment: heldBy(NAME, { spec }) }) });
    expect(world.release.status?.verdict).toBe("Aborted");
    expect(world.release.status?.reason).toMatch(/^Aborted: smoke tests missing for prod-mode target/);
    expect(world.release.status?.jobs).toBeUndefined();
  });

  it.each<{ situation: string; tier: "production" | "staging"; safety?: "smoke-endpoint"; aborted: boolean }>(
    [
      { situation: "a production case not marked safe", tier: "production", aborted: true },
      {
        situation: "a production case on a smoke endpoint",
        tier: "production",
        safety: "smoke-endpoint",
        aborted: false,
      },
      { situation: "a staging case not marked", tier: "staging", aborted: false },
    ],
  )(
    "$situation: aborted at the gate only when it would touch real customer data",
    ({ tier, safety, aborted }) => {
      const spec = environmentSpec({
        tier,
        smoke: {
          http: [
            {
              name: "orders-write",
              method: "POST",
              url: "https://nav.example.com/orders",
              ...(safety === undefined ? {} : { safety }),
            },
          ],
        },
      });
      const world = next({ ...atGate({ environment: heldBy(NAME, { spec }) }) });
      if (!aborted) {
        expect(world.release.status?.verdict).toBeUndefined();
        return;
      }
      expect(world.release.status?.verdict).toBe("Aborted");
      expect(world.release.status?.reason).toBe(
        "Aborted: smoke test would touch real customer data: production Environment nav-staging has smoke cases not marked safety: smoke-endpoint or test-account (orders-write); define a smoke endpoint or a test account; nothing was deployed",
      );
    },
  );
});

describe("the manual strategy", () => {
  const manualSpec = environmentSpec({
    strategies: ["manual"],
    deploy: {
      ...environmentSpec().deploy,
      manualChecklist: ["Copy the build to the vessel", "Restart the chart plotter"],
    },
  });
  const waiting = (): ReleaseWorld =>
    withReading(next(atGate({ environment: heldBy(NAME, { spec: manualSpec }) })), { "error-rate": 0.01 });

  it("shows the checklist and waits for manual-result; no Job", () => {
    const decision = decideRelease(waiting());
    expect(decision.actions).toEqual([]);
    expect(decision.status.manual?.checklist).toEqual([
      "Copy the build to the vessel",
      "Restart the chart plotter",
    ]);
    expect(decision.status.pendingDecision?.kind).toBe("manual-result");
    expect(decision.status.pendingDecision?.commands.join("\n")).toContain(
      "release-operator.io/manual-result=done",
    );
  });

  it.each([
    { answer: "done", phase: "WatchWindow" },
    { answer: "failed", phase: "RollingBack" },
  ])("manual-result=$answer -> $phase", ({ answer, phase }) => {
    const world = next(waiting());
    const decision = decideRelease({
      ...world,
      release: annotated(world.release, { "release-operator.io/manual-result": answer }),
    });
    expect(decision.status.phase).toBe(phase);
    expect(decision.status.manual?.result).toBe(answer);
  });
});
