// Reading `git log` output into commits. Fields are separated by NUL, which no subject, body or path
// can hold, so any characters in them (newlines, tabs, quotes, non-ASCII) come through unchanged.
import type { Commit } from "./classify.js";

/**
 * `git log` arguments before the range: every commit (merges left out, their changes are in the
 * commits they merge), oldest first, with the paths each changed, renames as a delete plus an add so
 * both sides count for their components.
 *
 * With `-z` the output of a commit is: NUL, SHA, NUL, subject, NUL, body, NUL, then, when the commit
 * changed paths, a newline and each path followed by NUL. A path is never empty, so an empty field
 * after the paths is where the next commit starts.
 */
export const LOG_ARGS: readonly string[] = [
  "log",
  "-z",
  "--reverse",
  "--no-merges",
  "--no-renames",
  "--root",
  "--name-only",
  "--no-color",
  "--format=%x00%H%x00%s%x00%b",
];

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The commits in the output of `git <LOG_ARGS> <range>`; throws when the output has another shape. */
export function parseLog(output: string): Commit[] {
  if (output !== "" && !output.endsWith("\0")) {
    throw new Error(
      `unexpected git log output: expected NUL-separated fields ending in NUL, found ${JSON.stringify(output.slice(-100))} at its end`,
    );
  }
  const fields = output.split("\0");
  const commits: Commit[] = [];
  let at = 0;
  // The output ends with the last commit's terminating NUL, which leaves one empty field at the end.
  while (at < fields.length - 1) {
    const [start, sha, subject, body] = fields.slice(at, at + 4);
    if (
      start !== "" ||
      sha === undefined ||
      !FULL_SHA.test(sha) ||
      subject === undefined ||
      body === undefined
    ) {
      throw new Error(
        `unexpected git log output at field ${at}: expected an empty field then a commit SHA, found ${JSON.stringify(fields.slice(at, at + 2)).slice(0, 200)}`,
      );
    }
    at += 4;
    const paths: string[] = [];
    for (let field = fields[at]; field !== undefined && field !== ""; field = fields[at]) {
      paths.push(paths.length === 0 ? field.replace(/^\n/, "") : field);
      at += 1;
    }
    commits.push({ sha, subject, body, paths });
  }
  return commits;
}
