import { describe, expect, it } from "vitest";
import type { Release, ReleaseStatus } from "../../src/api/v1alpha1/index.js";
import { followRelease } from "./follow.js";

const release = (status: ReleaseStatus | undefined): Release => ({
  apiVersion: "release-operator.io/v1alpha1",
  kind: "Release",
  metadata: { name: "nav-1-4-2", namespace: "default" },
  spec: { environment: "nav-demo", version: "1.4.2" },
  ...(status === undefined ? {} : { status }),
});

/** A reader that answers each reading in turn, then the last one forever. */
function readings(...answers: (Release | Error)[]) {
  let index = 0;
  return () => {
    const answer = answers[Math.min(index++, answers.length - 1)];
    return answer instanceof Error || answer === undefined
      ? Promise.reject(answer ?? new Error("no answer"))
      : Promise.resolve(answer);
  };
}

const PHASE_AT = "2026-12-04T22:31:29.623Z";

describe("followRelease", () => {
  it("prints each change once, reacts to every reading before the verdict, returns the completed release", async () => {
    const printed: string[] = [];
    const reacted: (string | undefined)[] = [];
    const done = await followRelease(
      "nav-1-4-2",
      readings(
        release(undefined),
        new Error("connection reset"),
        release({ phase: "PreReleaseGate", phases: [{ phase: "PreReleaseGate", startedAt: PHASE_AT }] }),
        release({ phase: "PreReleaseGate", phases: [{ phase: "PreReleaseGate", startedAt: PHASE_AT }] }),
        release({
          phase: "Completed",
          verdict: "Released",
          reason: "Released: 1.4.2 watched for 45s",
          completedAt: "2026-12-04T22:32:26.000Z",
          phases: [{ phase: "PreReleaseGate", startedAt: PHASE_AT }],
        }),
      ),
      {
        timeoutMs: 5_000,
        intervalMs: 1,
        print: (line) => printed.push(line),
        onReading: (reading) => {
          reacted.push(reading.status?.phase);
          return Promise.resolve();
        },
      },
    );
    expect(done.status?.verdict).toBe("Released");
    expect(printed).toEqual([
      "22:31:29  nav-1-4-2  -> PreReleaseGate",
      "22:32:26  nav-1-4-2  VERDICT Released: 1.4.2 watched for 45s",
    ]);
    expect(reacted).toEqual([undefined, "PreReleaseGate", "PreReleaseGate"]);
  });

  it("no verdict in time: fails naming the phase and reason it stood at", async () => {
    const stuck = release({ phase: "WatchWindow", reason: "watching 1.4.2: T+5s of 45s" });
    await expect(
      followRelease("nav-1-4-2", readings(stuck), { timeoutMs: 30, intervalMs: 5, print: () => undefined }),
    ).rejects.toThrow(
      "Release nav-1-4-2 reached no verdict within 0 s: it is in phase WatchWindow: watching 1.4.2: T+5s of 45s",
    );
  });

  it("never read: fails with the last read error", async () => {
    await expect(
      followRelease("nav-1-4-2", readings(new Error('releases.release-operator.io "nav-1-4-2" not found')), {
        timeoutMs: 30,
        intervalMs: 5,
        print: () => undefined,
      }),
    ).rejects.toThrow(
      'Release nav-1-4-2 reached no verdict within 0 s: it was never read; the last read failed: releases.release-operator.io "nav-1-4-2" not found',
    );
  });
});
