/**
 * The informer's decisions as pure functions, and its restart behaviour against scripted lists and a
 * loopback HTTP endpoint standing in for the watch. Behaviour against a real apiserver is in
 * test/e2e/runtime-informer.test.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig, type KubernetesListObject, type V1ConfigMap } from "@kubernetes/client-node";
import { pino, type Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  changeOf,
  ResilientInformer,
  restartAttempt,
  stallCheck,
  type ChangeEvent,
  type InformerOptions,
  type RestartCause,
} from "./informer.js";
import { FakeClock } from "../../test/support/fake-clock.js";

const policy = { baseMs: 100, maxMs: 1_000, jitter: 0 };

function configMap(name: string, resourceVersion: string, namespace = "ns"): V1ConfigMap {
  return { metadata: { name, namespace, resourceVersion } };
}

describe("changeOf", () => {
  it.each([
    { situation: "not cached yet", cached: undefined, incoming: configMap("a", "1"), expected: "add" },
    {
      situation: "same resourceVersion",
      cached: configMap("a", "1"),
      incoming: configMap("a", "1"),
      expected: undefined,
    },
    {
      situation: "newer resourceVersion",
      cached: configMap("a", "1"),
      incoming: configMap("a", "2"),
      expected: "update",
    },
    {
      situation: "no resourceVersion to compare",
      cached: { metadata: { name: "a" } },
      incoming: { metadata: { name: "a" } },
      expected: "update",
    },
  ])("$situation -> $expected", ({ cached, incoming, expected }) => {
    expect(changeOf(cached, incoming)).toBe(expected);
  });
});

describe("restartAttempt", () => {
  it.each([
    {
      situation: "the list failed: keep backing off",
      failed: { listedAt: undefined, connected: false, watchEvents: 0 },
      now: 50_000,
      expected: 3,
    },
    {
      situation: "listed but the watch was never accepted: keep backing off",
      failed: { listedAt: 0, connected: false, watchEvents: 4 },
      now: 50_000,
      expected: 3,
    },
    {
      situation: "connected and dropped at once, no event: keep backing off",
      failed: { listedAt: 10_000, connected: true, watchEvents: 0 },
      now: 10_500,
      expected: 3,
    },
    {
      situation: "connected and delivered events: start over",
      failed: { listedAt: 10_000, connected: true, watchEvents: 1 },
      now: 10_500,
      expected: 0,
    },
    {
      situation: "connected and quiet for a whole maxMs: start over",
      failed: { listedAt: 10_000, connected: true, watchEvents: 0 },
      now: 11_000,
      expected: 0,
    },
  ])("$situation", ({ failed, now, expected }) => {
    expect(restartAttempt(3, failed, now, policy)).toBe(expected);
  });
});

describe("stallCheck", () => {
  it.each([
    {
      situation: "progress just now",
      last: 1_000,
      now: 1_000,
      expected: { stalled: false, checkAgainInMs: 300 },
    },
    {
      situation: "quiet for part of the limit",
      last: 1_000,
      now: 1_200,
      expected: { stalled: false, checkAgainInMs: 100 },
    },
    { situation: "quiet for exactly the limit", last: 1_000, now: 1_300, expected: { stalled: true } },
    { situation: "quiet for longer", last: 1_000, now: 9_000, expected: { stalled: true } },
  ])("$situation", ({ last, now, expected }) => {
    expect(stallCheck(last, now, 300)).toEqual(expected);
  });
});

interface LogLine {
  level: number;
  msg: string;
  cause?: RestartCause;
  error?: string;
  object?: string;
  deleted?: number;
  updated?: number;
  added?: number;
}

interface Harness {
  informer: ResilientInformer<V1ConfigMap>;
  events: string[];
  restarts: RestartCause[];
  lines: LogLine[];
}

const stopAfterEach: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stopAfterEach.splice(0)) await stop();
});

function newInformer(
  options: Partial<InformerOptions<V1ConfigMap>> & Pick<InformerOptions<V1ConfigMap>, "list">,
  server = "http://127.0.0.1:9",
): Harness {
  const events: string[] = [];
  const restarts: RestartCause[] = [];
  const lines: LogLine[] = [];
  const log: Logger = pino(
    { level: "debug" },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  );
  const informer = new ResilientInformer<V1ConfigMap>({
    name: "configmaps",
    kubeConfig: kubeConfigFor(server),
    path: "/api/v1/namespaces/ns/configmaps",
    log,
    onChange: (object: V1ConfigMap, event: ChangeEvent) =>
      events.push(`${event} ${object.metadata?.name ?? "?"}@${object.metadata?.resourceVersion ?? "?"}`),
    restart: policy,
    hooks: { restarted: (_informer, cause) => restarts.push(cause) },
    ...options,
  });
  stopAfterEach.push(() => informer.stop());
  return { informer, events, restarts, lines };
}

function kubeConfigFor(server: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "fake", server, skipTLSVerify: true }],
    users: [{ name: "nobody" }],
    contexts: [{ name: "fake", cluster: "fake", user: "nobody" }],
    currentContext: "fake",
  });
  return kubeConfig;
}

function listOf(...items: V1ConfigMap[]): KubernetesListObject<V1ConfigMap> {
  return { metadata: { resourceVersion: "100" }, items };
}

describe("ResilientInformer: restarts", () => {
  it("restarts after each failed list with growing backoff, and syncs once a list works", async () => {
    const clock = new FakeClock();
    const listedAt: number[] = [];
    const { informer, restarts, lines, events } = newInformer({
      clock,
      list: () => {
        listedAt.push(clock.now());
        return listedAt.length <= 4
          ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6443"))
          : new Promise(() => undefined); // the fifth list never answers: nothing else happens
      },
    });
    let synced = false;
    void informer.start().then(
      () => (synced = true),
      () => undefined, // rejected by the stop() after the test
    );
    for (let step = 0; step < 2_000 && listedAt.length < 5; step += 1) {
      await settle();
      clock.advance(10);
    }
    expect(listedAt).toEqual([0, 100, 300, 700, 1_500]);
    expect(restarts).toEqual(["error", "error", "error", "error"]);
    expect(informer.restarts).toBe(4);
    expect(synced).toBe(false);
    expect(events).toEqual([]);
    expect(lines.filter((line) => line.msg.startsWith("Watch failed"))).toHaveLength(4);
    expect(lines.find((line) => line.msg.startsWith("Watch failed"))).toMatchObject({
      cause: "error",
      error: "connect ECONNREFUSED 127.0.0.1:6443",
    });
  });

  it("restarts a list+watch that shows no progress for stallAfterMs, with cause stall", async () => {
    const clock = new FakeClock();
    let lists = 0;
    const { informer, restarts } = newInformer({
      clock,
      stallAfterMs: 60_000,
      list: () => {
        lists += 1;
        return new Promise(() => undefined); // a list that hangs, as over a half-open connection
      },
    });
    void informer.start().catch(() => undefined);
    await settle();
    clock.advance(59_999);
    await settle();
    expect({ lists, restarts: [...restarts] }).toEqual({ lists: 1, restarts: [] });
    clock.advance(1);
    await settle();
    clock.advance(policy.baseMs);
    await settle();
    expect({ lists, restarts }).toEqual({ lists: 2, restarts: ["stall"] });
  });

  it("rejects start() when stopped before the first list, and stops retrying", async () => {
    const clock = new FakeClock();
    let lists = 0;
    const { informer } = newInformer({
      clock,
      list: () => {
        lists += 1;
        return Promise.reject(new Error("forbidden"));
      },
    });
    const starting = informer.start();
    await settle();
    await informer.stop();
    await expect(starting).rejects.toThrow(/stopped before its first list/);
    clock.advance(60_000);
    await settle();
    expect(lists).toBe(1);
    await expect(informer.start()).rejects.toThrow(/stopped/);
  });
});

describe("ResilientInformer: against a loopback watch endpoint", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** Serves watch requests with `respond`; records each request's URL. */
  async function serveWatch(
    respond: (url: URL, reply: (status: number, lines?: unknown[]) => void) => void,
  ): Promise<{ url: string; requests: URL[] }> {
    const requests: URL[] = [];
    server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      requests.push(url);
      respond(url, (status, lines) => {
        response.writeHead(status, { "content-type": "application/json" });
        for (const line of lines ?? []) response.write(`${JSON.stringify(line)}\n`);
        if (status !== 200) response.end();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, requests };
  }

  it("after a failed watch, re-lists and delivers deletes and updates of what changed meanwhile", async () => {
    const { url } = await serveWatch((_url, reply) => {
      reply(500);
    });
    const lists = [
      listOf(configMap("a", "1"), configMap("b", "1"), configMap("c", "1")),
      listOf(configMap("a", "2"), configMap("c", "1"), configMap("d", "1")),
    ];
    let listed = 0;
    const harness = newInformer(
      {
        list: () => {
          const list = lists[Math.min(listed, lists.length - 1)];
          listed += 1;
          return list === undefined ? Promise.reject(new Error("no list")) : Promise.resolve(list);
        },
      },
      url,
    );
    await harness.informer.start();
    expect(harness.events).toEqual(["add a@1", "add b@1", "add c@1"]);
    await waitUntil(() => listed >= 2);
    await waitUntil(() => harness.events.length >= 6);
    await harness.informer.stop();

    expect(harness.events.slice(3)).toEqual(["delete b@1", "update a@2", "add d@1"]);
    expect(harness.restarts[0]).toBe("error");
    expect(
      harness.informer
        .list()
        .map((object) => object.metadata?.name)
        .sort(),
    ).toEqual(["a", "c", "d"]);
    expect(harness.informer.get("a", "ns")?.metadata?.resourceVersion).toBe("2");
    expect(harness.informer.get("b", "ns")).toBeUndefined();
    expect(harness.lines).toContainEqual(
      expect.objectContaining({ msg: "Re-listed informer", deleted: 1, updated: 1, added: 1 }),
    );
    expect(harness.lines.find((line) => line.msg.startsWith("Watch failed"))?.error).toMatch(
      /Internal Server Error/,
    );
  });

  it("applies watch events, asks for bookmarks with its label selector, and survives a throwing handler", async () => {
    const { url, requests } = await serveWatch((_url, reply) => {
      reply(200, [
        { type: "ADDED", object: configMap("e", "101") },
        { type: "MODIFIED", object: configMap("a", "102") },
        { type: "BOOKMARK", object: { metadata: { resourceVersion: "103" } } },
        { type: "DELETED", object: configMap("c", "104") },
      ]);
    });
    const harness = newInformer(
      {
        labelSelector: "app=nav",
        list: () => Promise.resolve(listOf(configMap("a", "1"), configMap("c", "1"))),
        onChange: (object, event) => {
          harness.events.push(`${event} ${object.metadata?.name ?? "?"}`);
          if (object.metadata?.name === "e") throw new Error("handler bug");
        },
      },
      url,
    );
    await harness.informer.start();
    await waitUntil(() => harness.events.length >= 5);
    await harness.informer.stop();

    expect(harness.events).toEqual(["add a", "add c", "add e", "update a", "delete c"]);
    expect(
      harness.informer
        .list("ns")
        .map((object) => object.metadata?.name)
        .sort(),
    ).toEqual(["a", "e"]);
    expect(harness.informer.list("elsewhere")).toEqual([]);
    expect(harness.lines).toContainEqual(
      expect.objectContaining({
        msg: "Informer change handler failed",
        object: "ns/e",
        error: "handler bug",
      }),
    );
    const watchRequest = requests[0];
    expect(watchRequest?.pathname).toBe("/api/v1/namespaces/ns/configmaps");
    expect(Object.fromEntries(watchRequest?.searchParams ?? [])).toMatchObject({
      watch: "true",
      allowWatchBookmarks: "true",
      labelSelector: "app=nav",
      resourceVersion: "100",
    });
    expect(harness.restarts).toEqual([]);
  });
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
