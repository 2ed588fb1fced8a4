// The written verdict (SPEC section 5) against the real cluster: release.md and its attachments in the
// `<release>-report` ConfigMap, the commit to the Environment's report repository on the local git
// server, read back from a fresh clone rather than from the operator's word, the release tag, the
// ReportPublished condition through a git outage, and a Secret's value printed by deploy.sh found
// nowhere the operator writes. The deploy is the recorder fixture, which leaves the shared demo app
// alone; the watch reads whether Prometheus scrapes the demo app (`up`), 1 before and after any deploy,
// so a release whose deploy works passes its window: Released.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Condition, EnvironmentSpec, Release } from "../../src/api/v1alpha1/index.js";
import { reasonAfterVerdict } from "../../src/report/sections.js";
import { applyRecorderEnvironment, applyRecorderScript, runsOf } from "./support/deploys.js";
import { kubectl, uniqueName } from "./support/kubectl.js";
import { waitUntilLeader } from "./support/leader.js";
import { startOperator, type OperatorProcess } from "./support/operator.js";
import { cloneReportRepo, deleteReportTags, type ReportClone } from "./support/report-repo.js";
import {
  applyRelease,
  applySharedFixtures,
  deleteObjects,
  environmentSpec,
  eventMessages,
  NAMESPACE,
  releaseWhen,
  reportOf,
  SHORT_WATCH,
} from "./support/releases.js";

const IDENTITY = "report-e2e";
/** Part of every version, tag and folder here, so reruns against a kept cluster and its reports.git never collide. */
const RUN = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
const ROLLBACK_TARGET = "1.4.1";
/** 1 while Prometheus scrapes the demo app, whatever version it serves: ratio 1 to its baseline. */
const DEMO_APP_UP = { name: "demo-app-up", kind: "custom", query: 'max(up{job="demo-app"})' } as const;
/** What the API server stores in one object at most: a ConfigMap's data must fit in it. */
const CONFIGMAP_LIMIT_BYTES = 1_048_576;
/** The recorder prints lines of 100 bytes (newline included) up to DEPLOY_OUTPUT_BYTES. */
const BIG_LOG_BYTES = 2 * 1024 * 1024;
const BIG_LOG_LINES = Math.ceil(BIG_LOG_BYTES / 100);
const RELEASE_TIMEOUT_MS = 120_000;
/** Long enough to kill the operator two intervals in and still have intervals after its restart. */
const KILLED_WINDOW = "24s";

let operator: OperatorProcess;
const created: { kind: string; name: string }[] = [];
const tags: string[] = [];
const clones: ReportClone[] = [];

async function apply(object: unknown): Promise<void> {
  await kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], {
    input: JSON.stringify(object),
  });
}

async function applySecret(name: string, stringData: Record<string, string>): Promise<void> {
  await apply({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: NAMESPACE }, stringData });
}

interface Started {
  env: string;
  name: string;
  version: string;
  /** `report.path` as the Environment gives it, and as a repository path. */
  folder: string;
  /** The report repository's credentials Secret. */
  gitSecret: string;
}

/**
 * An Environment whose deploy runs the recorder with `behaviour`, watched for `demo-app-up`, with no
 * source repository (the made-up versions have no source tag for a change summary), and a Release of a
 * version unique to this run to it. `deploySecret`: a Secret in the deploy's envFrom. `gitPassword`:
 * the password in the report repository's credentials Secret (null: no report repository).
 */
async function startReportRelease(
  label: string,
  options: {
    behaviour?: Record<string, string>;
    deploySecret?: Record<string, string>;
    gitPassword?: string | null;
    watch?: Partial<EnvironmentSpec["watch"]>;
  } = {},
): Promise<Started> {
  const { git } = inject("cluster");
  const env = uniqueName(`rpt-${label}`);
  const version = `1.4.2-e2e.${RUN}.${label}`;
  const name = uniqueName(`nav-${label}`);
  const folder = `e2e/${env}`;
  const gitSecret = `${env}-git`;
  const gitPassword = options.gitPassword === undefined ? git.credentials.password : options.gitPassword;
  if (gitPassword !== null) {
    await applySecret(gitSecret, { username: git.credentials.username, password: gitPassword });
    created.push({ kind: "secret", name: gitSecret });
  }
  const envFrom: EnvironmentSpec["deploy"]["envFrom"] = [{ configMapRef: { name: `${env}-env` } }];
  if (options.deploySecret !== undefined) {
    const secret = `${env}-deploy`;
    await applySecret(secret, options.deploySecret);
    created.push({ kind: "secret", name: secret });
    envFrom.push({ secretRef: { name: secret } });
  }
  const { configMap } = await applyRecorderEnvironment(
    env,
    options.behaviour ?? {},
    {
      source: undefined,
      watch: { ...environmentSpec().watch, ...SHORT_WATCH, metrics: [DEMO_APP_UP], ...options.watch },
      ...(gitPassword === null
        ? {}
        : {
            // A trailing slash, as people write folders: the repository path has none.
            report: { url: git.reportRepo, path: `${folder}/`, credentialsSecret: { name: gitSecret } },
          }),
    },
    {
      envFrom,
      ...(options.deploySecret === undefined ? {} : { requiredEnv: Object.keys(options.deploySecret) }),
    },
  );
  created.push({ kind: "configmap", name: configMap }, { kind: "environment", name: env });
  created.push({ kind: "release", name });
  tags.push(`release/${version}`);
  await applyRelease(name, { environment: env, version, rollbackTarget: ROLLBACK_TARGET });
  return { env, name, version, folder, gitSecret };
}

const completed = (release: Release): boolean => release.status?.phase === "Completed";
const committed = (release: Release): boolean =>
  completed(release) && release.status?.report?.gitCommit !== undefined;

function condition(release: Release, type: string): Condition | undefined {
  return release.status?.conditions?.find((entry) => entry.type === type);
}

/** `YYYY-MM-DD-HHmm` of an RFC 3339 time, in UTC: the time part of report file names. */
function fileStamp(at: string | undefined): string {
  const iso = new Date(at ?? Number.NaN).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** Where SPEC section 5 puts a release's reports in the repository. */
function expectedPaths(started: Started, release: Release): { release: string; rollback: string } {
  const stem = `${started.version}_${started.env}_${fileStamp(release.status?.startedAt)}.md`;
  return { release: `${started.folder}/release_${stem}`, rollback: `${started.folder}/rollback_${stem}` };
}

async function clone(): Promise<ReportClone> {
  const repository = await cloneReportRepo();
  clones.push(repository);
  return repository;
}

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

/** The interval numbers of the watch table rows in a report: `| 3 | T+6s (2026-...) | ...`. */
function intervalRows(markdown: string): number[] {
  return [...markdown.matchAll(/^\| (\d+) \| \S+ \(\d{4}-[^)]*\) \|/gm)].map((match) => Number(match[1]));
}

beforeAll(async () => {
  await applySharedFixtures();
  await applyRecorderScript();
  operator = await startOperator({ identity: IDENTITY });
  // Only the Lease's holder works: these tests read their operator's log and kill it.
  await waitUntilLeader(IDENTITY, 240_000);
});

afterAll(async () => {
  await operator.stop();
  for (const kind of ["release", "environment", "configmap", "secret"]) {
    await deleteObjects(
      kind,
      created.filter((entry) => entry.kind === kind).map((entry) => entry.name),
    );
  }
  // The reports stay in reports.git as any audit trail does; the tags of made-up versions go.
  await deleteReportTags(tags);
  for (const repository of clones) await repository.remove();
});

describe("a release that prints its Secret, its operator killed in the watch window, to Released", () => {
  const seeded = `e2e-seeded-${randomBytes(8).toString("hex")}-SECRET`;
  let started: Started;
  /** The release when its operator was killed. */
  let killed: Release;
  let done: Release;
  let report: Record<string, string>;

  beforeAll(async () => {
    started = await startReportRelease("main", {
      behaviour: { DEPLOY_STEPS: "3", DEPLOY_PRINT_ENV: "E2E_API_TOKEN" },
      deploySecret: { E2E_API_TOKEN: seeded },
      watch: { duration: KILLED_WINDOW },
    });
    killed = await releaseWhen(
      started.name,
      "two intervals into its watch window",
      (release) =>
        release.status?.phase === "WatchWindow" && (release.status.watch?.intervalsEvaluated ?? 0) >= 2,
      RELEASE_TIMEOUT_MS,
    );
    expect(await operator.kill("SIGKILL")).toBe("SIGKILL");
    operator = await startOperator({ identity: IDENTITY });
    await waitUntilLeader(IDENTITY, 30_000);
    done = await releaseWhen(started.name, "Completed, its report committed", committed, RELEASE_TIMEOUT_MS);
    report = await reportOf(started.name);
  });

  it("writes release.md to <release>-report: header, each phase's section, deploy output, interval table, chart, verdict", () => {
    const { name, env, version } = started;
    expect(done.status?.verdict).toBe("Released");
    expect(done.status?.report?.configMap).toBe(`${name}-report`);
    const markdown = report["release.md"] ?? "";
    expect(markdown.startsWith(`# Release ${version} to ${env}\n`)).toBe(true);
    expect(markdown).toContain(`- Release: ${NAMESPACE}/${name}\n`);
    expect(markdown).toContain(`- Rollback target: ${ROLLBACK_TARGET}`);
    expect(markdown).toMatch(/^- Verdict: Released: /m);
    for (const title of [
      "Phase 1: Pre-Release Gate",
      "Phase 2: Strategy Select",
      "Phase 3: Execute",
      "Phase 4: Smoke Test",
      "Phase 5: Watch Window",
    ]) {
      expect(occurrences(markdown, `\n## ${title}\n`), title).toBe(1);
    }
    // Each line as the kubelet timestamped it, in the Execute section.
    expect(markdown).toMatch(
      new RegExp(String.raw`Z deploying ${version.replaceAll(".", "\\.")} to ${env} `),
    );
    expect(markdown).toMatch(/Z step 3 of 3\n/);
    expect(markdown).toMatch(/^\| Interval \| At \| demo-app-up \|/m);
    expect(markdown).toMatch(
      /^```mermaid\n(?:%%\{.*\}%%\n)?xychart-beta\n {2}title "demo-app-up, release window"/m,
    );
    // Against its baseline and thresholds (SPEC section 5: "a chart of each watched metric against
    // baseline and thresholds"): the hard threshold of 2x is drawn.
    expect(markdown).toMatch(/^ {2}line "baseline" \[/m);
    expect(markdown).toMatch(/^ {2}line "hard threshold" \[/m);
    expect(markdown.trimEnd()).toMatch(
      new RegExp(`\\n## Verdict\\n\\n\\*\\*Released\\*\\* at ${done.status?.completedAt ?? "?"}: .+$`),
    );
    expect(report["watch.jsonl"]).toBeDefined();
  });

  it("commits release.md to reports.git as release-operator, tags release/<version> there, and says so", async () => {
    const { name, env, version } = started;
    const paths = expectedPaths(started, done);
    const commit = done.status?.report?.gitCommit ?? "";
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(done.status?.report).toMatchObject({ gitPath: paths.release, gitTag: `release/${version}` });
    expect(done.status?.report?.rollbackGitPath).toBeUndefined();
    expect(done.status?.report?.gitAttempts).toBeUndefined();
    expect(condition(done, "ReportPublished")).toMatchObject({ status: "True", reason: "Committed" });
    expect(condition(done, "ReportPublished")?.message).toContain(commit.slice(0, 12));
    await expect
      .poll(() => eventMessages("Release", name, "ReportCommitted", "Normal"), { timeout: 15_000 })
      .toEqual([expect.stringContaining(paths.release)]);

    const repository = await clone();
    expect(await repository.filesAt(commit, started.folder)).toEqual([paths.release]);
    expect(await repository.show(commit, paths.release)).toBe(report["release.md"]);
    const info = await repository.commit(commit);
    expect(info.authorName).toBe("release-operator");
    expect(info.message.split("\n")[0]).toMatch(
      new RegExp(`^release ${version.replaceAll(".", "\\.")} to ${env}: Released`),
    );
    expect(info.message).toContain(`Release: ${NAMESPACE}/${name}`);
    expect(info.message).toContain("Verdict: Released");
    // The reason, without the verdict the subject already names.
    expect(info.message).toContain(
      reasonAfterVerdict("Released", done.status?.reason) || "(no reason in status)",
    );
    expect(await repository.tagCommit(`release/${version}`)).toBe(commit);
    // On the branch the Environment names (main by default), not only at a commit.
    expect(await repository.git(["merge-base", "--is-ancestor", commit, "refs/heads/main"])).toBe("");
  });

  it("continues the report after the kill: the window resumed, the deploy ran once, nothing in the report twice", async () => {
    const { name, version } = started;
    const phase = (release: Release, phaseName: string) =>
      release.status?.phases?.find((record) => record.phase === phaseName);
    // Resumed, not restarted: the same window and Execute record, one deploy on the node.
    expect(done.status?.watch?.startedAt).toBe(killed.status?.watch?.startedAt);
    expect(phase(done, "Execute")?.startedAt).toBe(phase(killed, "Execute")?.startedAt);
    expect(runsOf(name)).toEqual([`deploy ${version}`]);
    const before = killed.status?.watch?.intervalsEvaluated ?? 0;
    expect(done.status?.watch?.intervalsEvaluated ?? 0).toBeGreaterThan(before);
    const phases = (done.status?.phases ?? []).map((record) => record.phase);
    expect(new Set(phases).size).toBe(phases.length);

    const markdown = report["release.md"] ?? "";
    const headings = markdown.match(/^## .+$/gm) ?? [];
    expect(new Set(headings).size, headings.join("\n")).toBe(headings.length);
    // deploy.sh printed 7 lines: the first, the Secret's two, three steps, the last.
    expect(report["deploy.log"]).toMatch(/^# 7 lines\n/);
    for (const line of [`deploying ${version} to`, "step 1 of 3", "step 3 of 3", `deployed ${version}`]) {
      expect(occurrences(markdown, line), line).toBe(1);
      expect(occurrences(report["deploy.log"] ?? "", line), line).toBe(1);
    }
    // Every interval once, in order, none lost: those before the kill and those after the restart.
    const rows = intervalRows(markdown);
    const evaluated = done.status?.watch?.intervalsEvaluated ?? 0;
    expect(rows).toEqual(Array.from({ length: evaluated }, (_, index) => index + 1));
    const series = (report["watch.jsonl"] ?? "")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { interval: number }).interval);
    expect(series).toEqual(rows);

    // One report file for the release, written by one commit.
    const repository = await clone();
    expect(await repository.commitsTouching(started.folder)).toEqual([done.status?.report?.gitCommit]);
    expect(await repository.filesAt("refs/heads/main", started.folder)).toEqual([
      done.status?.report?.gitPath,
    ]);
  });

  it("keeps the Secret's value out of the report, git, status, Events and the operator's log, printed as [REDACTED]", async () => {
    const { name, env } = started;
    const { git } = inject("cluster");
    const repository = await clone();
    const written: Record<string, string> = {
      "the report ConfigMap": await kubectl([
        "get",
        "configmap",
        `${name}-report`,
        "-n",
        NAMESPACE,
        "-o",
        "json",
      ]),
      "the Release": await kubectl(["get", "release", name, "-n", NAMESPACE, "-o", "json"]),
      "the Environment": await kubectl(["get", "environment", env, "-n", NAMESPACE, "-o", "json"]),
      "the namespace's Events": await kubectl(["get", "events", "-n", NAMESPACE, "-o", "json"]),
      "the operator's log": operator.logs(),
      "reports.git (every commit, message and patch)": await repository.everything(),
    };
    for (const [where, text] of Object.entries(written)) {
      expect(text.includes(seeded), `the seeded value is in ${where}`).toBe(false);
      // The report repository's password is a credentials Secret's value: as secret.
      expect(text.includes(git.credentials.password), `the git password is in ${where}`).toBe(false);
    }
    expect(written["the operator's log"]).toContain(name);
    // deploy.sh did print it, in a line and as a line of its own: removed, not absent.
    for (const text of [report["deploy.log"] ?? "", report["release.md"] ?? ""]) {
      expect(text).toContain("connecting with E2E_API_TOKEN=[REDACTED] to the target");
      expect(text).toMatch(/Z \[REDACTED\]\n/);
    }
    expect(
      await repository.show(done.status?.report?.gitCommit ?? "", done.status?.report?.gitPath ?? ""),
    ).toContain("E2E_API_TOKEN=[REDACTED]");
  });
});

describe("a deploy that prints 2 MB", () => {
  it("keeps the report ConfigMap under 1 MiB, the first and last lines, and says how much was cut", async () => {
    const { name, version } = await startReportRelease("biglog", {
      behaviour: { DEPLOY_OUTPUT_BYTES: String(BIG_LOG_BYTES) },
      gitPassword: null,
    });
    const done = await releaseWhen(name, "Completed", completed, RELEASE_TIMEOUT_MS);
    expect(done.status?.verdict).toBe("Released");
    const report = await reportOf(name);
    const stored = Object.entries(report).reduce(
      (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
      0,
    );
    expect(stored).toBeLessThan(CONFIGMAP_LIMIT_BYTES);

    const log = report["deploy.log"] ?? "";
    const summary = /^# (\d+) lines, (\d+) lines \((\d+) bytes\) cut between line (\d+) and (\d+)$/m.exec(
      log,
    );
    expect(summary, log.slice(0, 200)).not.toBeNull();
    const [line = "", total, cutLines, cutBytes, from, to] = summary ?? [];
    expect(log.startsWith(`${line}\n`)).toBe(true);
    // Every line deploy.sh printed is counted: its first, the big output, one step, its last.
    expect(Number(total)).toBe(BIG_LOG_LINES + 3);
    expect(Number(to) - Number(from) + 1).toBe(Number(cutLines));
    expect(Number(cutBytes)).toBeGreaterThan(BIG_LOG_BYTES - 200 * 1024);
    expect(log.includes(`\n... ${cutLines} lines cut ...\n`), "deploy.log marks where it cut").toBe(true);
    const first = `output line ${"1".padStart(7, "0")} `;
    const last = `output line ${String(BIG_LOG_LINES).padStart(7, "0")} `;
    const kept = [line, `deploying ${version} to`, first, last, `Z deployed ${version}`];
    for (const [key, text] of [
      ["deploy.log", log],
      ["release.md", report["release.md"] ?? ""],
    ] as const) {
      // Not toContain: a failure would print the whole report.
      for (const part of kept) expect(text.includes(part), `${key} keeps "${part}"`).toBe(true);
    }
    expect(log.endsWith(`Z deployed ${version}`), "deploy.log ends with the last line printed").toBe(true);
  });
});

describe("a git outage", () => {
  it("does not hold the verdict: ReportPublished says GitUnavailable and retries, and the fixed Environment gets its commit", async () => {
    const { git } = inject("cluster");
    const wrong = `wrong-${randomBytes(9).toString("hex")}`;
    const started = await startReportRelease("outage", { gitPassword: wrong });
    const { name, version } = started;
    const failing = await releaseWhen(
      name,
      "Completed, its report not in git",
      (release) => completed(release) && (release.status?.report?.gitAttempts ?? 0) >= 1,
      RELEASE_TIMEOUT_MS,
    );
    expect(failing.status?.verdict).toBe("Released");
    expect(failing.status?.report?.gitCommit).toBeUndefined();
    const unavailable = condition(failing, "ReportPublished");
    expect(unavailable).toMatchObject({ status: "False", reason: "GitUnavailable" });
    expect(unavailable?.message).toMatch(/authentication failed/);
    expect(Date.parse(failing.status?.report?.gitNextAttemptAt ?? "")).toBeGreaterThan(
      Date.parse(unavailable?.lastTransitionTime ?? ""),
    );
    await expect
      .poll(() => eventMessages("Release", name, "ReportNotCommitted", "Warning"), { timeout: 15_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/not in git yet: .*authentication failed/)]));
    // A wrong password is still a credentials Secret's value.
    const events = await kubectl(["get", "events", "-n", NAMESPACE, "-o", "json"]);
    expect(JSON.stringify(failing).includes(wrong) || events.includes(wrong)).toBe(false);

    await applySecret(started.gitSecret, {
      username: git.credentials.username,
      password: git.credentials.password,
    });
    // The retries come 5 s, 10 s, 20 s apart: the next one after the fix commits.
    const published = await releaseWhen(name, "its report committed once git works", committed, 60_000);
    expect(published.status?.verdict).toBe("Released");
    expect(published.status?.completedAt).toBe(failing.status?.completedAt);
    expect(condition(published, "ReportPublished")).toMatchObject({ status: "True", reason: "Committed" });
    expect(published.status?.report?.gitAttempts).toBeUndefined();
    expect(published.status?.report?.gitNextAttemptAt).toBeUndefined();
    const commit = published.status?.report?.gitCommit ?? "";
    const repository = await clone();
    expect(await repository.filesAt(commit, started.folder)).toEqual([
      expectedPaths(started, published).release,
    ]);
    expect(await repository.tagCommit(`release/${version}`)).toBe(commit);
  });
});

describe("a release rolled back", () => {
  it("writes rollback.md beside release.md, commits both in one commit, and sets no release tag", async () => {
    const started = await startReportRelease("rollback", { behaviour: { DEPLOY_EXIT: "1" } });
    const { name, env, version } = started;
    const done = await releaseWhen(name, "Rolled-Back, its reports committed", committed, RELEASE_TIMEOUT_MS);
    expect(done.status?.verdict).toBe("Rolled-Back");
    expect(runsOf(name)).toEqual([`deploy ${version}`, `rollback ${ROLLBACK_TARGET}`]);
    const report = await reportOf(name);
    expect(report["rollback.md"]).toMatch(
      new RegExp(`^# Rollback of ${version.replaceAll(".", "\\.")} in ${env}\n`),
    );
    expect(report["rollback.md"]).toContain(`rolled back to ${ROLLBACK_TARGET}`);
    expect(report["rollback.md"]).toMatch(/^## Mini Watch Window$/m);
    expect(report["release.md"]).toMatch(/^## Rollback$/m);
    expect(report["release.md"]).toContain("Rolled-Back");

    const paths = expectedPaths(started, done);
    const commit = done.status?.report?.gitCommit ?? "";
    expect(done.status?.report).toMatchObject({ gitPath: paths.release, rollbackGitPath: paths.rollback });
    expect(done.status?.report?.gitTag).toBeUndefined();
    expect(condition(done, "ReportPublished")).toMatchObject({ status: "True", reason: "Committed" });

    const repository = await clone();
    expect(await repository.filesAt(commit, started.folder)).toEqual([paths.release, paths.rollback]);
    expect(await repository.show(commit, paths.release)).toBe(report["release.md"]);
    expect(await repository.show(commit, paths.rollback)).toBe(report["rollback.md"]);
    expect(await repository.commitsTouching(started.folder)).toEqual([commit]);
    const info = await repository.commit(commit);
    expect(info.authorName).toBe("release-operator");
    expect(info.message).toContain("Verdict: Rolled-Back");
    expect(await repository.tagCommit(`release/${version}`)).toBeUndefined();
  });
});
