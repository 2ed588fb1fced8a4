import { describe, expect, it } from "vitest";
import { formsOf, MIN_REDACTED_LENGTH, REDACTION, Redactor, secretValuesOf } from "./redaction.js";

const dockerConfig = (entry: Record<string, string>): string =>
  JSON.stringify({ auths: { "registry.example.com": entry } });

describe("formsOf", () => {
  it.each([
    { name: "a plain value", value: "s3cr3t-value", forms: ["s3cr3t-value"] },
    { name: "surrounding whitespace", value: "  s3cr3t\n", forms: ["  s3cr3t\n", "s3cr3t", "  s3cr3t\\n"] },
    {
      name: "each line of a multi-line value",
      value: "line-one\nline-two",
      forms: ["line-one\nline-two", "line-one", "line-two", "line-one\\nline-two"],
    },
    { name: "a JSON-escaped form", value: 'pa"ss\\word', forms: ['pa"ss\\word', 'pa\\"ss\\\\word'] },
    { name: "too short", value: "abc", forms: [] },
    {
      name: "short lines of a longer value are left",
      value: "ab\ncdefg",
      forms: ["ab\ncdefg", "cdefg", "ab\\ncdefg"],
    },
  ])("$name", ({ value, forms }) => {
    expect(new Set(formsOf(value))).toEqual(new Set(forms));
  });

  it(`keeps nothing shorter than ${MIN_REDACTED_LENGTH} characters`, () => {
    expect(formsOf("a\nbb\nccc\ndddd")).not.toContain("ccc");
  });
});

describe("secretValuesOf", () => {
  it.each<{
    name: string;
    purpose: "environment" | "credentials";
    data: Record<string, string>;
    values: string[];
  }>([
    {
      name: "an envFrom Secret: every value",
      purpose: "environment",
      data: { API_TOKEN: "tok-123456", username: "deployer" },
      values: ["tok-123456", "deployer"],
    },
    {
      name: "credentials: the username is an identity, not a secret",
      purpose: "credentials",
      data: { username: "release-operator", password: "hunter2hunter2" },
      values: ["hunter2hunter2"],
    },
    {
      name: "credentials: a token",
      purpose: "credentials",
      data: { token: "ghp_abcdef" },
      values: ["ghp_abcdef"],
    },
    {
      name: "a Docker config: passwords, auth and what auth holds",
      purpose: "credentials",
      data: {
        ".dockerconfigjson": dockerConfig({
          username: "robot",
          password: "robot-pass",
          auth: Buffer.from("robot:robot-pass").toString("base64"),
        }),
      },
      values: ["robot-pass", Buffer.from("robot:robot-pass").toString("base64"), "robot-pass"],
    },
    {
      name: "a Docker config that is not JSON: all of it",
      purpose: "credentials",
      data: { ".dockerconfigjson": "not json at all" },
      values: ["not json at all"],
    },
  ])("$name", ({ purpose, data, values }) => {
    expect(secretValuesOf(purpose, data)).toEqual(values);
  });
});

describe("Redactor", () => {
  it.each([
    { name: "nothing known", known: [], text: "deploying 1.4.2", out: "deploying 1.4.2" },
    {
      name: "a value inside deploy output",
      known: ["sk-DISTINCTIVE-42"],
      text: "2026-12-04T10:00:00Z token is sk-DISTINCTIVE-42, twice: sk-DISTINCTIVE-42",
      out: `2026-12-04T10:00:00Z token is ${REDACTION}, twice: ${REDACTION}`,
    },
    {
      name: "a value holding another is replaced whole",
      known: ["abcd", "abcdefgh"],
      text: "x abcdefgh y abcd",
      out: `x ${REDACTION} y ${REDACTION}`,
    },
    {
      name: "a value as a JSON log line shows it",
      known: ['q"uote'],
      text: JSON.stringify({ msg: 'said q"uote' }),
      out: `{"msg":"said ${REDACTION}"}`,
    },
    {
      name: "a multi-line value printed line by line",
      known: ["-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----"],
      text: "key:\n-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----",
      out: `key:\n${REDACTION}`,
    },
    {
      name: "one line of a multi-line value alone",
      known: ["first-line\nsecond-line"],
      text: "printed second-line only",
      out: `printed ${REDACTION} only`,
    },
  ])("$name", ({ known, text, out }) => {
    const redactor = new Redactor();
    redactor.add(known);
    expect(redactor.redact(text)).toBe(out);
  });

  it("says whether a value was new", () => {
    const redactor = new Redactor();
    expect(redactor.add(["value-one"])).toBe(true);
    expect(redactor.add(["value-one"])).toBe(false);
    expect(redactor.size).toBe(1);
  });

  it("redacts every string of an object, and returns the same object when nothing changed", () => {
    const redactor = new Redactor();
    redactor.add(["hunter2hunter2"]);
    const status = {
      reason: "deploy said hunter2hunter2",
      jobs: [{ name: "job", message: "ok" }],
      count: 3,
      nested: { untouched: "plain" },
    };
    const redacted = redactor.redactDeep(status);
    expect(redacted).toEqual({ ...status, reason: `deploy said ${REDACTION}` });
    expect(redacted.jobs).toBe(status.jobs);
    expect(redacted.nested).toBe(status.nested);
    expect(status.reason).toBe("deploy said hunter2hunter2");
    const clean = { reason: "nothing secret" };
    expect(redactor.redactDeep(clean)).toBe(clean);
  });
});
