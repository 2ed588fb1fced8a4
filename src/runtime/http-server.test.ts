import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../log.js";
import { checkReply, startHttpServer, type CheckResult, type HttpServer } from "./http-server.js";

const passing: CheckResult = { ok: true, reasons: ["informers synced"] };
const failing: CheckResult = { ok: false, reasons: ["informer releases not synced", "not leader yet"] };

describe("checkReply", () => {
  it.each<{ situation: string; check: () => CheckResult; verbose: boolean; status: number; body: string }>([
    { situation: "passing", check: () => passing, verbose: false, status: 200, body: "ok\n" },
    {
      situation: "passing, verbose",
      check: () => passing,
      verbose: true,
      status: 200,
      body: "informers synced\nreadyz check passed\n",
    },
    {
      situation: "failing: one reason per line",
      check: () => failing,
      verbose: false,
      status: 503,
      body: "informer releases not synced\nnot leader yet\nreadyz check failed\n",
    },
    {
      situation: "a check that throws fails with its message",
      check: () => {
        throw new Error("cache gone");
      },
      verbose: false,
      status: 503,
      body: "the readyz check threw: cache gone\nreadyz check failed\n",
    },
  ])("$situation", ({ check, verbose, status, body }) => {
    expect(checkReply("readyz", check, verbose)).toMatchObject({ status, body });
  });
});

describe("startHttpServer", () => {
  let server: HttpServer | undefined;
  let healthy: CheckResult = passing;
  let ready: CheckResult = failing;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<HttpServer> {
    const registry = new Registry();
    new Counter({ name: "test_requests_total", help: "a test counter", registers: [registry] }).inc(3);
    server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      registry,
      probes: { healthy: () => healthy, ready: () => ready },
      log: createLogger({ level: "silent" }),
    });
    return server;
  }

  it.each<{ path: string; method?: string; status: number; body: RegExp }>([
    { path: "/metrics", status: 200, body: /^test_requests_total 3$/m },
    { path: "/healthz", status: 200, body: /^ok\n$/ },
    { path: "/healthz?verbose", status: 200, body: /informers synced\nhealthz check passed/ },
    {
      path: "/readyz",
      status: 503,
      body: /^informer releases not synced\nnot leader yet\nreadyz check failed\n$/,
    },
    { path: "/readyz?verbose", status: 503, body: /not leader yet/ },
    { path: "/", status: 404, body: /\/ not found/ },
    { path: "/metricsz", status: 404, body: /not found; try \/metrics/ },
    { path: "/healthz", method: "POST", status: 405, body: /POST is not allowed/ },
  ])("$method $path -> $status", async ({ path, method, status, body }) => {
    const { url } = await start();
    const response = await fetch(`${url}${path}`, { method: method ?? "GET" });
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(body);
  });

  it("serves metrics in Prometheus text format", async () => {
    const { url } = await start();
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("follows the checks as they change", async () => {
    const { url } = await start();
    ready = failing;
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    ready = passing;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    healthy = failing;
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
    healthy = passing;
  });

  it("names the address when the port is taken", async () => {
    const first = await start();
    const port = Number(new URL(first.url).port);
    await expect(
      startHttpServer({
        host: "127.0.0.1",
        port,
        registry: new Registry(),
        probes: { healthy: () => passing, ready: () => passing },
        log: createLogger({ level: "silent" }),
      }),
    ).rejects.toThrow(new RegExp(`serving HTTP on 127.0.0.1:${port} failed: .*EADDRINUSE`));
  });

  it("closes with a keep-alive connection open", async () => {
    const { url } = await start();
    await fetch(`${url}/healthz`, { headers: { connection: "keep-alive" } });
    await server?.close();
    server = undefined;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
