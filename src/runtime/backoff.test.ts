import { describe, expect, it } from "vitest";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";

const policy: BackoffPolicy = { baseMs: 200, maxMs: 5_000, jitter: 0.5 };
const noJitter = () => 0;
const fullJitter = () => 0.999_999;

describe("backoffDelay", () => {
  it.each([
    { situation: "first retry waits the base delay", attempt: 0, random: noJitter, expected: 200 },
    { situation: "second retry doubles it", attempt: 1, random: noJitter, expected: 400 },
    { situation: "fifth retry has doubled four times", attempt: 4, random: noJitter, expected: 3_200 },
    { situation: "doubling stops at the cap", attempt: 5, random: noJitter, expected: 5_000 },
    { situation: "a thousandth retry stays at the cap", attempt: 1_000, random: noJitter, expected: 5_000 },
    {
      situation: "a fractional attempt counts whole doublings",
      attempt: 1.7,
      random: noJitter,
      expected: 400,
    },
    { situation: "jitter adds up to its fraction", attempt: 0, random: fullJitter, expected: 300 },
    { situation: "jitter is added on top of the cap", attempt: 9, random: fullJitter, expected: 7_500 },
    { situation: "half jitter adds half of its fraction", attempt: 1, random: () => 0.5, expected: 500 },
    { situation: "a random() above 1 is clamped", attempt: 0, random: () => 7, expected: 300 },
  ])("$situation", ({ attempt, random, expected }) => {
    expect(backoffDelay(attempt, policy, random)).toBe(expected);
  });

  it.each([
    {
      situation: "zero base never grows",
      policy: { baseMs: 0, maxMs: 10, jitter: 1 },
      attempt: 80,
      expected: 0,
    },
    {
      situation: "no jitter ignores random()",
      policy: { baseMs: 100, maxMs: 100, jitter: 0 },
      attempt: 3,
      expected: 100,
    },
  ])("$situation", ({ policy: custom, attempt, expected }) => {
    expect(backoffDelay(attempt, custom, fullJitter)).toBe(expected);
  });

  it("stays within [delay, delay * (1 + jitter)] with the default random source", () => {
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(2, policy);
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1_200);
    }
  });

  it.each([
    {
      situation: "negative base",
      policy: { baseMs: -1, maxMs: 10, jitter: 0 },
      attempt: 0,
      message: /baseMs/,
    },
    {
      situation: "cap below base",
      policy: { baseMs: 10, maxMs: 5, jitter: 0 },
      attempt: 0,
      message: /maxMs/,
    },
    {
      situation: "jitter above 1",
      policy: { baseMs: 1, maxMs: 5, jitter: 1.5 },
      attempt: 0,
      message: /jitter/,
    },
    {
      situation: "NaN jitter",
      policy: { baseMs: 1, maxMs: 5, jitter: Number.NaN },
      attempt: 0,
      message: /jitter/,
    },
    { situation: "negative attempt", policy, attempt: -1, message: /attempt.*-1/ },
    { situation: "infinite attempt", policy, attempt: Number.POSITIVE_INFINITY, message: /attempt/ },
  ])("rejects a $situation, naming it", ({ policy: invalid, attempt, message }) => {
    expect(() => backoffDelay(attempt, invalid)).toThrow(message);
  });
});
