import { describe, expect, it } from "vitest";
import {
  basicAuthorizationHeader,
  displayUrl,
  firstErrorLine,
  gitEnvironment,
  isAuthenticationFailure,
  runGit,
  scrubSecrets,
} from "./git-process.js";

const credentials = { username: "bot", password: "p@ss:w/rd%" };
const base64 = Buffer.from("bot:p@ss:w/rd%").toString("base64");

describe("gitEnvironment", () => {
  const inherited = {
    PATH: "/usr/bin",
    HTTPS_PROXY: "http://proxy:3128",
    HOME: "/root",
    GIT_DIR: "/elsewhere",
    GIT_TRACE_CURL: "1",
    GIT_CONFIG_PARAMETERS: "'core.sshCommand'='evil'",
    XDG_CONFIG_HOME: "/root/.config",
  };

  it("passes credentials only as an http.extraHeader in the environment", () => {
    expect(gitEnvironment(inherited, "/cache", credentials)).toMatchObject({
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${base64}`,
    });
  });

  it("sets no extra header without credentials", () => {
    const environment = gitEnvironment(inherited, "/cache");
    expect(environment.GIT_CONFIG_COUNT).toBe("0");
    expect(environment).not.toHaveProperty("GIT_CONFIG_VALUE_0");
  });

  it.each([
    { variable: "GIT_DIR" },
    { variable: "GIT_TRACE_CURL" },
    { variable: "GIT_CONFIG_PARAMETERS" },
    { variable: "XDG_CONFIG_HOME" },
  ])("does not inherit $variable", ({ variable }) => {
    expect(gitEnvironment(inherited, "/cache", credentials)).not.toHaveProperty(variable);
  });

  it("keeps PATH and proxies, and shuts out prompts, user and system config and other transports", () => {
    expect(gitEnvironment(inherited, "/cache", credentials)).toMatchObject({
      PATH: "/usr/bin",
      HTTPS_PROXY: "http://proxy:3128",
      HOME: "/cache",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "",
      GIT_ALLOW_PROTOCOL: "https:http:ssh:file",
      LC_ALL: "C",
    });
  });
});

describe("scrubSecrets", () => {
  it.each([
    { situation: "the password", text: "bad password p@ss:w/rd% given", expected: "bad password *** given" },
    {
      situation: "the URL-encoded password",
      text: "https://bot:p%40ss%3Aw%2Frd%25@host",
      expected: "https://bot:***@host",
    },
    {
      situation: "the Basic header value",
      text: `Authorization: Basic ${base64}`,
      expected: "Authorization: Basic ***",
    },
    {
      situation: "nothing secret",
      text: "fatal: repository not found",
      expected: "fatal: repository not found",
    },
  ])("replaces $situation", ({ text, expected }) => {
    expect(scrubSecrets(text, credentials)).toBe(expected);
  });

  it("leaves text alone without credentials or with an empty password", () => {
    expect(scrubSecrets("a b", undefined)).toBe("a b");
    expect(scrubSecrets("a b", { username: "x", password: "" })).toBe("a b");
  });
});

describe("displayUrl", () => {
  it.each([
    { url: "https://git.example.com/nav.git", expected: "https://git.example.com/nav.git" },
    { url: "https://tok3n@git.example.com/nav.git", expected: "https://***@git.example.com/nav.git" },
    { url: "https://bot:secret@git.example.com/nav.git", expected: "https://***@git.example.com/nav.git" },
    { url: "ssh://git@git.example.com:2222/nav.git", expected: "ssh://***@git.example.com:2222/nav.git" },
    { url: "file:///srv/git/nav.git", expected: "file:///srv/git/nav.git" },
    { url: "not a url", expected: "not a url" },
  ])("shows $url as $expected", ({ url, expected }) => {
    expect(displayUrl(url)).toBe(expected);
  });
});

describe("firstErrorLine", () => {
  it.each([
    {
      situation: "a fatal line after remote chatter",
      stderr: "remote: Repository not found.\nfatal: repository 'https://h/x.git/' not found\n",
      expected: "repository 'https://h/x.git/' not found",
    },
    {
      situation: "ssh's own line before git's generic follow-up",
      stderr:
        "ssh: connect to host h port 22: Connection refused\r\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\n",
      expected: "ssh: connect to host h port 22: Connection refused",
    },
    {
      situation: "only the generic line",
      stderr: "fatal: Could not read from remote repository.\n",
      expected: "Could not read from remote repository.",
    },
    {
      situation: "an error: line after a hint",
      stderr: "hint: try again\nerror: could not lock config file\n",
      expected: "could not lock config file",
    },
    { situation: "nothing at all", stderr: "\n", expected: "no error output" },
    {
      situation: "a secret in git's words",
      stderr: "fatal: unable to access 'https://bot:p@ss:w/rd%@h/': 403\n",
      expected: "unable to access 'https://bot:***@h/': 403",
    },
  ])("picks $situation", ({ stderr, expected }) => {
    expect(firstErrorLine(stderr, credentials)).toBe(expected);
  });

  it("cuts a long line", () => {
    expect(firstErrorLine(`fatal: ${"x".repeat(500)}`)).toBe(`${"x".repeat(300)}...`);
  });
});

describe("isAuthenticationFailure", () => {
  it.each([
    { stderr: "fatal: Authentication failed for 'https://h/x.git/'", expected: true },
    { stderr: "fatal: could not read Username for 'http://h': terminal prompts disabled", expected: true },
    { stderr: "fatal: unable to access 'https://h/': The requested URL returned error: 403", expected: true },
    { stderr: "git@h: Permission denied (publickey).", expected: true },
    { stderr: "fatal: repository 'https://h/x.git/' not found", expected: false },
    { stderr: "fatal: unable to access 'http://h/': Failed to connect to h port 80", expected: false },
  ])("$expected for $stderr", ({ stderr, expected }) => {
    expect(isAuthenticationFailure(stderr)).toBe(expected);
  });
});

describe("runGit", () => {
  const environment = gitEnvironment(process.env, "/tmp");

  it("returns stdout as it is on success", async () => {
    expect(await runGit({ args: ["--version"], cwd: "/tmp", environment, timeoutMs: 10_000 })).toEqual({
      ok: true,
      stdout: expect.stringMatching(/^git version .*\n$/) as unknown,
    });
  });

  it("names the subcommand and exit code on failure, not the command line", async () => {
    const result = await runGit({
      args: ["--git-dir=/nonexistent-repo", "rev-parse", "HEAD"],
      cwd: "/tmp",
      environment,
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({
      ok: false,
      exitCode: 128,
      timedOut: false,
      cause: "git rev-parse exited with code 128",
    });
  });

  it("says when git is not on the PATH", async () => {
    const result = await runGit({
      args: ["--version"],
      cwd: "/tmp",
      environment: { ...environment, PATH: "/nonexistent" },
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({
      ok: false,
      cause: expect.stringMatching(/^could not run git --version: .*ENOENT/) as unknown,
    });
  });

  it("builds the Basic header from username and password", () => {
    expect(basicAuthorizationHeader({ username: "a", password: "b" })).toBe("Authorization: Basic YTpi");
  });
});
