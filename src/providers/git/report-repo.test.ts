// Publishing reports into real repositories: bare repositories in a temporary directory served as
// file:// URLs, and one behind the project's own git HTTP server to check authentication. Needs only git.
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planReportRepository, renderFastImport } from "../../../hack/cluster/fixtures/git-history.js";
import { createGitServer } from "../../../hack/git-server/server.js";
import { queuedKeys } from "./mirror.js";
import type { PublishRequest } from "./report-repo.js";
import { publishReport, racePauseMs, ReportPublishError } from "./report-repo.js";

const isolated = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };
const AUTHOR = { name: "release-operator", email: "release-operator@example.com" };

/** Each publish runs about ten git commands; on a busy machine that is seconds, not milliseconds. */
const GIT_TEST_TIMEOUT_MS = 60_000;

let work = "";
let workDirs = 0;

async function git(args: readonly string[], input?: string): Promise<string> {
  const result = await execa("git", args, {
    env: isolated,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
  });
  return result.stdout;
}

/** An empty bare repository whose HEAD names `main`; returns its directory and file:// URL. */
async function bareRepository(name: string): Promise<{ dir: string; url: string }> {
  const dir = path.join(work, "remotes", `${name}.git`);
  await git(["init", "--quiet", "--bare", "--initial-branch=main", dir]);
  return { dir, url: pathToFileURL(dir).href };
}

const freshWorkDir = (): string => path.join(work, `work-${(workDirs += 1)}`);

function request(url: string, overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    url,
    branch: "main",
    files: [{ path: "reports/release_1.0.0_staging_2026-11-25-1400.md", content: "# 1.0.0\n\nReleased.\n" }],
    message: "release 1.0.0 to staging: Released\n\nRelease: shop/r1\n",
    author: AUTHOR,
    workDir: freshWorkDir(),
    timeoutMs: 30_000,
    ...overrides,
  };
}

const file = (name: string, content = `# ${name}\n`) => ({ path: `reports/${name}.md`, content });

const head = (dir: string, ref = "refs/heads/main") => git([`--git-dir=${dir}`, "rev-parse", ref]);
const show = (dir: string, spec: string) => git([`--git-dir=${dir}`, "show", spec]);
const filesAt = async (dir: string, ref = "refs/heads/main") =>
  (await git([`--git-dir=${dir}`, "ls-tree", "-r", "--name-only", ref])).split("\n").filter(Boolean);
const commitCount = async (dir: string, ref = "refs/heads/main") =>
  Number(await git([`--git-dir=${dir}`, "rev-list", "--count", ref]));

async function publishError(publishing: Promise<unknown>): Promise<ReportPublishError> {
  const error: unknown = await publishing.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof ReportPublishError)) {
    throw new Error(`expected a ReportPublishError, got ${String(error)}`);
  }
  return error;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "report-repo-test-"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("publishReport: commits", { timeout: GIT_TEST_TIMEOUT_MS }, () => {
  it("creates the branch with the first commit in an empty repository, as release-operator", async () => {
    const remote = await bareRepository("empty");
    const published = await publishReport(request(remote.url));

    expect(published).toEqual({ commit: await head(remote.dir), created: true });
    expect(await show(remote.dir, "main:reports/release_1.0.0_staging_2026-11-25-1400.md")).toBe(
      "# 1.0.0\n\nReleased.",
    );
    expect(
      await git([`--git-dir=${remote.dir}`, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%P|%B", "main"]),
    ).toBe(
      "release-operator <release-operator@example.com>|release-operator <release-operator@example.com>||release 1.0.0 to staging: Released\n\nRelease: shop/r1\n",
    );
  });

  it("adds a second release's file beside the first, on top of the branch", async () => {
    const remote = await bareRepository("two-releases");
    const workDir = freshWorkDir();
    const first = await publishReport(request(remote.url, { workDir, files: [file("release_1")] }));
    const second = await publishReport(request(remote.url, { workDir, files: [file("release_2")] }));

    expect(second).toMatchObject({ created: true, commit: await head(remote.dir) });
    expect(await git([`--git-dir=${remote.dir}`, "rev-parse", "main^"])).toBe(first.commit);
    expect(await filesAt(remote.dir)).toEqual(["reports/release_1.md", "reports/release_2.md"]);
  });

  it("keeps the files already on the branch (a README) and leaves other branches alone", async () => {
    const remote = await bareRepository("with-readme");
    await git(
      [`--git-dir=${remote.dir}`, "fast-import", "--quiet"],
      renderFastImport(planReportRepository()),
    );
    const main = await head(remote.dir);

    const onMain = await publishReport(request(remote.url, { files: [file("release_1")] }));
    expect(await filesAt(remote.dir)).toEqual(["README.md", "reports/release_1.md"]);
    expect(await git([`--git-dir=${remote.dir}`, "rev-parse", "main^"])).toBe(main);

    const onReports = await publishReport(
      request(remote.url, { branch: "reports", files: [file("release_2")] }),
    );
    expect(onReports.created).toBe(true);
    expect(await filesAt(remote.dir, "refs/heads/reports")).toEqual(["reports/release_2.md"]);
    expect(await commitCount(remote.dir, "refs/heads/reports")).toBe(1);
    expect(await head(remote.dir)).toBe(onMain.commit);
  });

  it("does not commit files already on the branch as they are: returns the commit that last changed them", async () => {
    const remote = await bareRepository("republish");
    const first = await publishReport(
      request(remote.url, { files: [file("release_1"), file("rollback_1")] }),
    );
    await publishReport(request(remote.url, { files: [file("release_2")] }));
    const before = await head(remote.dir);

    // A retry after a crash that came after the push, from the same or from a new work directory.
    for (const workDir of [freshWorkDir(), freshWorkDir()]) {
      const again = await publishReport(
        request(remote.url, { workDir, files: [file("release_1"), file("rollback_1")] }),
      );
      expect(again).toEqual({ commit: first.commit, created: false });
    }
    expect(await head(remote.dir)).toBe(before);
  });

  it("commits again when a file's content differs from the branch's", async () => {
    const remote = await bareRepository("rewrite");
    const workDir = freshWorkDir();
    const first = await publishReport(
      request(remote.url, { workDir, files: [file("release_1", "draft\n")] }),
    );
    const second = await publishReport(
      request(remote.url, { workDir, files: [file("release_1", "final\n")] }),
    );
    expect(second.created).toBe(true);
    expect(second.commit).not.toBe(first.commit);
    expect(await show(remote.dir, "main:reports/release_1.md")).toBe("final");
  });

  it("keeps one repository per URL in the work directory and nothing of the credentials in it", async () => {
    const remote = await bareRepository("one-per-url");
    const other = await bareRepository("one-per-url-other");
    const workDir = freshWorkDir();
    const credentials = { username: "bot", password: "n0t-for-file-urls" };
    await publishReport(request(remote.url, { workDir, credentials, files: [file("a")] }));
    await publishReport(request(remote.url, { workDir, credentials, files: [file("b")] }));
    await publishReport(request(other.url, { workDir, credentials, files: [file("c")] }));
    const repositories = await readdir(workDir);
    expect(repositories.filter((name) => name.endsWith(".git"))).toHaveLength(2);
    for (const repository of repositories) {
      expect(await readFile(path.join(workDir, repository, "config"), "utf8")).not.toContain(
        credentials.password,
      );
    }
  });
});

describe("publishReport: tags", { timeout: GIT_TEST_TIMEOUT_MS }, () => {
  it("creates an annotated tag on the report commit, then finds it there on a retry", async () => {
    const remote = await bareRepository("tag-created");
    const workDir = freshWorkDir();
    const tagged = await publishReport(request(remote.url, { workDir, tag: "release/1.0.0" }));
    expect(tagged).toEqual({
      commit: await head(remote.dir),
      created: true,
      tag: "release/1.0.0",
      tagOutcome: "created",
      tagCommit: tagged.commit,
    });
    expect(await git([`--git-dir=${remote.dir}`, "cat-file", "-t", "refs/tags/release/1.0.0"])).toBe("tag");
    expect(await git([`--git-dir=${remote.dir}`, "rev-parse", "refs/tags/release/1.0.0^{commit}"])).toBe(
      tagged.commit,
    );
    expect(
      await git([
        `--git-dir=${remote.dir}`,
        "for-each-ref",
        "--format=%(taggername) %(taggeremail)",
        "refs/tags",
      ]),
    ).toBe("release-operator <release-operator@example.com>");

    for (const retryDir of [workDir, freshWorkDir()]) {
      expect(await publishReport(request(remote.url, { workDir: retryDir, tag: "release/1.0.0" }))).toEqual({
        ...tagged,
        created: false,
        tagOutcome: "existed",
      });
    }
  });

  it("finds a lightweight tag someone set on the same commit", async () => {
    const remote = await bareRepository("tag-lightweight");
    const published = await publishReport(request(remote.url));
    await git([`--git-dir=${remote.dir}`, "tag", "release/1.0.0", published.commit]);
    expect(await publishReport(request(remote.url, { tag: "release/1.0.0" }))).toMatchObject({
      tagOutcome: "existed",
      tagCommit: published.commit,
    });
  });

  it("leaves a tag that points elsewhere where it is and says where (a version re-released)", async () => {
    const remote = await bareRepository("tag-elsewhere");
    const workDir = freshWorkDir();
    const earlier = await publishReport(
      request(remote.url, { workDir, files: [file("release_1.0.0_first")], tag: "release/1.0.0" }),
    );
    const again = await publishReport(
      request(remote.url, { workDir, files: [file("release_1.0.0_second")], tag: "release/1.0.0" }),
    );
    expect(again).toEqual({
      commit: await head(remote.dir),
      created: true,
      tag: "release/1.0.0",
      tagOutcome: "exists-elsewhere",
      tagCommit: earlier.commit,
    });
    expect(await git([`--git-dir=${remote.dir}`, "rev-parse", "refs/tags/release/1.0.0^{commit}"])).toBe(
      earlier.commit,
    );
  });

  it("says so when someone sets the tag between the look and the push", async () => {
    const remote = await bareRepository("tag-race");
    const base = await publishReport(request(remote.url, { files: [file("base")] }));
    // The report commit is pushed after this hook; the tag is set on the base commit meanwhile.
    const raced = await publishReport(
      request(remote.url, {
        files: [file("release_1")],
        tag: "release/1.0.0",
        beforePush: async () => {
          await git([`--git-dir=${remote.dir}`, "tag", "release/1.0.0", base.commit]);
        },
      }),
    );
    expect(raced).toMatchObject({ tagOutcome: "exists-elsewhere", tagCommit: base.commit });
  });
});

describe("publishReport: concurrent pushes", { timeout: GIT_TEST_TIMEOUT_MS }, () => {
  it("rebuilds on the moved branch and pushes again when another publisher got there first", async () => {
    const remote = await bareRepository("race-once");
    await publishReport(request(remote.url, { files: [file("base")] }));
    const attempts: number[] = [];
    let other = "";
    const published = await publishReport(
      request(remote.url, {
        files: [file("ours")],
        beforePush: async (attempt) => {
          attempts.push(attempt);
          if (attempt === 1)
            other = (await publishReport(request(remote.url, { files: [file("theirs")] }))).commit;
        },
      }),
    );
    expect(attempts).toEqual([1, 2]);
    expect(published).toEqual({ commit: await head(remote.dir), created: true });
    expect(await git([`--git-dir=${remote.dir}`, "rev-parse", "main^"])).toBe(other);
    expect(await filesAt(remote.dir)).toEqual(["reports/base.md", "reports/ours.md", "reports/theirs.md"]);
  });

  it("lands every file when several publishers race, each with its own clone or sharing one", async () => {
    const remote = await bareRepository("race-many");
    await publishReport(request(remote.url, { files: [file("base")] }));
    // Three clones build on the same branch head and push together: one wins, the others must rebuild.
    const racers = ["a", "b", "c"];
    let arrived = 0;
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    const pushes: string[] = [];
    const racing = racers.map((name) =>
      publishReport(
        request(remote.url, {
          workDir: path.join(work, `race-many-${name}`),
          files: [file(name)],
          beforePush: async (attempt) => {
            pushes.push(`${name}${attempt}`);
            if (attempt > 1) return;
            arrived += 1;
            if (arrived === racers.length) release();
            await together;
          },
        }),
      ),
    );
    // Two more queue behind a racer in its clone: serialised there, racing the others.
    const sharing = ["d", "e"].map((name) =>
      publishReport(request(remote.url, { workDir: path.join(work, "race-many-a"), files: [file(name)] })),
    );
    const results = await Promise.all([...racing, ...sharing]);

    expect(results.every((result) => result.created)).toBe(true);
    expect(pushes.length).toBeGreaterThanOrEqual(racers.length + 2);
    expect(await filesAt(remote.dir)).toEqual(
      ["a", "b", "base", "c", "d", "e"].map((name) => `reports/${name}.md`),
    );
    expect(await commitCount(remote.dir)).toBe(6);
    expect(queuedKeys()).toBe(0);
  });

  it("gives up after losing the race the given number of times", async () => {
    const remote = await bareRepository("race-lost");
    let moves = 0;
    const error = await publishError(
      publishReport(
        request(remote.url, {
          maxPushAttempts: 3,
          beforePush: async () => {
            moves += 1;
            await publishReport(request(remote.url, { files: [file(`mover-${moves}`)] }));
          },
        }),
      ),
    );
    expect(moves).toBe(3);
    expect(error).toMatchObject({ step: "push", authentication: false, url: remote.url });
    expect(error.message).toBe(
      `could not push branch main to ${remote.url}: lost the race 3 times: the branch moved on the remote between each fetch and push`,
    );
    expect(await filesAt(remote.dir)).not.toContain("reports/release_1.0.0_staging_2026-11-25-1400.md");
  });

  it("does not retry a push the remote refuses", async () => {
    const remote = await bareRepository("refusing");
    const hook = path.join(remote.dir, "hooks", "pre-receive");
    await writeFile(hook, "#!/bin/sh\necho 'reports are frozen' >&2\nexit 1\n");
    await chmod(hook, 0o755);
    let pushes = 0;
    const error = await publishError(
      publishReport(
        request(remote.url, {
          beforePush: () => {
            pushes += 1;
            return Promise.resolve();
          },
        }),
      ),
    );
    expect(pushes).toBe(1);
    expect(error).toMatchObject({ step: "push" });
    expect(error.message).toBe(
      `could not push branch main to ${remote.url}: rejected main: pre-receive hook declined (remote: reports are frozen)`,
    );
  });
});

describe("publishReport: failures", { timeout: GIT_TEST_TIMEOUT_MS }, () => {
  it("names the clone, then the fetch, when the repository is not there", async () => {
    const missing = pathToFileURL(path.join(work, "remotes", "missing.git")).href;
    const workDir = freshWorkDir();
    const first = await publishError(publishReport(request(missing, { workDir })));
    expect(first).toMatchObject({ step: "clone", authentication: false, timedOut: false, url: missing });
    expect(first.message).toMatch(
      new RegExp(
        `^could not clone ${missing.replaceAll(".", "\\.")} into .+: '.+missing\\.git' does not appear to be a git repository$`,
      ),
    );
    const second = await publishError(publishReport(request(missing, { workDir })));
    expect(second.step).toBe("fetch");
    expect(second.message).toMatch(new RegExp(`^could not fetch ${missing.replaceAll(".", "\\.")}: '`));
  });

  it("names the clone when nothing listens at the URL", async () => {
    const error = await publishError(publishReport(request("http://127.0.0.1:9/reports.git")));
    expect(error).toMatchObject({ step: "clone", authentication: false });
    expect(error.message).toMatch(
      /^could not clone http:\/\/127\.0\.0\.1:9\/reports\.git into .+: .*127\.0\.0\.1.*9/,
    );
  });

  it("says which command timed out", async () => {
    const remote = await bareRepository("slow");
    const error = await publishError(publishReport(request(remote.url, { timeoutMs: 1 })));
    expect(error).toMatchObject({ step: "clone", timedOut: true });
    expect(error.message).toMatch(/timed out after 1 ms$/);
  });

  it.each<{ situation: string; overrides: Partial<PublishRequest>; url?: string; problem: string }>([
    {
      situation: "git's command transport",
      url: "ext::sh -c touch% /tmp/owned",
      overrides: {},
      problem: "unsupported repository URL: expected https://, http://, ssh:// or file://",
    },
    {
      situation: "an scp-style address",
      url: "git@example.com:shop/reports.git",
      overrides: {},
      problem: "unsupported repository URL: expected https://, http://, ssh:// or file://",
    },
    {
      situation: "an invalid branch",
      overrides: { branch: "main..x" },
      problem: 'branch "main..x" is not a valid branch name: it contains ".."',
    },
    {
      situation: "a branch that reads as an option",
      overrides: { branch: "--force" },
      problem: 'branch "--force" is not a valid branch name: it begins with "-"',
    },
    {
      situation: "an invalid tag",
      overrides: { tag: "release 1.0.0" },
      problem: 'tag "release 1.0.0" is not a valid tag name: it contains a space',
    },
    { situation: "no files", overrides: { files: [] }, problem: "no files to commit" },
    {
      situation: "a file outside the repository",
      overrides: { files: [{ path: "reports/../../x.md", content: "" }] },
      problem: 'invalid report path "reports/../../x.md": ".." segments would leave the report folder',
    },
    {
      situation: "a file path that is not plain",
      overrides: { files: [{ path: "/reports//x.md", content: "" }] },
      problem:
        'file path "/reports//x.md" is not a plain repository path (expected e.g. "reports/release.md")',
    },
    {
      situation: "a file given twice",
      overrides: { files: [file("a"), file("a", "other")] },
      problem: 'file path "reports/a.md" is given twice',
    },
    {
      situation: "an author that would forge another identity",
      overrides: { author: { name: "x> <evil@example.com", email: "a@b" } },
      problem: 'author name "x> <evil@example.com" cannot be written into a commit',
    },
  ])("refuses $situation before running git", async ({ overrides, url, problem }) => {
    const workDir = freshWorkDir();
    const target = url ?? pathToFileURL(path.join(work, "remotes", "unused.git")).href;
    const error = await publishError(publishReport(request(target, { ...overrides, workDir })));
    expect(error).toMatchObject({
      step: "request",
      message: `invalid report request for ${target}: ${problem}`,
    });
    await expect(readdir(workDir)).rejects.toThrow(/ENOENT/);
  });
});

describe("publishReport: credentials over HTTP", { timeout: GIT_TEST_TIMEOUT_MS }, () => {
  const credentials = { username: "release-operator", password: "s3cr:et/%p4ss" };
  const secretForms = [
    credentials.password,
    encodeURIComponent(credentials.password),
    Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64"),
  ];
  let server: http.Server;
  let root = "";
  let base = "";

  beforeAll(async () => {
    root = path.join(work, "served");
    await git(["init", "--quiet", "--bare", "--initial-branch=main", path.join(root, "reports.git")]);
    server = createGitServer(
      { host: "127.0.0.1", port: 0, projectRoot: root, realm: "test", credentials, gitBinary: "git" },
      pino({ level: "silent" }),
      { PATH: process.env.PATH ?? "/usr/bin:/bin", ...isolated },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("pushes the report and the tag with the right credentials, keeping them out of the clone", async () => {
    const url = `http://${base}/git/reports.git`;
    const workDir = freshWorkDir();
    const published = await publishReport(request(url, { credentials, workDir, tag: "release/1.0.0" }));
    expect(published).toMatchObject({ created: true, tagOutcome: "created" });
    expect(await head(path.join(root, "reports.git"))).toBe(published.commit);
    const [repository] = await readdir(workDir);
    const config = await readFile(path.join(workDir, repository ?? "missing", "config"), "utf8");
    for (const secret of secretForms) expect(config).not.toContain(secret);
  });

  it.each([
    {
      situation: "no credentials",
      url: () => `http://${base}/git/reports.git`,
      overrides: {},
      why: "authentication failed: the repository wants credentials and none are configured",
      shown: () => `http://${base}/git/reports.git`,
    },
    {
      situation: "a wrong password in the credentials",
      url: () => `http://${base}/git/reports.git`,
      overrides: {
        credentials: { username: credentials.username, password: `${credentials.password}-wrong` },
      },
      why: "authentication failed: the repository rejected the credentials of user 'release-operator'",
      shown: () => `http://${base}/git/reports.git`,
    },
    {
      situation: "a wrong password in the URL",
      url: () =>
        `http://release-operator:${encodeURIComponent(`${credentials.password}-wrong`)}@${base}/git/reports.git`,
      overrides: {},
      why: "authentication failed: the repository rejected the credentials in the URL",
      shown: () => `http://***@${base}/git/reports.git`,
    },
  ])("fails with $situation, naming the step and no secret", async ({ url, overrides, why, shown }) => {
    const error = await publishError(publishReport(request(url(), overrides)));
    expect(error).toMatchObject({ step: "clone", authentication: true, url: shown() });
    expect(error.message).toMatch(
      new RegExp(`^could not clone ${shown().replaceAll(/[.*]/g, "\\$&")} into .+: ${why}$`),
    );
    for (const secret of [
      ...secretForms,
      `${credentials.password}-wrong`,
      encodeURIComponent(`${credentials.password}-wrong`),
    ]) {
      expect(error.message).not.toContain(secret);
      expect(String(error.stack)).not.toContain(secret);
    }
  });
});

describe("racePauseMs", () => {
  it.each([
    { attempt: 1, random: 0, pause: 0 },
    { attempt: 1, random: 0.999, pause: 250 },
    { attempt: 3, random: 0.5, pause: 375 },
    { attempt: 8, random: 1, pause: 2000 },
    { attempt: 20, random: 1, pause: 2000 },
  ])("attempt $attempt with random $random pauses $pause ms", ({ attempt, random, pause }) => {
    expect(racePauseMs(attempt, () => random)).toBe(pause);
  });
});
