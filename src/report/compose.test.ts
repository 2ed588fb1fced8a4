import { describe, expect, it } from "vitest";
import { API_VERSION, type MetricSettings, type Release, type WatchSnapshot } from "../api/v1alpha1/index.js";
import { Redactor, REDACTION } from "../runtime/redaction.js";
import { composeReport } from "./compose.js";
import { REPORT_DATA_LIMIT, reportBytes } from "./fit.js";
import { BoundedLog } from "./job-log.js";
import { REPORT_KEY, ROLLBACK_REPORT_KEY } from "./render.js";
import { parseSeries, WATCH_SERIES_KEYS } from "./watch-series.js";

const SECRET = "sk-SEEDED-0123456789";
const METRICS: MetricSettings[] = [
  {
    name: "error-rate",
    query: "q",
    kind: "error-rate",
    direction: "up",
    softRatio: 1.5,
    hardRatio: 2,
    floor: 0,
  },
];

const snapshot = (minute: number, value: number): WatchSnapshot => ({
  at: `2026-12-04T10:${String(minute).padStart(2, "0")}:00.000Z`,
  elapsed: `T+${minute}m`,
  metrics: [{ metric: "error-rate", value, baseline: 0.02, ratio: value / 0.02, verdict: "ok" }],
});

function watched(intervals: number, rolledBack = false): Release {
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    metadata: { name: "nav-1-4-2", namespace: "default" },
    spec: { environment: "staging", version: "1.4.2" },
    status: {
      phase: "WatchWindow",
      startedAt: "2026-12-04T09:50:00.000Z",
      phases: [
        { phase: "Execute", startedAt: "2026-12-04T09:55:00.000Z", finishedAt: "2026-12-04T09:56:00.000Z" },
        { phase: "WatchWindow", startedAt: "2026-12-04T10:00:00.000Z" },
        ...(rolledBack ? [{ phase: "RollingBack" as const, startedAt: "2026-12-04T10:10:00.000Z" }] : []),
      ],
      watch: {
        window: "release",
        version: "1.4.2",
        startedAt: "2026-12-04T10:00:00.000Z",
        endsAt: "2026-12-04T10:10:00.000Z",
        intervalsEvaluated: intervals,
        snapshots: Array.from({ length: Math.min(intervals, 10) }, (_, index) =>
          snapshot(intervals - Math.min(intervals, 10) + index + 1, 0.02),
        ),
      },
      ...(rolledBack
        ? {
            rollback: {
              cause: "error-rate breached 2.5x baseline at T+3m",
              from: "WatchWindow",
              requestedAt: "2026-12-04T10:10:00.000Z",
              target: "1.4.1",
            },
          }
        : {}),
    },
  };
}

function redactor(): Redactor {
  const keeper = new Redactor();
  keeper.add([SECRET]);
  return keeper;
}

describe("composeReport", () => {
  it("appends each interval once, however often it composes", () => {
    const first = composeReport({ release: watched(1), stored: {}, metrics: METRICS });
    const again = composeReport({ release: watched(1), stored: first, metrics: METRICS });
    const second = composeReport({ release: watched(2), stored: again, metrics: METRICS });
    expect(again).toEqual(first);
    expect(parseSeries(second[WATCH_SERIES_KEYS.release]).map((entry) => entry.interval)).toEqual([1, 2]);
    expect(second[REPORT_KEY]).toContain("xychart-beta");
  });

  it("keeps what the ConfigMap holds and takes new attachments over it", () => {
    const stored = { "deploy.log": "old output", "deploy-snapshot.txt": "snapshot" };
    const data = composeReport({
      release: watched(1),
      stored,
      attachments: { "deploy.log": "new output" },
    });
    expect(data["deploy.log"]).toBe("new output");
    expect(data["deploy-snapshot.txt"]).toBe("snapshot");
  });

  it.each([
    { name: "no rollback", rolledBack: false, rollbackReport: false },
    { name: "a rollback", rolledBack: true, rollbackReport: true },
  ])("writes rollback.md only after $name", ({ rolledBack, rollbackReport }) => {
    const data = composeReport({ release: watched(1, rolledBack), stored: {} });
    expect(ROLLBACK_REPORT_KEY in data).toBe(rollbackReport);
  });

  it("removes a secret printed by deploy.sh from every key, the documents included", () => {
    const keeper = redactor();
    const data = composeReport({
      release: watched(1),
      stored: {},
      attachments: { "deploy.log": `# 1 lines\n2026-12-04T09:55:01Z token=${SECRET}\n` },
      redact: (entries) => keeper.redactDeep(entries),
    });
    expect(JSON.stringify(data)).not.toContain(SECRET);
    expect(data["deploy.log"]).toContain(`token=${REDACTION}`);
    expect(data[REPORT_KEY]).toContain(`token=${REDACTION}`);
  });

  it("stays under the ConfigMap limit with a 2 MB deploy log and a full series", () => {
    const log = new BoundedLog();
    for (let line = 1; line <= 20_000; line += 1)
      log.push({ at: "2026-12-04T09:55:01Z", text: `line ${line} ${"x".repeat(100)}` });
    let stored: Record<string, string> = {};
    for (let interval = 1; interval <= 720; interval += 1) {
      stored = composeReport({
        release: watched(interval),
        stored,
        ...(interval === 1 ? { attachments: { "deploy.log": log.render() } } : {}),
        metrics: METRICS,
      });
    }
    expect(reportBytes(stored)).toBeLessThanOrEqual(REPORT_DATA_LIMIT);
    expect(parseSeries(stored[WATCH_SERIES_KEYS.release])).toHaveLength(720);
    expect(stored[REPORT_KEY]).toMatch(/cut/);
  });
});
