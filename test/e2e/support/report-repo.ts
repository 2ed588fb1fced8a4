// The cluster's report repository (reports.git on the local git server) as a test reads it: a fresh
// clone with the server's credentials, so a test asserts what the operator really pushed (files at a
// commit, authors, messages, tags), not what the operator says it pushed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { inject } from "vitest";
import { basicAuthorization } from "../../../hack/cluster/fixtures/credentials.js";
import type { Credentials } from "../../../hack/cluster/info.js";

/**
 * No prompt, no system or user config (so no credential helper answers), and the credentials as an
 * `http.extraHeader` passed through the environment: never in argv, never in the clone's config.
 */
function gitEnvironment(credentials: Credentials): Record<string, string> {
  return {
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: ${basicAuthorization(credentials)}`,
  };
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const result = await execa("git", args, {
    cwd,
    env: gitEnvironment(inject("cluster").git.credentials),
    reject: false,
    stdin: "ignore",
    timeout: 30_000,
    // A file's content exactly as committed, its last newline included.
    stripFinalNewline: false,
    // `git log -p --all` of a repository every e2e run adds reports to.
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `git ${args.join(" ")} in ${cwd} failed (exit ${String(result.exitCode)}): ${result.stderr}`,
    );
  }
  return result.stdout;
}

export interface CommitInfo {
  authorName: string;
  authorEmail: string;
  /** The whole message: subject, body and trailers. */
  message: string;
}

export interface ReportClone {
  readonly dir: string;
  /** Runs git in the clone and returns its stdout as printed; fails with git's own words. */
  git(args: readonly string[]): Promise<string>;
  /** The files under `folder` at `ref`, as repository paths, sorted. */
  filesAt(ref: string, folder: string): Promise<string[]>;
  /** A file's content at `ref`. */
  show(ref: string, file: string): Promise<string>;
  commit(ref: string): Promise<CommitInfo>;
  /** The commits of every branch that changed anything under `folder`, newest first. */
  commitsTouching(folder: string): Promise<string[]>;
  /** The commit a tag points at, or undefined when the repository has no such tag. */
  tagCommit(tag: string): Promise<string | undefined>;
  /** Everything the repository holds as text: every commit of every ref with its message and patch. */
  everything(): Promise<string>;
  remove(): Promise<void>;
}

/** A fresh clone of reports.git (every branch and tag) in a temporary directory; `remove()` it after. */
export async function cloneReportRepo(): Promise<ReportClone> {
  const { git: server } = inject("cluster");
  const parent = await mkdtemp(path.join(tmpdir(), "release-operator-e2e-reports-"));
  const dir = path.join(parent, "reports");
  await git(parent, ["clone", "--quiet", "--mirror", server.reportRepo, dir]);
  const run = (args: readonly string[]): Promise<string> => git(dir, args);
  const lines = (text: string): string[] => text.split("\n").filter((line) => line !== "");
  return {
    dir,
    git: run,
    filesAt: async (ref, folder) =>
      lines(await run(["ls-tree", "-r", "--name-only", ref, "--", folder])).sort(),
    show: (ref, file) => run(["show", `${ref}:${file}`]),
    commit: async (ref) => {
      const [authorName = "", authorEmail = "", ...message] = (
        await run(["log", "-1", "--format=%an%n%ae%n%B", ref])
      ).split("\n");
      return { authorName, authorEmail, message: message.join("\n") };
    },
    commitsTouching: async (folder) => lines(await run(["log", "--all", "--format=%H", "--", folder])),
    tagCommit: async (tag) => {
      const listed = lines(await run(["tag", "--list", tag]));
      if (!listed.includes(tag)) return undefined;
      return (await run(["rev-parse", `refs/tags/${tag}^{commit}`])).trim();
    },
    everything: () => run(["log", "-p", "--all", "--format=%H%n%an <%ae>%n%B"]),
    remove: () => rm(parent, { recursive: true, force: true }),
  };
}

/**
 * Deletes those of `tags` that exist on reports.git: the release tags of a test's made-up versions,
 * so the shared repository keeps only the tags of real releases. The reports themselves stay.
 */
export async function deleteReportTags(tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const { git: server } = inject("cluster");
  const parent = await mkdtemp(path.join(tmpdir(), "release-operator-e2e-reports-"));
  try {
    const listed = await git(parent, ["ls-remote", "--tags", server.reportRepo]);
    const refs = new Set(listed.split("\n").map((line) => line.split("\t")[1]));
    const existing = tags.filter((tag) => refs.has(`refs/tags/${tag}`));
    if (existing.length === 0) return;
    await git(parent, ["init", "--quiet", "--bare", "scratch.git"]);
    await git(path.join(parent, "scratch.git"), [
      "push",
      "--quiet",
      server.reportRepo,
      ...existing.map((tag) => `:refs/tags/${tag}`),
    ]);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}
