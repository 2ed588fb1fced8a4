// The operator's entry point: configuration from flags and environment, then run until SIGTERM/SIGINT
// (graceful: in-flight reconciles finish, the Lease is released) or until leadership is lost.
import { CONFIG_HELP, loadConfig } from "./config.js";
import { runOperator } from "./controller/operator.js";
import { createLogger } from "./log.js";
import { Redactor } from "./runtime/redaction.js";

async function main(): Promise<number> {
  const loaded = loadConfig(process.argv.slice(2), process.env);
  if (!loaded.ok) {
    if (loaded.help) {
      process.stdout.write(`${loaded.message}\n`);
      return 0;
    }
    process.stderr.write(`release-operator: invalid configuration:\n${loaded.message}\n\n${CONFIG_HELP}\n`);
    return 2;
  }
  const config = loaded.config;
  // One set of secret values for the whole process: logs, Events, status, reports and git all pass through it.
  const redactor = new Redactor();
  const log = createLogger({ level: config.logLevel, redact: (line) => redactor.redact(line) });
  log.info(
    {
      identity: config.identity,
      namespace: config.namespace ?? "(all)",
      kubeconfig: config.kubeconfig ?? "(in-cluster or default)",
      leaderElection: config.leaderElection.enabled,
    },
    "Starting release-operator",
  );
  const operator = await runOperator(config, log, redactor);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => void operator.stop(signal));
  }
  return operator.stopped;
}

main().then(
  (code) => {
    // Lingering keep-alive sockets must not keep a stopped operator alive.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `release-operator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
