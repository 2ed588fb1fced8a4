// Status writes: the difference between the status read and the status wanted, as one JSON merge
// patch to the status subresource, guarded by the resourceVersion read so a stale decision is never
// written over a newer one.
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import { isDeepStrictEqual } from "node:util";
import { apiErrorMessage, statusCodeOf } from "./api-errors.js";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** In a merge patch null means "remove": a key set to null or undefined is the same as an absent key. */
function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/**
 * RFC 7386 merge patch turning `before` into `after`: objects are recursed, arrays and scalars are
 * replaced whole, removed keys become null; undefined when there is nothing to change. Both must be
 * JSON objects (or absent, meaning empty).
 */
export function mergePatchOf(before: unknown, after: unknown): Record<string, unknown> | undefined {
  const from = isAbsent(before) ? {} : before;
  const to = isAbsent(after) ? {} : after;
  if (!isObject(from) || !isObject(to)) {
    throw new TypeError(
      `a merge patch is computed between two objects; found ${describeJsonType(from)} and ${describeJsonType(to)}`,
    );
  }
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(to)) {
    const old = from[key];
    if (isAbsent(value)) continue;
    if (isObject(old) && isObject(value)) {
      const nested = mergePatchOf(old, value);
      if (nested !== undefined) patch[key] = nested;
    } else if (!isDeepStrictEqual(old, value)) {
      patch[key] = value;
    }
  }
  for (const [key, old] of Object.entries(from)) {
    if (!isAbsent(old) && isAbsent(to[key])) patch[key] = null;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function describeJsonType(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** The object changed since it was read: re-read it and decide again. */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

export interface StatusTarget {
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
  /** The resourceVersion `before` was read at. */
  resourceVersion: string;
}

/**
 * Patches the `status` subresource from the status read (`before`) to the status wanted (`after`),
 * with metadata.resourceVersion as an optimistic lock. Returns the whole object as written, or
 * undefined when the two are equal (no request is made). A stale resourceVersion throws ConflictError.
 */
export async function writeStatus(
  api: CustomObjectsApi,
  target: StatusTarget,
  before: unknown,
  after: unknown,
): Promise<Record<string, unknown> | undefined> {
  const where = `${target.plural}.${target.group} ${target.namespace}/${target.name}`;
  if (target.resourceVersion === "") {
    throw new Error(`writing the status of ${where} needs the resourceVersion it was read at; found none`);
  }
  if (isObject(after) && ("metadata" in after || "spec" in after)) {
    // A whole object passed as status would be patched in under .status and pruned without a word.
    throw new TypeError(`writeStatus takes the status of ${where}, not the whole object`);
  }
  const patch = mergePatchOf({ status: before }, { status: after });
  if (patch === undefined) return undefined;
  const { group, version, plural, namespace, name, resourceVersion } = target;
  const body = { ...patch, metadata: { resourceVersion } };
  let written: unknown;
  try {
    written = await api.patchNamespacedCustomObjectStatus(
      { group, version, plural, namespace, name, body },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  } catch (error) {
    if (statusCodeOf(error) === 409) {
      throw new ConflictError(
        `${where} changed since resourceVersion ${resourceVersion} was read: re-read it and decide again`,
        { cause: error },
      );
    }
    throw new Error(`patching the status of ${where} failed: ${apiErrorMessage(error)}`, { cause: error });
  }
  if (!isObject(written))
    throw new Error(`the API server answered the status patch of ${where} with no object`);
  return written;
}
