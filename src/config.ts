// The operator's configuration: command-line flags, then environment variables, then defaults, each
// value validated with a message that names where it came from, what was given and what is valid.
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { FORMATS, parseDuration } from "./api/v1alpha1/index.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface OperatorConfig {
  /** Absent: in-cluster, else ~/.kube/config (KubeConfig.loadFromDefault). */
  kubeconfig?: string;
  /** Watch one namespace; absent: all namespaces. */
  namespace?: string;
  /** Where /metrics is served; port 0 takes any free port. */
  metricsAddress: { host: string; port: number };
  /** Where /healthz and /readyz are served; port 0 takes any free port. */
  healthAddress: { host: string; port: number };
  leaderElection: {
    enabled: boolean;
    namespace: string;
    name: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  /** This replica's name in the Lease and in Events. */
  identity: string;
  /** Releases reconciled at once. */
  concurrency: number;
  /** How often a blocked gate re-runs its external checks. */
  gateRecheckIntervalMs: number;
  gitCacheDir: string;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  /** A watch with no event for this long is restarted. */
  watchStallAfterMs: number;
}

export type ConfigResult =
  | { ok: true; config: OperatorConfig }
  /** `help`: the message is the usage text, asked for with --help (print it to stdout, exit 0). */
  | { ok: false; help: boolean; message: string };

/** What the machine contributes to defaults; a seam for tests. */
export interface HostFacts {
  hostname: string;
  pid: number;
  tmpdir: string;
}

interface FlagSpec {
  env?: string;
  boolean?: true;
  /** The value's shape in the usage text, e.g. <duration>. */
  value: string;
  describe: string;
  /** The default as the usage text shows it. */
  defaultText: string;
}

const FLAGS = {
  kubeconfig: {
    env: "KUBECONFIG",
    value: "<path>",
    describe: "kubeconfig file to connect with",
    defaultText: "in-cluster service account, else ~/.kube/config",
  },
  namespace: {
    env: "RELEASE_OPERATOR_NAMESPACE",
    value: "<namespace>",
    describe: "watch this namespace only",
    defaultText: "all namespaces",
  },
  "metrics-bind-address": {
    env: "RELEASE_OPERATOR_METRICS_BIND_ADDRESS",
    value: "<[host]:port>",
    describe: "where /metrics is served (port 0: any free port)",
    defaultText: ":8080",
  },
  "health-probe-bind-address": {
    env: "RELEASE_OPERATOR_HEALTH_PROBE_BIND_ADDRESS",
    value: "<[host]:port>",
    describe: "where /healthz and /readyz are served (port 0: any free port)",
    defaultText: ":8081",
  },
  "leader-elect": {
    env: "RELEASE_OPERATOR_LEADER_ELECT",
    boolean: true,
    value: "[=true|false]",
    describe: "hold a Lease so that one replica works at a time",
    defaultText: "true",
  },
  "leader-election-namespace": {
    value: "<namespace>",
    describe: "namespace of the leader election Lease",
    defaultText: "$POD_NAMESPACE, else release-operator-system",
  },
  "leader-election-id": {
    value: "<name>",
    describe: "name of the leader election Lease",
    defaultText: "release-operator",
  },
  "lease-duration": {
    value: "<duration>",
    describe: "how long a leader's claim lasts without renewal before another replica may take over",
    defaultText: "15s",
  },
  "renew-deadline": {
    value: "<duration>",
    describe: "how long the leader keeps trying to renew before it gives up leading",
    defaultText: "10s",
  },
  "retry-period": {
    value: "<duration>",
    describe: "how often the Lease is tried or renewed",
    defaultText: "2s",
  },
  identity: {
    env: "POD_NAME",
    value: "<name>",
    describe: "this replica's name in the Lease and in Events",
    defaultText: "<hostname>_<pid>",
  },
  concurrency: {
    value: "<1..64>",
    describe: "releases reconciled at once",
    defaultText: "4",
  },
  "gate-recheck-interval": {
    value: "<duration>",
    describe: "how often a blocked gate re-runs its external checks",
    defaultText: "1m",
  },
  "git-cache-dir": {
    value: "<path>",
    describe: "where git repositories are cloned",
    defaultText: "<tmpdir>/release-operator-git",
  },
  "log-level": {
    env: "RELEASE_OPERATOR_LOG_LEVEL",
    value: `<${LOG_LEVELS.join("|")}>`,
    describe: "the least severe log level written",
    defaultText: "info",
  },
  "shutdown-timeout": {
    value: "<duration>",
    describe: "how long a graceful shutdown waits for running reconciles",
    defaultText: "30s",
  },
  "watch-stall-after": {
    value: "<duration>",
    describe: "a watch silent for this long is restarted",
    defaultText: "5m",
  },
  help: {
    boolean: true,
    value: "",
    describe: "print this text",
    defaultText: "",
  },
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;

const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAGS, name);
}

function usageLine(name: FlagName): string {
  const spec: FlagSpec = FLAGS[name];
  const flag = `--${name}${spec.value === "" ? "" : spec.boolean ? spec.value : ` ${spec.value}`}`;
  const env = spec.env === undefined ? "" : ` (env ${spec.env})`;
  const defaults = spec.defaultText === "" ? "" : ` [default: ${spec.defaultText}]`;
  return `  ${flag}\n      ${spec.describe}${env}${defaults}`;
}

export const CONFIG_HELP: string = [
  "Usage: release-operator [flags]",
  "",
  "Runs Releases to a verdict. Flags win over environment variables; durations are Go-style (500ms, 15s, 1m30s).",
  "",
  "Flags:",
  ...FLAG_NAMES.map(usageLine),
  "",
].join("\n");

// --- Values: each a zod schema from the text given to the typed value, its message saying what is valid.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const OBJECT_NAME = new RegExp(FORMATS.ObjectName.pattern);

const nonEmpty = z.string().min(1, { error: "a non-empty value" });

const namespaceName = z
  .string()
  .max(63, { error: "a namespace name of at most 63 characters" })
  .regex(DNS_LABEL, { error: "a namespace name: lower-case letters, digits and '-', at most 63 characters" });

const objectName = z
  .string()
  .max(FORMATS.ObjectName.maxLength, { error: FORMATS.ObjectName.describe })
  .regex(OBJECT_NAME, { error: FORMATS.ObjectName.describe });

const positiveDuration = z.string().transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    context.addIssue({ code: "custom", message: "a positive duration such as 500ms, 15s or 1m30s" });
    return z.NEVER;
  }
  return ms;
});

const booleanText = z.string().transform((text, context) => {
  const lower = text.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  context.addIssue({ code: "custom", message: "true or false" });
  return z.NEVER;
});

const concurrencyText = z
  .string()
  .regex(/^[0-9]+$/, { error: "a whole number from 1 to 64" })
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, { error: "a whole number from 1 to 64" })
      .max(64, { error: "a whole number from 1 to 64" }),
  );

const ADDRESS = /^(?:\[([^\]]+)\]|([^:[\]]*)):([0-9]{1,5})$/;

const bindAddress = z.string().transform((text, context) => {
  const match = ADDRESS.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    context.addIssue({
      code: "custom",
      message: "[host]:port with a port from 0 to 65535, such as :8080, 127.0.0.1:9090 or [::1]:8080",
    });
    return z.NEVER;
  }
  const host = match[1] ?? match[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port };
});

const logLevel = z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(", ")}` });

// --- Reading argv.

interface ParsedArgs {
  values: Map<FlagName, string>;
  errors: string[];
}

/**
 * Flags as given, last one winning. `--name value` and `--name=value`; a boolean flag alone means
 * true and takes its value only after `=`, so `--leader-elect false` is refused rather than misread.
 */
function readFlags(argv: readonly string[]): ParsedArgs {
  const values = new Map<FlagName, string>();
  const errors: string[] = [];
  const options = Object.fromEntries(
    FLAG_NAMES.map((name) => [name, { type: "boolean" in FLAGS[name] ? "boolean" : "string" }] as const),
  );
  // strict: false so that unknown flags and `--bool=value` come back as tokens to judge here, with
  // messages of our own, instead of parseArgs's exceptions.
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === "positional") {
      errors.push(`unexpected argument ${JSON.stringify(token.value)}: flags are written --name=value`);
      continue;
    }
    if (token.kind === "option-terminator") {
      errors.push("unexpected '--': the operator takes no arguments after the flags");
      continue;
    }
    const { name, rawName } = token;
    if (rawName.startsWith("-") && !rawName.startsWith("--")) {
      errors.push(`unknown flag ${rawName}: flags are written --name (see --help)`);
      continue;
    }
    if (!isFlagName(name)) {
      errors.push(`unknown flag --${name} (see --help for the flags there are)`);
      continue;
    }
    const spec: FlagSpec = FLAGS[name];
    if (spec.boolean) {
      values.set(name, token.value ?? "true");
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) {
      errors.push(`flag --${name} needs a value: --${name}=${spec.value}`);
    } else {
      values.set(name, token.value);
    }
  }
  return { values, errors };
}

// --- Putting it together.

interface Source {
  /** How the message names it: `--lease-duration` or `KUBECONFIG`. */
  label: string;
  text: string;
}

class ValueReader {
  readonly errors: string[] = [];

  constructor(
    private readonly flags: ReadonlyMap<FlagName, string>,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  /** The flag's text, else its environment variable's (an empty variable counts as unset). */
  source(name: FlagName): Source | undefined {
    const flagText = this.flags.get(name);
    if (flagText !== undefined) return { label: `--${name}`, text: flagText };
    const envName = (FLAGS[name] as FlagSpec).env;
    const envText = envName === undefined ? undefined : this.env[envName];
    if (envName !== undefined && envText !== undefined && envText !== "")
      return { label: envName, text: envText };
    return undefined;
  }

  /** The validated value, the default when neither flag nor env gave one, or the default after recording an error. */
  read<T>(name: FlagName, schema: z.ZodType<T, string>, fallback: T): T {
    const given = this.source(name);
    if (given === undefined) return fallback;
    const parsed = schema.safeParse(given.text);
    if (parsed.success) return parsed.data;
    const expected = parsed.error.issues[0]?.message ?? "a valid value";
    this.errors.push(`${given.label}=${JSON.stringify(given.text)} is not valid: expected ${expected}`);
    return fallback;
  }

  optional<T>(name: FlagName, schema: z.ZodType<T, string>): T | undefined {
    return this.read<T | undefined>(name, schema, undefined);
  }
}

/** Leader election only works if the leader gives up (renew deadline) before others may take over (lease). */
export function leaderTimingProblem(timing: {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}): string | undefined {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timing;
  if (retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs) return undefined;
  return (
    `leader election timing must satisfy --retry-period < --renew-deadline < --lease-duration; ` +
    `found ${retryPeriodMs}ms, ${renewDeadlineMs}ms, ${leaseDurationMs}ms`
  );
}

function defaultHostFacts(): HostFacts {
  return { hostname: os.hostname(), pid: process.pid, tmpdir: os.tmpdir() };
}

export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  host: HostFacts = defaultHostFacts(),
): ConfigResult {
  const { values, errors: flagErrors } = readFlags(argv);
  if (values.has("help") && values.get("help") !== "false")
    return { ok: false, help: true, message: CONFIG_HELP };
  const reader = new ValueReader(values, env);

  const leaseDurationMs = reader.read("lease-duration", positiveDuration, 15_000);
  const renewDeadlineMs = reader.read("renew-deadline", positiveDuration, 10_000);
  const retryPeriodMs = reader.read("retry-period", positiveDuration, 2_000);
  const podNamespace = env.POD_NAMESPACE;
  const config: OperatorConfig = {
    kubeconfig: reader.optional("kubeconfig", nonEmpty),
    namespace: reader.optional("namespace", namespaceName),
    metricsAddress: reader.read("metrics-bind-address", bindAddress, { host: "0.0.0.0", port: 8080 }),
    healthAddress: reader.read("health-probe-bind-address", bindAddress, { host: "0.0.0.0", port: 8081 }),
    leaderElection: {
      enabled: reader.read("leader-elect", booleanText, true),
      namespace: reader.read(
        "leader-election-namespace",
        namespaceName,
        podNamespace !== undefined && podNamespace !== "" ? podNamespace : "release-operator-system",
      ),
      name: reader.read("leader-election-id", objectName, "release-operator"),
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
    identity: reader.read("identity", nonEmpty, `${host.hostname}_${host.pid}`),
    concurrency: reader.read("concurrency", concurrencyText, 4),
    gateRecheckIntervalMs: reader.read("gate-recheck-interval", positiveDuration, 60_000),
    gitCacheDir: reader.read("git-cache-dir", nonEmpty, `${host.tmpdir}/release-operator-git`),
    logLevel: reader.read("log-level", logLevel, "info"),
    shutdownTimeoutMs: reader.read("shutdown-timeout", positiveDuration, 30_000),
    watchStallAfterMs: reader.read("watch-stall-after", positiveDuration, 300_000),
  };
  if (config.kubeconfig === undefined) delete config.kubeconfig;
  if (config.namespace === undefined) delete config.namespace;

  const errors = [...flagErrors, ...reader.errors];
  const timing = leaderTimingProblem(config.leaderElection);
  // Timing is only judged when each duration itself was valid, so one mistake gives one message.
  if (errors.length === 0 && config.leaderElection.enabled && timing !== undefined) errors.push(timing);
  if (errors.length > 0) return { ok: false, help: false, message: errors.join("\n") };
  return { ok: true, config };
}
