// The watch window's breach rules (SPEC 3, phase 5): how one metric's value compares with its
// baseline, and how a breach is worded. Pure, and the only place these rules live.
import type { MetricSettings, MetricVerdict } from "../api/v1alpha1/index.js";

export type BreachRule = Pick<MetricSettings, "direction" | "hardRatio" | "softRatio" | "floor">;

export interface MetricJudgement {
  verdict: MetricVerdict;
  /** How many times worse than the baseline; Infinity when the baseline is zero and the value is not. */
  ratio?: number;
  /** Why the value was not compared (no data, no baseline, under the floor). */
  message?: string;
}

/** The message of a value judged without a baseline. */
export const NO_BASELINE = "no baseline to compare with";

/** 0.6 / 0.2 is 2.9999999999999996 in floating point: a ratio that meets its threshold must count. */
const RELATIVE_TOLERANCE = 1e-9;
const reaches = (ratio: number, threshold: number): boolean => ratio >= threshold * (1 - RELATIVE_TOLERANCE);

const usable = (number: number | undefined): number is number =>
  number !== undefined && !Number.isNaN(number);

/**
 * One metric at one interval. `direction: up` means a higher value is worse (error rate, latency),
 * `down` a lower one (throughput): the ratio is always "how many times worse". `floor` is compared with
 * the side that would make the breach (the value going up, the baseline a value fell from): twice
 * almost nothing is nothing.
 */
export function judgeMetric(
  rule: BreachRule,
  value: number | undefined,
  baseline: number | undefined,
): MetricJudgement {
  if (!usable(value)) return { verdict: "no-data", message: "no data" };
  if (!usable(baseline)) return { verdict: "ok", message: NO_BASELINE };
  if (value < 0 || baseline < 0) {
    return { verdict: "ok", message: "a negative value or baseline has no ratio; not compared" };
  }
  const [worse, better] = rule.direction === "up" ? [value, baseline] : [baseline, value];
  if (worse < rule.floor) return { verdict: "ok", message: `under the floor of ${rule.floor}` };
  // Equal is 1x, also when both are zero or both +Inf (0/0 and Inf/Inf are NaN); a value of zero from a
  // non-zero baseline is 0x, not 1x.
  if (worse === better) return { verdict: "ok", ratio: 1 };
  const ratio = better === 0 ? Number.POSITIVE_INFINITY : worse / better;
  if (reaches(ratio, rule.hardRatio)) return { verdict: "hard", ratio };
  if (reaches(ratio, rule.softRatio)) return { verdict: "soft", ratio };
  return { verdict: "ok", ratio };
}

/** `T+40s` under a minute, `T+3m` after: the elapsed time of the reference's breach reasons. */
export function elapsedLabel(startedAt: Date, at: Date): string {
  const seconds = Math.max(0, Math.floor((at.getTime() - startedAt.getTime()) / 1000));
  return seconds < 60 ? `T+${seconds}s` : `T+${Math.floor(seconds / 60)}m`;
}

/** `2.0x`, `2.5x`, `1.96x` (never rounded across a threshold), `∞x` (a zero baseline). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "∞x";
  // Down, so a soft 1.999x never reads as 2.0x; with the comparison's tolerance, so a ratio reads as
  // reaching a threshold exactly when it counts as reaching it: 2.9999999999999996 (0.6 / 0.2) as 3.0x.
  const rounded = Math.floor((ratio * 100) / (1 - RELATIVE_TOLERANCE)) / 100;
  return `${Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded)}x`;
}

/** Three decimals for status, down like formatRatio: a stored ratio never reads past its verdict. */
export function storedRatio(ratio: number): number {
  return Math.floor((ratio * 1000) / (1 - RELATIVE_TOLERANCE)) / 1000;
}

/** A number for a status field: JSON has no NaN or Infinity. */
export function finite(number: number | undefined): number | undefined {
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

/** `error-rate breached 2.46x baseline at T+3m`: the reference's wording of a metric breach. */
export function breachReason(metric: string, ratio: number, elapsed: string): string {
  return `${metric} breached ${formatRatio(ratio)} baseline at ${elapsed}`;
}
