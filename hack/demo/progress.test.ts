import { describe, expect, it } from "vitest";
import type { ReleaseStatus, WatchProgress, WatchSnapshot } from "../../src/api/v1alpha1/index.js";
import {
  describeMetric,
  formatRatio,
  formatValue,
  progressLines,
  renderLine,
  type ProgressLine,
} from "./progress.js";

const NOW = new Date("2026-12-04T22:40:00.000Z");
const T = (clock: string) => `2026-12-04T${clock}Z`;
const texts = (lines: ProgressLine[]) => lines.map((line) => line.text);

const snapshot = (elapsed: string, at: string, errorRate = 0.0201, ratio = 1.005): WatchSnapshot => ({
  at: T(at),
  elapsed,
  metrics: [
    { metric: "error-rate", value: errorRate, baseline: 0.02, ratio, verdict: ratio >= 2 ? "hard" : "ok" },
    { metric: "p95-latency", value: 0.0467, baseline: 0.0467, ratio: 1, verdict: "ok" },
  ],
  health: "ok",
});

const watching = (snapshots: WatchSnapshot[], changes: Partial<WatchProgress> = {}): ReleaseStatus => ({
  phase: "WatchWindow",
  watch: {
    window: "release",
    version: "1.4.2",
    startedAt: T("22:31:41.209"),
    endsAt: T("22:32:26.209"),
    intervalsEvaluated: snapshots.length,
    snapshots,
    ...changes,
  },
});

describe("progressLines: what changed between two readings of a Release's status", () => {
  const cases: { situation: string; before?: ReleaseStatus; after: ReleaseStatus; lines: string[] }[] = [
    { situation: "nothing changed", before: { phase: "Execute" }, after: { phase: "Execute" }, lines: [] },
    { situation: "a release the operator has not picked up yet", after: {}, lines: [] },
    {
      situation: "the first reading: a phase started",
      after: { phase: "PreReleaseGate", phases: [{ phase: "PreReleaseGate", startedAt: T("22:31:29.623") }] },
      lines: ["-> PreReleaseGate"],
    },
    {
      situation: "an approval ended the gate and the next phases started at the same instant: in order",
      before: { phases: [{ phase: "PreReleaseGate", startedAt: T("22:31:29.623") }] },
      after: {
        phases: [
          {
            phase: "PreReleaseGate",
            startedAt: T("22:31:29.623"),
            finishedAt: T("22:31:32.327"),
            outcome: "Succeeded",
            message: "gate passed",
          },
          {
            phase: "StrategySelect",
            startedAt: T("22:31:32.327"),
            finishedAt: T("22:31:32.327"),
            outcome: "Succeeded",
          },
          { phase: "Execute", startedAt: T("22:31:32.327") },
        ],
        decisions: [
          {
            kind: "gate",
            annotation: "approved",
            value: "true",
            at: T("22:31:32.327"),
            accepted: true,
          },
        ],
      },
      lines: [
        "   decision approved=true: accepted",
        "   PreReleaseGate Succeeded: gate passed",
        "-> StrategySelect",
        "   StrategySelect Succeeded",
        "-> Execute",
      ],
    },
    {
      situation:
        "smoke results print before the phase after the smoke test, though status keeps no time for them",
      before: {
        phases: [{ phase: "SmokeTest", startedAt: T("22:31:40.987") }],
      },
      after: {
        phases: [
          {
            phase: "SmokeTest",
            startedAt: T("22:31:40.987"),
            finishedAt: T("22:31:41.209"),
            outcome: "Succeeded",
            message: "all 2 smoke cases passed",
          },
          { phase: "WatchWindow", startedAt: T("22:31:41.209") },
        ],
        smoke: [
          { name: "healthz", kind: "http", run: "release", passed: true, durationMs: 8 },
          { name: "version", kind: "http", run: "release", passed: false, durationMs: 9, message: "500" },
        ],
      },
      lines: [
        "   smoke healthz: passed in 8 ms",
        "   smoke version: FAILED in 9 ms: 500",
        "   SmokeTest Succeeded: all 2 smoke cases passed",
        "-> WatchWindow",
      ],
    },
    {
      situation: "a deploy Job is created, then starts on a node, then ends",
      before: { jobs: [{ purpose: "deploy", name: "nav-1-4-2-deploy" }] },
      after: {
        jobs: [
          {
            purpose: "deploy",
            name: "nav-1-4-2-deploy",
            nodeName: "ground",
            startedAt: T("22:31:33"),
            finishedAt: T("22:31:39"),
            outcome: "Succeeded",
            exitCode: 0,
          },
        ],
      },
      lines: [
        "   deploy Job nav-1-4-2-deploy started on node ground",
        "   deploy Job nav-1-4-2-deploy Succeeded, exit code 0",
      ],
    },
    {
      situation: "a Job's start, cut to whole seconds before its phase began, prints after the phase's start",
      before: { phases: [{ phase: "PreReleaseGate", startedAt: T("22:54:56.100") }] },
      after: {
        phases: [
          {
            phase: "PreReleaseGate",
            startedAt: T("22:54:56.100"),
            finishedAt: T("22:54:57.400"),
            outcome: "Succeeded",
          },
          { phase: "Execute", startedAt: T("22:54:57.400") },
        ],
        jobs: [{ purpose: "deploy", name: "nav-1-4-2-deploy", nodeName: "ground", startedAt: T("22:54:57") }],
      },
      lines: [
        "   PreReleaseGate Succeeded",
        "-> Execute",
        "   deploy Job nav-1-4-2-deploy started on node ground",
      ],
    },
    {
      situation: "a Job seen before it has a pod",
      after: { jobs: [{ purpose: "rollback", name: "nav-1-4-3-rollback" }] },
      lines: ["   rollback Job nav-1-4-3-rollback created"],
    },
    {
      situation: "the window starts: its span, before any reading",
      before: { phase: "WatchWindow" },
      after: watching([]),
      lines: ["watch on 1.4.2: from 22:31:41 to 22:32:26"],
    },
    {
      situation: "a new reading: only it is printed, with value / baseline = ratio and verdict per metric",
      before: watching([snapshot("T+5s", "22:31:46.2")]),
      after: watching([snapshot("T+5s", "22:31:46.2"), snapshot("T+10s", "22:31:51.2", 0.0469, 2.401)]),
      lines: [
        "watch T+10s  error-rate 0.0469 / 0.02 = 2.40x hard | p95-latency 0.0467 / 0.0467 = 1.00x ok | health ok",
      ],
    },
    {
      situation: "status keeps the last 10 readings: the oldest dropped is not taken for a new one",
      before: watching(
        Array.from({ length: 10 }, (_, i) =>
          snapshot(`T+${(i + 1) * 5}s`, `22:31:${String(46 + i).padStart(2, "0")}`),
        ),
      ),
      after: watching(
        Array.from({ length: 10 }, (_, i) =>
          snapshot(`T+${(i + 2) * 5}s`, `22:31:${String(47 + i).padStart(2, "0")}`),
        ),
      ),
      lines: [
        "watch T+55s  error-rate 0.0201 / 0.02 = 1.00x ok | p95-latency 0.0467 / 0.0467 = 1.00x ok | health ok",
      ],
    },
    {
      situation: "readings missed while the operator was down all print once it is back, oldest first",
      before: watching([]),
      after: watching([snapshot("T+14s", "22:31:55"), snapshot("T+15s", "22:31:56")]),
      lines: [
        "watch T+14s  error-rate 0.0201 / 0.02 = 1.00x ok | p95-latency 0.0467 / 0.0467 = 1.00x ok | health ok",
        "watch T+15s  error-rate 0.0201 / 0.02 = 1.00x ok | p95-latency 0.0467 / 0.0467 = 1.00x ok | health ok",
      ],
    },
    {
      situation: "an extended window says its new end",
      before: watching([]),
      after: watching([], { endsAt: T("22:32:41.209"), extendedBy: "15s" }),
      lines: ["watch now ends at 22:32:41 (extended by 15s)"],
    },
    {
      situation: "a hard breach, then the rollback it causes",
      before: { phase: "WatchWindow" },
      after: {
        phase: "WatchWindow",
        breaches: [
          {
            metric: "error-rate",
            window: "release",
            severity: "hard",
            at: T("22:32:46"),
            elapsed: "T+5s",
            value: 0.0469,
            baseline: 0.0195,
            ratio: 2.4012,
            message: "error-rate breached 2.4x baseline at T+5s",
          },
        ],
        rollback: {
          cause: "error-rate breached 2.4x baseline at T+5s",
          from: "WatchWindow",
          requestedAt: T("22:32:47"),
          target: "1.4.2",
        },
      },
      lines: [
        "HARD BREACH: error-rate 0.0469 / 0.0195 = 2.40x at T+5s: error-rate breached 2.4x baseline at T+5s",
        "ROLLING BACK to 1.4.2: error-rate breached 2.4x baseline at T+5s",
      ],
    },
    {
      situation: "the rollback's mini watch: its window and its smoke results, which come first",
      before: { phase: "RollingBack" },
      after: {
        phase: "RollingBack",
        smoke: [{ name: "healthz", kind: "http", run: "rollback", passed: true, durationMs: 14 }],
        rollbackWatch: {
          window: "rollback",
          version: "1.4.2",
          startedAt: T("22:32:49"),
          endsAt: T("22:33:34"),
          intervalsEvaluated: 0,
        },
      },
      lines: [
        "   smoke after the rollback healthz: passed in 14 ms",
        "mini watch on 1.4.2: from 22:32:49 to 22:33:34",
      ],
    },
    {
      situation: "a question for a human, with every command that answers it",
      before: { phase: "PreReleaseGate" },
      after: {
        phase: "PreReleaseGate",
        pendingDecision: {
          kind: "gate",
          question: "Release 1.4.2 to nav-demo?",
          since: T("22:31:31"),
          commands: [
            "kubectl annotate release nav-1-4-2 -n default approved=true",
            "kubectl annotate release nav-1-4-2 -n default approved=false",
          ],
        },
      },
      lines: [
        "WAITING for a human (gate): Release 1.4.2 to nav-demo?",
        "   answer: kubectl annotate release nav-1-4-2 -n default approved=true",
        "   answer: kubectl annotate release nav-1-4-2 -n default approved=false",
      ],
    },
    {
      situation: "a new standing reason is printed, with the standing's name",
      before: { reason: "running the gate's checks", conditions: [ready("GateEvaluating")] },
      after: { reason: "awaiting approval: waiting for 1 approval", conditions: [ready("AwaitingApproval")] },
      lines: ["   AwaitingApproval: awaiting approval: waiting for 1 approval"],
    },
    {
      situation: "progress within one standing (the window's clock) is not printed again",
      before: { reason: "watching 1.4.2: T+0s of 45s", conditions: [ready("Watching")] },
      after: { reason: "watching 1.4.2: T+5s of 45s", conditions: [ready("Watching")] },
      lines: [],
    },
    {
      situation: "a verdict whose reason starts with it says it once",
      before: { phase: "WatchWindow", reason: "watching", conditions: [ready("Watching")] },
      after: {
        phase: "Completed",
        verdict: "Released",
        completedAt: T("22:32:26"),
        reason: "Released: 1.4.2 watched for 45s, 8 intervals, no hard breach",
        conditions: [ready("Released")],
      },
      lines: ["VERDICT Released: 1.4.2 watched for 45s, 8 intervals, no hard breach"],
    },
    {
      situation: "a verdict with its reason chain",
      before: { phase: "RollingBack" },
      after: {
        phase: "Completed",
        verdict: "Rolled-Back",
        reason: "error-rate breached 2.4x baseline at T+5s -> rolled back to 1.4.2",
      },
      lines: ["VERDICT Rolled-Back: error-rate breached 2.4x baseline at T+5s -> rolled back to 1.4.2"],
    },
    {
      situation: "the report's ConfigMap, then its commit and tag in git",
      before: { phase: "Completed", verdict: "Released", report: { configMap: "nav-1-4-2-report" } },
      after: {
        phase: "Completed",
        verdict: "Released",
        report: {
          configMap: "nav-1-4-2-report",
          gitPath: "_docs/04_release/release_1.4.2_nav-demo_2026-12-04-2231.md",
          gitCommit: "cfc824964dbecca94726b059d5dd57fa1a5de4e6",
          gitTag: "release/1.4.2",
        },
      },
      lines: [
        "   report committed to git: _docs/04_release/release_1.4.2_nav-demo_2026-12-04-2231.md in cfc824964dbe, tag release/1.4.2",
      ],
    },
    {
      situation: "a pre-deploy baseline read",
      before: { phase: "Execute" },
      after: {
        phase: "Execute",
        baseline: {
          mode: "pre-deploy",
          window: "30s",
          version: "1.4.1",
          capturedAt: T("22:31:32"),
          values: [{ metric: "error-rate", value: 0.020012 }, { metric: "p95-latency" }],
        },
      },
      lines: ["   baseline (pre-deploy over 30s, version 1.4.1): error-rate 0.02, p95-latency no data"],
    },
  ];

  it.each(cases)("$situation", ({ before, after, lines }) => {
    expect(texts(progressLines(before, after, NOW))).toEqual(lines);
  });

  it("reading the same status twice prints nothing the second time", () => {
    const status = cases.reduce<ReleaseStatus>((merged, entry) => ({ ...merged, ...entry.after }), {});
    expect(progressLines(undefined, status, NOW).length).toBeGreaterThan(5);
    expect(progressLines(status, status, NOW)).toEqual([]);
  });

  it("lines without a time of their own are dated by the reading", () => {
    const lines = progressLines(undefined, { reason: "waiting", conditions: [ready("Pending")] }, NOW);
    expect(lines.map((line) => line.at)).toEqual([NOW.toISOString()]);
    expect(lines.map((line) => renderLine("nav-1-4-2", line))).toEqual([
      "22:40:00  nav-1-4-2     Pending: waiting",
    ]);
  });
});

function ready(reason: string) {
  return { type: "Ready", status: "False" as const, reason, message: "", lastTransitionTime: T("22:31:00") };
}

describe("figures", () => {
  it.each([
    [0.046900566, "0.0469"],
    [0.02, "0.02"],
    [1234.5, "1230"],
    [0, "0"],
    [Infinity, "inf"],
  ])("formatValue(%s) = %s", (value, shown) => {
    expect(formatValue(value)).toBe(shown);
  });

  it.each([
    [2.4012, "2.40x"],
    // Cut, not rounded: 1.999 must not read as the 2x hard ratio.
    [1.999, "1.99x"],
    [1, "1.00x"],
    [Infinity, "inf x"],
  ])("formatRatio(%s) = %s", (ratio, shown) => {
    expect(formatRatio(ratio)).toBe(shown);
  });

  it.each([
    [
      { metric: "error-rate", verdict: "no-data" as const, message: "the query returned an empty result" },
      "error-rate no-data (the query returned an empty result)",
    ],
    [
      { metric: "error-rate", value: 0.02, verdict: "ok" as const },
      "error-rate 0.02, no baseline to compare with: ok",
    ],
    [
      { metric: "p95-latency", value: 0.25, baseline: 0.05, ratio: 5, verdict: "hard" as const },
      "p95-latency 0.25 / 0.05 = 5.00x hard",
    ],
  ])("describeMetric %#", (metric, shown) => {
    expect(describeMetric(metric)).toBe(shown);
  });
});
