import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOG_ARGS, parseLog } from "./git-log.js";

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

describe("parseLog", () => {
  it.each([
    { situation: "no commits", output: "", expected: [] },
    {
      situation: "one commit with two paths",
      output: `\0${SHA_A}\0feat: x\0body\n\0\na/b.ts\0c d.ts\0`,
      expected: [{ sha: SHA_A, subject: "feat: x", body: "body\n", paths: ["a/b.ts", "c d.ts"] }],
    },
    {
      situation: "an empty commit before one with a path",
      output: `\0${SHA_A}\0empty\0\0\0${SHA_B}\0second\0\0\nx\0`,
      expected: [
        { sha: SHA_A, subject: "empty", body: "", paths: [] },
        { sha: SHA_B, subject: "second", body: "", paths: ["x"] },
      ],
    },
    {
      situation: "a commit with paths before an empty last commit",
      output: `\0${SHA_A}\0first\0\0\nx\0\0${SHA_B}\0last\0\0`,
      expected: [
        { sha: SHA_A, subject: "first", body: "", paths: ["x"] },
        { sha: SHA_B, subject: "last", body: "", paths: [] },
      ],
    },
  ])("reads $situation", ({ output, expected }) => {
    expect(parseLog(output)).toEqual(expected);
  });

  it.each([
    { situation: "a line-based log", output: `${SHA_A} feat: x\n` },
    { situation: "a SHA that is not one", output: "\0not-a-sha\0x\0\0\0" },
    {
      situation: "a second commit without its leading empty field",
      output: `\0${SHA_A}\0x\0\0\nx\0${SHA_B}\0y\0\0`,
    },
    { situation: "a commit cut short", output: `\0${SHA_A}\0` },
  ])("rejects $situation, saying where", ({ output }) => {
    expect(() => parseLog(output)).toThrow(/unexpected git log output/);
  });
});

describe("LOG_ARGS against real git", () => {
  const isolated = {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Tomás Ortiz",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "Tomás Ortiz",
    GIT_COMMITTER_EMAIL: "t@example.com",
  };
  let work = "";
  const git = (...args: string[]) =>
    execa("git", args, { cwd: work, env: isolated, stdin: "ignore", stripFinalNewline: false });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "git-log-test-"));
    await git("init", "--quiet", "--initial-branch=main");
    await mkdir(path.join(work, "dir with space"));
    await writeFile(path.join(work, "dir with space", "tab\there.txt"), "1\n");
    await writeFile(path.join(work, "new\nline.md"), "1\n");
    await writeFile(path.join(work, "ünïcode.ts"), "1\n");
    await git("add", "--all");
    await git(
      "commit",
      "--quiet",
      "-m",
      'NAV-1: feat: "quotes"\tand tabs, ünïcode',
      "-m",
      "A body with\n\nblank lines, a \x01 control and a final line",
    );
    await mkdir(path.join(work, "libs"));
    await git("mv", "ünïcode.ts", "libs/renamed.ts");
    await git("commit", "--quiet", "-m", "refactor: move it");
    await git("commit", "--quiet", "--allow-empty", "-m", "chore: empty");
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("reads subjects, bodies and paths with any characters, oldest first, renames as both paths", async () => {
    const output = (await git(...LOG_ARGS, "HEAD")).stdout;
    const commits = parseLog(output);
    expect(commits.map(({ subject, body, paths }) => ({ subject, body, paths: [...paths].sort() }))).toEqual([
      {
        subject: 'NAV-1: feat: "quotes"\tand tabs, ünïcode',
        body: "A body with\n\nblank lines, a \x01 control and a final line\n",
        paths: ["dir with space/tab\there.txt", "new\nline.md", "ünïcode.ts"],
      },
      { subject: "refactor: move it", body: "", paths: ["libs/renamed.ts", "ünïcode.ts"] },
      { subject: "chore: empty", body: "", paths: [] },
    ]);
    for (const commit of commits) expect(commit.sha).toMatch(/^[0-9a-f]{40}$/);
  });
});
