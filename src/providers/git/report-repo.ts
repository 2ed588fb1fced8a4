// Committing release reports to the environment's report repository with the git CLI, and tagging a
// released version. The operator keeps one bare repository per URL under its work directory and
// builds each commit with git's plumbing (a private index, `commit-tree`), so no working tree can be
// left half-written by a crash and the user's or the system's git config never takes part. A push that
// loses a race is rebuilt on the new remote branch and tried again; republishing the same files is a
// no-op that returns the commit that last changed them. Failures throw a ReportPublishError that names
// the URL (without user info) and the step, and never carries the credentials.
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GitCredentials, GitResult } from "./git-process.js";
import {
  isAllowedUrl,
  displayUrl,
  firstErrorLine,
  gitEnvironment,
  isAuthenticationFailure,
  runGit,
  scrubSecrets,
} from "./git-process.js";
import { mirrorPath, serialized } from "./mirror.js";
import { pushRejection, remoteRefCommit } from "./push-output.js";
import { branchNameProblem, tagNameProblem } from "./ref-names.js";
import { normaliseReportPath } from "./report-files.js";

export type { GitCredentials } from "./git-process.js";
export type { CommitMessageInput, ReportFileNames, ReportFileNamesInput } from "./report-files.js";
export { commitMessage, reportFileNames } from "./report-files.js";
export { tagFor } from "./ref-names.js";

export interface ReportFile {
  /** A path in the repository, e.g. `_docs/04_release/release_1.4.2_staging_2026-11-25-1400.md`. */
  path: string;
  content: string;
}

export interface PublishRequest {
  /** `https://`, `http://`, `ssh://` or `file://`. */
  url: string;
  branch: string;
  credentials?: GitCredentials;
  files: readonly ReportFile[];
  /** The commit message (see commitMessage in report-files.ts); an annotated tag gets it too. */
  message: string;
  /** Author and committer of the report commit, and tagger of the tag. */
  author: { name: string; email: string };
  /** A tag to set on the report commit, e.g. `release/1.4.2`; never moved once it exists. */
  tag?: string;
  /** A directory the operator owns; one bare repository per URL is kept under it between calls. */
  workDir: string;
  /** For each git command. */
  timeoutMs: number;
  /** How many times a push that lost a race is rebuilt and tried again before giving up; default 5. */
  maxPushAttempts?: number;
  /** Test seam: runs before each push of a new commit, with the attempt's number (from 1). */
  beforePush?: (attempt: number) => Promise<void>;
}

export type TagOutcome = "created" | "existed" | "exists-elsewhere";

export interface PublishResult {
  /** The commit that holds the files as requested: the one pushed now, or the one that last changed them. */
  commit: string;
  /** Whether a new commit was pushed; false when the branch already had the files as requested. */
  created: boolean;
  tag?: string;
  /** `exists-elsewhere`: the tag points at another commit (`tagCommit`) and was left where it is. */
  tagOutcome?: TagOutcome;
  /** The commit the remote tag points to. */
  tagCommit?: string;
}

/** Where a report repository's git work failed: `request` is a request that can never work. */
export type PublishStep = "request" | "clone" | "fetch" | "commit" | "push" | "tag";

export class ReportPublishError extends Error {
  override readonly name = "ReportPublishError";

  constructor(
    message: string,
    readonly step: PublishStep,
    /** The repository URL as it may be shown (user info replaced by `***`). */
    readonly url: string,
    /** The server wanted credentials it did not get or did not accept. */
    readonly authentication = false,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_PUSH_ATTEMPTS = 8;

/**
 * The pause before trying again after a lost race: growing, and random, so that writers racing for one
 * branch spread out instead of meeting again at the next push (measured: four writers retrying at once
 * starved one of them through five attempts).
 */
export function racePauseMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * 250 * Math.min(attempt, 8));
}

/**
 * The user info of a URL like `https://bot:secret@host/x.git` or `https://<token>@host/x.git` as
 * credentials whose password is the part to keep secret, so that it is scrubbed if git echoes it.
 */
function urlSecret(url: string): GitCredentials | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") {
      return { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    }
    // A user name alone is often a token.
    if (parsed.username !== "") return { username: "", password: decodeURIComponent(parsed.username) };
    return undefined;
  } catch {
    return undefined;
  }
}

/** Why the request can never work, or undefined. */
function requestProblem(request: PublishRequest): string | undefined {
  if (!isAllowedUrl(request.url))
    return "unsupported repository URL: expected https://, http://, ssh:// or file://";
  const branch = branchNameProblem(request.branch);
  if (branch !== undefined)
    return `branch ${JSON.stringify(request.branch)} is not a valid branch name: it ${branch}`;
  if (request.tag !== undefined) {
    const tag = tagNameProblem(request.tag);
    if (tag !== undefined) return `tag ${JSON.stringify(request.tag)} is not a valid tag name: it ${tag}`;
  }
  if (request.files.length === 0) return "no files to commit";
  const seen = new Set<string>();
  for (const file of request.files) {
    let normalised: string;
    try {
      normalised = normaliseReportPath(file.path);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    if (normalised !== file.path || normalised === "") {
      return `file path ${JSON.stringify(file.path)} is not a plain repository path (expected e.g. "reports/release.md")`;
    }
    if (seen.has(normalised)) return `file path ${JSON.stringify(file.path)} is given twice`;
    seen.add(normalised);
  }
  for (const [what, value] of [
    ["author name", request.author.name],
    ["author email", request.author.email],
  ] as const) {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (value.trim() === "" || /[<>\u0000-\u001f\u007f]/.test(value)) {
      return `${what} ${JSON.stringify(value)} cannot be written into a commit`;
    }
  }
  if (request.message.trim() === "") return "the commit message is empty";
  return undefined;
}

type GitFailure = Extract<GitResult, { ok: false }>;

/** The git commands of one publish, sharing its environment, repository and timeout. */
class ReportSession {
  private readonly environment: Record<string, string>;
  private readonly secrets: GitCredentials[];
  readonly url: string;
  private readonly indexFile: string;
  /** Whether this publish created the local repository, so its first fetch is the clone. */
  fresh = false;

  constructor(
    private readonly request: PublishRequest,
    readonly repository: string,
  ) {
    this.url = displayUrl(request.url);
    this.indexFile = path.join(repository, "report-index");
    this.secrets = [request.credentials, urlSecret(request.url)].filter(
      (credentials): credentials is GitCredentials => credentials !== undefined,
    );
    this.environment = {
      ...gitEnvironment(process.env, request.workDir, request.credentials),
      GIT_AUTHOR_NAME: request.author.name,
      GIT_AUTHOR_EMAIL: request.author.email,
      GIT_COMMITTER_NAME: request.author.name,
      GIT_COMMITTER_EMAIL: request.author.email,
      // A private index: commits are built from the remote branch's tree, never from a working tree.
      GIT_INDEX_FILE: this.indexFile,
    };
  }

  git(args: readonly string[]): Promise<GitResult> {
    return runGit({
      args: [`--git-dir=${this.repository}`, ...args],
      cwd: this.repository,
      environment: this.environment,
      timeoutMs: this.request.timeoutMs,
    });
  }

  private scrub(text: string): string {
    return this.secrets.reduce((scrubbed, credentials) => scrubSecrets(scrubbed, credentials), text);
  }

  private explain(result: GitFailure): string {
    if (result.timedOut) return result.cause;
    if (isAuthenticationFailure(result.stderr)) {
      if (this.request.credentials !== undefined) {
        return `authentication failed: the repository rejected the credentials of user '${this.request.credentials.username}'`;
      }
      return urlSecret(this.request.url) === undefined
        ? "authentication failed: the repository wants credentials and none are configured"
        : "authentication failed: the repository rejected the credentials in the URL";
    }
    return result.stderr.trim() === "" ? result.cause : firstErrorLine(this.scrub(result.stderr));
  }

  fail(step: PublishStep, doing: string, result: GitFailure | string): never {
    const why = typeof result === "string" ? this.scrub(result) : this.explain(result);
    const authentication =
      typeof result !== "string" && !result.timedOut && isAuthenticationFailure(result.stderr);
    throw new ReportPublishError(
      `could not ${doing}: ${why}`,
      step,
      this.url,
      authentication,
      typeof result !== "string" && result.timedOut,
    );
  }

  /** Runs git and returns its output, or fails the publish at `step`. */
  async must(step: PublishStep, doing: string, args: readonly string[]): Promise<string> {
    const result = await this.git(args);
    if (!result.ok) this.fail(step, doing, result);
    return result.stdout.trim();
  }

  async create(): Promise<void> {
    if (existsSync(path.join(this.repository, "HEAD"))) return;
    const doing = `clone ${this.url} into ${this.repository}`;
    try {
      await mkdir(this.request.workDir, { recursive: true });
    } catch (error) {
      this.fail("clone", doing, error instanceof Error ? error.message : String(error));
    }
    const created = await runGit({
      args: ["init", "--bare", "--quiet", this.repository],
      cwd: this.request.workDir,
      environment: this.environment,
      timeoutMs: this.request.timeoutMs,
    });
    if (!created.ok) this.fail("clone", doing, created);
    this.fresh = true;
  }

  /** Every branch of the remote, as `refs/remotes/origin/*`; an empty remote fetches nothing. */
  async fetch(): Promise<void> {
    const [step, doing] = this.fresh
      ? (["clone", `clone ${this.url} into ${this.repository}`] as const)
      : (["fetch", `fetch ${this.url}`] as const);
    await this.must(step, doing, [
      "fetch",
      "--prune",
      "--no-tags",
      "--quiet",
      "--no-write-fetch-head",
      this.request.url,
      "+refs/heads/*:refs/remotes/origin/*",
    ]);
    this.fresh = false;
  }

  /** The fetched remote branch's commit and tree, or undefined when the remote has no such branch. */
  async remoteBranch(): Promise<{ commit: string; tree: string } | undefined> {
    const ref = `refs/remotes/origin/${this.request.branch}`;
    // for-each-ref matches `ref/...` too, and prints nothing for a missing ref, hence the name in the output.
    const listed = await this.must(
      "commit",
      `read branch ${this.request.branch} in the clone of ${this.url}`,
      ["for-each-ref", "--format=%(refname) %(objecttype) %(objectname) %(tree)", ref],
    );
    for (const line of listed.split("\n")) {
      const [name, type, commit, tree] = line.split(" ");
      if (name === ref && type === "commit" && commit !== undefined && tree !== undefined)
        return { commit, tree };
    }
    return undefined;
  }

  private async writeScratch(name: string, content: string): Promise<string> {
    const file = path.join(this.repository, name);
    try {
      await writeFile(file, content);
    } catch (error) {
      this.fail("commit", `write ${file}`, error instanceof Error ? error.message : String(error));
    }
    return file;
  }

  /**
   * A commit with the files on top of `parent` (the remote branch, absent when the branch or the whole
   * repository is empty), or, when `parent` already holds them, the commit that last changed them.
   */
  async build(
    parent: { commit: string; tree: string } | undefined,
  ): Promise<{ commit: string; created: boolean }> {
    const doing = `commit the report for ${this.url}`;
    const { files } = this.request;
    const contents = await Promise.all(
      files.map((file, index) => this.writeScratch(`report-file-${index}`, file.content)),
    );
    const blobs = (
      await this.must("commit", doing, ["hash-object", "-w", "--no-filters", "--", ...contents])
    ).split("\n");
    await rm(this.indexFile, { force: true });
    await this.must(
      "commit",
      doing,
      parent === undefined ? ["read-tree", "--empty"] : ["read-tree", parent.commit],
    );
    await this.must("commit", doing, [
      "update-index",
      "--add",
      ...files.flatMap((file, index) => ["--cacheinfo", "100644", blobs[index] ?? "", file.path]),
    ]);
    const tree = await this.must("commit", doing, ["write-tree"]);
    if (parent?.tree === tree) {
      const last = await this.must("commit", doing, [
        "log",
        "-1",
        "--format=%H",
        parent.commit,
        "--",
        ...files.map((file) => file.path),
      ]);
      return { commit: last === "" ? parent.commit : last, created: false };
    }
    const message = await this.writeScratch("report-message", this.request.message);
    const commit = await this.must("commit", doing, [
      "commit-tree",
      tree,
      ...(parent === undefined ? [] : ["-p", parent.commit]),
      "-F",
      message,
    ]);
    return { commit, created: true };
  }

  /** Pushes `commit` to the branch: true when pushed, false when the branch moved meanwhile. */
  async push(commit: string): Promise<boolean> {
    const pushed = await this.git([
      "push",
      "--quiet",
      this.request.url,
      `${commit}:refs/heads/${this.request.branch}`,
    ]);
    if (pushed.ok) return true;
    const rejection = pushRejection(pushed.stderr);
    if (rejection?.conflict === true) return false;
    this.fail(
      "push",
      `push branch ${this.request.branch} to ${this.url}`,
      rejection === undefined ? pushed : `rejected ${this.scrub(rejection.detail)}`,
    );
  }

  /** The commit the remote tag points to, or undefined when the remote has no such tag. */
  async remoteTag(tag: string): Promise<string | undefined> {
    const listed = await this.must("tag", `read tag ${tag} from ${this.url}`, [
      "ls-remote",
      "--tags",
      this.request.url,
      // The second pattern lists the commit an annotated tag points to; a tag name holds no glob characters.
      `refs/tags/${tag}`,
      `refs/tags/${tag}^{}`,
    ]);
    return remoteRefCommit(listed, `refs/tags/${tag}`);
  }

  /** Sets `tag` on `commit` on the remote unless it exists; never moves an existing tag. */
  async tag(tag: string, commit: string): Promise<{ tagOutcome: TagOutcome; tagCommit: string }> {
    const existing = await this.remoteTag(tag);
    if (existing !== undefined) {
      return { tagOutcome: existing === commit ? "existed" : "exists-elsewhere", tagCommit: existing };
    }
    const doing = `tag ${commit.slice(0, 12)} as ${tag} in ${this.url}`;
    const message = await this.writeScratch("report-message", this.request.message);
    // Forced locally only: the local tag is a leftover of an earlier attempt, the remote one is never moved.
    await this.must("tag", doing, ["tag", "--force", "--annotate", "--file", message, tag, commit]);
    const pushed = await this.git(["push", "--quiet", this.request.url, `refs/tags/${tag}:refs/tags/${tag}`]);
    if (pushed.ok) return { tagOutcome: "created", tagCommit: commit };
    const rejection = pushRejection(pushed.stderr);
    if (rejection?.conflict !== true) {
      this.fail("tag", doing, rejection === undefined ? pushed : `rejected ${this.scrub(rejection.detail)}`);
    }
    // Someone set the tag between our look and our push: say where it points now.
    const now = await this.remoteTag(tag);
    if (now === undefined) this.fail("tag", doing, `rejected ${this.scrub(rejection.detail)}`);
    return { tagOutcome: now === commit ? "existed" : "exists-elsewhere", tagCommit: now };
  }
}

/** Fetch, build on the remote branch, push; again from the fetch while the push loses a race. */
async function commitAndPush(
  session: ReportSession,
  request: PublishRequest,
  attempts: number,
): Promise<{ commit: string; created: boolean }> {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    await session.fetch();
    const built = await session.build(await session.remoteBranch());
    if (!built.created) return built;
    await request.beforePush?.(attempt);
    if (await session.push(built.commit)) return built;
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, racePauseMs(attempt)));
  }
  return session.fail(
    "push",
    `push branch ${request.branch} to ${session.url}`,
    `lost the race ${attempts} times: the branch moved on the remote between each fetch and push`,
  );
}

async function publishInRepository(request: PublishRequest, repository: string): Promise<PublishResult> {
  const session = new ReportSession(request, repository);
  const attempts = Math.max(1, request.maxPushAttempts ?? DEFAULT_MAX_PUSH_ATTEMPTS);
  await session.create();

  const published = await commitAndPush(session, request, attempts);
  if (request.tag === undefined) return published;
  return { ...published, tag: request.tag, ...(await session.tag(request.tag, published.commit)) };
}

/**
 * Commits `files` to `branch` of the repository at `url` and pushes them, then sets `tag` on that
 * commit if asked. Safe to call again after any failure or crash: files already on the branch as
 * requested are not committed twice, and an existing tag is reported, never moved. Calls for one URL
 * run one at a time within this process.
 */
export async function publishReport(request: PublishRequest): Promise<PublishResult> {
  const problem = requestProblem(request);
  const url = displayUrl(request.url);
  if (problem !== undefined) {
    throw new ReportPublishError(`invalid report request for ${url}: ${problem}`, "request", url);
  }
  // One bare repository per URL, named as the change summary's mirrors are (the operator gives each its own folder).
  const repository = mirrorPath(request.workDir, request.url);
  return serialized(repository, () => publishInRepository(request, repository));
}
