import { describe, expect, it } from "vitest";

import {
  API_VERSION,
  METRIC_DEFAULTS,
  type MetricSettings,
  type Release,
  type ReleaseStatus,
  type WatchSnapshot,
} from "../api/v1alpha1/index.js";
import { ROLLBACK_REPORT_KEY, renderRollbackReport } from "./render.js";

const T = (minute: number): string => `2026-11-25T10:${String(minute).padStart(2, "0")}:00Z`;

function releaseWith(status: ReleaseStatus | undefined): Release {
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    metadata: { name: "nav-1-4-2", namespace: "prod" },
    spec: { environment: "production", version: "1.4.2" },
    ...(status === undefined ? {} : { status }),
  };
}

const reading = (minute: number, value: number): WatchSnapshot => ({
  at: T(20 + minute),
  elapsed: `T+${minute}m`,
  metrics: [
    {
      metric: "error-rate",
      value,
      baseline: 0.01,
      ratio: value / 0.01,
      verdict: value >= 0.02 ? "hard" : "ok",
    },
  ],
});

const metrics: MetricSettings[] = [
  {
    name: "error-rate",
    query: "sum(rate(errors[1m]))",
    kind: "error-rate",
    ...METRIC_DEFAULTS["error-rate"],
    floor: 0,
  },
];

const rolledBack: ReleaseStatus = {
  phase: "Completed",
  verdict: "Rolled-Back",
  reason: "error-rate breached 2.5x baseline at T+7m -> rolled back to 1.4.1",
  completedAt: T(26),
  rollbackTarget: "1.4.1",
  phases: [
    { phase: "WatchWindow", startedAt: T(9), finishedAt: T(16), outcome: "Failed" },
    { phase: "RollingBack", startedAt: T(16), finishedAt: T(26), outcome: "Succeeded" },
  ],
  rollback: {
    cause: "error-rate breached 2.5x baseline at T+7m",
    from: "WatchWindow",
    requestedAt: T(16),
    target: "1.4.1",
  },
  jobs: [
    {
      purpose: "rollback",
      name: "nav-1-4-2-rollback",
      nodeName: "onboard",
      startedAt: T(16),
      finishedAt: T(18),
      exitCode: 0,
      outcome: "Succeeded",
    },
  ],
  smoke: [
    { name: "api", kind: "http", run: "release", passed: true, durationMs: 12 },
    { name: "api", kind: "http", run: "rollback", passed: true, durationMs: 9 },
    { name: "orders", kind: "job", run: "rollback", passed: false, durationMs: 400, message: "exit 2" },
  ],
  rollbackWatch: {
    window: "rollback",
    version: "1.4.1",
    startedAt: T(20),
    endsAt: T(25),
    intervalsEvaluated: 3,
    snapshots: [reading(1, 0.009), reading(2, 0.011), reading(3, 0.01)],
  },
  breaches: [
    {
      metric: "error-rate",
      window: "release",
      severity: "hard",
      at: T(16),
      elapsed: "T+7m",
      message: "error-rate breached 2.5x baseline at T+7m",
    },
    {
      metric: "health-check",
      window: "rollback",
      severity: "hard",
      at: T(22),
      elapsed: "T+2m",
      message: "health-check failed 3 times in a row at T+2m",
    },
  ],
};

const attachments = {
  "rollback.log": "# 2 lines\n2026-11-25T10:16:30Z rolling back\n2026-11-25T10:17:59Z rolled back to 1.4.1",
  "deploy.log": "# 1 lines\n2026-11-25T10:05:00Z deploying 1.4.2",
};

/** The headings, not a log's `# 2 lines` inside a code block. */
function headings(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split("\n").filter((line) => {
    const opening = /^`{3,}/.exec(line)?.[0];
    if (fence === undefined && opening !== undefined) fence = opening;
    else if (fence !== undefined && line === fence) fence = undefined;
    return fence === undefined && line.startsWith("#");
  });
}

describe("renderRollbackReport: written once a rollback was decided", () => {
  it.each<{ situation: string; status: ReleaseStatus | undefined; written: boolean }>([
    { situation: "not picked up yet", status: undefined, written: false },
    {
      situation: "released without a rollback",
      status: { phase: "Completed", verdict: "Released" },
      written: false,
    },
    {
      situation: "a rollback decided, the phase not entered yet",
      status: { phase: "WatchWindow", rollback: { cause: "abort", from: "WatchWindow", requestedAt: T(10) } },
      written: true,
    },
    {
      situation: "rolling back",
      status: { phase: "RollingBack", phases: [{ phase: "RollingBack", startedAt: T(10) }] },
      written: true,
    },
  ])("$situation", ({ status, written }) => {
    const report = renderRollbackReport(releaseWith(status));
    expect(report === undefined).toBe(!written);
    expect(ROLLBACK_REPORT_KEY).toBe("rollback.md");
  });
});

describe("renderRollbackReport: a completed rollback", () => {
  const report = renderRollbackReport(releaseWith(rolledBack), attachments, metrics) ?? "";

  it("the header: release, environment, from and to, cause, when decided, the span, the verdict", () => {
    expect(report.split("\n").slice(0, 10)).toEqual([
      "# Rollback of 1.4.2 in production",
      "",
      "- Release: prod/nav-1-4-2",
      "- Environment: production",
      "- Rolled back: 1.4.2 -> 1.4.1",
      "- Cause: error-rate breached 2.5x baseline at T+7m",
      `- Decided: in WatchWindow at ${T(16)}`,
      `- Rollback: Started ${T(16)}; ended ${T(26)} (Succeeded).`,
      "- Verdict: Rolled-Back",
      "",
    ]);
  });

  it("the sections in order, the verdict last", () => {
    expect(headings(report)).toEqual([
      "# Rollback of 1.4.2 in production",
      "## Rollback Job",
      "## Smoke Tests After the Rollback",
      "## Mini Watch Window",
      "### Charts",
      "## Verdict",
    ]);
    expect(report).toContain(
      `## Verdict\n\n**Rolled-Back** at ${T(26)}: error-rate breached 2.5x baseline at T+7m -> rolled back to 1.4.1\n`,
    );
  });

  it("the rollback chain: the Job with its node, times and exit code, and its output (not the deploy's)", () => {
    expect(report).toContain(
      `Job \`nav-1-4-2-rollback\`, on node \`onboard\`, started ${T(16)}, finished ${T(18)}, exit code 0, outcome Succeeded.`,
    );
    expect(report).toContain("```text\n# 2 lines\n2026-11-25T10:16:30Z rolling back\n");
    expect(report).not.toContain("deploying 1.4.2");
  });

  it("the smoke run after the rollback only, with when it ran", () => {
    expect(report).toContain(`Run after the rollback Job finished at ${T(18)}: 1 of 2 passed.`);
    const rows = report.split("\n").filter((line) => /^\| (api|orders) \|/.test(line));
    expect(rows).toEqual([
      "| api | http | passed | 9 ms |  |",
      "| orders | job | FAILED | 400 ms | exit 2 |",
    ]);
  });

  it("the mini window: its times, a row per interval, its own breaches, a chart with the thresholds", () => {
    expect(report).toContain(`Watched 1.4.1 from ${T(20)} to ${T(25)}; 3 intervals evaluated.`);
    expect(report).toContain(`| 2 | T+2m (${T(22)}) | 0.011 / 0.01 = 1.1x ok |`);
    expect(report).toContain(`- HARD at T+2m (${T(22)}): health-check failed 3 times in a row at T+2m`);
    expect(report).not.toContain("- HARD at T+7m");
    const chart = /```mermaid\n([\s\S]*?)\n```/.exec(report)?.[1] ?? "";
    expect(chart).toContain('title "error-rate, after the rollback"');
    expect(chart).toContain('line "value" [0.009, 0.011, 0.01]');
    expect(chart).toContain('line "hard threshold" [0.02, 0.02, 0.02]');
  });
});

describe("renderRollbackReport: a rollback under way", () => {
  it("says what has not happened yet, and has no verdict", () => {
    const report =
      renderRollbackReport(
        releaseWith({
          phase: "RollingBack",
          phases: [{ phase: "RollingBack", startedAt: T(16) }],
          rollback: { cause: "deploy script failure: exit code 1", from: "Execute", requestedAt: T(16) },
        }),
      ) ?? "";
    expect(report).toContain("- Rolled back: 1.4.2 -> no target known");
    expect(report).toContain(`- Rollback: Started ${T(16)}; ended in progress.`);
    expect(report).toContain("No rollback Job yet.");
    expect(report).toContain("No smoke test has run after the rollback.");
    expect(report).toContain("No mini watch window (yet).");
    expect(report).not.toContain("## Verdict");
  });
});
