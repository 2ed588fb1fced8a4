// What the written verdict costs: composing the report ConfigMap (render, redact, fit) as every
// reconcile of a watched release does, and committing reports to a git repository, one after another
// and several operators racing for the same branch.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { API_VERSION, type Release } from "../src/api/v1alpha1/index.js";
import { publishReport } from "../src/providers/git/report-repo.js";
import { composeReport } from "../src/report/compose.js";
import { reportBytes } from "../src/report/fit.js";
import { BoundedLog } from "../src/report/job-log.js";
import { Redactor } from "../src/runtime/redaction.js";
import { TEN_METRICS as METRICS } from "../test/support/reports.js";

const at = (second: number): string => new Date(Date.UTC(2026, 11, 4, 10, 0, second)).toISOString();

function watched(intervals: number): Release {
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    metadata: { name: "nav-1-4-2", namespace: "default" },
    spec: { environment: "staging", version: "1.4.2" },
    status: {
      phase: "WatchWindow",
      startedAt: at(0),
      phases: [
        { phase: "Execute", startedAt: at(0), finishedAt: at(1), outcome: "Succeeded" },
        { phase: "WatchWindow", startedAt: at(2) },
      ],
      watch: {
        window: "release",
        version: "1.4.2",
        startedAt: at(2),
        endsAt: at(2 + 720 * 5),
        intervalsEvaluated: intervals,
        snapshots: [
          {
            at: at(2 + intervals * 5),
            elapsed: `T+${intervals * 5}s`,
            metrics: METRICS.map((metric, index) => {
              const value = 0.01 + ((intervals * (index + 1)) % 13) * 0.0007;
              return {
                metric: metric.name,
                value,
                baseline: 0.01,
                ratio: value / 0.01,
                verdict: "ok" as const,
              };
            }),
          },
        ],
      },
    },
  };
}

function deployLog(bytes: number): string {
  const log = new BoundedLog();
  const line = "x".repeat(100);
  for (let index = 0; index * 110 < bytes; index += 1) log.push({ at: at(1), text: `${index} ${line}` });
  return log.render();
}

/** A ConfigMap holding `intervals` readings, built as the reconciles build it. */
function storedAfter(intervals: number, redact: (data: Record<string, string>) => Record<string, string>) {
  let stored: Record<string, string> = {};
  for (let interval = 1; interval <= intervals; interval += 1) {
    stored = composeReport({
      release: watched(interval),
      stored,
      ...(interval === 1 ? { attachments: { "deploy.log": deployLog(2 * 1024 * 1024) } } : {}),
      metrics: METRICS,
      redact,
    });
  }
  return stored;
}

function benchCompose(): void {
  const redactor = new Redactor();
  redactor.add(Array.from({ length: 50 }, (_, index) => `secret-value-${index}-${"s".repeat(index)}`));
  const redact = (data: Record<string, string>) => redactor.redactDeep(data);
  console.log("compose = render release.md + redact (50 secret values) + fit, 10 metrics, a 2 MB deploy log");
  for (const intervals of [1, 60, 720]) {
    const stored = storedAfter(intervals - 1, redact);
    const release = watched(intervals);
    const runs = 20;
    const start = performance.now();
    let data: Record<string, string> = stored;
    for (let run = 0; run < runs; run += 1)
      data = composeReport({ release, stored, metrics: METRICS, redact });
    const perCompose = (performance.now() - start) / runs;
    console.log(
      `  ${String(intervals).padStart(4)} intervals: ${perCompose.toFixed(1).padStart(7)} ms per compose, ConfigMap data ${(reportBytes(data) / 1024).toFixed(0)} KiB`,
    );
  }
}

function bareRepository(): { url: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-reports-"));
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", path.join(dir, "reports.git")]);
  return { url: `file://${path.join(dir, "reports.git")}`, dir };
}

async function benchGit(): Promise<void> {
  const content = storedAfter(60, (data) => data)["release.md"] ?? "";
  const count = Number(process.env.BENCH_REPORT_COMMITS ?? 20);
  const { url, dir } = bareRepository();
  try {
    const publish = (workDir: string, index: number) =>
      publishReport({
        url,
        branch: "main",
        files: [{ path: `_docs/04_release/release_1.4.${index}_staging_2026-12-04-1000.md`, content }],
        message: `release 1.4.${index} to staging: Released`,
        author: { name: "release-operator", email: "release-operator@localhost" },
        tag: `release/1.4.${index}`,
        workDir,
        timeoutMs: 60_000,
      });
    let start = performance.now();
    for (let index = 0; index < count; index += 1) await publish(path.join(dir, "work-a"), index);
    const sequential = (performance.now() - start) / count;
    console.log(
      `git: ${count} reports (${(content.length / 1024).toFixed(0)} KiB each) committed, tagged and pushed one after another: ${sequential.toFixed(0)} ms per report`,
    );
    // Bursts: four operators' clones each finishing a release at the same moment, every push after the
    // first of a burst losing its race and rebasing.
    start = performance.now();
    for (let round = 0; round < count / 4; round += 1) {
      await Promise.all(
        Array.from({ length: 4 }, (_, racer) =>
          publish(path.join(dir, `racer-${racer}`), count + round * 4 + racer),
        ),
      );
    }
    const raced = (performance.now() - start) / count;
    const commits = execFileSync(
      "git",
      ["--git-dir", path.join(dir, "reports.git"), "rev-list", "--count", "main"],
      {
        encoding: "utf8",
      },
    ).trim();
    console.log(
      `git: ${count} more in bursts of 4 racing clones: ${raced.toFixed(0)} ms per report; the branch holds ${commits} commits (none lost)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchReport(): Promise<void> {
  benchCompose();
  await benchGit();
}
