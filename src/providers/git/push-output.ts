// Reading what `git push` and `git ls-remote` print, to tell a push that lost a race (retry) from one
// the remote refused (fail), and to find the commit a remote tag points to.

export interface PushRejection {
  /**
   * The remote ref moved or already exists (`fetch first`, `non-fast-forward`, `already exists`, a
   * lost ref lock on the server): fetching again and retrying, or looking again, can succeed.
   */
  conflict: boolean;
  /** `<ref>: <git's reason>`, e.g. `main: pre-receive hook declined`. */
  detail: string;
}

/** ` ! [rejected]        1a2b3c -> main (fetch first)` or ` ! [remote rejected] main -> main (reason)`. */
const REJECTION_LINE = /^\s*!\s+\[(rejected|remote rejected)\]\s+\S+\s+->\s+(\S+)\s+\((.*)\)\s*$/;

/** What git says when the ref changed on the remote between our fetch and our push. */
const CONFLICT_REASONS =
  /^(?:fetch first|non-fast-forward|already exists|stale info)$|cannot lock ref|failed to update ref|incorrect old value|reference already exists/i;

/** What the server said about a refusal (`remote: GitLab: You are not allowed to push ...`), if anything. */
function remoteMessage(lines: readonly string[]): string | undefined {
  const said = lines
    .map((line) => /^remote:\s*(.*?)\s*$/.exec(line)?.[1] ?? "")
    .filter((text) => text !== "");
  const chosen = said.find((text) => /error|denied|not allowed|protected|declined/i.test(text)) ?? said[0];
  if (chosen === undefined) return undefined;
  return chosen.length > 200 ? `${chosen.slice(0, 200)}...` : chosen;
}

/**
 * The first rejected ref in `git push` stderr, with what the server said about it when it refused,
 * or undefined when git refused nothing (it failed before pushing).
 */
export function pushRejection(stderr: string): PushRejection | undefined {
  const lines = stderr.split(/\r?\n/);
  for (const line of lines) {
    const match = REJECTION_LINE.exec(line);
    if (match === null) continue;
    const [, , ref = "", reason = ""] = match;
    const conflict = CONFLICT_REASONS.test(reason);
    const said = conflict ? undefined : remoteMessage(lines);
    return { conflict, detail: `${ref}: ${reason}${said === undefined ? "" : ` (remote: ${said})`}` };
  }
  return undefined;
}

const OBJECT_NAME = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The commit `ref` points to in `git ls-remote` output: the peeled `<ref>^{}` line of an annotated
 * tag when there is one, else the ref's own line; undefined when `ref` is not listed.
 */
export function remoteRefCommit(output: string, ref: string): string | undefined {
  let direct: string | undefined;
  let peeled: string | undefined;
  for (const line of output.split("\n")) {
    const [object = "", name] = line.trim().split("\t");
    if (!OBJECT_NAME.test(object)) continue;
    if (name === ref) direct = object;
    else if (name === `${ref}^{}`) peeled = object;
  }
  return peeled ?? direct;
}
