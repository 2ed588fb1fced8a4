// The demo's closing words: where each release's report is (its ConfigMap, its commit and tag in the
// report repository when the operator has written them) and the commands to look at them. Pure; the
// commands hold no credentials: they read them from the cluster's env file when run.
import type { ReleaseStatus, ReportLocations, Verdict } from "../../src/api/v1alpha1/index.js";

export interface ReleaseOutcome {
  readonly name: string;
  readonly verdict?: Verdict;
  readonly report?: ReportLocations;
  /** The report ConfigMap's name: status.report.configMap, or the name the operator gives it. */
  readonly configMap: string;
  /** The keys the ConfigMap holds; empty when it was not found. */
  readonly configMapKeys: readonly string[];
  /** The ConfigMap's release.md, when it has one. */
  readonly releaseMarkdown?: string;
  /**
   * The tag naming a released version in the report repository: the one this release set, or, when a
   * re-run found it taken by an earlier run's commit, that one.
   */
  readonly versionTag?: string;
}

/**
 * The second-level headings of a report, each with how often it appears: a report continued across an
 * operator restart has each section once.
 */
export function reportSections(markdown: string): { title: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const line of markdown.split("\n")) {
    const match = /^## (.+?)\s*$/.exec(line);
    if (match?.[1] !== undefined) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  return [...counts].map(([title, count]) => ({ title, count }));
}

function sectionsLine(markdown: string | undefined): string | undefined {
  if (markdown === undefined) return undefined;
  const sections = reportSections(markdown);
  if (sections.length === 0) return "    release.md: no sections";
  const repeated = sections.filter((section) => section.count > 1);
  const verdict =
    repeated.length === 0
      ? "each once"
      : `REPEATED: ${repeated.map((section) => `${section.title} x${section.count}`).join(", ")}`;
  return `    release.md sections (${verdict}): ${sections.map((section) => section.title).join(", ")}`;
}

export interface SummaryPaths {
  /** The cluster's env file, relative to the repository root. */
  readonly envFile: string;
  /** Where the commands clone the report repository to, relative to the repository root. */
  readonly reportClone: string;
  /** The operator's log, relative to the repository root. */
  readonly operatorLog: string;
}

/** A jsonpath for a ConfigMap key, with the dots escaped as kubectl wants them. */
const keyPath = (key: string): string => `{.data.${key.replaceAll(".", "\\.")}}`;

/** The report's Markdown keys first (release.md, rollback.md), then the attachments. */
const MARKDOWN_KEYS = ["release.md", "rollback.md"];

function whereLines(outcome: ReleaseOutcome, namespace: string): string[] {
  const keys =
    outcome.configMapKeys.length === 0
      ? "NOT FOUND"
      : [...outcome.configMapKeys]
          .sort((a, b) => {
            const rank = (key: string) => (MARKDOWN_KEYS.includes(key) ? MARKDOWN_KEYS.indexOf(key) : 9);
            return rank(a) - rank(b) || a.localeCompare(b);
          })
          .join(", ");
  const report = outcome.report;
  let git: string;
  if (report?.gitCommit === undefined) {
    git = "not yet written";
  } else {
    const files = [report.gitPath, report.rollbackGitPath].filter((file) => file !== undefined);
    git = `${files.length > 0 ? `${files.join(" and ")} in ` : ""}commit ${report.gitCommit.slice(0, 12)}`;
    if (report.gitTag !== undefined) git += `, tag ${report.gitTag}`;
  }
  const sections = sectionsLine(outcome.releaseMarkdown);
  return [
    `  ${outcome.name} (${outcome.verdict ?? "no verdict"})`,
    `    ConfigMap ${namespace}/${outcome.configMap}: ${keys}`,
    ...(sections === undefined ? [] : [sections]),
    `    git: ${git}`,
  ];
}

/** Where the reports are, and the commands to read them, from the repository root. */
export function summaryLines(
  outcomes: readonly ReleaseOutcome[],
  namespace: string,
  paths: SummaryPaths,
): string[] {
  const lines = ["Where the reports are:", ...outcomes.flatMap((outcome) => whereLines(outcome, namespace))];
  lines.push(
    "",
    "Look at them (from the repository root; the env file puts the cluster's kubectl first on PATH):",
    `  . ${paths.envFile}`,
    `  kubectl get releases ${outcomes.map((outcome) => outcome.name).join(" ")}`,
  );
  for (const outcome of outcomes) {
    const keys = MARKDOWN_KEYS.filter(
      (key) =>
        outcome.configMapKeys.includes(key) || (key === "release.md" && outcome.configMapKeys.length === 0),
    );
    for (const key of keys) {
      lines.push(`  kubectl get cm ${outcome.configMap} -o jsonpath='${keyPath(key)}'`);
    }
  }
  // The credentials travel in a header for this one command only: nothing is written to the clone's config.
  lines.push(
    `  rm -rf ${paths.reportClone}`,
    `  git -c http.extraHeader="Authorization: Basic $(printf '%s:%s' "$GIT_USERNAME" "$GIT_PASSWORD" | base64 -w0)" clone -q "$GIT_REPORT_REPO" ${paths.reportClone}`,
    `  git -C ${paths.reportClone} log --stat`,
    `  git -C ${paths.reportClone} tag -l`,
  );
  for (const tag of outcomes.flatMap((outcome) => (outcome.versionTag ? [outcome.versionTag] : []))) {
    lines.push(`  git -C ${paths.reportClone} show ${tag}`);
  }
  lines.push("", `The operator's log (JSON lines): ${paths.operatorLog}`);
  return lines;
}

/**
 * Whether the report is in git, in the words of the ReportPublished condition (committed where, tagged
 * or why not) or, before the commit, why it is not there yet.
 */
export function publicationOf(status: ReleaseStatus | undefined): string {
  const condition = status?.conditions?.find((entry) => entry.type === "ReportPublished");
  const commit = status?.report?.gitCommit;
  if (commit === undefined) return `not yet written${condition ? ` (${condition.message})` : ""}`;
  return (
    condition?.message ??
    `commit ${commit.slice(0, 12)}${status?.report?.gitTag ? `, tag ${status.report.gitTag}` : ""}`
  );
}
