import { describe, expect, it } from "vitest";
import { requestsDue } from "./load.js";

describe("requestsDue: the load generator's pacing", () => {
  it.each([
    {
      name: "nothing due before the first gap",
      elapsedMs: 40,
      rate: 20,
      sent: 0,
      maxBurst: 10,
      expected: { send: 0, sent: 0 },
    },
    {
      name: "one request every 50 ms at 20/s",
      elapsedMs: 50,
      rate: 20,
      sent: 0,
      maxBurst: 10,
      expected: { send: 1, sent: 1 },
    },
    {
      name: "catches up a short delay",
      elapsedMs: 1000,
      rate: 20,
      sent: 17,
      maxBurst: 10,
      expected: { send: 3, sent: 20 },
    },
    {
      name: "drops the backlog of a long stall beyond the burst",
      elapsedMs: 60_000,
      rate: 20,
      sent: 20,
      maxBurst: 10,
      expected: { send: 10, sent: 1200 },
    },
    {
      name: "never sends ahead of time",
      elapsedMs: 1000,
      rate: 20,
      sent: 25,
      maxBurst: 10,
      expected: { send: 0, sent: 25 },
    },
  ])("$name", ({ elapsedMs, rate, sent, maxBurst, expected }) => {
    expect(requestsDue(elapsedMs, rate, sent, maxBurst)).toEqual(expected);
  });

  it("keeps the average rate over a minute of uneven ticks", () => {
    let sent = 0;
    let total = 0;
    for (let elapsed = 0; elapsed <= 60_000; elapsed += 7 + (elapsed % 13)) {
      const next = requestsDue(elapsed, 20, sent, 10);
      sent = next.sent;
      total += next.send;
    }
    expect(total).toBeGreaterThanOrEqual(1199);
    expect(total).toBeLessThanOrEqual(1200);
  });
});
