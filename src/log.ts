// The operator's logs: pino JSON lines, one object per line, with the fields Kubernetes log tooling
// expects (ISO time, level as a word) and secrets censored by field name wherever they are nested.
import { pino, type Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;

/** Field names whose values never reach a log line, in the spellings headers and configs use. */
const SECRET_FIELDS = ["password", "token", "authorization", "Authorization", "bearerToken"] as const;

/**
 * Redaction paths for the secret fields at the top and up to three objects deep: deep enough for
 * `err.config.headers.Authorization` of an HTTP client error, without pino's cost of a catch-all.
 */
export const REDACTED_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `*.*.*.${field}`,
]);

export const REDACTED = "[REDACTED]";

export function createLogger(options: {
  level: string;
  destination?: NodeJS.WritableStream;
  /** Applied to every serialized line: removes values (secrets) wherever they appear, not only by field name. */
  redact?: (line: string) => string;
}): Logger {
  const redactLine = options.redact;
  const config: pino.LoggerOptions = {
    level: options.level,
    // pid and hostname stay in `base` (pino's default): they tell the replicas apart.
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    ...(redactLine === undefined ? {} : { hooks: { streamWrite: (line: string) => redactLine(line) } }),
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

/** A child logger whose every line names the object it is about. */
export function objectLogger(log: Logger, object: { kind: string; namespace: string; name: string }): Logger {
  return log.child({ kind: object.kind, namespace: object.namespace, name: object.name });
}
