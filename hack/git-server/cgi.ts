// The pure half of running `git http-backend` as a CGI program: which request goes to which
// repository, the CGI environment it gets, and reading the header block it answers with.
import type { IncomingHttpHeaders } from "node:http";

export const URL_PREFIX = "/git/";

export interface GitRoute {
  /** e.g. "nav.git" */
  readonly repository: string;
  /** What http-backend resolves under GIT_PROJECT_ROOT, e.g. "/nav.git/info/refs". */
  readonly pathInfo: string;
}

const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.git$/;
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * The repository and path of `/git/<name>.git/<path>`, or undefined for any other path, for names
 * that are not a plain `<name>.git`, and for `.`/`..` segments, so nothing outside the project root is
 * ever named.
 */
export function routeOf(pathname: string): GitRoute | undefined {
  if (!pathname.startsWith(URL_PREFIX)) return undefined;
  const [repository, ...rest] = pathname.slice(URL_PREFIX.length).split("/");
  if (repository === undefined || !REPOSITORY_NAME.test(repository) || rest.length === 0) return undefined;
  if (!rest.every((segment) => PATH_SEGMENT.test(segment) && segment !== "." && segment !== "..")) {
    return undefined;
  }
  return { repository, pathInfo: `/${repository}/${rest.join("/")}` };
}

export interface CgiRequest {
  readonly method: string;
  readonly route: GitRoute;
  /** The query string without its "?", possibly empty. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteUser: string;
  readonly remoteAddress: string;
  readonly projectRoot: string;
}

/** Headers not handed to the CGI program: secrets, and those CGI passes under their own names. */
const WITHHELD_HEADERS = new Set(["authorization", "proxy-authorization", "content-type", "content-length"]);

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * The CGI variables http-backend reads (RFC 3875 plus git's own): REMOTE_USER lets it accept pushes,
 * GIT_PROTOCOL carries protocol v2, HTTP_CONTENT_ENCODING tells it to inflate gzip request bodies.
 */
export function cgiEnvironment(request: CgiRequest): Record<string, string> {
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: "HTTP/1.1",
    GIT_PROJECT_ROOT: request.projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: request.route.pathInfo,
    QUERY_STRING: request.query,
    REQUEST_METHOD: request.method,
    REMOTE_USER: request.remoteUser,
    REMOTE_ADDR: request.remoteAddress,
  };
  const contentType = headerValue(request.headers["content-type"]);
  if (contentType !== undefined) env.CONTENT_TYPE = contentType;
  const contentLength = headerValue(request.headers["content-length"]);
  if (contentLength !== undefined) env.CONTENT_LENGTH = contentLength;
  const protocol = headerValue(request.headers["git-protocol"]);
  if (protocol !== undefined) env.GIT_PROTOCOL = protocol;
  for (const [name, value] of Object.entries(request.headers)) {
    const text = headerValue(value);
    if (text === undefined || WITHHELD_HEADERS.has(name)) continue;
    env[`HTTP_${name.toUpperCase().replaceAll("-", "_")}`] = text;
  }
  return env;
}

export interface CgiHead {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
}

/** Where the CGI header block ends (a blank line, CRLF or LF), and where the body starts. */
export function findHeadEnd(buffer: Buffer): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf < 0 && lf < 0) return undefined;
  if (lf < 0 || (crlf >= 0 && crlf < lf)) return { headEnd: crlf, bodyStart: crlf + 4 };
  return { headEnd: lf, bodyStart: lf + 2 };
}

/** Parses the CGI header block: `Status:` becomes the status code (200 without it), the rest pass on. */
export function parseCgiHead(head: string): CgiHead {
  let status = 200;
  const headers: (readonly [string, string])[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`CGI header line without a name: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") {
      const code = Number.parseInt(value, 10);
      if (!Number.isInteger(code) || code < 100 || code > 599) {
        throw new Error(`CGI Status header is not an HTTP status: ${JSON.stringify(value)}`);
      }
      status = code;
    } else {
      headers.push([name, value]);
    }
  }
  return { status, headers };
}
