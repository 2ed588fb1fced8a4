// The Node, its status and its Lease, as the kubelet registers and heartbeats them.
import { V1MicroTime } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { NodeAgentConfig } from "./config.js";
import { podEvent } from "./events.js";
import { goArch, newNode, nodeLease, nodeStatus, stableId, type HostIdentity } from "./registration.js";

const config: NodeAgentConfig = {
  nodeName: "onboard",
  kubeconfig: "k",
  address: "127.0.0.1",
  kubeletPort: 10250,
  servingCert: "c",
  servingKey: "k",
  clientCA: "ca",
  workDir: "/w",
  labels: { "release-operator.dev/zone": "orbit" },
  taints: [{ key: "release-operator.dev/onboard", effect: "NoSchedule" }],
  capacity: { cpu: "4", memory: "8Gi", pods: "110" },
  apiserverHost: "127.0.0.1",
  apiserverPort: 6443,
  kubernetesVersion: "v1.36.3",
};

const identity: HostIdentity = {
  osImage: "Debian GNU/Linux 13 (trixie)",
  kernelVersion: "6.1.0",
  operatingSystem: "linux",
  architecture: "amd64",
  machineID: "m",
  systemUUID: "s",
  bootID: "b",
};

describe("newNode", () => {
  it("carries the kubelet's standard labels, the config's labels and the registration taints", () => {
    expect(newNode(config, identity)).toEqual({
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: "onboard",
        labels: {
          "kubernetes.io/hostname": "onboard",
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "release-operator.dev/zone": "orbit",
        },
      },
      spec: { taints: [{ key: "release-operator.dev/onboard", effect: "NoSchedule" }] },
    });
  });
});

describe("nodeStatus", () => {
  const now = new Date("2030-01-01T00:00:10.500Z");

  it("reports Ready, no pressure, capacity, addresses, the log endpoint and node info", () => {
    const status = nodeStatus(config, identity, [], now);
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["MemoryPressure", "False", "KubeletHasSufficientMemory"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure"],
      ["PIDPressure", "False", "KubeletHasSufficientPID"],
      ["Ready", "True", "KubeletReady"],
    ]);
    expect(status.addresses).toEqual([
      { type: "InternalIP", address: "127.0.0.1" },
      { type: "Hostname", address: "onboard" },
    ]);
    expect(status.capacity).toEqual({ cpu: "4", memory: "8Gi", pods: "110" });
    expect(status.allocatable).toEqual(status.capacity);
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(status.nodeInfo).toMatchObject({
      kubeletVersion: "v1.36.3",
      kubeProxyVersion: "",
      containerRuntimeVersion: "release-operator-node-agent://0.1.0",
      operatingSystem: "linux",
      architecture: "amd64",
      kernelVersion: "6.1.0",
    });
  });

  it("heartbeats every condition and keeps lastTransitionTime while the status holds", () => {
    const earlier = new Date("2030-01-01T00:00:00Z");
    const status = nodeStatus(
      config,
      identity,
      [
        { type: "Ready", status: "True", lastTransitionTime: earlier },
        { type: "DiskPressure", status: "True", lastTransitionTime: earlier },
      ],
      now,
    );
    const byType = Object.fromEntries(status.conditions.map((c) => [c.type, c]));
    expect(byType.Ready).toMatchObject({
      lastHeartbeatTime: "2030-01-01T00:00:10Z",
      lastTransitionTime: "2030-01-01T00:00:00Z",
    });
    expect(byType.DiskPressure).toMatchObject({ lastTransitionTime: "2030-01-01T00:00:10Z" });
  });
});

describe("nodeLease", () => {
  it("is held by the node for 40 s, owned by its Node, with a MicroTime renewTime", () => {
    const lease = nodeLease("onboard", "node-uid", new Date("2030-01-01T00:00:00.123Z"), {
      metadata: { name: "onboard", namespace: "kube-node-lease", resourceVersion: "42" },
    });
    expect(lease.metadata).toEqual({
      resourceVersion: "42",
      name: "onboard",
      namespace: "kube-node-lease",
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "onboard", uid: "node-uid" }],
    });
    expect(lease.spec?.holderIdentity).toBe("onboard");
    expect(lease.spec?.leaseDurationSeconds).toBe(40);
    expect(lease.spec?.renewTime).toBeInstanceOf(V1MicroTime);
    expect(lease.spec?.renewTime?.toISOString()).toBe("2030-01-01T00:00:00.123000Z");
  });
});

describe("host identity helpers", () => {
  it.each([
    ["x64", "amd64"],
    ["arm64", "arm64"],
    ["ia32", "386"],
  ])("process.arch %s is GOARCH %s", (arch, expected) => {
    expect(goArch(arch)).toBe(expected);
  });

  it("stable ids differ per node and repeat for the same input", () => {
    expect(stableId("machine:x:ground")).toBe(stableId("machine:x:ground"));
    expect(stableId("machine:x:ground")).not.toBe(stableId("machine:x:onboard"));
    expect(stableId("a")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe("podEvent", () => {
  it("speaks as the kubelet on this node, about a container of the pod", () => {
    const event = podEvent({
      pod: { metadata: { name: "job-x", namespace: "team", uid: "u1", resourceVersion: "7" } },
      nodeName: "onboard",
      type: "Normal",
      reason: "Started",
      message: "Started container main",
      container: { name: "main", init: false },
      now: new Date("2030-01-01T00:00:00Z"),
      uniqueSuffix: "abc",
    });
    expect(event).toMatchObject({
      metadata: { name: "job-x.abc", namespace: "team" },
      involvedObject: {
        kind: "Pod",
        name: "job-x",
        namespace: "team",
        uid: "u1",
        fieldPath: "spec.containers{main}",
      },
      source: { component: "kubelet", host: "onboard" },
      reportingComponent: "kubelet",
      reportingInstance: "onboard",
      type: "Normal",
      reason: "Started",
      count: 1,
    });
  });
});
