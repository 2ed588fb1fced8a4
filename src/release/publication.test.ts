import { describe, expect, it } from "vitest";
import type { ReleaseStatus } from "../api/v1alpha1/index.js";
import {
  publicationStep,
  REPORT_PUBLISHED,
  retryDelayMs,
  statusAfterPublication,
  tagsVersion,
} from "./publication.js";

const NOW = new Date("2026-12-04T10:00:00.000Z");
const URL = "http://git.example/reports.git";
const completed: ReleaseStatus = {
  phase: "Completed",
  verdict: "Released",
  reason: "watched 10m",
  report: { configMap: "r-report" },
};

describe("publicationStep", () => {
  it.each([
    {
      name: "not completed",
      status: { phase: "WatchWindow" } as ReleaseStatus,
      url: URL,
      step: { kind: "none" },
    },
    { name: "no status", status: undefined, url: URL, step: { kind: "none" } },
    { name: "no report repository", status: completed, url: undefined, step: { kind: "none" } },
    {
      name: "already committed",
      status: { ...completed, report: { gitCommit: "abc" } },
      url: URL,
      step: { kind: "none" },
    },
    { name: "never tried", status: completed, url: URL, step: { kind: "publish" } },
    {
      name: "a retry not due yet",
      status: { ...completed, report: { gitAttempts: 1, gitNextAttemptAt: "2026-12-04T10:00:05.000Z" } },
      url: URL,
      step: { kind: "wait", delayMs: 5000 },
    },
    {
      name: "a retry due",
      status: { ...completed, report: { gitAttempts: 1, gitNextAttemptAt: "2026-12-04T09:59:59.000Z" } },
      url: URL,
      step: { kind: "publish" },
    },
    {
      name: "an unreadable retry time is due now",
      status: { ...completed, report: { gitAttempts: 1, gitNextAttemptAt: "soon" } },
      url: URL,
      step: { kind: "publish" },
    },
  ])("$name", ({ status, url, step }) => {
    expect(publicationStep(status, url, NOW)).toEqual(step);
  });
});

describe("retryDelayMs", () => {
  it.each([
    { attempts: 1, delay: 5_000 },
    { attempts: 2, delay: 10_000 },
    { attempts: 4, delay: 40_000 },
    { attempts: 8, delay: 600_000 },
    { attempts: 1000, delay: 600_000 },
  ])("attempt $attempts waits $delay ms", ({ attempts, delay }) => {
    expect(retryDelayMs(attempts)).toBe(delay);
  });
});

describe("tagsVersion", () => {
  it.each([
    { verdict: "Released" as const, tags: true },
    { verdict: "Released-with-override" as const, tags: true },
    { verdict: "Rolled-Back" as const, tags: false },
    { verdict: "Aborted" as const, tags: false },
    { verdict: undefined, tags: false },
  ])("$verdict: $tags", ({ verdict, tags }) => {
    expect(tagsVersion(verdict)).toBe(tags);
  });
});

describe("statusAfterPublication", () => {
  it("records the commit, the paths and the tag, and clears the retry", () => {
    const before: ReleaseStatus = {
      ...completed,
      report: { configMap: "r-report", gitAttempts: 2, gitNextAttemptAt: "2026-12-04T09:59:00.000Z" },
    };
    const result = statusAfterPublication(
      before,
      {
        ok: true,
        commit: "0123456789abcdef0123",
        gitPath: "_docs/release_1.4.2_staging_2026-12-04-0950.md",
        tag: "release/1.4.2",
        created: true,
      },
      `${URL} (branch main)`,
      3,
      NOW,
    );
    expect(result.status.report).toEqual({
      configMap: "r-report",
      gitPath: "_docs/release_1.4.2_staging_2026-12-04-0950.md",
      gitCommit: "0123456789abcdef0123",
      gitTag: "release/1.4.2",
    });
    const condition = result.status.conditions?.find((c) => c.type === REPORT_PUBLISHED);
    expect(condition).toMatchObject({ status: "True", reason: "Committed", observedGeneration: 3 });
    expect(condition?.message).toBe(
      `_docs/release_1.4.2_staging_2026-12-04-0950.md committed to ${URL} (branch main) as 0123456789ab; tagged release/1.4.2`,
    );
    expect(result.event).toMatchObject({ type: "Normal", reason: "ReportCommitted" });
    expect(result.retryAfterMs).toBeUndefined();
    expect(result.status.verdict).toBe("Released");
  });

  it("names both files and a tag left alone", () => {
    const result = statusAfterPublication(
      completed,
      {
        ok: true,
        commit: "fedcba9876543210",
        gitPath: "a/release.md",
        rollbackGitPath: "a/rollback.md",
        tagNote: "tag release/1.4.2 already names another commit and was left as it is",
        created: false,
      },
      URL,
      1,
      NOW,
    );
    expect(result.status.report?.rollbackGitPath).toBe("a/rollback.md");
    expect(result.status.report?.gitTag).toBeUndefined();
    expect(result.event.message).toBe(
      `a/release.md and a/rollback.md committed to ${URL} as fedcba987654; tag release/1.4.2 already names another commit and was left as it is`,
    );
  });

  it.each([
    { attempts: undefined, next: 1, retry: 5_000 },
    { attempts: 1, next: 2, retry: 10_000 },
    { attempts: 9, next: 10, retry: 600_000 },
  ])(
    "a failure after $attempts attempts counts one more and retries in $retry ms",
    ({ attempts, next, retry }) => {
      const before: ReleaseStatus = {
        ...completed,
        report: { configMap: "r-report", ...(attempts === undefined ? {} : { gitAttempts: attempts }) },
      };
      const result = statusAfterPublication(
        before,
        { ok: false, message: "push: connection refused" },
        URL,
        1,
        NOW,
      );
      expect(result.retryAfterMs).toBe(retry);
      expect(result.status.report).toEqual({
        configMap: "r-report",
        gitAttempts: next,
        gitNextAttemptAt: new Date(NOW.getTime() + retry).toISOString(),
      });
      expect(result.status.verdict).toBe("Released");
      const condition = result.status.conditions?.find((c) => c.type === REPORT_PUBLISHED);
      expect(condition).toMatchObject({ status: "False", reason: "GitUnavailable" });
      expect(condition?.message).toContain("push: connection refused");
      expect(condition?.message).toContain(`attempt ${next}`);
      expect(result.event).toEqual({
        type: "Warning",
        reason: "ReportNotCommitted",
        message: "the report is not in git yet: push: connection refused",
      });
    },
  );
});
