/**
 * The local cluster's Kubernetes is the real thing: two Ready nodes, the scheduler honouring the
 * onboard node's taint, the Job controller, container logs through the apiserver, the garbage
 * collector, RBAC for several identities, and a real apiserver validating our CRDs and samples.
 */
import { describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { eventually, kubectl, kubectlAs, kubectlJson, uniqueName } from "./support/kubectl.js";

interface Condition {
  type: string;
  status: string;
}
interface NodeObject {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions: Condition[]; nodeInfo: { kubeletVersion: string } };
}
interface PodObject {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: {
    phase: string;
    containerStatuses?: { state: { terminated?: { exitCode: number; reason?: string } } }[];
  };
}
interface JobObject {
  status: { conditions?: (Condition & { reason?: string })[] };
}

const NAMESPACE = "default";
/** The nodes ground and onboard are the harness's own; K3s or another cluster has others. */
const onLocalCluster = inject("cluster").kind === "local";

describe.runIf(onLocalCluster)("nodes", () => {
  it("registers ground and onboard as Ready, onboard labelled and tainted as an onboard node", async () => {
    const nodes = await kubectlJson<{ items: NodeObject[] }>(["get", "nodes"]);
    const byName = new Map(nodes.items.map((node) => [node.metadata.name, node]));
    expect([...byName.keys()].sort()).toEqual(["ground", "onboard"]);
    for (const node of byName.values()) {
      expect(node.status.conditions).toContainEqual(
        expect.objectContaining({ type: "Ready", status: "True" }),
      );
      expect(node.metadata.labels["kubernetes.io/hostname"]).toBe(node.metadata.name);
      expect(node.metadata.labels["kubernetes.io/os"]).toBe("linux");
      expect(node.status.nodeInfo.kubeletVersion).toMatch(/^v1\.\d+\.\d+/);
    }
    expect(byName.get("onboard")?.metadata.labels).toHaveProperty("node-role.kubernetes.io/onboard");
    expect(byName.get("onboard")?.spec.taints).toContainEqual(
      expect.objectContaining({ key: "node-role.kubernetes.io/onboard", effect: "NoSchedule" }),
    );
    expect(byName.get("ground")?.spec.taints ?? []).toEqual([]);
  });
});

describe.runIf(onLocalCluster)("a Job on the onboard node", () => {
  it("runs there, logs through the apiserver, fails with its exit code, and is garbage-collected", async () => {
    const name = uniqueName("exit-three");
    // kubectl create job cannot set a node selector or tolerations: render it, then amend and create.
    const rendered = JSON.parse(
      await kubectl([
        "create",
        "job",
        name,
        "--namespace",
        NAMESPACE,
        "--image=busybox",
        "--dry-run=client",
        "-o",
        "json",
        "--",
        "sh",
        "-c",
        "echo hi; exit 3",
      ]),
    ) as { spec: { backoffLimit?: number; template: { spec: Record<string, unknown> } } };
    rendered.spec.backoffLimit = 0;
    rendered.spec.template.spec.nodeSelector = { "node-role.kubernetes.io/onboard": "" };
    rendered.spec.template.spec.tolerations = [
      { key: "node-role.kubernetes.io/onboard", operator: "Exists", effect: "NoSchedule" },
    ];
    await kubectl(["create", "-f", "-"], { input: JSON.stringify(rendered) });

    const failed = await eventually(`Job ${name} to report Failed`, async () => {
      const job = await kubectlJson<JobObject>(["get", "job", name, "-n", NAMESPACE]);
      return job.status.conditions?.find(
        (condition) => condition.type === "Failed" && condition.status === "True",
      );
    });
    expect(failed.reason).toBe("BackoffLimitExceeded");

    const pods = await kubectlJson<{ items: PodObject[] }>([
      "get",
      "pods",
      "-n",
      NAMESPACE,
      "-l",
      `job-name=${name}`,
    ]);
    expect(pods.items).toHaveLength(1);
    const pod = pods.items[0];
    expect(pod?.spec.nodeName).toBe("onboard");
    expect(pod?.status.phase).toBe("Failed");
    expect(pod?.status.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(3);

    expect((await kubectl(["logs", `job/${name}`, "-n", NAMESPACE])).trim()).toBe("hi");

    await kubectl(["delete", "job", name, "-n", NAMESPACE, "--cascade=background", "--wait=false"]);
    await eventually(`the garbage collector to delete the pods of Job ${name}`, async () => {
      const left = await kubectlJson<{ items: PodObject[] }>([
        "get",
        "pods",
        "-n",
        NAMESPACE,
        "-l",
        `job-name=${name}`,
      ]);
      return left.items.length === 0 ? true : undefined;
    });
  });

  it("is not scheduled on onboard without a toleration for its taint", async () => {
    const name = uniqueName("no-toleration");
    await kubectl([
      "run",
      name,
      "--namespace",
      NAMESPACE,
      "--image=busybox",
      "--restart=Never",
      `--overrides=${JSON.stringify({ spec: { nodeSelector: { "node-role.kubernetes.io/onboard": "" } } })}`,
      "--command",
      "--",
      "true",
    ]);
    try {
      const reason = await eventually(`pod ${name} to be reported unschedulable`, async () => {
        const pod = await kubectlJson<
          PodObject & { status: { conditions?: (Condition & { reason?: string })[] } }
        >(["get", "pod", name, "-n", NAMESPACE]);
        return pod.status.conditions?.find((condition) => condition.type === "PodScheduled")?.reason;
      });
      expect(reason).toBe("Unschedulable");
    } finally {
      await kubectl(["delete", "pod", name, "-n", NAMESPACE, "--wait=false"]);
    }
  });
});

describe("the CRDs and samples against a real apiserver", () => {
  it("accepts every sample in config/samples (server-side dry run)", async () => {
    const output = await kubectl(["apply", "--dry-run=server", "-n", NAMESPACE, "-k", "config/samples"]);
    expect(output).toMatch(/environment.release-operator.io\/staging/);
    expect(output).toMatch(/release.release-operator.io\/nav-1-4-2/);
  });

  it("refuses a Release whose spec breaks the schema, naming the field", async () => {
    const release = {
      apiVersion: "release-operator.io/v1alpha1",
      kind: "Release",
      metadata: { name: uniqueName("bad") },
      spec: { environment: "staging", version: "not a version!" },
    };
    const result = await kubectlAs("admin", ["create", "--dry-run=server", "-n", NAMESPACE, "-f", "-"], {
      input: stringify(release),
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/spec\.version/);
  });
});

describe("RBAC for the cluster's identities", () => {
  it.each([
    { identity: "alice" as const, verb: "patch", resource: "releases.release-operator.io", allowed: true },
    { identity: "alice" as const, verb: "get", resource: "secrets", allowed: false },
    { identity: "bob" as const, verb: "list", resource: "releases.release-operator.io", allowed: true },
    { identity: "bob" as const, verb: "patch", resource: "releases.release-operator.io", allowed: false },
    { identity: "bob" as const, verb: "get", resource: "secrets", allowed: false },
    { identity: "bob" as const, verb: "create", resource: "jobs", allowed: false },
    { identity: "operator" as const, verb: "create", resource: "jobs", allowed: true },
    { identity: "operator" as const, verb: "list", resource: "secrets", allowed: false },
  ])("$identity may $verb $resource: $allowed", async ({ identity, verb, resource, allowed }) => {
    const result = await kubectlAs(identity, ["auth", "can-i", verb, resource, "-n", NAMESPACE]);
    expect(result.stdout.trim()).toBe(allowed ? "yes" : "no");
  });

  it("lets an approver annotate a Release and refuses a developer with Forbidden", async () => {
    const name = uniqueName("rbac");
    await kubectl(["create", "-n", NAMESPACE, "-f", "-"], {
      input: stringify({
        apiVersion: "release-operator.io/v1alpha1",
        kind: "Release",
        metadata: { name },
        spec: { environment: "staging", version: "1.4.2" },
      }),
    });
    try {
      const approved = await kubectlAs("alice", [
        "annotate",
        "release",
        name,
        "-n",
        NAMESPACE,
        "example.test/seen=yes",
      ]);
      expect(approved.exitCode).toBe(0);

      const denied = await kubectlAs("bob", [
        "annotate",
        "release",
        name,
        "-n",
        NAMESPACE,
        "example.test/by-bob=yes",
      ]);
      expect(denied.exitCode).not.toBe(0);
      expect(denied.stderr).toMatch(/forbidden: User "bob" cannot patch resource "releases"/);

      const secrets = await kubectlAs("bob", ["get", "secrets", "-n", NAMESPACE]);
      expect(secrets.exitCode).not.toBe(0);
      expect(secrets.stderr).toMatch(/forbidden/);

      const annotations = await kubectlJson<{ metadata: { annotations?: Record<string, string> } }>([
        "get",
        "release",
        name,
        "-n",
        NAMESPACE,
      ]);
      expect(annotations.metadata.annotations?.["example.test/seen"]).toBe("yes");
    } finally {
      await kubectl(["delete", "release", name, "-n", NAMESPACE, "--wait=false"]);
    }
  });
});
