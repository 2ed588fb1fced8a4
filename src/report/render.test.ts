import { afterEach, describe, expect, it, vi } from "vitest";

import {
  API_VERSION,
  type DecisionRecord,
  type GateSummary,
  METRIC_DEFAULTS,
  type MetricSettings,
  type PhaseRecord,
  type Release,
  type ReleasePhase,
  type ReleaseStatus,
} from "../api/v1alpha1/index.js";
import { REPORT_KEY, renderReleaseReport, reportConfigMapName } from "./render.js";
import { seriesCutLine } from "./series-cut.js";
import { reasonAfterVerdict } from "./sections.js";

const T = (minute: number): string => `2026-11-25T10:${String(minute).padStart(2, "0")}:00Z`;
const SHA = "abcdef1234567890abcdef1234567890abcdef12";

const GATE_BOX = [
  "══════════════════════════════════════",
  "PRE-RELEASE GATE",
  "══════════════════════════════════════",
  "Target env: production",
  "Target version: 1.4.2 (abcdef123456)",
  "Blocking issues: none",
  "══════════════════════════════════════",
].join("\n");

const gate: GateSummary = {
  evaluatedAt: T(0),
  checks: [
    { name: "acceptance", status: "Passed", message: "2 of 2 criteria met" },
    { name: "rollback-target", status: "Passed", message: "rollback to 1.4.1" },
    { name: "approval", status: "Passed", message: "approved (alice)" },
  ],
  changes: {
    fromTag: "release/1.4.1",
    toRevision: SHA,
    commits: 4,
    tickets: 2,
    ticketKeys: ["NAV-1", "NAV-2"],
    breaking: false,
    components: [],
  },
  openRisks: [],
  blockingIssues: [],
  text: GATE_BOX,
};

const record = (phase: ReleasePhase, start: number, end?: number, message?: string): PhaseRecord => ({
  phase,
  startedAt: T(start),
  ...(end === undefined ? {} : { finishedAt: T(end), outcome: "Succeeded" }),
  ...(message === undefined ? {} : { message }),
});

const ALL_PHASES: PhaseRecord[] = [
  record("PreReleaseGate", 0, 2),
  record("StrategySelect", 2, 3),
  record("Execute", 3, 8, "deploy.sh exited 0"),
  record("SmokeTest", 8, 9, "3 of 3 smoke cases passed"),
  record("WatchWindow", 9, 59, "no breach in 50m"),
  record("CommitOrRollback", 59, 59, "environment currentVersion set to 1.4.2"),
];

const decision = (overrides: Partial<DecisionRecord>): DecisionRecord => ({
  kind: "gate",
  annotation: "approved",
  value: "true",
  at: T(1),
  accepted: true,
  ...overrides,
});

function releaseWith(status: ReleaseStatus | undefined, annotations?: Record<string, string>): Release {
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    metadata: {
      name: "nav-1-4-2",
      namespace: "prod",
      uid: "0b6f3c1e-5d2a-4c47-9d8e-1f2a3b4c5d6e",
      ...(annotations === undefined ? {} : { annotations }),
    },
    spec: { environment: "production", version: "1.4.2", revision: SHA.slice(0, 7), rollbackTarget: "1.4.1" },
    ...(status === undefined ? {} : { status }),
  };
}

const released: ReleaseStatus = {
  phase: "Completed",
  verdict: "Released",
  reason: "watch window passed: no breach in 50m",
  startedAt: T(0),
  completedAt: T(59),
  phases: ALL_PHASES,
  rollbackTarget: "1.4.1",
  gate,
  strategy: {
    recommended: "canary",
    recommendationReason: "1 breaking change: canary limits the blast radius",
    chosen: "canary",
    source: "decision",
  },
  decisions: [
    decision({}),
    decision({
      kind: "strategy",
      annotation: "release-operator.io/strategy",
      value: "canary",
      at: T(2),
      message: "strategy chosen",
    }),
  ],
};

const headings = (markdown: string): string[] => markdown.split("\n").filter((line) => line.startsWith("#"));

/** The cells of a Markdown table row, split on pipes that are not escaped. */
const cells = (row: string): string[] =>
  row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.trim());

/** The rows of the table whose header row is `header`, header and separator included. */
function tableAfter(markdown: string, header: string): string[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(header);
  if (start === -1) throw new Error(`no table with header ${header} in:\n${markdown}`);
  const end = lines.findIndex((line, index) => index > start && !line.startsWith("|"));
  return lines.slice(start, end === -1 ? undefined : end);
}

/** Each Mermaid chart of the Markdown: its title and its lines' numbers, read back as xychart reads them. */
function mermaidCharts(markdown: string): { title: string; lines: Record<string, number[]> }[] {
  return Array.from(markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g), (match) => {
    const body = match[1] ?? "";
    const lines: Record<string, number[]> = {};
    for (const line of body.matchAll(/^ {2}line "([^"]*)" \[(.*)\]$/gm))
      lines[line[1] ?? ""] = (line[2] ?? "").split(", ").map(Number);
    return { title: /^ {2}title "([^"]*)"$/m.exec(body)?.[1] ?? "", lines };
  });
}

describe("renderReleaseReport: the header", () => {
  it("a release not yet picked up: the header, no phase sections", () => {
    const markdown = renderReleaseReport(releaseWith(undefined));
    expect(markdown.split("\n")).toEqual([
      "# Release 1.4.2 to production",
      "",
      "- Release: prod/nav-1-4-2",
      "- Environment: production",
      "- Version: 1.4.2",
      "- Revision: abcdef1",
      "- Rollback target: 1.4.1 (requested, not checked yet)",
      "- Strategy: not chosen yet",
      "- Phase: Pending",
      "- Started: not yet",
      "- Completed: not yet",
      "- Verdict: none yet",
      "",
    ]);
  });

  const header = (markdown: string): string[] =>
    markdown.split("\n").slice(2, markdown.split("\n").indexOf("", 2));

  it.each<{ situation: string; status: ReleaseStatus; spec?: Partial<Release["spec"]>; lines: string[] }>([
    {
      situation: "a finished release: target, strategy and by whom, times, verdict with its reason",
      status: released,
      lines: [
        "- Rollback target: 1.4.1",
        "- Strategy: canary (chosen by a decision)",
        "- Phase: Completed",
        `- Started: ${T(0)}`,
        `- Completed: ${T(59)}`,
        "- Verdict: Released: watch window passed: no breach in 50m",
      ],
    },
    {
      situation: "a strategy the environment selected",
      status: { phase: "Execute", strategy: { recommended: "canary", chosen: "canary", source: "auto" } },
      lines: ["- Strategy: canary (selected automatically)", "- Verdict: none yet"],
    },
    {
      situation: "a strategy recommended, not chosen yet",
      status: { phase: "StrategySelect", strategy: { recommended: "all-at-once" } },
      lines: ["- Strategy: all-at-once (recommended, not chosen yet)"],
    },
    {
      situation: "no revision in the spec: the one the gate resolved",
      status: { gate },
      spec: { revision: undefined, rollbackTarget: undefined },
      lines: [`- Revision: ${SHA}`, "- Rollback target: not resolved yet"],
    },
    {
      situation: "no revision anywhere: the version's tag",
      status: {},
      spec: { revision: undefined },
      lines: ["- Revision: the version's tag"],
    },
  ])("$situation", ({ status, spec, lines }) => {
    const release = releaseWith(status);
    const markdown = renderReleaseReport({ ...release, spec: { ...release.spec, ...spec } });
    for (const line of lines) expect(header(markdown)).toContain(line);
  });
});

describe("renderReleaseReport: sections appear only for phases entered", () => {
  it.each<{ situation: string; phases: PhaseRecord[]; sections: string[] }>([
    { situation: "Pending: none", phases: [], sections: [] },
    {
      situation: "in the gate",
      phases: [record("PreReleaseGate", 0)],
      sections: ["## Phase 1: Pre-Release Gate", "### Change Summary", "### Rollback Plan"],
    },
    {
      situation: "choosing a strategy",
      phases: ALL_PHASES.slice(0, 2),
      sections: [
        "## Phase 1: Pre-Release Gate",
        "### Change Summary",
        "### Rollback Plan",
        "## Phase 2: Strategy Select",
      ],
    },
    {
      situation: "every phase",
      phases: ALL_PHASES,
      sections: [
        "## Phase 1: Pre-Release Gate",
        "### Change Summary",
        "### Rollback Plan",
        "## Phase 2: Strategy Select",
        "## Phase 3: Execute",
        "## Phase 4: Smoke Test",
        "## Phase 5: Watch Window",
        "## Phase 6: Commit or Rollback",
      ],
    },
    {
      situation: "a rollback after a failed smoke test",
      phases: [...ALL_PHASES.slice(0, 4), record("RollingBack", 9)],
      sections: [
        "## Phase 1: Pre-Release Gate",
        "### Change Summary",
        "### Rollback Plan",
        "## Phase 2: Strategy Select",
        "## Phase 3: Execute",
        "## Phase 4: Smoke Test",
        "## Rollback",
      ],
    },
  ])("$situation", ({ phases, sections }) => {
    const status: ReleaseStatus = {
      phase: phases.at(-1)?.phase ?? "Pending",
      phases,
      rollbackTarget: "1.4.1",
      gate,
    };
    const markdown = renderReleaseReport(releaseWith(status));
    expect(headings(markdown).slice(1)).toEqual(sections);
  });

  it("a phase section says when it started and how it ended", () => {
    const markdown = renderReleaseReport(
      releaseWith({
        phases: [
          record("Execute", 3, 8, "deploy.sh exited 0"),
          {
            phase: "SmokeTest",
            startedAt: T(8),
            finishedAt: T(9),
            outcome: "Failed",
            message: "GET /health: 503",
          },
          record("WatchWindow", 9),
        ],
      }),
    );
    expect(markdown).toContain(
      ["## Phase 3: Execute", "", `Started ${T(3)}; ended ${T(8)} (Succeeded).`, "deploy.sh exited 0"].join(
        "\n",
      ),
    );
    expect(markdown).toContain(`Started ${T(8)}; ended ${T(9)} (Failed).\nGET /health: 503`);
    expect(markdown).toContain(`## Phase 5: Watch Window\n\nStarted ${T(9)}; ended in progress.`);
  });
});

describe("renderReleaseReport: the gate", () => {
  const markdown = renderReleaseReport(releaseWith(released));

  it("the PRE-RELEASE GATE box, verbatim in a text block", () => {
    expect(markdown).toContain(`\`\`\`text\n${GATE_BOX}\n\`\`\``);
  });

  it("the checks table: one row per check, name, result, details", () => {
    expect(tableAfter(markdown, "| Check | Result | Details |")).toEqual([
      "| Check | Result | Details |",
      "|---|---|---|",
      "| acceptance | Passed | 2 of 2 criteria met |",
      "| rollback-target | Passed | rollback to 1.4.1 |",
      "| approval | Passed | approved (alice) |",
    ]);
  });

  it("the change summary and the rollback plan", () => {
    expect(markdown).toContain(
      [
        "### Change Summary",
        "",
        `Read at ${T(0)}: 4 commits from release/1.4.1 to ${SHA}, 2 tickets: NAV-1, NAV-2. No breaking change.`,
        "",
        "### Rollback Plan",
        "",
        "Roll back to 1.4.1 with `deploy.sh --rollback 1.4.1`.",
      ].join("\n"),
    );
  });

  it.each<{ situation: string; changes: NonNullable<GateSummary["changes"]>; lines: string[] }>([
    {
      situation: "a first release with no tickets",
      changes: { commits: 1, breaking: false, components: [], toRevision: SHA, ticketKeys: [] },
      lines: [`Read at ${T(0)}: 1 commit from the root commit to ${SHA}, no ticket. No breaking change.`],
    },
    {
      situation: "no ticket keys recorded",
      changes: { commits: 2, breaking: false, components: [], fromTag: "release/1.4.1" },
      lines: [`Read at ${T(0)}: 2 commits from release/1.4.1 to ?, no ticket. No breaking change.`],
    },
    {
      situation: "more tickets than keys kept",
      changes: { commits: 9, tickets: 5, ticketKeys: ["NAV-1", "NAV-2"], breaking: false, components: [] },
      lines: [
        `Read at ${T(0)}: 9 commits from the root commit to ?, 5 tickets: NAV-1, NAV-2 and 3 more. No breaking change.`,
      ],
    },
    {
      situation: "breaking, no breaking commit kept",
      changes: { commits: 1, breaking: true, components: [], toRevision: SHA },
      lines: [
        `Read at ${T(0)}: 1 commit from the root commit to ${SHA}, no ticket. **Breaking**: at least one commit is a breaking change.`,
      ],
    },
    {
      situation: "breaking, per component, with migrations",
      changes: {
        fromTag: "release/1.4.1",
        toRevision: SHA,
        commits: 3,
        tickets: 1,
        ticketKeys: ["NAV-9"],
        breaking: true,
        breakingChanges: ["abc1234 feat(api)!: drop /v1 | old clients"],
        migrations: ["def5678 db: add column"],
        components: [
          { component: "api", features: 1, fixes: 0, breaking: 1, security: 0, other: 0 },
          { component: "web|ui", features: 0, fixes: 1, breaking: 0, security: 1, other: 0 },
        ],
      },
      lines: [
        `Read at ${T(0)}: 3 commits from release/1.4.1 to ${SHA}, 1 ticket: NAV-9. **Breaking**: 1 breaking commit listed below.`,
        "",
        "| Component | Features | Fixes | Breaking | Security | Other |",
        "|---|---|---|---|---|---|",
        "| api | 1 | 0 | 1 | 0 | 0 |",
        "| web\\|ui | 0 | 1 | 0 | 1 | 0 |",
        "",
        "Breaking changes:",
        "",
        "- abc1234 feat(api)!: drop /v1 | old clients",
        "",
        "Migrations:",
        "",
        "- def5678 db: add column",
      ],
    },
  ])("change summary, $situation", ({ changes, lines }) => {
    const text = renderReleaseReport(
      releaseWith({ phases: [record("PreReleaseGate", 0)], gate: { ...gate, changes } }),
    );
    expect(text).toContain(`### Change Summary\n\n${lines.join("\n")}\n`);
  });

  it("a gate not evaluated yet: the section without box, table or plan", () => {
    const text = renderReleaseReport(releaseWith({ phases: [record("PreReleaseGate", 0)] }));
    expect(text).not.toContain("```");
    expect(text).not.toContain("| Check |");
    expect(text).not.toContain("Rollback Plan");
  });

  it("pipes and newlines in a check's message stay inside their cell", () => {
    const text = renderReleaseReport(
      releaseWith({
        phases: [record("PreReleaseGate", 0)],
        gate: {
          checks: [
            {
              name: "observability",
              status: "Failed",
              message: 'metric error-rate: parse error: unexpected "|" in\nsum(rate(x[5m])) | y\r\nat char 7',
            },
            { name: "a|b", status: "Passed", message: "ok" },
          ],
        },
      }),
    );
    const table = tableAfter(text, "| Check | Result | Details |");
    expect(table).toHaveLength(4);
    expect(table.map((row) => cells(row).length)).toEqual([3, 3, 3, 3]);
    expect(table[2]).toBe(
      '| observability | Failed | metric error-rate: parse error: unexpected "\\|" in<br>sum(rate(x[5m])) \\| y<br>at char 7 |',
    );
    expect(cells(table[3] ?? "")[0]).toBe("a\\|b");
  });

  it("backticks in the box cannot close its code block early", () => {
    const box = `${GATE_BOX}\nOpen risks:\n  - breaking change: abc1234 docs: explain \`\`\` fences`;
    const text = renderReleaseReport(
      releaseWith({ phases: [record("PreReleaseGate", 0)], gate: { ...gate, text: box } }),
    );
    const lines = text.split("\n");
    const open = lines.findIndex((line) => /^`{3,}text$/.test(line));
    const fence = (lines[open] ?? "").replace("text", "");
    expect(fence.length).toBeGreaterThan(3);
    const close = lines.indexOf(fence, open + 1);
    expect(lines.slice(open + 1, close).join("\n")).toBe(box);
  });
});

describe("renderReleaseReport: strategy", () => {
  it.each<{ situation: string; strategy: ReleaseStatus["strategy"]; lines: string[] }>([
    {
      situation: "chosen by a decision",
      strategy: released.strategy,
      lines: [
        "Recommended: canary (1 breaking change: canary limits the blast radius).",
        "Chosen: canary, by decision.",
      ],
    },
    {
      situation: "not chosen yet",
      strategy: { recommended: "all-at-once", recommendationReason: "no breaking change" },
      lines: ["Recommended: all-at-once (no breaking change).", "Not chosen yet."],
    },
    {
      situation: "nothing recorded",
      strategy: undefined,
      lines: ["Recommended: ? (no reason recorded).", "Not chosen yet."],
    },
  ])("$situation", ({ strategy, lines }) => {
    const text = renderReleaseReport(
      releaseWith({ phases: [record("StrategySelect", 2)], ...(strategy === undefined ? {} : { strategy }) }),
    );
    expect(text).toContain(lines.join("\n"));
  });
});

describe("renderReleaseReport: decisions", () => {
  const header = "| When | Annotation | Value | By | Accepted | Effect |";

  it("every decision recorded, in order: when, what, who, accepted, effect", () => {
    const text = renderReleaseReport(
      releaseWith({
        decisions: [
          decision({
            value: "maybe",
            accepted: false,
            message: "refused: valid: true, proceed, false, abort",
          }),
          decision({
            kind: "approval",
            annotation: "approval.release-operator.io/alice",
            value: "approved",
            by: "alice",
            at: T(3),
          }),
        ],
      }),
    );
    expect(tableAfter(text, header)).toEqual([
      header,
      "|---|---|---|---|---|---|",
      `| ${T(1)} | approved | maybe |  | no | refused: valid: true, proceed, false, abort |`,
      `| ${T(3)} | approval.release-operator.io/alice | approved | alice | yes |  |`,
    ]);
  });

  it("a free-text reason with pipes and newlines stays in its cell", () => {
    const text = renderReleaseReport(
      releaseWith({
        decisions: [
          decision({
            kind: "override",
            annotation: "release-operator.io/override-reason",
            value: "flake | see NAV-140\nand NAV-141",
          }),
        ],
      }),
    );
    const row = tableAfter(text, header)[2] ?? "";
    expect(cells(row)).toEqual([
      T(1),
      "release-operator.io/override-reason",
      "flake \\| see NAV-140<br>and NAV-141",
      "",
      "yes",
      "",
    ]);
  });

  it("no decisions: no section", () => {
    expect(renderReleaseReport(releaseWith({ decisions: [] }))).not.toContain("## Decisions");
  });
});

describe("renderReleaseReport: verdict", () => {
  it.each<{ situation: string; status: ReleaseStatus; verdict: string | undefined }>([
    {
      situation: "Released",
      status: released,
      verdict: `**Released** at ${T(59)}: watch window passed: no breach in 50m`,
    },
    {
      situation: "Rolled-Back",
      status: {
        verdict: "Rolled-Back",
        completedAt: T(20),
        reason: "error-rate breached 2.4x baseline at T+7m",
      },
      verdict: `**Rolled-Back** at ${T(20)}: error-rate breached 2.4x baseline at T+7m`,
    },
    {
      situation: "Aborted before the gate finished",
      status: { verdict: "Aborted", completedAt: T(1), reason: "the gate was answered with approved=false" },
      verdict: `**Aborted** at ${T(1)}: the gate was answered with approved=false`,
    },
    { situation: "no verdict yet: no section", status: { phase: "WatchWindow" }, verdict: undefined },
  ])("$situation", ({ status, verdict }) => {
    const text = renderReleaseReport(releaseWith(status));
    if (verdict === undefined) {
      expect(text).not.toContain("## Verdict");
    } else {
      expect(text).toContain(`## Verdict\n\n${verdict}\n`);
      expect(headings(text).at(-1)).toBe("## Verdict");
    }
  });
});

describe("renderReleaseReport: only what status holds", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("annotations on the object (a token in last-applied-configuration) never reach the report", () => {
    const text = renderReleaseReport(
      releaseWith(released, {
        "kubectl.kubernetes.io/last-applied-configuration": '{"env":{"API_TOKEN":"s3cr3t-hunter2"}}',
        "example.com/password": "hunter2",
        approved: "true",
      }),
    );
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("last-applied-configuration");
    expect(text).not.toContain("example.com/password");
    expect(text).toBe(renderReleaseReport(releaseWith(released)));
  });

  it("the same status renders the same report at any time", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-25T11:00:00Z"));
    const first = renderReleaseReport(releaseWith(released));
    vi.setSystemTime(new Date("2027-03-01T08:00:00Z"));
    expect(renderReleaseReport(releaseWith(released))).toBe(first);
  });

  it("sections come in the order phases were entered, then decisions, then the verdict", () => {
    expect(headings(renderReleaseReport(releaseWith(released)))).toEqual([
      "# Release 1.4.2 to production",
      "## Phase 1: Pre-Release Gate",
      "### Change Summary",
      "### Rollback Plan",
      "## Phase 2: Strategy Select",
      "## Phase 3: Execute",
      "## Phase 4: Smoke Test",
      "## Phase 5: Watch Window",
      "## Phase 6: Commit or Rollback",
      "## Decisions",
      "## Verdict",
    ]);
  });
});

describe("renderReleaseReport: deploy, smoke and rollback", () => {
  const rolledBack: ReleaseStatus = {
    phase: "Completed",
    verdict: "Rolled-Back",
    reason: "smoke test failure: orders -> rolled back to 1.4.1",
    phases: [
      {
        phase: "Execute",
        startedAt: T(3),
        finishedAt: T(5),
        outcome: "Succeeded",
        message: "deploy.sh exited 0",
      },
      {
        phase: "SmokeTest",
        startedAt: T(5),
        finishedAt: T(6),
        outcome: "Failed",
        message: "smoke test failure: orders",
      },
      { phase: "RollingBack", startedAt: T(6), finishedAt: T(8), outcome: "Succeeded" },
    ],
    jobs: [
      { purpose: "deploy", name: "nav-1-4-2-deploy", nodeName: "onboard", exitCode: 0, outcome: "Succeeded" },
      {
        purpose: "rollback",
        name: "nav-1-4-2-rollback",
        nodeName: "onboard",
        exitCode: 0,
        outcome: "Succeeded",
      },
    ],
    smoke: [
      { name: "api", kind: "http", run: "release", passed: true, durationMs: 12 },
      {
        name: "orders",
        kind: "job",
        run: "release",
        passed: false,
        durationMs: 800,
        message: "exit code 3\nno | orders",
      },
      { name: "api", kind: "http", run: "rollback", passed: true, durationMs: 9 },
    ],
    rollback: { cause: "smoke test failure: orders", from: "SmokeTest", requestedAt: T(6), target: "1.4.1" },
  };
  const attachments = {
    "deploy.log": "# 2 lines\n2026-11-25T10:03:01.5Z deploying 1.4.2\n2026-11-25T10:04:59Z deployed 1.4.2",
    "rollback.log": "# 1 lines\n2026-11-25T10:07:00Z rolled back to 1.4.1",
    "deploy-snapshot.txt": "Snapshot of Job prod/nav-1-4-2-deploy",
  };
  const markdown = renderReleaseReport(releaseWith(rolledBack), attachments);

  it("the deploy: its Job, node and exit code, and its timestamped output in a code block", () => {
    expect(markdown).toContain("Job `nav-1-4-2-deploy`, on node `onboard`, exit code 0, outcome Succeeded.");
    expect(markdown).toContain("```text\n# 2 lines\n2026-11-25T10:03:01.5Z deploying 1.4.2\n");
    expect(markdown).toContain("Snapshot taken before the Job was stopped:");
  });

  it("smoke results, one row per case of the run, failures with their first lines in the cell", () => {
    const table = tableAfter(
      markdown.slice(markdown.indexOf("## Phase 4")),
      "| Case | Kind | Result | Duration | Details |",
    );
    expect(table.slice(2).map(cells)).toEqual([
      ["api", "http", "passed", "12 ms", ""],
      ["orders", "job", "FAILED", "800 ms", "exit code 3<br>no \\| orders"],
    ]);
  });

  it("the rollback: its facts in a few lines, the rest in rollback.md", () => {
    const section = markdown.slice(markdown.indexOf("## Rollback"), markdown.indexOf("## Verdict"));
    expect(section.split("\n")).toEqual([
      "## Rollback",
      "",
      `Started ${T(6)}; ended ${T(8)} (Succeeded).`,
      "",
      `Cause: smoke test failure: orders (decided in SmokeTest at ${T(6)}).`,
      "Target: 1.4.1.",
      "",
      "Job `nav-1-4-2-rollback`, on node `onboard`, exit code 0, outcome Succeeded.",
      "",
      "Smoke tests after the rollback: 1 of 1 passed.",
      "",
      "The rollback's output, smoke results and mini watch window (table and charts): see rollback.md.",
      "",
      "",
    ]);
    expect(markdown).not.toContain("2026-11-25T10:07:00Z rolled back to 1.4.1");
  });

  it("the rollback section names the rollback report's file in git once it is known", () => {
    const text = renderReleaseReport(
      releaseWith({
        ...rolledBack,
        report: { rollbackGitPath: "prod/rollback_1.4.2_production_2026-11-25-1000.md" },
      }),
      attachments,
    );
    expect(text).toContain(
      "see rollback.md (`prod/rollback_1.4.2_production_2026-11-25-1000.md` in the report repository).",
    );
  });

  it("a rollback entered twice (a restarted rollback): one section, from the first start to the last end", () => {
    const twice: ReleaseStatus = {
      ...rolledBack,
      phases: [
        ...(rolledBack.phases ?? []).slice(0, 2),
        { phase: "RollingBack", startedAt: T(6), finishedAt: T(7), outcome: "Failed" },
        { phase: "RollingBack", startedAt: T(7), finishedAt: T(9), outcome: "Succeeded" },
      ],
    };
    const text = renderReleaseReport(releaseWith(twice), attachments);
    expect(headings(text).filter((heading) => heading === "## Rollback")).toHaveLength(1);
    expect(text).toContain(`## Rollback\n\nStarted ${T(6)}; ended ${T(9)} (Succeeded).`);
  });

  it("without attachments (nothing followed yet) the sections still render from status", () => {
    const bare = renderReleaseReport(releaseWith(rolledBack));
    expect(bare).toContain("## Phase 3: Execute");
    expect(bare).not.toContain("Output (");
  });
});

describe("where the report is kept", () => {
  it("the ConfigMap is named after the release, the report under release.md", () => {
    expect(reportConfigMapName("nav-1-4-2")).toBe("nav-1-4-2-report");
    expect(reportConfigMapName("r".repeat(253))).toMatch(/^r{237}-[0-9a-f]{8}-report$/);
    expect(REPORT_KEY).toBe("release.md");
  });
});

describe("the watch window's section", () => {
  const snapshot = (minute: number, errorRate: number, verdict: "ok" | "soft" | "hard") => ({
    at: T(9 + minute),
    elapsed: `T+${minute}m`,
    metrics: [
      { metric: "error-rate", value: errorRate, baseline: 0.01, ratio: errorRate / 0.01, verdict },
      {
        metric: "p99-latency",
        verdict: "no-data" as const,
        message: "no data: the query returned an empty result",
      },
    ],
    health: "ok" as const,
  });
  const watching: ReleaseStatus = {
    phase: "WatchWindow",
    startedAt: T(0),
    phases: [record("Execute", 3, 8, "deploy.sh exited 0"), record("WatchWindow", 9)],
    baseline: {
      mode: "pre-deploy",
      window: "10m",
      version: "1.4.1",
      capturedAt: T(3),
      values: [
        { metric: "error-rate", value: 0.01 },
        { metric: "p99-latency", message: "no data" },
      ],
    },
    watch: {
      window: "release",
      version: "1.4.2",
      startedAt: T(9),
      endsAt: T(24),
      extendedBy: "5m",
      intervalsEvaluated: 2,
      snapshots: [snapshot(1, 0.011, "ok"), snapshot(2, 0.017, "soft")],
    },
    breaches: [
      {
        metric: "error-rate",
        window: "release",
        severity: "soft",
        at: T(11),
        elapsed: "T+2m",
        message: "error-rate at 1.7x baseline at T+2m (soft from 1.5x, hard from 2x)",
      },
    ],
  };

  it("shows the baseline, the window, a row per interval from status and the breaches", () => {
    const report = renderReleaseReport(releaseWith(watching));
    expect(report).toContain("## Phase 5: Watch Window");
    expect(report).toContain(
      `Baseline: pre-deploy, each metric over 10m of 1.4.1, read at ${T(3)} before the deploy: error-rate 0.01, p99-latency none (no data).`,
    );
    expect(report).toContain(
      `Watched 1.4.2 from ${T(9)} to ${T(24)}, extended by 5m; 2 intervals evaluated.`,
    );
    expect(report).toContain("| Interval | At | error-rate | p99-latency | Health |");
    expect(report).toContain(
      `| 2 | T+2m (${T(11)}) | 0.017 / 0.01 = 1.7x **soft** | no data: no data: the query returned an empty result | ok |`,
    );
    expect(report).toContain(`- SOFT at T+2m (${T(11)}): error-rate at 1.7x baseline at T+2m`);
  });

  it("prefers the whole series from the ConfigMap to the last intervals in status, and says what it cut", () => {
    const series = [3, 4]
      .map((interval) => JSON.stringify({ interval, ...snapshot(interval, 0.01, "ok") }))
      .join("\n");
    const report = renderReleaseReport(releaseWith(watching), { "watch.jsonl": series });
    expect(report).toContain(`| 3 | T+3m (${T(12)}) |`);
    expect(report).not.toContain(`| 2 | T+2m`);
    expect(report).toContain("Intervals 1 to 2 are not shown: the report keeps the last 720.");
  });

  it("a skipped window: the incident is in the report", () => {
    const report = renderReleaseReport(
      releaseWith({ ...watching, incident: { reason: "the watch window was skipped: hotfix", at: T(10) } }),
    );
    expect(report).toContain(
      `**Incident**: the watch window was skipped: hotfix (${T(10)}); an incident retrospective is due.`,
    );
  });

  const metrics: MetricSettings[] = [
    {
      name: "p99-latency",
      query: "histogram_quantile(0.99, x)",
      kind: "latency",
      direction: "up",
      softRatio: 1.5,
      hardRatio: 3,
      floor: 0.05,
    },
    {
      name: "error-rate",
      query: "sum(rate(errors[1m]))",
      kind: "error-rate",
      ...METRIC_DEFAULTS["error-rate"],
      floor: 0,
    },
  ];

  it.each<{
    situation: string;
    metrics?: MetricSettings[];
    charts: { title: string; lines: Record<string, number[]> }[];
    sentences: string[];
  }>([
    {
      situation: "with the metrics' settings: value, baseline and both thresholds, in the settings' order",
      metrics,
      charts: [
        {
          title: "error-rate, release window",
          lines: {
            value: [0.011, 0.017],
            baseline: [0.01, 0.01],
            "soft threshold": [0.015, 0.015],
            "hard threshold": [0.02, 0.02],
          },
        },
      ],
      sentences: [
        "No chart of p99-latency: none of the 2 intervals had a value.",
        "hard threshold = baseline × 2 (red)",
      ],
    },
    {
      situation: "without settings: value and baseline, and the thresholds said to be unknown",
      charts: [
        { title: "error-rate, release window", lines: { value: [0.011, 0.017], baseline: [0.01, 0.01] } },
      ],
      sentences: ["The thresholds are unknown: the metric's settings were not given to the report."],
    },
  ])("charts, $situation", ({ metrics: settings, charts, sentences }) => {
    const report = renderReleaseReport(
      releaseWith({ ...watching, incident: { reason: "skipped", at: T(10) } }),
      {},
      settings,
    );
    const section = report.slice(report.indexOf("## Phase 5"));
    // The charts close the section: after the table, the breaches and the incident.
    expect(section.indexOf("### Charts")).toBeGreaterThan(section.indexOf("**Incident**"));
    expect(section.indexOf("**Incident**")).toBeGreaterThan(section.indexOf("- SOFT at T+2m"));
    expect(mermaidCharts(section)).toEqual(charts);
    for (const sentence of sentences) expect(section).toContain(sentence);
    if (settings !== undefined)
      expect(section.indexOf("No chart of p99-latency")).toBeLessThan(section.indexOf("```mermaid"));
  });

  it("no interval yet: the table says so, no charts", () => {
    const report = renderReleaseReport(
      releaseWith({
        ...watching,
        watch: {
          ...(watching.watch ?? { window: "release", startedAt: T(9), endsAt: T(24) }),
          intervalsEvaluated: 0,
          snapshots: [],
        },
      }),
      {},
      metrics,
    );
    expect(report).toContain("No interval evaluated yet.");
    expect(report).not.toContain("### Charts");
  });

  it("a series whose oldest intervals were dropped for size: the table says why it starts late", () => {
    const series = [
      seriesCutLine(3),
      ...[3, 4].map((interval) => JSON.stringify({ interval, ...snapshot(interval, 0.01, "ok") })),
    ].join("\n");
    const report = renderReleaseReport(releaseWith(watching), { "watch.jsonl": `${series}\n` });
    expect(report).toContain(
      "Intervals 1 to 2 are not shown: the report keeps at most the last 720, and dropped older ones to keep its ConfigMap under 1 MiB.",
    );
    expect(
      tableAfter(report, "| Interval | At | error-rate | p99-latency | Health |")
        .slice(2)
        .map((row) => cells(row)[0]),
    ).toEqual(["3", "4"]);
  });
});

describe("reasonAfterVerdict", () => {
  it.each([
    { verdict: "Released", reason: "Released: 1.4.2 watched for 10m", text: "1.4.2 watched for 10m" },
    { verdict: "Rolled-Back", reason: "error-rate breached 2.5x", text: "error-rate breached 2.5x" },
    {
      verdict: "Released",
      reason: "Released-with-override: skip-watch",
      text: "Released-with-override: skip-watch",
    },
    { verdict: undefined, reason: "Released: x", text: "Released: x" },
    { verdict: "Aborted", reason: undefined, text: "" },
  ])("$verdict / $reason", ({ verdict, reason, text }) => {
    expect(reasonAfterVerdict(verdict, reason)).toBe(text);
  });
});
