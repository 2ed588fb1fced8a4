import { describe, expect, it } from "vitest";
import { CONFIG_HELP, loadConfig, type OperatorConfig } from "./config.js";

const HOST = { hostname: "node-a", pid: 42, tmpdir: "/tmp" };

const DEFAULTS: OperatorConfig = {
  metricsAddress: { host: "0.0.0.0", port: 8080 },
  healthAddress: { host: "0.0.0.0", port: 8081 },
  leaderElection: {
    enabled: true,
    namespace: "release-operator-system",
    name: "release-operator",
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  },
  identity: "node-a_42",
  concurrency: 4,
  gateRecheckIntervalMs: 60_000,
  gitCacheDir: "/tmp/release-operator-git",
  logLevel: "info",
  shutdownTimeoutMs: 30_000,
  watchStallAfterMs: 300_000,
};

function configOf(argv: string[], env: Record<string, string> = {}): OperatorConfig {
  const result = loadConfig(argv, env, HOST);
  if (!result.ok) throw new Error(`expected a config, got: ${result.message}`);
  return result.config;
}

function messageOf(argv: string[], env: Record<string, string> = {}): string {
  const result = loadConfig(argv, env, HOST);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.config)}`);
  return result.message;
}

describe("loadConfig", () => {
  it("nothing given: every default", () => {
    expect(configOf([])).toEqual(DEFAULTS);
  });

  it.each<{
    situation: string;
    argv: string[];
    env?: Record<string, string>;
    expected: Partial<OperatorConfig>;
  }>([
    {
      situation: "kubeconfig flag",
      argv: ["--kubeconfig", "/k/config"],
      expected: { kubeconfig: "/k/config" },
    },
    {
      situation: "KUBECONFIG env",
      argv: [],
      env: { KUBECONFIG: "/env/config" },
      expected: { kubeconfig: "/env/config" },
    },
    {
      situation: "flag wins over env",
      argv: ["--kubeconfig=/flag/config"],
      env: { KUBECONFIG: "/env/config" },
      expected: { kubeconfig: "/flag/config" },
    },
    {
      situation: "an empty env variable counts as unset",
      argv: [],
      env: { RELEASE_OPERATOR_NAMESPACE: "" },
      expected: {},
    },
    { situation: "one namespace watched", argv: ["--namespace=team-a"], expected: { namespace: "team-a" } },
    {
      situation: "namespace from env",
      argv: [],
      env: { RELEASE_OPERATOR_NAMESPACE: "team-b" },
      expected: { namespace: "team-b" },
    },
    {
      situation: "metrics address with host",
      argv: ["--metrics-bind-address", "127.0.0.1:0"],
      expected: { metricsAddress: { host: "127.0.0.1", port: 0 } },
    },
    {
      situation: "health address port only",
      argv: ["--health-probe-bind-address=:9090"],
      expected: { healthAddress: { host: "0.0.0.0", port: 9090 } },
    },
    {
      situation: "metrics address IPv6",
      argv: ["--metrics-bind-address=[::1]:8443"],
      expected: { metricsAddress: { host: "::1", port: 8443 } },
    },
    {
      situation: "addresses from env, as the Deployment sets them",
      argv: [],
      env: {
        RELEASE_OPERATOR_METRICS_BIND_ADDRESS: "localhost:7000",
        RELEASE_OPERATOR_HEALTH_PROBE_BIND_ADDRESS: ":7001",
      },
      expected: {
        metricsAddress: { host: "localhost", port: 7000 },
        healthAddress: { host: "0.0.0.0", port: 7001 },
      },
    },
    {
      situation: "identity from POD_NAME",
      argv: [],
      env: { POD_NAME: "operator-7d9f-x2" },
      expected: { identity: "operator-7d9f-x2" },
    },
    {
      situation: "identity flag",
      argv: ["--identity", "me"],
      env: { POD_NAME: "pod" },
      expected: { identity: "me" },
    },
    { situation: "concurrency", argv: ["--concurrency=16"], expected: { concurrency: 16 } },
    {
      situation: "gate recheck interval",
      argv: ["--gate-recheck-interval=30s"],
      expected: { gateRecheckIntervalMs: 30_000 },
    },
    {
      situation: "git cache dir",
      argv: ["--git-cache-dir=/var/cache/git"],
      expected: { gitCacheDir: "/var/cache/git" },
    },
    { situation: "log level flag", argv: ["--log-level=debug"], expected: { logLevel: "debug" } },
    {
      situation: "log level env",
      argv: [],
      env: { RELEASE_OPERATOR_LOG_LEVEL: "warn" },
      expected: { logLevel: "warn" },
    },
    {
      situation: "shutdown timeout",
      argv: ["--shutdown-timeout=1m30s"],
      expected: { shutdownTimeoutMs: 90_000 },
    },
    { situation: "watch stall", argv: ["--watch-stall-after=10m"], expected: { watchStallAfterMs: 600_000 } },
    {
      situation: "the last of a repeated flag wins",
      argv: ["--concurrency=2", "--concurrency=3"],
      expected: { concurrency: 3 },
    },
  ])("$situation", ({ argv, env, expected }) => {
    expect(configOf(argv, env)).toEqual({ ...DEFAULTS, ...expected });
  });

  it.each<{
    situation: string;
    argv: string[];
    env?: Record<string, string>;
    expected: Partial<OperatorConfig["leaderElection"]>;
  }>([
    { situation: "bare boolean flag", argv: ["--leader-elect"], expected: { enabled: true } },
    { situation: "boolean flag =false", argv: ["--leader-elect=false"], expected: { enabled: false } },
    {
      situation: "boolean env false",
      argv: [],
      env: { RELEASE_OPERATOR_LEADER_ELECT: "false" },
      expected: { enabled: false },
    },
    {
      situation: "boolean env 0",
      argv: [],
      env: { RELEASE_OPERATOR_LEADER_ELECT: "0" },
      expected: { enabled: false },
    },
    {
      situation: "boolean flag wins over env",
      argv: ["--leader-elect=true"],
      env: { RELEASE_OPERATOR_LEADER_ELECT: "false" },
      expected: { enabled: true },
    },
    {
      situation: "lease namespace from POD_NAMESPACE",
      argv: [],
      env: { POD_NAMESPACE: "ops" },
      expected: { namespace: "ops" },
    },
    {
      situation: "lease namespace flag over POD_NAMESPACE",
      argv: ["--leader-election-namespace=elect"],
      env: { POD_NAMESPACE: "ops" },
      expected: { namespace: "elect" },
    },
    {
      situation: "lease name",
      argv: ["--leader-election-id=ro.example.com"],
      expected: { name: "ro.example.com" },
    },
    {
      situation: "short timings in order",
      argv: ["--lease-duration=3s", "--renew-deadline=2s", "--retry-period=500ms"],
      expected: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 },
    },
    {
      situation: "timing out of order is not judged when leader election is off",
      argv: ["--leader-elect=false", "--retry-period=20s"],
      expected: { enabled: false, retryPeriodMs: 20_000 },
    },
  ])("leader election: $situation", ({ argv, env, expected }) => {
    expect(configOf(argv, env).leaderElection).toEqual({ ...DEFAULTS.leaderElection, ...expected });
  });

  it.each<{ situation: string; argv: string[]; env?: Record<string, string>; message: RegExp }>([
    { situation: "unknown flag", argv: ["--verbose"], message: /unknown flag --verbose/ },
    { situation: "short flag", argv: ["-v"], message: /unknown flag -v/ },
    { situation: "positional argument", argv: ["run"], message: /unexpected argument "run"/ },
    {
      situation: "flag missing its value at the end",
      argv: ["--namespace"],
      message: /flag --namespace needs a value/,
    },
    {
      situation: "flag followed by another flag instead of its value",
      argv: ["--namespace", "--log-level=debug"],
      message: /flag --namespace needs a value/,
    },
    {
      situation: "boolean with a word",
      argv: ["--leader-elect=maybe"],
      message: /--leader-elect="maybe" is not valid: expected true or false/,
    },
    {
      situation: "boolean env with a word",
      argv: [],
      env: { RELEASE_OPERATOR_LEADER_ELECT: "yes please" },
      message: /RELEASE_OPERATOR_LEADER_ELECT="yes please" is not valid/,
    },
    {
      situation: "boolean value as a separate argument",
      argv: ["--leader-elect", "false"],
      message: /unexpected argument "false"/,
    },
    {
      situation: "duration without unit",
      argv: ["--lease-duration=15"],
      message: /--lease-duration="15" is not valid: expected a positive duration/,
    },
    {
      situation: "zero duration",
      argv: ["--shutdown-timeout=0s"],
      message: /--shutdown-timeout="0s" is not valid/,
    },
    {
      situation: "concurrency above 64",
      argv: ["--concurrency=65"],
      message: /--concurrency="65" is not valid: expected a whole number from 1 to 64/,
    },
    { situation: "concurrency zero", argv: ["--concurrency=0"], message: /--concurrency="0" is not valid/ },
    {
      situation: "concurrency not a number",
      argv: ["--concurrency=four"],
      message: /--concurrency="four" is not valid/,
    },
    {
      situation: "port out of range",
      argv: ["--metrics-bind-address=:70000"],
      message: /--metrics-bind-address=":70000" is not valid: expected \[host\]:port/,
    },
    {
      situation: "address without port",
      argv: ["--health-probe-bind-address=localhost"],
      message: /--health-probe-bind-address="localhost" is not valid/,
    },
    {
      situation: "address from env",
      argv: [],
      env: { RELEASE_OPERATOR_METRICS_BIND_ADDRESS: "8080" },
      message: /RELEASE_OPERATOR_METRICS_BIND_ADDRESS="8080" is not valid/,
    },
    {
      situation: "log level unknown",
      argv: ["--log-level=verbose"],
      message: /--log-level="verbose" is not valid: expected one of trace, debug, info, warn, error/,
    },
    {
      situation: "log level from env",
      argv: [],
      env: { RELEASE_OPERATOR_LOG_LEVEL: "INFO" },
      message: /RELEASE_OPERATOR_LOG_LEVEL="INFO" is not valid/,
    },
    {
      situation: "namespace upper case",
      argv: ["--namespace=Team"],
      message: /--namespace="Team" is not valid: expected a namespace name/,
    },
    {
      situation: "lease name with a space",
      argv: ["--leader-election-id=my lease"],
      message: /--leader-election-id="my lease" is not valid/,
    },
    {
      situation: "empty identity",
      argv: ["--identity="],
      message: /--identity="" is not valid: expected a non-empty value/,
    },
    {
      situation: "retry period not below renew deadline",
      argv: ["--retry-period=10s"],
      message: /--retry-period < --renew-deadline < --lease-duration; found 10000ms, 10000ms, 15000ms/,
    },
    {
      situation: "renew deadline not below lease duration",
      argv: ["--lease-duration=5s", "--renew-deadline=5s", "--retry-period=1s"],
      message: /found 1000ms, 5000ms, 5000ms/,
    },
  ])("refuses $situation, naming the flag and what is valid", ({ argv, env, message }) => {
    expect(messageOf(argv, env)).toMatch(message);
  });

  it("reports every bad value at once, one per line", () => {
    const lines = messageOf(["--concurrency=0", "--log-level=loud", "--bogus"]).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/unknown flag --bogus/);
    expect(lines[1]).toMatch(/--concurrency="0"/);
    expect(lines[2]).toMatch(/--log-level="loud"/);
  });

  it.each([["--help"], ["--help=true"]])("%s returns the usage text as help", (flag) => {
    expect(loadConfig(["--concurrency=0", flag], {}, HOST)).toEqual({
      ok: false,
      help: true,
      message: CONFIG_HELP,
    });
  });
});

describe("CONFIG_HELP", () => {
  it.each([
    ["--kubeconfig", "KUBECONFIG"],
    ["--namespace", "RELEASE_OPERATOR_NAMESPACE"],
    ["--metrics-bind-address", "RELEASE_OPERATOR_METRICS_BIND_ADDRESS"],
    ["--health-probe-bind-address", "RELEASE_OPERATOR_HEALTH_PROBE_BIND_ADDRESS"],
    ["--leader-elect", "RELEASE_OPERATOR_LEADER_ELECT"],
    ["--identity", "POD_NAME"],
    ["--log-level", "RELEASE_OPERATOR_LOG_LEVEL"],
  ])("names %s with its env variable %s", (flag, env) => {
    const line = CONFIG_HELP.split("\n").findIndex((text) => text.trimStart().startsWith(flag));
    expect(line).toBeGreaterThan(-1);
    expect(CONFIG_HELP.split("\n")[line + 1]).toContain(`(env ${env})`);
  });

  it.each([
    ["--lease-duration", "15s"],
    ["--renew-deadline", "10s"],
    ["--retry-period", "2s"],
    ["--concurrency", "4"],
    ["--gate-recheck-interval", "1m"],
    ["--shutdown-timeout", "30s"],
    ["--watch-stall-after", "5m"],
    ["--leader-election-id", "release-operator"],
  ])("shows the default of %s: %s", (flag, defaultText) => {
    const lines = CONFIG_HELP.split("\n");
    const line = lines.findIndex((text) => text.trimStart().startsWith(flag));
    expect(lines[line + 1]).toContain(`[default: ${defaultText}]`);
  });
});
