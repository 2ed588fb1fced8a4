// The git server in this process, in front of a throwaway bare repository, driven by the real git
// client: fast (well under a second) and needs only git, so it runs with the unit tests.
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type http from "node:http";
import { execa } from "execa";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basicAuthorization } from "../cluster/fixtures/credentials.js";
import { planReportRepository, renderFastImport } from "../cluster/fixtures/git-history.js";
import { createGitServer } from "./server.js";

const credentials = { username: "tester", password: "p4ss:word" };
const isolated = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_ASKPASS: "",
};

let work = "";
let server: http.Server;
let repoUrl = "";

function git(args: readonly string[], withCredentials: boolean, cwd = work) {
  const auth = withCredentials
    ? {
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "http.extraHeader",
        GIT_CONFIG_VALUE_0: `Authorization: ${basicAuthorization(credentials)}`,
      }
    : { GIT_CONFIG_COUNT: "0" };
  return execa("git", args, {
    cwd,
    env: {
      ...isolated,
      ...auth,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
    reject: false,
    stdin: "ignore",
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "git-server-test-"));
  const root = path.join(work, "repos");
  const bare = path.join(root, "reports.git");
  await execa("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare], { env: isolated });
  await execa("git", ["-C", bare, "fast-import", "--quiet"], {
    env: isolated,
    input: renderFastImport(planReportRepository()),
  });
  server = createGitServer(
    { host: "127.0.0.1", port: 0, projectRoot: root, realm: "test", credentials, gitBinary: "git" },
    pino({ level: "silent" }),
    { PATH: process.env.PATH ?? "/usr/bin:/bin", ...isolated },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  repoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/git/reports.git`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

describe("createGitServer", () => {
  it.each<{ situation: string; headers: Record<string, string>; status: number }>([
    { situation: "no credentials", headers: {}, status: 401 },
    {
      situation: "a wrong password",
      headers: { Authorization: basicAuthorization({ ...credentials, password: "nope" }) },
      status: 401,
    },
    {
      situation: "the right credentials",
      headers: { Authorization: basicAuthorization(credentials) },
      status: 200,
    },
  ])("answers the ref advertisement with $status for $situation", async ({ headers, status }) => {
    const response = await fetch(`${repoUrl}/info/refs?service=git-upload-pack`, { headers });
    expect(response.status).toBe(status);
    if (status === 401)
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="test", charset="UTF-8"');
    else expect(response.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
  });

  it.each([
    { situation: "a path outside /git/", target: "/reports.git/info/refs", status: 404 },
    { situation: "a repository that does not exist", target: "/git/nope.git/info/refs", status: 404 },
  ])("answers 404 for $situation, once authenticated", async ({ target, status }) => {
    const response = await fetch(new URL(target, repoUrl), {
      headers: { Authorization: basicAuthorization(credentials) },
    });
    expect(response.status).toBe(status);
  });

  it("serves a clone and takes a push with credentials, and refuses a push without", async () => {
    expect((await git(["clone", "--quiet", repoUrl, "clone"], true)).exitCode).toBe(0);
    const clone = path.join(work, "clone");
    expect((await git(["commit", "--quiet", "--allow-empty", "-m", "pushed"], false, clone)).exitCode).toBe(
      0,
    );

    const refused = await git(["push", "--quiet", "origin", "HEAD:refs/heads/refused"], false, clone);
    expect(refused.exitCode).not.toBe(0);
    const pushed = await git(["push", "--quiet", "origin", "HEAD:refs/heads/pushed"], true, clone);
    expect(pushed.exitCode, pushed.stderr).toBe(0);

    const remote = await git(["ls-remote", repoUrl], true);
    expect(remote.stdout).toContain("refs/heads/pushed");
    expect(remote.stdout).not.toContain("refs/heads/refused");
  });
});
