import { describe, expect, it } from "vitest";
import {
  Controller,
  decideAfterReconcile,
  describeError,
  TerminalError,
  type ControllerHooks,
  type ReconcileOutcome,
  type ReconcileResult,
} from "./controller.js";
import { FakeClock } from "../../test/support/fake-clock.js";
import { capturingLogger } from "../../test/support/logs.js";

interface LogLine {
  level: number;
  msg: string;
  key?: string;
  error?: string;
  controller?: string;
  inFlight?: string[];
}

class RecordingHooks implements ControllerHooks {
  readonly results: { controller: string; result: ReconcileOutcome; seconds: number }[] = [];
  readonly depths: number[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  reconciled(controller: string, result: ReconcileOutcome, seconds: number): void {
    this.results.push({ controller, result, seconds });
    this.waiters = this.waiters.filter((waiter) => {
      if (this.results.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  queueDepth(_controller: string, depth: number): void {
    this.depths.push(depth);
  }

  /** Resolves once `count` reconciles have ended in total. */
  reconciles(count: number): Promise<void> {
    if (this.results.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

function newController(
  reconcile: (key: string) => Promise<ReconcileResult>,
  overrides: { concurrency?: number; hooks?: ControllerHooks } = {},
) {
  const clock = new FakeClock();
  const hooks = new RecordingHooks();
  const { log, lines } = capturingLogger<LogLine>();
  const controller = new Controller({
    name: "releases",
    reconcile,
    concurrency: overrides.concurrency ?? 1,
    log,
    hooks: overrides.hooks ?? hooks,
    retry: { baseMs: 100, maxMs: 1_000, jitter: 0 },
    clock,
  });
  return { controller, clock, hooks, lines };
}

const ERROR_LEVEL = 50;

describe("decideAfterReconcile", () => {
  it.each([
    { situation: "a plain success", ended: { result: {} }, expected: { outcome: "success" } },
    {
      situation: "a success asking for another look",
      ended: { result: { requeueAfterMs: 60_000 } },
      expected: { outcome: "requeue", afterMs: 60_000 },
    },
    {
      situation: "a success asking for an immediate look",
      ended: { result: { requeueAfterMs: 0 } },
      expected: { outcome: "requeue", afterMs: 0 },
    },
    { situation: "a thrown Error", ended: { error: new Error("boom") }, expected: { outcome: "error" } },
    { situation: "a thrown string", ended: { error: "boom" }, expected: { outcome: "error" } },
    {
      situation: "a TerminalError",
      ended: { error: new TerminalError("environment missing") },
      expected: { outcome: "terminal" },
    },
  ])("$situation -> $expected.outcome", ({ ended, expected }) => {
    expect(decideAfterReconcile(ended)).toMatchObject(expected);
  });
});

describe("describeError", () => {
  it.each([
    { situation: "a plain error", error: new Error("boom"), expected: "boom" },
    {
      situation: "an error with a cause and a code",
      error: new Error("fetch failed", {
        cause: Object.assign(new Error("connect refused"), { code: "ECONNREFUSED" }),
      }),
      expected: "fetch failed: connect refused (ECONNREFUSED)",
    },
    { situation: "a thrown string", error: "plain text", expected: "plain text" },
    { situation: "a thrown object", error: { token: "s3cret" }, expected: "non-error value thrown" },
    { situation: "an empty message", error: new Error(""), expected: "unknown error" },
  ])("$situation", ({ error, expected }) => {
    expect(describeError(error)).toBe(expected);
  });
});

describe("Controller: what happens to a key after its reconcile", () => {
  it.each([
    {
      situation: "success: failures forgotten, nothing queued",
      reconcile: () => Promise.resolve({}),
      expected: { outcome: "success", failures: 0, delayed: 0, errorLog: undefined },
    },
    {
      situation: "requeueAfterMs: queued again for later",
      reconcile: () => Promise.resolve({ requeueAfterMs: 30_000 }),
      expected: { outcome: "requeue", failures: 0, delayed: 1, errorLog: undefined },
    },
    {
      situation: "an error: retried with backoff, logged with the key and message",
      reconcile: () => Promise.reject(new Error("apiserver said no")),
      expected: {
        outcome: "error",
        failures: 1,
        delayed: 1,
        errorLog: { key: "ns/rel-1", error: "apiserver said no" },
      },
    },
    {
      situation: "a synchronous throw: treated like an error",
      reconcile: () => {
        throw new Error("thrown before any await");
      },
      expected: {
        outcome: "error",
        failures: 1,
        delayed: 1,
        errorLog: { key: "ns/rel-1", error: "thrown before any await" },
      },
    },
    {
      situation: "a terminal error: logged, not retried",
      reconcile: () => Promise.reject(new TerminalError("names two environments")),
      expected: {
        outcome: "terminal",
        failures: 0,
        delayed: 0,
        errorLog: { key: "ns/rel-1", error: "names two environments" },
      },
    },
  ])("$situation", async ({ reconcile, expected }) => {
    const { controller, hooks, lines } = newController(reconcile);
    controller.start();
    controller.enqueue("ns/rel-1");
    await hooks.reconciles(1);

    expect(hooks.results.map((entry) => entry.result)).toEqual([expected.outcome]);
    expect(controller.queue.failures("ns/rel-1")).toBe(expected.failures);
    expect(controller.queue.delayed).toBe(expected.delayed);
    const errorLog = lines.find((line) => line.level === ERROR_LEVEL);
    if (expected.errorLog === undefined) {
      expect(errorLog).toBeUndefined();
    } else {
      expect(errorLog).toMatchObject({ controller: "releases", ...expected.errorLog });
    }
    await controller.stop(1_000);
  });

  it("retries a failing key after growing delays and forgets its failures once it succeeds", async () => {
    const script = [
      () => Promise.reject(new Error("first")),
      () => Promise.reject(new Error("second")),
      () => Promise.resolve({}),
    ];
    const startedAt: number[] = [];
    const { controller, clock, hooks } = newController(() => {
      startedAt.push(clock.now());
      const step = script[startedAt.length - 1];
      if (step === undefined) throw new Error("reconciled more often than scripted");
      return step();
    });
    controller.start();
    controller.enqueue("ns/rel-1");
    await hooks.reconciles(1);
    clock.advance(99);
    expect(startedAt).toHaveLength(1);
    clock.advance(1);
    await hooks.reconciles(2);
    clock.advance(200);
    await hooks.reconciles(3);

    expect(startedAt).toEqual([0, 100, 300]);
    expect(hooks.results.map((entry) => entry.result)).toEqual(["error", "error", "success"]);
    expect(controller.queue.failures("ns/rel-1")).toBe(0);
    await controller.stop(1_000);
  });

  it("reconciles a requeued key again after its delay", async () => {
    const { controller, clock, hooks } = newController(() => Promise.resolve({ requeueAfterMs: 5_000 }));
    controller.start();
    controller.enqueue("ns/rel-1");
    await hooks.reconciles(1);
    clock.advance(5_000);
    await hooks.reconciles(2);
    expect(hooks.results.map((entry) => entry.result)).toEqual(["requeue", "requeue"]);
    await controller.stop(1_000);
  });

  it("reports each reconcile's duration in seconds, measured on its clock, and the queue depth", async () => {
    const { controller, clock, hooks } = newController(() => {
      clock.time += 1_500;
      return Promise.resolve({});
    });
    controller.enqueue("ns/rel-1"); // before start, so the key waits and the depth shows it
    controller.start();
    await hooks.reconciles(1);
    expect(hooks.results).toEqual([{ controller: "releases", result: "success", seconds: 1.5 }]);
    expect(hooks.depths).toContain(1);
    expect(hooks.depths.at(-1)).toBe(0);
    await controller.stop(1_000);
  });

  it("keeps its workers alive when a metrics hook throws", async () => {
    const throwingHooks: ControllerHooks = {
      reconciled: () => {
        throw new Error("registry closed");
      },
      queueDepth: () => {
        throw new Error("registry closed");
      },
    };
    const reconciled: string[] = [];
    const { controller, lines } = newController(
      (key) => {
        reconciled.push(key);
        return Promise.resolve({});
      },
      { hooks: throwingHooks },
    );
    controller.start();
    controller.enqueue("ns/a");
    controller.enqueue("ns/b");
    await waitUntil(() => reconciled.length === 2);
    controller.enqueue("ns/c");
    await waitUntil(() => reconciled.length === 3);
    expect(reconciled).toEqual(["ns/a", "ns/b", "ns/c"]);
    expect(lines.some((line) => line.msg === "Controller metrics hook failed")).toBe(true);
    await controller.stop(1_000);
  });
});

describe("Controller: concurrency", () => {
  it("never reconciles one key in two workers, while different keys run in parallel", async () => {
    const running = new Map<string, number>();
    let mostAtOnceForOneKey = 0;
    let mostAtOnceOverall = 0;
    const releases: (() => void)[] = [];
    const { controller, hooks } = newController(
      async (key) => {
        running.set(key, (running.get(key) ?? 0) + 1);
        mostAtOnceForOneKey = Math.max(mostAtOnceForOneKey, running.get(key) ?? 0);
        mostAtOnceOverall = Math.max(
          mostAtOnceOverall,
          [...running.values()].reduce((sum, count) => sum + count, 0),
        );
        await new Promise<void>((resolve) => releases.push(resolve));
        running.set(key, (running.get(key) ?? 1) - 1);
        return {};
      },
      { concurrency: 4 },
    );
    controller.start();
    for (const key of ["ns/a", "ns/b", "ns/c"]) controller.enqueue(key);
    await waitUntil(() => releases.length === 3);
    // "ns/a" changes while it is reconciled: it must wait for its own reconcile to end.
    controller.enqueue("ns/a");
    controller.enqueue("ns/a");
    await settle();
    expect(releases).toHaveLength(3);
    for (const release of releases.splice(0)) release();
    await waitUntil(() => releases.length === 1);
    releases.splice(0).forEach((release) => {
      release();
    });
    await hooks.reconciles(4);

    expect(mostAtOnceForOneKey).toBe(1);
    expect(mostAtOnceOverall).toBe(3);
    expect(hooks.results).toHaveLength(4);
    await controller.stop(1_000);
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects a concurrency of %s", (concurrency) => {
    const { log } = capturingLogger<LogLine>();
    expect(
      () => new Controller({ name: "x", reconcile: () => Promise.resolve({}), concurrency, log }),
    ).toThrow(/concurrency/);
  });

  it("refuses to start twice", () => {
    const { controller } = newController(() => Promise.resolve({}));
    controller.start();
    expect(() => {
      controller.start();
    }).toThrow(/already started/);
    void controller.stop(0);
  });
});

describe("Controller: stop", () => {
  it("waits for the reconcile in flight and hands out no further keys", async () => {
    let finish: (() => void) | undefined;
    const reconciled: string[] = [];
    const { controller } = newController(async (key) => {
      reconciled.push(key);
      await new Promise<void>((resolve) => (finish = resolve));
      return {};
    });
    controller.start();
    controller.enqueue("ns/a");
    controller.enqueue("ns/b");
    await waitUntil(() => finish !== undefined);
    let stopped = false;
    const stopping = controller.stop(10_000).then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    finish?.();
    await stopping;
    expect(reconciled).toEqual(["ns/a"]);
  });

  it("gives up waiting after its timeout and logs the keys still in flight", async () => {
    const { controller, clock, lines } = newController(() => new Promise<ReconcileResult>(() => undefined));
    controller.start();
    controller.enqueue("ns/stuck");
    await settle();
    const stopping = controller.stop(2_000);
    clock.advance(2_000);
    await stopping;
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "Stopped controller with reconciles still in flight",
        inFlight: ["ns/stuck"],
      }),
    );
  });
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("condition not met after 1000 event-loop turns");
}
