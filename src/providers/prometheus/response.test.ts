import { describe, expect, it } from "vitest";
import {
  displayUrl,
  interpretBuildInfoAnswer,
  interpretQueryAnswer,
  parseSampleValue,
  singleValue,
  type FailureKind,
  type HttpAnswer,
  type MetricValueOutcome,
  type QueryOutcome,
  type Sample,
} from "./response.js";

const WHERE = "Prometheus at http://prom:9090";
const json = (status: number, body: unknown): HttpAnswer => ({
  status,
  contentType: "application/json",
  body: JSON.stringify(body),
});
const success = (data: unknown): HttpAnswer => json(200, { status: "success", data });
const failure = (status: number, errorType: string, error: string): HttpAnswer =>
  json(status, { status: "error", errorType, error });

describe("interpretQueryAnswer", () => {
  it.each([
    {
      situation: "a vector: one sample per series",
      answer: success({
        resultType: "vector",
        result: [
          { metric: { job: "demo", version: "1.4.2" }, value: [1700000000.5, "0.25"] },
          { metric: { job: "demo", version: "1.4.1" }, value: [1700000000.5, "1e-05"] },
        ],
      }),
      samples: [
        { labels: { job: "demo", version: "1.4.2" }, value: 0.25 },
        { labels: { job: "demo", version: "1.4.1" }, value: 0.00001 },
      ],
    },
    { situation: "an empty vector", answer: success({ resultType: "vector", result: [] }), samples: [] },
    {
      situation: "a scalar: one sample without labels",
      answer: success({ resultType: "scalar", result: [1700000000, "42"] }),
      samples: [{ labels: {}, value: 42 }],
    },
    {
      situation: "NaN and infinities, kept as numbers",
      answer: success({
        resultType: "vector",
        result: [
          { metric: { s: "nan" }, value: [1, "NaN"] },
          { metric: { s: "inf" }, value: [1, "+Inf"] },
          { metric: { s: "-inf" }, value: [1, "-Inf"] },
        ],
      }),
      samples: [
        { labels: { s: "nan" }, value: Number.NaN },
        { labels: { s: "inf" }, value: Number.POSITIVE_INFINITY },
        { labels: { s: "-inf" }, value: Number.NEGATIVE_INFINITY },
      ],
    },
    {
      situation: "a success with warnings and fields we do not use",
      answer: json(200, {
        status: "success",
        warnings: ["partial response"],
        data: { resultType: "vector", result: [{ metric: {}, value: [1, "3"] }], stats: {} },
      }),
      samples: [{ labels: {}, value: 3 }],
    },
  ])("reads $situation", ({ answer, samples }) => {
    expect(interpretQueryAnswer(WHERE, answer, false)).toEqual({ ok: true, samples });
  });

  it.each([
    {
      situation: "bad_data: Prometheus's own parse error",
      answer: failure(
        400,
        "bad_data",
        'invalid parameter "query": 1:18: parse error: unclosed left parenthesis',
      ),
      kind: "bad-query",
      message: `${WHERE} rejected the query (bad_data): invalid parameter "query": 1:18: parse error: unclosed left parenthesis`,
    },
    {
      situation: "an execution error",
      answer: failure(422, "execution", "found duplicate series for the match group"),
      kind: "bad-query",
      message: `${WHERE} rejected the query (execution): found duplicate series for the match group`,
    },
    {
      situation: "Prometheus's own query timeout",
      answer: failure(503, "timeout", "query timed out in expression evaluation"),
      kind: "timeout",
      message: `${WHERE} failed the query (timeout): query timed out in expression evaluation`,
    },
    {
      situation: "Prometheus not ready yet",
      answer: failure(503, "unavailable", "Service Unavailable"),
      kind: "unreachable",
      message: `${WHERE} failed the query (unavailable): Service Unavailable`,
    },
    {
      situation: "an internal error",
      answer: failure(500, "internal", "boom"),
      kind: "bad-response",
      message: `${WHERE} failed the query (internal): boom`,
    },
    {
      situation: "a proxy's 503 HTML page",
      answer: {
        status: 503,
        contentType: "text/html; charset=utf-8",
        body: "<html>Service Unavailable</html>",
      },
      kind: "unreachable",
      message: `${WHERE} is not available: HTTP 503 with text/html, not the Prometheus API`,
    },
    {
      situation: "a 401 from an auth proxy, without credentials",
      answer: { status: 401, contentType: "text/plain", body: "Unauthorized" },
      kind: "unauthorized",
      message: `${WHERE} requires credentials (401) and no auth Secret was given`,
    },
    {
      situation: "a 403 with JSON that is not an envelope",
      answer: json(403, { message: "forbidden" }),
      kind: "unauthorized",
      message: `${WHERE} requires credentials (403) and no auth Secret was given`,
    },
    {
      situation: "malformed JSON with 200",
      answer: { status: 200, contentType: "application/json", body: '{"status":"succ' },
      kind: "bad-response",
      message: `${WHERE} answered HTTP 200 with application/json and a body that is not JSON`,
    },
    {
      situation: "an HTML page with 200 (a UI, not the API)",
      answer: { status: 200, contentType: "text/html", body: "<html></html>" },
      kind: "bad-response",
      message: `${WHERE} answered HTTP 200 with text/html and a body that is not JSON`,
    },
    {
      situation: "a 404 without a content type",
      answer: { status: 404, contentType: undefined, body: "" },
      kind: "bad-response",
      message: `${WHERE} answered HTTP 404 with no content type and a body that is not JSON`,
    },
    {
      situation: "an unknown result type",
      answer: success({ resultType: "histogram", result: [] }),
      kind: "bad-response",
      message: expect.stringMatching(
        /^Prometheus at http:\/\/prom:9090 answered a query result that does not fit the API at data\.resultType/,
      ) as unknown,
    },
    {
      situation: "a vector sample whose value is not a string",
      answer: success({ resultType: "vector", result: [{ metric: {}, value: [1, 2] }] }),
      kind: "bad-response",
      message: expect.stringMatching(/does not fit the API at data\.result\.0\.value\.1/) as unknown,
    },
    {
      situation: "a value that is not a number",
      answer: success({ resultType: "scalar", result: [1, "twelve"] }),
      kind: "bad-response",
      message: `${WHERE} returned a sample value that is not a number: "twelve"`,
    },
    {
      situation: "a range vector (matrix)",
      answer: success({ resultType: "matrix", result: [{ metric: {}, values: [[1, "1"]] }] }),
      kind: "bad-query",
      message: expect.stringMatching(/returned a range vector for the query/) as unknown,
    },
    {
      situation: "a string result",
      answer: success({ resultType: "string", result: [1, "hello"] }),
      kind: "bad-query",
      message: `${WHERE} returned a string for the query; a watched metric needs a number`,
    },
    {
      situation: "a native histogram series",
      answer: success({
        resultType: "vector",
        result: [{ metric: { job: "a" }, histogram: [1, { count: "2" }] }],
      }),
      kind: "bad-query",
      message: expect.stringMatching(/returned a native histogram for series \{"job":"a"\}/) as unknown,
    },
  ])("reports $situation", ({ answer, kind, message }) => {
    expect(interpretQueryAnswer(WHERE, answer, false)).toEqual({ ok: false, kind, message });
  });

  it.each([401, 403])("says the auth Secret's credentials were refused on %i", (status) => {
    expect(interpretQueryAnswer(WHERE, { status, contentType: "text/plain", body: "no" }, true)).toEqual({
      ok: false,
      kind: "unauthorized",
      message: `${WHERE} refused the credentials from the auth Secret (${status})`,
    });
  });
});

describe("interpretBuildInfoAnswer", () => {
  it.each([
    {
      situation: "Prometheus's build info",
      answer: success({ version: "2.42.0+ds", revision: "x", goVersion: "go1.19" }),
      outcome: { ok: true, version: "2.42.0+ds" },
    },
    { situation: "build info without a version", answer: success({ revision: "x" }), outcome: { ok: true } },
    {
      situation: "an error envelope",
      answer: failure(500, "internal", "boom"),
      outcome: { ok: false, message: `${WHERE} failed (internal): boom` },
    },
    {
      situation: "a 401",
      answer: { status: 401, contentType: "text/plain", body: "no" },
      outcome: { ok: false, message: `${WHERE} requires credentials (401) and no auth Secret was given` },
    },
    {
      situation: "a proxy's 502 page",
      answer: { status: 502, contentType: "text/html", body: "<html>Bad Gateway</html>" },
      outcome: {
        ok: false,
        message: `${WHERE} is not available: HTTP 502 with text/html, not the Prometheus API`,
      },
    },
  ])("reads $situation", ({ answer, outcome }) => {
    expect(interpretBuildInfoAnswer(WHERE, answer, false)).toEqual(outcome);
  });
});

describe("parseSampleValue", () => {
  it.each([
    { text: "1", value: 1 },
    { text: "-0.5", value: -0.5 },
    { text: "1e-05", value: 0.00001 },
    { text: "1.5E+3", value: 1500 },
    { text: ".5", value: 0.5 },
    { text: "NaN", value: Number.NaN },
    { text: "+Inf", value: Number.POSITIVE_INFINITY },
    { text: "-Inf", value: Number.NEGATIVE_INFINITY },
    { text: "", value: undefined },
    { text: "0x10", value: undefined },
    { text: "12abc", value: undefined },
    { text: " 1", value: undefined },
  ])("reads $text as $value", ({ text, value }) => {
    expect(parseSampleValue(text)).toBe(value);
  });
});

describe("displayUrl", () => {
  it.each([
    { url: "http://prom:9090", shown: "http://prom:9090" },
    {
      url: "https://user:secret@prom.example.com/prometheus/?x=1#y",
      shown: "https://prom.example.com/prometheus",
    },
    { url: "not a url", shown: "(an invalid URL)" },
  ])("shows $url as $shown", ({ url, shown }) => {
    expect(displayUrl(url)).toBe(shown);
  });
});

const NO_DATA_EMPTY = "no data: the query returned an empty result";
const NO_DATA_NAN = "no data: the query evaluated to NaN (e.g. 0/0: no requests in the range)";
const sample = (value: number, labels: Record<string, string> = {}): Sample => ({ labels, value });

describe("singleValue", () => {
  it.each<{ situation: string; outcome: QueryOutcome; expected: MetricValueOutcome }>([
    {
      situation: "one sample: its value",
      outcome: { ok: true, samples: [sample(0.25, { job: "demo" })] },
      expected: { ok: true, value: 0.25 },
    },
    {
      situation: "a zero: a value",
      outcome: { ok: true, samples: [sample(0)] },
      expected: { ok: true, value: 0 },
    },
    {
      situation: "an empty vector: no data, Prometheus answered",
      outcome: { ok: true, samples: [] },
      expected: { ok: false, unreachable: false, message: NO_DATA_EMPTY },
    },
    {
      situation: "several series: asks for an aggregation",
      outcome: {
        ok: true,
        samples: [sample(1, { pod: "a" }), sample(2, { pod: "b" }), sample(3, { pod: "c" })],
      },
      expected: {
        ok: false,
        unreachable: false,
        message:
          "the query returned 3 series where one was expected; aggregate it (e.g. sum(...) or max(...))",
      },
    },
    {
      situation: "NaN (0/0): no data",
      outcome: { ok: true, samples: [sample(Number.NaN)] },
      expected: { ok: false, unreachable: false, message: NO_DATA_NAN },
    },
    {
      situation: "+Inf: a value (as bad as it gets)",
      outcome: { ok: true, samples: [sample(Number.POSITIVE_INFINITY)] },
      expected: { ok: true, value: Number.POSITIVE_INFINITY },
    },
    {
      situation: "-Inf: a value",
      outcome: { ok: true, samples: [sample(Number.NEGATIVE_INFINITY)] },
      expected: { ok: true, value: Number.NEGATIVE_INFINITY },
    },
  ])("$situation", ({ outcome, expected }) => {
    expect(singleValue(outcome)).toEqual(expected);
  });

  it.each<{ kind: FailureKind; unreachable: boolean }>([
    { kind: "unreachable", unreachable: true },
    { kind: "timeout", unreachable: true },
    { kind: "unauthorized", unreachable: true },
    { kind: "bad-query", unreachable: false },
    { kind: "bad-response", unreachable: false },
  ])("a $kind failure: unreachable $unreachable, its message kept", ({ kind, unreachable }) => {
    const message = `${WHERE} said no (${kind})`;
    expect(singleValue({ ok: false, kind, message })).toEqual({ ok: false, unreachable, message });
  });
});

describe("a watched metric's answer, from HTTP to its one number", () => {
  const vectorOf = (...values: string[]): HttpAnswer =>
    success({
      resultType: "vector",
      result: values.map((value, index) => ({ metric: { i: String(index) }, value: [1700000000, value] })),
    });
  it.each<{ situation: string; answer: HttpAnswer; credentials?: boolean; expected: MetricValueOutcome }>([
    { situation: "one series", answer: vectorOf("0.0125"), expected: { ok: true, value: 0.0125 } },
    {
      situation: "one series in exponent form",
      answer: vectorOf("2.5e-3"),
      expected: { ok: true, value: 0.0025 },
    },
    {
      situation: "a scalar (e.g. scalar(...) or vector arithmetic on one)",
      answer: success({ resultType: "scalar", result: [1700000000, "3.5"] }),
      expected: { ok: true, value: 3.5 },
    },
    {
      situation: "a NaN scalar: no data",
      answer: success({ resultType: "scalar", result: [1700000000, "NaN"] }),
      expected: { ok: false, unreachable: false, message: NO_DATA_NAN },
    },
    {
      situation: "a NaN sample: no data",
      answer: vectorOf("NaN"),
      expected: { ok: false, unreachable: false, message: NO_DATA_NAN },
    },
    {
      situation: "a +Inf sample: a value",
      answer: vectorOf("+Inf"),
      expected: { ok: true, value: Number.POSITIVE_INFINITY },
    },
    {
      situation: "an Inf sample without a sign: a value",
      answer: vectorOf("Inf"),
      expected: { ok: true, value: Number.POSITIVE_INFINITY },
    },
    {
      situation: "an empty vector: no data",
      answer: vectorOf(),
      expected: { ok: false, unreachable: false, message: NO_DATA_EMPTY },
    },
    {
      situation: "two series",
      answer: vectorOf("1", "2"),
      expected: {
        ok: false,
        unreachable: false,
        message:
          "the query returned 2 series where one was expected; aggregate it (e.g. sum(...) or max(...))",
      },
    },
    {
      situation: "a range vector: a query to fix, not an outage",
      answer: success({ resultType: "matrix", result: [] }),
      expected: {
        ok: false,
        unreachable: false,
        message: expect.stringMatching(/returned a range vector/) as string,
      },
    },
    {
      situation: "bad_data: a query to fix, not an outage",
      answer: failure(400, "bad_data", "parse error"),
      expected: {
        ok: false,
        unreachable: false,
        message: `${WHERE} rejected the query (bad_data): parse error`,
      },
    },
    {
      situation: "Prometheus's own timeout: no answer",
      answer: failure(503, "timeout", "query timed out"),
      expected: {
        ok: false,
        unreachable: true,
        message: `${WHERE} failed the query (timeout): query timed out`,
      },
    },
    {
      situation: "an HTML 500 from a proxy: an answer that is not Prometheus's",
      answer: { status: 500, contentType: "text/html", body: "<html><h1>Internal Server Error</h1></html>" },
      expected: {
        ok: false,
        unreachable: false,
        message: `${WHERE} answered HTTP 500 with text/html and a body that is not JSON`,
      },
    },
    {
      situation: "a 503 from a gateway: Prometheus is not reachable",
      answer: { status: 503, contentType: "text/plain", body: "no healthy upstream" },
      expected: {
        ok: false,
        unreachable: true,
        message: `${WHERE} is not available: HTTP 503 with text/plain, not the Prometheus API`,
      },
    },
    {
      situation: "a 401 without credentials: no answer",
      answer: { status: 401, contentType: "text/plain", body: "Unauthorized" },
      expected: {
        ok: false,
        unreachable: true,
        message: `${WHERE} requires credentials (401) and no auth Secret was given`,
      },
    },
    {
      situation: "a 401 with the auth Secret's credentials: no answer",
      answer: { status: 401, contentType: "text/plain", body: "Unauthorized" },
      credentials: true,
      expected: {
        ok: false,
        unreachable: true,
        message: `${WHERE} refused the credentials from the auth Secret (401)`,
      },
    },
  ])("$situation", ({ answer, credentials, expected }) => {
    expect(singleValue(interpretQueryAnswer(WHERE, answer, credentials ?? false))).toEqual(expected);
  });
});
