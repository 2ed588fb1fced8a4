// Defaults of the Environment API. Two kinds:
// - fixed defaults, the same for every tier: written into the CRD as `default:` (so the apiserver fills
//   them in and `kubectl get -o yaml` shows them) and applied again by the operator when it reads a spec,
//   because the apiserver fills a nested default only when its parent object is present;
// - tier defaults, which depend on `spec.tier` and so cannot be CRD defaults: applied by the operator.
import type { Strategy } from "./common.js";
import type { MetricDirection, MetricKind, Tier } from "./environment.js";

/**
 * Fixed defaults by schema path under `spec` (`[]` marks a list item). The CRD generator writes each as
 * the field's `default`; the operator's resolver reads them from here.
 */
export const FIXED_DEFAULTS = {
  "approval.count": 1,
  "source.tagPattern": "release/{version}",
  "deploy.imagePullPolicy": "IfNotPresent",
  "deploy.podSecurity": "restricted",
  "deploy.idleTimeout": "5m",
  "deploy.timeout": "30m",
  "smoke.timeout": "5m",
  "smoke.http[].method": "GET",
  "smoke.http[].expectedStatus": 200,
  "watch.interval": "1m",
  "watch.noDataGrace": "3m",
  "watch.prometheus.timeout": "10s",
  "watch.baseline.mode": "pre-deploy",
  "watch.baseline.window": "10m",
  "watch.healthCheck.method": "GET",
  "watch.healthCheck.expectedStatus": 200,
  "watch.healthCheck.timeout": "5s",
  "report.branch": "main",
  "report.path": "_docs/04_release/",
  "report.tagPattern": "release/{version}",
} as const;

export interface TierDefaults {
  approvalRequired: boolean;
  fourEyes: boolean;
  autoSelectStrategy: boolean;
  smokeRequired: boolean;
  watchDuration: string;
}

/** What changes with the tier: production asks humans and watches longer. */
export const TIER_DEFAULTS: Readonly<Record<Tier, TierDefaults>> = {
  production: {
    approvalRequired: true,
    fourEyes: true,
    autoSelectStrategy: false,
    smokeRequired: true,
    watchDuration: "60m",
  },
  staging: {
    approvalRequired: false,
    fourEyes: false,
    autoSelectStrategy: true,
    smokeRequired: false,
    watchDuration: "15m",
  },
  development: {
    approvalRequired: false,
    fourEyes: false,
    autoSelectStrategy: true,
    smokeRequired: false,
    watchDuration: "15m",
  },
};

/** Used when an Environment names no strategies: the one every script can do. */
export const DEFAULT_STRATEGY: Strategy = "all-at-once";

export interface MetricDefaults {
  direction: MetricDirection;
  hardRatio: number;
  softRatio: number;
}

/** The reference's thresholds: error rate 2x, p99 latency 3x hard; 1.5x soft. */
export const METRIC_DEFAULTS: Readonly<Record<MetricKind, MetricDefaults>> = {
  "error-rate": { direction: "up", hardRatio: 2, softRatio: 1.5 },
  latency: { direction: "up", hardRatio: 3, softRatio: 1.5 },
  throughput: { direction: "down", hardRatio: 2, softRatio: 1.5 },
  saturation: { direction: "up", hardRatio: 2, softRatio: 1.5 },
  custom: { direction: "up", hardRatio: 2, softRatio: 1.5 },
};

/** The rollback path's mini watch window (reference, Phase 6 Path B). */
export const ROLLBACK_WATCH_DURATION = "5m";
