import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, objectLogger, REDACTED, type Logger } from "./log.js";
import { REDACTION, Redactor } from "./runtime/redaction.js";

function capture(
  level = "info",
  redact?: (line: string) => string,
): { log: Logger; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  const log = createLogger({ level, destination: stream, ...(redact === undefined ? {} : { redact }) });
  return {
    log,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("createLogger", () => {
  it("writes one JSON object per line with an ISO time, the level as a word, pid and hostname", () => {
    const { log, lines } = capture();
    log.info({ release: "nav-1-4-2" }, "Created deploy Job");
    const [line] = lines();
    expect(line).toMatchObject({
      level: "info",
      msg: "Created deploy Job",
      release: "nav-1-4-2",
      pid: process.pid,
    });
    expect(typeof line?.hostname).toBe("string");
    expect(line?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("leaves out lines below its level", () => {
    const { log, lines } = capture("warn");
    log.info("not written");
    log.warn("written");
    expect(lines().map((line) => line.msg)).toEqual(["written"]);
  });

  it.each<{ situation: string; fields: Record<string, unknown>; path: string[] }>([
    { situation: "top-level password", fields: { password: "hunter2" }, path: ["password"] },
    { situation: "top-level token", fields: { token: "abc.def" }, path: ["token"] },
    {
      situation: "nested authorization",
      fields: { request: { authorization: "Bearer x" } },
      path: ["request", "authorization"],
    },
    {
      situation: "an HTTP client error's Authorization header",
      fields: { err: { config: { headers: { Authorization: "Basic eA==" } } } },
      path: ["err", "config", "headers", "Authorization"],
    },
    {
      situation: "a kubeconfig user's bearer token",
      fields: { user: { bearerToken: "t0k" } },
      path: ["user", "bearerToken"],
    },
  ])("censors $situation", ({ fields, path }) => {
    const { log, lines } = capture();
    log.info(fields, "with a secret");
    const written = JSON.stringify(lines()[0]);
    const secret = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], fields);
    expect(written).not.toContain(String(secret));
    const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], lines()[0]);
    expect(value).toBe(REDACTED);
  });
});

describe("objectLogger", () => {
  it("puts kind, namespace and name on every line of the child", () => {
    const { log, lines } = capture();
    const child = objectLogger(log, { kind: "Release", namespace: "default", name: "nav-1-4-2" });
    child.info("Started reconcile");
    child.warn("Retried");
    for (const line of lines()) {
      expect(line).toMatchObject({ kind: "Release", namespace: "default", name: "nav-1-4-2" });
    }
    expect(lines()).toHaveLength(2);
  });
});

describe("createLogger with a redactor", () => {
  it("removes secret values wherever they are in a line, not only in secret-named fields", () => {
    const redactor = new Redactor();
    redactor.add(["sk-SEEDED-777", 'with"quote']);
    const { log, lines } = capture("info", (line) => redactor.redact(line));
    log.info(
      { output: "deploy printed sk-SEEDED-777", nested: { note: 'a with"quote b' } },
      "Job sk-SEEDED-777 failed",
    );
    expect(lines()).toEqual([
      expect.objectContaining({
        msg: `Job ${REDACTION} failed`,
        output: `deploy printed ${REDACTION}`,
        nested: { note: `a ${REDACTION} b` },
      }),
    ]);
  });
});
