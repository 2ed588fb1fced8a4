// Turning schema failures into messages a user can act on: the field path as kubectl shows it, the
// value given, and what is valid.
import type { z } from "zod";

export interface SpecIssue {
  /** The field, e.g. `spec.watch.metrics[0].hardRatio`. */
  path: string;
  /** What is wrong and what is valid. */
  message: string;
  /** The value given, rendered short; absent when the field was missing. */
  given?: string;
}

export type SpecResult<T> = { ok: true; value: T } | { ok: false; issues: SpecIssue[] };

export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

const MAX_GIVEN = 80;

export function renderGiven(value: unknown): string {
  // JSON.stringify returns undefined for undefined, functions and symbols, whatever its type says.
  const json = JSON.stringify(value) as string | undefined;
  const rendered = json ?? String(value);
  return rendered.length > MAX_GIVEN ? `${rendered.slice(0, MAX_GIVEN - 1)}…` : rendered;
}

/** One issue per problem, in the order of the fields. */
export function toSpecIssues(error: z.ZodError, input: unknown, root: string): SpecIssue[] {
  // zod runs length checks on anything with a length, so a string where a list belongs also gets
  // "must have at most N items": a value of the wrong type gets that one issue only.
  const wrongType = new Set(
    error.issues
      .filter((issue) => issue.code === "invalid_type")
      .map((issue) => formatPath(root, issue.path)),
  );
  const issues = error.issues.filter(
    (issue) => issue.code === "invalid_type" || !wrongType.has(formatPath(root, issue.path)),
  );
  return issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return {
        path: formatPath(root, issue.path),
        message: `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`,
      };
    }
    const given = valueAt(input, issue.path);
    // The schemas phrase their own messages, but an object that is not one gets zod's wording.
    const message =
      issue.code === "invalid_type" && issue.expected === "object" ? "must be an object" : issue.message;
    // A missing enum field fails as invalid_value, any other missing field as invalid_type.
    if (given === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
      return { path: formatPath(root, issue.path), message: `is required: it ${message}` };
    }
    return {
      path: formatPath(root, issue.path),
      message,
      ...(given === undefined || (typeof given === "object" && given !== null)
        ? {}
        : { given: renderGiven(given) }),
    };
  });
}

/** `spec.watch.interval: got "5x"; must be a duration such as 90s, 5m or 1h30m (units ms, s, m, h)` */
export function describeIssue(issue: SpecIssue): string {
  return issue.given === undefined
    ? `${issue.path}: ${issue.message}`
    : `${issue.path}: got ${issue.given}; ${issue.message}`;
}

export function describeIssues(issues: readonly SpecIssue[]): string {
  return issues.map(describeIssue).join("\n");
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown, root: string): SpecResult<T> {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: toSpecIssues(result.error, input, root) };
}
