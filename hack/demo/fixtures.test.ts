import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ClusterInfo } from "../cluster/info.js";
import { readEnvironmentSpec, readReleaseSpec, type EnvironmentSpec } from "../../src/api/v1alpha1/index.js";
import { evaluateAcceptance, parseJUnitXml } from "../../src/providers/junit/junit.js";
import {
  DEMO_LABEL,
  DEMO_RELEASES,
  DEPLOY_SCRIPT_FILE,
  demoEnvironmentSpec,
  demoObjects,
  demoReleaseObject,
  servingStartSince,
  TEST_RESULTS_XML,
  type DemoAppServing,
} from "./fixtures.js";

const cluster: ClusterInfo = {
  kind: "local",
  stateDir: "/repo/.local/cluster",
  kubernetesVersion: "v1.36.3",
  binDir: "/cache/k8s",
  apiserverUrl: "https://127.0.0.1:6443",
  kubeconfigs: { admin: "/a", operator: "/o", alice: "/al", bob: "/b" },
  nodes: [{ name: "ground", kubeletPort: 10250 }],
  prometheus: { url: "http://127.0.0.1:9090" },
  registry: {
    url: "http://127.0.0.1:5000",
    host: "127.0.0.1:5000",
    credentials: { username: "release-operator", password: "registry-secret" },
    repository: "demo/nav",
    tags: ["1.4.1", "1.4.2", "1.4.3"],
  },
  git: {
    url: "http://127.0.0.1:8080/git",
    credentials: { username: "release-operator", password: "git-secret" },
    sourceRepo: "http://127.0.0.1:8080/git/nav.git",
    reportRepo: "http://127.0.0.1:8080/git/reports.git",
  },
  demoApp: {
    url: "http://127.0.0.1:3000",
    adminUrl: "http://127.0.0.1:3000/admin",
    adminToken: "admin-secret",
    versions: ["1.4.1", "1.4.2", "1.4.3"],
  },
};

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: EnvironmentSpec;
}

describe("the demo's objects", () => {
  const objects = demoObjects(cluster, "#!/bin/sh\n") as Manifest[];
  const spec = demoEnvironmentSpec(cluster);

  it("the Environment is one the operator accepts: approval required, short windows, reports to reports.git", () => {
    const read = readEnvironmentSpec(spec);
    expect(read.ok, JSON.stringify(read)).toBe(true);
    if (!read.ok) return;
    expect(read.value.approval.required).toBe(true);
    expect(read.value.watch).toMatchObject({ durationMs: 45_000, intervalMs: 5_000 });
    expect(read.value.report).toMatchObject({
      url: "http://127.0.0.1:8080/git/reports.git",
      credentialsSecret: { name: "nav-demo-git" },
    });
  });

  it("every Secret and ConfigMap the Environment names is among the objects applied", () => {
    const named = [
      spec.artifact?.pullSecret?.name,
      spec.source?.credentialsSecret?.name,
      spec.report?.credentialsSecret?.name,
      spec.deploy.script.configMap?.name,
      ...(spec.deploy.envFrom ?? []).map((entry) => entry.configMapRef?.name ?? entry.secretRef?.name),
      ...(spec.acceptance?.reports ?? []).map((entry) => entry.configMap?.name ?? entry.secret?.name),
    ];
    const applied = new Set(objects.map((object) => object.metadata.name));
    expect(named.filter((name) => name === undefined || !applied.has(name))).toEqual([]);
    expect(objects.at(-1)?.kind).toBe("Environment");
  });

  it("every object carries the demo's label, so a re-run finds them", () => {
    const releases = DEMO_RELEASES.map((release) => demoReleaseObject(release) as Manifest);
    for (const object of [...objects, ...releases]) {
      expect(object.metadata.labels?.[DEMO_LABEL.key], object.metadata.name).toBe(DEMO_LABEL.value);
    }
  });

  it("the Releases are valid: 1.4.2 back to 1.4.1 expected Released, 1.4.3 back to 1.4.2 expected Rolled-Back", () => {
    for (const release of DEMO_RELEASES) {
      const object = demoReleaseObject(release) as { spec: unknown };
      expect(readReleaseSpec(object.spec).ok).toBe(true);
    }
    expect(
      DEMO_RELEASES.map((release) => [release.version, release.rollbackTarget, release.expected]),
    ).toEqual([
      ["1.4.2", "1.4.1", "Released"],
      ["1.4.3", "1.4.2", "Rolled-Back"],
    ]);
  });

  it("the JUnit results meet every acceptance criterion", () => {
    const parsed = parseJUnitXml(TEST_RESULTS_XML, "results.xml");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const criteria = (spec.acceptance?.criteria ?? []).map((criterion) => ({
      ...criterion,
      critical: criterion.critical ?? false,
    }));
    expect(criteria.length).toBeGreaterThan(0);
    expect(evaluateAcceptance(criteria, parsed.cases).filter((result) => !result.met)).toEqual([]);
  });

  it("the deploy script handles --rollback, which the gate requires", () => {
    expect(readFileSync(DEPLOY_SCRIPT_FILE, "utf8")).toContain('"${1:-}" = "--rollback"');
  });
});

describe("servingStartSince: whether the demo app needs a reset, and since when it has served 1.4.1 alone", () => {
  const STARTED = "2026-12-04T22:00:00.000Z";
  const entry = (at: string, summary: string) => ({ at, summary });
  const cases: { situation: string; state: DemoAppServing; since: string | undefined }[] = [
    {
      situation: "a fresh app: on 1.4.1 since its process started",
      state: { stable: "1.4.1", weights: { "1.4.1": 100 }, history: [] },
      since: STARTED,
    },
    {
      situation: "put back on 1.4.1 by an earlier run: since then",
      state: {
        stable: "1.4.1",
        weights: { "1.4.1": 100 },
        history: [
          entry("2026-12-04T22:10:00.000Z", "Deployed 1.4.2"),
          entry("2026-12-04T22:20:00.000Z", "Restored 1.4.1"),
        ],
      },
      since: "2026-12-04T22:20:00.000Z",
    },
    {
      situation: "left on 1.4.2 by the last run's rollback of 1.4.3: needs a reset",
      state: {
        stable: "1.4.2",
        weights: { "1.4.2": 100 },
        history: [entry(STARTED, "Rolled back 1.4.3 to 1.4.2")],
      },
      since: undefined,
    },
    {
      situation: "a canary beside 1.4.1: needs a reset",
      state: {
        stable: "1.4.1",
        candidate: { version: "1.4.3", weight: 50 },
        weights: { "1.4.1": 50, "1.4.3": 50 },
        history: [],
      },
      since: undefined,
    },
    {
      situation: "a blue-green version deployed idle at 0%: still a version in flight, needs a reset",
      state: {
        stable: "1.4.1",
        candidate: { version: "1.4.2", weight: 0 },
        weights: { "1.4.1": 100, "1.4.2": 0 },
        history: [],
      },
      since: undefined,
    },
  ];

  it.each(cases)("$situation", ({ state, since }) => {
    expect(servingStartSince(state, STARTED)).toBe(since);
  });
});
