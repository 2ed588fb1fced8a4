import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { CommitMessageInput } from "./report-files.js";
import {
  commitMessage,
  MAX_SUBJECT_LENGTH,
  normaliseReportPath,
  reportFileNames,
  reportTimestamp,
} from "./report-files.js";

describe("normaliseReportPath", () => {
  it.each([
    { folder: "_docs/04_release/", path: "_docs/04_release" },
    { folder: "/_docs//04_release", path: "_docs/04_release" },
    { folder: "./reports/./staging/", path: "reports/staging" },
    { folder: "", path: "" },
    { folder: "/", path: "" },
    { folder: "reports", path: "reports" },
    { folder: "a..b/c", path: "a..b/c" },
  ])("$folder gives $path", ({ folder, path }) => {
    expect(normaliseReportPath(folder)).toBe(path);
  });

  it.each([
    { folder: "reports/../../etc", reason: '".." segments would leave the report folder' },
    { folder: "..", reason: '".." segments would leave the report folder' },
    { folder: "reports/.git/hooks", reason: 'git keeps no files in a ".git" folder' },
    { folder: ".GIT", reason: 'git keeps no files in a ".git" folder' },
    { folder: "reports\n", reason: "it contains a control character" },
  ])("refuses $folder", ({ folder, reason }) => {
    expect(() => normaliseReportPath(folder)).toThrow(
      `invalid report path ${JSON.stringify(folder)}: ${reason}`,
    );
  });
});

describe("reportTimestamp", () => {
  it.each([
    { at: "2026-11-25T14:07:59Z", stamp: "2026-11-25-1407" },
    { at: "2026-11-25T23:30:00-02:00", stamp: "2026-11-26-0130" },
    { at: "2026-01-02T03:04:05.678+05:30", stamp: "2026-01-01-2134" },
    { at: new Date(Date.UTC(2026, 0, 9, 8, 5)), stamp: "2026-01-09-0805" },
  ])("$at in UTC is $stamp", ({ at, stamp }) => {
    expect(reportTimestamp(at)).toBe(stamp);
  });

  it.each(["", "yesterday"])("refuses %j", (at) => {
    expect(() => reportTimestamp(at)).toThrow(`invalid release start time ${JSON.stringify(at)}`);
  });
});

describe("reportFileNames", () => {
  const base = { version: "1.4.2", environment: "staging", startedAt: "2026-11-25T14:07:00Z" };

  it.each([
    {
      situation: "the default folder, no rollback",
      input: { ...base, path: "_docs/04_release/", rollback: false },
      names: { release: "_docs/04_release/release_1.4.2_staging_2026-11-25-1407.md" },
    },
    {
      situation: "a rollback ran",
      input: { ...base, path: "reports", rollback: true },
      names: {
        release: "reports/release_1.4.2_staging_2026-11-25-1407.md",
        rollback: "reports/rollback_1.4.2_staging_2026-11-25-1407.md",
      },
    },
    {
      situation: "the repository root",
      input: { ...base, path: "", rollback: false },
      names: { release: "release_1.4.2_staging_2026-11-25-1407.md" },
    },
    {
      situation: "a folder with stray slashes",
      input: { ...base, path: "//reports///prod//", rollback: false },
      names: { release: "reports/prod/release_1.4.2_staging_2026-11-25-1407.md" },
    },
  ])("$situation", ({ input, names }) => {
    expect(reportFileNames(input)).toEqual(names);
  });

  it("gives the same names for the same release every time", () => {
    const input = { ...base, path: "reports", rollback: true };
    expect(reportFileNames(input)).toEqual(
      reportFileNames({ ...input, startedAt: new Date(base.startedAt) }),
    );
  });

  it.each([
    { situation: "a version with a slash", input: { version: "1/2" }, message: 'invalid version "1/2"' },
    { situation: "a version that is ..", input: { version: ".." }, message: 'invalid version ".."' },
    {
      situation: "an environment with a newline",
      input: { environment: "prod\n" },
      message: 'invalid environment name "prod\\n"',
    },
    { situation: "a folder that climbs out", input: { path: "../x" }, message: 'invalid report path "../x"' },
  ])("refuses $situation", ({ input, message }) => {
    expect(() => reportFileNames({ ...base, path: "reports", rollback: false, ...input })).toThrow(message);
  });
});

describe("commitMessage", () => {
  const base: CommitMessageInput = {
    release: "shop/checkout-1-4-2",
    version: "1.4.2",
    environment: "staging",
    verdict: "Released",
  };
  const trailers = (verdict: string): string =>
    ["Release: shop/checkout-1-4-2", "Environment: staging", "Version: 1.4.2", `Verdict: ${verdict}`].join(
      "\n",
    );

  it.each([
    {
      situation: "no reason",
      input: base,
      message: `release 1.4.2 to staging: Released\n\n${trailers("Released")}\n`,
    },
    {
      situation: "a short reason fits in the subject",
      input: { ...base, verdict: "Rolled-Back", reason: "error_rate 5% > 2%" },
      message: `release 1.4.2 to staging: Rolled-Back (error_rate 5% > 2%)\n\nerror_rate 5% > 2%\n\n${trailers("Rolled-Back")}\n`,
    },
    {
      situation: "a long reason is cut at a word in the subject and whole in the body",
      input: {
        ...base,
        verdict: "Rolled-Back",
        reason: "hard breach: error_rate was 5.1% against a threshold of 2% for three intervals",
      },
      message: `release 1.4.2 to staging: Rolled-Back (hard breach: error_rate was...)\n\nhard breach: error_rate was 5.1% against a threshold of 2% for three intervals\n\n${trailers("Rolled-Back")}\n`,
    },
    {
      situation: "a reason over several lines: its first line in the subject, CRLF made LF",
      input: { ...base, verdict: "Aborted", reason: "aborted by alice\r\nsee the ticket\u0007" },
      message: `release 1.4.2 to staging: Aborted (aborted by alice)\n\naborted by alice\nsee the ticket\n\n${trailers("Aborted")}\n`,
    },
  ])("$situation", ({ input, message }) => {
    expect(commitMessage(input)).toBe(message);
  });

  it("leaves the reason to the body when the subject has too little room for it", () => {
    const version = "1.4.2-rc.1-build.20261125.1400-a1b2c3d";
    const message = commitMessage({ ...base, version, verdict: "Rolled-Back", reason: "error_rate 5% > 2%" });
    expect(message.split("\n")[0]).toBe(`release ${version} to staging: Rolled-Back`);
    expect(message).toContain("\n\nerror_rate 5% > 2%\n\n");
  });

  it.each([
    { version: "1.4.2", environment: "staging", reason: "x".repeat(500) },
    { version: "9".repeat(128), environment: "production-eu-west-1", reason: "error rate too high" },
    { version: "1.4.2", environment: "e".repeat(63), reason: "" },
  ])(
    "keeps the subject within 72 characters (version of $version.length, reason of $reason.length)",
    (input) => {
      const subject = commitMessage({ ...base, ...input, verdict: "Rollback-Failed" }).split("\n")[0] ?? "";
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
      expect(subject.startsWith("release ")).toBe(true);
    },
  );

  it("writes trailers git reads back", async () => {
    const message = commitMessage({
      ...base,
      verdict: "Rolled-Back",
      reason: "Breach: error_rate\nVerdict: not this one",
    });
    const parsed = await execa("git", ["interpret-trailers", "--parse"], {
      input: message,
      env: { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    });
    expect(parsed.stdout).toBe(trailers("Rolled-Back"));
  });
});
