import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  describeIssue,
  describeIssues,
  formatPath,
  parseWith,
  renderGiven,
  type SpecIssue,
} from "./validation.js";

describe("formatPath", () => {
  it.each<{ situation: string; path: PropertyKey[]; expected: string }>([
    { situation: "the root alone", path: [], expected: "spec" },
    { situation: "nested fields and a list index", path: ["a", 0, "b"], expected: "spec.a[0].b" },
    {
      situation: "a metric's field",
      path: ["watch", "metrics", 0, "hardRatio"],
      expected: "spec.watch.metrics[0].hardRatio",
    },
    { situation: "a key with an underscore", path: ["_private", "x_1"], expected: "spec._private.x_1" },
    {
      situation: "a label key with dots and a slash",
      path: ["deploy", "nodeSelector", "kubernetes.io/hostname"],
      expected: 'spec.deploy.nodeSelector["kubernetes.io/hostname"]',
    },
    {
      situation: "a key with a dash",
      path: ["deploy", "strategyArgs", "all-at-once", 1],
      expected: 'spec.deploy.strategyArgs["all-at-once"][1]',
    },
    { situation: "a key starting with a digit", path: ["1st"], expected: 'spec["1st"]' },
    { situation: "an empty key", path: [""], expected: 'spec[""]' },
    { situation: "a key holding a quote", path: ['say "hi"'], expected: 'spec["say \\"hi\\""]' },
    { situation: "a symbol key", path: [Symbol("s")], expected: 'spec["Symbol(s)"]' },
  ])("writes $situation as $expected", ({ path, expected }) => {
    expect(formatPath("spec", path)).toBe(expected);
  });
});

describe("renderGiven", () => {
  const long = "x".repeat(100);
  it.each<{ situation: string; value: unknown; expected: string }>([
    { situation: "a string, quoted", value: "5x", expected: '"5x"' },
    { situation: "an empty string", value: "", expected: '""' },
    { situation: "a number", value: 1.5, expected: "1.5" },
    { situation: "a boolean", value: false, expected: "false" },
    { situation: "null", value: null, expected: "null" },
    { situation: "undefined", value: undefined, expected: "undefined" },
    { situation: "a list", value: ["canary", "canary"], expected: '["canary","canary"]' },
    { situation: "an object", value: { path: "/x" }, expected: '{"path":"/x"}' },
    {
      situation: "a string of exactly 80 characters, kept",
      value: "y".repeat(78),
      expected: `"${"y".repeat(78)}"`,
    },
    { situation: "a long string, cut to 80 characters", value: long, expected: `"${"x".repeat(78)}…` },
  ])("renders $situation as $expected", ({ value, expected }) => {
    expect(renderGiven(value)).toBe(expected);
  });

  it("never renders more than 80 characters", () => {
    expect(renderGiven(long)).toHaveLength(80);
    expect(renderGiven({ key: long })).toHaveLength(80);
  });
});

describe("describeIssue", () => {
  it.each<{ situation: string; issue: SpecIssue; expected: string }>([
    {
      situation: "an issue with the value given",
      issue: {
        path: "spec.watch.interval",
        given: '"5x"',
        message: "must be a duration such as 90s, 5m or 1h30m (units ms, s, m, h)",
      },
      expected:
        'spec.watch.interval: got "5x"; must be a duration such as 90s, 5m or 1h30m (units ms, s, m, h)',
    },
    {
      situation: "an issue about a missing field",
      issue: {
        path: "spec.tier",
        message: "is required: it must be one of: production, staging, development",
      },
      expected: "spec.tier: is required: it must be one of: production, staging, development",
    },
  ])("writes $situation as `path: got X; message`", ({ issue, expected }) => {
    expect(describeIssue(issue)).toBe(expected);
  });

  it("describeIssues puts one issue on each line, in order", () => {
    expect(
      describeIssues([
        { path: "spec.a", message: "must be a string", given: "1" },
        { path: "spec.b", message: "is required: it must be a string" },
      ]),
    ).toBe("spec.a: got 1; must be a string\nspec.b: is required: it must be a string");
  });
});

describe("parseWith", () => {
  const schema = z.strictObject({
    name: z.string({ error: () => "must be a string" }),
    kind: z.enum(["a", "b"], { error: () => "must be one of: a, b" }),
    size: z.number({ error: () => "must be a number" }).optional(),
    inner: z.strictObject({ x: z.number({ error: () => "must be a number" }) }).optional(),
    labels: z.record(z.string(), z.string({ error: () => "must be a string" })).optional(),
    tags: z
      .array(z.string(), { error: () => "must be a list" })
      .max(2, { error: () => "must have at most 2 items" })
      .optional(),
  });

  it("returns the value when it is valid", () => {
    expect(parseWith(schema, { name: "n", kind: "a", inner: { x: 1 } }, "spec")).toEqual({
      ok: true,
      value: { name: "n", kind: "a", inner: { x: 1 } },
    });
  });

  it.each<{ situation: string; input: unknown; issues: SpecIssue[] }>([
    {
      situation: "a missing string field: required, no value given",
      input: { kind: "a" },
      issues: [{ path: "spec.name", message: "is required: it must be a string" }],
    },
    {
      situation: "a missing enum field: required too",
      input: { name: "n" },
      issues: [{ path: "spec.kind", message: "is required: it must be one of: a, b" }],
    },
    {
      situation: "a value of the wrong type: the value is given",
      input: { name: 5, kind: "c" },
      issues: [
        { path: "spec.name", message: "must be a string", given: "5" },
        { path: "spec.kind", message: "must be one of: a, b", given: '"c"' },
      ],
    },
    {
      situation: "one unknown field, named",
      input: { name: "n", kind: "a", colour: "red" },
      issues: [{ path: "spec", message: "has unknown field colour" }],
    },
    {
      situation: "two unknown fields in a nested object, both named",
      input: { name: "n", kind: "a", inner: { x: 1, y: 2, z: 3 } },
      issues: [{ path: "spec.inner", message: "has unknown fields y, z" }],
    },
    {
      situation: "an object that is not one: zod's wording replaced",
      input: { name: "n", kind: "a", inner: "x" },
      issues: [{ path: "spec.inner", message: "must be an object", given: '"x"' }],
    },
    {
      situation: "an object given as null: null is what was given",
      input: { name: "n", kind: "a", inner: null },
      issues: [{ path: "spec.inner", message: "must be an object", given: "null" }],
    },
    {
      situation: "no object at all",
      input: undefined,
      issues: [{ path: "spec", message: "is required: it must be an object" }],
    },
    {
      situation: "a string where a list belongs: one issue, not also one about its length",
      input: { name: "n", kind: "a", tags: "abc" },
      issues: [{ path: "spec.tags", message: "must be a list", given: '"abc"' }],
    },
    {
      situation: "a list that is too long",
      input: { name: "n", kind: "a", tags: ["a", "b", "c"] },
      issues: [{ path: "spec.tags", message: "must have at most 2 items" }],
    },
    {
      situation: "a map key with dots, quoted in the path",
      input: { name: "n", kind: "a", labels: { "app.kubernetes.io/name": 1 } },
      issues: [{ path: 'spec.labels["app.kubernetes.io/name"]', message: "must be a string", given: "1" }],
    },
  ])("reports $situation", ({ input, issues }) => {
    expect(parseWith(schema, input, "spec")).toEqual({ ok: false, issues });
  });
});
