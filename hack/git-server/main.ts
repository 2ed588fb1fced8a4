// The local cluster's git server: `node --import tsx hack/git-server/main.ts --config <json>`.
// Logs pino JSON on stdout; never logs the password.
import { parseArgs } from "node:util";
import { pino } from "pino";
import { CLUSTER_MARKER_ENV } from "../cluster/processes.js";
import { readGitServerConfig } from "./config.js";
import { createGitServer } from "./server.js";

const SHUTDOWN_GRACE_MS = 5_000;

/**
 * What http-backend inherits from this process: enough to find git and keep the cluster's marker
 * (so `down` finds a stray backend), and nothing that would point git at other repositories or
 * configs; the user's and the system's git config are left out so every run serves the same way.
 */
function backendBaseEnv(): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
  for (const name of ["PATH", "LANG", "LC_ALL", "TZ", CLUSTER_MARKER_ENV]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function main(): void {
  const logger = pino({ name: "git-server" });
  const { values } = parseArgs({ options: { config: { type: "string" } }, strict: true });
  if (values.config === undefined) {
    logger.fatal("Missing --config <file>: usage: node --import tsx hack/git-server/main.ts --config <json>");
    process.exitCode = 2;
    return;
  }
  let config;
  try {
    config = readGitServerConfig(values.config);
  } catch (error) {
    logger.fatal(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  const server = createGitServer(config, logger, backendBaseEnv());
  server.on("error", (error) => {
    logger.fatal({ err: error, host: config.host, port: config.port }, "Could not serve");
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    logger.info(
      {
        url: `http://${config.host}:${config.port}/git`,
        projectRoot: config.projectRoot,
        user: config.credentials.username,
      },
      "Listening",
    );
  });

  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "Shutting down");
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main();
