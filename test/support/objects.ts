// Building test inputs: a valid object with one field changed, so each bad case names one issue.

export type Path = readonly (string | number)[];

/**
 * A deep copy of `base` with the value at `path` replaced (intermediate objects and lists are
 * created), or removed when `value` is undefined.
 */
export function changed<T extends object>(base: T, path: Path, value: unknown): T {
  const copy = structuredClone(base) as Record<PropertyKey, unknown>;
  let node = copy;
  path.slice(0, -1).forEach((key, index) => {
    const next = node[key] ?? (typeof path[index + 1] === "number" ? [] : {});
    node[key] = next;
    node = next as Record<PropertyKey, unknown>;
  });
  const last = path.at(-1);
  if (last === undefined) throw new Error("changed() needs a path");
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return copy as T;
}
