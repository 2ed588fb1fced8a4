// The demo app: plays the system being released. It serves traffic for one or two versions at once,
// each behaving as its row in versions.ts says (error rate, latency, whether it exposes metrics), drives
// that traffic itself, and lets the demo's deploy.sh change what runs through an admin API.
//
//   node --import tsx hack/demo-app/main.ts --config config.json
//   config.json: {"port": 8080, "adminToken": "...", "stateFile": "/path/state.json", "requestsPerSecond": 20}
//   (flags --host --port --state-file --rate --seed --admin-token-file override it; see config.ts)
//
// Traffic and metrics (no token):
//   GET /api/route     one request, routed by weight; 200 {"version","ok"} or 500 {"version","error"},
//                      header X-Demo-Version names the version that answered
//   GET /api/version   {"stable", "candidate"?, "previousStable"?, "weights"}
//   GET /healthz       {"status":"ok"}
//   GET /metrics       Prometheus exposition; metric names in metrics.ts
//
// Admin API: header `Authorization: Bearer <token>` (else 401), JSON in and out. Every success answers
// the full state: {"stable", "candidate"?: {"version","weight"}, "previousStable"?, "weights": {version: %},
// "versions": [table rows], "history": [{"at","action","summary","weights"}]}.
//   GET  /admin/state
//   POST /admin/deploy    {"version":"1.4.2","strategy":"all-at-once"}          all traffic to 1.4.2
//                         {"version":"1.4.3","strategy":"canary","weight":10}   1.4.3 at 10%, stable at 90%
//                         {"version":"1.4.3","strategy":"blue-green"}           1.4.3 deployed idle at 0%
//   POST /admin/weight    {"weight":50}                 the version in flight's share (0..100)
//   POST /admin/promote   {} or {"version":"1.4.3"}    the version in flight takes all traffic (the
//                                                       blue-green switch); a version named must be it
//   POST /admin/rollback  {}                           abandon the version in flight, or else return to
//                                                       the stable version before the last release
//                         {"version":"1.4.1"}          all traffic to 1.4.1 (the rollback target)
//   PUT  /admin/state     {"stable","candidate"?,"previousStable"?}  set exactly this (tests restore
//                                                       what they changed; a GET's answer may be sent back)
// 400: malformed JSON, unknown fields, versions, strategies, weights outside 0..100 (the message lists
// what is valid); 404/405: no such route/method; 409: right request, wrong moment (nothing to promote,
// a canary of the stable version, nothing to roll back to). State survives restarts (--state-file).
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { resolveConfig, USAGE, type DemoConfig } from "./config.js";
import { LoadGenerator } from "./load.js";
import { startDemoServer, type DemoServer } from "./server.js";

const logger = pino({ name: "demo-app" });

let config: DemoConfig;
try {
  config = resolveConfig(process.argv.slice(2), process.env, (file) => readFileSync(file, "utf8"));
} catch (error) {
  process.stderr.write(`demo-app: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
}

let server: DemoServer;
try {
  server = await startDemoServer(config, logger);
} catch (error) {
  logger.fatal({ err: error }, "Failed to start");
  process.exit(1);
}
const load = new LoadGenerator(new URL("/api/route", server.url), config.requestsPerSecond, logger);
load.start();

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "Stopping");
  load.stop();
  await server.close();
  logger.info("Stopped");
  process.exit(0);
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void stop(signal);
  });
}
