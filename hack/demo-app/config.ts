// The demo app's settings: a JSON config file (`--config`), flags over it, the admin token from the
// file, `--admin-token-file` or DEMO_APP_ADMIN_TOKEN. Never from a flag: flags show in `ps`.
import { parseArgs } from "node:util";

export interface DemoConfig {
  /** The address to listen on; loopback unless told otherwise. */
  readonly host: string;
  /** 0 lets the kernel choose (the chosen port is logged). */
  readonly port: number;
  readonly adminToken: string;
  /** Where the versions, weights and history are kept across restarts. */
  readonly stateFile: string;
  /** What the built-in load generator sends to the app itself; 0 turns it off. */
  readonly requestsPerSecond: number;
  /** Seeds the latency jitter, so two runs answer alike. */
  readonly seed: number;
}

export const DEFAULTS = { host: "127.0.0.1", requestsPerSecond: 20, seed: 1 } as const;
export const TOKEN_ENV = "DEMO_APP_ADMIN_TOKEN";
/** Short enough to type in a test, long enough that nobody uses "x". */
export const MIN_TOKEN_LENGTH = 16;
export const MAX_REQUESTS_PER_SECOND = 1000;

export const USAGE =
  "usage: node --import tsx hack/demo-app/main.ts [--config FILE.json] [--host H] [--port N] [--state-file F] [--rate R] [--seed N] [--admin-token-file F]";

const CONFIG_KEYS = ["host", "port", "adminToken", "stateFile", "requestsPerSecond", "seed"] as const;

export function resolveConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readFile: (file: string) => string,
): DemoConfig {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "state-file": { type: "string" },
      rate: { type: "string" },
      seed: { type: "string" },
      "admin-token-file": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const file = values.config === undefined ? {} : configFile(values.config, readFile(values.config));
  const token =
    values["admin-token-file"] === undefined
      ? (stringSetting(file, "adminToken") ?? env[TOKEN_ENV])
      : readFile(values["admin-token-file"]).trim();

  const stateFile = values["state-file"] ?? stringSetting(file, "stateFile");
  if (stateFile === undefined || stateFile === "")
    throw new Error(`a state file is required (--state-file or "stateFile"); ${USAGE}`);
  if (token === undefined || token.length < MIN_TOKEN_LENGTH) {
    throw new Error(
      `an admin token of at least ${MIN_TOKEN_LENGTH} characters is required ("adminToken" in --config, --admin-token-file or ${TOKEN_ENV})`,
    );
  }
  return {
    host: values.host ?? stringSetting(file, "host") ?? DEFAULTS.host,
    port: integerIn("port", values.port ?? file.port ?? undefined, 0, 65535),
    adminToken: token,
    stateFile,
    requestsPerSecond: numberIn(
      "rate",
      values.rate ?? file.requestsPerSecond ?? DEFAULTS.requestsPerSecond,
      0,
      MAX_REQUESTS_PER_SECOND,
    ),
    seed: integerIn("seed", values.seed ?? file.seed ?? DEFAULTS.seed, 0, 2 ** 32 - 1),
  };
}

function configFile(file: string, content: string): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    throw new Error(
      `config file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`config file ${file} must hold a JSON object with ${CONFIG_KEYS.join(", ")}`);
  }
  const unknown = Object.keys(value).filter((key) => !(CONFIG_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `config file ${file} has unknown keys ${unknown.join(", ")}; valid keys: ${CONFIG_KEYS.join(", ")}`,
    );
  }
  return value as Readonly<Record<string, unknown>>;
}

function stringSetting(file: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = file[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new Error(`config key ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function numberIn(name: string, raw: unknown, min: number, max: number): number {
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function integerIn(name: string, raw: unknown, min: number, max: number): number {
  if (raw === undefined) throw new Error(`${name} is required; ${USAGE}`);
  const value = numberIn(name, raw, min, max);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return value;
}
