import type { CustomObjectsApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { mergePatchOf, writeStatus, type StatusTarget } from "./status-writer.js";

/** RFC 7386's apply, to check that each patch really turns `before` into `after`. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

describe("mergePatchOf", () => {
  it.each<{ situation: string; before: unknown; after: unknown; patch: Record<string, unknown> | undefined }>(
    [
      {
        situation: "equal objects",
        before: { phase: "Execute", jobs: [{ name: "a" }] },
        after: { phase: "Execute", jobs: [{ name: "a" }] },
        patch: undefined,
      },
      { situation: "both absent", before: undefined, after: undefined, patch: undefined },
      { situation: "absent before and empty after", before: undefined, after: {}, patch: undefined },
      {
        situation: "a scalar changed",
        before: { phase: "Pending" },
        after: { phase: "PreReleaseGate" },
        patch: { phase: "PreReleaseGate" },
      },
      {
        situation: "a key added",
        before: { phase: "Pending" },
        after: { phase: "Pending", reason: "waiting" },
        patch: { reason: "waiting" },
      },
      {
        situation: "a key removed becomes null",
        before: { phase: "Pending", reason: "waiting" },
        after: { phase: "Pending" },
        patch: { reason: null },
      },
      {
        situation: "nested change: only the changed leaf",
        before: { watch: { startedAt: "t0", intervals: 3 } },
        after: { watch: { startedAt: "t0", intervals: 4 } },
        patch: { watch: { intervals: 4 } },
      },
      {
        situation: "nested removal two levels down",
        before: { gate: { summary: { approvals: 1, pending: "alice" } } },
        after: { gate: { summary: { approvals: 1 } } },
        patch: { gate: { summary: { pending: null } } },
      },
      {
        situation: "a whole object removed",
        before: { pendingDecision: { kind: "approval" } },
        after: {},
        patch: { pendingDecision: null },
      },
      {
        situation: "arrays are replaced whole, even for one element",
        before: {
          conditions: [
            { type: "Ready", status: "False" },
            { type: "Stalled", status: "False" },
          ],
        },
        after: {
          conditions: [
            { type: "Ready", status: "True" },
            { type: "Stalled", status: "False" },
          ],
        },
        patch: {
          conditions: [
            { type: "Ready", status: "True" },
            { type: "Stalled", status: "False" },
          ],
        },
      },
      {
        situation: "equal arrays give nothing",
        before: { jobs: [1, 2] },
        after: { jobs: [1, 2] },
        patch: undefined,
      },
      {
        situation: "an array emptied is written as []",
        before: { jobs: [1] },
        after: { jobs: [] },
        patch: { jobs: [] },
      },
      {
        situation: "null in after means absent: removes",
        before: { verdict: "Released" },
        after: { verdict: null },
        patch: { verdict: null },
      },
      {
        situation: "null in after, absent before: nothing",
        before: {},
        after: { verdict: null },
        patch: undefined,
      },
      {
        situation: "undefined in after means absent",
        before: { verdict: "Released" },
        after: { verdict: undefined },
        patch: { verdict: null },
      },
      {
        situation: "null before, absent after: nothing",
        before: { verdict: null },
        after: {},
        patch: undefined,
      },
      {
        situation: "null before, value after: set",
        before: { verdict: null },
        after: { verdict: "Aborted" },
        patch: { verdict: "Aborted" },
      },
      {
        situation: "scalar becomes object: replaced",
        before: { baseline: "none" },
        after: { baseline: { value: 1 } },
        patch: { baseline: { value: 1 } },
      },
      {
        situation: "object becomes array: replaced",
        before: { smoke: { a: 1 } },
        after: { smoke: [1] },
        patch: { smoke: [1] },
      },
      {
        situation: "a number becomes its string: changed",
        before: { count: 1 },
        after: { count: "1" },
        patch: { count: "1" },
      },
      {
        situation: "false is a value, not absent",
        before: { flag: true },
        after: { flag: false },
        patch: { flag: false },
      },
      {
        situation: "absent before: everything after",
        before: undefined,
        after: { phase: "Pending" },
        patch: { phase: "Pending" },
      },
      {
        situation: "absent after: everything removed",
        before: { phase: "Pending", verdict: "x" },
        after: undefined,
        patch: { phase: null, verdict: null },
      },
    ],
  )("$situation", ({ before, after, patch }) => {
    const computed = mergePatchOf(before, after);
    expect(computed).toEqual(patch);
    if (computed !== undefined) {
      const cleaned = JSON.parse(
        JSON.stringify(after ?? {}, (_key, value: unknown) => value ?? undefined),
      ) as unknown;
      expect(applyMergePatch(before ?? {}, computed)).toEqual(cleaned);
    }
  });

  it.each([
    ["an array", [1], {}],
    ["a string", {}, "status"],
    ["a number", 3, {}],
  ])("refuses %s at the top, naming what it found", (what, before, after) => {
    expect(() => mergePatchOf(before, after)).toThrow(new RegExp(`found .*${what}`));
  });
});

describe("writeStatus without a request", () => {
  const target: StatusTarget = {
    group: "release-operator.io",
    version: "v1alpha1",
    plural: "releases",
    namespace: "default",
    name: "nav-1-4-2",
    resourceVersion: "42",
  };
  const calls: unknown[] = [];
  const api = {
    patchNamespacedCustomObjectStatus: (request: unknown) => {
      calls.push(request);
      return Promise.resolve({});
    },
  } as unknown as CustomObjectsApi;

  it("makes no request when nothing changed", async () => {
    await expect(
      writeStatus(api, target, { phase: "Execute" }, { phase: "Execute" }),
    ).resolves.toBeUndefined();
    expect(calls).toEqual([]);
  });

  it("refuses a whole object where the status belongs", async () => {
    await expect(
      writeStatus(api, target, {}, { metadata: {}, status: { phase: "Execute" } }),
    ).rejects.toThrow(
      /takes the status of releases.release-operator.io default\/nav-1-4-2, not the whole object/,
    );
    expect(calls).toEqual([]);
  });

  it("refuses to write without the resourceVersion it read", async () => {
    await expect(
      writeStatus(api, { ...target, resourceVersion: "" }, {}, { phase: "Execute" }),
    ).rejects.toThrow(/needs the resourceVersion it was read at/);
    expect(calls).toEqual([]);
  });
});
