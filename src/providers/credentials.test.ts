import { describe, expect, it } from "vitest";
import {
  authorizationHeader,
  type HttpCredentials,
  httpCredentialsFromSecret,
  registryCredentialsFromDockerConfig,
  registryHostOfDockerConfigKey,
} from "./credentials.js";

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
/** Holds a colon: only the first `:` of a Basic pair or a dockerconfig `auth` separates user from password. */
const PASSWORD = "s3cr3t:p4ss";
const TOKEN = "tok.en-Value_123";

type SecretData = Record<string, string> | undefined;

describe("httpCredentialsFromSecret", () => {
  it.each<{ situation: string; data: SecretData; credentials: HttpCredentials }>([
    {
      situation: "username and password",
      data: { username: b64("alice"), password: b64(PASSWORD) },
      credentials: { kind: "basic", username: "alice", password: PASSWORD },
    },
    {
      situation: "a password with spaces and a colon, kept as written",
      data: { username: b64("alice"), password: b64(" a:b ") },
      credentials: { kind: "basic", username: "alice", password: " a:b " },
    },
    {
      situation: "a token",
      data: { token: b64(TOKEN) },
      credentials: { kind: "bearer", token: TOKEN },
    },
    {
      situation: "a token written with echo (trailing newline)",
      data: { token: b64(`${TOKEN}\n`) },
      credentials: { kind: "bearer", token: TOKEN },
    },
    {
      situation: "extra keys beside the credentials",
      data: { token: b64(TOKEN), "ca.crt": b64("---") },
      credentials: { kind: "bearer", token: TOKEN },
    },
  ])("reads $situation", ({ data, credentials }) => {
    expect(httpCredentialsFromSecret("prom-auth", data)).toEqual({ ok: true, credentials });
  });

  it.each<{ situation: string; data: SecretData; message: RegExp }>([
    { situation: "no data at all", data: undefined, message: /^Secret prom-auth has no data; expected keys/ },
    { situation: "empty data", data: {}, message: /^Secret prom-auth has no data/ },
    {
      situation: "username without password",
      data: { username: b64("alice") },
      message: /^Secret prom-auth has username but no password/,
    },
    {
      situation: "password without username",
      data: { password: b64(PASSWORD) },
      message: /^Secret prom-auth has password but no username/,
    },
    {
      situation: "neither credentials key, only others",
      data: { user: b64("alice"), pass: b64(PASSWORD) },
      message: /neither username and password nor token \(its keys: pass, user\)/,
    },
    {
      situation: "both a token and a username/password",
      data: { username: b64("alice"), password: b64(PASSWORD), token: b64(TOKEN) },
      message: /has both token and username\/password/,
    },
    {
      situation: "a value that is not base64 (written as plain text into data)",
      data: { username: b64("alice"), password: PASSWORD },
      message: /^key password of Secret prom-auth is not valid base64$/,
    },
    {
      situation: "an empty token",
      data: { token: b64("  \n") },
      message: /^key token of Secret prom-auth is empty$/,
    },
    {
      situation: "a token with a space inside",
      data: { token: b64("abc def") },
      message: /key token of Secret prom-auth holds whitespace/,
    },
    {
      situation: "an empty username",
      data: { username: "", password: b64(PASSWORD) },
      message: /^key username of Secret prom-auth is empty$/,
    },
    {
      situation: "a username with a colon",
      data: { username: b64("al:ice"), password: b64(PASSWORD) },
      message: /^key username of Secret prom-auth contains ':'/,
    },
    {
      situation: "an empty password",
      data: { username: b64("alice"), password: "" },
      message: /^key password of Secret prom-auth is empty$/,
    },
  ])("refuses $situation, naming the Secret and never a value", ({ data, message }) => {
    const result = httpCredentialsFromSecret("prom-auth", data);
    expect(result).toEqual({ ok: false, message: expect.stringMatching(message) as unknown });
    const text = JSON.stringify(result);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("abc def");
  });
});

describe("registryCredentialsFromDockerConfig", () => {
  const entry = { username: "puller", password: PASSWORD };
  const config = (auths: Record<string, unknown>): string => JSON.stringify({ auths });

  it.each([
    { situation: "a key that is the host", auths: { "127.0.0.1:5000": entry }, host: "127.0.0.1:5000" },
    {
      situation: "an https:// key",
      auths: { "https://registry.example.com": entry },
      host: "registry.example.com",
    },
    { situation: "an http:// key", auths: { "http://127.0.0.1:5000": entry }, host: "127.0.0.1:5000" },
    {
      situation: "an https://host/v1/ key",
      auths: { "https://registry.example.com/v1/": entry },
      host: "registry.example.com",
    },
    {
      situation: "a key in other letter case",
      auths: { "Registry.Example.com": entry },
      host: "registry.example.com",
    },
    {
      situation: "Docker Hub's index key for registry-1.docker.io",
      auths: { "https://index.docker.io/v1/": entry },
      host: "registry-1.docker.io",
    },
    {
      situation: "Docker Hub's index key for docker.io",
      auths: { "https://index.docker.io/v1/": entry },
      host: "docker.io",
    },
    {
      situation: "an auth field only",
      auths: { "127.0.0.1:5000": { auth: b64(`puller:${PASSWORD}`) } },
      host: "127.0.0.1:5000",
    },
    {
      situation: "auth winning over username/password, as in the kubelet",
      auths: { "127.0.0.1:5000": { username: "other", password: "other", auth: b64(`puller:${PASSWORD}`) } },
      host: "127.0.0.1:5000",
    },
    {
      situation: "an exact key winning over an https:// key listed first",
      auths: { "https://127.0.0.1:5000": { username: "other", password: "x" }, "127.0.0.1:5000": entry },
      host: "127.0.0.1:5000",
    },
    {
      situation: "an entry with fields beside the credentials (email)",
      auths: { "127.0.0.1:5000": { auth: b64(`puller:${PASSWORD}`), email: "x@example.com" } },
      host: "127.0.0.1:5000",
    },
  ])("finds the entry for $situation", ({ auths, host }) => {
    expect(registryCredentialsFromDockerConfig("pull", config(auths), host)).toEqual({
      ok: true,
      credentials: { username: "puller", password: PASSWORD },
    });
  });

  it.each([
    {
      situation: "text that is not JSON",
      text: `{"auths": ${PASSWORD}`,
      message: /^\.dockerconfigjson of Secret pull is not valid JSON$/,
    },
    {
      situation: "JSON without auths",
      text: JSON.stringify({ [PASSWORD]: 1 }),
      message: /is not a Docker config .* at auths/,
    },
    {
      situation: "an entry of the wrong type",
      text: config({ "127.0.0.1:5000": { username: 5, password: PASSWORD } }),
      message: /at auths\.127\.0\.0\.1:5000\.username/,
    },
    {
      situation: "no entry for the host",
      text: config({ "other.example.com": entry, "https://index.docker.io/v1/": entry }),
      message:
        /has no credentials for registry 127\.0\.0\.1:5000 \(its entries: other\.example\.com, https:\/\/index\.docker\.io\/v1\/\)$/,
    },
    { situation: "no entries at all", text: config({}), message: /\(it has no entries\)$/ },
    {
      situation: "the same host on another port",
      text: config({ "127.0.0.1:5001": entry }),
      message: /has no credentials for registry 127\.0\.0\.1:5000/,
    },
    {
      situation: "an entry with only a password",
      text: config({ "127.0.0.1:5000": { password: PASSWORD } }),
      message:
        /^entry 127\.0\.0\.1:5000 in \.dockerconfigjson of Secret pull has neither username and password nor auth$/,
    },
    {
      situation: "an auth that is not base64",
      text: config({ "127.0.0.1:5000": { auth: `puller:${PASSWORD}` } }),
      message: /^auth of entry 127\.0\.0\.1:5000 .* is not valid base64$/,
    },
    {
      situation: "an auth without a colon",
      text: config({ "127.0.0.1:5000": { auth: b64("puller-only") } }),
      message: /does not decode to user:password$/,
    },
    {
      situation: "an auth with an empty password",
      text: config({ "127.0.0.1:5000": { auth: b64("puller:") } }),
      message: /^password of entry 127\.0\.0\.1:5000 .* is empty$/,
    },
  ])("refuses $situation, naming the Secret and never a value", ({ text, message }) => {
    const result = registryCredentialsFromDockerConfig("pull", text, "127.0.0.1:5000");
    expect(result).toEqual({ ok: false, message: expect.stringMatching(message) as unknown });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(b64(PASSWORD));
  });
});

describe("registryHostOfDockerConfigKey", () => {
  it.each([
    { key: "127.0.0.1:5000", host: "127.0.0.1:5000" },
    { key: "https://index.docker.io/v1/", host: "index.docker.io" },
    { key: "http://Registry.Local:80/", host: "registry.local:80" },
    { key: "quay.io/team", host: "quay.io" },
  ])("reads $key as $host", ({ key, host }) => {
    expect(registryHostOfDockerConfigKey(key)).toBe(host);
  });
});

describe("authorizationHeader", () => {
  it.each([
    {
      situation: "basic credentials, base64 of user:password",
      credentials: { kind: "basic", username: "alice", password: "p:w" } as const,
      header: `Basic ${b64("alice:p:w")}`,
    },
    {
      situation: "a non-ASCII password, as UTF-8",
      credentials: { kind: "basic", username: "alice", password: "pässwort" } as const,
      header: `Basic ${b64("alice:pässwort")}`,
    },
    {
      situation: "a bearer token",
      credentials: { kind: "bearer", token: TOKEN } as const,
      header: `Bearer ${TOKEN}`,
    },
  ])("writes $situation", ({ credentials, header }) => {
    expect(authorizationHeader(credentials)).toBe(header);
  });
});
