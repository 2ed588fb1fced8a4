// Runs the chart's Argo CD health check for Release objects in a real Lua interpreter, inside a sandbox
// shaped like Argo CD's (fixtures/argocd/argo-cd-sandbox.lua): the object goes in as a Lua table
// literal, the returned status and message come back as JSON.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { manualInstallCommand } from "../../hack/cluster/debian.js";
import { chartDir } from "./render.js";

/** The health check as the chart ships it; docs/argocd.md and the rendered ConfigMap carry the same text. */
export const HEALTH_CHECK_PATH = join(chartDir, "argocd/release-health.lua");

/** The key Argo CD reads a Release's health check from, in argocd-cm. */
export const HEALTH_CHECK_KEY = "resource.customizations.health.release-operator.io_Release";

/** Debian's Lua 5.4 interpreter (package lua5.4); hack/cluster/debian.ts installs it. */
export const LUA = "lua5.4";

const SANDBOX = fileURLToPath(new URL("./fixtures/argocd/argo-cd-sandbox.lua", import.meta.url));

/** What Argo CD accepts as a health status; anything else it shows as Unknown. */
export const HEALTH_STATUSES = ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"];

export interface Health {
  status: string;
  message: string;
}

/**
 * A Lua string literal of `text`: printable ASCII as is, every other byte of its UTF-8 (control
 * characters, quotes, backslashes, non-ASCII) as a three-digit decimal escape, which Lua 5.1 and 5.4
 * read the same and which cannot swallow a digit that follows.
 */
function luaString(text: string): string {
  let literal = '"';
  for (const byte of Buffer.from(text, "utf8")) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    literal += printable ? String.fromCharCode(byte) : `\\${byte.toString().padStart(3, "0")}`;
  }
  return `${literal}"`;
}

/**
 * A Lua table constructor for a JSON value, shaped as Argo CD hands objects to Lua: objects become
 * tables keyed by string, arrays 1-based sequences, null nil. Anything JSON cannot hold is refused,
 * naming where it is.
 */
export function luaLiteral(value: unknown, path = "$"): string {
  if (value === null) return "nil";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return luaString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${path}: ${value} has no JSON form`);
    return String(value);
  }
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return `{${items.map((item, index) => luaLiteral(item, `${path}[${index}]`)).join(", ")}}`;
  }
  if (typeof value === "object") {
    const fields = Object.entries(value).map(
      ([key, field]) => `[${luaString(key)}] = ${luaLiteral(field, `${path}.${key}`)}`,
    );
    return `{${fields.join(", ")}}`;
  }
  throw new Error(`${path}: a ${typeof value} has no JSON form`);
}

/** Fails with how to install Lua when the interpreter is missing: the health check is never left untested. */
export async function ensureLua(): Promise<void> {
  const probe = await execa(LUA, ["-v"], { reject: false });
  if (probe.failed) {
    const why = probe.code === "ENOENT" ? "is not on PATH" : `did not run (${probe.shortMessage})`;
    throw new Error(
      `${LUA} ${why}: the Argo CD health check (${HEALTH_CHECK_PATH}) is tested with a real Lua interpreter; install it with: ${manualInstallCommand([LUA])}`,
    );
  }
}

interface SandboxOutput {
  error?: string;
  status?: string | null;
  statusType?: string;
  message?: string | null;
  messageType?: string;
}

/**
 * Argo CD's verdict on `object`, which is first turned into JSON and back, as the API server serves
 * it (a Date becomes its timestamp, undefined fields disappear). Throws when the check raises an
 * error or returns something Argo CD cannot read, with the interpreter's words.
 */
export async function assessHealth(object: unknown, healthCheck = HEALTH_CHECK_PATH): Promise<Health> {
  const served: unknown = object === undefined ? null : JSON.parse(JSON.stringify(object));
  const run = await execa(LUA, [SANDBOX, healthCheck], { input: luaLiteral(served), reject: false });
  let output: SandboxOutput;
  try {
    output = JSON.parse(run.stdout) as SandboxOutput;
  } catch {
    throw new Error(
      `${LUA} ${SANDBOX} ${healthCheck} printed no JSON (exit code ${String(run.exitCode)}): ${run.stdout}${run.stderr}`,
    );
  }
  if (output.error !== undefined) throw new Error(`${healthCheck}: ${output.error}`);
  if (typeof output.status !== "string" || typeof output.message !== "string") {
    throw new Error(
      `${healthCheck} returned status of Lua type ${String(output.statusType)} and message of Lua type ${String(output.messageType)}; Argo CD needs two strings`,
    );
  }
  if (!HEALTH_STATUSES.includes(output.status)) {
    throw new Error(
      `${healthCheck} returned status ${JSON.stringify(output.status)}, which Argo CD shows as Unknown; it knows ${HEALTH_STATUSES.join(", ")}`,
    );
  }
  return { status: output.status, message: output.message };
}

/**
 * What a health check must not use: syntax newer than Lua 5.1 (Argo CD runs gopher-lua) and the
 * libraries Argo CD's sandbox leaves closed. Comments and double-quoted strings are not code and are
 * skipped; the check uses no other kind of string.
 */
const FORBIDDEN: readonly { what: string; pattern: RegExp }[] = [
  { what: "the string library", pattern: /\bstring\s*\./ },
  { what: "the math library", pattern: /\bmath\s*\./ },
  { what: "the os library", pattern: /\bos\s*\./ },
  { what: "the io library", pattern: /\bio\s*\./ },
  { what: "the utf8 library (Lua 5.3)", pattern: /\butf8\s*\./ },
  { what: "loading code", pattern: /\b(require|load|loadstring|loadfile|dofile)\s*\(/ },
  // A string has no methods in Argo CD, and the check calls none on anything.
  { what: "a method call or a label", pattern: /:/ },
  { what: "goto (Lua 5.2)", pattern: /\bgoto\b/ },
  { what: "integer division or bitwise operators (Lua 5.3)", pattern: /\/\/|&|\||<<|>>|~(?!=)/ },
  { what: "variable attributes (Lua 5.4)", pattern: /<\s*(const|close)\s*>/ },
];

export function lua51Violations(source: string): string[] {
  const code = source
    .split("\n")
    .map((line) => line.replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/--.*$/, ""))
    .join("\n");
  return FORBIDDEN.filter(({ pattern }) => pattern.test(code)).map(({ what }) => what);
}
