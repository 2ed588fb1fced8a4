// One reading of the live system for the watch: each metric's query (and its concurrent baseline's)
// against the Environment's Prometheus, and the health check, as the pure request says
// (src/release/watch-request.ts). Never throws for an answer it does not like: every failure is part
// of the reading, for the decision to judge. Credentials stay in here.
import type { CoreV1Api } from "@kubernetes/client-node";
import type { WatchSettings } from "../api/v1alpha1/index.js";
import { instantQuery, type PrometheusConnection } from "../providers/prometheus/client.js";
import { singleValue, type MetricValueOutcome } from "../providers/prometheus/response.js";
import { runHttpSmokeCase } from "../providers/smoke/http.js";
import type { MetricReading, MetricRequest, WatchReading, WatchRequest } from "../release/world.js";
import { prometheusConnection } from "./object-data.js";

async function valueOf(
  connection: PrometheusConnection,
  query: string,
  at: Date,
): Promise<MetricValueOutcome> {
  return singleValue(await instantQuery(connection, query, at));
}

interface Asked {
  reading: MetricReading;
  /** Queries sent, and how many got no answer at all. */
  sent: number;
  unanswered: string[];
}

async function readMetric(
  connection: PrometheusConnection,
  request: MetricRequest,
  at: Date,
): Promise<Asked> {
  const reading: MetricReading = { metric: request.metric };
  const asked: Asked = { reading, sent: 0, unanswered: [] };
  if (request.query === undefined) {
    reading.problem = request.problem ?? "no query";
    return asked;
  }
  const [value, baseline] = await Promise.all([
    valueOf(connection, request.query, at),
    request.baselineQuery === undefined ? undefined : valueOf(connection, request.baselineQuery, at),
  ]);
  for (const outcome of [value, baseline]) {
    if (outcome === undefined) continue;
    asked.sent += 1;
    if (!outcome.ok && outcome.unreachable) asked.unanswered.push(outcome.message);
  }
  if (value.ok) reading.value = value.value;
  else reading.problem = value.message;
  if (baseline?.ok === true) reading.baseline = baseline.value;
  else if (baseline !== undefined) reading.baselineProblem = baseline.message;
  return asked;
}

async function checkHealth(
  healthCheck: NonNullable<WatchSettings["healthCheck"]>,
): Promise<NonNullable<WatchReading["health"]>> {
  const outcome = await runHttpSmokeCase(
    { name: "health-check", headers: {}, ...healthCheck },
    healthCheck.timeoutMs,
  );
  return outcome.passed
    ? { ok: true }
    : { ok: false, ...(outcome.message === undefined ? {} : { message: outcome.message }) };
}

export async function takeWatchReading(
  core: CoreV1Api,
  namespace: string,
  watch: WatchSettings,
  request: WatchRequest,
  now: () => Date,
): Promise<WatchReading> {
  const at = now();
  const reading: WatchReading = { key: request.key, at: at.toISOString(), metrics: [] };
  const [connected, health] = await Promise.all([
    prometheusConnection(core, namespace, watch.prometheus),
    request.healthCheck === undefined ? undefined : checkHealth(request.healthCheck),
  ]);
  if (health !== undefined) reading.health = health;
  if (!connected.ok) {
    reading.unreachable = connected.message;
    reading.metrics = request.metrics.map((metric) => ({
      metric: metric.metric,
      problem: connected.message,
    }));
    return reading;
  }
  const asked = await Promise.all(request.metrics.map((metric) => readMetric(connected.value, metric, at)));
  reading.metrics = asked.map((entry) => entry.reading);
  const sent = asked.reduce((sum, entry) => sum + entry.sent, 0);
  const unanswered = asked.flatMap((entry) => entry.unanswered);
  // Blind, not merely without data: no query got an answer.
  if (sent > 0 && unanswered.length === sent) reading.unreachable = unanswered[0];
  return reading;
}
