// The Prometheus HTTP API over the network: instant queries for the watch window and the gate's
// reachability check. The answers are interpreted in response.ts; this file only talks HTTP.
import axios from "axios";
import { authorizationHeader, type HttpCredentials } from "../credentials.js";
import {
  displayUrl,
  interpretBuildInfoAnswer,
  interpretQueryAnswer,
  type BuildInfoOutcome,
  type HttpAnswer,
  type QueryFailure,
  type QueryOutcome,
} from "./response.js";

export type { FailureKind, QueryOutcome, Sample } from "./response.js";

export interface PrometheusConnection {
  /** Base URL of the HTTP API, e.g. `http://prometheus.monitoring:9090` (a path prefix is kept). */
  url: string;
  credentials?: HttpCredentials;
  /** For one request, connection and answer included. */
  timeoutMs: number;
}

/** Far more than any watched metric returns; a bigger answer is a query selecting far too many series. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** A query every Prometheus-compatible server evaluates, for servers without the build info endpoint. */
const TRIVIAL_QUERY = "vector(1)";

const TIMED_OUT_CODES: ReadonlySet<string> = new Set(["ECONNABORTED", "ETIMEDOUT"]);
/** An answer came but could not be read: too large, or broken on the wire. */
const UNREADABLE_ANSWER_CODES: ReadonlySet<string> = new Set([
  "ERR_BAD_RESPONSE",
  "ERR_FR_MAX_BODY_LENGTH_EXCEEDED",
]);

type Exchange = { ok: true; answer: HttpAnswer } | QueryFailure;

/** An instant query (`POST /api/v1/query`, form-encoded so long queries fit), evaluated `at` or now. */
export async function instantQuery(
  connection: PrometheusConnection,
  promql: string,
  at?: Date,
): Promise<QueryOutcome> {
  const form = new URLSearchParams({ query: promql });
  if (at !== undefined) form.set("time", (at.getTime() / 1000).toFixed(3));
  // Lets Prometheus stop evaluating when we stop waiting.
  form.set("timeout", `${Math.max(1, Math.round(connection.timeoutMs))}ms`);
  const exchange = await send(connection, "POST", "api/v1/query", form);
  if (!exchange.ok) return exchange;
  return interpretQueryAnswer(where(connection), exchange.answer, connection.credentials !== undefined);
}

/** Whether Prometheus answers (with its version, from `GET /api/v1/status/buildinfo`), credentials included. */
export async function checkReachable(connection: PrometheusConnection): Promise<BuildInfoOutcome> {
  const exchange = await send(connection, "GET", "api/v1/status/buildinfo");
  if (!exchange.ok) return { ok: false, message: exchange.message };
  if (exchange.answer.status === 404) {
    // Thanos, Mimir and older Prometheus lack the endpoint: a query that answers proves the API is there.
    const outcome = await instantQuery(connection, TRIVIAL_QUERY);
    return outcome.ok ? { ok: true } : { ok: false, message: outcome.message };
  }
  return interpretBuildInfoAnswer(where(connection), exchange.answer, connection.credentials !== undefined);
}

function where(connection: PrometheusConnection): string {
  return `Prometheus at ${displayUrl(connection.url)}`;
}

/** `base` + `path`, keeping a path prefix (`http://host/prometheus`); undefined unless http(s). */
function apiUrl(connection: PrometheusConnection, path: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(connection.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path}`;
  url.search = "";
  url.hash = "";
  if (connection.credentials !== undefined) {
    // Credentials in the URL would win over the auth Secret's in the request; the Secret is the one meant.
    url.username = "";
    url.password = "";
  }
  return url;
}

async function send(
  connection: PrometheusConnection,
  method: "GET" | "POST",
  path: string,
  form?: URLSearchParams,
): Promise<Exchange> {
  const url = apiUrl(connection, path);
  if (url === undefined) {
    return {
      ok: false,
      kind: "unreachable",
      message: `Prometheus URL ${displayUrl(connection.url)} is not an http(s) URL`,
    };
  }
  const headers: Record<string, string> = { Accept: "application/json" };
  if (form !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
  if (connection.credentials !== undefined)
    headers.Authorization = authorizationHeader(connection.credentials);
  try {
    const response = await axios.request<unknown>({
      url: url.href,
      method,
      headers,
      data: form?.toString(),
      signal: AbortSignal.timeout(connection.timeoutMs),
      // The body is parsed (and validated) by response.ts, so broken JSON is reported, not thrown.
      responseType: "text",
      maxContentLength: MAX_RESPONSE_BYTES,
      validateStatus: () => true,
    });
    const contentType: unknown = response.headers["content-type"];
    return {
      ok: true,
      answer: {
        status: response.status,
        contentType: typeof contentType === "string" ? contentType : undefined,
        body: typeof response.data === "string" ? response.data : "",
      },
    };
  } catch (error) {
    return failureOf(error, where(connection), connection.timeoutMs);
  }
}

/** Why a request got no answer; never the request's headers (they hold the credentials). */
function failureOf(error: unknown, where: string, timeoutMs: number): QueryFailure {
  const timeout: QueryFailure = {
    ok: false,
    kind: "timeout",
    message: `${where} did not answer within ${timeoutMs} ms`,
  };
  if (axios.isCancel(error)) return timeout;
  if (!axios.isAxiosError(error)) {
    return {
      ok: false,
      kind: "unreachable",
      message: `${where} unreachable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const code = error.code ?? "";
  if (TIMED_OUT_CODES.has(code)) return timeout;
  if (UNREADABLE_ANSWER_CODES.has(code)) {
    return { ok: false, kind: "bad-response", message: `${where} answered unreadably: ${error.message}` };
  }
  // An AggregateError (every address of a host refused) has an empty message but a code.
  const cause = error.message === "" ? code || "request failed" : error.message;
  return { ok: false, kind: "unreachable", message: `${where} unreachable: ${cause}` };
}
