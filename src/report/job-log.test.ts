import { describe, expect, it } from "vitest";
import { BoundedLog, seenLinesIn, splitTimestamp } from "./job-log.js";

const at = (second: number): string => `2026-11-25T10:00:${String(second % 60).padStart(2, "0")}.123456789Z`;

describe("splitTimestamp", () => {
  it.each([
    {
      raw: "2026-11-25T10:00:00.123456789Z deploying 1.4.2",
      at: "2026-11-25T10:00:00.123456789Z",
      text: "deploying 1.4.2",
    },
    { raw: "2026-11-25T10:00:00Z ", at: "2026-11-25T10:00:00Z", text: "" },
    { raw: "2026-11-25T10:00:00+02:00 east", at: "2026-11-25T10:00:00+02:00", text: "east" },
    { raw: "no timestamp here", at: "", text: "no timestamp here" },
  ])("$raw", ({ raw, ...expected }) => {
    expect(splitTimestamp(raw)).toEqual(expected);
  });
});

describe("BoundedLog", () => {
  it("a small log: every line, timestamped, under a count", () => {
    const log = new BoundedLog();
    log.push({ at: at(1), text: "deploying 1.4.2" });
    log.push({ at: at(2), text: "deployed" });
    expect(log.render()).toBe(`# 2 lines\n${at(1)} deploying 1.4.2\n${at(2)} deployed`);
    expect(log.seen).toBe(2);
    expect(log.lastAt).toBe(at(2));
    expect(seenLinesIn(log.render())).toBe(2);
  });

  it("past the budgets: the head and the tail kept, the cut counted and marked", () => {
    // Each line is 30 + 2 + 6 = 38 bytes: three fit in the head, four in the tail.
    const log = new BoundedLog({ headBytes: 120, tailBytes: 160 });
    for (let line = 1; line <= 20; line += 1)
      log.push({ at: at(line), text: `line${String(line).padStart(2, "0")}` });
    const lines = log.render().split("\n");
    expect(lines[0]).toBe("# 20 lines, 13 lines (494 bytes) cut between line 4 and 16");
    expect(lines.slice(1, 4).map((entry) => entry.slice(-6))).toEqual(["line01", "line02", "line03"]);
    expect(lines[4]).toBe("... 13 lines cut ...");
    expect(lines.slice(5).map((entry) => entry.slice(-6))).toEqual(["line17", "line18", "line19", "line20"]);
    expect(log.lastLines(2).map((line) => line.text)).toEqual(["line19", "line20"]);
    expect(seenLinesIn(log.render())).toBe(20);
  });

  it("an over-long line is cut, and says so", () => {
    const log = new BoundedLog({ maxLineBytes: 10 });
    log.push({ at: "", text: "x".repeat(25) });
    expect(log.render()).toBe("# 1 lines\nxxxxxxxxxx [... 15 bytes of this line cut]");
  });

  it("2 MB of output stays within the budgets", () => {
    const log = new BoundedLog();
    const text = "y".repeat(200);
    for (let line = 0; line < 10_000; line += 1) log.push({ at: at(line), text });
    const size = Buffer.byteLength(log.render());
    expect(size).toBeLessThanOrEqual(32 * 1024 + 64 * 1024 + 200);
    expect(log.seen).toBe(10_000);
  });

  it.each([
    { text: "", seen: 0 },
    { text: "something else", seen: 0 },
    { text: "# 12 lines\n...", seen: 12 },
  ])("seenLinesIn($text) = $seen", ({ text, seen }) => {
    expect(seenLinesIn(text)).toBe(seen);
  });
});
