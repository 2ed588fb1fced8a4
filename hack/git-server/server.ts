// An HTTP server in front of `git http-backend`: Basic auth on every request (fetch and push alike),
// then the request is run as CGI, with both bodies streamed.
import { spawn } from "node:child_process";
import http from "node:http";
import type { Logger } from "pino";
import { credentialsMatch, parseBasicAuthorization } from "./auth.js";
import { cgiEnvironment, findHeadEnd, parseCgiHead, routeOf, type GitRoute } from "./cgi.js";
import type { GitServerConfig } from "./config.js";

/** A CGI header block larger than this is not one: the backend is answering garbage. */
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LOGGED_STDERR = 4 * 1024;

function sendText(
  response: http.ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  response.end(`${text}\n`);
}

/** Flattens header pairs into the [name, value, name, value] list writeHead takes, keeping repeats. */
function flatHeaders(pairs: readonly (readonly [string, string])[]): string[] {
  return pairs.flatMap(([name, value]) => [name, value]);
}

interface BackendRun {
  readonly request: http.IncomingMessage;
  readonly response: http.ServerResponse;
  readonly route: GitRoute;
  readonly query: string;
  readonly user: string;
  readonly log: Logger;
}

function runHttpBackend(
  config: GitServerConfig,
  baseEnv: Readonly<Record<string, string>>,
  run: BackendRun,
): void {
  const { request, response, log } = run;
  const env = {
    ...baseEnv,
    ...cgiEnvironment({
      method: request.method ?? "GET",
      route: run.route,
      query: run.query,
      headers: request.headers,
      remoteUser: run.user,
      remoteAddress: request.socket.remoteAddress ?? "",
      projectRoot: config.projectRoot,
    }),
  };
  const child = spawn(config.gitBinary, ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });

  // http-backend may answer (an error, say) before reading the whole request body; the rest of the
  // body is then of no use, and writing it fails with EPIPE, which is expected.
  child.stdin.on("error", () => undefined);
  request.pipe(child.stdin);

  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (stderr.length < MAX_LOGGED_STDERR) stderr += chunk;
  });

  let pending = Buffer.alloc(0);
  let headSent = false;
  let failed = false;
  const fail = (why: string): void => {
    // A backend that cannot start reports both "error" and "close": answer and log once.
    if (failed) return;
    failed = true;
    log.error({ stderr: stderr.slice(0, MAX_LOGGED_STDERR) }, `git http-backend failed: ${why}`);
    if (!response.headersSent) sendText(response, 502, "git http-backend failed");
    else response.destroy();
    child.kill("SIGTERM");
  };
  const onData = (chunk: Buffer): void => {
    pending = Buffer.concat([pending, chunk]);
    const end = findHeadEnd(pending);
    if (end === undefined) {
      if (pending.length > MAX_HEAD_BYTES) fail(`no end of the CGI header block in ${pending.length} bytes`);
      return;
    }
    child.stdout.off("data", onData);
    let head;
    try {
      head = parseCgiHead(pending.subarray(0, end.headEnd).toString("latin1"));
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
      return;
    }
    headSent = true;
    response.writeHead(head.status, flatHeaders(head.headers));
    response.write(pending.subarray(end.bodyStart));
    child.stdout.pipe(response);
  };
  child.stdout.on("data", onData);

  child.on("error", (error) => {
    fail(`could not run ${config.gitBinary} http-backend: ${error.message}`);
  });
  child.on("close", (code, signal) => {
    if (!headSent) {
      fail(`exited (${signal ?? `code ${code ?? "?"}`}) before answering`);
      return;
    }
    if (code !== 0 || stderr !== "") {
      log.warn(
        { exitCode: code, signal, stderr: stderr.slice(0, MAX_LOGGED_STDERR) },
        "git http-backend reported a problem",
      );
    }
  });
  // A client that hangs up mid-transfer leaves nothing to serve.
  response.on("close", () => {
    if (!response.writableFinished && child.exitCode === null) child.kill("SIGTERM");
  });
}

/**
 * The git server: `/git/<name>.git/...` for the holder of `config.credentials`, 401 with a Basic
 * challenge for anyone else (before any repository is looked at), 404 for other paths.
 */
export function createGitServer(
  config: GitServerConfig,
  logger: Logger,
  baseEnv: Readonly<Record<string, string>>,
): http.Server {
  const challenge = `Basic realm="${config.realm.replaceAll('"', "'")}", charset="UTF-8"`;
  return http.createServer((request, response) => {
    const started = performance.now();
    const url = new URL(request.url ?? "/", "http://git-server.invalid");
    const fields: Record<string, unknown> = {
      method: request.method,
      path: url.pathname,
      service: url.searchParams.get("service") ?? undefined,
    };
    response.on("finish", () => {
      logger.info(
        { ...fields, status: response.statusCode, durationMs: Math.round(performance.now() - started) },
        "Served request",
      );
    });

    const given = parseBasicAuthorization(request.headers.authorization);
    if (given === undefined || !credentialsMatch(given, config.credentials)) {
      fields.denied =
        given === undefined ? "no credentials" : `wrong credentials for user '${given.username}'`;
      // Drain the body: a client pushing without credentials sends it before reading the answer.
      request.resume();
      sendText(response, 401, "authentication required", { "WWW-Authenticate": challenge });
      return;
    }
    fields.user = given.username;

    const route = routeOf(url.pathname);
    if (route === undefined) {
      request.resume();
      sendText(response, 404, "not a repository path; repositories are served as /git/<name>.git");
      return;
    }
    runHttpBackend(config, baseEnv, {
      request,
      response,
      route,
      query: url.search.replace(/^\?/, ""),
      user: given.username,
      log: logger.child({ repository: route.repository }),
    });
  });
}
