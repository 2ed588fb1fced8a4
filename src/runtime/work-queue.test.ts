import { describe, expect, it } from "vitest";
import { WorkQueue } from "./work-queue.js";
import { FakeClock } from "../../test/support/fake-clock.js";

const noJitter = { baseMs: 100, maxMs: 1_000, jitter: 0 };

function newQueue(clock = new FakeClock(1_000_000)): { queue: WorkQueue; clock: FakeClock } {
  return { queue: new WorkQueue({ name: "test", retry: noJitter, clock }), clock };
}

/** Takes every ready key without waiting, marking each done. */
async function drain(queue: WorkQueue): Promise<string[]> {
  const taken: string[] = [];
  while (queue.depth > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    taken.push(key);
    queue.done(key);
  }
  return taken;
}

/** How long after now `key` becomes ready, advancing the clock in 1 ms steps (up to `limit`). */
function msUntilReady(queue: WorkQueue, clock: FakeClock, limit = 10_000): number | undefined {
  for (let waited = 0; waited <= limit; waited += 1) {
    if (queue.depth > 0) return waited;
    clock.advance(1);
  }
  return undefined;
}

describe("WorkQueue: dedupe and order", () => {
  it.each([
    { situation: "a key added twice waits once", adds: ["a", "a"], expected: ["a"] },
    {
      situation: "keys come out in the order they became ready",
      adds: ["b", "a", "c"],
      expected: ["b", "a", "c"],
    },
    {
      situation: "re-adding a ready key keeps its place",
      adds: ["a", "b", "a", "c"],
      expected: ["a", "b", "c"],
    },
    { situation: "nothing added, nothing handed out", adds: [], expected: [] },
  ])("$situation", async ({ adds, expected }) => {
    const { queue } = newQueue();
    for (const key of adds) queue.add(key);
    expect(queue.depth).toBe(expected.length);
    expect(await drain(queue)).toEqual(expected);
  });

  it("hands a key to a worker that was already waiting", async () => {
    const { queue } = newQueue();
    const waiting = queue.get();
    queue.add("a");
    expect(await waiting).toBe("a");
    expect(queue.depth).toBe(0);
    expect(queue.inFlight).toBe(1);
  });
});

describe("WorkQueue: a key is never processed twice at once", () => {
  it("holds a key added while it is processed until done(), then hands it out once", async () => {
    const { queue } = newQueue();
    queue.add("a");
    const first = await queue.get();
    queue.add("a");
    queue.add("a");
    expect(queue.depth).toBe(0);
    let second: string | undefined;
    const secondWorker = queue.get().then((key) => (second = key));
    await Promise.resolve();
    expect(second).toBeUndefined();
    queue.done(first ?? "");
    await secondWorker;
    expect(second).toBe("a");
    queue.done("a");
    expect(queue.depth).toBe(0);
  });

  it("does not requeue a key that was not added while processed", async () => {
    const { queue } = newQueue();
    queue.add("a");
    queue.done((await queue.get()) ?? "");
    expect(queue.depth).toBe(0);
  });

  it.each([
    { workers: 2, keys: 3, adds: 200 },
    { workers: 4, keys: 2, adds: 300 },
    { workers: 8, keys: 10, adds: 500 },
  ])(
    "with $workers workers and $keys keys under $adds random adds: one worker per key, no add lost",
    async ({ workers, keys, adds }) => {
      const { queue } = newQueue();
      const random = seededRandom(workers * 1_000 + keys);
      const keyNames = Array.from({ length: keys }, (_, index) => `ns/key-${index}`);
      const running = new Set<string>();
      const overlaps: string[] = [];
      // An add is satisfied once a processing of its key *starts* after it.
      const unsatisfiedAdds = new Map<string, number>();
      let remaining = adds;

      const addRandomKey = (): void => {
        if (remaining === 0) return;
        remaining -= 1;
        const key = keyNames[Math.floor(random() * keyNames.length)] ?? "ns/key-0";
        unsatisfiedAdds.set(key, (unsatisfiedAdds.get(key) ?? 0) + 1);
        queue.add(key);
      };

      const worker = async (): Promise<void> => {
        for (;;) {
          const key = await queue.get();
          if (key === undefined) return;
          if (running.has(key)) overlaps.push(key);
          running.add(key);
          unsatisfiedAdds.delete(key);
          // Yield a few times, adding keys meanwhile, as reconciles would; at least one add keeps
          // the run going until every add is spent.
          const yields = 1 + Math.floor(random() * 3);
          for (let i = 0; i < yields; i += 1) {
            addRandomKey();
            await Promise.resolve();
          }
          running.delete(key);
          queue.done(key);
          if (remaining === 0 && queue.depth === 0 && queue.inFlight === 0) queue.shutDown();
        }
      };

      for (let i = 0; i < 5; i += 1) addRandomKey();
      await Promise.all(Array.from({ length: workers }, worker));

      expect(overlaps).toEqual([]);
      expect([...unsatisfiedAdds.keys()]).toEqual([]);
      expect(remaining).toBe(0);
    },
  );
});

describe("WorkQueue: delayed adds", () => {
  it.each([
    { situation: "a later delay does not postpone an earlier one", delays: [500, 1_000], readyAfter: 500 },
    { situation: "an earlier delay replaces a later one", delays: [1_000, 300], readyAfter: 300 },
    { situation: "the same delay twice waits once", delays: [400, 400], readyAfter: 400 },
    { situation: "a zero delay adds at once", delays: [0], readyAfter: 0 },
    { situation: "a negative delay adds at once", delays: [-5], readyAfter: 0 },
  ])("$situation", ({ delays, readyAfter }) => {
    const { queue, clock } = newQueue();
    for (const delay of delays) queue.addAfter("a", delay);
    expect(msUntilReady(queue, clock)).toBe(readyAfter);
    expect(queue.delayed).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("makes a key ready once even when both of its delays pass", async () => {
    const { queue, clock } = newQueue();
    queue.addAfter("a", 1_000);
    queue.addAfter("a", 200);
    expect(queue.delayed).toBe(1);
    clock.advance(5_000);
    expect(await drain(queue)).toEqual(["a"]);
  });

  it("counts keys waiting for their time apart from ready keys", () => {
    const { queue, clock } = newQueue();
    queue.addAfter("a", 100);
    queue.addAfter("b", 200);
    queue.add("c");
    expect({ depth: queue.depth, delayed: queue.delayed }).toEqual({ depth: 1, delayed: 2 });
    clock.advance(150);
    expect({ depth: queue.depth, delayed: queue.delayed }).toEqual({ depth: 2, delayed: 1 });
  });
});

describe("WorkQueue: rate-limited retries", () => {
  it("doubles a key's delay with each failure up to the cap, and starts over after forget", async () => {
    const { queue, clock } = newQueue();
    const observed: (number | undefined)[] = [];
    for (let failure = 0; failure < 6; failure += 1) {
      queue.addRateLimited("a");
      observed.push(msUntilReady(queue, clock));
      queue.done((await queue.get()) ?? "");
    }
    expect(observed).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(queue.failures("a")).toBe(6);

    queue.forget("a");
    expect(queue.failures("a")).toBe(0);
    queue.addRateLimited("a");
    expect(msUntilReady(queue, clock)).toBe(100);
  });

  it.each([
    { situation: "failures of one key do not slow another", failuresOfA: 3, key: "b", expected: 100 },
    { situation: "the failing key itself is slowed", failuresOfA: 3, key: "a", expected: 800 },
  ])("$situation", async ({ failuresOfA, key, expected }) => {
    const { queue, clock } = newQueue();
    for (let failure = 0; failure < failuresOfA; failure += 1) {
      queue.addRateLimited("a");
      clock.advance(10_000);
      queue.done((await queue.get()) ?? "");
    }
    queue.addRateLimited(key);
    expect(msUntilReady(queue, clock)).toBe(expected);
  });

  it("rejects an invalid retry policy when built, naming the field", () => {
    expect(() => new WorkQueue({ name: "bad", retry: { baseMs: 10, maxMs: 1, jitter: 0 } })).toThrow(/maxMs/);
  });
});

describe("WorkQueue: shutDown", () => {
  it("releases waiting workers with undefined", async () => {
    const { queue } = newQueue();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
  });

  it("hands out nothing more, drops ready and delayed keys, and cancels their timers", async () => {
    const { queue, clock } = newQueue();
    queue.add("ready");
    queue.addAfter("later", 1_000);
    queue.addRateLimited("failing");
    queue.shutDown();
    expect(await queue.get()).toBeUndefined();
    expect({ depth: queue.depth, delayed: queue.delayed, timers: clock.pendingTimers }).toEqual({
      depth: 0,
      delayed: 0,
      timers: 0,
    });
    queue.add("after");
    queue.addAfter("after", 10);
    clock.advance(100);
    expect(queue.depth).toBe(0);
    expect(queue.delayed).toBe(0);
  });

  it("lets a key in flight finish without handing it out again", async () => {
    const { queue } = newQueue();
    queue.add("a");
    const key = (await queue.get()) ?? "";
    queue.add("a");
    queue.shutDown();
    queue.done(key);
    expect(queue.inFlight).toBe(0);
    expect(queue.depth).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });
});

/** A small deterministic generator (mulberry32), so a failing interleaving can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
