import { describe, expect, it } from "vitest";
import { fitName, labelValueOf, MAX_LABEL_VALUE, MAX_OBJECT_NAME } from "./names.js";

const LABEL_VALUE = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

describe("fitName", () => {
  it.each<{ situation: string; base: string; suffix: string; max: number; expected: string }>([
    {
      situation: "fits: kept whole",
      base: "nav-1-4-2",
      suffix: "-report",
      max: 253,
      expected: "nav-1-4-2-report",
    },
    {
      situation: "exactly the limit: kept whole",
      base: "a".repeat(10),
      suffix: "-x",
      max: 12,
      expected: `${"a".repeat(10)}-x`,
    },
    { situation: "no suffix, fits", base: "production", suffix: "", max: 63, expected: "production" },
  ])("$situation", ({ base, suffix, max, expected }) => {
    expect(fitName(base, suffix, max)).toBe(expected);
  });

  it.each<{ situation: string; base: string; suffix: string; max: number; shape: RegExp }>([
    {
      situation: "a 64-character label value",
      base: "a".repeat(64),
      suffix: "",
      max: MAX_LABEL_VALUE,
      shape: /^a{54}-[0-9a-f]{8}$/,
    },
    {
      situation: "the longest Release name as a report ConfigMap",
      base: "r".repeat(253),
      suffix: "-report",
      max: MAX_OBJECT_NAME,
      shape: /^r{237}-[0-9a-f]{8}-report$/,
    },
    {
      situation: "a cut landing on dashes and dots: they are dropped before the hash",
      base: `${"a".repeat(50)}.-_.${"b".repeat(20)}`,
      suffix: "",
      max: MAX_LABEL_VALUE,
      shape: /^a{50}-[0-9a-f]{8}$/,
    },
    {
      situation: "a suffix that leaves no room for the base: the hash alone",
      base: "abcdefghij",
      suffix: "-sfx",
      max: 12,
      shape: /^[0-9a-f]{8}-sfx$/,
    },
  ])(
    "$situation: cut with a hash, within the limit, valid, the same every time",
    ({ base, suffix, max, shape }) => {
      const name = fitName(base, suffix, max);
      expect(name).toMatch(shape);
      expect(name.length).toBeLessThanOrEqual(max);
      expect(fitName(base, suffix, max)).toBe(name);
    },
  );

  it("names that differ only past the cut stay different", () => {
    const first = fitName(`${"a".repeat(80)}-1-4-2`, "", MAX_LABEL_VALUE);
    const second = fitName(`${"a".repeat(80)}-1-4-3`, "", MAX_LABEL_VALUE);
    expect(first).not.toBe(second);
  });
});

describe("labelValueOf", () => {
  it.each([1, 40, 63, 64, 100, 253])("a %i-character name is a valid label value", (length) => {
    const name = `${"n".repeat(length - 1)}2`;
    const value = labelValueOf(name);
    expect(value.length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
    expect(value).toMatch(LABEL_VALUE);
    expect(value).toMatch(OBJECT_NAME);
    if (length <= MAX_LABEL_VALUE) expect(value).toBe(name);
  });
});
