// Turns the JSON Schema that ts-json-schema-generator writes into a structural OpenAPI v3 schema, as
// a CRD needs it (shared/notes/crd-schemas.md): references inlined, a type on every node, no
// `additionalProperties: false`, free-form objects marked, and the API's formats, bounds, CEL rules
// and defaults attached. Pure: the same input gives the same output, so freshness can be checked.
import type { JSONSchema7, JSONSchema7Definition } from "json-schema";

export interface OpenApiSchema {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean";
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema;
  enum?: (string | number | boolean)[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  "x-kubernetes-preserve-unknown-fields"?: true;
  "x-kubernetes-validations"?: { rule: string; message: string; fieldPath?: string }[];
  "x-kubernetes-list-type"?: "map" | "atomic" | "set";
  "x-kubernetes-list-map-keys"?: string[];
}

export interface StructuralOptions {
  /** String constraints by the name of a type alias (Duration, VersionString, ...). */
  stringFormats: Readonly<Record<string, { pattern: string; maxLength: number }>>;
  /** Number constraints by the name of a type alias (Ratio). */
  numberFormats: Readonly<Record<string, { exclusiveMinimum?: number; minimum?: number; maximum?: number }>>;
  /** CEL rules by the name of the type they sit on. */
  validationRules: Readonly<Record<string, readonly { rule: string; message: string; fieldPath?: string }[]>>;
  /** `x-kubernetes-list-map-keys` by property name. */
  listMapKeys: Readonly<Record<string, readonly string[]>>;
  /** Bound for strings that have none (CEL cost); undefined leaves them unbounded. */
  defaultMaxLength?: number;
}

export class SchemaConversionError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = "SchemaConversionError";
  }
}

interface Context {
  definitions: Readonly<Record<string, JSONSchema7Definition>>;
  options: StructuralOptions;
  where: string;
  /** Type aliases being inlined, to refuse recursive types (a CRD schema cannot be recursive). */
  inlining: readonly string[];
}

const SCALAR_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array"]);

function definitionName(ref: string): string {
  const prefix = "#/definitions/";
  if (!ref.startsWith(prefix))
    throw new SchemaConversionError(ref, "only local #/definitions references are supported");
  return decodeURIComponent(ref.slice(prefix.length));
}

function convertRef(node: JSONSchema7, ref: string, ctx: Context): OpenApiSchema {
  const name = definitionName(ref);
  if (ctx.inlining.includes(name)) {
    throw new SchemaConversionError(
      ctx.where,
      `type ${name} refers to itself; CRD schemas cannot be recursive`,
    );
  }
  const target = ctx.definitions[name];
  if (target === undefined) throw new SchemaConversionError(ctx.where, `unknown type ${name}`);
  const inlined = convertNamed(target, name, { ...ctx, inlining: [...ctx.inlining, name] });
  // A property's own comment is more specific than its type's.
  if (node.description !== undefined) inlined.description = node.description;
  return inlined;
}

/** Converts a schema known by a type name, attaching what the API says about that name. */
export function convertNamed(node: JSONSchema7Definition, name: string, ctx: Context): OpenApiSchema {
  const out = convert(node, ctx);
  const { stringFormats, numberFormats, validationRules } = ctx.options;
  const stringFormat = stringFormats[name];
  if (stringFormat !== undefined) {
    if (out.type !== "string")
      throw new SchemaConversionError(
        ctx.where,
        `format ${name} is for strings, type is ${out.type ?? "none"}`,
      );
    out.pattern = stringFormat.pattern;
    out.maxLength = stringFormat.maxLength;
  }
  const numberFormat = numberFormats[name];
  if (numberFormat !== undefined) {
    if (out.type !== "number" && out.type !== "integer") {
      throw new SchemaConversionError(
        ctx.where,
        `bounds ${name} are for numbers, type is ${out.type ?? "none"}`,
      );
    }
    if (numberFormat.exclusiveMinimum !== undefined) {
      out.minimum = numberFormat.exclusiveMinimum;
      out.exclusiveMinimum = true;
    }
    if (numberFormat.minimum !== undefined) out.minimum = numberFormat.minimum;
    if (numberFormat.maximum !== undefined) out.maximum = numberFormat.maximum;
  }
  const rules = validationRules[name];
  if (rules !== undefined) out["x-kubernetes-validations"] = rules.map((rule) => ({ ...rule }));
  return out;
}

function convert(definition: JSONSchema7Definition, ctx: Context): OpenApiSchema {
  if (typeof definition === "boolean" || Object.keys(definition).length === 0) {
    return { "x-kubernetes-preserve-unknown-fields": true };
  }
  const node = definition;
  if (node.$ref !== undefined) return convertRef(node, node.$ref, ctx);
  for (const unsupported of ["anyOf", "oneOf", "allOf", "not", "if"] as const) {
    if (node[unsupported] !== undefined) {
      throw new SchemaConversionError(
        ctx.where,
        `${unsupported} cannot be expressed structurally; use one type or an enum`,
      );
    }
  }
  const out: OpenApiSchema = {};
  if (node.description !== undefined) out.description = node.description;

  let type = node.type;
  if (type === undefined && node.const !== undefined)
    type = typeof node.const === "number" ? "number" : "string";
  if (Array.isArray(type)) {
    throw new SchemaConversionError(
      ctx.where,
      `a union of types (${type.join(", ")}) is not structural; nullable fields are not supported`,
    );
  }
  if (type === undefined || !SCALAR_TYPES.has(type)) {
    throw new SchemaConversionError(ctx.where, `no usable type (${String(type)})`);
  }
  out.type = type as NonNullable<OpenApiSchema["type"]>;

  if (node.enum !== undefined) {
    out.enum = node.enum.filter(
      (value): value is string | number | boolean => value !== null && typeof value !== "object",
    );
  }
  if (
    node.const !== undefined &&
    (typeof node.const === "string" || typeof node.const === "number" || typeof node.const === "boolean")
  ) {
    out.enum = [node.const];
  }

  switch (out.type) {
    case "string":
      if (node.pattern !== undefined) out.pattern = node.pattern;
      if (node.minLength !== undefined) out.minLength = node.minLength;
      if (node.maxLength !== undefined) out.maxLength = node.maxLength;
      else if (out.enum === undefined && ctx.options.defaultMaxLength !== undefined)
        out.maxLength = ctx.options.defaultMaxLength;
      break;
    case "number":
    case "integer":
      if (node.minimum !== undefined) out.minimum = node.minimum;
      if (node.maximum !== undefined) out.maximum = node.maximum;
      if (typeof node.exclusiveMinimum === "number") {
        out.minimum = node.exclusiveMinimum;
        out.exclusiveMinimum = true;
      }
      break;
    case "array": {
      if (node.items === undefined || Array.isArray(node.items)) {
        throw new SchemaConversionError(ctx.where, "arrays need one item type (tuples are not structural)");
      }
      out.items = convert(node.items, { ...ctx, where: `${ctx.where}[]` });
      if (node.minItems !== undefined) out.minItems = node.minItems;
      if (node.maxItems !== undefined) out.maxItems = node.maxItems;
      break;
    }
    case "object":
      convertObject(node, out, ctx);
      break;
    case "boolean":
      break;
  }
  return out;
}

function convertObject(node: JSONSchema7, out: OpenApiSchema, ctx: Context): void {
  const properties = node.properties ?? {};
  const additional = node.additionalProperties;
  if (Object.keys(properties).length > 0) {
    // `additionalProperties: false` beside `properties` is not structural; the apiserver prunes unknown
    // fields anyway.
    out.properties = {};
    for (const [name, child] of Object.entries(properties)) {
      const where = `${ctx.where}.${name}`;
      const property = convert(child, { ...ctx, where });
      const keys = ctx.options.listMapKeys[name];
      if (keys !== undefined && property.type === "array") {
        property["x-kubernetes-list-type"] = "map";
        property["x-kubernetes-list-map-keys"] = [...keys];
      }
      out.properties[name] = property;
    }
    if (node.required !== undefined && node.required.length > 0) out.required = [...node.required];
    return;
  }
  if (additional !== undefined && typeof additional === "object" && Object.keys(additional).length > 0) {
    out.additionalProperties = convert(additional, { ...ctx, where: `${ctx.where}{}` });
    return;
  }
  // A free-form object (Record<string, unknown>, or an object with no declared fields).
  out["x-kubernetes-preserve-unknown-fields"] = true;
}

/** Converts the root type `name` of a generated schema. */
export function toStructural(
  schema: JSONSchema7,
  name: string,
  options: StructuralOptions,
  where = name,
): OpenApiSchema {
  const definitions = (schema.definitions ?? {}) as Record<string, JSONSchema7Definition>;
  const root = schema.$ref !== undefined ? (definitions[definitionName(schema.$ref)] ?? schema) : schema;
  return convertNamed(root, name, { definitions, options, where, inlining: [name] });
}

/** Walks `a.b[].c` in a schema; undefined when the path does not exist. */
export function schemaAt(schema: OpenApiSchema, path: string): OpenApiSchema | undefined {
  let node: OpenApiSchema | undefined = schema;
  for (const segment of path.split(".")) {
    const isList = segment.endsWith("[]");
    const key = isList ? segment.slice(0, -2) : segment;
    node = node.properties?.[key];
    if (isList) node = node?.items;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Writes each default at its path, and says so in the field's description. */
export function applyDefaults(
  schema: OpenApiSchema,
  defaults: Readonly<Record<string, unknown>>,
  where: string,
): void {
  for (const [path, value] of Object.entries(defaults)) {
    const node = schemaAt(schema, path);
    if (node === undefined)
      throw new SchemaConversionError(`${where}.${path}`, "a default is set for a field that does not exist");
    node.default = value;
    const shown = typeof value === "string" ? `\`${value}\`` : String(value);
    node.description = `${node.description ?? ""}${node.description === undefined ? "" : " "}Defaults to ${shown}.`;
  }
}
