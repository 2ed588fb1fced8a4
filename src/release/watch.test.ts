// The watch window as the pure decision runs it, reconcile after reconcile: readings judged against
// the baseline, the window resumed from status, hard breaches rolling back, soft ones waiting for a
// human, skip-watch, the pre-deploy baseline before the deploy Job and the rollback's mini window.
import { describe, expect, it } from "vitest";
import type { EnvironmentSpec, Release } from "../api/v1alpha1/index.js";
import {
  annotated,
  conditionOf,
  environmentSpec,
  heldBy,
  NOW,
  withStatus,
} from "../../test/support/releases.js";
import { atGate, next, readingFor, withReading } from "../../test/support/worlds.js";
import { decideRelease, type JobObservation, type ReleaseDecision, type ReleaseWorld } from "./decide.js";

const NAME = "nav-1-4-2";
const DEPLOY = `${NAME}-deploy`;
const ROLLBACK = `${NAME}-rollback`;
const ESCALATION = "release-operator.io/escalation";
const MINUTE = 60_000;
const BASELINE = 0.01;

const secondsAfter = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

function spec(watch: Partial<EnvironmentSpec["watch"]> = {}): EnvironmentSpec {
  const base = environmentSpec();
  return environmentSpec({
    watch: {
      ...base.watch,
      duration: "10m",
      interval: "1m",
      noDataGrace: "3m",
      metrics: [
        { name: "error-rate", kind: "error-rate", query: base.watch.metrics[0]?.query ?? "" },
        {
          name: "p99-latency",
          kind: "latency",
          query: 'histogram_quantile(0.99, sum by (le) (rate(latency_bucket{version="{version}"}[5m])))',
          floor: 0.05,
        },
      ],
      ...watch,
    },
  });
}

const ended = (state: "succeeded" | "failed", exitCode: number, finishedSeconds: number): JobObservation => ({
  state,
  exitCode,
  uid: "job-uid",
  nodeName: "onboard",
  podName: `${DEPLOY}-abcde`,
  startedAt: secondsAfter(1).toISOString(),
  finishedAt: secondsAfter(finishedSeconds).toISOString(),
});

/** Through Execute (the pre-deploy baseline read at 1% errors, 200 ms p99) to a deploy that exited 0. */
function deployed(
  environment: EnvironmentSpec = spec(),
  baseline: Record<string, number> = { "error-rate": BASELINE, "p99-latency": 0.2 },
): ReleaseWorld {
  const execute = next(atGate({ environment: heldBy(NAME, { spec: environment }) }));
  const deploying = next(withReading({ ...execute, deployEnvironment: [] }, baseline));
  return {
    ...deploying,
    jobs: new Map([[DEPLOY, ended("succeeded", 0, 20)]]),
    output: { deploy: { seen: 3, ended: true } },
    now: secondsAfter(20),
  };
}

/** The reconcile after `decision` on `world`, at `now`. */
function after(
  world: ReleaseWorld,
  decision: ReleaseDecision,
  now: Date,
  changes: Partial<ReleaseWorld> = {},
): ReleaseWorld {
  const following: ReleaseWorld = { ...world, release: withStatus(world.release, decision.status), now };
  delete following.watchReading;
  return { ...following, ...changes };
}

/** The release in WatchWindow, its window started when the deploy's success was seen (T0). */
function watching(
  environment?: EnvironmentSpec,
  baseline?: Record<string, number>,
): { world: ReleaseWorld; decision: ReleaseDecision; t0: Date } {
  const world = deployed(environment, baseline);
  const decision = decideRelease(world);
  return { world, decision, t0: world.now };
}

const atMinute = (t0: Date, minutes: number): Date => new Date(t0.getTime() + minutes * MINUTE);

/** One reconcile at `minutes` into the window with the reading due there. */
function readAt(
  world: ReleaseWorld,
  decision: ReleaseDecision,
  t0: Date,
  minutes: number,
  values: Parameters<typeof readingFor>[1],
  extra: Parameters<typeof readingFor>[2] = {},
  release?: (release: Release) => Release,
): { world: ReleaseWorld; decision: ReleaseDecision } {
  let following = after(world, decision, atMinute(t0, minutes));
  if (release !== undefined) following = { ...following, release: release(following.release) };
  const read = withReading(following, values, extra);
  return { world: read, decision: decideRelease(read) };
}

const healthy = { "error-rate": 0.011, "p99-latency": 0.21 };

describe("the watch window: its clock", () => {
  it("starts when the smoke tests pass, ends duration later, and asks for the first reading one interval in", () => {
    const { decision, t0 } = watching();
    expect(decision.status.phase).toBe("WatchWindow");
    expect(decision.status.watch).toMatchObject({
      window: "release",
      version: "1.4.2",
      startedAt: t0.toISOString(),
      endsAt: atMinute(t0, 10).toISOString(),
      intervalsEvaluated: 0,
    });
    expect(decision.requeueAfterMs).toBe(MINUTE);
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("Watching");
  });

  it("records each interval's figures: value, baseline, ratio and verdict per metric", () => {
    const { world, decision, t0 } = watching();
    const first = readAt(world, decision, t0, 1, healthy);
    const snapshot = first.decision.status.watch?.snapshots?.at(-1);
    expect(snapshot).toEqual({
      at: atMinute(t0, 1).toISOString(),
      elapsed: "T+1m",
      metrics: [
        { metric: "error-rate", value: 0.011, baseline: BASELINE, ratio: 1.1, verdict: "ok" },
        { metric: "p99-latency", value: 0.21, baseline: 0.2, ratio: 1.05, verdict: "ok" },
      ],
    });
    expect(first.decision.status.watch?.intervalsEvaluated).toBe(1);
    expect(first.decision.requeueAfterMs).toBe(MINUTE);
    expect(conditionOf(first.decision.status, "Reconciling")?.message).toContain("error-rate 1.1x");
  });

  it("announces the watch once, not at every interval's new figures", () => {
    const { world, decision, t0 } = watching();
    expect(decision.events.filter((event) => event.reason === "Watching")).toHaveLength(1);
    const first = readAt(world, decision, t0, 1, healthy);
    const second = readAt(first.world, first.decision, t0, 2, healthy);
    expect([...first.decision.events, ...second.decision.events]).toEqual([]);
    expect(conditionOf(second.decision.status, "Reconciling")?.message).toContain("2 intervals");
  });

  it("a reconcile between readings reads nothing and waits for the next interval", () => {
    const { world, decision, t0 } = watching();
    const first = readAt(world, decision, t0, 1, healthy);
    const between = after(first.world, first.decision, atMinute(t0, 1.5));
    expect(readingFor(between)).toBeUndefined();
    const waiting = decideRelease(between);
    expect(waiting.status.watch?.intervalsEvaluated).toBe(1);
    expect(waiting.requeueAfterMs).toBe(MINUTE / 2);
  });

  it("after a restart the window resumes from status: it ends at the original time, not duration after the restart", () => {
    const { world, decision, t0 } = watching();
    const first = readAt(world, decision, t0, 1, healthy);
    // The operator was down from T+1m to T+7m: one reading at T+7m, then on to the original end.
    const resumed = readAt(first.world, first.decision, t0, 7, healthy);
    expect(resumed.decision.status.watch?.startedAt).toBe(t0.toISOString());
    expect(resumed.decision.status.watch?.endsAt).toBe(atMinute(t0, 10).toISOString());
    expect(resumed.decision.status.watch?.intervalsEvaluated).toBe(2);
    const between = decideRelease(after(resumed.world, resumed.decision, atMinute(t0, 7.5)));
    expect(between.requeueAfterMs).toBe(MINUTE / 2);
    let step = resumed;
    for (const minute of [8, 9]) {
      step = readAt(step.world, step.decision, t0, minute, healthy);
      expect(step.decision.status.phase).toBe("WatchWindow");
    }
    const end = readAt(step.world, step.decision, t0, 10, healthy);
    expect(end.decision.status.verdict).toBe("Released");
    expect(end.decision.status.reason).toBe("Released: 1.4.2 watched for 10m, 5 intervals, no hard breach");
  });

  it("a metric that never had a baseline is named in the verdict: read, but never compared", () => {
    const { world, decision, t0 } = watching(spec({ duration: "1m" }), { "error-rate": BASELINE });
    const end = readAt(world, decision, t0, 1, healthy);
    expect(end.decision.status.verdict).toBe("Released");
    expect(end.decision.status.reason).toBe(
      "Released: 1.4.2 watched for 1m, 1 interval, no hard breach; not compared for lack of a baseline (pre-deploy): p99-latency",
    );
  });

  it("the whole window without a breach: Released, and Ready", () => {
    const { world, decision, t0 } = watching(spec({ duration: "3m" }));
    let step = { world, decision };
    for (const minute of [1, 2, 3]) step = readAt(step.world, step.decision, t0, minute, healthy);
    expect(step.decision.status.verdict).toBe("Released");
    expect(step.decision.status.watch?.intervalsEvaluated).toBe(3);
    expect(conditionOf(step.decision.status, "Ready")).toMatchObject({ status: "True", reason: "Released" });
    expect(step.decision.events.map((event) => event.reason)).toContain("Released");
  });
});

describe("the watch window: hard breaches roll back", () => {
  it.each([
    {
      name: "error rate 2.5x its pre-deploy baseline",
      values: { "error-rate": 0.025, "p99-latency": 0.2 },
      cause: "error-rate breached 2.5x baseline at T+2m",
    },
    {
      name: "p99 latency 3x its baseline",
      values: { "error-rate": 0.01, "p99-latency": 0.6 },
      cause: "p99-latency breached 3.0x baseline at T+2m",
    },
  ])("$name -> RollingBack with the reference's reason", ({ values, cause }) => {
    const { world, decision, t0 } = watching();
    const first = readAt(world, decision, t0, 1, healthy);
    const breached = readAt(first.world, first.decision, t0, 2, values);
    expect(breached.decision.status.phase).toBe("RollingBack");
    expect(breached.decision.status.rollback?.cause).toBe(cause);
    expect(breached.decision.status.breaches).toEqual([
      expect.objectContaining({ severity: "hard", elapsed: "T+2m" }),
    ]);
    expect(breached.decision.breaches).toEqual(["hard"]);
    expect(breached.decision.events).toContainEqual(
      expect.objectContaining({ type: "Warning", reason: "HardBreach" }),
    );
    // The rollback starts in the same reconcile: the deploy Job is gone, so the rollback Job is created.
    expect(breached.decision.actions.map((action) => action.kind)).toEqual(["create-job"]);
  });

  it("p99 latency 10x a tiny baseline but under its floor (50 ms) counts for nothing; over the floor it rolls back", () => {
    const { world, decision, t0 } = watching(spec(), { "error-rate": BASELINE, "p99-latency": 0.004 });
    const under = readAt(world, decision, t0, 1, { "error-rate": 0.01, "p99-latency": 0.04 });
    expect(under.decision.status.phase).toBe("WatchWindow");
    expect(under.decision.status.watch?.snapshots?.at(-1)?.metrics[1]).toEqual({
      metric: "p99-latency",
      value: 0.04,
      baseline: 0.004,
      verdict: "ok",
      message: "under the floor of 0.05",
    });
    const over = readAt(under.world, under.decision, t0, 2, { "error-rate": 0.01, "p99-latency": 0.06 });
    expect(over.decision.status.rollback?.cause).toBe("p99-latency breached 15.0x baseline at T+2m");
  });

  it("a metric without data for noDataGrace: observability is itself broken", () => {
    const { world, decision, t0 } = watching();
    let step = { world, decision };
    for (const minute of [1, 2]) {
      step = readAt(step.world, step.decision, t0, minute, { "p99-latency": 0.2 });
      expect(step.decision.status.phase).toBe("WatchWindow");
      expect(step.decision.status.watch?.missingData).toEqual([
        {
          metric: "error-rate",
          since: t0.toISOString(),
          message: "no data: the query returned an empty result",
        },
      ]);
    }
    step = readAt(step.world, step.decision, t0, 3, { "p99-latency": 0.2 });
    expect(step.decision.status.phase).toBe("RollingBack");
    expect(step.decision.status.rollback?.cause).toBe(
      "no data for error-rate for 3m at T+3m: observability is itself broken (no data: the query returned an empty result)",
    );
  });

  it("data that comes back ends the count: missing again starts a new grace", () => {
    const { world, decision, t0 } = watching();
    let step = readAt(world, decision, t0, 1, { "p99-latency": 0.2 });
    step = readAt(step.world, step.decision, t0, 2, healthy);
    expect(step.decision.status.watch?.missingData).toBeUndefined();
    step = readAt(step.world, step.decision, t0, 3, { "p99-latency": 0.2 });
    step = readAt(step.world, step.decision, t0, 4, { "p99-latency": 0.2 });
    expect(step.decision.status.phase).toBe("WatchWindow");
    expect(step.decision.status.watch?.missingData?.[0]?.since).toBe(atMinute(t0, 2).toISOString());
  });

  it("Prometheus unreachable for noDataGrace rolls back too, saying so", () => {
    const { world, decision, t0 } = watching();
    const unreachable = {
      unreachable: "Prometheus at http://prometheus.monitoring:9090 unreachable: ECONNREFUSED",
    };
    let step = { world, decision };
    for (const minute of [1, 2, 3]) step = readAt(step.world, step.decision, t0, minute, {}, unreachable);
    expect(step.decision.status.phase).toBe("RollingBack");
    expect(step.decision.status.rollback?.cause).toMatch(
      /^Prometheus unreachable for 3m at T\+3m: observability is itself broken \(Prometheus at .* ECONNREFUSED\)$/,
    );
  });

  it("a window shorter than noDataGrace still catches a version without data: by its end", () => {
    const { world, decision, t0 } = watching(spec({ duration: "2m" }));
    let step = readAt(world, decision, t0, 1, {});
    expect(step.decision.status.phase).toBe("WatchWindow");
    step = readAt(step.world, step.decision, t0, 2, {});
    expect(step.decision.status.phase).toBe("RollingBack");
    expect(step.decision.status.rollback?.cause).toContain("no data for error-rate for 2m at T+2m");
  });

  it("the health check failing once is a soft breach; twice in a row, hard", () => {
    const environment = spec({ healthCheck: { url: "https://nav.example.com/healthz" } });
    const { world, decision, t0 } = watching(environment);
    const failed = { health: { ok: false, message: "expected status 200, got 503" } };
    const blip = readAt(world, decision, t0, 1, healthy, failed);
    expect(blip.decision.status.phase).toBe("WatchWindow");
    expect(blip.decision.status.pendingDecision?.kind).toBe("escalation");
    expect(blip.decision.status.breaches?.[0]).toMatchObject({ metric: "health-check", severity: "soft" });
    const again = readAt(blip.world, blip.decision, t0, 2, healthy, failed);
    expect(again.decision.status.phase).toBe("RollingBack");
    expect(again.decision.status.rollback?.cause).toBe(
      "health-check failed 2 consecutive intervals at T+2m (expected status 200, got 503)",
    );
  });
});

describe("the watch window: soft breaches ask a human", () => {
  /** A reading at 1.7x the baseline error rate: soft (1.5x), not hard (2x). */
  function softAt(minute = 1) {
    const { world, decision, t0 } = watching();
    const soft = readAt(world, decision, t0, minute, { "error-rate": 0.017, "p99-latency": 0.2 });
    return { ...soft, t0 };
  }

  it("waits with the exact commands; hard breaches are still watched for", () => {
    const { decision } = softAt();
    expect(decision.status.phase).toBe("WatchWindow");
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("AwaitingEscalation");
    expect(decision.status.pendingDecision).toMatchObject({
      kind: "escalation",
      commands: [
        `kubectl annotate release ${NAME} -n nav ${ESCALATION}=continue`,
        `kubectl annotate release ${NAME} -n nav ${ESCALATION}=rollback`,
        `kubectl annotate release ${NAME} -n nav ${ESCALATION}=extend=10m`,
        `kubectl annotate release ${NAME} -n nav 'release-operator.io/abort=<reason>'`,
      ],
    });
    expect(decision.status.pendingDecision?.question).toContain("error-rate at 1.7x baseline at T+1m");
    expect(decision.events).toContainEqual(
      expect.objectContaining({ type: "Warning", reason: "SoftBreach" }),
    );
    expect(decision.breaches).toEqual(["soft"]);
    expect(decision.requeueAfterMs).toBe(MINUTE);
  });

  it("the window does not end while the question waits; a hard breach meanwhile rolls back", () => {
    const { world, decision, t0 } = softAt();
    const atEnd = readAt(world, decision, t0, 10, healthy);
    expect(atEnd.decision.status.phase).toBe("WatchWindow");
    expect(atEnd.decision.status.pendingDecision?.kind).toBe("escalation");
    const later = readAt(atEnd.world, atEnd.decision, t0, 11, { "error-rate": 0.03, "p99-latency": 0.2 });
    expect(later.decision.status.rollback?.cause).toBe("error-rate breached 3.0x baseline at T+11m");
  });

  it("continue: the drift is accepted and the window runs to its end -> Released, naming what was accepted", () => {
    const { world, decision, t0 } = softAt();
    const answer = (release: Release) => annotated(release, { [ESCALATION]: "continue" });
    const continued = readAt(world, decision, t0, 2, { "error-rate": 0.017, "p99-latency": 0.2 }, {}, answer);
    expect(continued.decision.status.pendingDecision).toBeUndefined();
    expect(conditionOf(continued.decision.status, "Reconciling")?.reason).toBe("Watching");
    const end = readAt(continued.world, continued.decision, t0, 10, healthy);
    expect(end.decision.status.verdict).toBe("Released");
    expect(end.decision.status.reason).toContain("soft breaches accepted by decision: error-rate at T+1m");
  });

  it("rollback: rolls back now, the question in the reason", () => {
    const { world, decision, t0 } = softAt();
    const answered = after(world, decision, atMinute(t0, 1.5));
    const rolled = decideRelease({
      ...answered,
      release: annotated(answered.release, { [ESCALATION]: "rollback" }),
    });
    expect(rolled.status.phase).toBe("RollingBack");
    expect(rolled.status.rollback?.cause).toMatch(
      /^rolled back by decision \(release-operator\.io\/escalation=rollback\): Soft breach: error-rate at 1\.7x/,
    );
  });

  it("extend=<d>: the window is lengthened once per decision", () => {
    const { world, decision, t0 } = softAt();
    const extendBy = (value: string) => (release: Release) => annotated(release, { [ESCALATION]: value });
    const extended = readAt(world, decision, t0, 2, healthy, {}, extendBy("extend=15m"));
    expect(extended.decision.status.watch).toMatchObject({
      endsAt: atMinute(t0, 25).toISOString(),
      extendedBy: "15m",
      extensions: 1,
    });
    expect(extended.decision.events).toContainEqual(expect.objectContaining({ reason: "WatchExtended" }));
    // The same annotation seen again is the same decision.
    const again = readAt(extended.world, extended.decision, t0, 3, healthy);
    expect(again.decision.status.watch?.endsAt).toBe(atMinute(t0, 25).toISOString());
    // A new value is a new decision.
    const more = readAt(again.world, again.decision, t0, 4, healthy, {}, extendBy("extend=5m"));
    expect(more.decision.status.watch).toMatchObject({
      endsAt: atMinute(t0, 30).toISOString(),
      extendedBy: "20m",
      extensions: 2,
    });
    const end = readAt(more.world, more.decision, t0, 30, healthy);
    expect(end.decision.status.reason).toMatch(/^Released: 1\.4\.2 watched for 30m \(extended by 20m\)/);
  });

  it("an invalid answer is refused with an Event and changes nothing", () => {
    const { world, decision, t0 } = softAt();
    const waiting = after(world, decision, atMinute(t0, 1.5));
    const refused = decideRelease({
      ...waiting,
      release: annotated(waiting.release, { [ESCALATION]: "maybe" }),
    });
    expect(refused.status.phase).toBe("WatchWindow");
    expect(refused.status.pendingDecision?.kind).toBe("escalation");
    expect(refused.events).toContainEqual(
      expect.objectContaining({
        type: "Warning",
        reason: "InvalidDecision",
        message: expect.stringContaining("extend=<duration>") as unknown,
      }),
    );
    expect(conditionOf(refused.status, "DecisionsValid")?.status).toBe("False");
  });

  it("the same soft drift on the next interval is not a new breach", () => {
    const { world, decision, t0 } = softAt();
    const still = readAt(world, decision, t0, 2, { "error-rate": 0.017, "p99-latency": 0.2 });
    expect(still.decision.status.breaches).toHaveLength(1);
    expect(still.decision.breaches).toEqual([]);
  });
});

describe("the watch window: skip-watch", () => {
  it("Released-with-override, with an incident flag", () => {
    const { world, decision, t0 } = watching();
    const skipping = after(world, decision, atMinute(t0, 0.5));
    const skipped = decideRelease({
      ...skipping,
      release: annotated(skipping.release, { "release-operator.io/skip-watch": "emergency fix for INC-42" }),
    });
    expect(skipped.status.verdict).toBe("Released-with-override");
    expect(skipped.status.incident).toEqual({
      reason: "the watch window was skipped (release-operator.io/skip-watch): emergency fix for INC-42",
      at: atMinute(t0, 0.5).toISOString(),
    });
    expect(skipped.events).toContainEqual(expect.objectContaining({ reason: "IncidentRetrospectiveDue" }));
    expect(conditionOf(skipped.status, "Ready")?.status).toBe("True");
  });
});

describe("the concurrent baseline", () => {
  it("compares with the version before, read at the same interval, and keeps its last values in status", () => {
    const environment = spec({ baseline: { mode: "concurrent" } });
    const execute = next(atGate({ environment: heldBy(NAME, { spec: environment }) }));
    // No pre-deploy reading: the deploy Job starts at once.
    const started = decideRelease({ ...execute, deployEnvironment: [] });
    expect(started.actions.map((action) => action.kind)).toEqual(["create-job"]);
    expect(started.status.baseline).toBeUndefined();
    const { world, decision, t0 } = watching(environment);
    const read = readAt(world, decision, t0, 1, {
      "error-rate": { value: 0.03, baseline: 0.012 },
      "p99-latency": { value: 0.2, baseline: 0.2 },
    });
    expect(read.decision.status.rollback?.cause).toBe("error-rate breached 2.5x baseline at T+1m");
    expect(read.decision.status.baseline).toMatchObject({
      mode: "concurrent",
      version: "1.4.1",
      values: [
        { metric: "error-rate", value: 0.012 },
        { metric: "p99-latency", value: 0.2 },
      ],
    });
  });
});

describe("the pre-deploy baseline", () => {
  const inExecute = (): ReleaseWorld => ({
    ...next(atGate({ environment: heldBy(NAME, { spec: spec() }) })),
    deployEnvironment: [],
  });

  it("is read before the deploy Job, which starts in the same reconcile", () => {
    const world = withReading(inExecute(), { "error-rate": 0.01, "p99-latency": 0.2 });
    const decision = decideRelease(world);
    expect(decision.status.baseline).toEqual({
      mode: "pre-deploy",
      window: "10m",
      capturedAt: world.now.toISOString(),
      version: "1.4.1",
      values: [
        { metric: "error-rate", value: 0.01 },
        { metric: "p99-latency", value: 0.2 },
      ],
    });
    expect(decision.actions.map((action) => action.kind)).toEqual(["create-job"]);
  });

  it("while it is being read, no Job", () => {
    const decision = decideRelease(inExecute());
    expect(decision.actions).toEqual([]);
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("ReadingBaseline");
  });

  it("a metric without data has no baseline: recorded as such, the deploy goes on", () => {
    const decision = decideRelease(withReading(inExecute(), { "p99-latency": 0.2 }));
    expect(decision.status.baseline?.values?.[0]).toEqual({
      metric: "error-rate",
      message: "no data: the query returned an empty result",
    });
    expect(decision.actions.map((action) => action.kind)).toEqual(["create-job"]);
  });

  it("Prometheus unreachable holds the deploy, retried every interval, then Aborted past the grace: nothing deployed", () => {
    const unreachable = {
      unreachable: "Prometheus at http://prometheus.monitoring:9090 unreachable: ECONNREFUSED",
    };
    const first = withReading(inExecute(), {}, unreachable);
    const held = decideRelease(first);
    expect(held.actions).toEqual([]);
    expect(conditionOf(held.status, "Reconciling")?.reason).toBe("BaselineUnavailable");
    expect(held.requeueAfterMs).toBe(MINUTE);
    let world = after(first, held, new Date(first.now.getTime() + MINUTE));
    let decision = held;
    for (let minute = 1; minute <= 3; minute++) {
      world = withReading(
        after(world, decision, new Date(first.now.getTime() + minute * MINUTE)),
        {},
        unreachable,
      );
      decision = decideRelease(world);
    }
    expect(decision.actions).toEqual([]);
    expect(decision.status.verdict).toBe("Aborted");
    expect(decision.status.reason).toMatch(
      /^Aborted at Execute: observability is itself broken: the pre-deploy baseline could not be read for 3m \(.*ECONNREFUSED\); nothing was deployed$/,
    );
  });
});

describe("the mini watch window after a rollback", () => {
  /** A hard breach at T+1m, the rollback Job done, its smoke re-run (none defined) passed: the mini window starts. */
  function miniWindow() {
    const { world, decision, t0 } = watching();
    const breached = readAt(world, decision, t0, 1, { "error-rate": 0.05, "p99-latency": 0.2 });
    const rolledAt = atMinute(t0, 1.5);
    const rolled = after(world, breached.decision, rolledAt, {
      jobs: new Map([
        [DEPLOY, ended("succeeded", 0, 20)],
        [ROLLBACK, { ...ended("succeeded", 0, 80), podName: `${ROLLBACK}-abcde` }],
      ]),
      output: { rollback: { seen: 2, ended: true } },
    });
    const started = decideRelease(rolled);
    return { world: rolled, decision: started, t0: rolledAt };
  }

  it("starts after the smoke re-run: five minutes at most, on the rollback target", () => {
    const { decision, t0 } = miniWindow();
    expect(decision.status.rollbackWatch).toMatchObject({
      window: "rollback",
      version: "1.4.1",
      startedAt: t0.toISOString(),
      endsAt: atMinute(t0, 5).toISOString(),
    });
    expect(conditionOf(decision.status, "Reconciling")?.reason).toBe("RollbackWatch");
  });

  it("soft drift is not asked about; no hard breach to its end -> Rolled-Back", () => {
    const { world, decision, t0 } = miniWindow();
    let step = { world, decision };
    for (const minute of [1, 2, 3, 4, 5]) {
      step = readAt(step.world, step.decision, t0, minute, { "error-rate": 0.017, "p99-latency": 0.2 });
      expect(step.decision.status.pendingDecision).toBeUndefined();
    }
    expect(step.decision.status.verdict).toBe("Rolled-Back");
    expect(step.decision.status.reason).toMatch(
      /^error-rate breached 5\.0x baseline at T\+1m -> rolled back to 1\.4\.1 .* -> mini watch window of 5m on 1\.4\.1 passed \(5 intervals, no hard breach\)$/,
    );
  });

  it("a hard breach in it -> Rollback-Failed: a human takes over", () => {
    const { world, decision, t0 } = miniWindow();
    const failed = readAt(world, decision, t0, 1, { "error-rate": 0.04, "p99-latency": 0.2 });
    expect(failed.decision.status.verdict).toBe("Rollback-Failed");
    expect(failed.decision.status.reason).toContain(
      "in the mini watch window after the rollback, error-rate breached 4.0x baseline at T+1m",
    );
    expect(failed.decision.events).toContainEqual(
      expect.objectContaining({ reason: "HumanTakeoverRequired" }),
    );
  });
});
