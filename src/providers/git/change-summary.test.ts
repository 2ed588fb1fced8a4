// The change summary against real repositories: bare repositories built with `git fast-import` in a
// temporary directory and served as file:// URLs, and one behind the project's own git HTTP server to
// check authentication. Needs only git.
import { readFile, mkdtemp, readdir, rm } from "node:fs/promises";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlannedCommit, RepositoryPlan } from "../../../hack/cluster/fixtures/git-history.js";
import {
  planSourceRepository,
  renderFastImport,
  SOURCE_COMPONENTS,
  SOURCE_TAG_PATTERN,
} from "../../../hack/cluster/fixtures/git-history.js";
import { createGitServer } from "../../../hack/git-server/server.js";
import type { ChangeSummaryRequest } from "./change-summary.js";
import { summarizeChanges } from "./change-summary.js";
import { queuedKeys } from "./mirror.js";

const isolated = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };
const author = { name: "Test Author", email: "test@example.com" };
const components = [...SOURCE_COMPONENTS];

let work = "";

async function git(args: readonly string[], input?: string): Promise<string> {
  const result = await execa("git", args, {
    env: isolated,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
  });
  return result.stdout;
}

/** A bare repository holding `plan` in `dir`, created by fast-import; returns `dir`. */
async function createRepository(dir: string, plan: RepositoryPlan): Promise<string> {
  await git(["init", "--quiet", "--bare", `--initial-branch=${plan.branch}`, dir]);
  await git([`--git-dir=${dir}`, "fast-import", "--quiet"], renderFastImport(plan));
  return dir;
}

function plannedCommits(messages: readonly { message: string; paths: readonly string[] }[]): PlannedCommit[] {
  return messages.map(({ message, paths }, index) => ({
    message,
    author,
    time: 1_700_000_000 + index * 60,
    files: paths.map((file) => ({ path: file, content: `${message}\n${index}\n` })),
  }));
}

/** Tags `v1` on the 2nd commit and `v2` on the 5th; `main` has one more after `v2`. */
const SMALL_HISTORY: RepositoryPlan = {
  branch: "main",
  commits: plannedCommits([
    { message: "Import the services", paths: ["services/nav/a.ts", "services/map/a.ts"] },
    { message: "NAV-1: feat: routes", paths: ["services/nav/route.ts"] },
    { message: "MAP-2: fix(tiles): off by one", paths: ["services/map/tiles.ts"] },
    {
      message: "GEO-3: BREAKING: kilometres\n\nBREAKING: callers convert.",
      paths: ["libs/geo/d.ts", "services/nav/route.ts"],
    },
    { message: "DOC-4: docs: describe routes", paths: ["docs/routes.md"] },
    { message: "NAV-5: Start on offline maps", paths: ["services/nav/offline.ts"] },
  ]),
  tags: [
    { name: "v1", commit: 1, message: "Release 1\n", tagger: author, time: 1_700_000_100 },
    { name: "v2", commit: 4, message: "Release 2\n", tagger: author, time: 1_700_000_400 },
  ],
};

let smallUrl = "";
let smallDir = "";
const shaOf = async (dir: string, revision: string) =>
  git([`--git-dir=${dir}`, "rev-parse", `${revision}^{commit}`]);

function request(overrides: Partial<ChangeSummaryRequest>): ChangeSummaryRequest {
  return {
    url: smallUrl,
    tagPattern: "v{version}",
    components,
    version: "2",
    exclude: [],
    cacheDir: path.join(work, "cache"),
    timeoutMs: 30_000,
    ...overrides,
  };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "change-summary-test-"));
  smallDir = await createRepository(path.join(work, "repos", "small.git"), SMALL_HISTORY);
  smallUrl = pathToFileURL(smallDir).href;
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("summarizeChanges: ranges", () => {
  it.each<{
    situation: string;
    overrides: Partial<ChangeSummaryRequest>;
    end: string;
    fromTag?: string;
    commits: number;
    tickets: string[];
    notes: (url: string) => unknown[];
  }>([
    {
      situation: "between two tags",
      overrides: { fromVersion: "1", version: "2" },
      end: "v2",
      fromTag: "v1",
      commits: 3,
      tickets: ["DOC-4", "GEO-3", "MAP-2"],
      notes: () => [],
    },
    {
      situation: "the from-tag is missing: from the root commit, with a note",
      overrides: { fromVersion: "0.9", version: "2" },
      end: "v2",
      commits: 5,
      tickets: ["DOC-4", "GEO-3", "MAP-2", "NAV-1"],
      notes: (url) => [`tag v0.9 not found in ${url}: the summary starts at the root commit`],
    },
    {
      situation: "no version runs now: from the root commit",
      overrides: { version: "1" },
      end: "v1",
      commits: 2,
      tickets: ["NAV-1"],
      notes: () => ["no version runs now: the summary starts at the root commit"],
    },
    {
      situation: "an explicit revision (a branch) past the version's tag",
      overrides: { fromVersion: "2", version: "3", revision: "main" },
      end: "main",
      fromTag: "v2",
      commits: 1,
      tickets: ["NAV-5"],
      notes: () => [],
    },
    {
      situation: "the same tag at both ends: nothing changed",
      overrides: { fromVersion: "2", version: "2" },
      end: "v2",
      fromTag: "v2",
      commits: 0,
      tickets: [],
      notes: () => [],
    },
    {
      situation: "the from-tag is newer than the end: a note, and nothing the end lacks",
      overrides: { fromVersion: "2", version: "1" },
      end: "v1",
      fromTag: "v2",
      commits: 0,
      tickets: [],
      notes: () => [expect.stringMatching(/^tag v2 is not an ancestor of [0-9a-f]{7}: /) as unknown],
    },
  ])("$situation", async ({ overrides, end, fromTag, commits, tickets, notes }) => {
    const outcome = await summarizeChanges(request(overrides));
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.findings.toRevision).toBe(await shaOf(smallDir, end));
    expect(outcome.findings.fromTag).toBe(fromTag);
    expect(outcome.findings.commits).toBe(commits);
    expect(outcome.findings.tickets).toEqual(tickets);
    expect(outcome.notes).toEqual(notes(smallUrl));
  });

  it("resolves an explicit revision given as a full SHA", async () => {
    const sha = await shaOf(smallDir, "v2~1");
    const outcome = await summarizeChanges(request({ fromVersion: "1", revision: sha }));
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.findings).toMatchObject({
      toRevision: sha,
      commits: 2,
      tickets: ["GEO-3", "MAP-2"],
      breaking: true,
    });
    expect(outcome.findings.breakingChanges).toEqual([`${sha.slice(0, 7)} GEO-3: BREAKING: kilometres`]);
  });

  it.each([
    {
      situation: "the version's tag does not exist",
      overrides: { version: "1.4.9", tagPattern: "v{version}" },
      message: (url: string) =>
        `revision v1.4.9 (the tag of 1.4.9 under pattern v{version}) not found in ${url}`,
    },
    {
      situation: "an explicit SHA the repository does not have",
      overrides: { revision: "0123456789abcdef0123456789abcdef01234567" },
      message: (url: string) => `revision 0123456789abcdef0123456789abcdef01234567 not found in ${url}`,
    },
    {
      situation: "a revision that looks like an option",
      overrides: { revision: "--output=/tmp/x" },
      message: (url: string) => `revision --output=/tmp/x not found in ${url}`,
    },
  ])("fails when $situation", async ({ overrides, message }) => {
    expect(await summarizeChanges(request(overrides))).toEqual({ ok: false, message: message(smallUrl) });
  });

  it("leaves excluded commits out and reports which entries matched", async () => {
    const geoSha = await shaOf(smallDir, "v2~1");
    const outcome = await summarizeChanges(
      request({ fromVersion: "1", exclude: [geoSha.slice(0, 8), "DOC-4", "NOPE-1"] }),
    );
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.findings).toMatchObject({
      commits: 1,
      tickets: ["MAP-2"],
      breaking: false,
      excluded: [geoSha.slice(0, 8), "DOC-4"],
      components: [{ component: "map", features: 0, fixes: 1, breaking: 0, security: 0, other: 0 }],
    });
  });
});

describe("summarizeChanges: the mirror", () => {
  it.each([
    {
      situation: "a path that is no repository",
      url: () => pathToFileURL(path.join(work, "nowhere.git")).href,
    },
    { situation: "a port nothing listens on", url: () => "http://127.0.0.1:9/nothing.git" },
  ])("fails to fetch from $situation, quoting git", async ({ url }) => {
    const outcome = await summarizeChanges(request({ url: url() }));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.message).toMatch(new RegExp(`^could not fetch ${url().replaceAll(".", "\\.")}: \\S`));
    expect(outcome.message).not.toMatch(/^could not fetch .*: (fatal|error):/);
  });

  it.each([
    { situation: "git's command transport", url: "ext::sh -c touch% /tmp/owned" },
    { situation: "an scp-style address", url: "git@example.com:nav/nav.git" },
    { situation: "not a URL at all", url: "nav.git" },
  ])("refuses $situation", async ({ url }) => {
    expect(await summarizeChanges(request({ url }))).toEqual({
      ok: false,
      message: `unsupported repository URL ${url}: expected https://, http://, ssh:// or file://`,
    });
  });

  it("says which command timed out", async () => {
    const outcome = await summarizeChanges(
      request({ cacheDir: path.join(work, "cache-timeout"), timeoutMs: 1 }),
    );
    expect(outcome).toEqual({
      ok: false,
      message: expect.stringMatching(/timed out after 1 ms$/) as unknown,
    });
  });

  it("fetches again on the next call: new commits and tags arrive, deleted tags go", async () => {
    const dir = await createRepository(path.join(work, "repos", "moving.git"), SMALL_HISTORY);
    const url = pathToFileURL(dir).href;
    const cacheDir = path.join(work, "cache-moving");
    const first = await summarizeChanges(request({ url, cacheDir, fromVersion: "1", version: "2" }));
    expect(first).toMatchObject({ ok: true, findings: { fromTag: "v1", commits: 3 } });

    await git(
      [`--git-dir=${dir}`, "fast-import", "--quiet"],
      [
        "commit refs/heads/main",
        "mark :1",
        "committer Test Author <test@example.com> 1700001000 +0000",
        "data 25",
        "MAP-9: Cache tiles longer",
        "from refs/heads/main^0",
        "M 100644 inline services/map/cache.ts",
        "data 2",
        "1",
        "",
        "tag v3",
        "from :1",
        "tagger Test Author <test@example.com> 1700001000 +0000",
        "data 0",
        "done",
        "",
      ].join("\n"),
    );
    await git([`--git-dir=${dir}`, "tag", "-d", "v1"]);

    const second = await summarizeChanges(request({ url, cacheDir, fromVersion: "2", version: "3" }));
    expect(second).toMatchObject({
      ok: true,
      findings: { fromTag: "v2", commits: 2, tickets: ["MAP-9", "NAV-5"] },
    });
    const pruned = await summarizeChanges(request({ url, cacheDir, fromVersion: "1", version: "2" }));
    expect(pruned).toMatchObject({
      ok: true,
      notes: [`tag v1 not found in ${url}: the summary starts at the root commit`],
    });
    expect((await readdir(cacheDir)).filter((name) => name.endsWith(".git"))).toHaveLength(1);
  });

  it("serialises concurrent summaries of one repository and gives each the same answer", async () => {
    const cacheDir = path.join(work, "cache-concurrent");
    const outcomes = await Promise.all(
      ["1", "1", "1", "1"].map((fromVersion) => summarizeChanges(request({ cacheDir, fromVersion }))),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(new Set(outcomes.map((outcome) => JSON.stringify(outcome))).size).toBe(1);
    expect(queuedKeys()).toBe(0);
  });
});

describe("summarizeChanges: the demo repository (hack/cluster/fixtures/git-history.ts)", () => {
  let url = "";
  beforeAll(async () => {
    url = pathToFileURL(
      await createRepository(path.join(work, "repos", "source.git"), planSourceRepository()),
    ).href;
  });

  it("from v1.4.2 to v1.4.3 lists the migration and the nav, map and geo changes", async () => {
    const outcome = await summarizeChanges(
      request({ url, tagPattern: SOURCE_TAG_PATTERN, fromVersion: "1.4.2", version: "1.4.3" }),
    );
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.notes).toEqual([]);
    expect(outcome.findings).toMatchObject({
      fromTag: "v1.4.2",
      commits: 3,
      tickets: ["GEO-21", "MAP-207", "NAV-118"],
      breaking: false,
      components: [
        { component: "geo", features: 1, fixes: 0, breaking: 0, security: 0, other: 0 },
        { component: "map", features: 1, fixes: 0, breaking: 0, security: 0, other: 0 },
        { component: "nav", features: 1, fixes: 0, breaking: 0, security: 0, other: 0 },
      ],
      breakingChanges: [],
      excluded: [],
    });
    expect(outcome.findings.migrations).toEqual([
      expect.stringMatching(/^[0-9a-f]{7} MAP-207: Migrate tile metadata to the new schema$/),
    ]);
  });

  it("from v1.4.4 to v1.4.5 finds the breaking change in geo, counted in nav too", async () => {
    const outcome = await summarizeChanges(
      request({ url, tagPattern: SOURCE_TAG_PATTERN, fromVersion: "1.4.4", version: "1.4.5" }),
    );
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.findings).toMatchObject({
      breaking: true,
      components: [
        { component: "geo", features: 1, breaking: 1 },
        { component: "map", features: 1, breaking: 0 },
        { component: "nav", features: 2, breaking: 1 },
      ],
      breakingChanges: [
        expect.stringMatching(/^[0-9a-f]{7} GEO-24: BREAKING: return distances in kilometres$/),
      ],
      migrations: [],
    });
  });
});

describe("summarizeChanges: credentials", () => {
  const credentials = { username: "release-operator", password: "s3cr:et/%p4ss" };
  let server: http.Server;
  let url = "";

  beforeAll(async () => {
    const root = path.join(work, "served");
    await createRepository(path.join(root, "small.git"), SMALL_HISTORY);
    server = createGitServer(
      { host: "127.0.0.1", port: 0, projectRoot: root, realm: "test", credentials, gitBinary: "git" },
      pino({ level: "silent" }),
      { PATH: process.env.PATH ?? "/usr/bin:/bin", ...isolated },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/git/small.git`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const secretForms = [
    credentials.password,
    encodeURIComponent(credentials.password),
    Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64"),
  ];

  it("fetches with the right credentials and keeps them out of the mirror's files", async () => {
    const cacheDir = path.join(work, "cache-auth");
    const outcome = await summarizeChanges(request({ url, credentials, cacheDir, fromVersion: "1" }));
    expect(outcome).toMatchObject({ ok: true, findings: { commits: 3 } });
    const [mirror] = (await readdir(cacheDir)).filter((name) => name.endsWith(".git"));
    const config = await readFile(path.join(cacheDir, mirror ?? "missing", "config"), "utf8");
    for (const secret of secretForms) expect(config).not.toContain(secret);
  });

  it.each([
    {
      situation: "a wrong password",
      credentials: { username: "release-operator", password: "wr0ng:pass/%" },
      message: "authentication failed: the repository rejected the credentials of user 'release-operator'",
    },
    {
      situation: "no credentials",
      credentials: undefined,
      message: "authentication failed: the repository wants credentials and none are configured",
    },
  ])(
    "says authentication failed with $situation, without the secret",
    async ({ credentials: given, message }) => {
      const outcome = await summarizeChanges(
        request({
          url,
          cacheDir: path.join(work, "cache-auth-failed"),
          ...(given === undefined ? {} : { credentials: given }),
        }),
      );
      expect(outcome).toEqual({ ok: false, message: `could not fetch ${url}: ${message}` });
    },
  );

  it("shows a URL's user info as *** in messages", async () => {
    const withUserInfo = url.replace(
      "http://",
      `http://${credentials.username}:${encodeURIComponent(credentials.password)}@`,
    );
    const outcome = await summarizeChanges(request({ url: withUserInfo, version: "404" }));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.message).toContain("http://***@127.0.0.1");
    for (const secret of secretForms) expect(outcome.message).not.toContain(secret);
  });
});
