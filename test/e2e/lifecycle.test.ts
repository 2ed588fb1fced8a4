/**
 * `npm run cluster -- up|status|down` as a person runs it, on a second cluster of its own: `up` is
 * idempotent and restarts what died, the env file is enough for plain kubectl, and `down` leaves no
 * process of ours running and no state behind.
 */
import { execa } from "execa";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT, stateDirAt } from "../../hack/cluster/paths.js";
import { isAlive, markedProcesses, readRecords } from "../../hack/cluster/processes.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "release-operator-lifecycle-"));
const state = stateDirAt(path.join(scratch, "cluster"));

async function cluster(command: string) {
  return execa("bash", ["hack/cluster.sh", command], {
    cwd: REPO_ROOT,
    reject: false,
    env: { RELEASE_OPERATOR_CLUSTER_DIR: state.root },
  });
}

function pidsByName(): Map<string, number> {
  return new Map(readRecords(state).map((record) => [record.name, record.pid]));
}

afterAll(async () => {
  if (existsSync(state.root)) await cluster("down");
  rmSync(scratch, { recursive: true, force: true });
});

// Runs a second local cluster: only where the local one is the target (not beside K3s or another).
describe.runIf(inject("cluster").kind === "local")("npm run cluster", () => {
  it("up starts everything, prints the environment and writes it to a file plain kubectl can use", async () => {
    const result = await cluster("up");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^export KUBECONFIG='.+admin\.kubeconfig'$/m);
    for (const name of ["PROMETHEUS_URL", "REGISTRY_URL", "GIT_URL", "KUBECONFIG_ALICE", "KUBECONFIG_BOB"]) {
      expect(result.stdout).toMatch(new RegExp(`^export ${name}=`, "m"));
    }
    const nodes = await execa(
      "bash",
      ["-c", `. ${state.envFile} && kubectl get nodes -o name && kubectl version`],
      {
        reject: false,
      },
    );
    expect(nodes.exitCode, nodes.stderr).toBe(0);
    expect(nodes.stdout.split("\n")).toEqual(expect.arrayContaining(["node/ground", "node/onboard"]));
    expect(nodes.stdout).toMatch(/Server Version: v1\.\d+\.\d+/);
  });

  it("status reports every process running", async () => {
    const result = await cluster("status");
    expect(result.exitCode, result.stderr).toBe(0);
    for (const name of [
      "etcd",
      "kube-apiserver",
      "node-agent-onboard",
      "prometheus",
      "registry",
      "git-server",
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^running\\s+${name}\\s`, "m"));
    }
  });

  it("a second up keeps every running process", async () => {
    const before = pidsByName();
    const result = await cluster("up");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(pidsByName()).toEqual(before);
  });

  it("up restarts a process that died, and only that one", async () => {
    const before = pidsByName();
    const victim = readRecords(state).find((record) => record.name === "kube-scheduler");
    expect(victim).toBeDefined();
    if (!victim) return;
    process.kill(victim.pid, "SIGKILL");
    await expect.poll(() => isAlive(victim)).toBe(false);

    const degraded = await cluster("status");
    expect(degraded.exitCode).toBe(1);
    expect(degraded.stdout).toMatch(/^STOPPED\s+kube-scheduler\s/m);

    expect((await cluster("up")).exitCode).toBe(0);
    const after = pidsByName();
    expect(after.get("kube-scheduler")).not.toBe(victim.pid);
    for (const [name, pid] of before) if (name !== "kube-scheduler") expect(after.get(name)).toBe(pid);
  });

  it("down stops every process it started, leaves none of ours running, and removes the state", async () => {
    const records = readRecords(state);
    expect(records.length).toBeGreaterThan(8);
    const result = await cluster("down");
    expect(result.exitCode, result.stderr).toBe(0);
    for (const record of records) expect(isAlive(record), `${record.name} still runs`).toBe(false);
    expect(existsSync(state.root)).toBe(false);
    expect(markedProcesses(state)).toEqual([]);
  });
});
