// Credentials read from Secrets for the providers that call out (registries, Prometheus, git).
// Pure: the caller fetches the Secret; these functions only read its data. Every message names the
// Secret and the key or entry that was missing or malformed, never a value: a message ends up in
// status, Events and reports, which many more people read than can read the Secret.
import { z } from "zod";

export interface BasicCredentials {
  username: string;
  password: string;
}

export type HttpCredentials =
  { kind: "basic"; username: string; password: string } | { kind: "bearer"; token: string };

export type CredentialsResult<T> = { ok: true; credentials: T } | { ok: false; message: string };

/** Standard base64 as the API server returns Secret data: padded, no line breaks. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A bearer token is one word (RFC 6750 b64token); whitespace or control characters inside is a mistake. */
const BEARER_TOKEN = /^[\x21-\x7e]+$/;

/** Registry hosts that all mean Docker Hub; `docker login` files it under `https://index.docker.io/v1/`. */
const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
]);

type Decoded = { ok: true; text: string } | { ok: false; message: string };

function decodeBase64(value: string, where: string): Decoded {
  if (!BASE64.test(value)) return { ok: false, message: `${where} is not valid base64` };
  return { ok: true, text: Buffer.from(value, "base64").toString("utf8") };
}

function describeKeys(data: Record<string, string>): string {
  const keys = Object.keys(data).sort();
  return keys.length === 0 ? "it has no keys" : `its keys: ${keys.join(", ")}`;
}

/**
 * From a Secret's data (base64 values, as the API returns them): `username`+`password`, or `token`.
 * A Secret with both is refused rather than guessed at: the two would authenticate as different identities.
 */
export function httpCredentialsFromSecret(
  secretName: string,
  data: Record<string, string> | undefined,
): CredentialsResult<HttpCredentials> {
  const expected = "expected keys username and password, or token";
  const secret = `Secret ${secretName}`;
  if (data === undefined || Object.keys(data).length === 0) {
    return { ok: false, message: `${secret} has no data; ${expected}` };
  }
  const { username, password, token } = data;
  if (token !== undefined && (username !== undefined || password !== undefined)) {
    return {
      ok: false,
      message: `${secret} has both token and username/password; keep one of the two so it is clear which is used`,
    };
  }
  if (token !== undefined) return bearerFromSecret(secret, token);
  if (username !== undefined && password !== undefined) return basicFromSecret(secret, username, password);
  if (username !== undefined)
    return { ok: false, message: `${secret} has username but no password; ${expected}` };
  if (password !== undefined)
    return { ok: false, message: `${secret} has password but no username; ${expected}` };
  return {
    ok: false,
    message: `${secret} has neither username and password nor token (${describeKeys(data)})`,
  };
}

function bearerFromSecret(secret: string, encodedToken: string): CredentialsResult<HttpCredentials> {
  const decoded = decodeBase64(encodedToken, `key token of ${secret}`);
  if (!decoded.ok) return decoded;
  // A token file written with `echo` ends in a newline; whitespace is never part of a bearer token.
  const token = decoded.text.trim();
  if (token === "") return { ok: false, message: `key token of ${secret} is empty` };
  if (!BEARER_TOKEN.test(token)) {
    return {
      ok: false,
      message: `key token of ${secret} holds whitespace or control characters inside the token; a bearer token is one word`,
    };
  }
  return { ok: true, credentials: { kind: "bearer", token } };
}

function basicFromSecret(
  secret: string,
  encodedUsername: string,
  encodedPassword: string,
): CredentialsResult<HttpCredentials> {
  const username = decodeBase64(encodedUsername, `key username of ${secret}`);
  if (!username.ok) return username;
  const password = decodeBase64(encodedPassword, `key password of ${secret}`);
  if (!password.ok) return password;
  const problem = basicCredentialsProblem(username.text, password.text);
  if (problem !== undefined)
    return { ok: false, message: `key ${problem.key} of ${secret} ${problem.problem}` };
  return { ok: true, credentials: { kind: "basic", username: username.text, password: password.text } };
}

function basicCredentialsProblem(
  username: string,
  password: string,
): { key: "username" | "password"; problem: string } | undefined {
  if (username === "") return { key: "username", problem: "is empty" };
  // RFC 7617: the first ':' separates user from password, so a user name cannot hold one.
  if (username.includes(":"))
    return { key: "username", problem: "contains ':', which HTTP Basic auth cannot carry" };
  if (password === "") return { key: "password", problem: "is empty" };
  return undefined;
}

const dockerConfigEntrySchema = z.looseObject({
  username: z.string().optional(),
  password: z.string().optional(),
  auth: z.string().optional(),
});

const dockerConfigSchema = z.looseObject({
  auths: z.record(z.string(), dockerConfigEntrySchema),
});

type DockerConfigEntry = z.infer<typeof dockerConfigEntrySchema>;

/** `https://Host:5000/v1/` -> `host:5000`: the registry host a `.dockerconfigjson` key stands for. */
export function registryHostOfDockerConfigKey(key: string): string {
  const withoutScheme = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const slash = withoutScheme.indexOf("/");
  return (slash < 0 ? withoutScheme : withoutScheme.slice(0, slash)).toLowerCase();
}

function hostsMeaning(host: string): ReadonlySet<string> {
  const normalized = host.toLowerCase();
  return DOCKER_HUB_HOSTS.has(normalized) ? DOCKER_HUB_HOSTS : new Set([normalized]);
}

/** The key of the entry for `host`: a key that is exactly the host wins over `https://host/...` forms. */
function findEntryKey(auths: Record<string, DockerConfigEntry>, host: string): string | undefined {
  const wanted = hostsMeaning(host);
  const keys = Object.keys(auths);
  return (
    keys.find((key) => key === host) ?? keys.find((key) => wanted.has(registryHostOfDockerConfigKey(key)))
  );
}

/** From a kubernetes.io/dockerconfigjson Secret's `.dockerconfigjson` (decoded JSON text): the entry for `host`. */
export function registryCredentialsFromDockerConfig(
  secretName: string,
  dockerConfigJson: string,
  host: string,
): CredentialsResult<BasicCredentials> {
  const source = `.dockerconfigjson of Secret ${secretName}`;
  let json: unknown;
  try {
    json = JSON.parse(dockerConfigJson);
  } catch {
    // The parser's own message quotes the text around the error, which may be a password.
    return { ok: false, message: `${source} is not valid JSON` };
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
    return {
      ok: false,
      message: `${source} is not a Docker config ({"auths": {"<registry>": {...}}})${where}: ${issue?.message ?? "invalid"}`,
    };
  }
  const { auths } = parsed.data;
  const key = findEntryKey(auths, host);
  const entry = key === undefined ? undefined : auths[key];
  if (key === undefined || entry === undefined) {
    const keys = Object.keys(auths);
    const present = keys.length === 0 ? "it has no entries" : `its entries: ${keys.join(", ")}`;
    return { ok: false, message: `${source} has no credentials for registry ${host} (${present})` };
  }
  return credentialsOfEntry(entry, `entry ${key} in ${source}`);
}

/** Like the kubelet, `auth` (base64 of `user:password`) wins over separate `username` and `password`. */
function credentialsOfEntry(entry: DockerConfigEntry, where: string): CredentialsResult<BasicCredentials> {
  if (entry.auth !== undefined && entry.auth !== "") {
    const decoded = decodeBase64(entry.auth, `auth of ${where}`);
    if (!decoded.ok) return decoded;
    const separator = decoded.text.indexOf(":");
    if (separator < 0) return { ok: false, message: `auth of ${where} does not decode to user:password` };
    return checkedBasic(decoded.text.slice(0, separator), decoded.text.slice(separator + 1), where);
  }
  if (entry.username !== undefined && entry.password !== undefined) {
    return checkedBasic(entry.username, entry.password, where);
  }
  return { ok: false, message: `${where} has neither username and password nor auth` };
}

function checkedBasic(
  username: string,
  password: string,
  where: string,
): CredentialsResult<BasicCredentials> {
  const problem = basicCredentialsProblem(username, password);
  if (problem !== undefined) return { ok: false, message: `${problem.key} of ${where} ${problem.problem}` };
  return { ok: true, credentials: { username, password } };
}

/** The value of an `Authorization` header for the credentials. */
export function authorizationHeader(credentials: HttpCredentials): string {
  switch (credentials.kind) {
    case "basic":
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
    case "bearer":
      return `Bearer ${credentials.token}`;
  }
}

/**
 * Credentials for git over HTTP, which takes Basic only: a token goes as the password, under the user
 * name the large forges accept for tokens.
 */
export function gitCredentialsOf(credentials: HttpCredentials | undefined): BasicCredentials | undefined {
  if (credentials === undefined) return undefined;
  return credentials.kind === "basic"
    ? { username: credentials.username, password: credentials.password }
    : { username: "x-access-token", password: credentials.token };
}
