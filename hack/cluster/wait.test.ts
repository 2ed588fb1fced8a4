import { describe, expect, it } from "vitest";
import { StopWaiting, waitUntil } from "./wait.js";

describe("waitUntil", () => {
  it("returns once the check holds, retrying through failures", async () => {
    let calls = 0;
    await waitUntil(
      "the third call",
      () => {
        calls += 1;
        if (calls === 1) throw new Error("not yet");
        return calls === 3;
      },
      { timeoutMs: 5_000, intervalMs: 1 },
    );
    expect(calls).toBe(3);
  });

  it("ends at once when a check throws StopWaiting", async () => {
    let calls = 0;
    await expect(
      waitUntil(
        "a dead process",
        () => {
          calls += 1;
          throw new StopWaiting("etcd exited");
        },
        { timeoutMs: 60_000, intervalMs: 1 },
      ),
    ).rejects.toThrow("etcd exited");
    expect(calls).toBe(1);
  });

  it("names what it waited for and the last error when it times out", async () => {
    await expect(
      waitUntil(
        "the apiserver",
        () => {
          throw new Error("connection refused");
        },
        { timeoutMs: 20, intervalMs: 5, whileWaiting: () => "see its log" },
      ),
    ).rejects.toThrow(
      /timed out after 20 ms waiting for the apiserver; last error: connection refused; see its log/,
    );
  });
});
