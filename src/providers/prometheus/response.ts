// What a Prometheus HTTP API answer means: the JSON envelope validated, the result turned into
// samples, every other answer (a proxy's HTML page, a login wall, broken JSON) named for what it is.
// Pure, so every shape of answer is tested without a server.
import { z } from "zod";

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type FailureKind = "unreachable" | "unauthorized" | "bad-query" | "bad-response" | "timeout";

export interface QueryFailure {
  ok: false;
  kind: FailureKind;
  message: string;
}

export type QueryOutcome = { ok: true; samples: Sample[] } | QueryFailure;

/** One HTTP answer, as the client received it. */
export interface HttpAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** `[<unix time>, "<value>"]`: Prometheus sends values as strings so that NaN and infinities survive JSON. */
const sampleValueSchema = z.tuple([z.number(), z.string()]);

const seriesSchema = z.object({
  metric: z.record(z.string(), z.string()),
  value: sampleValueSchema.optional(),
  /** A native histogram sample (Prometheus 2.40+) has this instead of `value`. */
  histogram: z.unknown().optional(),
});

const querySuccessSchema = z.object({
  status: z.literal("success"),
  data: z.discriminatedUnion("resultType", [
    z.object({ resultType: z.literal("vector"), result: z.array(seriesSchema) }),
    z.object({ resultType: z.literal("scalar"), result: sampleValueSchema }),
    z.object({ resultType: z.literal("matrix"), result: z.array(z.unknown()) }),
    z.object({ resultType: z.literal("string"), result: sampleValueSchema }),
  ]),
});

const errorSchema = z.object({ status: z.literal("error"), errorType: z.string(), error: z.string() });

const buildInfoSchema = z.object({
  status: z.literal("success"),
  data: z.looseObject({ version: z.string().optional() }),
});

/** `https://user:pw@prom:9090/x/?a=1` -> `https://prom:9090/x`: the URL as messages may show it. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
  } catch {
    return "(an invalid URL)";
  }
}

/** Prometheus's number text: `1.5`, `1e-05`, `NaN`, `+Inf`, `-Inf` (which `parseFloat` reads as NaN for `+Inf`). */
export function parseSampleValue(text: string): number | undefined {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Prometheus's error types, sorted by whose problem they are. */
function kindOfError(errorType: string): FailureKind {
  switch (errorType) {
    case "bad_data": // the query does not parse, or a parameter is invalid
    case "execution": // the query parses but cannot be evaluated (e.g. many-to-many matching)
      return "bad-query";
    case "timeout":
    case "canceled":
      return "timeout";
    case "unavailable":
      return "unreachable";
    default:
      return "bad-response";
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function describeContentType(contentType: string | undefined): string {
  return contentType === undefined || contentType === ""
    ? "no content type"
    : (contentType.split(";")[0] ?? "").trim();
}

/**
 * The answer to anything but a Prometheus JSON envelope: a login wall, a proxy whose upstream is
 * down (502/503/504: Prometheus itself is not reachable), or something that is not Prometheus.
 */
function notPrometheus(where: string, answer: HttpAnswer, hadCredentials: boolean): QueryFailure {
  const { status } = answer;
  if (status === 401 || status === 403) {
    const message = hadCredentials
      ? `${where} refused the credentials from the auth Secret (${status})`
      : `${where} requires credentials (${status}) and no auth Secret was given`;
    return { ok: false, kind: "unauthorized", message };
  }
  const what = `HTTP ${status} with ${describeContentType(answer.contentType)}`;
  if (status === 502 || status === 503 || status === 504) {
    return {
      ok: false,
      kind: "unreachable",
      message: `${where} is not available: ${what}, not the Prometheus API`,
    };
  }
  const parsed = parseJson(answer.body);
  const body =
    parsed === undefined ? "a body that is not JSON" : "JSON that is not a Prometheus API response";
  return { ok: false, kind: "bad-response", message: `${where} answered ${what} and ${body}` };
}

/** An instant query's answer as samples, or why there are none. `where` names Prometheus, e.g. `Prometheus at http://...`. */
export function interpretQueryAnswer(
  where: string,
  answer: HttpAnswer,
  hadCredentials: boolean,
): QueryOutcome {
  const json = parseJson(answer.body);
  const failed = errorSchema.safeParse(json);
  if (failed.success) {
    const { errorType, error } = failed.data;
    const kind = kindOfError(errorType);
    const verb = kind === "bad-query" ? "rejected the query" : "failed the query";
    return { ok: false, kind, message: `${where} ${verb} (${errorType}): ${error}` };
  }
  const succeeded = querySuccessSchema.safeParse(json);
  if (!succeeded.success) {
    if (json !== undefined && typeof json === "object" && answer.status >= 200 && answer.status < 300) {
      const issue = succeeded.error.issues[0];
      const at = issue === undefined ? "" : ` at ${issue.path.join(".") || "the top"}: ${issue.message}`;
      return {
        ok: false,
        kind: "bad-response",
        message: `${where} answered a query result that does not fit the API${at}`,
      };
    }
    return notPrometheus(where, answer, hadCredentials);
  }
  const { data } = succeeded.data;
  switch (data.resultType) {
    case "vector":
      return samplesOfVector(where, data.result);
    case "scalar": {
      const value = parseSampleValue(data.result[1]);
      if (value === undefined) return badNumber(where, data.result[1]);
      return { ok: true, samples: [{ labels: {}, value }] };
    }
    case "matrix":
      return {
        ok: false,
        kind: "bad-query",
        message: `${where} returned a range vector for the query; a watched metric needs an instant vector or a scalar (drop the [range] or wrap it in a function such as rate())`,
      };
    case "string":
      return {
        ok: false,
        kind: "bad-query",
        message: `${where} returned a string for the query; a watched metric needs a number`,
      };
  }
}

function samplesOfVector(where: string, series: z.infer<typeof seriesSchema>[]): QueryOutcome {
  const samples: Sample[] = [];
  for (const { metric, value } of series) {
    if (value === undefined) {
      return {
        ok: false,
        kind: "bad-query",
        message: `${where} returned a native histogram for series ${JSON.stringify(metric)}; a watched metric needs a number (use histogram_quantile, histogram_count, ...)`,
      };
    }
    const number = parseSampleValue(value[1]);
    if (number === undefined) return badNumber(where, value[1]);
    samples.push({ labels: metric, value: number });
  }
  return { ok: true, samples };
}

function badNumber(where: string, text: string): QueryFailure {
  return {
    ok: false,
    kind: "bad-response",
    message: `${where} returned a sample value that is not a number: ${JSON.stringify(text.slice(0, 40))}`,
  };
}

export type BuildInfoOutcome = { ok: true; version?: string } | { ok: false; message: string };

/** `/api/v1/status/buildinfo`'s answer. A 404 is left to the caller: Prometheus-compatible servers may lack the endpoint. */
export function interpretBuildInfoAnswer(
  where: string,
  answer: HttpAnswer,
  hadCredentials: boolean,
): BuildInfoOutcome {
  const parsed = buildInfoSchema.safeParse(parseJson(answer.body));
  if (parsed.success) {
    const { version } = parsed.data.data;
    return version === undefined || version === "" ? { ok: true } : { ok: true, version };
  }
  const failed = errorSchema.safeParse(parseJson(answer.body));
  if (failed.success)
    return { ok: false, message: `${where} failed (${failed.data.errorType}): ${failed.data.error}` };
  return { ok: false, message: notPrometheus(where, answer, hadCredentials).message };
}

/** A watched metric's one number, or why there is none; `unreachable` when Prometheus itself did not answer. */
export type MetricValueOutcome =
  { ok: true; value: number } | { ok: false; unreachable: boolean; message: string };

/** Kinds of failure that mean no answer from Prometheus at all, rather than an answer without a number. */
const NO_ANSWER: ReadonlySet<FailureKind> = new Set(["unreachable", "timeout", "unauthorized"]);

/**
 * The number a watched metric's query stands for: exactly one series (or a scalar). An empty vector
 * is no data; several series are a query that needs aggregating; NaN (0/0, no traffic in the range)
 * is no data; infinities are numbers (a latency quantile in the top bucket is as bad as it gets).
 */
export function singleValue(outcome: QueryOutcome): MetricValueOutcome {
  if (!outcome.ok) return { ok: false, unreachable: NO_ANSWER.has(outcome.kind), message: outcome.message };
  const { samples } = outcome;
  if (samples.length === 0) {
    return { ok: false, unreachable: false, message: "no data: the query returned an empty result" };
  }
  if (samples.length > 1) {
    return {
      ok: false,
      unreachable: false,
      message: `the query returned ${samples.length} series where one was expected; aggregate it (e.g. sum(...) or max(...))`,
    };
  }
  const value = samples[0]?.value ?? Number.NaN;
  if (Number.isNaN(value)) {
    return {
      ok: false,
      unreachable: false,
      message: "no data: the query evaluated to NaN (e.g. 0/0: no requests in the range)",
    };
  }
  return { ok: true, value };
}
