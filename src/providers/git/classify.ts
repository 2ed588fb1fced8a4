// What a range of commits means for a release: each commit's kind (feature, fix, security, other),
// whether it breaks callers or migrates data, which components it touches and which tickets it names;
// then the range summed up per component for the pre-release gate. Pure: the git CLI is elsewhere.
import type { ComponentChanges, ComponentPath } from "../../api/v1alpha1/index.js";

export type { ComponentChanges } from "../../api/v1alpha1/index.js";

export type ChangeKind = "feature" | "fix" | "security" | "other";

/** A commit as read from git: its full SHA, message split into subject and body, and the paths it changed. */
export interface Commit {
  sha: string;
  subject: string;
  body: string;
  paths: string[];
}

export interface ClassifiedCommit {
  sha: string;
  subject: string;
  kind: ChangeKind;
  breaking: boolean;
  migration: boolean;
  /** The components of the changed paths, sorted; `other` for paths no component claims. */
  components: string[];
  /** Ticket keys named in the subject or body, sorted, without duplicates. */
  tickets: string[];
}

export interface ChangeSummaryFindings {
  /** The last release's tag, when it exists. */
  fromTag?: string;
  /** Full SHA the summary ends at. */
  toRevision: string;
  /** Commits counted (after exclusions). */
  commits: number;
  /** Distinct ticket keys, sorted. */
  tickets: string[];
  breaking: boolean;
  /** Sorted by component name; a commit counts once in every component it touches. */
  components: ComponentChanges[];
  /** `<7-char sha> <subject>`, at most 16, oldest first. */
  breakingChanges: string[];
  /** Same shape: commits whose subject or body mentions a (database) migration, at most 16, oldest first. */
  migrations: string[];
  /** The exclude entries that matched something. */
  excluded: string[];
}

/** The component of paths no `pathPrefix` claims. */
export const UNMAPPED_COMPONENT = "other";

/** The most commits listed by name under breaking changes or migrations; the counts say the rest. */
export const MAX_LISTED_COMMITS = 16;

const TICKET_KEY = /\b[A-Z][A-Z0-9]+-[0-9]+\b(?!-[0-9])/g;

/**
 * Prefixes that look like ticket keys but name standards or identifiers (UTF-8, SHA-256, RFC-3339,
 * CVE-2024-1234): a change summary that lists them as tickets would send people to look for them.
 */
const NOT_TICKET_PROJECTS = new Set([
  "AES",
  "CVE",
  "CWE",
  "HTTP",
  "ISO",
  "RFC",
  "RSA",
  "SHA",
  "SSL",
  "TLS",
  "UTF",
]);

/** A ticket key at the very start of a subject, as in `NAV-102: ...`, `NAV-102 ...` or `[NAV-102] ...`. */
const LEADING_TICKET = /^\[?[A-Z][A-Z0-9]+-[0-9]+\]?:?\s+/;

/** `BREAKING:` (or `BREAKING CHANGE:`) at the start of the subject, after any ticket key. */
const LEADING_BREAKING = /^BREAKING(?:[ -]CHANGE)?:\s*/;

/** A footer or body line that announces a breaking change; upper case, as conventional commits demand. */
const BREAKING_LINE = /^(?:BREAKING CHANGE|BREAKING-CHANGE|BREAKING):/m;

/** `type(scope)!: description`; the type is matched case-insensitively, as the convention asks of tools. */
const CONVENTIONAL_PREFIX = /^([A-Za-z]+)(?:\([^()\r\n]*\))?(!)?:\s*/;

const CONVENTIONAL_KINDS: Readonly<Record<string, ChangeKind>> = {
  feat: "feature",
  feature: "feature",
  fix: "fix",
  revert: "fix",
  security: "security",
  sec: "security",
  docs: "other",
  chore: "other",
  test: "other",
  tests: "other",
  ci: "other",
  build: "other",
  refactor: "other",
  style: "other",
  perf: "other",
};

const CVE_ID = /\bCVE-\d{4}-\d{4,}\b/i;
const SECURITY_WORDS = /\bsecurity\b|vulnerab/i;
/** Git's own `Revert "..."` subjects undo a change, like a conventional `revert:`. */
const FIX_WORDS = /^(?:Fix(?:es|ed)?|Correct(?:s|ed)?|Repair(?:s|ed)?|Revert)\b/i;
const MIGRATION_WORDS = /\bmigrat(?:e|es|ed|ing|ion|ions)\b/i;
/** Directories that hold schema migrations in the common frameworks (Rails, Flyway, Alembic, Knex, ...). */
const MIGRATION_DIRECTORY = /(?:^|\/)(?:migrations?|migrate)\//i;

/** The subject's meaning once the ticket key and any `BREAKING:` marker in front are read off. */
interface SubjectReading {
  kind: ChangeKind;
  breaking: boolean;
}

function readSubject(subject: string): SubjectReading {
  let rest = subject.trim().replace(LEADING_TICKET, "");
  const markedBreaking = LEADING_BREAKING.test(rest);
  rest = rest.replace(LEADING_BREAKING, "");

  const conventional = CONVENTIONAL_PREFIX.exec(rest);
  const conventionalKind = conventional
    ? CONVENTIONAL_KINDS[(conventional[1] ?? "").toLowerCase()]
    : undefined;
  if (conventional && conventionalKind !== undefined) {
    return { kind: conventionalKind, breaking: markedBreaking || conventional[2] === "!" };
  }
  if (SECURITY_WORDS.test(rest)) return { kind: "security", breaking: markedBreaking };
  if (FIX_WORDS.test(rest)) return { kind: "fix", breaking: markedBreaking };
  return { kind: "feature", breaking: markedBreaking };
}

export function ticketsIn(text: string): string[] {
  const keys = new Set<string>();
  for (const match of text.matchAll(TICKET_KEY)) {
    const key = match[0];
    const project = key.slice(0, key.indexOf("-"));
    if (!NOT_TICKET_PROJECTS.has(project)) keys.add(key);
  }
  return [...keys].sort();
}

function normalizedPrefix(pathPrefix: string): string {
  return pathPrefix.replace(/^(?:\.\/|\/)+/, "");
}

/** The component a changed path belongs to: the longest matching `pathPrefix` wins; unmapped paths are `other`. */
export function componentOf(path: string, components: readonly ComponentPath[]): string {
  let best: { length: number; component: string } | undefined;
  for (const { pathPrefix, component } of components) {
    const prefix = normalizedPrefix(pathPrefix);
    if (path.startsWith(prefix) && (best === undefined || prefix.length > best.length)) {
      best = { length: prefix.length, component };
    }
  }
  return best?.component ?? UNMAPPED_COMPONENT;
}

export function classifyCommit(commit: Commit, components: readonly ComponentPath[]): ClassifiedCommit {
  const subjectReading = readSubject(commit.subject);
  const text = `${commit.subject}\n${commit.body}`;
  // A commit that changes no path (an empty commit) still happened; it is counted where unmapped paths are.
  const touched =
    commit.paths.length === 0 ? [UNMAPPED_COMPONENT] : commit.paths.map((p) => componentOf(p, components));
  return {
    sha: commit.sha,
    subject: commit.subject,
    // A CVE id is the strongest signal there is, whatever the prefix says (`fix(deps): bump x for CVE-...`).
    kind: CVE_ID.test(text) ? "security" : subjectReading.kind,
    breaking: subjectReading.breaking || BREAKING_LINE.test(commit.body),
    migration: MIGRATION_WORDS.test(text) || commit.paths.some((p) => MIGRATION_DIRECTORY.test(p)),
    components: [...new Set(touched)].sort(),
    tickets: ticketsIn(text),
  };
}

const SHA_PREFIX = /^[0-9a-f]{7,64}$/i;

/** Which exclude entry, if any, leaves the commit out: a SHA prefix (7+ hex digits) or one of its ticket keys. */
function matchingExcludes(commit: ClassifiedCommit, exclude: readonly string[]): string[] {
  return exclude.filter((entry) => {
    const wanted = entry.trim();
    if (SHA_PREFIX.test(wanted)) return commit.sha.toLowerCase().startsWith(wanted.toLowerCase());
    return commit.tickets.includes(wanted.toUpperCase());
  });
}

function emptyComponent(component: string): ComponentChanges {
  return { component, features: 0, fixes: 0, breaking: 0, security: 0, other: 0 };
}

function countInto(changes: ComponentChanges, commit: ClassifiedCommit): void {
  switch (commit.kind) {
    case "feature":
      changes.features += 1;
      break;
    case "fix":
      changes.fixes += 1;
      break;
    case "security":
      changes.security += 1;
      break;
    case "other":
      changes.other += 1;
      break;
  }
  if (commit.breaking) changes.breaking += 1;
}

/** Code-point order: the same on every machine, whatever its locale. */
function byName(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function listed(commit: ClassifiedCommit): string {
  return `${commit.sha.slice(0, 7)} ${commit.subject}`;
}

/** The change summary of `commits` (oldest first), less the excluded ones. */
export function summarize(
  commits: readonly Commit[],
  components: readonly ComponentPath[],
  exclude: readonly string[],
  range: { fromTag?: string; toRevision: string },
): ChangeSummaryFindings {
  const matchedExcludes = new Set<string>();
  const counted: ClassifiedCommit[] = [];
  for (const commit of commits) {
    const classified = classifyCommit(commit, components);
    const matches = matchingExcludes(classified, exclude);
    for (const entry of matches) matchedExcludes.add(entry);
    if (matches.length === 0) counted.push(classified);
  }

  const byComponent = new Map<string, ComponentChanges>();
  for (const commit of counted) {
    for (const component of commit.components) {
      const changes = byComponent.get(component) ?? emptyComponent(component);
      countInto(changes, commit);
      byComponent.set(component, changes);
    }
  }

  const breakingCommits = counted.filter((commit) => commit.breaking);
  return {
    ...(range.fromTag === undefined ? {} : { fromTag: range.fromTag }),
    toRevision: range.toRevision,
    commits: counted.length,
    tickets: [...new Set(counted.flatMap((commit) => commit.tickets))].sort(),
    breaking: breakingCommits.length > 0,
    components: [...byComponent.values()].sort((a, b) => byName(a.component, b.component)),
    breakingChanges: breakingCommits.slice(0, MAX_LISTED_COMMITS).map(listed),
    migrations: counted
      .filter((commit) => commit.migration)
      .slice(0, MAX_LISTED_COMMITS)
      .map(listed),
    excluded: exclude.filter((entry) => matchedExcludes.has(entry)),
  };
}
