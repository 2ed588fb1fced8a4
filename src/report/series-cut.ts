// The note a watch series carries once its oldest intervals were dropped to keep the report ConfigMap
// under the API's size limit: a first JSON line without an interval, which `parseSeries` passes over,
// so the series stays readable and the report can say why its table starts late. Pure.

const CUT_FIELD = "cut";

/** The note's line, for a series whose first kept interval is `firstKept`. */
export function seriesCutLine(firstKept: number): string {
  return JSON.stringify({
    [CUT_FIELD]: `Intervals 1 to ${firstKept - 1} are not in this series: the oldest were dropped to keep the report ConfigMap under 1 MiB, and are kept nowhere else.`,
  });
}

export function isSeriesCutLine(line: string): boolean {
  if (!line.startsWith(`{"${CUT_FIELD}":`)) return false;
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return typeof parsed[CUT_FIELD] === "string";
  } catch {
    return false;
  }
}

/** Whether the series text says its oldest intervals were dropped for size. */
export function seriesWasCut(text: string | undefined): boolean {
  return (text ?? "").split("\n").some(isSeriesCutLine);
}
