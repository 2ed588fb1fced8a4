/**
 * Test infrastructure: the node agent, our stand-in for the kubelet on the local test cluster. It
 * registers a Node, keeps it Ready (status heartbeat and Lease), runs the pods bound to it as host
 * processes (images are ignored), reports their status as the kubelet does, and serves their logs to
 * the apiserver, so the real Job controller, garbage collector, scheduler and `kubectl logs` work.
 *
 *   node --import tsx hack/node-agent/main.ts --config <file.json>
 *
 * Exit codes: 0 after SIGTERM/SIGINT (pod processes stopped), 2 for a bad command line or config,
 * 1 when it cannot start (log endpoint port taken, apiserver refusing the node).
 */
import { mkdirSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { pino, type Logger } from "pino";
import { describeError, NodeApi } from "./api.js";
import { ConfigError, configPathFrom, loadConfig, type NodeAgentConfig } from "./config.js";
import { EventRecorder } from "./events.js";
import { startLogServer } from "./log-server.js";
import { nanoClock } from "./logs.js";
import { CLUSTER_MARKER_ENV } from "./pod-worker.js";
import { PodWatch } from "./pod-watch.js";
import { PodManager } from "./pods.js";
import { NodeRegistration, readHostIdentity } from "./registration.js";

const USAGE = "usage: node --import tsx hack/node-agent/main.ts --config <file.json>";
const STARTUP_RETRY_MS = 2_000;

/** Retries a startup step until it works: the apiserver may still be coming up. */
async function untilDone(
  what: string,
  log: Logger,
  step: () => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      await step();
      return;
    } catch (error) {
      log.warn({ attempt, error: describeError(error) }, `${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, STARTUP_RETRY_MS));
    }
  }
}

async function run(config: NodeAgentConfig): Promise<void> {
  const log = pino({ base: { node: config.nodeName }, timestamp: pino.stdTimeFunctions.isoTime });
  process.on("unhandledRejection", (reason) => {
    log.error({ error: describeError(reason) }, "Unhandled rejection");
  });
  mkdirSync(config.workDir, { recursive: true });

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(config.kubeconfig);
  const api = new NodeApi(kubeConfig);
  const events = new EventRecorder(api, config.nodeName, log);
  const manager = new PodManager({
    config,
    api,
    events,
    clock: nanoClock(),
    log,
    agentEnv: { PATH: process.env.PATH, [CLUSTER_MARKER_ENV]: process.env[CLUSTER_MARKER_ENV] },
  });
  const server = await startLogServer({
    config,
    findLogs: (namespace, pod, container) => manager.findLogs(namespace, pod, container),
    log,
  });
  log.info({ address: config.address, port: config.kubeletPort }, "Serving container logs");

  // Set by the signal handlers while startup may still be retrying.
  const state = { stopping: false };
  const registration = new NodeRegistration(api, config, readHostIdentity(config.nodeName), log);
  const watch = new PodWatch(kubeConfig, api, config.nodeName, manager, log);

  const shutdown = async (signal: string) => {
    if (state.stopping) return;
    state.stopping = true;
    log.info({ signal }, "Shutting down: stopping pod processes");
    watch.stop();
    registration.stop();
    await manager.shutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    log.info("Stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await untilDone(
    "Registering the node",
    log,
    () => registration.register(),
    () => state.stopping,
  );
  if (state.stopping) return;
  registration.start();
  await untilDone(
    "Listing pods",
    log,
    () => watch.start(),
    () => state.stopping,
  );
  log.info({ workDir: config.workDir }, "Node agent ready");
}

async function main(): Promise<void> {
  const args = configPathFrom(process.argv.slice(2));
  if (!args.ok) {
    process.stderr.write(`node-agent: ${args.message}\n${USAGE}\n`);
    process.exit(2);
  }
  let config: NodeAgentConfig;
  try {
    config = loadConfig(args.path);
  } catch (error) {
    process.stderr.write(`node-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  try {
    await run(config);
  } catch (error) {
    process.stderr.write(`node-agent (${config.nodeName}): ${describeError(error)}\n`);
    process.exit(1);
  }
}

await main();
