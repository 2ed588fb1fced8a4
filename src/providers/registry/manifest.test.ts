import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BasicCredentials } from "../credentials.js";
import { checkManifest, type ManifestCheck } from "./manifest.js";
import { closeServer, listenLocally } from "../../../test/support/local-server.js";

// Registries played by real HTTP servers on loopback, answering as distribution does: one with
// htpasswd-style Basic auth, one with the token protocol (a 401 Bearer challenge naming a token
// service that hands out a pull token for the requested scope).

const REPOSITORY_NAME = "demo/nav";
const TAGS: ReadonlyMap<string, string> = new Map([
  ["1.4.2", `sha256:${"a".repeat(64)}`],
  ["1.4.3", `sha256:${"b".repeat(64)}`],
]);
const GOOD: BasicCredentials = { username: "puller", password: `pw-${randomBytes(12).toString("hex")}` };
const WRONG: BasicCredentials = { username: "puller", password: `wrong-${randomBytes(12).toString("hex")}` };
const SERVICE = "test-registry";

const basicHeader = (credentials: BasicCredentials): string =>
  `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;

interface RegistryBehaviour {
  auth: "basic" | "token";
  /** Answers HEAD with 405, as some registries and proxies do. */
  headNotAllowed?: boolean;
  /** The token service hands out pull tokens without credentials (a public repository). */
  anonymousTokens?: boolean;
  /** The token service names its token `access_token` (OAuth2 style) instead of `token`. */
  tokenField?: "token" | "access_token";
  /** Answers every manifest request with this status. */
  failWith?: number;
}

/** Every token a token service handed out, so tests can prove none leaks into a message. */
const issuedTokens: string[] = [];

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/**
 * A tag may point at an OCI index, an OCI manifest, a Docker manifest list or a Docker v2 manifest;
 * a client that does not accept them all is told the tag does not exist (as older registries do).
 */
function acceptsEveryManifestType(accept: string | undefined): boolean {
  const accepted = new Set((accept ?? "").split(",").map((type) => type.trim()));
  return [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
  ].every((type) => accepted.has(type));
}

function startRegistry(behaviour: RegistryBehaviour): Promise<Server> {
  const grantedScopes = new Map<string, string>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://registry.test");
    const { port } = server.address() as AddressInfo;

    if (url.pathname === "/token") {
      const scope = url.searchParams.get("scope") ?? "";
      const authorized = request.headers.authorization === basicHeader(GOOD);
      if (url.searchParams.get("service") !== SERVICE) {
        sendJson(response, 400, { errors: [{ code: "UNSUPPORTED", message: "unknown service" }] });
      } else if (
        !authorized &&
        !(behaviour.anonymousTokens === true && request.headers.authorization === undefined)
      ) {
        sendJson(
          response,
          401,
          { errors: [{ code: "UNAUTHORIZED" }] },
          { "WWW-Authenticate": 'Basic realm="token"' },
        );
      } else {
        const token = `tk-${randomBytes(16).toString("hex")}`;
        issuedTokens.push(token);
        grantedScopes.set(token, scope);
        sendJson(response, 200, { [behaviour.tokenField ?? "token"]: token, expires_in: 300 });
      }
      return;
    }

    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (match === null) {
      sendJson(response, 404, { errors: [{ code: "NOT_FOUND" }] });
      return;
    }
    const [, name = "", reference = ""] = match;
    if (behaviour.headNotAllowed === true && request.method === "HEAD") {
      response.writeHead(405, { Allow: "GET" });
      response.end();
      return;
    }
    const authorization = request.headers.authorization ?? "";
    const authorized =
      behaviour.auth === "basic"
        ? authorization === basicHeader(GOOD)
        : grantedScopes.get(authorization.replace(/^Bearer /, "")) === `repository:${name}:pull`;
    if (!authorized) {
      const challenge =
        behaviour.auth === "basic"
          ? 'Basic realm="test registry"'
          : `Bearer realm="http://127.0.0.1:${port}/token",service="${SERVICE}",scope="repository:${name}:pull"`;
      sendJson(response, 401, { errors: [{ code: "UNAUTHORIZED" }] }, { "WWW-Authenticate": challenge });
      return;
    }
    if (behaviour.failWith !== undefined) {
      sendJson(response, behaviour.failWith, { errors: [{ code: "UNKNOWN" }] });
      return;
    }
    const digest = name === REPOSITORY_NAME ? TAGS.get(reference) : undefined;
    if (digest === undefined || !acceptsEveryManifestType(request.headers.accept)) {
      sendJson(response, 404, { errors: [{ code: "MANIFEST_UNKNOWN" }] });
      return;
    }
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    });
    response.writeHead(200, {
      "Content-Type": "application/vnd.oci.image.manifest.v1+json",
      "Docker-Content-Digest": digest,
      "Content-Length": Buffer.byteLength(body),
    });
    response.end(request.method === "HEAD" ? undefined : body);
  });
  return listenLocally(server);
}

const hostOf = (server: Server): string => `127.0.0.1:${(server.address() as AddressInfo).port}`;

type ServerName =
  "basic" | "token" | "basic-405" | "token-405" | "token-public" | "token-oauth" | "broken" | "silent";
const servers = new Map<ServerName, Server>();
/** A port nothing listens on: taken, then given back. */
let refusedHost = "";

beforeAll(async () => {
  const behaviours: Record<Exclude<ServerName, "silent">, RegistryBehaviour> = {
    basic: { auth: "basic" },
    token: { auth: "token" },
    "basic-405": { auth: "basic", headNotAllowed: true },
    "token-405": { auth: "token", headNotAllowed: true },
    "token-public": { auth: "token", anonymousTokens: true },
    "token-oauth": { auth: "token", tokenField: "access_token" },
    broken: { auth: "basic", failWith: 500 },
  };
  for (const [name, behaviour] of Object.entries(behaviours)) {
    servers.set(name as ServerName, await startRegistry(behaviour));
  }
  // Accepts connections and never answers: a registry that hangs.
  servers.set("silent", await listenLocally(createServer(() => undefined)));
  const spare = await listenLocally(createServer());
  refusedHost = hostOf(spare);
  await closeServer(spare);
});

afterAll(async () => {
  await Promise.all([...servers.values()].map(closeServer));
});

function hostFor(registry: ServerName | "refused"): string {
  if (registry === "refused") return refusedHost;
  const server = servers.get(registry);
  if (server === undefined) throw new Error(`no test registry ${registry}`);
  return hostOf(server);
}

describe("checkManifest", () => {
  const found = (tag: string): ManifestCheck => ({ found: true, digest: TAGS.get(tag) ?? "" });
  const notFound = (reason: string, message: RegExp): unknown => ({
    found: false,
    reason,
    message: expect.stringMatching(message) as unknown,
  });

  it.each<{
    situation: string;
    registry: ServerName | "refused";
    tag?: string;
    credentials?: BasicCredentials;
    repository?: string;
    expected: (host: string) => unknown;
  }>([
    {
      situation: "Basic auth: the tag exists",
      registry: "basic",
      credentials: GOOD,
      expected: () => found("1.4.2"),
    },
    {
      situation: "Basic auth: the tag is missing",
      registry: "basic",
      tag: "1.4.9",
      credentials: GOOD,
      expected: (host) =>
        notFound(
          "not-found",
          new RegExp(
            `^image ${host}/demo/nav:1\\.4\\.9 not found in the registry \\(HEAD /v2/demo/nav/manifests/1\\.4\\.9 returned 404\\)$`,
          ),
        ),
    },
    {
      situation: "Basic auth: the repository is missing",
      registry: "basic",
      repository: "demo/other",
      credentials: GOOD,
      expected: () => notFound("not-found", /demo\/other:1\.4\.2 not found in the registry/),
    },
    {
      situation: "Basic auth: wrong credentials",
      registry: "basic",
      credentials: WRONG,
      expected: (host) =>
        notFound(
          "unauthorized",
          new RegExp(
            `^registry ${host} refused the credentials from the pull secret for demo/nav \\(401\\)$`,
          ),
        ),
    },
    {
      situation: "Basic auth: no credentials",
      registry: "basic",
      expected: (host) =>
        notFound(
          "unauthorized",
          new RegExp(
            `^registry ${host} requires credentials for demo/nav \\(401\\) and no pull secret was given$`,
          ),
        ),
    },
    {
      situation: "token auth: the tag exists",
      registry: "token",
      tag: "1.4.3",
      credentials: GOOD,
      expected: () => found("1.4.3"),
    },
    {
      situation: "token auth: the tag is missing",
      registry: "token",
      tag: "0.0.1",
      credentials: GOOD,
      expected: () =>
        notFound("not-found", /demo\/nav:0\.0\.1 not found in the registry \(HEAD .* returned 404\)$/),
    },
    {
      situation: "token auth: the token service refuses wrong credentials",
      registry: "token",
      credentials: WRONG,
      expected: (host) =>
        notFound(
          "unauthorized",
          new RegExp(
            `^token service http://${host}/token of registry ${host} refused the credentials from the pull secret for demo/nav \\(401\\)$`,
          ),
        ),
    },
    {
      situation: "token auth: no credentials for a private repository",
      registry: "token",
      expected: () =>
        notFound("unauthorized", /requires credentials for demo\/nav \(401\) and no pull secret was given$/),
    },
    {
      situation: "token auth: a public repository, anonymously",
      registry: "token-public",
      expected: () => found("1.4.2"),
    },
    {
      situation: "token auth: a token service answering access_token",
      registry: "token-oauth",
      credentials: GOOD,
      expected: () => found("1.4.2"),
    },
    {
      situation: "405 on HEAD: retried with GET",
      registry: "basic-405",
      credentials: GOOD,
      expected: () => found("1.4.2"),
    },
    {
      situation: "405 on HEAD: a missing tag is reported for the GET",
      registry: "basic-405",
      tag: "9.9.9",
      credentials: GOOD,
      expected: () => notFound("not-found", /\(GET \/v2\/demo\/nav\/manifests\/9\.9\.9 returned 404\)$/),
    },
    {
      situation: "405 on HEAD behind token auth",
      registry: "token-405",
      credentials: GOOD,
      expected: () => found("1.4.2"),
    },
    {
      situation: "nothing listens on the port",
      registry: "refused",
      credentials: GOOD,
      expected: (host) =>
        notFound("unreachable", new RegExp(`^registry ${host} unreachable: connect ECONNREFUSED`)),
    },
    {
      situation: "the registry never answers",
      registry: "silent",
      credentials: GOOD,
      expected: (host) =>
        notFound("unreachable", new RegExp(`^registry ${host} unreachable: no answer within 300 ms$`)),
    },
    {
      situation: "the registry fails",
      registry: "broken",
      credentials: GOOD,
      expected: (host) =>
        notFound(
          "error",
          new RegExp(
            `^registry ${host} answered 500 to HEAD /v2/demo/nav/manifests/1\\.4\\.2 for image ${host}/demo/nav:1\\.4\\.2$`,
          ),
        ),
    },
    {
      situation: "a tag no registry could hold",
      registry: "basic",
      tag: "-bad tag",
      credentials: GOOD,
      expected: () => notFound("error", /"-bad tag" is not a tag or digest$/),
    },
    {
      situation: "a repository with upper-case letters",
      registry: "basic",
      repository: "Demo/Nav",
      credentials: GOOD,
      expected: () =>
        notFound("error", /^image repository ".*\/Demo\/Nav" is not valid: path segment "Demo"/),
    },
  ])(
    "$situation",
    async ({ registry, tag = "1.4.2", credentials, repository = REPOSITORY_NAME, expected }) => {
      const host = hostFor(registry);
      const check = await checkManifest({
        repository: `${host}/${repository}`,
        tag,
        plainHTTP: true,
        ...(credentials === undefined ? {} : { credentials }),
        timeoutMs: 300,
      });
      expect(check).toEqual(expected(host));
      const text = JSON.stringify(check);
      for (const secret of [GOOD.password, WRONG.password, basicHeader(GOOD).slice(6), ...issuedTokens]) {
        expect(text).not.toContain(secret);
      }
    },
  );

  it("speaks TLS unless told the registry is plain HTTP", async () => {
    const check = await checkManifest({
      repository: `${hostFor("basic")}/demo/nav`,
      tag: "1.4.2",
      plainHTTP: false,
      credentials: GOOD,
      timeoutMs: 1_000,
    });
    expect(check).toMatchObject({ found: false, reason: "unreachable" });
  });
});
