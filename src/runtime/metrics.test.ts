import { describe, expect, it } from "vitest";
import { countByPhaseAndVerdict, OperatorMetrics } from "./metrics.js";

async function scrape(metrics: OperatorMetrics): Promise<string> {
  return metrics.registry.metrics();
}

describe("OperatorMetrics", () => {
  it.each<{ situation: string; act: (metrics: OperatorMetrics) => void; series: string[] }>([
    {
      situation: "a successful reconcile",
      act: (metrics) => {
        metrics.reconciled("release", "success", 0.02);
      },
      series: [
        'release_operator_reconcile_total{controller="release",result="success"} 1',
        'release_operator_reconcile_errors_total{controller="release"} 0',
        'release_operator_reconcile_duration_seconds_bucket{le="0.025",controller="release"} 1',
        'release_operator_reconcile_duration_seconds_count{controller="release"} 1',
      ],
    },
    {
      situation: "an error and a terminal error both count as errors",
      act: (metrics) => {
        metrics.reconciled("release", "error", 1);
        metrics.reconciled("release", "terminal", 1);
      },
      series: [
        'release_operator_reconcile_total{controller="release",result="error"} 1',
        'release_operator_reconcile_total{controller="release",result="terminal"} 1',
        'release_operator_reconcile_errors_total{controller="release"} 2',
      ],
    },
    {
      situation: "requests to the API server, by method",
      act: (metrics) => {
        metrics.apiRequest("GET");
        metrics.apiRequest("GET");
        metrics.apiRequest("PATCH");
      },
      series: [
        'release_operator_api_requests_total{method="GET"} 2',
        'release_operator_api_requests_total{method="PATCH"} 1',
      ],
    },
    {
      situation: "queue depth",
      act: (metrics) => {
        metrics.queueDepth("release", 7);
      },
      series: ['release_operator_workqueue_depth{controller="release"} 7'],
    },
    {
      situation: "informer restarts by cause",
      act: (metrics) => {
        metrics.informerRestarted("releases", "stall");
        metrics.informerRestarted("releases", "stall");
        metrics.informerRestarted("jobs", "error");
      },
      series: [
        'release_operator_informer_restarts_total{informer="releases",cause="stall"} 2',
        'release_operator_informer_restarts_total{informer="jobs",cause="error"} 1',
      ],
    },
    {
      situation: "a phase lasting an hour lands in the 1h bucket, and the buckets reach a day",
      act: (metrics) => {
        metrics.phaseCompleted("WatchWindow", "Succeeded", 3500);
      },
      series: [
        'release_operator_phase_duration_seconds_bucket{le="1800",phase="WatchWindow",outcome="Succeeded"} 0',
        'release_operator_phase_duration_seconds_bucket{le="3600",phase="WatchWindow",outcome="Succeeded"} 1',
        'release_operator_phase_duration_seconds_bucket{le="86400",phase="WatchWindow",outcome="Succeeded"} 1',
      ],
    },
    {
      situation: "breaches by severity",
      act: (metrics) => {
        metrics.breach("hard");
      },
      series: ['release_operator_breaches_total{severity="hard"} 1'],
    },
    {
      situation: "phase transitions",
      act: (metrics) => {
        metrics.transition("Execute", "SmokeTest");
      },
      series: ['release_operator_phase_transitions_total{from="Execute",to="SmokeTest"} 1'],
    },
    { situation: "not leader by default", act: () => undefined, series: ["release_operator_leader 0"] },
    {
      situation: "leader",
      act: (metrics) => {
        metrics.setLeader(true);
      },
      series: ["release_operator_leader 1"],
    },
    {
      situation: "releases counted at scrape time, verdict empty while there is none",
      act: (metrics) => {
        metrics.countReleasesWith(() => [
          { phase: "Completed", verdict: "Released" },
          { phase: "Completed", verdict: "Released" },
          { phase: "WatchWindow", verdict: "" },
        ]);
      },
      series: [
        'release_operator_releases{phase="Completed",verdict="Released"} 2',
        'release_operator_releases{phase="WatchWindow",verdict=""} 1',
      ],
    },
    {
      situation: "process metrics included",
      act: () => undefined,
      series: ["process_cpu_seconds_total", "nodejs_heap_size_used_bytes"],
    },
  ])("$situation", async ({ act, series }) => {
    const metrics = new OperatorMetrics();
    act(metrics);
    const text = await scrape(metrics);
    for (const line of series) expect(text).toContain(line);
  });

  it("forgets a (phase, verdict) nobody is in any more", async () => {
    const metrics = new OperatorMetrics();
    let releases = [{ phase: "Execute", verdict: "" }];
    metrics.countReleasesWith(() => releases);
    expect(await scrape(metrics)).toContain('release_operator_releases{phase="Execute",verdict=""} 1');
    releases = [{ phase: "Completed", verdict: "Rolled-Back" }];
    const text = await scrape(metrics);
    expect(text).not.toContain('phase="Execute"');
    expect(text).toContain('release_operator_releases{phase="Completed",verdict="Rolled-Back"} 1');
  });

  it("keeps two instances apart (no global registry)", async () => {
    const first = new OperatorMetrics();
    const second = new OperatorMetrics();
    first.breach("soft");
    expect(await scrape(first)).toContain('release_operator_breaches_total{severity="soft"} 1');
    expect(await scrape(second)).not.toContain('severity="soft"');
  });
});

describe("countByPhaseAndVerdict", () => {
  it("counts each (phase, verdict) pair", () => {
    const counts = [
      ...countByPhaseAndVerdict([
        { phase: "Completed", verdict: "Released" },
        { phase: "Completed", verdict: "Aborted" },
        { phase: "Completed", verdict: "Released" },
      ]).values(),
    ];
    expect(counts).toEqual([
      { phase: "Completed", verdict: "Released", count: 2 },
      { phase: "Completed", verdict: "Aborted", count: 1 },
    ]);
  });
});
