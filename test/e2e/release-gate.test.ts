// From `kubectl apply` to an approved strategy: the operator as a process (the operator's own
// ServiceAccount identity) against the real apiserver, git server, registry and Prometheus.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { EnvironmentSpec, Release, ReleaseSpec } from "../../src/api/v1alpha1/index.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { kubectl, kubectlAs, uniqueName } from "./support/kubectl.js";
import { scrapeMetrics, startOperator, type OperatorProcess } from "./support/operator.js";
import {
  annotateAs,
  applyEnvironment,
  applyRelease,
  applySharedFixtures,
  commandArgs,
  deleteObjects,
  environmentSpec,
  eventMessages,
  eventsFor,
  FIXTURE_OBJECTS,
  getEnvironment,
  getRelease,
  NAMESPACE,
  enteredExecute,
  releaseWaitingFor,
  releaseWhen,
} from "./support/releases.js";

let operator: OperatorProcess;
const fixturePath = (file: string): string =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", file);
const environments: string[] = [];
const releases: string[] = [];

function environmentName(prefix: string): string {
  const name = uniqueName(prefix);
  environments.push(name);
  return name;
}

function releaseName(prefix: string): string {
  const name = uniqueName(prefix);
  releases.push(name);
  return name;
}

/** A fresh Environment with `spec`, and a Release to it, named for its version. */
async function releaseTo(
  prefix: string,
  spec: EnvironmentSpec,
  release: Omit<ReleaseSpec, "environment">,
): Promise<{ env: string; name: string }> {
  const env = environmentName(prefix);
  await applyEnvironment(env, spec);
  const name = releaseName(`nav-${release.version.replaceAll(".", "-")}`);
  await applyRelease(name, { environment: env, ...release });
  return { env, name };
}

const condition = (release: Release, type: string) =>
  release.status?.conditions?.find((entry) => entry.type === type);

beforeAll(async () => {
  await applySharedFixtures();
  operator = await startOperator({ identity: "gate-e2e" });
});

afterAll(async () => {
  await operator.stop();
  await deleteObjects("releases", releases);
  await deleteObjects("environments", environments);
});

describe("a staging release with autoSelectStrategy and no approval", () => {
  it("reaches Execute in seconds, with the real change summary from git in status and in the report", async () => {
    const { env, name } = await releaseTo("staging", environmentSpec(), {
      version: "1.4.3",
      rollbackTarget: "1.4.2",
    });

    const release = await releaseWhen(name, "in Execute", enteredExecute, 30_000);
    const status = release.status ?? {};
    expect(status.phases?.slice(0, 3).map((record) => record.phase)).toEqual([
      "PreReleaseGate",
      "StrategySelect",
      "Execute",
    ]);
    expect(status.phases?.slice(0, 2).map((record) => record.outcome)).toEqual(["Succeeded", "Succeeded"]);
    // v1.4.2..v1.4.3 in the demo repo: a nav fix, a migration in map, a removal in geo.
    const changes = status.gate?.changes;
    expect(changes?.fromTag).toBe("v1.4.2");
    expect(changes?.commits).toBeGreaterThan(0);
    expect(changes?.components.map((entry) => entry.component)).toEqual(
      expect.arrayContaining(["map", "geo"]),
    );
    expect(changes?.migrations?.join("\n")).toContain("MAP-207");
    expect(status.gate?.text).toContain("PRE-RELEASE GATE");
    expect(status.gate?.text).toContain(`Target env: ${env}`);
    expect(status.gate?.text).toContain("Rollback target: 1.4.2");
    expect(status.gate?.checks.map((check) => [check.name, check.status])).toEqual(
      expect.arrayContaining([
        ["rollback-image", "Passed"],
        ["rollback-script", "Passed"],
        ["observability", "Passed"],
        ["approval", "Skipped"],
      ]),
    );
    expect(status.strategy).toMatchObject({ chosen: "all-at-once", source: "auto" });
    expect(status.observedGeneration).toBe(release.metadata.generation);

    const report = await kubectl([
      "get",
      "configmap",
      `${name}-report`,
      "-n",
      NAMESPACE,
      "-o",
      "jsonpath={.data.release\\.md}",
    ]);
    expect(report).toContain("## Phase 1: Pre-Release Gate");
    expect(report).toContain("PRE-RELEASE GATE");
    const { git, registry } = inject("cluster");
    expect(report).not.toContain(git.credentials.password);
    expect(JSON.stringify(release.status)).not.toContain(registry.credentials.password);

    const environment = await getEnvironment(env);
    expect(environment.status?.activeRelease).toBe(name);
    const events = await eventsFor("Release", name);
    expect(events.map((event) => event.reason)).toEqual(
      expect.arrayContaining(["PreReleaseGate", "StrategySelect", "Execute"]),
    );
  });

  it("recommends canary for a breaking change when the environment supports it", async () => {
    const { name } = await releaseTo("staging-breaking", environmentSpec(), {
      version: "1.4.5",
      rollbackTarget: "1.4.4",
    });
    const release = await releaseWhen(name, "in Execute", enteredExecute, 30_000);
    expect(release.status?.gate?.changes?.breaking).toBe(true);
    expect(release.status?.strategy).toMatchObject({
      recommended: "canary",
      chosen: "canary",
      source: "auto",
    });
  });
});

describe("a production release", () => {
  it("waits for approval with the exact command; approved=maybe is refused; the command moves it on", async () => {
    const { name } = await releaseTo(
      "production",
      environmentSpec({ tier: "production", smoke: { required: false } }),
      { version: "1.4.2", rollbackTarget: "1.4.1" },
    );

    const waiting = await releaseWaitingFor(name, "gate");
    const approve = waiting.status?.pendingDecision?.commands[0] ?? "";
    expect(approve).toBe(`kubectl annotate release ${name} -n ${NAMESPACE} approved=true`);
    expect(waiting.status?.phase).toBe("PreReleaseGate");

    const invalid = await annotateAs("alice", name, "approved=maybe");
    expect(invalid.exitCode, invalid.stderr).toBe(0);
    const refused = await releaseWhen(
      name,
      "DecisionsValid=False",
      (release) => condition(release, "DecisionsValid")?.status === "False",
    );
    expect(condition(refused, "DecisionsValid")?.message).toContain("valid: true, proceed, false, abort");
    expect(refused.status?.phase).toBe("PreReleaseGate");
    await expect
      .poll(() => eventMessages("Release", name, "InvalidDecision", "Warning"), { timeout: 15_000 })
      .toEqual([expect.stringContaining("valid: true, proceed, false, abort")]);

    const answered = await kubectlAs("alice", [...commandArgs(approve), "--overwrite"]);
    expect(answered.exitCode, answered.stderr).toBe(0);
    const selecting = await releaseWaitingFor(name, "strategy");
    expect(selecting.status?.phases?.[0]).toMatchObject({ phase: "PreReleaseGate", outcome: "Succeeded" });
    expect(selecting.status?.decisions?.map((decision) => [decision.value, decision.accepted])).toEqual([
      ["maybe", false],
      ["true", true],
    ]);
    const canary = selecting.status?.pendingDecision?.commands.find((command) =>
      command.endsWith("release-operator.io/strategy=canary"),
    );
    expect(canary).toBeDefined();
    const chosen = await kubectlAs("alice", commandArgs(canary ?? ""));
    expect(chosen.exitCode, chosen.stderr).toBe(0);
    const executing = await releaseWhen(name, "in Execute", enteredExecute);
    expect(executing.status?.strategy).toMatchObject({ chosen: "canary", source: "decision" });
    expect(executing.status?.pendingDecision).toBeUndefined();
  });

  it("with approval count 2, one approver is not enough", async () => {
    const { name } = await releaseTo(
      "production-4eyes",
      environmentSpec({
        tier: "production",
        smoke: { required: false },
        approval: { count: 2 },
        strategies: ["all-at-once"],
        autoSelectStrategy: true,
      }),
      { version: "1.4.2", rollbackTarget: "1.4.1" },
    );
    await releaseWaitingFor(name, "approval");

    await annotateAs("alice", name, "approval.release-operator.io/alice=approved");
    const one = await releaseWhen(name, "1 of 2 approvals", (release) =>
      (release.status?.gate?.checks.find((check) => check.name === "approval")?.message ?? "").includes(
        "1 of 2",
      ),
    );
    expect(one.status?.phase).toBe("PreReleaseGate");
    // The shorthand alone is no second approver.
    await annotateAs("alice", name, "approved=true");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await getRelease(name)).status?.phase).toBe("PreReleaseGate");

    // Approvals are authenticated: alice cannot approve in carol's name.
    const impersonated = await annotateAs("alice", name, "approval.release-operator.io/carol=approved");
    expect(impersonated.exitCode).not.toBe(0);
    expect(impersonated.stderr).toContain("alice may set only approval.release-operator.io/alice");

    await kubectl([
      "annotate",
      "release",
      name,
      "-n",
      NAMESPACE,
      "approval.release-operator.io/admin=approved",
    ]);
    const passed = await releaseWhen(name, "in Execute", enteredExecute);
    expect(passed.status?.gate?.checks.find((check) => check.name === "approval")?.message).toContain(
      "admin, alice",
    );
  });
});

describe("what blocks the gate", () => {
  it("a critical criterion with a failing JUnit test blocks until override-reason is set", async () => {
    const reportName = uniqueName("junit");
    await kubectl([
      "create",
      "configmap",
      reportName,
      "-n",
      NAMESPACE,
      `--from-literal=results.xml=${JUNIT_WITH_FAILURE}`,
    ]);
    const { name } = await releaseTo(
      "staging-ac",
      environmentSpec({
        acceptance: {
          criteria: [
            { id: "AC-1", tests: ["nav.RouteTest.test_route"], critical: true },
            { id: "AC-2", tests: ["nav.RerouteTest.test_reroute"], critical: true },
          ],
          reports: [{ configMap: { name: reportName } }],
        },
      }),
      { version: "1.4.4", rollbackTarget: "1.4.3" },
    );
    const blocked = await releaseWhen(
      name,
      "blocked at the gate",
      (release) => condition(release, "GatePassed")?.reason === "Blocked",
    );
    expect(blocked.status?.gate?.blockingIssues?.join("\n")).toContain("AC-2");
    expect(blocked.status?.pendingDecision?.kind).toBe("override");

    await annotateAs("alice", name, "release-operator.io/override-reason=reroute flake tracked in NAV-140");
    const passed = await releaseWhen(name, "in Execute", enteredExecute);
    expect(passed.status?.phases?.[0]).toMatchObject({ phase: "PreReleaseGate", outcome: "Overridden" });
    expect(passed.status?.gate?.openRisks).toEqual(
      expect.arrayContaining([expect.stringContaining("reroute flake tracked in NAV-140")]),
    );
    await kubectl(["delete", "configmap", reportName, "-n", NAMESPACE]);
  });

  it("a rollback target missing from the registry blocks, naming the image and tag", async () => {
    const cluster = inject("cluster");
    const { name } = await releaseTo("staging-noimage", environmentSpec(), {
      version: "1.4.2",
      rollbackTarget: "0.9.9",
    });
    const blocked = await releaseWhen(
      name,
      "blocked at the gate",
      (release) => condition(release, "GatePassed")?.reason === "Blocked",
    );
    const issue =
      blocked.status?.gate?.blockingIssues?.find((entry) => entry.startsWith("rollback-image")) ?? "";
    expect(issue).toContain(`${cluster.registry.host}/${cluster.registry.repository}:0.9.9`);
    expect(blocked.status?.phase).toBe("PreReleaseGate");
  });

  it("a deploy script without --rollback blocks", async () => {
    const { name } = await releaseTo(
      "staging-noflag",
      environmentSpec({
        deploy: {
          image: "demo/deploy-tools:1",
          script: { configMap: { name: FIXTURE_OBJECTS.scriptWithoutRollback, key: "deploy.sh" } },
        },
      }),
      { version: "1.4.2", rollbackTarget: "1.4.1" },
    );
    const blocked = await releaseWhen(
      name,
      "blocked at the gate",
      (release) => condition(release, "GatePassed")?.reason === "Blocked",
    );
    expect(blocked.status?.gate?.blockingIssues?.join("\n")).toContain("has no --rollback option");
  });

  it("a blackout holds the release and says until when", async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const { name } = await releaseTo(
      "staging-blackout",
      environmentSpec({ blackouts: [{ from: "2020-01-01T00:00:00Z", to: until, reason: "e2e freeze" }] }),
      { version: "1.4.2", rollbackTarget: "1.4.1" },
    );
    const held = await releaseWhen(
      name,
      "held by the blackout",
      (release) => condition(release, "GatePassed")?.reason === "Blackout",
    );
    expect(condition(held, "GatePassed")?.message).toContain("e2e freeze");
    expect(condition(held, "GatePassed")?.message).toContain(new Date(until).toISOString());
    expect(held.status?.phase).toBe("PreReleaseGate");
  });

  it("a broken PromQL query is named in the gate", async () => {
    const env = environmentName("staging-promql");
    const base = environmentSpec();
    await applyEnvironment(
      env,
      environmentSpec({
        watch: {
          ...base.watch,
          metrics: [
            ...base.watch.metrics,
            { name: "broken", query: 'sum(rate(demo_requests_total{version="{version}"}[1m])' },
          ],
        },
      }),
    );
    const name = releaseName("nav-1-4-2");
    await applyRelease(name, { environment: env, version: "1.4.2", rollbackTarget: "1.4.1" });
    const blocked = await releaseWhen(
      name,
      "blocked at the gate",
      (release) => condition(release, "GatePassed")?.reason === "Blocked",
    );
    const issue =
      blocked.status?.gate?.blockingIssues?.find((entry) => entry.startsWith("observability")) ?? "";
    expect(issue).toContain("metric broken");
    expect(issue).not.toContain("metric error-rate");
  });

  it("abort before Execute ends the release Aborted, nothing touched", async () => {
    const { env, name } = await releaseTo(
      "production-abort",
      environmentSpec({ tier: "production", smoke: { required: false } }),
      { version: "1.4.2", rollbackTarget: "1.4.1" },
    );
    await releaseWaitingFor(name, "gate");
    await annotateAs("alice", name, "release-operator.io/abort=wrong version");
    const aborted = await releaseWhen(name, "Aborted", (release) => release.status?.verdict === "Aborted");
    expect(aborted.status?.phase).toBe("Completed");
    expect(aborted.status?.reason).toContain("wrong version");
    expect(condition(aborted, "Stalled")?.status).toBe("True");
    const jobs = await kubectl([
      "get",
      "jobs",
      "-n",
      NAMESPACE,
      "-l",
      `release-operator.io/release=${name}`,
      "-o",
      "name",
    ]);
    expect(jobs.trim()).toBe("");
    await expect
      .poll(async () => (await getEnvironment(env)).status?.history?.[0]?.verdict, { timeout: 15_000 })
      .toBe("Aborted");
  });
});

describe("restrictions and readiness that take time", () => {
  it("outside a change window the gate waits, saying when it opens, and goes on by itself then", async () => {
    const env = environmentName("staging-window");
    // A window opening at the next minute boundary at least 15 s away, so the wait is seen first.
    const opens = new Date(Math.ceil((Date.now() + 15_000) / 60_000) * 60_000);
    const hhmm = (date: Date) => date.toISOString().slice(11, 16);
    const day = (["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const)[opens.getUTCDay()] ?? "Mon";
    await applyEnvironment(
      env,
      environmentSpec({
        changeWindows: [
          {
            days: [day],
            start: hhmm(opens),
            end: hhmm(new Date(opens.getTime() + 3_600_000)),
            timeZone: "UTC",
          },
        ],
      }),
    );
    const name = releaseName("nav-1-4-2");
    await applyRelease(name, { environment: env, version: "1.4.2", rollbackTarget: "1.4.1" });
    const waiting = await releaseWhen(
      name,
      "outside the change window",
      (release) => condition(release, "GatePassed")?.reason === "OutsideChangeWindow",
    );
    expect(condition(waiting, "GatePassed")?.message).toContain(opens.toISOString());
    const passed = await releaseWhen(name, "in Execute once the window opened", enteredExecute, 120_000);
    const gateEnded = Date.parse(passed.status?.phases?.[0]?.finishedAt ?? "");
    expect(gateEnded).toBeGreaterThanOrEqual(opens.getTime());
  });

  it("a deploy script inside the image is read by a short Job on the deploy's node: onboard, tainted", async () => {
    const placement = {
      nodeSelector: { "node-role.kubernetes.io/onboard": "" },
      tolerations: [
        {
          key: "node-role.kubernetes.io/onboard",
          operator: "Exists" as const,
          effect: "NoSchedule" as const,
        },
      ],
    };
    const withRollback = environmentName("onboard-script");
    await applyEnvironment(
      withRollback,
      environmentSpec({
        deploy: { image: "demo/deploy-tools:1", script: { path: fixturePath("deploy.sh") }, ...placement },
      }),
    );
    const good = releaseName("nav-1-4-2");
    await applyRelease(good, { environment: withRollback, version: "1.4.2", rollbackTarget: "1.4.1" });
    const passed = await releaseWhen(good, "in Execute", enteredExecute, 60_000);
    expect(passed.status?.gate?.checks.find((check) => check.name === "rollback-script")).toMatchObject({
      status: "Passed",
    });
    const pod = await kubectl([
      "get",
      "pods",
      "-n",
      NAMESPACE,
      "-l",
      `batch.kubernetes.io/job-name=${good}-rollback-check`,
      "-o",
      "jsonpath={.items[0].spec.nodeName}",
    ]);
    expect(pod).toBe("onboard");

    const withoutRollback = environmentName("onboard-noflag");
    await applyEnvironment(
      withoutRollback,
      environmentSpec({
        deploy: {
          image: "demo/deploy-tools:1",
          script: { path: fixturePath("deploy-without-rollback.sh") },
          ...placement,
        },
      }),
    );
    const bad = releaseName("nav-1-4-2");
    await applyRelease(bad, { environment: withoutRollback, version: "1.4.2", rollbackTarget: "1.4.1" });
    const blocked = await releaseWhen(
      bad,
      "blocked by the script",
      (release) =>
        (release.status?.gate?.blockingIssues ?? []).some((issue) => issue.startsWith("rollback-script")),
      60_000,
    );
    expect(blocked.status?.gate?.blockingIssues?.join("\n")).toContain("has no --rollback option");
  });
});

describe("holding the environment", () => {
  it("a second Release waits, saying which release holds the environment; it starts when the first ends", async () => {
    const { env, name: first } = await releaseTo(
      "production-queue",
      environmentSpec({ tier: "production", smoke: { required: false } }),
      { version: "1.4.2", rollbackTarget: "1.4.1" },
    );
    await releaseWaitingFor(first, "gate");
    const second = releaseName("nav-1-4-3");
    await applyRelease(second, { environment: env, version: "1.4.3", rollbackTarget: "1.4.1" });
    const waiting = await releaseWhen(
      second,
      "waiting for the environment",
      (release) => condition(release, "Admitted")?.reason === "EnvironmentBusy",
    );
    expect(condition(waiting, "Admitted")?.message).toContain(`held by Release ${first}`);
    expect(waiting.status?.phase).toBe("Pending");
    expect((await getEnvironment(env)).status?.queue).toEqual([second]);

    await annotateAs("alice", first, "approved=false");
    await releaseWhen(first, "Aborted", (release) => release.status?.verdict === "Aborted");
    await releaseWaitingFor(second, "gate");
  });

  it("a Release naming a missing Environment is held, and starts when the Environment appears", async () => {
    const env = environmentName("late");
    const name = releaseName("nav-1-4-2");
    await applyRelease(name, { environment: env, version: "1.4.2", rollbackTarget: "1.4.1" });
    const held = await releaseWhen(
      name,
      "held",
      (release) => condition(release, "Admitted")?.reason === "EnvironmentNotFound",
    );
    expect(condition(held, "Admitted")?.message).toContain(`Environment ${env} not found`);
    await applyEnvironment(env, environmentSpec());
    await releaseWhen(name, "in Execute", enteredExecute, 30_000);
  });

  it("a spec the environment cannot accept is held with a condition naming the field and what is valid", async () => {
    const env = environmentName("staging-strict");
    await applyEnvironment(env, environmentSpec({ strategies: ["all-at-once"] }));
    const name = releaseName("nav-1-4-2");
    await applyRelease(name, {
      environment: env,
      version: "1.4.2",
      rollbackTarget: "1.4.1",
      strategy: "canary",
    });
    const held = await releaseWhen(
      name,
      "stalled",
      (release) => condition(release, "Stalled")?.reason === "SpecNotAccepted",
    );
    expect(condition(held, "Stalled")?.message).toContain("spec.strategy");
    expect(condition(held, "Stalled")?.message).toContain("valid: all-at-once");
    expect(held.status?.phase).toBe("Pending");
  });
});

describe("the operator's own endpoints", () => {
  it("/metrics serves the named series", async () => {
    const metrics = await scrapeMetrics(operator);
    for (const series of [
      "release_operator_releases",
      "release_operator_reconcile_total",
      "release_operator_reconcile_duration_seconds",
      "release_operator_workqueue_depth",
      "release_operator_phase_duration_seconds",
      "release_operator_leader 1",
    ]) {
      expect(metrics).toContain(series);
    }
    expect(metrics).toMatch(/release_operator_releases\{phase="[A-Za-z]+",verdict="[A-Za-z-]*"\} [1-9]/);
  });

  it("every log line is JSON, and a Release's lines name it", () => {
    const lines = operator.logs().trim().split("\n");
    const parsed = lines.map(
      (line) => JSON.parse(line) as { namespace?: string; name?: string; kind?: string; msg: string },
    );
    expect(
      parsed.some(
        (line) => line.kind === "Release" && line.namespace === NAMESPACE && typeof line.name === "string",
      ),
    ).toBe(true);
  });
});

const JUNIT_WITH_FAILURE = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="nav" tests="2" failures="1">
    <testcase classname="nav.RouteTest" name="test_route" time="0.1"/>
    <testcase classname="nav.RerouteTest" name="test_reroute" time="0.2">
      <failure message="expected a new route within 2 s">AssertionError</failure>
    </testcase>
  </testsuite>
</testsuites>`;
