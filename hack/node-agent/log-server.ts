/**
 * Test infrastructure: the kubelet's log endpoint, which the apiserver proxies `kubectl logs` and
 * pods/log calls to (it dials the node's InternalIP and daemonEndpoints.kubeletEndpoint.Port).
 * HTTPS with the cluster-signed serving certificate; a client certificate signed by clientCA is
 * required (the apiserver's kubelet-client identity). Serves:
 *
 *   GET /healthz                                         ok
 *   GET /containerLogs/{namespace}/{pod}/{container}     follow, tailLines, limitBytes, sinceSeconds,
 *                                                        sinceTime, timestamps, previous
 *
 * With follow=true it streams new lines until the container instance it started with has exited and
 * its file is drained, or the client goes away.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { NodeAgentConfig } from "./config.js";
import { LogSelection, parseLogQuery, sinceCutoff, tailOf, type LogQuery } from "./logs.js";

export type LogLocation =
  | {
      readonly kind: "ok";
      readonly file: string;
      readonly previousFile: string;
      /** Whether the container instance seen at lookup still writes to `file`. */
      readonly isActive: () => boolean;
    }
  | { readonly kind: "error"; readonly status: 400 | 404; readonly message: string };

export type FindLogs = (namespace: string, pod: string, container: string) => LogLocation;

const FOLLOW_POLL_MS = 200;
const READ_CHUNK = 64 * 1024;

export type LogRoute =
  | { readonly kind: "healthz" }
  | {
      readonly kind: "containerLogs";
      readonly namespace: string;
      readonly pod: string;
      readonly container: string;
    }
  | { readonly kind: "unknown" };

/** Which endpoint a request path names. */
export function routeOf(pathname: string): LogRoute {
  if (pathname === "/healthz") return { kind: "healthz" };
  const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined)
    return { kind: "unknown" };
  return {
    kind: "containerLogs",
    namespace: decodeURIComponent(match[1]),
    pod: decodeURIComponent(match[2]),
    container: decodeURIComponent(match[3]),
  };
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${message}\n`);
}

export interface LogServerOptions {
  readonly config: NodeAgentConfig;
  readonly findLogs: FindLogs;
  readonly log: Logger;
}

export async function startLogServer(options: LogServerOptions): Promise<https.Server> {
  const { config, log } = options;
  const server = https.createServer(
    {
      cert: readFileSync(config.servingCert),
      key: readFileSync(config.servingKey),
      ca: readFileSync(config.clientCA),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      handle(req, res, options).catch((error: unknown) => {
        log.error(
          { url: req.url, error: error instanceof Error ? error.message : String(error) },
          "Log request failed",
        );
        if (!res.headersSent) answer(res, 500, "internal error");
        else res.destroy();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      reject(
        new Error(
          `could not listen on ${config.address}:${config.kubeletPort} for the log endpoint: ${error.message}`,
        ),
      );
    });
    server.listen(config.kubeletPort, config.address, () => {
      resolve();
    });
  });
  server.on("error", (error) => {
    log.error({ error: error.message }, "Log endpoint error");
  });
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: LogServerOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "https://node-agent");
  if (req.method !== "GET" && req.method !== "HEAD") {
    answer(res, 405, `method ${req.method ?? ""} not allowed`);
    return;
  }
  const route = routeOf(url.pathname);
  if (route.kind === "healthz") {
    answer(res, 200, "ok");
    return;
  }
  if (route.kind === "unknown") {
    answer(
      res,
      404,
      `the node agent serves only /healthz and /containerLogs/{namespace}/{pod}/{container}, not ${url.pathname}`,
    );
    return;
  }
  const parsed = parseLogQuery(url.searchParams);
  if (!parsed.ok) {
    answer(res, 400, parsed.message);
    return;
  }
  const location = options.findLogs(route.namespace, route.pod, route.container);
  if (location.kind === "error") {
    answer(res, location.status, location.message);
    return;
  }
  const query = parsed.value;
  const file = query.previous ? location.previousFile : location.file;
  if (!existsSync(file)) {
    if (query.previous) {
      answer(res, 400, `previous terminated container "${route.container}" in pod "${route.pod}" not found`);
    } else {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end();
    }
    return;
  }
  options.log.debug(
    { namespace: route.namespace, pod: route.pod, container: route.container, query },
    "Serving container log",
  );
  const follows = query.follow && !query.previous;
  await streamLog(req, res, file, query, follows ? location.isActive : () => false);
}

/** Reads whatever the file gained since `offset`, by file descriptor (a restart renames the path). */
function readFrom(fd: number, offset: number): Buffer {
  const size = fstatSync(fd).size;
  if (size <= offset) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let position = offset;
  while (position < size) {
    const chunk = Buffer.alloc(Math.min(READ_CHUNK, size - position));
    const read = readSync(fd, chunk, 0, chunk.length, position);
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    position += read;
  }
  return Buffer.concat(chunks);
}

async function streamLog(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  query: LogQuery,
  isActive: () => boolean,
): Promise<void> {
  const fd = openSync(file, "r");
  // Set from events: an object, so the loop re-reads it rather than a narrowed local.
  const client = { gone: false };
  req.on("close", () => {
    client.gone = true;
  });
  res.on("close", () => {
    client.gone = true;
  });
  try {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    const selection = new LogSelection(query, sinceCutoff(query, new Date()));
    // Only whole lines: a line being written is picked up on the next read.
    let data = readFrom(fd, 0);
    let cut = data.lastIndexOf(0x0a) + 1;
    let offset = cut;
    const first = tailOf(data.subarray(0, cut).toString("utf8"), query.tailLines);
    await write(res, Buffer.concat(first.map((line) => selection.render(line))));
    let pending = data.subarray(cut);

    for (;;) {
      if (client.gone || selection.exhausted) break;
      // Checked before reading: an instance that has stopped has flushed its last line already.
      const active = isActive();
      data = Buffer.concat([pending, readFrom(fd, offset)]);
      offset += data.length - pending.length;
      cut = data.lastIndexOf(0x0a) + 1;
      const lines = data.subarray(0, cut).toString("utf8").split("\n");
      lines.pop();
      const rendered = Buffer.concat(lines.map((line) => selection.render(line)));
      if (rendered.length > 0) await write(res, rendered);
      pending = data.subarray(cut);
      if (!active) break;
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  } finally {
    closeSync(fd);
    if (!res.writableEnded) res.end();
  }
}

/** Writes with back-pressure, so a slow client does not make the agent buffer a whole log. */
function write(res: ServerResponse, bytes: Buffer): Promise<void> {
  if (bytes.length === 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    if (res.write(bytes)) resolve();
    else {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.once("drain", done);
      res.once("close", done);
    }
  });
}
