// Secret values removed from whatever the operator writes (report, git, logs, Events, status). One
// process-wide set of values: a Secret's value found in another release's output is removed there too,
// which errs on the safe side. Pure apart from the set it keeps.

export const REDACTION = "[REDACTED]";

/**
 * Shorter values are not removed: a two-letter value would cut every word holding those letters out of
 * a report and make it unreadable, and a secret that short protects nothing.
 */
export const MIN_REDACTED_LENGTH = 4;

/** Forms in which `value` can appear in text the operator writes: as is, line by line, JSON-escaped. */
export function formsOf(value: string): string[] {
  const trimmed = value.trim();
  const lines = trimmed.split(/\r?\n/).map((line) => line.trim());
  const forms = new Set<string>([value, trimmed, ...lines]);
  for (const form of [...forms]) forms.add(JSON.stringify(form).slice(1, -1));
  return [...forms].filter((form) => form.length >= MIN_REDACTED_LENGTH);
}

/**
 * Which values of a Secret's data are secret. A deploy's `envFrom` Secret is secret throughout. A
 * credentials Secret's `username` is an identity, not a secret: removing it would remove the
 * operator's own name from its reports. A Docker config's passwords and `auth` strings are secret.
 */
export function secretValuesOf(
  purpose: "environment" | "credentials",
  data: Readonly<Record<string, string>>,
): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (purpose === "credentials" && key === "username") continue;
    if (key === ".dockerconfigjson") values.push(...dockerConfigSecrets(value));
    else values.push(value);
  }
  return values;
}

function dockerConfigSecrets(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [text];
  }
  const auths = (parsed as { auths?: unknown }).auths;
  if (typeof auths !== "object" || auths === null) return [text];
  const secrets: string[] = [];
  for (const entry of Object.values(auths as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null) continue;
    for (const field of ["password", "auth", "identitytoken", "registrytoken"] as const) {
      const value = (entry as Record<string, unknown>)[field];
      if (typeof value !== "string" || value === "") continue;
      secrets.push(value);
      if (field === "auth") {
        const decoded = Buffer.from(value, "base64").toString("utf8");
        const separator = decoded.indexOf(":");
        if (separator >= 0) secrets.push(decoded.slice(separator + 1));
      }
    }
  }
  return secrets;
}

export class Redactor {
  private readonly forms = new Set<string>();
  /** Longest first, so a value holding another is replaced whole; rebuilt when a value is added. */
  private ordered: string[] = [];

  /** Adds values; returns whether any was new. */
  add(values: Iterable<string>): boolean {
    let added = false;
    for (const value of values) {
      for (const form of formsOf(value)) {
        if (this.forms.has(form)) continue;
        this.forms.add(form);
        added = true;
      }
    }
    if (added) this.ordered = [...this.forms].sort((a, b) => b.length - a.length);
    return added;
  }

  get size(): number {
    return this.forms.size;
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.ordered) if (out.includes(form)) out = out.replaceAll(form, REDACTION);
    return out;
  }

  /** A copy of `value` with every string in it redacted; the same object when nothing changed. */
  redactDeep<T>(value: T): T {
    if (this.ordered.length === 0) return value;
    return redactValue(value, (text) => this.redact(text)) as T;
  }
}

function redactValue(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => redactValue(item, redact));
    return items.every((item, index) => item === value[index]) ? value : items;
  }
  if (typeof value === "object" && value !== null) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const redacted = redactValue(item, redact);
      if (redacted !== item) changed = true;
      out[key] = redacted;
    }
    return changed ? out : value;
  }
  return value;
}
