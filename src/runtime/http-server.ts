// What the kubelet and Prometheus ask: /metrics, /healthz (liveness), /readyz (readiness). The
// operator serves metrics and probes on two ports (controller-runtime's convention), so a server
// serves what it is given.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../log.js";

export interface CheckResult {
  ok: boolean;
  /** One line each: why it fails, or (with ?verbose) what was checked. */
  reasons: string[];
}

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Serves /metrics when given. */
  registry?: Registry;
  /** Serves /healthz and /readyz when given. */
  probes?: { healthy: () => CheckResult; ready: () => CheckResult };
  log: Logger;
}

export interface HttpServer {
  /** Where it listens, e.g. http://127.0.0.1:40123 (a wildcard host is given as loopback). */
  url: string;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  body: string;
  contentType: string;
}

const TEXT = "text/plain; charset=utf-8";

/**
 * The answer to a health check, kube-apiserver style: `ok` when it passes; otherwise 503 with one
 * reason per line. `verbose` lists the reasons when it passes too.
 */
export function checkReply(name: string, check: () => CheckResult, verbose: boolean): Reply {
  let result: CheckResult;
  try {
    result = check();
  } catch (error) {
    result = {
      ok: false,
      reasons: [`the ${name} check threw: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  if (result.ok && !verbose) return { status: 200, body: "ok\n", contentType: TEXT };
  const lines = [...result.reasons, `${name} check ${result.ok ? "passed" : "failed"}`];
  return { status: result.ok ? 200 : 503, body: `${lines.join("\n")}\n`, contentType: TEXT };
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { registry, probes, log } = options;
  const paths = [
    ...(registry === undefined ? [] : ["/metrics"]),
    ...(probes === undefined ? [] : ["/healthz", "/readyz"]),
  ];

  async function route(request: IncomingMessage): Promise<Reply> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const verbose = url.searchParams.has("verbose");
    if (url.pathname === "/metrics" && registry !== undefined) {
      return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
    }
    if (url.pathname === "/healthz" && probes !== undefined)
      return checkReply("healthz", probes.healthy, verbose);
    if (url.pathname === "/readyz" && probes !== undefined)
      return checkReply("readyz", probes.ready, verbose);
    return { status: 404, body: `${url.pathname} not found; try ${paths.join(", ")}\n`, contentType: TEXT };
  }

  function send(
    response: ServerResponse,
    reply: Reply,
    headOnly: boolean,
    extraHeaders: Record<string, string> = {},
  ): void {
    response.writeHead(reply.status, {
      "Content-Type": reply.contentType,
      "Content-Length": Buffer.byteLength(reply.body),
      ...extraHeaders,
    });
    response.end(headOnly ? undefined : reply.body);
  }

  const server = createServer((request, response) => {
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      send(response, { status: 405, body: `${method} is not allowed; use GET\n`, contentType: TEXT }, false, {
        Allow: "GET, HEAD",
      });
      return;
    }
    route(request).then(
      (reply) => {
        send(response, reply, method === "HEAD");
      },
      (error: unknown) => {
        log.error({ path: request.url, err: error }, "Failed to serve HTTP request");
        send(
          response,
          { status: 500, body: "internal error; see the operator's log\n", contentType: TEXT },
          method === "HEAD",
        );
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void => {
      reject(
        new Error(`serving HTTP on ${options.host}:${options.port} failed: ${error.message}`, {
          cause: error,
        }),
      );
    };
    server.once("error", failed);
    server.listen(options.port, options.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  server.on("error", (error) => {
    log.error({ err: error }, "HTTP server failed");
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(options.host)}:${port}`;
  log.info({ url, paths }, "Serving HTTP");

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        // Keep-alive connections from scrapers would hold close() open until they time out.
        server.closeIdleConnections();
      }),
  };
}
