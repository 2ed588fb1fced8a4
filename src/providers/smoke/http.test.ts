import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpSmokeSettings } from "../../api/v1alpha1/index.js";
import { runHttpSmokeCase, runHttpSmokeCases } from "./http.js";

let server: http.Server;
let base: string;
const received: { method: string; body: string; header?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({
        method: request.method ?? "",
        body,
        header: request.headers["x-smoke"] as string | undefined,
      });
      const path = request.url ?? "/";
      if (path === "/ok") response.writeHead(200).end('{"status":"ok","version":"1.4.2"}\n');
      else if (path === "/fail")
        response.writeHead(500).end("line 1: database unreachable\nline 2\nline 3\nline 4\nline 5\nline 6\n");
      else if (path === "/slow") setTimeout(() => response.writeHead(200).end("late"), 1500);
      else if (path === "/big") response.writeHead(200).end("z".repeat(2 * 1024 * 1024));
      else if (path === "/moved") response.writeHead(301, { location: "/ok" }).end();
      else response.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

const smokeCase = (changes: Partial<HttpSmokeSettings>): HttpSmokeSettings => ({
  name: "case",
  method: "GET",
  url: `${base}/ok`,
  headers: {},
  expectedStatus: 200,
  timeoutMs: 5000,
  ...changes,
});

describe("runHttpSmokeCase", () => {
  it.each<{
    situation: string;
    changes: () => Partial<HttpSmokeSettings>;
    passed: boolean;
    message?: RegExp;
  }>([
    { situation: "200 as expected", changes: () => ({}), passed: true },
    {
      situation: "contains matches",
      changes: () => ({ bodyMatch: { contains: '"status":"ok"' } }),
      passed: true,
    },
    {
      situation: "regex matches",
      changes: () => ({ bodyMatch: { regex: '"version":"1\\.4\\.\\d+"' } }),
      passed: true,
    },
    {
      situation: "both must match",
      changes: () => ({ bodyMatch: { contains: "ok", regex: "^nope" } }),
      passed: false,
      message: /^body does not match \/\^nope\//,
    },
    {
      situation: "contains does not match",
      changes: () => ({ bodyMatch: { contains: "degraded" } }),
      passed: false,
      message: /^body does not contain "degraded"\n\{"status":"ok"/,
    },
    {
      situation: "500: the status, then the first five lines of the body",
      changes: () => ({ url: `${base}/fail` }),
      passed: false,
      message: /^expected status 200, got 500\nline 1: database unreachable\nline 2\nline 3\nline 4\nline 5$/,
    },
    {
      situation: "a 3xx is not followed",
      changes: () => ({ url: `${base}/moved` }),
      passed: false,
      message: /got 301/,
    },
    {
      situation: "a 3xx may be expected",
      changes: () => ({ url: `${base}/moved`, expectedStatus: 301 }),
      passed: true,
    },
    {
      situation: "slower than the case's timeout",
      changes: () => ({ url: `${base}/slow`, timeoutMs: 300 }),
      passed: false,
      message: /no response within 300ms/,
    },
    {
      situation: "a refused connection",
      changes: () => ({ url: "http://127.0.0.1:1/ok" }),
      passed: false,
      message: /^GET http:\/\/127\.0\.0\.1:1\/ok failed: ECONNREFUSED$/,
    },
    {
      situation: "a response larger than the cap",
      changes: () => ({ url: `${base}/big` }),
      passed: false,
      message: /larger than 1048576 bytes/,
    },
    {
      situation: "an invalid regex fails the case instead of throwing",
      changes: () => ({ bodyMatch: { regex: "([" } }),
      passed: false,
      message: /not a valid regular expression/,
    },
  ])("$situation", async ({ changes, passed, message }) => {
    const outcome = await runHttpSmokeCase(smokeCase(changes()), smokeCase(changes()).timeoutMs);
    expect(outcome.passed).toBe(passed);
    if (message === undefined) expect(outcome.message).toBeUndefined();
    else expect(outcome.message).toMatch(message);
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("sends the method, headers and body as given, and never puts a header value in a message", async () => {
    const outcome = await runHttpSmokeCase(
      smokeCase({
        method: "POST",
        url: `${base}/fail`,
        headers: { "x-smoke": "token-5ecr3t" },
        body: '{"order":1}',
      }),
      5000,
    );
    expect(received.at(-1)).toEqual({ method: "POST", body: '{"order":1}', header: "token-5ecr3t" });
    expect(outcome.message).not.toContain("token-5ecr3t");
  });
});

describe("runHttpSmokeCases", () => {
  it("every case run, results in the cases' order whatever finishes first", async () => {
    const outcomes = await runHttpSmokeCases(
      [
        smokeCase({ name: "slow", url: `${base}/slow` }),
        smokeCase({ name: "fail", url: `${base}/fail` }),
        smokeCase({ name: "ok" }),
      ],
      { deadline: new Date(Date.now() + 10_000), concurrency: 3 },
    );
    expect(outcomes.map((outcome) => [outcome.name, outcome.passed])).toEqual([
      ["slow", true],
      ["fail", false],
      ["ok", true],
    ]);
  });

  it("the phase's deadline bounds each case, and a case after it is not sent", async () => {
    const start = Date.now();
    const outcomes = await runHttpSmokeCases(
      [smokeCase({ name: "slow", url: `${base}/slow` }), smokeCase({ name: "never" })],
      { deadline: new Date(start + 300), concurrency: 1 },
    );
    expect(outcomes[0]).toMatchObject({ name: "slow", passed: false });
    expect(outcomes[0]?.message).toMatch(/no response within/);
    expect(outcomes[1]).toEqual({
      name: "never",
      passed: false,
      durationMs: 0,
      message: "not run: the smoke phase's time ran out",
    });
  });
});
