// The demo app's own traffic: real HTTP requests to itself at a steady rate, so metrics flow with nobody
// calling it. Only the pacing is a decision (requestsDue, pure); the rest sends requests and counts
// failures.
import http from "node:http";
import type { Logger } from "pino";

/**
 * How many requests are due now to keep the average at `rate` since the start. A stall (a slow event
 * loop, a suspended laptop) is not made up for beyond `maxBurst` at once: the backlog is dropped.
 */
export function requestsDue(
  elapsedMs: number,
  requestsPerSecond: number,
  sent: number,
  maxBurst: number,
): { readonly send: number; readonly sent: number } {
  const due = Math.floor((elapsedMs * requestsPerSecond) / 1000);
  const counted = Math.max(sent, due - maxBurst);
  return { send: Math.max(0, due - counted), sent: Math.max(counted, due) };
}

/** More in flight than this means the app is stuck; adding requests would only pile up sockets. */
const MAX_IN_FLIGHT = 200;
const REQUEST_TIMEOUT_MS = 10_000;
/** Failures are summed and logged at most this often, not one line per request. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

export class LoadGenerator {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private failures = 0;
  private lastFailure = "";
  private lastFailureLog = 0;

  constructor(
    private readonly url: URL,
    private readonly requestsPerSecond: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.requestsPerSecond <= 0 || this.timer !== undefined) return;
    const startedAt = performance.now();
    let sent = 0;
    const maxBurst = Math.max(1, Math.ceil(this.requestsPerSecond / 2));
    // Ticks of about half the gap between requests (5..100 ms) keep the spacing even.
    const tickMs = Math.min(100, Math.max(5, 500 / this.requestsPerSecond));
    this.timer = setInterval(() => {
      const next = requestsDue(performance.now() - startedAt, this.requestsPerSecond, sent, maxBurst);
      sent = next.sent;
      for (let index = 0; index < next.send; index++) this.send();
      this.logFailures();
    }, tickMs);
    this.logger.info(
      { url: this.url.href, requestsPerSecond: this.requestsPerSecond },
      "Started the load generator",
    );
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.agent.destroy();
  }

  private send(): void {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.failed(`more than ${MAX_IN_FLIGHT} requests in flight; skipped one`);
      return;
    }
    this.inFlight++;
    // A request ends once, however many of its events fire (an error after the answer, say).
    let settled = false;
    const settle = (failure?: string): void => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      if (failure !== undefined) this.failed(failure);
    };
    const request = http.get(
      this.url,
      { agent: this.agent, headers: { "user-agent": "demo-app-load" } },
      (response) => {
        // 5xx answers are the version's behaviour, not a failure of the generator.
        response.resume();
        response.once("error", (error) => {
          settle(error.message);
        });
        response.once("close", () => {
          settle();
        });
      },
    );
    request.setTimeout(REQUEST_TIMEOUT_MS, () =>
      request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)),
    );
    request.once("error", (error) => {
      settle(error.message);
    });
  }

  private failed(reason: string): void {
    this.failures++;
    this.lastFailure = reason;
  }

  private logFailures(): void {
    const now = Date.now();
    if (this.failures === 0 || now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.logger.warn(
      { failures: this.failures, lastFailure: this.lastFailure },
      "Load generator requests failed",
    );
    this.failures = 0;
    this.lastFailureLog = now;
  }
}
