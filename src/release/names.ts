// Names and label values derived from a Release's (or an Environment's) name, which may be up to 253
// characters: a Job's name and every label value must fit in 63, a ConfigMap's name in 253. Too long,
// the name is cut and a hash of the whole is put before the suffix, so it stays unique and the same
// on every call (a restarted operator finds what it created). Pure.
import { createHash } from "node:crypto";

/** The most a label value (and so a Job's name, which becomes its Pods' label) may hold. */
export const MAX_LABEL_VALUE = 63;
/** The most an object name (a DNS subdomain) may hold. */
export const MAX_OBJECT_NAME = 253;

/** `<base><suffix>` when it fits in `max`; else `<head of base>-<hash of both><suffix>`. */
export function fitName(base: string, suffix: string, max: number): string {
  const whole = `${base}${suffix}`;
  if (whole.length <= max) return whole;
  const hash = createHash("sha256").update(whole).digest("hex").slice(0, 8);
  // A name (and a label value) must end in an alphanumeric before the hash is joined with a dash.
  const head = base.slice(0, Math.max(0, max - suffix.length - hash.length - 1)).replace(/[-._]+$/, "");
  return head === "" ? `${hash}${suffix}` : `${head}-${hash}${suffix}`;
}

/** A name as a label value: whole when it fits, else cut with a hash. */
export function labelValueOf(name: string): string {
  return fitName(name, "", MAX_LABEL_VALUE);
}
