// The local cluster's git server, driven by the real git client: clone and push work with the
// credentials and fail without them. Pushes go to a branch and a tag named for this run, deleted after.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION_TABLE } from "../../hack/demo-app/versions.js";
import { basicAuthorization } from "../../hack/cluster/fixtures/credentials.js";
import { sourceTagOf } from "../../hack/cluster/fixtures/git-history.js";
import { readClusterInfo, type Credentials } from "../../hack/cluster/info.js";

const { git: server } = readClusterInfo();
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
const branch = `e2e/git-test-${runId}`;
const tag = `e2e-git-test-${runId}`;
const wrongPassword: Credentials = { ...server.credentials, password: `wrong-${runId}` };

/**
 * The environment of every git command: no prompt, no askpass program, no system or user config (so
 * no credential helper answers for us), a fixed identity, and credentials, when given, as an
 * `http.extraHeader` passed through the environment: never in argv, never in a file.
 */
function gitEnv(credentials: Credentials | undefined): Record<string, string> {
  const env: Record<string, string> = {
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "e2e test",
    GIT_AUTHOR_EMAIL: "e2e@release-operator.invalid",
    GIT_COMMITTER_NAME: "e2e test",
    GIT_COMMITTER_EMAIL: "e2e@release-operator.invalid",
    GIT_CONFIG_COUNT: "0",
  };
  if (credentials !== undefined) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_0 = `Authorization: ${basicAuthorization(credentials)}`;
  }
  return env;
}

async function runGit(args: readonly string[], options: { cwd?: string; credentials?: Credentials } = {}) {
  return execa("git", args, {
    cwd: options.cwd ?? tmpdir(),
    env: gitEnv(options.credentials),
    reject: false,
    stdin: "ignore",
    timeout: 30_000,
  });
}

/** Runs git and fails the test, with git's own words, unless it succeeds; returns its stdout. */
async function mustGit(args: readonly string[], options: { cwd?: string; credentials?: Credentials } = {}) {
  const result = await runGit(args, options);
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** git's words when the server refused it and it could not ask for a password. */
const REFUSED = /Authentication failed|terminal prompts disabled|could not read Username|401/;

let work = "";
let pushed = false;

async function cloneInto(url: string, name: string, credentials: Credentials | undefined) {
  const dir = path.join(work, name);
  return { dir, result: await runGit(["clone", "--quiet", url, dir], { credentials }) };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "release-operator-e2e-git-"));
});

afterAll(async () => {
  try {
    if (pushed) {
      // Run inside a clone: push needs a repository, even to delete remote refs.
      await mustGit(["push", "--quiet", "origin", "--delete", `refs/heads/${branch}`, `refs/tags/${tag}`], {
        cwd: path.join(work, "reports"),
        credentials: server.credentials,
      });
    }
  } finally {
    if (work !== "") await rm(work, { recursive: true, force: true });
  }
});

describe("the local git server", () => {
  it("clones the source repository with credentials: main, the release tags and the tracker keys", async () => {
    const { dir, result } = await cloneInto(server.sourceRepo, "source", server.credentials);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await mustGit(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: dir })).toBe("main");
    const tags = (await mustGit(["tag", "--list"], { cwd: dir })).split("\n");
    expect(tags).toEqual(expect.arrayContaining(VERSION_TABLE.map((row) => sourceTagOf(row.version))));
    const first = sourceTagOf(VERSION_TABLE[0]?.version ?? "1.4.0");
    expect(await mustGit(["cat-file", "-t", first], { cwd: dir })).toBe("tag");
    const subjects = await mustGit(["log", "--format=%s", "main"], { cwd: dir });
    expect(subjects).toMatch(/^NAV-\d+: /m);
    expect(subjects).toContain("BREAKING:");
  });

  it("takes a commit and an annotated tag pushed with credentials", async () => {
    const { dir, result } = await cloneInto(server.reportRepo, "reports", server.credentials);
    expect(result.exitCode, result.stderr).toBe(0);
    await writeFile(path.join(dir, `e2e-${runId}.md`), `# e2e ${runId}\n`);
    await mustGit(["add", "."], { cwd: dir });
    await mustGit(["commit", "--quiet", "-m", `e2e: push test ${runId}`], { cwd: dir });
    await mustGit(["tag", "-a", tag, "-m", `e2e tag ${runId}`], { cwd: dir });
    pushed = true;
    await mustGit(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`, `refs/tags/${tag}`], {
      cwd: dir,
      credentials: server.credentials,
    });

    const commit = await mustGit(["rev-parse", "HEAD"], { cwd: dir });
    const remote = await mustGit(
      ["ls-remote", server.reportRepo, `refs/heads/${branch}`, `refs/tags/${tag}^{}`],
      {
        credentials: server.credentials,
      },
    );
    expect(remote).toContain(`${commit}\trefs/heads/${branch}`);
    expect(remote).toContain(`${commit}\trefs/tags/${tag}^{}`);
  });

  it.each([
    { situation: "without credentials", credentials: undefined },
    { situation: "with a wrong password", credentials: wrongPassword },
  ])("refuses a clone $situation", async ({ credentials }) => {
    const { result } = await cloneInto(
      server.sourceRepo,
      `refused-clone-${credentials ? "wrong" : "none"}`,
      credentials,
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(REFUSED);
  });

  it.each([
    { situation: "without credentials", credentials: undefined },
    { situation: "with a wrong password", credentials: wrongPassword },
  ])("refuses a push $situation", async ({ credentials }) => {
    const name = `refused-push-${credentials ? "wrong" : "none"}`;
    const { dir, result } = await cloneInto(server.reportRepo, name, server.credentials);
    expect(result.exitCode, result.stderr).toBe(0);
    await mustGit(["commit", "--quiet", "--allow-empty", "-m", `e2e: refused push ${runId}`], { cwd: dir });
    const denied = `refs/heads/${branch}-${name}`;
    const push = await runGit(["push", "--quiet", "origin", `HEAD:${denied}`], { cwd: dir, credentials });
    expect(push.exitCode).not.toBe(0);
    expect(push.stderr).toMatch(REFUSED);
    expect(await mustGit(["ls-remote", server.reportRepo, denied], { credentials: server.credentials })).toBe(
      "",
    );
  });
});
