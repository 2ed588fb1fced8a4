// The node agent's config file and command line: what the harness must write, and what it gets told.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  configPathFrom,
  loadConfig,
  nodeRestrictionProblem,
  parseConfig,
  type NodeAgentConfig,
} from "./config.js";

const valid: NodeAgentConfig = {
  nodeName: "onboard",
  kubeconfig: "/state/node-onboard.kubeconfig",
  address: "127.0.0.1",
  kubeletPort: 10250,
  servingCert: "/state/pki/onboard.crt",
  servingKey: "/state/pki/onboard.key",
  clientCA: "/state/pki/ca.crt",
  workDir: "/state/data/onboard",
  labels: { "release-operator.dev/zone": "orbit", "topology.kubernetes.io/zone": "z1" },
  taints: [{ key: "release-operator.dev/onboard", value: "true", effect: "NoSchedule" }],
  capacity: { cpu: "4", memory: "8Gi", pods: "110" },
  apiserverHost: "127.0.0.1",
  apiserverPort: 6443,
  kubernetesVersion: "v1.36.3",
};

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw, "test.json");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseConfig", () => {
  it("accepts a complete config as it is", () => {
    expect(parseConfig(valid, "test.json")).toEqual(valid);
  });

  it("labels and taints may be left out", () => {
    const withoutOptional = Object.fromEntries(
      Object.entries(valid).filter(([key]) => key !== "labels" && key !== "taints"),
    );
    expect(parseConfig(withoutOptional, "test.json")).toMatchObject({ labels: {}, taints: [] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a node name that is not a DNS name",
      { nodeName: "Onboard_1" },
      'nodeName "Onboard_1" must be a lowercase DNS subdomain',
    ],
    [
      "a missing kubeconfig",
      { kubeconfig: undefined },
      "kubeconfig must be a non-empty string, found nothing",
    ],
    ["an address that is not an IP", { address: "localhost" }, 'address "localhost" must be an IP address'],
    [
      "a port out of range",
      { kubeletPort: 70000 },
      "kubeletPort must be a TCP port (integer 1-65535), found number 70000",
    ],
    [
      "a port given as text",
      { apiserverPort: "6443" },
      'apiserverPort must be a TCP port (integer 1-65535), found "6443"',
    ],
    [
      "a version without v",
      { kubernetesVersion: "1.36.3" },
      'kubernetesVersion "1.36.3" must look like v1.36.3',
    ],
    ["a typo in a field name", { workdir: "/x" }, 'unknown field "workdir"'],
    [
      "a bad taint effect",
      { taints: [{ key: "k", effect: "NoRun" }] },
      "taints[0].effect must be one of NoSchedule, PreferNoSchedule, NoExecute",
    ],
    [
      "a taint without key",
      { taints: [{ effect: "NoSchedule" }] },
      "taints[0].key must be a string, found nothing",
    ],
    [
      "capacity with a bad quantity",
      { capacity: { cpu: "four", memory: "8Gi", pods: "110" } },
      "capacity.cpu must be a Kubernetes quantity",
    ],
    [
      "fractional pods",
      { capacity: { cpu: "4", memory: "8Gi", pods: "1.5" } },
      'capacity.pods must be a whole number, found "1.5"',
    ],
    [
      "a label value that is too long",
      { labels: { a: "x".repeat(64) } },
      'labels["a"] must be a label value',
    ],
    [
      "a node-role label",
      { labels: { "node-role.kubernetes.io/ground": "" } },
      "cannot be set by a node itself (NodeRestriction)",
    ],
    [
      "a node-restriction label",
      { labels: { "node-restriction.kubernetes.io/x": "y" } },
      "reserved for admins",
    ],
    [
      "a bad label key",
      { labels: { "-bad": "x" } },
      'labels key "-bad": name "-bad" must be 1-63 alphanumerics',
    ],
  ])("refuses %s", (_name, change, message) => {
    const problems = problemsOf({ ...valid, ...change });
    expect(problems.join("\n")).toContain(message);
  });

  it("names every problem at once", () => {
    const problems = problemsOf({ nodeName: "", address: "x" });
    // Every required field but the two given, plus the two given wrong: 12 lines, not one.
    expect(problems).toHaveLength(12);
    expect(problems).toContain('address "x" must be an IP address');
    expect(problems).toContain('nodeName must be a non-empty string, found ""');
  });

  it("refuses what is not an object", () => {
    expect(problemsOf([])).toEqual(["expected a JSON object, found an array"]);
  });

  it("the error message says which file and lists the problems", () => {
    expect(() => parseConfig({ ...valid, kubeletPort: 0 }, "/tmp/onboard.json")).toThrow(
      "invalid node agent config /tmp/onboard.json:\n  - kubeletPort must be a TCP port (integer 1-65535), found number 0",
    );
  });
});

describe("nodeRestrictionProblem", () => {
  it.each([
    ["app", undefined],
    ["example.com/team", undefined],
    ["kubernetes.io/hostname", undefined],
    ["topology.kubernetes.io/zone", undefined],
    ["node.kubernetes.io/anything", undefined],
    ["kubelet.kubernetes.io/anything", undefined],
    ["node-role.kubernetes.io/worker", "cannot be set by a node itself"],
    ["foo.k8s.io/bar", "cannot be set by a node itself"],
    ["node-restriction.kubernetes.io/pool", "reserved for admins"],
  ])("%s", (key, problem) => {
    const found = nodeRestrictionProblem(key);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe("configPathFrom", () => {
  it.each<[string[], ReturnType<typeof configPathFrom>]>([
    [["--config", "a.json"], { ok: true, path: "a.json" }],
    [["--config=b.json"], { ok: true, path: "b.json" }],
    [[], { ok: false, message: "--config <file.json> is required" }],
    [["--config"], { ok: false, message: "--config <file.json> is required" }],
    [["--verbose"], { ok: false, message: 'unexpected argument "--verbose"' }],
  ])("%j", (argv, expected) => {
    expect(configPathFrom(argv)).toEqual(expected);
  });
});

describe("loadConfig", () => {
  it("names files it cannot read and a file that is not JSON", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "node-agent-config-"));
    const file = path.join(dir, "config.json");
    writeFileSync(file, JSON.stringify(valid));
    expect(() => loadConfig(file)).toThrow(
      "kubeconfig /state/node-onboard.kubeconfig is not a readable file",
    );
    writeFileSync(file, "{ not json");
    expect(() => loadConfig(file)).toThrow(/cannot read it as JSON/);
  });
});
