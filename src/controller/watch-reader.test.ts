import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WatchSettings } from "../api/v1alpha1/index.js";
import { apiStandIn, type ApiStandIn } from "../../test/support/api-stand-in.js";
import { environmentSpec, NAMESPACE, settingsFor } from "../../test/support/releases.js";
import type { WatchReading, WatchRequest } from "../release/world.js";
import { kubeClients } from "./kube.js";
import { takeWatchReading } from "./watch-reader.js";
import { closeServer, refusedUrl, serveLocally, urlOf } from "../../test/support/local-server.js";

// A real HTTP server on loopback plays Prometheus (`POST /api/v1/query`, answers keyed by the query
// text), an auth proxy in front of it (`/secured`), and the application's health endpoints. A second
// one stands in for the API server, holding the auth Secrets.

const TOKEN = `tk-${randomBytes(12).toString("hex")}`;
const AT = new Date("2026-11-25T10:05:00.250Z");
const TIMEOUT_MS = 400;
const SLOW_MS = 1_500;
const KEY = "uid-nav-1-4-2:release:2026-11-25T10:00:00.000Z:4";

interface Received {
  path: string;
  query: string;
  time: string | null;
  authorization: string | undefined;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

const vector = (...values: string[]): unknown => ({
  status: "success",
  data: {
    resultType: "vector",
    result: values.map((value, index) => ({ metric: { pod: `nav-${index}` }, value: [1, value] })),
  },
});

/** What this Prometheus knows, by query. */
function answerQuery(response: ServerResponse, query: string): void {
  switch (query) {
    case "errors_new":
      sendJson(response, 200, vector("0.02"));
      return;
    case "errors_old":
      sendJson(response, 200, vector("0.01"));
      return;
    case "latency_new":
      sendJson(response, 200, { status: "success", data: { resultType: "scalar", result: [1, "0.25"] } });
      return;
    case "no_traffic":
      sendJson(response, 200, vector("NaN"));
      return;
    case "top_bucket":
      sendJson(response, 200, vector("+Inf"));
      return;
    case "per_pod":
      sendJson(response, 200, vector("1", "2", "3"));
      return;
    case "broken(":
      sendJson(response, 400, {
        status: "error",
        errorType: "bad_data",
        error: 'invalid parameter "query": 1:8: parse error: unclosed left parenthesis',
      });
      return;
    case "gateway_down":
      response.writeHead(503, { "Content-Type": "text/html" });
      response.end("<html><body>503 Service Temporarily Unavailable</body></html>");
      return;
    case "slow":
      setTimeout(() => {
        sendJson(response, 200, vector("1"));
      }, SLOW_MS).unref();
      return;
    default:
      sendJson(response, 200, vector());
  }
}

let received: Received[] = [];

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://prometheus.test");
  if (url.pathname === "/healthz") {
    response.writeHead(200, { "Content-Type": "text/plain" });
    response.end("ok");
    return;
  }
  if (url.pathname === "/healthz-broken") {
    response.writeHead(500, { "Content-Type": "text/plain" });
    response.end("database unavailable");
    return;
  }
  const secured = url.pathname.startsWith("/secured/");
  const path = secured ? url.pathname.slice("/secured".length) : url.pathname;
  if (path === "/api/v1/query" && request.method === "POST") {
    const form = new URLSearchParams(await readBody(request));
    const query = form.get("query") ?? "";
    received.push({
      path: url.pathname,
      query,
      time: form.get("time"),
      authorization: request.headers.authorization,
    });
    if (secured && request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { "Content-Type": "text/plain" });
      response.end("Unauthorized");
      return;
    }
    answerQuery(response, query);
    return;
  }
  response.writeHead(404, { "Content-Type": "text/plain" });
  response.end("404 page not found");
}

/** The auth Secrets in the namespace, as the API server returns them (base64 data). */
const SECRETS: Record<string, Record<string, string>> = {
  "prometheus-auth": { token: Buffer.from(TOKEN).toString("base64") },
  "prometheus-stale": { token: Buffer.from("an-old-token").toString("base64") },
};

let prometheus: Server;
let base = "";
/** A port nothing listens on: taken, then given back. */
let refusedBase = "";
let api: ApiStandIn;

beforeAll(async () => {
  prometheus = await serveLocally(handle);
  base = urlOf(prometheus);
  refusedBase = await refusedUrl();
  api = await apiStandIn((request, response) => {
    const name = new RegExp(`^/api/v1/namespaces/${NAMESPACE}/secrets/([^/?]+)`).exec(request.url ?? "")?.[1];
    const data = name === undefined ? undefined : SECRETS[name];
    if (name === undefined || data === undefined) {
      sendJson(response, 404, {
        apiVersion: "v1",
        kind: "Status",
        status: "Failure",
        reason: "NotFound",
        code: 404,
        message: `secrets "${name ?? "?"}" not found`,
      });
      return;
    }
    sendJson(response, 200, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: NAMESPACE },
      data,
    });
  });
});

afterAll(async () => {
  await closeServer(prometheus);
  await api.close();
});

beforeEach(() => {
  received = [];
  api.requests.length = 0;
});

/** The watch settings an Environment with this Prometheus resolves to. */
function watchOf(prometheus: Partial<WatchSettings["prometheus"]> = {}): WatchSettings {
  const settings = settingsFor(environmentSpec()).watch;
  return {
    ...settings,
    prometheus: { ...settings.prometheus, url: base, timeoutMs: TIMEOUT_MS, ...prometheus },
  };
}

const request = (metrics: WatchRequest["metrics"], changes: Partial<WatchRequest> = {}): WatchRequest => ({
  purpose: "release",
  key: KEY,
  metrics,
  ...changes,
});

async function read(watch: WatchSettings, asked: WatchRequest): Promise<WatchReading> {
  return takeWatchReading(kubeClients(api.kubeConfig).core, NAMESPACE, watch, asked, () => AT);
}

const where = (url: string): string => `Prometheus at ${url}`;
const REFUSED = (url: string): RegExp =>
  new RegExp(`^Prometheus at ${url.replace(/\./g, "\\.")} unreachable: connect ECONNREFUSED`);

describe("takeWatchReading", () => {
  it("reads each metric's value and its concurrent baseline, evaluated at the reading's time", async () => {
    const reading = await read(
      watchOf(),
      request([
        { metric: "error-rate", query: "errors_new", baselineQuery: "errors_old" },
        { metric: "p99-latency", query: "latency_new" },
      ]),
    );
    expect(reading).toStrictEqual({
      key: KEY,
      at: AT.toISOString(),
      metrics: [
        { metric: "error-rate", value: 0.02, baseline: 0.01 },
        { metric: "p99-latency", value: 0.25 },
      ],
    });
    expect(received.map((entry) => entry.query).sort()).toEqual(["errors_new", "errors_old", "latency_new"]);
    expect(new Set(received.map((entry) => entry.time))).toEqual(new Set([(AT.getTime() / 1000).toFixed(3)]));
    // No auth Secret named: the API server is not asked for one.
    expect(api.requests).toHaveLength(0);
  });

  it.each<{
    situation: string;
    metrics: WatchRequest["metrics"];
    expected: (url: string) => WatchReading["metrics"];
  }>([
    {
      situation: "one query rejected (400 bad_data): that metric's problem only",
      metrics: [
        { metric: "error-rate", query: "errors_new" },
        { metric: "typo", query: "broken(" },
      ],
      expected: (url) => [
        { metric: "error-rate", value: 0.02 },
        {
          metric: "typo",
          problem: `${where(url)} rejected the query (bad_data): invalid parameter "query": 1:8: parse error: unclosed left parenthesis`,
        },
      ],
    },
    {
      situation: "the baseline's query rejected: the value kept, the baseline's problem said",
      metrics: [{ metric: "error-rate", query: "errors_new", baselineQuery: "broken(" }],
      expected: (url) => [
        {
          metric: "error-rate",
          value: 0.02,
          baselineProblem: `${where(url)} rejected the query (bad_data): invalid parameter "query": 1:8: parse error: unclosed left parenthesis`,
        },
      ],
    },
    {
      situation: "the value without data, the baseline read",
      metrics: [{ metric: "error-rate", query: "nothing_yet", baselineQuery: "errors_old" }],
      expected: () => [
        { metric: "error-rate", baseline: 0.01, problem: "no data: the query returned an empty result" },
      ],
    },
    {
      situation: "answers without one number: each its own problem; +Inf is a number",
      metrics: [
        { metric: "empty", query: "nothing_yet" },
        { metric: "idle", query: "no_traffic" },
        { metric: "per-pod", query: "per_pod" },
        { metric: "p99-latency", query: "top_bucket" },
      ],
      expected: () => [
        { metric: "empty", problem: "no data: the query returned an empty result" },
        {
          metric: "idle",
          problem: "no data: the query evaluated to NaN (e.g. 0/0: no requests in the range)",
        },
        {
          metric: "per-pod",
          problem:
            "the query returned 3 series where one was expected; aggregate it (e.g. sum(...) or max(...))",
        },
        { metric: "p99-latency", value: Number.POSITIVE_INFINITY },
      ],
    },
    {
      situation: "one query behind a gateway that is down, another answered: not unreachable as a whole",
      metrics: [
        { metric: "error-rate", query: "errors_new" },
        { metric: "saturation", query: "gateway_down" },
      ],
      expected: (url) => [
        { metric: "error-rate", value: 0.02 },
        {
          metric: "saturation",
          problem: `${where(url)} is not available: HTTP 503 with text/html, not the Prometheus API`,
        },
      ],
    },
  ])("$situation", async ({ metrics, expected }) => {
    const reading = await read(watchOf(), request(metrics));
    expect(reading).toStrictEqual({ key: KEY, at: AT.toISOString(), metrics: expected(base) });
  });

  it("a metric that cannot be asked keeps its problem and is not sent", async () => {
    const reading = await read(
      watchOf(),
      request([
        { metric: "error-rate", query: "errors_new" },
        { metric: "drift", problem: "the query uses {previousVersion} but there is no previousVersion" },
      ]),
    );
    expect(reading.metrics).toStrictEqual([
      { metric: "error-rate", value: 0.02 },
      { metric: "drift", problem: "the query uses {previousVersion} but there is no previousVersion" },
    ]);
    expect(reading.unreachable).toBeUndefined();
    expect(received.map((entry) => entry.query)).toEqual(["errors_new"]);
  });

  it("nothing that can be asked: problems only, Prometheus not called unreachable", async () => {
    const reading = await read(
      watchOf({ url: refusedBase }),
      request([{ metric: "error-rate", problem: "no version ran before this release" }], {
        purpose: "baseline",
      }),
    );
    expect(reading).toStrictEqual({
      key: KEY,
      at: AT.toISOString(),
      metrics: [{ metric: "error-rate", problem: "no version ran before this release" }],
    });
  });

  it("nothing listening: unreachable, and every metric has a problem", async () => {
    const reading = await read(
      watchOf({ url: refusedBase }),
      request([
        { metric: "error-rate", query: "errors_new", baselineQuery: "errors_old" },
        { metric: "p99-latency", query: "latency_new" },
        { metric: "drift", problem: "the query uses {previousVersion} but there is no previousVersion" },
      ]),
    );
    expect(reading.unreachable).toMatch(REFUSED(refusedBase));
    expect(reading.metrics).toStrictEqual([
      {
        metric: "error-rate",
        problem: expect.stringMatching(REFUSED(refusedBase)) as string,
        baselineProblem: expect.stringMatching(REFUSED(refusedBase)) as string,
      },
      { metric: "p99-latency", problem: expect.stringMatching(REFUSED(refusedBase)) as string },
      { metric: "drift", problem: "the query uses {previousVersion} but there is no previousVersion" },
    ]);
    expect(reading.metrics.every((metric) => metric.value === undefined)).toBe(true);
  });

  it("a gateway answering 503 for every query: unreachable", async () => {
    const reading = await read(watchOf(), request([{ metric: "error-rate", query: "gateway_down" }]));
    expect(reading.unreachable).toBe(
      `${where(base)} is not available: HTTP 503 with text/html, not the Prometheus API`,
    );
    expect(reading.metrics).toStrictEqual([{ metric: "error-rate", problem: reading.unreachable }]);
  });

  it("every query slower than the timeout: unreachable, said as a timeout", async () => {
    const reading = await read(
      watchOf(),
      request([{ metric: "error-rate", query: "slow", baselineQuery: "slow" }]),
    );
    const timedOut = `${where(base)} did not answer within ${TIMEOUT_MS} ms`;
    expect(reading.unreachable).toBe(timedOut);
    expect(reading.metrics).toStrictEqual([
      { metric: "error-rate", problem: timedOut, baselineProblem: timedOut },
    ]);
  });

  it("rejected queries are answers: a Prometheus that rejects every query is not unreachable", async () => {
    const reading = await read(
      watchOf(),
      request([{ metric: "typo", query: "broken(", baselineQuery: "broken(" }]),
    );
    expect(reading.unreachable).toBeUndefined();
    expect(reading.metrics[0]?.problem).toMatch(/rejected the query \(bad_data\)/);
  });
});

describe("takeWatchReading: the health check", () => {
  const healthCheck = (url: string): NonNullable<WatchRequest["healthCheck"]> => ({
    url,
    method: "GET",
    expectedStatus: 200,
    timeoutMs: TIMEOUT_MS,
  });

  it.each<{
    situation: string;
    url: () => string;
    prometheusUrl?: () => string;
    health: (url: string) => WatchReading["health"];
  }>([
    { situation: "200: ok", url: () => `${base}/healthz`, health: () => ({ ok: true }) },
    {
      situation: "500: not ok, with what it answered",
      url: () => `${base}/healthz-broken`,
      health: () => ({ ok: false, message: "expected status 200, got 500\ndatabase unavailable" }),
    },
    {
      situation: "nothing listening: not ok, with why",
      url: () => `${refusedBase}/healthz`,
      health: (url) => ({ ok: false, message: `GET ${url} failed: ECONNREFUSED` }),
    },
    {
      situation: "checked even when Prometheus is unreachable",
      url: () => `${base}/healthz`,
      prometheusUrl: () => refusedBase,
      health: () => ({ ok: true }),
    },
  ])("$situation", async ({ url, prometheusUrl, health }) => {
    const target = url();
    const reading = await read(
      watchOf(prometheusUrl === undefined ? {} : { url: prometheusUrl() }),
      request([{ metric: "error-rate", query: "errors_new" }], { healthCheck: healthCheck(target) }),
    );
    expect(reading.health).toStrictEqual(health(target));
    if (prometheusUrl === undefined)
      expect(reading.metrics).toStrictEqual([{ metric: "error-rate", value: 0.02 }]);
    else expect(reading.unreachable).toMatch(REFUSED(prometheusUrl()));
  });

  it("no health check asked: none in the reading", async () => {
    const reading = await read(watchOf(), request([{ metric: "error-rate", query: "errors_new" }]));
    expect(reading).not.toHaveProperty("health");
  });
});

describe("takeWatchReading: the auth Secret", () => {
  it("sends the Secret's token and reads the values", async () => {
    const reading = await read(
      watchOf({ url: `${base}/secured`, authSecret: { name: "prometheus-auth" } }),
      request([{ metric: "error-rate", query: "errors_new", baselineQuery: "errors_old" }]),
    );
    expect(reading.metrics).toStrictEqual([{ metric: "error-rate", value: 0.02, baseline: 0.01 }]);
    expect(received.map((entry) => entry.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(api.requests.map((entry) => entry.url)).toEqual([
      `/api/v1/namespaces/${NAMESPACE}/secrets/prometheus-auth`,
    ]);
    expect(JSON.stringify(reading)).not.toContain(TOKEN);
  });

  it("a token Prometheus refuses: unreachable, the Secret's credentials named, the token never", async () => {
    const url = `${base}/secured`;
    const reading = await read(
      watchOf({ url, authSecret: { name: "prometheus-stale" } }),
      request([{ metric: "error-rate", query: "errors_new" }]),
    );
    const refused = `${where(url)} refused the credentials from the auth Secret (401)`;
    expect(reading.unreachable).toBe(refused);
    expect(reading.metrics).toStrictEqual([{ metric: "error-rate", problem: refused }]);
    expect(JSON.stringify(reading)).not.toContain("an-old-token");
  });

  it("a Secret that does not exist: unreachable, every metric says so, Prometheus not asked", async () => {
    const reading = await read(
      watchOf({ url: `${base}/secured`, authSecret: { name: "prometheus-missing" } }),
      request([
        { metric: "error-rate", query: "errors_new" },
        { metric: "p99-latency", query: "latency_new" },
      ]),
    );
    const missing = `Prometheus credentials: Secret prometheus-missing not found in namespace ${NAMESPACE}`;
    expect(reading).toStrictEqual({
      key: KEY,
      at: AT.toISOString(),
      unreachable: missing,
      metrics: [
        { metric: "error-rate", problem: missing },
        { metric: "p99-latency", problem: missing },
      ],
    });
    expect(received).toHaveLength(0);
  });
});
