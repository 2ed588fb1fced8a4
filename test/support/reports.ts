// Report fixtures shared by the report's unit tests and the report bench.
import type { MetricSettings } from "../../src/api/v1alpha1/index.js";

/** Ten watched metrics, alternately up-is-worse and down-is-worse: a large report. */
export const TEN_METRICS: MetricSettings[] = Array.from({ length: 10 }, (_, index) => ({
  name: `metric-${index}`,
  query: `sum(rate(metric_${index}[1m]))`,
  kind: "custom",
  direction: index % 2 === 0 ? "up" : "down",
  softRatio: 1.5,
  hardRatio: 2,
  floor: 0,
}));
