// Does a registry hold an image's manifest? The OCI distribution API's `HEAD /v2/<name>/manifests/<tag>`,
// with the two ways registries ask for credentials: Basic, and distribution's token protocol (a 401
// with a Bearer challenge naming a token service, which hands out a pull token for the repository).
// Used by the pre-release gate to prove the rollback target is still pullable.
import { Readable } from "node:stream";
import axios, { type AxiosResponse } from "axios";
import { z } from "zod";
import { authorizationHeader, type BasicCredentials } from "../credentials.js";
import { parseImageRepository, type ImageRepository } from "./image-reference.js";
import { parseAuthenticateHeader, type AuthChallenge } from "./www-authenticate.js";

export type ManifestCheck =
  | { found: true; digest?: string }
  | { found: false; reason: "not-found" | "unauthorized" | "unreachable" | "error"; message: string };

export interface ManifestRequest {
  /** Image repository including the registry host, e.g. `127.0.0.1:5000/demo/nav`. */
  repository: string;
  /** A tag, or a digest (`sha256:...`). */
  tag: string;
  plainHTTP: boolean;
  /** From the Environment's pull secret; without them only anonymous access is tried. */
  credentials?: BasicCredentials;
  /** For the whole check, token request and retries included. */
  timeoutMs: number;
}

/** Every manifest type a tag may point at: multi-platform indexes and single manifests, OCI and Docker. */
export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
] as const;

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
/** A token response is a small JSON object; anything larger is not one. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

const tokenResponseSchema = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
});

type Method = "HEAD" | "GET";
type Answer = { kind: "answered"; status: number; header: (name: string) => string | undefined } | Failure;
interface Failure {
  kind: "failed";
  description: string;
}

/** What one check is about, for requests and messages alike. */
interface Target {
  image: string;
  repository: ImageRepository;
  manifestUrl: string;
  manifestPath: string;
  credentials: BasicCredentials | undefined;
  signal: AbortSignal;
  timeoutMs: number;
}

export async function checkManifest(request: ManifestRequest): Promise<ManifestCheck> {
  const image = `${request.repository}:${request.tag}`;
  let repository: ImageRepository;
  try {
    repository = parseImageRepository(request.repository);
  } catch (error) {
    return { found: false, reason: "error", message: error instanceof Error ? error.message : String(error) };
  }
  if (!TAG.test(request.tag) && !DIGEST.test(request.tag)) {
    return {
      found: false,
      reason: "error",
      message: `image ${image}: ${JSON.stringify(request.tag)} is not a tag or digest`,
    };
  }
  const manifestPath = `/v2/${repository.name}/manifests/${request.tag}`;
  const target: Target = {
    image,
    repository,
    manifestUrl: `${request.plainHTTP ? "http" : "https"}://${repository.host}${manifestPath}`,
    manifestPath,
    credentials: request.credentials,
    signal: AbortSignal.timeout(request.timeoutMs),
    timeoutMs: request.timeoutMs,
  };

  let method: Method = "HEAD";
  let authorization: string | undefined;
  // Each retry flips one of these for good (HEAD -> GET, anonymous -> authorized), so at most three requests.
  let authorized = false;
  for (;;) {
    const answer = await requestManifest(target, method, authorization);
    if (answer.kind === "failed") return unreachable(target.repository.host, answer);
    if (answer.status === 405 && method === "HEAD") {
      method = "GET";
      continue;
    }
    if (answer.status === 401 && !authorized) {
      const granted = await authorize(target, answer.header("www-authenticate"));
      if (!granted.ok) return granted.check;
      authorization = granted.authorization;
      authorized = true;
      continue;
    }
    return classifyManifestAnswer(target, method, answer, authorized);
  }
}

function classifyManifestAnswer(
  target: Target,
  method: Method,
  answer: Extract<Answer, { kind: "answered" }>,
  authorized: boolean,
): ManifestCheck {
  const { host, name } = target.repository;
  const { status } = answer;
  if (status >= 200 && status < 300) {
    const digest = answer.header("docker-content-digest");
    return digest === undefined ? { found: true } : { found: true, digest };
  }
  switch (status) {
    case 404:
      return {
        found: false,
        reason: "not-found",
        message: `image ${target.image} not found in the registry (${method} ${target.manifestPath} returned 404)`,
      };
    case 401:
      return {
        found: false,
        reason: "unauthorized",
        message: refusedMessage(host, name, target.credentials, authorized),
      };
    case 403:
      return {
        found: false,
        reason: "unauthorized",
        message: `registry ${host} denied pull access to ${name} (403)`,
      };
    default:
      return {
        found: false,
        reason: "error",
        message: `registry ${host} answered ${status} to ${method} ${target.manifestPath} for image ${target.image}`,
      };
  }
}

function refusedMessage(
  host: string,
  name: string,
  credentials: BasicCredentials | undefined,
  authorized: boolean,
): string {
  if (credentials !== undefined)
    return `registry ${host} refused the credentials from the pull secret for ${name} (401)`;
  return authorized
    ? `registry ${host} refused anonymous access to ${name} (401) and no pull secret was given`
    : `registry ${host} requires credentials for ${name} (401) and no pull secret was given`;
}

type Grant = { ok: true; authorization: string } | { ok: false; check: ManifestCheck };

/** Answers the registry's 401 challenge: Bearer (via its token service) is preferred, Basic otherwise. */
async function authorize(target: Target, challengeHeader: string | undefined): Promise<Grant> {
  const { host, name } = target.repository;
  const challenges = challengeHeader === undefined ? [] : parseAuthenticateHeader(challengeHeader);
  const bearer = challenges.find((challenge) => challenge.scheme === "bearer");
  if (bearer !== undefined) return requestToken(target, bearer);
  const basic = challenges.find((challenge) => challenge.scheme === "basic");
  if (basic !== undefined) {
    if (target.credentials === undefined) {
      return {
        ok: false,
        check: {
          found: false,
          reason: "unauthorized",
          message: refusedMessage(host, name, undefined, false),
        },
      };
    }
    return { ok: true, authorization: authorizationHeader({ kind: "basic", ...target.credentials }) };
  }
  const why =
    challenges.length === 0
      ? "without saying how to authenticate (no WWW-Authenticate challenge)"
      : `asking for ${challenges.map((challenge) => challenge.scheme).join(", ")} authentication, which is not supported`;
  return {
    ok: false,
    check: {
      found: false,
      reason: "unauthorized",
      message: `registry ${host} answered 401 for ${name} ${why}`,
    },
  };
}

/** distribution's token protocol: GET <realm>?service=..&scope=repository:<name>:pull, Basic auth when we have credentials. */
async function requestToken(target: Target, challenge: AuthChallenge): Promise<Grant> {
  const { host, name } = target.repository;
  const fail = (reason: "unauthorized" | "unreachable" | "error", message: string): Grant => ({
    ok: false,
    check: { found: false, reason, message },
  });
  const realm = parseRealm(challenge.params.realm);
  if (realm === undefined) {
    return fail(
      "error",
      `registry ${host} asked for a bearer token without a usable realm (an http(s) URL of its token service)`,
    );
  }
  const service = `token service ${realm.origin}${realm.pathname} of registry ${host}`;
  const params: Record<string, string> = { scope: `repository:${name}:pull` };
  if (challenge.params.service !== undefined) params.service = challenge.params.service;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (target.credentials !== undefined) {
    headers.Authorization = authorizationHeader({ kind: "basic", ...target.credentials });
  }

  let response: AxiosResponse<unknown>;
  try {
    response = await axios.get<unknown>(realm.href, {
      params,
      headers,
      signal: target.signal,
      responseType: "text",
      maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
      validateStatus: () => true,
    });
  } catch (error) {
    return fail("unreachable", `${service} unreachable: ${describeFailure(error, target.timeoutMs)}`);
  }
  if (response.status === 401 || response.status === 403) {
    const who =
      target.credentials === undefined
        ? `requires credentials for ${name} (${response.status}) and no pull secret was given`
        : `refused the credentials from the pull secret for ${name} (${response.status})`;
    return fail("unauthorized", `${service} ${who}`);
  }
  if (response.status < 200 || response.status >= 300) {
    return fail("error", `${service} answered ${response.status} when asked for a pull token for ${name}`);
  }
  const token = tokenOf(response.data);
  if (token === undefined) {
    // Never quote the body: it may hold a token under a name we do not know.
    return fail("error", `${service} answered without a token (expected JSON with token or access_token)`);
  }
  return { ok: true, authorization: authorizationHeader({ kind: "bearer", token }) };
}

function parseRealm(realm: string | undefined): URL | undefined {
  if (realm === undefined) return undefined;
  try {
    const url = new URL(realm);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function tokenOf(body: unknown): string | undefined {
  if (typeof body !== "string") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const token = parsed.data.token ?? parsed.data.access_token;
  return token === undefined || token === "" ? undefined : token;
}

async function requestManifest(
  target: Target,
  method: Method,
  authorization: string | undefined,
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: MANIFEST_MEDIA_TYPES.join(", ") };
  if (authorization !== undefined) headers.Authorization = authorization;
  try {
    const response = await axios.request<unknown>({
      url: target.manifestUrl,
      method,
      headers,
      signal: target.signal,
      // Only the status and headers matter: the body (a GET's manifest) is never read.
      responseType: "stream",
      validateStatus: () => true,
    });
    if (response.data instanceof Readable) response.data.destroy();
    return {
      kind: "answered",
      status: response.status,
      header: (name) => {
        const value: unknown = response.headers[name];
        if (typeof value === "string") return value;
        return Array.isArray(value) ? value.join(", ") : undefined;
      },
    };
  } catch (error) {
    return { kind: "failed", description: describeFailure(error, target.timeoutMs) };
  }
}

function unreachable(host: string, failure: Failure): ManifestCheck {
  return {
    found: false,
    reason: "unreachable",
    message: `registry ${host} unreachable: ${failure.description}`,
  };
}

/** Why a request got no answer, e.g. `connect ECONNREFUSED 127.0.0.1:5000`; never the request's headers. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (axios.isCancel(error)) return `no answer within ${timeoutMs} ms`;
  if (axios.isAxiosError(error)) {
    if (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT")
      return `no answer within ${timeoutMs} ms`;
    // An AggregateError (every address of a host refused) has an empty message but a code.
    return error.message === "" ? (error.code ?? "request failed") : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
