import { createHash, timingSafeEqual } from "node:crypto";

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** The pair in an `Authorization: Basic ...` header, or undefined for anything else. */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  const encoded = match?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  // The password may hold ':'; the username may not (RFC 7617).
  const separator = decoded.indexOf(":");
  if (separator < 0) return undefined;
  return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}

function digestOf(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Whether `given` is `expected`, in time that does not depend on where they differ: both sides are
 * hashed to equal lengths first, and both fields are always compared.
 */
export function credentialsMatch(given: BasicCredentials, expected: BasicCredentials): boolean {
  const usernameMatches = timingSafeEqual(digestOf(given.username), digestOf(expected.username));
  const passwordMatches = timingSafeEqual(digestOf(given.password), digestOf(expected.password));
  return usernameMatches && passwordMatches;
}
