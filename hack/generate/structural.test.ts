import type { JSONSchema7 } from "json-schema";
import { describe, expect, it } from "vitest";
import {
  applyDefaults,
  schemaAt,
  SchemaConversionError,
  toStructural,
  type StructuralOptions,
} from "./structural.js";

const options: StructuralOptions = {
  stringFormats: { Duration: { pattern: "^[0-9]+m$", maxLength: 8 } },
  numberFormats: { Ratio: { exclusiveMinimum: 1, maximum: 10 } },
  validationRules: { Root: [{ rule: "self == oldSelf", message: "immutable" }] },
  listMapKeys: { conditions: ["type"] },
  defaultMaxLength: 100,
};

const root = (
  properties: JSONSchema7["properties"],
  definitions: JSONSchema7["definitions"] = {},
): JSONSchema7 => ({
  $ref: "#/definitions/Root",
  definitions: { ...definitions, Root: { type: "object", additionalProperties: false, properties } },
});

describe("toStructural", () => {
  it.each([
    {
      situation: "a named Duration alias gets its pattern and bound, and keeps the property's own comment",
      input: root(
        { wait: { $ref: "#/definitions/Duration", description: "How long." } },
        { Duration: { type: "string", description: "A duration." } },
      ),
      path: "wait",
      expected: { type: "string", description: "How long.", pattern: "^[0-9]+m$", maxLength: 8 },
    },
    {
      situation: "a Ratio alias becomes an exclusive minimum as OpenAPI v3.0 writes it",
      input: root({ hard: { $ref: "#/definitions/Ratio" } }, { Ratio: { type: "number" } }),
      path: "hard",
      expected: { type: "number", minimum: 1, exclusiveMinimum: true, maximum: 10 },
    },
    {
      situation: "an unbounded string gets the default bound (CEL cost)",
      input: root({ name: { type: "string" } }),
      path: "name",
      expected: { type: "string", maxLength: 100 },
    },
    {
      situation: "an enum string keeps its values and gets no length bound",
      input: root({ tier: { type: "string", enum: ["a", "b"] } }),
      path: "tier",
      expected: { type: "string", enum: ["a", "b"] },
    },
    {
      situation: "a map of strings keeps additionalProperties as its value schema",
      input: root({ labels: { type: "object", additionalProperties: { type: "string" } } }),
      path: "labels",
      expected: { type: "object", additionalProperties: { type: "string", maxLength: 100 } },
    },
    {
      situation: "a Record<string, unknown> becomes a free-form object",
      input: root({ affinity: { type: "object", additionalProperties: {} } }),
      path: "affinity",
      expected: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
    {
      situation: "conditions become a list map keyed by type",
      input: root({ conditions: { type: "array", items: { type: "string", enum: ["x"] }, maxItems: 4 } }),
      path: "conditions",
      expected: {
        type: "array",
        items: { type: "string", enum: ["x"] },
        maxItems: 4,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      },
    },
    {
      situation: "a string literal (const) becomes a one-value enum",
      input: root({ kind: { const: "Release" } }),
      path: "kind",
      expected: { type: "string", enum: ["Release"] },
    },
  ])("$situation", ({ input, path, expected }) => {
    expect(schemaAt(toStructural(input, "Root", options), path)).toEqual(expected);
  });

  it("drops additionalProperties: false beside properties and attaches the root's CEL rules", () => {
    const schema = toStructural(root({ a: { type: "boolean" } }), "Root", options);
    expect(schema).toEqual({
      type: "object",
      properties: { a: { type: "boolean" } },
      "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "immutable" }],
    });
  });

  const refused: { situation: string; node: JSONSchema7; problem: RegExp }[] = [
    { situation: "a union of types", node: { type: ["string", "null"] }, problem: /union of types/ },
    { situation: "an anyOf", node: { anyOf: [{ type: "string" }, { type: "number" }] }, problem: /anyOf/ },
    { situation: "a tuple", node: { type: "array", items: [{ type: "string" }] }, problem: /tuples/ },
    { situation: "an unknown reference", node: { $ref: "#/definitions/Nope" }, problem: /unknown type Nope/ },
  ];
  it.each(refused)("refuses $situation, naming the field", ({ node, problem }) => {
    expect(() => toStructural(root({ field: node }), "Root", options)).toThrow(SchemaConversionError);
    expect(() => toStructural(root({ field: node }), "Root", options)).toThrow(problem);
    expect(() => toStructural(root({ field: node }), "Root", options, "spec")).toThrow(/^spec\.field/);
  });

  it("refuses a recursive type", () => {
    const input = root(
      { child: { $ref: "#/definitions/Node" } },
      {
        Node: { type: "object", properties: { next: { $ref: "#/definitions/Node" } } },
      },
    );
    expect(() => toStructural(input, "Root", options)).toThrow(/refers to itself/);
  });
});

describe("applyDefaults", () => {
  const schema = () =>
    toStructural(
      root({
        watch: { type: "object", properties: { interval: { type: "string", description: "How often." } } },
        cases: { type: "array", items: { type: "object", properties: { status: { type: "integer" } } } },
      }),
      "Root",
      options,
    );

  it.each([
    { path: "watch.interval", value: "1m", description: "How often. Defaults to `1m`." },
    { path: "cases[].status", value: 200, description: "Defaults to 200." },
  ])("writes $path = $value and says so in the description", ({ path, value, description }) => {
    const target = schema();
    applyDefaults(target, { [path]: value }, "spec");
    expect(schemaAt(target, path)).toMatchObject({ default: value, description });
  });

  it("refuses a default for a field that does not exist", () => {
    expect(() => {
      applyDefaults(schema(), { "watch.intervall": "1m" }, "spec");
    }).toThrow("spec.watch.intervall: a default is set for a field that does not exist");
  });
});
