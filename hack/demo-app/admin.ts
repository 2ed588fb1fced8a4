// The admin API's requests, checked and turned into commands: pure, so every rejection is unit-tested.
// Routes and bodies are documented in main.ts. A request that can never be right is a 400 naming what is
// wrong and what is valid; one that is right but impossible in the current state is a 409 (state.ts).
import {
  STRATEGIES,
  type Command,
  type Deployment,
  type DemoState,
  type DemoStrategy,
  type HistoryEntry,
} from "./state.js";

export type AdminRequest =
  | { readonly kind: "read" }
  | { readonly kind: "command"; readonly command: Command }
  | { readonly kind: "error"; readonly status: 400 | 404 | 405; readonly error: string };

type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The admin routes and the methods each takes, for 404 and 405 answers. */
export const ADMIN_ROUTES: Readonly<Record<string, readonly string[]>> = {
  "/admin/state": ["GET", "PUT"],
  "/admin/deploy": ["POST"],
  "/admin/weight": ["POST"],
  "/admin/promote": ["POST"],
  "/admin/rollback": ["POST"],
};

/** Fields of a `GET /admin/state` answer that a `PUT` may send back; they are derived or kept, never set. */
const READ_ONLY_STATE_FIELDS = ["weights", "history", "versions"] as const;

export function parseAdminRequest(
  method: string,
  pathname: string,
  body: string,
  knownVersions: readonly string[],
): AdminRequest {
  const methods = ADMIN_ROUTES[pathname];
  if (methods === undefined) {
    return {
      kind: "error",
      status: 404,
      error: `no admin route ${pathname}; routes: ${Object.keys(ADMIN_ROUTES).join(", ")}`,
    };
  }
  if (!methods.includes(method)) {
    return { kind: "error", status: 405, error: `${pathname} takes ${methods.join(" or ")}, not ${method}` };
  }
  if (method === "GET") return { kind: "read" };

  const parsed = parseBody(body, pathname === "/admin/promote" || pathname === "/admin/rollback");
  if (!parsed.ok) return badRequest(parsed.error);
  const command = commandFor(pathname, parsed.value, knownVersions);
  return command.ok ? { kind: "command", command: command.value } : badRequest(command.error);
}

function badRequest(error: string): AdminRequest {
  return { kind: "error", status: 400, error };
}

function commandFor(
  pathname: string,
  body: Readonly<Record<string, unknown>>,
  known: readonly string[],
): Checked<Command> {
  switch (pathname) {
    case "/admin/deploy":
      return deployCommand(body, known);
    case "/admin/weight": {
      const fields = onlyFields(body, ["weight"]);
      if (!fields.ok) return fields;
      const weight = requiredWeight(body);
      if (!weight.ok) return weight;
      return { ok: true, value: { action: "set-weight", weight: weight.value } };
    }
    case "/admin/promote":
    case "/admin/rollback": {
      const action = pathname === "/admin/promote" ? "promote" : "rollback";
      const fields = onlyFields(body, ["version"]);
      if (!fields.ok) return fields;
      const version = optionalVersion(body, known);
      if (!version.ok) return version;
      return {
        ok: true,
        value: version.value === undefined ? { action } : { action, version: version.value },
      };
    }
    case "/admin/state": {
      const deployment = parseDeployment(body, known, READ_ONLY_STATE_FIELDS);
      return deployment.ok
        ? { ok: true, value: { action: "restore", deployment: deployment.value } }
        : deployment;
    }
    default:
      return { ok: false, error: `no command for ${pathname}` };
  }
}

function deployCommand(body: Readonly<Record<string, unknown>>, known: readonly string[]): Checked<Command> {
  const fields = onlyFields(body, ["version", "strategy", "weight"]);
  if (!fields.ok) return fields;
  const version = requiredVersion(body, known);
  if (!version.ok) return version;
  const strategy = strategyField(body.strategy);
  if (!strategy.ok) return strategy;
  if (strategy.value === "canary") {
    const weight = requiredWeight(body);
    if (!weight.ok) return weight;
    return {
      ok: true,
      value: { action: "deploy", version: version.value, strategy: "canary", weight: weight.value },
    };
  }
  if (body.weight !== undefined) {
    return {
      ok: false,
      error: `weight applies to the canary strategy only, not ${strategy.value}; change a weight later with POST /admin/weight`,
    };
  }
  return { ok: true, value: { action: "deploy", version: version.value, strategy: strategy.value } };
}

/** A JSON object body; an empty body counts as `{}` where every field is optional. */
function parseBody(body: string, emptyAllowed: boolean): Checked<Readonly<Record<string, unknown>>> {
  if (body.trim() === "") {
    return emptyAllowed ? { ok: true, value: {} } : { ok: false, error: "the body must be a JSON object" };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      error: `the body is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (!isRecord(value)) {
    return { ok: false, error: `the body must be a JSON object, not ${describeJson(value)}` };
  }
  return { ok: true, value };
}

function onlyFields(body: Readonly<Record<string, unknown>>, allowed: readonly string[]): Checked<undefined> {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length === 0) return { ok: true, value: undefined };
  return {
    ok: false,
    error: `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; valid fields: ${allowed.join(", ")}`,
  };
}

function optionalVersion(
  body: Readonly<Record<string, unknown>>,
  known: readonly string[],
  field = "version",
): Checked<string | undefined> {
  return body[field] === undefined ? { ok: true, value: undefined } : requiredVersion(body, known, field);
}

function requiredVersion(
  body: Readonly<Record<string, unknown>>,
  known: readonly string[],
  field = "version",
): Checked<string> {
  const value = body[field];
  if (value === undefined)
    return { ok: false, error: `${field} is required; known versions: ${known.join(", ")}` };
  if (typeof value !== "string" || !known.includes(value)) {
    return {
      ok: false,
      error: `unknown ${field} ${JSON.stringify(value)}; known versions: ${known.join(", ")}`,
    };
  }
  return { ok: true, value };
}

function strategyField(value: unknown): Checked<DemoStrategy> {
  const strategy = STRATEGIES.find((name) => name === value);
  if (strategy !== undefined) return { ok: true, value: strategy };
  const got = value === undefined ? "strategy is required" : `unknown strategy ${JSON.stringify(value)}`;
  return { ok: false, error: `${got}; valid strategies: ${STRATEGIES.join(", ")}` };
}

function requiredWeight(body: Readonly<Record<string, unknown>>): Checked<number> {
  const value = body.weight;
  if (value === undefined) {
    return {
      ok: false,
      error: "weight is required: the candidate's share of traffic, a number from 0 to 100",
    };
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 100) {
    return {
      ok: false,
      error: `weight must be a number from 0 to 100 (percent of traffic), got ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, value };
}

/**
 * A deployment as sent to `PUT /admin/state` or read from the state file: known versions, a candidate
 * other than the stable version, weights within 0..100.
 */
export function parseDeployment(
  body: Readonly<Record<string, unknown>>,
  known: readonly string[],
  ignored: readonly string[] = [],
): Checked<Deployment> {
  const fields = onlyFields(body, ["stable", "candidate", "previousStable", ...ignored]);
  if (!fields.ok) return fields;
  const stable = requiredVersion(body, known, "stable");
  if (!stable.ok) return stable;
  const previousStable = optionalVersion(body, known, "previousStable");
  if (!previousStable.ok) return previousStable;
  const base: Deployment = {
    stable: stable.value,
    ...(previousStable.value !== undefined ? { previousStable: previousStable.value } : {}),
  };
  if (body.candidate === undefined || body.candidate === null) return { ok: true, value: base };
  if (!isRecord(body.candidate)) {
    return {
      ok: false,
      error: `candidate must be an object {"version": ..., "weight": ...}, not ${describeJson(body.candidate)}`,
    };
  }
  const candidateFields = onlyFields(body.candidate, ["version", "weight"]);
  if (!candidateFields.ok) return { ok: false, error: `candidate: ${candidateFields.error}` };
  const version = requiredVersion(body.candidate, known);
  if (!version.ok) return { ok: false, error: `candidate: ${version.error}` };
  const weight = requiredWeight(body.candidate);
  if (!weight.ok) return { ok: false, error: `candidate: ${weight.error}` };
  if (version.value === stable.value) {
    return {
      ok: false,
      error: `candidate ${stable.value} is the stable version; a candidate must be another version`,
    };
  }
  return { ok: true, value: { ...base, candidate: { version: version.value, weight: weight.value } } };
}

/** The state file's content: a deployment and its history. */
export function parseStoredState(value: unknown, known: readonly string[]): Checked<DemoState> {
  if (!isRecord(value)) return { ok: false, error: `expected a JSON object, found ${describeJson(value)}` };
  const deployment = parseDeployment(value, known, ["history"]);
  if (!deployment.ok) return deployment;
  const history = value.history ?? [];
  if (!Array.isArray(history) || !history.every(isHistoryEntry)) {
    return { ok: false, error: "history must be a list of {at, action, summary, weights} entries" };
  }
  return { ok: true, value: { ...deployment.value, history } };
}

function isHistoryEntry(value: unknown): value is HistoryEntry {
  return (
    isRecord(value) &&
    typeof value.at === "string" &&
    typeof value.action === "string" &&
    typeof value.summary === "string" &&
    isRecord(value.weights)
  );
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
