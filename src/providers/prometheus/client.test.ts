import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpCredentials } from "../credentials.js";
import { checkReachable, instantQuery, type PrometheusConnection } from "./client.js";
import { closeServer, refusedUrl, serveLocally, urlOf } from "../../../test/support/local-server.js";

// A real HTTP server on loopback answering as Prometheus's API does (envelopes, error types, status
// codes), plus what sits in front of Prometheus in real life: an auth proxy, a gateway whose upstream
// is down, a path prefix, a Prometheus-compatible server without the build info endpoint.

const TOKEN = `tk-${randomBytes(12).toString("hex")}`;
const BASIC: HttpCredentials = {
  kind: "basic",
  username: "watcher",
  password: `pw-${randomBytes(12).toString("hex")}`,
};
const BEARER: HttpCredentials = { kind: "bearer", token: TOKEN };
const ACCEPTED_AUTHORIZATIONS = new Set([
  `Bearer ${TOKEN}`,
  `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString("base64")}`,
]);
/** How long the "slow" query takes to answer: longer than the tests' timeout. */
const SLOW_MS = 1_500;
const TIMEOUT_MS = 400;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Answers a query the way Prometheus would, keyed by the query text. */
function answerQuery(response: ServerResponse, query: string, time: string | null): void {
  const now = time === null ? Date.now() / 1000 : Number(time);
  switch (query) {
    case "up":
      sendJson(response, 200, {
        status: "success",
        data: {
          resultType: "vector",
          result: [
            { metric: { __name__: "up", job: "demo-app", instance: "127.0.0.1:1" }, value: [now, "1"] },
            { metric: { __name__: "up", job: "operator", instance: "127.0.0.1:2" }, value: [now, "0"] },
          ],
        },
      });
      return;
    case "time()":
      // Echoes the evaluation time, so a test sees which time was asked for.
      sendJson(response, 200, {
        status: "success",
        data: { resultType: "scalar", result: [now, String(now)] },
      });
      return;
    case "odd":
      sendJson(response, 200, {
        status: "success",
        data: {
          resultType: "vector",
          result: [
            { metric: { s: "a" }, value: [now, "+Inf"] },
            { metric: { s: "b" }, value: [now, "NaN"] },
          ],
        },
      });
      return;
    case "sum(rate(x[1m])":
      sendJson(response, 400, {
        status: "error",
        errorType: "bad_data",
        error: 'invalid parameter "query": 1:16: parse error: unclosed left parenthesis',
      });
      return;
    case "html503":
      response.writeHead(503, { "Content-Type": "text/html" });
      response.end("<html><body>503 Service Temporarily Unavailable</body></html>");
      return;
    case "malformed":
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end('{"status":"success","data":{"resultType":"vec');
      return;
    case "slow":
      setTimeout(() => {
        sendJson(response, 200, { status: "success", data: { resultType: "vector", result: [] } });
      }, SLOW_MS).unref();
      return;
    default:
      sendJson(response, 200, { status: "success", data: { resultType: "vector", result: [] } });
  }
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://prometheus.test");
  // /secured/...: behind an auth proxy; /thanos/...: no build info endpoint; /prom/...: a path prefix.
  const prefix = /^\/(secured|thanos|prom)(?=\/)/.exec(url.pathname)?.[1];
  const path = prefix === undefined ? url.pathname : url.pathname.slice(prefix.length + 1);
  if (prefix === "secured" && !ACCEPTED_AUTHORIZATIONS.has(request.headers.authorization ?? "")) {
    response.writeHead(401, { "Content-Type": "text/plain", "WWW-Authenticate": 'Basic realm="prometheus"' });
    response.end("Unauthorized");
    return;
  }
  if (path === "/api/v1/status/buildinfo" && request.method === "GET" && prefix !== "thanos") {
    sendJson(response, 200, {
      status: "success",
      data: { version: "2.53.1", revision: "abc", goVersion: "go1.22" },
    });
    return;
  }
  if (path === "/api/v1/query") {
    const form = request.method === "POST" ? new URLSearchParams(await readBody(request)) : url.searchParams;
    answerQuery(response, form.get("query") ?? "", form.get("time"));
    return;
  }
  response.writeHead(404, { "Content-Type": "text/plain" });
  response.end("404 page not found");
}

let prometheus: Server;
let base = "";
/** A port nothing listens on: taken, then given back. */
let refusedBase = "";

beforeAll(async () => {
  prometheus = await serveLocally(handle);
  base = urlOf(prometheus);
  refusedBase = await refusedUrl();
});

afterAll(async () => {
  await closeServer(prometheus);
});

type Endpoint = "plain" | "prefixed" | "secured" | "thanos" | "refused";

function connectionTo(endpoint: Endpoint, credentials?: HttpCredentials): PrometheusConnection {
  const urls: Record<Endpoint, string> = {
    plain: base,
    prefixed: `${base}/prom/`,
    secured: `${base}/secured`,
    thanos: `${base}/thanos`,
    refused: refusedBase,
  };
  return {
    url: urls[endpoint],
    timeoutMs: TIMEOUT_MS,
    ...(credentials === undefined ? {} : { credentials }),
  };
}

function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of [TOKEN, BASIC.kind === "basic" ? BASIC.password : ""])
    expect(text).not.toContain(secret);
}

describe("instantQuery", () => {
  it.each<{
    situation: string;
    endpoint: Endpoint;
    credentials?: HttpCredentials;
    query: string;
    expected: (url: string) => unknown;
  }>([
    {
      situation: "a vector: one sample per series",
      endpoint: "plain",
      query: "up",
      expected: () => ({
        ok: true,
        samples: [
          { labels: { __name__: "up", job: "demo-app", instance: "127.0.0.1:1" }, value: 1 },
          { labels: { __name__: "up", job: "operator", instance: "127.0.0.1:2" }, value: 0 },
        ],
      }),
    },
    {
      situation: "+Inf and NaN kept as numbers",
      endpoint: "plain",
      query: "odd",
      expected: () => ({
        ok: true,
        samples: [
          { labels: { s: "a" }, value: Number.POSITIVE_INFINITY },
          { labels: { s: "b" }, value: Number.NaN },
        ],
      }),
    },
    {
      situation: "a URL with a path prefix",
      endpoint: "prefixed",
      query: "up",
      expected: () => ({ ok: true, samples: expect.any(Array) as unknown }),
    },
    {
      situation: "bad_data: Prometheus's own error text",
      endpoint: "plain",
      query: "sum(rate(x[1m])",
      expected: (url) => ({
        ok: false,
        kind: "bad-query",
        message: `Prometheus at ${url} rejected the query (bad_data): invalid parameter "query": 1:16: parse error: unclosed left parenthesis`,
      }),
    },
    {
      situation: "a gateway's 503 HTML page",
      endpoint: "plain",
      query: "html503",
      expected: (url) => ({
        ok: false,
        kind: "unreachable",
        message: `Prometheus at ${url} is not available: HTTP 503 with text/html, not the Prometheus API`,
      }),
    },
    {
      situation: "malformed JSON",
      endpoint: "plain",
      query: "malformed",
      expected: (url) => ({
        ok: false,
        kind: "bad-response",
        message: `Prometheus at ${url} answered HTTP 200 with application/json and a body that is not JSON`,
      }),
    },
    {
      situation: "a query slower than the timeout",
      endpoint: "plain",
      query: "slow",
      expected: (url) => ({
        ok: false,
        kind: "timeout",
        message: `Prometheus at ${url} did not answer within ${TIMEOUT_MS} ms`,
      }),
    },
    {
      situation: "nothing listening on the port",
      endpoint: "refused",
      query: "up",
      expected: (url) => ({
        ok: false,
        kind: "unreachable",
        message: expect.stringMatching(
          new RegExp(`^Prometheus at ${url} unreachable: connect ECONNREFUSED`),
        ) as unknown,
      }),
    },
    {
      situation: "an auth proxy, no credentials",
      endpoint: "secured",
      query: "up",
      expected: (url) => ({
        ok: false,
        kind: "unauthorized",
        message: `Prometheus at ${url} requires credentials (401) and no auth Secret was given`,
      }),
    },
    {
      situation: "an auth proxy, wrong credentials",
      endpoint: "secured",
      credentials: { kind: "bearer", token: "not-the-token" },
      query: "up",
      expected: (url) => ({
        ok: false,
        kind: "unauthorized",
        message: `Prometheus at ${url} refused the credentials from the auth Secret (401)`,
      }),
    },
    {
      situation: "an auth proxy, a bearer token",
      endpoint: "secured",
      credentials: BEARER,
      query: "up",
      expected: () => ({ ok: true, samples: expect.any(Array) as unknown }),
    },
    {
      situation: "an auth proxy, basic credentials",
      endpoint: "secured",
      credentials: BASIC,
      query: "up",
      expected: () => ({ ok: true, samples: expect.any(Array) as unknown }),
    },
  ])("$situation", async ({ endpoint, credentials, query, expected }) => {
    const connection = connectionTo(endpoint, credentials);
    const outcome = await instantQuery(connection, query);
    expect(outcome).toEqual(expected(connection.url.replace(/\/$/, "")));
    expectNoSecrets(outcome);
  });

  it("evaluates at the time asked for", async () => {
    const at = new Date("2026-03-01T12:00:00.250Z");
    expect(await instantQuery(connectionTo("plain"), "time()", at)).toEqual({
      ok: true,
      samples: [{ labels: {}, value: at.getTime() / 1000 }],
    });
  });

  it("names the URL without the credentials written into it", async () => {
    const url = new URL(refusedBase);
    url.username = "watcher";
    url.password = "in-the-url";
    const outcome = await instantQuery({ url: url.href, timeoutMs: TIMEOUT_MS }, "up");
    expect(outcome).toMatchObject({ ok: false, kind: "unreachable" });
    expect(JSON.stringify(outcome)).not.toContain("in-the-url");
  });
});

describe("checkReachable", () => {
  it.each<{
    situation: string;
    endpoint: Endpoint;
    credentials?: HttpCredentials;
    expected: (url: string) => unknown;
  }>([
    {
      situation: "Prometheus: its version",
      endpoint: "plain",
      expected: () => ({ ok: true, version: "2.53.1" }),
    },
    { situation: "a path prefix", endpoint: "prefixed", expected: () => ({ ok: true, version: "2.53.1" }) },
    {
      situation: "a compatible server without build info: a query proves it",
      endpoint: "thanos",
      expected: () => ({ ok: true }),
    },
    {
      situation: "behind an auth proxy, with a token",
      endpoint: "secured",
      credentials: BEARER,
      expected: () => ({ ok: true, version: "2.53.1" }),
    },
    {
      situation: "behind an auth proxy, wrong credentials",
      endpoint: "secured",
      credentials: { kind: "basic", username: "watcher", password: "wrong" },
      expected: (url) => ({
        ok: false,
        message: `Prometheus at ${url} refused the credentials from the auth Secret (401)`,
      }),
    },
    {
      situation: "nothing listening",
      endpoint: "refused",
      expected: (url) => ({
        ok: false,
        message: expect.stringMatching(
          new RegExp(`^Prometheus at ${url} unreachable: connect ECONNREFUSED`),
        ) as unknown,
      }),
    },
  ])("$situation", async ({ endpoint, credentials, expected }) => {
    const connection = connectionTo(endpoint, credentials);
    const outcome = await checkReachable(connection);
    expect(outcome).toEqual(expected(connection.url.replace(/\/$/, "")));
    expectNoSecrets(outcome);
  });

  it("refuses a URL that is not http(s)", async () => {
    expect(await checkReachable({ url: "ftp://prom:2121", timeoutMs: TIMEOUT_MS })).toEqual({
      ok: false,
      message: "Prometheus URL ftp://prom:2121 is not an http(s) URL",
    });
  });
});
