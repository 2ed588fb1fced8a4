import { describe, expect, it } from "vitest";
import { mirrorPath, queuedKeys, serialized } from "./mirror.js";

describe("mirrorPath", () => {
  it.each([
    {
      situation: "the same URL twice",
      a: "https://git.example.com/nav.git",
      b: "https://git.example.com/nav.git",
      same: true,
    },
    {
      situation: "two repositories",
      a: "https://git.example.com/nav.git",
      b: "https://git.example.com/map.git",
      same: false,
    },
  ])("$situation", ({ a, b, same }) => {
    expect(mirrorPath("/cache", a) === mirrorPath("/cache", b)).toBe(same);
    expect(mirrorPath("/cache", a)).toMatch(/^\/cache\/[0-9a-f]{16}\.git$/);
  });
});

describe("serialized", () => {
  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("runs tasks of one key one after another, in order, even after a failure", async () => {
    const events: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        events.push(`start ${name}`);
        await later(ms);
        events.push(`end ${name}`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      };
    const results = await Promise.allSettled([
      serialized("a", task("first", 20, true)),
      serialized("a", task("second", 1)),
      serialized("a", task("third", 1)),
    ]);
    expect(events).toEqual([
      "start first",
      "end first",
      "start second",
      "end second",
      "start third",
      "end third",
    ]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    await later(0);
    expect(queuedKeys()).toBe(0);
  });

  it("runs tasks of different keys at the same time", async () => {
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`start ${name}`);
      await later(5);
      events.push(`end ${name}`);
    };
    await Promise.all([serialized("x", task("x")), serialized("y", task("y"))]);
    expect(events.slice(0, 2)).toEqual(["start x", "start y"]);
  });
});
