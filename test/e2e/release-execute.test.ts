// Execute, SmokeTest and the rollback path against the real cluster: deploy.sh in Jobs on the nodes
// the Environment names, its output followed into the report, smoke cases over HTTP and as Jobs, and
// every way a release rolls back. The deploy script is a fixture that appends what it did to a file,
// so a test counts the runs, not the operator's claims.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment, EnvironmentSpec, Release } from "../../src/api/v1alpha1/index.js";
import { jobNameFor } from "../../src/release/jobs.js";
import { eventually, kubectl, uniqueName } from "./support/kubectl.js";
import { applyRecorderEnvironment, applyRecorderScript, jobsOf, runsOf } from "./support/deploys.js";
import { putDemoApp, type DemoDeployment } from "./support/demo-app.js";
import { startOperator, type OperatorProcess } from "./support/operator.js";
import {
  annotateAs,
  applyRelease,
  applySharedFixtures,
  deleteObjects,
  environmentSpec,
  eventsFor,
  getEnvironment,
  NAMESPACE,
  releaseWhen,
  reportOf,
} from "./support/releases.js";

const ONBOARD = {
  nodeSelector: { "node-role.kubernetes.io/onboard": "" },
  tolerations: [
    { key: "node-role.kubernetes.io/onboard", operator: "Exists" as const, effect: "NoSchedule" as const },
  ],
};

let operator: OperatorProcess;
let smokeServer: http.Server;
let smokeUrl: string;
const created: { kind: string; name: string }[] = [];
/** The demo app's deployment before this file, put back after it. */
let demoBefore: DemoDeployment | undefined;

async function apply(object: unknown): Promise<void> {
  await kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], {
    input: JSON.stringify(object),
  });
}

/**
 * An Environment whose deploy runs the recorder script with `behaviour` as its environment, and a
 * Release of 1.4.2 to it (rolling back to 1.4.1).
 */
async function releaseWith(
  prefix: string,
  behaviour: Record<string, string>,
  changes: Partial<EnvironmentSpec> = {},
  deploy: Partial<EnvironmentSpec["deploy"]> = {},
  name = uniqueName("nav-1-4-2"),
): Promise<{ env: string; name: string }> {
  const env = uniqueName(prefix);
  const { configMap } = await applyRecorderEnvironment(
    env,
    behaviour,
    {
      smoke: {
        http: [{ name: "api-ok", url: `${smokeUrl}/ok`, bodyMatch: { contains: "ok" } }],
        jobs: [{ name: "job-ok", image: "demo/smoke:1", command: ["sh", "-c", "echo smoke passed"] }],
      },
      ...changes,
    },
    deploy,
  );
  created.push({ kind: "configmap", name: configMap }, { kind: "environment", name: env });
  created.push({ kind: "release", name });
  await applyRelease(name, { environment: env, version: "1.4.2", rollbackTarget: "1.4.1" });
  return { env, name };
}

const completed = (release: Release): boolean => release.status?.phase === "Completed";

beforeAll(async () => {
  await applySharedFixtures();
  await applyRecorderScript();
  // `/ok` always answers; `/orders?release=<name>` fails until that release's rollback has run on
  // the node, as a broken version's endpoint would.
  smokeServer = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://smoke");
    const rolledBack = runsOf(url.searchParams.get("release") ?? "").some((run) =>
      run.startsWith("rollback"),
    );
    if (url.pathname === "/ok" || rolledBack) response.writeHead(200).end("ok\n");
    else response.writeHead(500).end("internal error: the new version cannot reach its database\n");
  });
  await new Promise<void>((resolve) => smokeServer.listen(0, "127.0.0.1", resolve));
  smokeUrl = `http://127.0.0.1:${(smokeServer.address() as AddressInfo).port}`;
  // Rolled-back releases end with a mini watch of 1.4.1, their rollback target: the demo app serves it.
  demoBefore = await putDemoApp({ stable: "1.4.1" });
  operator = await startOperator({ identity: "execute-e2e" });
});

afterAll(async () => {
  await operator.stop();
  smokeServer.close();
  if (demoBefore !== undefined) await putDemoApp(demoBefore);
  for (const kind of ["release", "environment", "configmap", "secret"]) {
    await deleteObjects(
      kind,
      created.filter((entry) => entry.kind === kind).map((entry) => entry.name),
    );
  }
});

describe("a deploy that works", () => {
  it("runs deploy.sh on the onboard node, follows its output into the report, passes smoke and goes on to the watch window", async () => {
    // The recorder deploys nothing, so the demo app never serves 1.4.2: a window and a no-data grace
    // longer than the test keep the release watching rather than rolling back for no data.
    const { name } = await releaseWith(
      "exec-good",
      { DEPLOY_STEPS: "3", DEPLOY_STEP_SECONDS: "0.2" },
      { watch: { ...environmentSpec().watch, duration: "10m", noDataGrace: "10m" } },
      ONBOARD,
    );
    const watching = await releaseWhen(
      name,
      "in the watch window",
      (release) => release.status?.phase === "WatchWindow" && release.status.watch !== undefined,
      90_000,
    );
    const smokeEnded = watching.status?.phases?.find((record) => record.phase === "SmokeTest")?.finishedAt;
    expect(Date.parse(watching.status?.watch?.startedAt ?? "")).toBeGreaterThanOrEqual(
      Date.parse(smokeEnded ?? ""),
    );
    expect(watching.status?.watch).toMatchObject({ window: "release", version: "1.4.2" });
    expect(watching.status?.conditions?.find((condition) => condition.type === "Reconciling")?.reason).toBe(
      "Watching",
    );
    const deploy = watching.status?.jobs?.find((job) => job.purpose === "deploy");
    expect(deploy).toMatchObject({
      name: `${name}-deploy`,
      nodeName: "onboard",
      exitCode: 0,
      outcome: "Succeeded",
    });
    expect(runsOf(name)).toEqual(["deploy 1.4.2"]);
    expect(watching.status?.smoke?.map((result) => [result.name, result.run, result.passed])).toEqual([
      ["api-ok", "release", true],
      ["job-ok", "release", true],
    ]);
    const report = await reportOf(name);
    // Each line of output, timestamped by the kubelet, in the report.
    expect(report["release.md"]).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z deploying 1\.4\.2 to /);
    expect(report["release.md"]).toMatch(/Z step 3 of 3/);
    expect(report["release.md"]).toContain("| api-ok | http | passed |");
    expect(report["deploy.log"]).toMatch(/^# 5 lines/);
    const env = watching.spec.environment;
    expect(report["release.md"]).toContain(`deploying 1.4.2 to ${env} with all-at-once (previous none)`);

    // Not watched to the end here (release-watch.test.ts does that): skipped, it ends at once.
    await annotateAs(
      "alice",
      name,
      "release-operator.io/skip-watch=execute test: the watch is not under test",
    );
    const done = await releaseWhen(name, "completed", completed);
    expect(done.status?.verdict).toBe("Released-with-override");
    expect(runsOf(name)).toEqual(["deploy 1.4.2"]);
  });
});

describe("rolling back", () => {
  it("a deploy that exits 1 is rolled back: deploy.sh --rollback <target>, then smoke again (a Release name too long for a label)", async () => {
    // Longer than a label value may be: Job names and labels are cut with a hash, the report keeps the name.
    const { name } = await releaseWith(
      "exec-exit1",
      { DEPLOY_EXIT: "1" },
      {},
      {},
      uniqueName("navigation-onboard-software-release-1-4-2-hotfix-candidate"),
    );
    expect(name.length).toBeGreaterThan(63);
    const done = await releaseWhen(name, "completed", completed, 90_000);
    expect(done.status?.verdict).toBe("Rolled-Back");
    expect(done.status?.reason).toMatch(/^deploy script failure: exit code 1 .*-> rolled back to 1\.4\.1/);
    // After the smoke cases again, the mini watch window on 1.4.1, which the demo app serves.
    expect(done.status?.reason).toMatch(
      /-> smoke after the rollback passed \(2 cases\) -> mini watch window of 10s on 1\.4\.1 passed \(\d+ intervals?, no hard breach\)$/,
    );
    expect(done.status?.rollbackWatch).toMatchObject({ window: "rollback", version: "1.4.1" });
    expect(runsOf(name)).toEqual(["deploy 1.4.2", "rollback 1.4.1"]);
    expect(
      done.status?.smoke?.filter((result) => result.run === "rollback").map((result) => result.passed),
    ).toEqual([true, true]);
    expect(await jobsOf(name)).toEqual(
      (["deploy", "rollback", "rollback-smoke-0"] as const)
        .map((purpose) => jobNameFor(name, purpose))
        .sort(),
    );
    const report = await reportOf(name);
    expect(report["release.md"]).toContain("deploy of 1.4.2 failed");
    expect(report["release.md"]).toContain("rolled back to 1.4.1");
  });

  it("a deploy that prints nothing for idleTimeout is stopped, its snapshot kept, and rolled back as hung", async () => {
    const { name } = await releaseWith("exec-hang", { DEPLOY_HANG: "1" }, {}, { idleTimeout: "4s" });
    const done = await releaseWhen(name, "completed", completed, 90_000);
    expect(done.status?.verdict).toBe("Rolled-Back");
    expect(done.status?.reason).toContain("Deploy hung — manual investigation required");
    expect(done.status?.jobs?.find((job) => job.purpose === "deploy")?.outcome).toBe("Hung");
    // The hung Job is gone; the rollback ran in its own.
    expect(await jobsOf(name)).not.toContain(`${name}-deploy`);
    expect(runsOf(name)).toEqual(["deploy 1.4.2", "rollback 1.4.1"]);
    const report = await reportOf(name);
    expect(report["deploy-snapshot.txt"]).toContain(`Snapshot of Job ${NAMESPACE}/${name}-deploy`);
    expect(report["deploy-snapshot.txt"]).toContain("waiting for the target to answer");
    expect(report["release.md"]).toContain("Snapshot taken before the Job was stopped");
  });

  it("a smoke case that gets 500 rolls back, naming the case; the rolled-back version passes it", async () => {
    const name = uniqueName("nav-1-4-2");
    await releaseWith(
      "exec-smoke500",
      {},
      {
        smoke: {
          http: [
            { name: "api-ok", url: `${smokeUrl}/ok` },
            { name: "orders-write", method: "POST", url: `${smokeUrl}/orders?release=${name}`, body: "{}" },
          ],
        },
      },
      {},
      name,
    );
    const done = await releaseWhen(name, "completed", completed, 90_000);
    expect(done.status?.verdict).toBe("Rolled-Back");
    expect(done.status?.reason).toMatch(/^smoke test failure: orders-write -> rolled back to 1\.4\.1/);
    const failed = done.status?.smoke?.find(
      (result) => result.name === "orders-write" && result.run === "release",
    );
    expect(failed?.passed).toBe(false);
    expect(failed?.message).toContain("expected status 200, got 500");
    expect(failed?.message).toContain("cannot reach its database");
    expect(runsOf(name)).toEqual(["deploy 1.4.2", "rollback 1.4.1"]);
  });

  it("a rollback that fails ends Rollback-Failed: no further Job, a human asked, the version unknown", async () => {
    const { env, name } = await releaseWith("exec-rbfail", { DEPLOY_EXIT: "1", ROLLBACK_EXIT: "1" });
    const done = await releaseWhen(name, "completed", completed, 90_000);
    expect(done.status?.verdict).toBe("Rollback-Failed");
    expect(done.status?.reason).toMatch(
      /^deploy script failure: exit code 1.* -> rollback to 1\.4\.1 failed: exit code 1.* -> the target is in an unknown state: a human must take over/,
    );
    expect(runsOf(name)).toEqual(["deploy 1.4.2", "rollback 1.4.1"]);
    expect(await jobsOf(name)).toEqual([`${name}-deploy`, `${name}-rollback`]);
    const events = await eventsFor("Release", name);
    expect(events.some((event) => event.type === "Warning" && event.reason === "HumanTakeoverRequired")).toBe(
      true,
    );
    const stalled = done.status?.conditions?.find((condition) => condition.type === "Stalled");
    expect(stalled?.status).toBe("True");
    const environment = await releaseEnvironmentWhen(
      env,
      (entry) => entry.status?.currentVersionUnknown === true,
    );
    expect(environment.status?.conditions?.find((condition) => condition.type === "Ready")?.reason).toBe(
      "VersionUnknown",
    );
  });

  it("a rollback that hangs is stopped and gone before the release ends Rollback-Failed", async () => {
    const { name } = await releaseWith(
      "exec-rbhang",
      { DEPLOY_EXIT: "1", ROLLBACK_HANG: "1" },
      {},
      { idleTimeout: "4s" },
    );
    const done = await releaseWhen(name, "completed", completed, 90_000);
    expect(done.status?.verdict).toBe("Rollback-Failed");
    expect(done.status?.reason).toMatch(
      /-> rollback to 1\.4\.1 hung: deploy hung — manual investigation required \(no output for 4s.*\) -> the target is in an unknown state/,
    );
    expect(done.status?.jobs?.find((job) => job.purpose === "rollback")?.outcome).toBe("Hung");
    // Deleted before the verdict: a completed release is never looked at again.
    expect(await jobsOf(name)).toEqual([`${name}-deploy`]);
    expect(runsOf(name)).toEqual(["deploy 1.4.2", "rollback 1.4.1"]);
    const report = await reportOf(name);
    expect(report["rollback-snapshot.txt"]).toContain(`Snapshot of Job ${NAMESPACE}/${name}-rollback`);
    expect(report["rollback-snapshot.txt"]).toContain("waiting for the old version to answer");
  });

  it("abort during the deploy stops it and rolls back; a deploy Job deleted by someone is rolled back, never recreated", async () => {
    const aborted = await releaseWith("exec-abort", { DEPLOY_STEPS: "60", DEPLOY_STEP_SECONDS: "1" });
    const deleted = await releaseWith("exec-deleted", { DEPLOY_STEPS: "60", DEPLOY_STEP_SECONDS: "1" });
    const running = (release: Release): boolean =>
      release.status?.jobs?.some((job) => job.purpose === "deploy" && job.nodeName !== undefined) === true;
    await Promise.all([
      releaseWhen(aborted.name, "deploying", running, 60_000),
      releaseWhen(deleted.name, "deploying", running, 60_000),
    ]);
    await annotateAs("alice", aborted.name, "release-operator.io/abort=wrong config pushed");
    await kubectl(["delete", "job", `${deleted.name}-deploy`, "-n", NAMESPACE, "--wait=false"]);

    const [abortedDone, deletedDone] = await Promise.all([
      releaseWhen(aborted.name, "completed", completed, 90_000),
      releaseWhen(deleted.name, "completed", completed, 90_000),
    ]);
    expect(abortedDone.status?.verdict).toBe("Rolled-Back");
    expect(abortedDone.status?.reason).toMatch(
      /^abort requested .*wrong config pushed -> rolled back to 1\.4\.1/,
    );
    expect(deletedDone.status?.verdict).toBe("Rolled-Back");
    expect(deletedDone.status?.reason).toMatch(
      /^deploy Job \S+ was deleted before it finished; it is not created again/,
    );
    for (const name of [aborted.name, deleted.name]) {
      expect(runsOf(name)).toEqual(["deploy 1.4.2", "rollback 1.4.1"]);
      expect(await jobsOf(name)).not.toContain(`${name}-deploy`);
    }
  });
});

describe("a deploy that never starts", () => {
  it("no node takes its Pod within idleTimeout: the Job is stopped, its snapshot kept, Aborted with nothing deployed", async () => {
    const { env, name } = await releaseWith(
      "exec-unschedulable",
      {},
      {},
      { nodeSelector: { "node-role.kubernetes.io/nowhere": "" }, idleTimeout: "4s" },
    );
    const done = await releaseWhen(name, "completed", completed, 60_000);
    expect(done.status?.verdict).toBe("Aborted");
    expect(done.status?.reason).toMatch(
      /^Aborted at Execute: deploy Job \S+ was not scheduled within 4s \(not scheduled: Unschedulable: .*\); deploy\.sh never ran, nothing was deployed$/,
    );
    expect(done.status?.jobs?.find((job) => job.purpose === "deploy")?.outcome).toBe("NotStarted");
    expect(runsOf(name)).toEqual([]);
    expect(await jobsOf(name)).toEqual([]);
    const report = await reportOf(name);
    expect(report["deploy-snapshot.txt"]).toContain("(not scheduled)");
    expect(report["deploy-snapshot.txt"]).toContain("FailedScheduling");
    // Nothing ran, so the Environment's version is what it was, and known.
    const environment = await releaseEnvironmentWhen(env, (entry) => entry.status?.activeRelease !== name);
    expect(environment.status?.currentVersionUnknown).toBeUndefined();
  });
});

describe("a deploy Job the API server refuses", () => {
  it("an affinity Kubernetes finds invalid: Aborted with the API server's words, nothing deployed, nothing retried", async () => {
    // The Environment passes an affinity through as it is: only the API server judges it.
    const { name } = await releaseWith(
      "exec-refused",
      {},
      {},
      {
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
        },
      },
    );
    const done = await releaseWhen(name, "completed", completed, 60_000);
    expect(done.status?.verdict).toBe("Aborted");
    expect(done.status?.reason).toMatch(
      /^Aborted at Execute: deploy Job \S+ was refused by the API server \(422: .*nodeSelectorTerms.*\); deploy\.sh never ran, nothing was deployed$/,
    );
    expect(await jobsOf(name)).toEqual([]);
    expect(runsOf(name)).toEqual([]);
  });
});

describe("the deploy's environment", () => {
  it("a placeholder secret value is rejected before any Job, naming the variable and never its value", async () => {
    const secret = uniqueName("exec-env");
    const placeholder = "changeme";
    await apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secret, namespace: NAMESPACE },
      stringData: { API_TOKEN: placeholder, DATABASE_URL: "postgres://db.internal:5432/nav" },
    });
    created.push({ kind: "secret", name: secret });
    const { name } = await releaseWith(
      "exec-placeholder",
      {},
      {},
      {
        envFrom: [{ secretRef: { name: secret } }],
        requiredEnv: ["API_TOKEN", "DATABASE_URL"],
      },
    );
    const done = await releaseWhen(name, "completed", completed, 60_000);
    expect(done.status?.verdict).toBe("Aborted");
    expect(done.status?.reason).toContain(`API_TOKEN from Secret ${secret}`);
    expect(done.status?.reason).toContain("nothing was deployed");
    expect(await jobsOf(name)).toEqual([]);
    expect(runsOf(name)).toEqual([]);

    const events = await eventsFor("Release", name);
    const report = await reportOf(name);
    const everything = [
      JSON.stringify(done.status),
      JSON.stringify(events),
      JSON.stringify(report),
      operator.logs(),
    ].join("\n");
    expect(everything).toContain("API_TOKEN");
    expect(everything).not.toContain(placeholder);
  });
});

function releaseEnvironmentWhen(
  name: string,
  check: (environment: Environment) => boolean,
): Promise<Environment> {
  return eventually(
    `Environment ${name} in the expected state`,
    async () => {
      const environment = await getEnvironment(name);
      return check(environment) ? environment : undefined;
    },
    30_000,
  );
}
