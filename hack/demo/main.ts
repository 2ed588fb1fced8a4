/**
 * The demo (hack/demo.sh, which installs Node 24, the npm packages and the Kubernetes binaries first):
 * brings up the local cluster (as `npm run cluster -- up`, idempotent), applies an Environment of its
 * own, starts the operator as a process with its ServiceAccount's rights, and releases the demo app
 * twice: 1.4.2 (good) to Released, then 1.4.3 (bad) to Rolled-Back by a hard breach, printing each
 * phase and each watch reading as it comes. The operator is killed once in the middle and restarted.
 * Ends with `kubectl get releases`, where the reports are and how to read them; the operator is
 * stopped, the cluster left running. Re-runs start from the same place: the previous run's Releases are
 * removed and the demo app is put back on 1.4.1.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterInfo } from "../cluster/info.js";
import { kubectl } from "../cluster/kubectl.js";
import { bringUp } from "../cluster/lifecycle.js";
import { DEMO_APP_SERVICE } from "../cluster/fixtures/demo-app.js";
import { defaultStateDir, REPO_ROOT } from "../cluster/paths.js";
import { readRecords } from "../cluster/processes.js";
import type { Release } from "../../src/api/v1alpha1/index.js";
import { approveCommand } from "../../src/release/commands.js";
import {
  adminKubectl,
  applyDemoObjects,
  createDemoRelease,
  DEMO_ENVIRONMENT,
  DEMO_NAMESPACE,
  DEMO_RELEASES,
  DEMO_WATCH,
  removePreviousRun,
  resetDemoApp,
  START_VERSION,
  type DemoRelease,
} from "./fixtures.js";
import { followRelease, releaseReader } from "./follow.js";
import { afterReportCommits, envFileRelative, summaryFor } from "./outcomes.js";
import {
  activeOtherLeader,
  DEMO_DIR,
  readLease,
  startDemoOperator,
  tailOfOperatorLog,
  type DemoOperator,
} from "./operator.js";
import { clockOf } from "./progress.js";
import { publicationOf } from "./summary.js";

/** Each release gets this long from creation to its verdict. */
const RELEASE_TIMEOUT_MS = 5 * 60_000;
/** How long the operator stays dead before it is started again: longer than a watch interval. */
const KILLED_FOR_MS = 6_000;
/** How long the operator may take to commit both reports to git after the last verdict. */
const REPORT_COMMIT_TIMEOUT_MS = 30_000;
/**
 * How long 1.4.1 serves alone before the first release: the baseline averages each metric over the
 * 30 s before the deploy, and a rate read seconds after a version came back is made of a handful of
 * requests (no error yet reads 0%), which would make the baseline too low and a good version look worse.
 */
const WARM_UP_MS = 60_000;
/** The human who approves: in the release-approvers group (hack/cluster/control-plane.ts HUMAN_USERS). */
const APPROVER = "alice";

const LOG_FILE = path.join(DEMO_DIR, "operator.log");
const GIT_CACHE_DIR = path.join(DEMO_DIR, "git-cache");

const out = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};
const step = (title: string): void => {
  out();
  out(`==> ${title}`);
};
/** When the demo app's process started (it starts on 1.4.1); now when the cluster has no record of it. */
function demoAppStartedAt(): string {
  const record = readRecords(defaultStateDir()).find((entry) => entry.name === DEMO_APP_SERVICE);
  return record?.startedAt ?? new Date().toISOString();
}

const now = (): string => clockOf(new Date().toISOString());
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

let operator: DemoOperator | undefined;
/** Whether this run started the operator, so its log is this run's. */
let operatorLogged = false;

async function startOperator(cluster: ClusterInfo, why: string): Promise<void> {
  operator = await startDemoOperator(cluster, { logFile: LOG_FILE, gitCacheDir: GIT_CACHE_DIR });
  const leading =
    operator.leaderMs === undefined
      ? `; WARNING: it is not the leader, ${operator.otherLeader ?? "another operator"} holds the Lease and runs the releases`
      : `, leader in ${seconds(operator.leaderMs)}`;
  out(
    `${now()}  operator ${why} (pid ${operator.pid ?? "?"}), ready in ${seconds(operator.readyMs)}${leading}`,
  );
}

/** The reactions to a reading: approve the gate as alice, and kill the operator once. */
function reactions(cluster: ClusterInfo, release: DemoRelease, killOnce: boolean) {
  let approved = false;
  let killed = !killOnce;
  return async (reading: Release): Promise<void> => {
    const status = reading.status ?? {};
    if (!approved && status.pendingDecision?.kind === "gate") {
      approved = true;
      const command = approveCommand({ namespace: DEMO_NAMESPACE, name: release.name });
      out(
        `${now()}  ${release.name}  ${APPROVER} approves: ${command}   (as ${APPROVER}: KUBECONFIG=$KUBECONFIG_ALICE)`,
      );
      await kubectl(cluster.binDir, cluster.kubeconfigs.alice, [
        "annotate",
        "release",
        release.name,
        "-n",
        DEMO_NAMESPACE,
        "approved=true",
      ]);
    }
    if (!killed && status.phases?.some((record) => record.phase === "SmokeTest") === true) {
      killed = true;
      const running = operator;
      out(
        `${now()}  operator: SIGKILL (pid ${running?.pid ?? "?"}) while ${release.name} is in ${status.phase ?? "?"}; ` +
          `everything the release has done is in its status and its report ConfigMap`,
      );
      await running?.stop("SIGKILL");
      operator = undefined;
      await sleep(KILLED_FOR_MS);
      await startOperator(cluster, `restarted after ${seconds(KILLED_FOR_MS)} without one`);
      out(
        `${now()}  operator: it resumes ${release.name} from its status; the report is continued, not restarted`,
      );
    }
  };
}

async function runRelease(cluster: ClusterInfo, release: DemoRelease, killOnce: boolean): Promise<Release> {
  step(`Release ${release.name}: ${release.story}`);
  await createDemoRelease(cluster, release);
  out(
    `${now()}  ${release.name}  created: version ${release.version} to Environment ${DEMO_ENVIRONMENT}, rollback target ${release.rollbackTarget}`,
  );
  const done = await followRelease(
    release.name,
    releaseReader(cluster.kubeconfigs.admin, DEMO_NAMESPACE, release.name),
    {
      timeoutMs: RELEASE_TIMEOUT_MS,
      print: out,
      onReading: reactions(cluster, release, killOnce),
    },
  );
  const verdict = done.status?.verdict;
  if (verdict !== release.expected) {
    throw new Error(
      `Release ${release.name} (${release.version}) ended ${verdict ?? "without a verdict"}, expected ${release.expected}: ${done.status?.reason ?? "no reason given"}`,
    );
  }
  if (release.expected === "Rolled-Back") {
    const hard = done.status?.breaches?.find(
      (breach) => breach.severity === "hard" && (breach.window ?? "release") === "release",
    );
    if (hard === undefined) {
      throw new Error(
        `Release ${release.name} was rolled back, but not by a hard breach of its watch window: ${done.status?.reason ?? "no reason given"}`,
      );
    }
  }
  return done;
}

/** Waits until the Environment says it runs `version` (the operator sets it on Released). */
async function environmentOn(cluster: ClusterInfo, version: string): Promise<void> {
  const run = adminKubectl(cluster);
  const deadline = Date.now() + 30_000;
  let current = "";
  while (Date.now() < deadline) {
    current = await run([
      "get",
      "environment",
      DEMO_ENVIRONMENT,
      "-n",
      DEMO_NAMESPACE,
      "-o",
      "jsonpath={.status.currentVersion}",
    ]);
    if (current === version) {
      out(`${now()}  Environment ${DEMO_ENVIRONMENT}: current version ${version}`);
      return;
    }
    await sleep(500);
  }
  throw new Error(
    `Environment ${DEMO_ENVIRONMENT} did not show current version ${version} within 30 s (it shows ${current || "none"})`,
  );
}

async function demo(): Promise<void> {
  const started = Date.now();
  out("release-operator demo: a local cluster, the operator, and two releases of the demo app to a verdict.");
  out(
    `The demo's windows are short: a watch window of ${DEMO_WATCH.duration} with a reading every ${DEMO_WATCH.interval} ` +
      "(production watches for 30 to 60 minutes, every minute). Times are UTC.",
  );

  step("The local cluster (npm run cluster -- up: starts what is not running, reuses what is)");
  const cluster = await bringUp(defaultStateDir());
  out(
    `    Kubernetes ${cluster.kubernetesVersion} at ${cluster.apiserverUrl}; Prometheus ${cluster.prometheus.url}`,
  );
  out(`    demo app ${cluster.demoApp.url}; git ${cluster.git.url}; registry ${cluster.registry.host}`);

  // The e2e suites share the demo app and the operator's Lease: a demo beside them would deploy over
  // their releases, and their operator would run the demo's.
  const other = activeOtherLeader(await readLease(cluster), new Date());
  if (other !== undefined) {
    throw new Error(
      `another release-operator (identity ${other}) is running on this cluster and holds the leader Lease; ` +
        "it is probably an e2e run, which shares the demo app with the demo: run the demo once it has finished",
    );
  }

  step("A clean start: the previous run's Releases removed, the demo app back on 1.4.1");
  const removed = await removePreviousRun(cluster);
  out(
    `    ${removed.length === 0 ? "no previous demo Releases" : `removed ${removed.join(", ")} (their Jobs and report ConfigMaps with them)`}`,
  );
  const demoApp = await resetDemoApp(cluster, demoAppStartedAt());
  out(
    `    demo app: ${demoApp.changed ? "reset through its admin API to" : "already on"} ${JSON.stringify(demoApp.weights)}, since ${clockOf(demoApp.since.toISOString())}`,
  );

  step(`The demo's objects in namespace ${DEMO_NAMESPACE}`);
  await applyDemoObjects(cluster);
  out(
    `    Environment ${DEMO_ENVIRONMENT}: staging, approval required, 3 acceptance criteria, deploy.sh from hack/demo/deploy.sh, 2 smoke cases, ` +
      `error-rate and p95-latency from Prometheus against a pre-deploy baseline, reports to ${cluster.git.reportRepo}`,
  );
  out(
    "    Secrets and ConfigMaps: registry pull secret, git credentials, deploy script and its .env, JUnit results",
  );

  step("The operator, as a process with its ServiceAccount's token (the RBAC from config/)");
  // This run's log only: a failure shows its own tail.
  mkdirSync(DEMO_DIR, { recursive: true });
  writeFileSync(LOG_FILE, "");
  operatorLogged = true;
  await startOperator(cluster, "started");
  out(`    its log: ${path.relative(REPO_ROOT, LOG_FILE)}`);

  const [good, bad] = DEMO_RELEASES;
  const warmUpMs = demoApp.since.getTime() + WARM_UP_MS - Date.now();
  if (warmUpMs > 0) {
    out();
    out(
      `${now()}  ${START_VERSION} has served alone since ${clockOf(demoApp.since.toISOString())}: waiting ${seconds(warmUpMs)} more, ` +
        `so that the first release's pre-deploy baseline (the ${DEMO_WATCH.baseline.window} before its deploy) reads it steadily`,
    );
    await sleep(warmUpMs);
  }
  await runRelease(cluster, good, true);
  await environmentOn(cluster, good.version);
  await runRelease(cluster, bad, false);

  step("Both verdicts reached");
  out(
    `${now()}  waiting up to ${seconds(REPORT_COMMIT_TIMEOUT_MS)} for the operator to commit both reports to ${cluster.git.reportRepo}`,
  );
  const [released, rolledBack] = await afterReportCommits(
    cluster,
    [good.name, bad.name],
    REPORT_COMMIT_TIMEOUT_MS,
  );
  for (const release of [released, rolledBack]) {
    out(`${now()}  ${release?.metadata.name ?? "?"}  report in git: ${publicationOf(release?.status)}`);
  }
  out();
  out(`$ kubectl get releases ${good.name} ${bad.name}`);
  out(
    (await adminKubectl(cluster)(["get", "releases", "-n", DEMO_NAMESPACE, good.name, bad.name])).trimEnd(),
  );
  out();
  const completed = [released, rolledBack].filter((release) => release !== undefined);
  for (const line of await summaryFor(cluster, completed, LOG_FILE)) out(line);

  const stopping = operator;
  operator = undefined;
  await stopping?.stop("SIGTERM");
  out();
  out(`The operator is stopped (both verdicts reached). The demo took ${seconds(Date.now() - started)}.`);
  out(
    `The cluster keeps running (. ${envFileRelative(cluster)} to use it); stop it with: npm run cluster -- down`,
  );
  out(`Run the demo again with hack/demo.sh: it starts again from ${START_VERSION}.`);
}

async function stopOperator(): Promise<void> {
  const running = operator;
  operator = undefined;
  await running?.stop("SIGTERM");
}

process.once("SIGINT", () => {
  out("\nInterrupted: stopping the operator; the cluster keeps running (npm run cluster -- down stops it)");
  void stopOperator().finally(() => process.exit(130));
});

demo().then(
  () => {
    process.exitCode = 0;
  },
  async (error: unknown) => {
    process.stderr.write(
      `\nERROR: the demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    const tail = operatorLogged ? tailOfOperatorLog(LOG_FILE) : "";
    if (tail !== "") {
      process.stderr.write(
        `\nThe operator's log ends with (${path.relative(REPO_ROOT, LOG_FILE)}):\n${tail}\n`,
      );
    }
    await stopOperator();
    process.stderr.write(
      `\n${operatorLogged ? "The operator is stopped. " : ""}What started of the local cluster keeps running: ` +
        "npm run cluster -- status shows it, npm run cluster -- down stops it.\n",
    );
    process.exitCode = 1;
  },
);
