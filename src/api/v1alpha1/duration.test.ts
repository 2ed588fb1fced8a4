import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";
import { FORMATS } from "./formats.js";

const durationPattern = new RegExp(FORMATS.Duration.pattern);

describe("parseDuration", () => {
  it.each([
    { situation: "minutes", text: "5m", ms: 300_000 },
    { situation: "hours and minutes", text: "1h30m", ms: 5_400_000 },
    { situation: "seconds past a minute", text: "90s", ms: 90_000 },
    { situation: "milliseconds", text: "500ms", ms: 500 },
    { situation: "a fractional hour", text: "1.5h", ms: 5_400_000 },
    { situation: "zero", text: "0s", ms: 0 },
    { situation: "every unit at once", text: "1h1m1s1ms", ms: 3_661_001 },
    { situation: "a repeated unit, which adds up", text: "1m1m", ms: 120_000 },
    { situation: "a fraction of a millisecond, rounded", text: "1.6ms", ms: 2 },
  ])("reads $situation: $text is $ms ms", ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
    // The CRD pattern and the parser accept the same strings.
    expect(durationPattern.test(text)).toBe(true);
  });

  it.each([
    { situation: "an empty string", text: "" },
    { situation: "a number without a unit", text: "5" },
    { situation: "an unknown unit", text: "5x" },
    { situation: "the unit before the number", text: "m5" },
    { situation: "a space between parts", text: "1h 30m" },
    { situation: "a negative duration", text: "-5m" },
    { situation: "a trailing number", text: "1h30" },
    { situation: "days, which Go does not have", text: "1d" },
    { situation: "a leading dot", text: ".5h" },
    { situation: "upper-case units", text: "5M" },
  ])("refuses $situation ($text)", ({ text }) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(durationPattern.test(text)).toBe(false);
  });

  it("gives the same answer on a second call (the sticky pattern is reset)", () => {
    expect([parseDuration("1h30m"), parseDuration("5x"), parseDuration("1h30m")]).toEqual([
      5_400_000,
      undefined,
      5_400_000,
    ]);
  });
});

describe("formatDuration", () => {
  it.each([
    { situation: "zero", ms: 0, text: "0s" },
    { situation: "a negative value, clamped", ms: -5, text: "0s" },
    { situation: "a millisecond", ms: 1, text: "1ms" },
    { situation: "whole seconds", ms: 90_000, text: "1m30s" },
    { situation: "seconds and milliseconds", ms: 1_500, text: "1s500ms" },
    { situation: "whole minutes", ms: 300_000, text: "5m" },
    { situation: "an hour and a half", ms: 5_400_000, text: "1h30m" },
    { situation: "more than a day, still in hours", ms: 90_061_001, text: "25h1m1s1ms" },
  ])("writes $situation as $text", ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each(["5m", "1h30m", "90s", "500ms", "1.5h", "0s", "2h", "1h0m30s", "3600s"])(
    "round-trips %s through milliseconds",
    (text) => {
      const ms = parseDuration(text);
      expect(ms).toBeTypeOf("number");
      expect(parseDuration(formatDuration(ms ?? Number.NaN))).toBe(ms);
    },
  );

  it.each([
    { text: "90s", shortest: "1m30s" },
    { text: "3600s", shortest: "1h" },
    { text: "1.5h", shortest: "1h30m" },
    { text: "1h0m30s", shortest: "1h30s" },
  ])("writes $text in its shortest form, $shortest", ({ text, shortest }) => {
    expect(formatDuration(parseDuration(text) ?? Number.NaN)).toBe(shortest);
  });
});
