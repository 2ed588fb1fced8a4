import { PassThrough } from "node:stream";
import type { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import { REDACTION, Redactor } from "./redaction.js";
import {
  eventMessage,
  eventName,
  EventRecorder,
  MAX_EVENT_MESSAGE_LENGTH,
  newEvent,
  repeatPatch,
  type EventTarget,
} from "./events.js";

const release: EventTarget = {
  apiVersion: "release-operator.io/v1alpha1",
  kind: "Release",
  metadata: { name: "nav-1-4-2", namespace: "default", uid: "0b9f-uid", resourceVersion: "17" },
};
const NOW = new Date("2026-05-01T10:00:00.000Z");
const SOURCE = { component: "release-operator", instance: "pod-a" };

describe("eventMessage", () => {
  it.each<{ situation: string; message: string; expectedLength: number; cut: boolean }>([
    { situation: "short message kept", message: "Entered PreReleaseGate", expectedLength: 22, cut: false },
    { situation: "exactly at the limit kept", message: "x".repeat(1024), expectedLength: 1024, cut: false },
    { situation: "one over the limit cut", message: "x".repeat(1025), expectedLength: 1024, cut: true },
    { situation: "long message cut", message: "y".repeat(5000), expectedLength: 1024, cut: true },
    {
      situation: "characters beyond the BMP counted as one each",
      message: "🚀".repeat(1024),
      expectedLength: 1024,
      cut: false,
    },
  ])("$situation", ({ message, expectedLength, cut }) => {
    const result = eventMessage(message);
    expect(Array.from(result)).toHaveLength(expectedLength);
    expect(result.endsWith("…")).toBe(cut);
  });

  it("never splits a surrogate pair", () => {
    const result = eventMessage("🚀".repeat(2000));
    expect(
      Array.from(result)
        .slice(0, -1)
        .every((character) => character === "🚀"),
    ).toBe(true);
    expect(MAX_EVENT_MESSAGE_LENGTH).toBe(1024);
  });
});

describe("eventName", () => {
  const base = eventName(release, "Normal", "PhaseChanged", "Entered Execute");

  it("is <object name>.<16 hex>", () => {
    expect(base).toMatch(/^nav-1-4-2\.[0-9a-f]{16}$/);
  });

  it.each<{ situation: string; name: string; same: boolean }>([
    {
      situation: "same object, type, reason and message",
      name: eventName(release, "Normal", "PhaseChanged", "Entered Execute"),
      same: true,
    },
    {
      situation: "another message",
      name: eventName(release, "Normal", "PhaseChanged", "Entered SmokeTest"),
      same: false,
    },
    {
      situation: "another reason",
      name: eventName(release, "Normal", "Entered", "Entered Execute"),
      same: false,
    },
    {
      situation: "another type",
      name: eventName(release, "Warning", "PhaseChanged", "Entered Execute"),
      same: false,
    },
    {
      situation: "same name, another object (a re-created Release has a new uid)",
      name: eventName(
        { ...release, metadata: { ...release.metadata, uid: "other-uid" } },
        "Normal",
        "PhaseChanged",
        "Entered Execute",
      ),
      same: false,
    },
    {
      situation: "another resourceVersion of the same object",
      name: eventName(
        { ...release, metadata: { ...release.metadata, resourceVersion: "99" } },
        "Normal",
        "PhaseChanged",
        "Entered Execute",
      ),
      same: true,
    },
  ])("$situation: same name $same", ({ name, same }) => {
    expect(name === base).toBe(same);
  });

  it("stays within 253 characters for the longest object names", () => {
    const long = eventName(
      { ...release, metadata: { ...release.metadata, name: "a".repeat(253) } },
      "Normal",
      "R",
      "m",
    );
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^a+\.[0-9a-f]{16}$/);
  });
});

describe("newEvent", () => {
  it("is a core/v1 Event about the object, counted once, from the operator's instance", () => {
    expect(newEvent(release, "Warning", "DeployFailed", "deploy.sh exited 3", SOURCE, NOW)).toEqual({
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: eventName(release, "Warning", "DeployFailed", "deploy.sh exited 3"),
        namespace: "default",
      },
      involvedObject: {
        apiVersion: "release-operator.io/v1alpha1",
        kind: "Release",
        name: "nav-1-4-2",
        namespace: "default",
        uid: "0b9f-uid",
        resourceVersion: "17",
      },
      type: "Warning",
      reason: "DeployFailed",
      message: "deploy.sh exited 3",
      source: { component: "release-operator" },
      reportingComponent: "release-operator",
      reportingInstance: "pod-a",
      firstTimestamp: NOW,
      lastTimestamp: NOW,
      count: 1,
    });
  });

  it("cuts a long message", () => {
    expect(newEvent(release, "Normal", "R", "z".repeat(3000), SOURCE, NOW).message).toHaveLength(1024);
  });
});

describe("repeatPatch", () => {
  it.each<{
    situation: string;
    count: number;
    resourceVersion: string | undefined;
    expected: Record<string, unknown>;
  }>([
    {
      situation: "guarded by the resourceVersion it counted from",
      count: 1,
      resourceVersion: "55",
      expected: { count: 2, lastTimestamp: "2026-05-01T10:00:00.000Z", metadata: { resourceVersion: "55" } },
    },
    {
      situation: "without a resourceVersion, unguarded",
      count: 7,
      resourceVersion: undefined,
      expected: { count: 8, lastTimestamp: "2026-05-01T10:00:00.000Z" },
    },
  ])("$situation", ({ count, resourceVersion, expected }) => {
    expect(repeatPatch(count, NOW, resourceVersion)).toEqual(expected);
  });
});

describe("EventRecorder", () => {
  it("never throws when the API server refuses: it logs the failure instead", async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
    const refusing = () => Promise.reject(new Error("connection refused"));
    const coreApi = {
      createNamespacedEvent: refusing,
      patchNamespacedEvent: refusing,
    } as unknown as CoreV1Api;
    const recorder = new EventRecorder({
      coreApi,
      component: "release-operator",
      instance: "pod-a",
      log: createLogger({ level: "info", destination: stream }),
    });
    await expect(
      recorder.record(release, "Normal", "PhaseChanged", "Entered Execute"),
    ).resolves.toBeUndefined();
    const logged = JSON.parse(lines.join("")) as Record<string, unknown>;
    expect(logged).toMatchObject({
      msg: "Failed to record Event",
      reason: "PhaseChanged",
      error: "connection refused",
    });
  });

  it("writes the message with secret values removed", async () => {
    const created: { message?: string }[] = [];
    const coreApi = {
      createNamespacedEvent: (request: { body: { message?: string } }) => {
        created.push(request.body);
        return Promise.resolve(request.body);
      },
    } as unknown as CoreV1Api;
    const redactor = new Redactor();
    redactor.add(["sk-SEEDED-777"]);
    const recorder = new EventRecorder({
      coreApi,
      component: "release-operator",
      instance: "pod-a",
      log: createLogger({ level: "info", destination: new PassThrough() }),
      redact: (text) => redactor.redact(text),
    });
    await recorder.record(release, "Warning", "ActionFailed", "deploy.sh printed sk-SEEDED-777 and failed");
    expect(created.map((event) => event.message)).toEqual([`deploy.sh printed ${REDACTION} and failed`]);
  });
});
