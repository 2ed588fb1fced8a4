import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import {
  canAcquire,
  claimRecord,
  LeaderElector,
  microTimeText,
  observe,
  recordOf,
  releasedRecord,
  sameRecord,
  type LeaseRecord,
} from "./leader-election.js";

const T0 = Date.parse("2026-05-01T10:00:00.000Z");
const held = (holderIdentity: string, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity,
  leaseDurationSeconds: 15,
  acquireTime: "2026-05-01T09:00:00.000000Z",
  renewTime: "2026-05-01T09:59:58.000000Z",
  leaseTransitions: 3,
  ...extra,
});

describe("canAcquire", () => {
  it.each<{ situation: string; record: LeaseRecord; observedAtMs: number; nowMs: number; expected: boolean }>(
    [
      {
        situation: "released Lease (no holder)",
        record: held(""),
        observedAtMs: T0,
        nowMs: T0,
        expected: true,
      },
      { situation: "our own Lease", record: held("me"), observedAtMs: T0, nowMs: T0, expected: true },
      {
        situation: "another holder, just seen",
        record: held("other"),
        observedAtMs: T0,
        nowMs: T0 + 1000,
        expected: false,
      },
      {
        situation: "another holder, unchanged just under its lease duration",
        record: held("other"),
        observedAtMs: T0,
        nowMs: T0 + 14_999,
        expected: false,
      },
      {
        situation: "another holder, unchanged for its whole lease duration",
        record: held("other"),
        observedAtMs: T0,
        nowMs: T0 + 15_000,
        expected: true,
      },
      {
        situation: "clock skew: renewTime far in the past by our clock, but the record just changed",
        record: held("other", { renewTime: "2020-01-01T00:00:00.000000Z" }),
        observedAtMs: T0,
        nowMs: T0 + 1000,
        expected: false,
      },
      {
        situation: "clock skew: renewTime in our future, but unchanged for its duration",
        record: held("other", { renewTime: "2030-01-01T00:00:00.000000Z" }),
        observedAtMs: T0,
        nowMs: T0 + 16_000,
        expected: true,
      },
      {
        situation: "the holder's own duration counts, not ours",
        record: held("other", { leaseDurationSeconds: 60 }),
        observedAtMs: T0,
        nowMs: T0 + 30_000,
        expected: false,
      },
      {
        situation: "a record without duration falls back to ours (15s)",
        record: held("other", { leaseDurationSeconds: 0 }),
        observedAtMs: T0,
        nowMs: T0 + 15_000,
        expected: true,
      },
    ],
  )("$situation: $expected", ({ record, observedAtMs, nowMs, expected }) => {
    expect(canAcquire(record, observedAtMs, nowMs, "me", 15_000)).toBe(expected);
  });
});

describe("observe", () => {
  const seen = { record: held("other"), atMs: T0 };

  it.each<{ situation: string; record: LeaseRecord; expectedAtMs: number }>([
    {
      situation: "same record read again: the clock keeps running from when it was first seen",
      record: held("other"),
      expectedAtMs: T0,
    },
    {
      situation: "renewed (renewTime changed): the clock restarts",
      record: held("other", { renewTime: "2026-05-01T10:00:05.000000Z" }),
      expectedAtMs: T0 + 5000,
    },
    {
      situation: "new holder: the clock restarts",
      record: held("third", { leaseTransitions: 4 }),
      expectedAtMs: T0 + 5000,
    },
  ])("$situation", ({ record, expectedAtMs }) => {
    expect(observe(seen, record, T0 + 5000)).toEqual({ record, atMs: expectedAtMs });
  });

  it("first sight starts the clock", () => {
    expect(observe(undefined, held("other"), T0)).toEqual({ record: held("other"), atMs: T0 });
  });
});

describe("claimRecord", () => {
  const now = microTimeText(T0);

  it.each<{ situation: string; observed: LeaseRecord | undefined; expected: LeaseRecord }>([
    {
      situation: "no Lease yet: first term, no transitions",
      observed: undefined,
      expected: {
        holderIdentity: "me",
        leaseDurationSeconds: 15,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    },
    {
      situation: "renewing our own: acquireTime and transitions kept",
      observed: held("me"),
      expected: { ...held("me"), renewTime: now },
    },
    {
      situation: "taking over from another: new term, one more transition",
      observed: held("other"),
      expected: {
        holderIdentity: "me",
        leaseDurationSeconds: 15,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 4,
      },
    },
    {
      situation: "taking a released Lease: new term, one more transition",
      observed: held("", { leaseDurationSeconds: 1 }),
      expected: {
        holderIdentity: "me",
        leaseDurationSeconds: 15,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 4,
      },
    },
  ])("$situation", ({ observed, expected }) => {
    expect(claimRecord(observed, "me", T0, 15_000)).toEqual(expected);
  });

  it.each([
    [3000, 3],
    [2500, 3],
    [400, 1],
  ])("a lease of %ims is written as %i whole seconds (rounded up)", (ms, seconds) => {
    expect(claimRecord(undefined, "me", T0, ms).leaseDurationSeconds).toBe(seconds);
  });
});

describe("releasedRecord", () => {
  it("clears the holder, keeps the transitions and claims only one second", () => {
    expect(releasedRecord(held("me"), T0)).toEqual({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: microTimeText(T0),
      renewTime: microTimeText(T0),
      leaseTransitions: 3,
    });
  });

  it("is free for anyone at once", () => {
    expect(canAcquire(releasedRecord(held("other"), T0), T0, T0, "me", 15_000)).toBe(true);
  });
});

describe("recordOf and sameRecord", () => {
  it("reads a Lease as the server sends it (MicroTime as text)", () => {
    const record = recordOf({
      spec: {
        holderIdentity: "other",
        leaseDurationSeconds: 15,
        leaseTransitions: 2,
        renewTime: "2026-05-01T10:00:00.123456Z" as unknown as Date,
      },
    });
    expect(record).toEqual({
      holderIdentity: "other",
      leaseDurationSeconds: 15,
      leaseTransitions: 2,
      renewTime: "2026-05-01T10:00:00.123456Z",
    });
  });

  it("reads an empty Lease as free", () => {
    expect(recordOf({})).toEqual({ holderIdentity: "", leaseDurationSeconds: 0, leaseTransitions: 0 });
  });

  it.each<{ situation: string; other: LeaseRecord; expected: boolean }>([
    { situation: "identical", other: held("x"), expected: true },
    {
      situation: "renewTime differs",
      other: held("x", { renewTime: "2026-05-01T10:00:01.000000Z" }),
      expected: false,
    },
    { situation: "holder differs", other: held("y"), expected: false },
    { situation: "transitions differ", other: held("x", { leaseTransitions: 9 }), expected: false },
    { situation: "duration differs", other: held("x", { leaseDurationSeconds: 1 }), expected: false },
  ])("sameRecord: $situation", ({ other, expected }) => {
    expect(sameRecord(held("x"), other)).toBe(expected);
  });
});

describe("microTimeText", () => {
  it("writes microseconds, as the API's MicroTime", () => {
    expect(microTimeText(Date.parse("2026-05-01T10:00:00.123Z"))).toBe("2026-05-01T10:00:00.123000Z");
  });
});

describe("LeaderElector", () => {
  it.each([
    { leaseDurationMs: 3000, renewDeadlineMs: 3000, retryPeriodMs: 500 },
    { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 2000 },
    { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 0 },
  ])("refuses timings out of order: %o", (timing) => {
    expect(
      () =>
        new LeaderElector({
          kubeConfig: new KubeConfig(),
          namespace: "default",
          name: "lease",
          identity: "me",
          log: createLogger({ level: "silent" }),
          ...timing,
        }),
    ).toThrow(/needs 0 < retryPeriod < renewDeadline < leaseDuration/);
  });
});
