// The change summary of a release, read from the source repository with the git CLI: fetch into a
// cached bare mirror, resolve the range from the running version's tag to the released revision, read
// every commit in it, and summarise them (classify.ts). Failures are outcomes with a message a release
// manager can act on, never exceptions, and never carry the credentials.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ComponentPath } from "../../api/v1alpha1/index.js";
import type { ChangeSummaryFindings } from "./classify.js";
import { summarize } from "./classify.js";
import { LOG_ARGS, parseLog } from "./git-log.js";
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
import { MIRROR_REFSPECS, mirrorPath, serialized } from "./mirror.js";

export type { GitCredentials } from "./git-process.js";

export interface ChangeSummaryRequest {
  /** `https://`, `http://`, `ssh://` or `file://`. */
  url: string;
  credentials?: GitCredentials;
  /** How release tags are named, e.g. `v{version}` or `release/{version}`. */
  tagPattern: string;
  components: readonly ComponentPath[];
  /** The version running now (the last release); its tag starts the range. */
  fromVersion?: string;
  /** The version being released. */
  version: string;
  /** Commit SHA or ref the summary ends at; default: the tag of `version`. */
  revision?: string;
  exclude: readonly string[];
  /** Where bare mirrors are kept between calls. */
  cacheDir: string;
  /** For each git command. */
  timeoutMs: number;
}

export type ChangeSummaryOutcome =
  { ok: true; findings: ChangeSummaryFindings; notes: string[] } | { ok: false; message: string };

export function tagOf(tagPattern: string, version: string): string {
  return tagPattern.replaceAll("{version}", version);
}

/** A revision git could read as an option, or that holds control characters, names no commit. */
function isPlausibleRevision(revision: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  return revision !== "" && !revision.startsWith("-") && !/[\u0000-\u001f\u007f\s]/.test(revision);
}

class SummaryFailure extends Error {}

/** The git commands of one summary, sharing its environment, mirror and timeout. */
class MirrorSession {
  private readonly environment: Record<string, string>;

  constructor(
    private readonly request: ChangeSummaryRequest,
    readonly mirror: string,
  ) {
    this.environment = gitEnvironment(process.env, request.cacheDir, request.credentials);
  }

  git(args: readonly string[]): Promise<GitResult> {
    return runGit({
      args: [`--git-dir=${this.mirror}`, ...args],
      cwd: this.request.cacheDir,
      environment: this.environment,
      timeoutMs: this.request.timeoutMs,
    });
  }

  explain(result: Extract<GitResult, { ok: false }>): string {
    if (result.timedOut) return result.cause;
    return result.stderr.trim() === ""
      ? result.cause
      : firstErrorLine(result.stderr, this.request.credentials);
  }

  async create(): Promise<void> {
    if (existsSync(path.join(this.mirror, "HEAD"))) return;
    const created = await runGit({
      args: ["init", "--bare", "--quiet", this.mirror],
      cwd: this.request.cacheDir,
      environment: this.environment,
      timeoutMs: this.request.timeoutMs,
    });
    if (!created.ok) {
      throw new SummaryFailure(
        `could not create a mirror of ${displayUrl(this.request.url)} in ${this.mirror}: ${this.explain(created)}`,
      );
    }
  }

  async fetch(): Promise<void> {
    const fetched = await this.git([
      "fetch",
      "--prune",
      "--no-tags",
      "--quiet",
      "--no-write-fetch-head",
      this.request.url,
      ...MIRROR_REFSPECS,
    ]);
    if (fetched.ok) return;
    const url = displayUrl(this.request.url);
    if (!fetched.timedOut && isAuthenticationFailure(fetched.stderr)) {
      const why =
        this.request.credentials === undefined
          ? "authentication failed: the repository wants credentials and none are configured"
          : `authentication failed: the repository rejected the credentials of user '${this.request.credentials.username}'`;
      throw new SummaryFailure(`could not fetch ${url}: ${why}`);
    }
    throw new SummaryFailure(`could not fetch ${url}: ${this.explain(fetched)}`);
  }

  /** The full SHA of the commit `revision` names, or undefined when the mirror has no such commit. */
  async resolve(revision: string): Promise<string | undefined> {
    if (!isPlausibleRevision(revision)) return undefined;
    const resolved = await this.git(["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
    if (resolved.ok) return resolved.stdout.trim();
    if (resolved.exitCode === 1 && !resolved.timedOut) return undefined;
    throw new SummaryFailure(
      `could not resolve ${revision} in ${displayUrl(this.request.url)}: ${this.explain(resolved)}`,
    );
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const checked = await this.git(["merge-base", "--is-ancestor", ancestor, descendant]);
    if (checked.ok) return true;
    if (checked.exitCode === 1 && !checked.timedOut) return false;
    throw new SummaryFailure(
      `could not compare ${ancestor} with ${descendant} in ${displayUrl(this.request.url)}: ${this.explain(checked)}`,
    );
  }

  async log(range: string): Promise<string> {
    const logged = await this.git([...LOG_ARGS, range]);
    if (logged.ok) return logged.stdout;
    throw new SummaryFailure(
      `could not read the history of ${displayUrl(this.request.url)}: ${this.explain(logged)}`,
    );
  }
}

interface ResolvedRange {
  fromTag?: string;
  fromSha?: string;
  toSha: string;
  notes: string[];
}

async function resolveRange(session: MirrorSession, request: ChangeSummaryRequest): Promise<ResolvedRange> {
  const url = displayUrl(request.url);
  const endRevision = request.revision ?? `refs/tags/${tagOf(request.tagPattern, request.version)}`;
  const toSha = await session.resolve(endRevision);
  if (toSha === undefined) {
    const named =
      request.revision ??
      `${tagOf(request.tagPattern, request.version)} (the tag of ${request.version} under pattern ${request.tagPattern})`;
    throw new SummaryFailure(`revision ${named} not found in ${url}`);
  }

  if (request.fromVersion === undefined) {
    return { toSha, notes: ["no version runs now: the summary starts at the root commit"] };
  }
  const fromTag = tagOf(request.tagPattern, request.fromVersion);
  const fromSha = await session.resolve(`refs/tags/${fromTag}`);
  if (fromSha === undefined) {
    return { toSha, notes: [`tag ${fromTag} not found in ${url}: the summary starts at the root commit`] };
  }
  const notes = (await session.isAncestor(fromSha, toSha))
    ? []
    : [
        `tag ${fromTag} is not an ancestor of ${toSha.slice(0, 7)}: the summary lists the commits of ${toSha.slice(0, 7)} that ${fromTag} does not have`,
      ];
  return { fromTag, fromSha, toSha, notes };
}

async function summarizeInMirror(
  request: ChangeSummaryRequest,
  mirror: string,
): Promise<ChangeSummaryOutcome> {
  const session = new MirrorSession(request, mirror);
  await session.create();
  await session.fetch();
  const range = await resolveRange(session, request);
  const output = await session.log(
    range.fromSha === undefined ? range.toSha : `${range.fromSha}..${range.toSha}`,
  );
  const findings = summarize(parseLog(output), request.components, request.exclude, {
    ...(range.fromTag === undefined ? {} : { fromTag: range.fromTag }),
    toRevision: range.toSha,
  });
  return { ok: true, findings, notes: range.notes };
}

/**
 * The change summary from the tag of `fromVersion` (or the root commit) to `revision` (or the tag of
 * `version`), fetched into the bare mirror of the URL under `cacheDir`.
 */
export async function summarizeChanges(request: ChangeSummaryRequest): Promise<ChangeSummaryOutcome> {
  const url = displayUrl(request.url);
  if (!isAllowedUrl(request.url)) {
    return {
      ok: false,
      message: `unsupported repository URL ${url}: expected https://, http://, ssh:// or file://`,
    };
  }
  const mirror = mirrorPath(request.cacheDir, request.url);
  try {
    await mkdir(request.cacheDir, { recursive: true });
    return await serialized(mirror, () => summarizeInMirror(request, mirror));
  } catch (error) {
    if (error instanceof SummaryFailure) return { ok: false, message: error.message };
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `could not summarise the changes in ${url}: ${scrubSecrets(reason, request.credentials)}`,
    };
  }
}
