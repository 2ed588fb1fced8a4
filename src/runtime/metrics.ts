// The operator's Prometheus metrics, in a registry of its own (never prom-client's global one, so
// tests and embedded uses never collide), with the process metrics prom-client collects by default.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export type ReconcileResult = "success" | "requeue" | "error" | "terminal";

/** Reconciles take milliseconds to a few seconds; the tail catches slow API servers and providers. */
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Phases last from seconds (a gate that passes) to a day (a gate waiting for approval overnight). */
const PHASE_BUCKETS = [
  1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400,
];

/** How many releases are in each (phase, verdict); verdict "" while there is none. */
export function countByPhaseAndVerdict(
  releases: Iterable<{ phase: string; verdict: string }>,
): Map<string, { phase: string; verdict: string; count: number }> {
  const counts = new Map<string, { phase: string; verdict: string; count: number }>();
  for (const { phase, verdict } of releases) {
    const key = JSON.stringify([phase, verdict]);
    const entry = counts.get(key) ?? { phase, verdict, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return counts;
}

export class OperatorMetrics {
  readonly registry: Registry;
  private readonly reconcileTotal: Counter<"controller" | "result">;
  private readonly reconcileErrors: Counter<"controller">;
  private readonly reconcileDuration: Histogram<"controller">;
  private readonly queueDepthGauge: Gauge<"controller">;
  private readonly informerRestarts: Counter<"informer" | "cause">;
  private readonly phaseDuration: Histogram<"phase" | "outcome">;
  private readonly breaches: Counter<"severity">;
  private readonly transitions: Counter<"from" | "to">;
  private readonly leader: Gauge;
  private readonly apiRequests: Counter<"method">;
  private releaseSource: (() => Iterable<{ phase: string; verdict: string }>) | undefined;

  constructor() {
    const registry = new Registry();
    this.registry = registry;
    collectDefaultMetrics({ register: registry });
    const registers = [registry];
    this.reconcileTotal = new Counter({
      name: "release_operator_reconcile_total",
      help: "Reconciles finished, by controller and result (success, requeue, error, terminal).",
      labelNames: ["controller", "result"],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: "release_operator_reconcile_errors_total",
      help: "Reconciles that ended in an error, retried or terminal.",
      labelNames: ["controller"],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: "release_operator_reconcile_duration_seconds",
      help: "How long one reconcile took.",
      labelNames: ["controller"],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.queueDepthGauge = new Gauge({
      name: "release_operator_workqueue_depth",
      help: "Keys waiting in the work queue.",
      labelNames: ["controller"],
      registers,
    });
    this.informerRestarts = new Counter({
      name: "release_operator_informer_restarts_total",
      help: "Watches restarted, by informer and cause (error, stall).",
      labelNames: ["informer", "cause"],
      registers,
    });
    this.phaseDuration = new Histogram({
      name: "release_operator_phase_duration_seconds",
      help: "How long release phases lasted, by phase and outcome.",
      labelNames: ["phase", "outcome"],
      buckets: PHASE_BUCKETS,
      registers,
    });
    this.breaches = new Counter({
      name: "release_operator_breaches_total",
      help: "Watch-window breaches seen, by severity (soft, hard).",
      labelNames: ["severity"],
      registers,
    });
    this.transitions = new Counter({
      name: "release_operator_phase_transitions_total",
      help: "Releases moved from one phase to another.",
      labelNames: ["from", "to"],
      registers,
    });
    this.leader = new Gauge({
      name: "release_operator_leader",
      help: "1 while this replica holds the leader Lease, else 0.",
      registers,
    });
    this.leader.set(0);
    this.apiRequests = new Counter({
      name: "release_operator_api_requests_total",
      help: "Requests the operator's API clients sent, by HTTP method (watch and log streams and the leader Lease's renewals not included).",
      labelNames: ["method"],
      registers,
    });
    const releases = new Gauge<"phase" | "verdict">({
      name: "release_operator_releases",
      help: "Releases by phase and verdict (verdict empty while there is none), counted at scrape time.",
      labelNames: ["phase", "verdict"],
      registers,
      collect: () => {
        this.countReleases(releases);
      },
    });
  }

  reconciled(controller: string, result: ReconcileResult, seconds: number): void {
    this.reconcileTotal.inc({ controller, result });
    // Created at zero for every controller seen, so rate() over errors works before the first one.
    this.reconcileErrors.inc({ controller }, result === "error" || result === "terminal" ? 1 : 0);
    this.reconcileDuration.observe({ controller }, seconds);
  }

  queueDepth(controller: string, depth: number): void {
    this.queueDepthGauge.set({ controller }, depth);
  }

  informerRestarted(informer: string, cause: "error" | "stall"): void {
    this.informerRestarts.inc({ informer, cause });
  }

  phaseCompleted(phase: string, outcome: string, seconds: number): void {
    this.phaseDuration.observe({ phase, outcome }, seconds);
  }

  breach(severity: "soft" | "hard"): void {
    this.breaches.inc({ severity });
  }

  transition(from: string, to: string): void {
    this.transitions.inc({ from, to });
  }

  apiRequest(method: string): void {
    this.apiRequests.inc({ method });
  }

  setLeader(isLeader: boolean): void {
    this.leader.set(isLeader ? 1 : 0);
  }

  /** The release_operator_releases gauge is computed from `collect` at every scrape (e.g. from the informer cache). */
  countReleasesWith(collect: () => Iterable<{ phase: string; verdict: string }>): void {
    this.releaseSource = collect;
  }

  private countReleases(gauge: Gauge<"phase" | "verdict">): void {
    // Reset so a (phase, verdict) nobody is in any more disappears instead of keeping its last count.
    gauge.reset();
    if (this.releaseSource === undefined) return;
    for (const { phase, verdict, count } of countByPhaseAndVerdict(this.releaseSource()).values()) {
      gauge.set({ phase, verdict }, count);
    }
  }
}
