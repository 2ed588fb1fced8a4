// Bare mirrors of source repositories, kept between calls so that a summary fetches only what is new,
// and one operation at a time on each mirror within this process.
import { createHash } from "node:crypto";
import path from "node:path";

/** `<cacheDir>/<first 16 hex digits of sha256(url)>.git`: one bare repository per URL (a mirror, or a report repository), a name safe on any file system. */
export function mirrorPath(cacheDir: string, url: string): string {
  return path.join(cacheDir, `${createHash("sha256").update(url).digest("hex").slice(0, 16)}.git`);
}

/** The refspecs of a mirror: every branch and every tag, as they are upstream (with `--prune`). */
export const MIRROR_REFSPECS: readonly string[] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

const tails = new Map<string, Promise<void>>();

/**
 * Runs `task` after every task queued before it for the same key has settled (a promise chain per
 * key), so two summaries of one repository never fetch into the same mirror at once. A failed task
 * does not stop the ones after it.
 */
export function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const result = previous.then(task);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  // Forget the chain once nothing is queued behind it, so the map does not grow with every URL ever seen.
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return result;
}

/** How many keys have work queued or running; for tests. */
export function queuedKeys(): number {
  return tails.size;
}
