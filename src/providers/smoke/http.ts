// HTTP smoke cases, run by the operator: one request per case, judged on status and body. Never
// throws for a failing endpoint: a refused connection, a timeout, a wrong status and a body that does
// not match are all results, each with a few lines saying what failed and how the response began.
// Header values never appear in a message (they may hold tokens).
import axios, { type AxiosResponse } from "axios";
import type { HttpSmokeSettings } from "../../api/v1alpha1/index.js";
import { formatDuration } from "../../api/v1alpha1/index.js";

export interface SmokeCaseOutcome {
  name: string;
  passed: boolean;
  durationMs: number;
  message?: string;
}

const MAX_BODY_BYTES = 1024 * 1024;
const EXCERPT_LINES = 5;
const EXCERPT_CHARS = 500;

/** The first lines of a response body, for a failure message. */
export function bodyExcerpt(body: string): string {
  const lines = body.split(/\r?\n/).slice(0, EXCERPT_LINES).join("\n").trimEnd();
  return lines.length > EXCERPT_CHARS ? `${lines.slice(0, EXCERPT_CHARS)}…` : lines;
}

/** Why a response fails the case, or undefined when it passes. */
export function judgeResponse(testCase: HttpSmokeSettings, status: number, body: string): string | undefined {
  const problems: string[] = [];
  if (status !== testCase.expectedStatus)
    problems.push(`expected status ${testCase.expectedStatus}, got ${status}`);
  const match = testCase.bodyMatch;
  if (match?.contains !== undefined && !body.includes(match.contains)) {
    problems.push(`body does not contain ${JSON.stringify(match.contains)}`);
  }
  if (match?.regex !== undefined) {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(match.regex);
    } catch (error) {
      problems.push(`bodyMatch.regex is not a valid regular expression: ${(error as Error).message}`);
    }
    if (pattern !== undefined && !pattern.test(body)) problems.push(`body does not match /${match.regex}/`);
  }
  if (problems.length === 0) return undefined;
  const excerpt = bodyExcerpt(body);
  return [...problems, ...(excerpt === "" ? [] : [excerpt])].join("\n");
}

function requestFailure(testCase: HttpSmokeSettings, error: unknown, timeoutMs: number): string {
  const target = `${testCase.method} ${testCase.url}`;
  if (axios.isAxiosError(error)) {
    if (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT" || error.code === "ERR_CANCELED") {
      return `${target}: no response within ${formatDuration(timeoutMs)}`;
    }
    if (error.code === "ERR_BAD_RESPONSE" && error.message.includes("maxContentLength")) {
      return `${target}: the response is larger than ${MAX_BODY_BYTES} bytes`;
    }
    return `${target} failed: ${error.code ?? error.message}`;
  }
  return `${target} failed: ${error instanceof Error ? error.message : String(error)}`;
}

export async function runHttpSmokeCase(
  testCase: HttpSmokeSettings,
  timeoutMs: number,
): Promise<SmokeCaseOutcome> {
  const started = performance.now();
  const done = (message: string | undefined): SmokeCaseOutcome => ({
    name: testCase.name,
    passed: message === undefined,
    durationMs: Math.round(performance.now() - started),
    ...(message === undefined ? {} : { message }),
  });
  let response: AxiosResponse<string>;
  try {
    response = await axios.request<string>({
      method: testCase.method,
      url: testCase.url,
      headers: testCase.headers,
      ...(testCase.body === undefined ? {} : { data: testCase.body }),
      timeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: MAX_BODY_BYTES,
      validateStatus: () => true,
    });
  } catch (error) {
    return done(requestFailure(testCase, error, timeoutMs));
  }
  const body = typeof response.data === "string" ? response.data : "";
  return done(judgeResponse(testCase, response.status, body));
}

/**
 * Runs every case, `concurrency` at once, results in the cases' order. A case gets its own timeout or
 * what is left until `deadline`, whichever is shorter; a case whose turn comes after the deadline is
 * not sent and fails as out of time.
 */
export async function runHttpSmokeCases(
  cases: readonly HttpSmokeSettings[],
  options: { deadline: Date; now?: () => Date; concurrency?: number },
): Promise<SmokeCaseOutcome[]> {
  const now = options.now ?? (() => new Date());
  const results: SmokeCaseOutcome[] = new Array<SmokeCaseOutcome>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < cases.length; index = next++) {
      const testCase = cases[index];
      if (testCase === undefined) continue;
      const remaining = options.deadline.getTime() - now().getTime();
      results[index] =
        remaining <= 0
          ? {
              name: testCase.name,
              passed: false,
              durationMs: 0,
              message: "not run: the smoke phase's time ran out",
            }
          : await runHttpSmokeCase(testCase, Math.min(testCase.timeoutMs, remaining));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return results;
}
