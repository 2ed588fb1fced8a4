// The operator as a process that can die at any moment: killed while a release waits, it comes back
// and changes nothing; two replicas: only the leader acts, and the other takes over when it dies.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Release } from "../../src/api/v1alpha1/index.js";
import { eventually, kubectlJson, uniqueName } from "./support/kubectl.js";
import { applyRecorderEnvironment, applyRecorderScript, jobsOf, runsOf } from "./support/deploys.js";
import { scrapeMetrics, startOperator, type OperatorProcess } from "./support/operator.js";
import {
  annotateAs,
  applyEnvironment,
  applyRelease,
  applySharedFixtures,
  deleteObjects,
  enteredExecute,
  environmentSpec,
  getRelease,
  NAMESPACE,
  releaseWaitingFor,
  releaseWhen,
} from "./support/releases.js";

const running: OperatorProcess[] = [];
const environments: string[] = [];
const releases: string[] = [];
const configMaps: string[] = [];

async function operator(identity: string): Promise<OperatorProcess> {
  const started = await startOperator({ identity: `${identity}-${Date.now().toString(36)}` });
  running.push(started);
  return started;
}

async function isLeader(process: OperatorProcess): Promise<boolean> {
  const metrics = await scrapeMetrics(process).catch(() => "");
  return /^release_operator_leader 1$/m.test(metrics);
}

async function leaderAmong(processes: readonly OperatorProcess[]): Promise<OperatorProcess> {
  return eventually(
    "one operator replica leading",
    async () => {
      const leading = [];
      for (const candidate of processes) if (await isLeader(candidate)) leading.push(candidate);
      if (leading.length > 1) throw new Error(`${leading.length} replicas lead at once`);
      return leading[0];
    },
    30_000,
  );
}

/** Log lines in which the operator acted on a Release (moved it, or ran its gate). */
function actedOn(process: OperatorProcess, release: string): string[] {
  return process
    .logs()
    .split("\n")
    .filter((line) => line.includes(`"name":"${release}"`) && /Moved from|Ran the gate|Created/.test(line));
}

beforeAll(async () => {
  await applySharedFixtures();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((process) => process.kill("SIGKILL")));
});

afterAll(async () => {
  await deleteObjects("releases", releases);
  await deleteObjects("environments", environments);
  await deleteObjects("configmaps", configMaps);
});

describe("killed at any moment", () => {
  it("SIGKILL while a release waits for approval, then a restart: status is exactly as it was", async () => {
    const env = uniqueName("production-restart");
    environments.push(env);
    await applyEnvironment(env, environmentSpec({ tier: "production", smoke: { required: false } }));
    const first = await operator("restart-a");
    const name = uniqueName("nav-1-4-2");
    releases.push(name);
    await applyRelease(name, { environment: env, version: "1.4.2", rollbackTarget: "1.4.1" });
    const before = await releaseWaitingFor(name, "gate");
    const eventsBefore = await kubectlJson<{ items: unknown[] }>([
      "get",
      "events",
      "-n",
      NAMESPACE,
      "--field-selector",
      `involvedObject.name=${name}`,
    ]);

    expect(await first.kill("SIGKILL")).toBe("SIGKILL");
    const second = await operator("restart-b");
    await leaderAmong([second]);
    // The new leader reconciles everything it saw when it took over: wait until it has, then a little more.
    await eventually("the restarted operator reconciled releases", async () => {
      const metrics = await scrapeMetrics(second);
      const done = /^release_operator_reconcile_total\{controller="release",result="success"\} (\d+)/m.exec(
        metrics,
      );
      return Number(done?.[1] ?? 0) > 0 ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const after = await getRelease(name);
    expect(after.status).toEqual(before.status);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(actedOn(second, name)).toEqual([]);
    const eventsAfter = await kubectlJson<{ items: unknown[] }>([
      "get",
      "events",
      "-n",
      NAMESPACE,
      "--field-selector",
      `involvedObject.name=${name}`,
    ]);
    expect(eventsAfter.items.length).toBe(eventsBefore.items.length);

    // And it acts on what comes next.
    await annotateAs("alice", name, "approved=true");
    await releaseWhen(
      name,
      "past the gate",
      (release: Release) => release.status?.phase !== "PreReleaseGate",
    );
  });

  it("SIGTERM: in-flight work finishes, the Lease is released, exit code 0", async () => {
    const process = await operator("graceful");
    await leaderAmong([process]);
    expect(await process.stop()).toBe(0);
    expect(process.logs()).toContain('"msg":"Stopped"');
    const lease = await kubectlJson<{ spec: { holderIdentity?: string } }>([
      "get",
      "lease",
      "release-operator",
      "-n",
      "release-operator-system",
    ]);
    expect(lease.spec.holderIdentity ?? "").not.toBe(process.identity);
  });
});

describe("killed during Execute", () => {
  it("ten SIGKILLs at random moments of Execute: one deploy Job per Release ever, and every Release reaches its verdict", async () => {
    await applyRecorderScript();
    // Three ways to a verdict without a watch window: a failing smoke Job, a failing deploy, and a
    // failing deploy whose rollback fails too. Deploys print for six seconds, so kills land in them.
    const plans: { behaviour: Record<string, string>; smoke: string; verdict: string }[] = [
      // The new version fails its smoke Job; the rolled-back one passes it.
      { behaviour: {}, smoke: 'echo probing; test "$RELEASE_SMOKE_RUN" = rollback', verdict: "Rolled-Back" },
      { behaviour: { DEPLOY_EXIT: "1" }, smoke: "echo probing", verdict: "Rolled-Back" },
      {
        behaviour: { DEPLOY_EXIT: "1", ROLLBACK_EXIT: "1" },
        smoke: "echo probing",
        verdict: "Rollback-Failed",
      },
    ];
    const names: string[] = [];
    for (const plan of plans) {
      const env = uniqueName("kill-exec");
      environments.push(env);
      const { configMap } = await applyRecorderEnvironment(
        env,
        { DEPLOY_STEPS: "6", DEPLOY_STEP_SECONDS: "1", ...plan.behaviour },
        {
          smoke: {
            jobs: [{ name: "probe", image: "demo/smoke:1", command: ["sh", "-c", plan.smoke] }],
          },
        },
      );
      configMaps.push(configMap);
      const name = uniqueName("nav-1-4-2");
      releases.push(name);
      names.push(name);
      await applyRelease(name, { environment: env, version: "1.4.2", rollbackTarget: "1.4.1" });
    }

    // One identity throughout: a restarted operator takes its own Lease back at once.
    const identity = `killer-${Date.now().toString(36)}`;
    let current = await startOperator({ identity });
    running.push(current);
    const executing = (release: Release): boolean => enteredExecute(release);
    await Promise.all(names.map((name) => releaseWhen(name, "in Execute", executing, 60_000)));
    for (let round = 0; round < 10; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1800));
      expect(await current.kill("SIGKILL")).toBe("SIGKILL");
      current = await startOperator({ identity });
      running.push(current);
    }

    const done = await Promise.all(
      names.map((name) =>
        releaseWhen(name, "completed", (release) => release.status?.phase === "Completed", 120_000),
      ),
    );
    expect(done.map((release) => release.status?.verdict)).toEqual(plans.map((plan) => plan.verdict));
    for (const name of names) {
      // What ran on the node, not what the operator says: one deploy, one rollback.
      expect(runsOf(name)).toEqual(["deploy 1.4.2", "rollback 1.4.1"]);
      const jobs = await jobsOf(name);
      expect(jobs.filter((job) => job.endsWith("-deploy"))).toEqual([`${name}-deploy`]);
    }
  });
});

describe("two replicas", () => {
  it("only the leader acts; the other takes over after the leader is killed", async () => {
    const env = uniqueName("staging-replicas");
    environments.push(env);
    await applyEnvironment(env, environmentSpec());
    const replicas = [await operator("replica-a"), await operator("replica-b")];
    const leader = await leaderAmong(replicas);
    const standby = replicas.find((replica) => replica !== leader);
    if (standby === undefined) throw new Error("no standby replica");
    expect(standby.logs()).toContain("Waiting to lead");

    const firstRelease = uniqueName("nav-1-4-1");
    releases.push(firstRelease);
    await applyRelease(firstRelease, { environment: env, version: "1.4.1", rollbackTarget: "1.4.0" });
    await releaseWhen(firstRelease, "in Execute", enteredExecute, 30_000);
    expect(actedOn(leader, firstRelease).length).toBeGreaterThan(0);
    expect(actedOn(standby, firstRelease)).toEqual([]);

    await leader.kill("SIGKILL");
    await leaderAmong([standby]);
    // The environment is held by the first release until its verdict: abort it (still in Execute,
    // nothing deployed; in its short watch window, it rolls back; already Released, the abort changes
    // nothing), then the next one runs.
    await annotateAs("alice", firstRelease, "release-operator.io/abort=make room");
    const secondRelease = uniqueName("nav-1-4-2");
    releases.push(secondRelease);
    await applyRelease(secondRelease, { environment: env, version: "1.4.2", rollbackTarget: "1.4.1" });
    await releaseWhen(secondRelease, "in Execute", enteredExecute, 45_000);
    expect(actedOn(standby, secondRelease).length).toBeGreaterThan(0);
  });
});
