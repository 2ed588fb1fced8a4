import { describe, expect, it } from "vitest";
import type { Condition, ReleaseStatus } from "../../src/api/v1alpha1/index.js";
import { publicationOf, reportSections, summaryLines, type ReleaseOutcome } from "./summary.js";

const PATHS = {
  envFile: ".local/cluster/env",
  reportClone: ".local/demo/reports",
  operatorLog: ".local/demo/operator.log",
};

const released: ReleaseOutcome = {
  name: "nav-1-4-2",
  verdict: "Released",
  configMap: "nav-1-4-2-report",
  configMapKeys: ["watch.jsonl", "deploy.log", "release.md"],
  report: {
    configMap: "nav-1-4-2-report",
    gitPath: "_docs/04_release/release_1.4.2_nav-demo_2026-12-04-2231.md",
    gitCommit: "cfc824964dbecca94726b059d5dd57fa1a5de4e6",
    gitTag: "release/1.4.2",
  },
  versionTag: "release/1.4.2",
  releaseMarkdown: "# Release 1.4.2\n\n## Phase 1: Pre-Release Gate\n\ntext\n## Verdict\n",
};

const rolledBack: ReleaseOutcome = {
  name: "nav-1-4-3",
  verdict: "Rolled-Back",
  configMap: "nav-1-4-3-report",
  configMapKeys: ["rollback.md", "release.md", "rollback.log"],
  report: { configMap: "nav-1-4-3-report" },
};

describe("summaryLines: where the reports are and how to read them", () => {
  const lines = summaryLines([released, rolledBack], "default", PATHS);

  it("names each release's ConfigMap with its keys, the Markdown first", () => {
    expect(lines).toContain("    ConfigMap default/nav-1-4-2-report: release.md, deploy.log, watch.jsonl");
    expect(lines).toContain("    ConfigMap default/nav-1-4-3-report: release.md, rollback.md, rollback.log");
  });

  it("gives the git commit and tag when status has them, else says the report is not yet in git", () => {
    expect(lines).toContain(
      "    git: _docs/04_release/release_1.4.2_nav-demo_2026-12-04-2231.md in commit cfc824964dbe, tag release/1.4.2",
    );
    expect(lines).toContain("    git: not yet written");
  });

  it("prints a command for every Markdown key present, and `git show` for every tag", () => {
    const commands = lines.filter((line) => line.startsWith("  ") && !line.startsWith("    "));
    expect(commands).toEqual([
      "  nav-1-4-2 (Released)",
      "  nav-1-4-3 (Rolled-Back)",
      "  . .local/cluster/env",
      "  kubectl get releases nav-1-4-2 nav-1-4-3",
      String.raw`  kubectl get cm nav-1-4-2-report -o jsonpath='{.data.release\.md}'`,
      String.raw`  kubectl get cm nav-1-4-3-report -o jsonpath='{.data.release\.md}'`,
      String.raw`  kubectl get cm nav-1-4-3-report -o jsonpath='{.data.rollback\.md}'`,
      "  rm -rf .local/demo/reports",
      `  git -c http.extraHeader="Authorization: Basic $(printf '%s:%s' "$GIT_USERNAME" "$GIT_PASSWORD" | base64 -w0)" clone -q "$GIT_REPORT_REPO" .local/demo/reports`,
      "  git -C .local/demo/reports log --stat",
      "  git -C .local/demo/reports tag -l",
      "  git -C .local/demo/reports show release/1.4.2",
    ]);
  });

  it("a missing ConfigMap is said, and the command to look for release.md is still given", () => {
    const missing = summaryLines(
      [{ name: "nav-1-4-2", configMap: "nav-1-4-2-report", configMapKeys: [] }],
      "default",
      PATHS,
    );
    expect(missing).toContain("    ConfigMap default/nav-1-4-2-report: NOT FOUND");
    expect(missing).toContain("  nav-1-4-2 (no verdict)");
    expect(missing).toContain(
      String.raw`  kubectl get cm nav-1-4-2-report -o jsonpath='{.data.release\.md}'`,
    );
    expect(missing.some((line) => line.includes("git -C .local/demo/reports show"))).toBe(false);
  });

  it("says each section of release.md appears once, or which repeat", () => {
    expect(lines).toContain("    release.md sections (each once): Phase 1: Pre-Release Gate, Verdict");
    const repeated = summaryLines(
      [{ ...released, releaseMarkdown: "## Phase 3: Execute\n## Phase 3: Execute\n## Verdict\n" }],
      "default",
      PATHS,
    );
    expect(repeated).toContain(
      "    release.md sections (REPEATED: Phase 3: Execute x2): Phase 3: Execute, Verdict",
    );
  });
});

describe("reportSections", () => {
  it.each([
    ["", []],
    ["# Title\n### Rollback Plan\n", []],
    [
      "## Phase 1: Pre-Release Gate  \n## Decisions\n## Decisions\n",
      [
        { title: "Phase 1: Pre-Release Gate", count: 1 },
        { title: "Decisions", count: 2 },
      ],
    ],
  ])("%j", (markdown, sections) => {
    expect(reportSections(markdown)).toEqual(sections);
  });
});

describe("publicationOf: whether the report is in git", () => {
  const published = (status: Condition["status"], message: string): Condition => ({
    type: "ReportPublished",
    status,
    reason: status === "True" ? "Committed" : "GitUnavailable",
    message,
    lastTransitionTime: "2026-12-04T22:43:18Z",
  });
  const cases: { situation: string; status: ReleaseStatus | undefined; says: string }[] = [
    { situation: "nothing yet", status: { phase: "Completed" }, says: "not yet written" },
    {
      situation: "git down: why, from the condition",
      status: {
        report: { gitAttempts: 1 },
        conditions: [published("False", "the report is not in git yet: 503")],
      },
      says: "not yet written (the report is not in git yet: 503)",
    },
    {
      situation: "committed: the condition's words, with what became of the tag",
      status: {
        report: { gitCommit: "51f57d35ee16aaaa" },
        conditions: [
          published("True", "x.md committed as 51f57d35ee16; tag release/1.4.2 already names another commit"),
        ],
      },
      says: "x.md committed as 51f57d35ee16; tag release/1.4.2 already names another commit",
    },
    {
      situation: "committed, no condition: the commit and tag from status",
      status: { report: { gitCommit: "cfc824964dbecca9", gitTag: "release/1.4.2" } },
      says: "commit cfc824964dbe, tag release/1.4.2",
    },
  ];
  it.each(cases)("$situation", ({ status, says }) => {
    expect(publicationOf(status)).toBe(says);
  });
});
