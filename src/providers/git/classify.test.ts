import { describe, expect, it } from "vitest";
import { SOURCE_COMPONENTS } from "../../../hack/cluster/fixtures/git-history.js";
import type { ChangeKind, Commit } from "./classify.js";
import { classifyCommit, componentOf, summarize, ticketsIn } from "./classify.js";

const components = [...SOURCE_COMPONENTS];

function commit(
  subject: string,
  body = "",
  paths: string[] = ["services/nav/src/main.ts"],
  sha?: string,
): Commit {
  return { sha: sha ?? "0123456789abcdef0123456789abcdef01234567", subject, body, paths };
}

describe("classifyCommit: kind and breaking", () => {
  it.each<{ situation: string; subject: string; body?: string; kind: ChangeKind; breaking: boolean }>([
    // The demo repository's real subjects (hack/cluster/fixtures/git-history.ts).
    {
      situation: "fixture: a ticket key then a plain feature",
      subject: "NAV-102: Announce lane changes 300 m ahead",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "fixture: a plain fix after a ticket key",
      subject: "GEO-15: Fix rounding of coordinates near the antimeridian",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "fixture: a removal is a feature, not breaking by itself",
      subject: "GEO-21: Remove the deprecated bounding box helpers",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "fixture: BREAKING: after the ticket key and in the body",
      subject: "GEO-24: BREAKING: return distances in kilometres",
      body: "BREAKING: every caller of distance() must convert; the nav service is updated in this change.\n",
      kind: "feature",
      breaking: true,
    },
    {
      situation: "fixture: a migration is not breaking",
      subject: "MAP-207: Migrate tile metadata to the new schema",
      body: "migration: adds the tile_metadata table and backfills it on start; rolling back needs the down migration.\n",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "fixture: the import before any release",
      subject: "Import the nav service, the map service and the geo library",
      kind: "feature",
      breaking: false,
    },
    { situation: "conventional feat", subject: "feat: add offline maps", kind: "feature", breaking: false },
    {
      situation: "conventional fix with a scope",
      subject: "fix(nav): keep the route on ferries",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "conventional type in upper case",
      subject: "Feat(map): draw rivers",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "security prefix",
      subject: "security: escape tile names",
      kind: "security",
      breaking: false,
    },
    { situation: "sec prefix", subject: "sec(auth): rotate signing keys", kind: "security", breaking: false },
    {
      situation: "revert prefix counts as a fix",
      subject: "revert: feat: add offline maps",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "git's own revert subject counts as a fix",
      subject: 'Revert "feat: add offline maps"',
      kind: "fix",
      breaking: false,
    },
    ...["docs", "chore", "test", "ci", "build", "refactor", "style", "perf"].map((type) => ({
      situation: `${type} prefix is other`,
      subject: `${type}: tidy up`,
      kind: "other" as const,
      breaking: false,
    })),
    {
      situation: "ticket key before a conventional prefix",
      subject: "NAV-102: feat: announce lane changes",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "bracketed ticket key before a conventional prefix",
      subject: "[NAV-9] fix: stop at red lights",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "! after the type is breaking",
      subject: "feat!: drop the v1 API",
      kind: "feature",
      breaking: true,
    },
    {
      situation: "! after the scope is breaking",
      subject: "NAV-7: refactor(api)!: rename routes",
      kind: "other",
      breaking: true,
    },
    {
      situation: "BREAKING CHANGE footer",
      subject: "feat: new tile format",
      body: "Faster.\n\nBREAKING CHANGE: old clients cannot read tiles\n",
      kind: "feature",
      breaking: true,
    },
    {
      situation: "BREAKING-CHANGE footer",
      subject: "fix: strict parsing",
      body: "BREAKING-CHANGE: lenient input is rejected\n",
      kind: "fix",
      breaking: true,
    },
    {
      situation: "the word breaking inside a sentence is not a marker",
      subject: "fix: stop breaking the cache",
      body: "This was BREAKING: no.\n",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "lower-case breaking change footer is not a marker",
      subject: "feat: x",
      body: "breaking change: maybe\n",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "unknown conventional type falls back to the wording",
      subject: "wip: fix the router",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "Fixes at the start",
      subject: "Fixes the crash on empty routes",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "Fixed at the start, lower case",
      subject: "fixed typo in banner",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "Correct at the start",
      subject: "MAP-3: Correct the tile offsets",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "Repair at the start",
      subject: "Repair the broken cache warmup",
      kind: "fix",
      breaking: false,
    },
    {
      situation: "a word that only starts like Fix",
      subject: "Fixture data for the tiles",
      kind: "feature",
      breaking: false,
    },
    {
      situation: "Correctly is not Correct",
      subject: "Correctly-named layers in the legend",
      kind: "feature",
      breaking: false,
    },
    { situation: "mentions security", subject: "Harden security headers", kind: "security", breaking: false },
    {
      situation: "mentions a vulnerability",
      subject: "Close a vulnerability in the tile proxy",
      kind: "security",
      breaking: false,
    },
    {
      situation: "a Fix that is about security counts as security",
      subject: "Fix a security hole in uploads",
      kind: "security",
      breaking: false,
    },
    {
      situation: "a CVE id overrides a conventional fix",
      subject: "fix(deps): bump openssl for CVE-2024-12345",
      kind: "security",
      breaking: false,
    },
    {
      situation: "a CVE id in the body",
      subject: "chore: bump libpng",
      body: "Addresses CVE-2023-4863.\n",
      kind: "security",
      breaking: false,
    },
  ])("$situation", ({ subject, body, kind, breaking }) => {
    const classified = classifyCommit(commit(subject, body), components);
    expect({ kind: classified.kind, breaking: classified.breaking }).toEqual({ kind, breaking });
    expect(classified.subject).toBe(subject);
  });
});

describe("classifyCommit: migrations, components, tickets", () => {
  it.each<{ situation: string; subject: string; body?: string; paths: string[]; migration: boolean }>([
    {
      situation: "the subject says migrate",
      subject: "MAP-207: Migrate tile metadata to the new schema",
      paths: ["services/map/src/store.ts"],
      migration: true,
    },
    {
      situation: "the body mentions a migration",
      subject: "feat: store tiles",
      body: "Needs a database migration.\n",
      paths: ["services/map/src/store.ts"],
      migration: true,
    },
    {
      situation: "a file under migrations/",
      subject: "feat: add column",
      paths: ["services/map/migrations/0008_add.sql"],
      migration: true,
    },
    {
      situation: "a file under db/migrate/",
      subject: "feat: add column",
      paths: ["db/migrate/20240101_add.rb"],
      migration: true,
    },
    {
      situation: "nothing about migrations",
      subject: "feat: draw rivers",
      paths: ["services/map/src/rivers.ts"],
      migration: false,
    },
    {
      situation: "a word merely containing migrat",
      subject: "feat: immigration form",
      paths: ["services/map/src/form.ts"],
      migration: false,
    },
  ])("migration: $situation", ({ subject, body, paths, migration }) => {
    expect(classifyCommit(commit(subject, body, paths), components).migration).toBe(migration);
  });

  it.each<{ situation: string; paths: string[]; expected: string[] }>([
    { situation: "one path in one component", paths: ["services/nav/src/route.ts"], expected: ["nav"] },
    {
      situation: "two components, sorted, each once",
      paths: ["services/nav/a.ts", "libs/geo/b.ts", "libs/geo/c.ts"],
      expected: ["geo", "nav"],
    },
    {
      situation: "an unmapped path is other",
      paths: ["README.md", "docs/x.md"],
      expected: ["docs", "other"],
    },
    { situation: "an empty commit counts as other", paths: [], expected: ["other"] },
  ])("components: $situation", ({ paths, expected }) => {
    expect(classifyCommit(commit("feat: x", "", paths), components).components).toEqual(expected);
  });

  it.each<{ situation: string; text: string; expected: string[] }>([
    { situation: "the leading key", text: "NAV-102: Announce lane changes", expected: ["NAV-102"] },
    {
      situation: "keys in subject and body, sorted and distinct",
      text: "MAP-9: x\n\nRefs NAV-12, MAP-9 and A1-3",
      expected: ["A1-3", "MAP-9", "NAV-12"],
    },
    {
      situation: "standards and CVE ids are not tickets",
      text: "Use UTF-8 and SHA-256 per RFC-3339 for CVE-2024-1234 over TLS-13",
      expected: [],
    },
    {
      situation: "lower case and single-letter projects are not tickets",
      text: "nav-102 and A-1",
      expected: [],
    },
    {
      situation: "a key glued to a word is not a ticket",
      text: "XNAV-1 is fine but preNAV-2 is not",
      expected: ["XNAV-1"],
    },
  ])("tickets: $situation", ({ text, expected }) => {
    expect(ticketsIn(text)).toEqual(expected);
  });
});

describe("componentOf", () => {
  const nested = [
    { pathPrefix: "services/", component: "services" },
    { pathPrefix: "services/nav/", component: "nav" },
    { pathPrefix: "services/nav/proto/", component: "nav-api" },
    { pathPrefix: "./libs/", component: "libs" },
  ];
  it.each([
    { situation: "the longest prefix wins", path: "services/nav/proto/route.proto", expected: "nav-api" },
    {
      situation: "a shorter prefix when the longer does not match",
      path: "services/nav/src/main.ts",
      expected: "nav",
    },
    { situation: "the shortest prefix for a sibling", path: "services/map/main.ts", expected: "services" },
    { situation: "a prefix written with ./ matches", path: "libs/geo/a.ts", expected: "libs" },
    { situation: "an unmapped path", path: "README.md", expected: "other" },
  ])("$situation", ({ path, expected }) => {
    expect(componentOf(path, nested)).toBe(expected);
  });

  it("maps nothing when no components are configured", () => {
    expect(componentOf("services/nav/a.ts", [])).toBe("other");
  });
});

describe("summarize", () => {
  const sha = (n: number) => `${String(n).padStart(2, "0")}${"ab".repeat(19)}`;
  const history: Commit[] = [
    commit("NAV-118: Retry geocoder calls without backoff", "", ["services/nav/src/geocoder.ts"], sha(1)),
    commit(
      "MAP-207: Migrate tile metadata to the new schema",
      "migration: adds the tile_metadata table.\n",
      ["services/map/migrations/0007_tile_metadata.sql", "services/map/src/store.ts"],
      sha(2),
    ),
    commit(
      "GEO-24: BREAKING: return distances in kilometres",
      "BREAKING: every caller of distance() must convert.\n",
      ["libs/geo/src/distance.ts", "services/nav/src/route.ts"],
      sha(3),
    ),
    commit("fix(map): NAV-5 keep tiles", "", ["services/map/src/cache.ts"], sha(4)),
    commit("security: escape names", "", ["README.md"], sha(5)),
  ];

  it("counts each commit once per component it touches and lists breaking changes and migrations", () => {
    expect(summarize(history, components, [], { fromTag: "v1.4.2", toRevision: sha(5) })).toEqual({
      fromTag: "v1.4.2",
      toRevision: sha(5),
      commits: 5,
      tickets: ["GEO-24", "MAP-207", "NAV-118", "NAV-5"],
      breaking: true,
      components: [
        { component: "geo", features: 1, fixes: 0, breaking: 1, security: 0, other: 0 },
        { component: "map", features: 1, fixes: 1, breaking: 0, security: 0, other: 0 },
        { component: "nav", features: 2, fixes: 0, breaking: 1, security: 0, other: 0 },
        { component: "other", features: 0, fixes: 0, breaking: 0, security: 1, other: 0 },
      ],
      breakingChanges: ["03ababa GEO-24: BREAKING: return distances in kilometres"],
      migrations: ["02ababa MAP-207: Migrate tile metadata to the new schema"],
      excluded: [],
    });
  });

  it.each<{
    situation: string;
    exclude: string[];
    commits: number;
    excluded: string[];
    breaking: boolean;
    tickets: string[];
  }>([
    {
      situation: "a ticket key leaves its commit out",
      exclude: ["GEO-24"],
      commits: 4,
      excluded: ["GEO-24"],
      breaking: false,
      tickets: ["MAP-207", "NAV-118", "NAV-5"],
    },
    {
      situation: "a lower-case ticket key still matches",
      exclude: ["geo-24"],
      commits: 4,
      excluded: ["geo-24"],
      breaking: false,
      tickets: ["MAP-207", "NAV-118", "NAV-5"],
    },
    {
      situation: "a ticket named in the body or mid-subject matches",
      exclude: ["NAV-5"],
      commits: 4,
      excluded: ["NAV-5"],
      breaking: true,
      tickets: ["GEO-24", "MAP-207", "NAV-118"],
    },
    {
      situation: "a 7-digit SHA prefix",
      exclude: ["03ababa"],
      commits: 4,
      excluded: ["03ababa"],
      breaking: false,
      tickets: ["MAP-207", "NAV-118", "NAV-5"],
    },
    {
      situation: "an upper-case full SHA",
      exclude: [sha(3).toUpperCase()],
      commits: 4,
      excluded: [sha(3).toUpperCase()],
      breaking: false,
      tickets: ["MAP-207", "NAV-118", "NAV-5"],
    },
    {
      situation: "a SHA prefix shorter than 7 digits matches nothing",
      exclude: ["03abab"],
      commits: 5,
      excluded: [],
      breaking: true,
      tickets: ["GEO-24", "MAP-207", "NAV-118", "NAV-5"],
    },
    {
      situation: "entries that match nothing are not reported",
      exclude: ["ZZZ-1", "deadbeef"],
      commits: 5,
      excluded: [],
      breaking: true,
      tickets: ["GEO-24", "MAP-207", "NAV-118", "NAV-5"],
    },
    {
      situation: "several entries, one commit each",
      exclude: ["NAV-118", "02ababab"],
      commits: 3,
      excluded: ["NAV-118", "02ababab"],
      breaking: true,
      tickets: ["GEO-24", "NAV-5"],
    },
  ])("exclusions: $situation", ({ exclude, commits, excluded, breaking, tickets }) => {
    const findings = summarize(history, components, exclude, { toRevision: sha(5) });
    expect({
      commits: findings.commits,
      excluded: findings.excluded,
      breaking: findings.breaking,
      tickets: findings.tickets,
    }).toEqual({
      commits,
      excluded,
      breaking,
      tickets,
    });
    expect(findings.fromTag).toBeUndefined();
  });

  it("leaves an excluded commit out of the component counts and the lists", () => {
    const findings = summarize(history, components, ["MAP-207", "GEO-24"], { toRevision: sha(5) });
    expect(findings.components.map((row) => row.component)).toEqual(["map", "nav", "other"]);
    expect(findings.components.find((row) => row.component === "map")).toEqual({
      component: "map",
      features: 0,
      fixes: 1,
      breaking: 0,
      security: 0,
      other: 0,
    });
    expect(findings.breakingChanges).toEqual([]);
    expect(findings.migrations).toEqual([]);
  });

  it("lists at most 16 breaking changes, oldest first", () => {
    const many = Array.from({ length: 20 }, (_, n) =>
      commit(`feat!: change ${n}`, "", ["libs/geo/a.ts"], sha(n)),
    );
    const findings = summarize(many, components, [], { toRevision: sha(19) });
    expect(findings.breakingChanges).toHaveLength(16);
    expect(findings.breakingChanges[0]).toBe("00ababa feat!: change 0");
    expect(findings.breakingChanges[15]).toBe("15ababa feat!: change 15");
    expect(findings.components).toEqual([
      { component: "geo", features: 20, fixes: 0, breaking: 20, security: 0, other: 0 },
    ]);
  });

  it("summarises an empty range as nothing changed", () => {
    expect(summarize([], components, ["NAV-1"], { toRevision: sha(1) })).toEqual({
      toRevision: sha(1),
      commits: 0,
      tickets: [],
      breaking: false,
      components: [],
      breakingChanges: [],
      migrations: [],
      excluded: [],
    });
  });
});
