// The demo app's HTTP server: traffic, /metrics, the admin API. The one place its state changes: an
// admin command is decided by the pure functions, persisted, and only then swapped in.
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { parseAdminRequest } from "./admin.js";
import type { DemoConfig } from "./config.js";
import { DemoMetrics, type ResponseCode } from "./metrics.js";
import { jitteredLatencyMs, pickVersion, seededRandom, spendErrorBudget, type Share } from "./routing.js";
import { applyCommand, deploymentOf, initialState, sharesOf, weightsOf, type DemoState } from "./state.js";
import { loadState, saveState } from "./store.js";
import { behaviourOf, INITIAL_VERSION, VERSION_TABLE, type VersionBehaviour } from "./versions.js";

/** Admin bodies are a few fields; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 64 * 1024;
const KNOWN_VERSIONS = VERSION_TABLE.map((row) => row.version);

/** Thrown for a request body the server will not read; carries the HTTP status to answer with. */
class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DemoServer {
  /** Where the app listens, e.g. http://127.0.0.1:8080. */
  readonly url: URL;
  close(): Promise<void>;
}

export async function startDemoServer(
  config: DemoConfig,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<DemoServer> {
  const app = new DemoApp(config, logger, now);
  const server = http.createServer((request, response) => {
    app.handle(request, response).catch((error: unknown) => {
      logger.error({ err: error, path: request.url }, "Failed to answer a request");
      if (!response.headersSent) sendJson(response, 500, { error: "internal error; see the demo app's log" });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      reject(new Error(`the demo app could not listen on ${config.host}:${config.port}: ${error.message}`));
    });
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = new URL(`http://${config.host}:${address.port}`);
  logger.info({ url: url.href, stable: app.state.stable, weights: weightsOf(app.state) }, "Listening");
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

class DemoApp {
  state: DemoState;
  private shares: readonly Share[] = [];
  private counters: readonly number[] = [];
  /** Per version, what it has accumulated towards its next error; kept across weight changes. */
  private readonly budgets = new Map<string, number>();
  private readonly random: () => number;
  private readonly metrics = new DemoMetrics((version) => behaviourOf(version)?.exposesMetrics ?? false);
  private readonly tokenDigest: Buffer;

  constructor(
    private readonly config: DemoConfig,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {
    this.random = seededRandom(config.seed);
    this.tokenDigest = digest(config.adminToken);
    const saved = loadState(config.stateFile, KNOWN_VERSIONS);
    this.state = saved ?? initialState(INITIAL_VERSION);
    if (saved === undefined) {
      saveState(config.stateFile, this.state);
      logger.info({ stateFile: config.stateFile, stable: this.state.stable }, "Created the state file");
    } else {
      logger.info({ stateFile: config.stateFile, weights: weightsOf(saved) }, "Loaded the saved state");
    }
    this.route(this.state);
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    if (url.pathname === "/admin" || url.pathname.startsWith("/admin/")) {
      await this.admin(request, response, url.pathname, method);
      return;
    }
    if (method !== "GET" && method !== "HEAD") {
      sendJson(response, 405, { error: `${url.pathname} takes GET, not ${method}` });
      return;
    }
    switch (url.pathname) {
      case "/api/route":
        this.serveTraffic(response);
        return;
      case "/api/version":
        sendJson(response, 200, { ...deploymentOf(this.state), weights: weightsOf(this.state) });
        return;
      case "/healthz":
        sendJson(response, 200, { status: "ok" });
        return;
      case "/metrics": {
        const { contentType, body } = await this.metrics.exposition();
        response.writeHead(200, { "content-type": contentType });
        response.end(body);
        return;
      }
      default:
        sendJson(response, 404, {
          error: `no route ${url.pathname}; routes: GET /api/route, /api/version, /healthz, /metrics, /admin/*`,
        });
    }
  }

  /** One request of traffic: routed by weight, answered after the version's latency, failed by its budget. */
  private serveTraffic(response: http.ServerResponse): void {
    const started = process.hrtime.bigint();
    const picked = pickVersion(this.shares, this.counters);
    this.counters = picked.counters;
    const version = this.shares[picked.index]?.version ?? this.state.stable;
    const behaviour = behaviourOf(version) ?? fallbackBehaviour(version);
    const spent = spendErrorBudget(this.budgets.get(version) ?? 0, behaviour.errorRate);
    this.budgets.set(version, spent.budget);
    const code: ResponseCode = spent.fails ? "500" : "200";
    response.once("finish", () => {
      this.metrics.answered(version, code, Number(process.hrtime.bigint() - started) / 1e9);
    });
    setTimeout(
      () => {
        response.setHeader("x-demo-version", version);
        sendJson(
          response,
          Number(code),
          spent.fails ? { version, error: "simulated failure" } : { version, ok: true },
        );
      },
      jitteredLatencyMs(behaviour.latencyMs, this.random()),
    );
  }

  private async admin(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    pathname: string,
    method: string,
  ): Promise<void> {
    // Authentication first: without the token, not even the list of routes is shown.
    if (!this.authorised(request.headers.authorization)) {
      this.logger.warn({ method, path: pathname }, "Refused an admin request without the right bearer token");
      response.setHeader("www-authenticate", 'Bearer realm="demo-app"');
      sendJson(response, 401, {
        error: "the admin API needs the header Authorization: Bearer <admin token>",
      });
      return;
    }
    let body: string;
    try {
      body = await readBody(request);
    } catch (error) {
      const status = error instanceof BodyError ? error.status : 400;
      sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const parsed = parseAdminRequest(method, pathname, body, KNOWN_VERSIONS);
    switch (parsed.kind) {
      case "error":
        this.logger.warn(
          { method, path: pathname, status: parsed.status, error: parsed.error },
          "Rejected an admin request",
        );
        sendJson(response, parsed.status, { error: parsed.error });
        return;
      case "read":
        sendJson(response, 200, this.view());
        return;
      case "command": {
        const transition = applyCommand(this.state, parsed.command, this.now());
        if (!transition.ok) {
          this.logger.warn({ command: parsed.command, error: transition.error }, "Refused an admin command");
          sendJson(response, 409, { error: transition.error });
          return;
        }
        // Persist before serving the new split: a failed write leaves the old state in force.
        saveState(this.config.stateFile, transition.state);
        this.state = transition.state;
        this.route(transition.state);
        this.logger.info(
          { command: parsed.command, weights: weightsOf(transition.state) },
          transition.state.history.at(-1)?.summary ?? "Applied an admin command",
        );
        sendJson(response, 200, this.view());
      }
    }
  }

  /** Points traffic and metrics at a new split; the round-robin starts afresh. */
  private route(state: DemoState): void {
    this.shares = sharesOf(state);
    this.counters = this.shares.map(() => 0);
    this.metrics.deployed(this.shares);
  }

  private view(): Record<string, unknown> {
    return {
      ...deploymentOf(this.state),
      weights: weightsOf(this.state),
      versions: VERSION_TABLE,
      history: this.state.history,
    };
  }

  private authorised(header: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    if (!match?.[1]) return false;
    // Digests have one length, so the comparison takes the same time whatever was sent.
    return timingSafeEqual(digest(match[1]), this.tokenDigest);
  }
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** Never reached for a validated state; keeps a hand-edited state file from crashing traffic. */
function fallbackBehaviour(version: string): VersionBehaviour {
  return { version, behaviour: "good", errorRate: 0, latencyMs: 1, exposesMetrics: false };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
