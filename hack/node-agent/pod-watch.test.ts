// How long the pod watch waits before it retries after a failure.
import { describe, expect, it } from "vitest";
import { watchBackoffMs } from "./pod-watch.js";

describe("watchBackoffMs", () => {
  it.each([
    [1, 0, 500],
    [2, 0, 1000],
    [4, 0, 4000],
    [5, 0, 5000],
    [30, 0, 5000],
    [1, 1, 600],
    [30, 0.5, 5500],
  ])("attempt %i with jitter draw %d waits %i ms", (attempt, random, expected) => {
    expect(watchBackoffMs(attempt, random)).toBe(expected);
  });
});
