// A chart of one watched metric against its baseline and its thresholds, as a Mermaid `xychart-beta`
// (GitHub and GitLab render it in Markdown). Pure. The grammar decides the format: numbers are plain
// decimals (`[+-]?digits[.digits]`, no exponent), a quoted text ends at the next `"` with no escape,
// a `line` needs at least one number, and the y-axis range is `min --> max`. xychart has no legend:
// the caption under the chart names the lines in the order they are drawn.
import type { MetricSettings, MetricSnapshot } from "../api/v1alpha1/index.js";
import type { BreachRule } from "../release/watch-rules.js";
import type { SeriesEntry } from "./watch-series.js";

/** More points than this are downsampled: 60 labels is what still reads on a page-wide chart. */
export const MAX_CHART_POINTS = 60;

/** The lines in the order they are drawn, and the colour each gets from the chart's init directive. */
export const CHART_LINES = [
  { name: "value", colour: "blue", hex: "#1f77b4" },
  { name: "baseline", colour: "grey", hex: "#7f7f7f" },
  { name: "soft threshold", colour: "orange", hex: "#ff7f0e" },
  { name: "hard threshold", colour: "red", hex: "#d62728" },
] as const;

const INIT_DIRECTIVE = `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${CHART_LINES.map((line) => line.hex).join(", ")}"}}}}%%`;

const PLAIN = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4, useGrouping: false });

/** Four significant digits, never in exponent notation (Mermaid reads `1e-5` as no number at all). */
export function plainNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`plainNumber: ${value} has no decimal form`);
  const text = PLAIN.format(value);
  return text === "-0" ? "0" : text;
}

/** A Mermaid quoted text cannot hold `"` (it would end the text) nor a line break (it ends the statement). */
export function mermaidText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return `"${text.replaceAll('"', "'").replaceAll(/[\u0000-\u001f\u007f]+/g, " ")}"`;
}

interface Point {
  label: string;
  interval: number;
  reading: MetricSnapshot & { value: number };
}

const finiteNumber = (number: number | undefined): number is number =>
  number !== undefined && Number.isFinite(number);

/**
 * The value at which a reading reaches `ratio` times worse than `baseline`, as `judgeMetric` compares:
 * up is worse: value >= baseline x ratio, and the value must reach the floor; down is worse:
 * value <= baseline / ratio, and only while the baseline (the side that would fall) reaches the floor.
 * Undefined where no value can breach: a down-is-worse baseline under the floor, or a negative one.
 */
export function thresholdFor(rule: BreachRule, baseline: number, ratio: number): number | undefined {
  if (baseline < 0) return undefined;
  if (rule.direction === "up") return Math.max(baseline * ratio, rule.floor);
  return baseline < rule.floor ? undefined : baseline / ratio;
}

/** The higher, the worse. */
const worseness = (point: Point, direction: BreachRule["direction"]): number =>
  direction === "down" ? -point.reading.value : point.reading.value;

/** Consecutive buckets of at most `max` of them, each kept as its worst point (the first of equals). */
function downsample(points: readonly Point[], direction: BreachRule["direction"], max: number): Point[] {
  if (points.length <= max) return [...points];
  const size = Math.ceil(points.length / max);
  const kept: Point[] = [];
  for (let start = 0; start < points.length; start += size) {
    const bucket = points.slice(start, start + size);
    const worst = bucket.reduce((a, b) => (worseness(b, direction) > worseness(a, direction) ? b : a));
    kept.push(worst);
  }
  return kept;
}

/** The next value up with two significant digits: an axis bound that reads well and holds every line. */
function roundAway(value: number): number {
  if (value === 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  // 110.00000000000001 (100 x 1.1) is 110: twelve digits drop the float's noise before rounding up.
  return Math.sign(value) * Math.ceil(Number((Math.abs(value) / step).toPrecision(12))) * step;
}

function axisRange(lines: readonly (readonly number[])[]): [number, number] {
  const all = lines.flat();
  const low = Math.min(...all);
  const high = Math.max(...all);
  // 10% of room (more than the 4-digit rounding of any number drawn); rates start at 0.
  const min = low >= 0 ? 0 : roundAway(low * 1.1);
  const max = high <= 0 ? (min === 0 ? 1 : 0) : roundAway(high * 1.1);
  return [min, max];
}

/** `T+1m` twice (two 30 s intervals in the same minute) would be one category: the later ones say their number. */
function uniqueLabels(points: readonly Point[]): string[] {
  const seen = new Set<string>();
  return points.map((point) => {
    const label = seen.has(point.label) ? `${point.label} #${point.interval}` : point.label;
    seen.add(label);
    return label;
  });
}

export interface MetricChartInput {
  metric: string;
  /** What the chart shows, e.g. `error-rate, release window`. */
  title: string;
  /** The window's intervals in order, each with every metric's reading. */
  intervals: readonly SeriesEntry[];
  /** The metric's settings; without them the thresholds are unknown and not drawn. */
  settings?: MetricSettings;
}

const ruleText = (direction: BreachRule["direction"], ratio: number): string =>
  direction === "up" ? `baseline × ${plainNumber(ratio)}` : `baseline ÷ ${plainNumber(ratio)}`;

/**
 * The chart of one metric, fenced, with its caption; a sentence instead when no interval has a value.
 * Only the intervals with a value are charted (a line needs a number at every category, and a made-up
 * one would draw a reading that never was); when some intervals have a baseline, only those are
 * charted, since the baseline and the thresholds need one. The caption says how many were left out.
 */
export function metricChart({ metric, title, intervals, settings }: MetricChartInput): string[] {
  const withValue: Point[] = [];
  for (const entry of intervals) {
    const reading = entry.metrics.find((candidate) => candidate.metric === metric);
    if (reading !== undefined && finiteNumber(reading.value))
      withValue.push({
        label: entry.elapsed,
        interval: entry.interval,
        reading: { ...reading, value: reading.value },
      });
  }
  const noData = intervals.length - withValue.length;
  if (withValue.length === 0) {
    return [`No chart of ${metric}: none of the ${intervals.length} intervals had a value.`, ""];
  }
  const withBaseline = withValue.filter((point) => finiteNumber(point.reading.baseline));
  const compared = withBaseline.length > 0;
  const charted = compared ? withBaseline : withValue;
  const direction = settings?.direction ?? "up";
  const points = downsample(charted, direction, MAX_CHART_POINTS);

  const values = points.map((point) => point.reading.value);
  const baselines = points.map((point) => point.reading.baseline ?? 0);
  const thresholds =
    compared && settings !== undefined
      ? [settings.softRatio, settings.hardRatio].map((ratio) =>
          points.map((point) => thresholdFor(settings, point.reading.baseline ?? 0, ratio)),
        )
      : [];
  // Where no value can breach, the threshold is drawn at 0: below any reading, as the rule is.
  const drawnThresholds = thresholds.map((line) => line.map((value) => value ?? 0));
  const lines = [values, ...(compared ? [baselines] : []), ...drawnThresholds];
  const [min, max] = axisRange(lines);

  const chart = [
    "```mermaid",
    INIT_DIRECTIVE,
    "xychart-beta",
    `  title ${mermaidText(title)}`,
    `  x-axis [${uniqueLabels(points).map(mermaidText).join(", ")}]`,
    `  y-axis ${mermaidText(metric)} ${plainNumber(min)} --> ${plainNumber(max)}`,
    ...lines.map(
      (line, index) =>
        `  line ${mermaidText(CHART_LINES[index]?.name ?? "")} [${line.map(plainNumber).join(", ")}]`,
    ),
    "```",
  ];

  const named = CHART_LINES.slice(0, lines.length).map((line, index) => {
    const ratio = index === 2 ? settings?.softRatio : index === 3 ? settings?.hardRatio : undefined;
    return `${line.name}${ratio === undefined ? "" : ` = ${ruleText(direction, ratio)}`} (${line.colour})`;
  });
  const notes = [
    `Lines, drawn in this order: ${named.join(", ")}. The colours come from the chart's init directive; a renderer that ignores it keeps the order, not the colours.`,
  ];
  if (!compared) notes.push("No interval had a baseline: only the value is drawn.");
  else if (settings === undefined)
    notes.push("The thresholds are unknown: the metric's settings were not given to the report.");
  else {
    const reach = direction === "up" ? "at or above" : "at or below";
    const floor =
      settings.floor <= 0
        ? ""
        : direction === "up"
          ? `; no value under the floor of ${plainNumber(settings.floor)} breaches, so the thresholds are at least the floor`
          : `; nothing breaches while the baseline is under the floor of ${plainNumber(settings.floor)}`;
    notes.push(
      `A value ${reach} the soft threshold is a soft breach, ${reach} the hard one a hard breach${floor}.`,
    );
    const unbreachable = thresholds[0]?.filter((value) => value === undefined).length ?? 0;
    if (unbreachable > 0)
      notes.push(`At ${unbreachable} points no value could breach; the thresholds are drawn at 0 there.`);
    if (direction === "up" && settings.floor <= 0 && points.some((point) => point.reading.baseline === 0))
      notes.push("Where the baseline is 0, any value above 0 breaches.");
  }
  if (points.length < charted.length) {
    const size = Math.ceil(charted.length / MAX_CHART_POINTS);
    const worst =
      settings === undefined
        ? "the highest value (the metric's direction is unknown)"
        : `the worst value (the ${direction === "up" ? "highest" : "lowest"})`;
    notes.push(
      `${charted.length} intervals drawn as ${points.length} points: each point is ${worst} of up to ${size} consecutive intervals, at that reading's label.`,
    );
  }
  if (noData > 0) notes.push(`${noData} of ${intervals.length} intervals had no value and are not drawn.`);
  const noBaseline = compared ? withValue.length - withBaseline.length : 0;
  if (noBaseline > 0) notes.push(`${noBaseline} intervals had a value but no baseline and are not drawn.`);
  return [...chart, "", notes.join(" "), ""];
}
