// The demo's objects on the local cluster: an Environment of its own whose deploy really deploys the
// demo app (hack/demo/deploy.sh through its admin API), watched in Prometheus, with its source in the
// git server's nav.git, its images in the registry and its reports pushed to reports.git. Building the
// objects is pure; applying them, removing a previous run's Releases and resetting the demo app are the
// side effects, each idempotent.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SOURCE_COMPONENTS, SOURCE_TAG_PATTERN } from "../cluster/fixtures/git-history.js";
import { kubectl } from "../cluster/kubectl.js";
import { WORKLOAD_NAMESPACE } from "../cluster/bootstrap.js";
import type { ClusterInfo } from "../cluster/info.js";
import { callDemoAdmin, type DemoAppState } from "../demo-app/client.js";
import {
  API_VERSION,
  type EnvironmentSpec,
  type ReleaseSpec,
  type Verdict,
} from "../../src/api/v1alpha1/index.js";

/** Where the demo's objects live: the namespace the cluster's humans (alice, bob) work in. */
export const DEMO_NAMESPACE = WORKLOAD_NAMESPACE;
export const DEMO_ENVIRONMENT = "nav-demo";
/** On every object the demo creates, so a re-run finds the previous run's Releases. */
export const DEMO_LABEL = { key: "app.kubernetes.io/part-of", value: "release-operator-demo" } as const;
export const DEMO_SELECTOR = `${DEMO_LABEL.key}=${DEMO_LABEL.value}`;

/** The demo app's version before the first release, set through its admin API at every run. */
export const START_VERSION = "1.4.1";

export interface DemoRelease {
  readonly name: string;
  readonly version: string;
  readonly rollbackTarget: string;
  readonly expected: Verdict;
  /** What the demo says before creating it. */
  readonly story: string;
}

/** The two releases, in order: a good version released, then a bad one rolled back by a hard breach. */
export const DEMO_RELEASES = [
  {
    name: "nav-1-4-2",
    version: "1.4.2",
    rollbackTarget: START_VERSION,
    expected: "Released",
    story: "v2: 1.4.2, a good version (the demo app's error rate and latency as 1.4.1's)",
  },
  {
    name: "nav-1-4-3",
    version: "1.4.3",
    rollbackTarget: "1.4.2",
    expected: "Rolled-Back",
    story: "v3: 1.4.3, a bad version (2.5x 1.4.2's error rate: above the 2x hard ratio)",
  },
] as const satisfies readonly DemoRelease[];

/**
 * Windows of seconds, not the 30-60 minutes of production: a reading every 5 s for 45 s, and the
 * rollback's mini watch as long (the operator caps it at the window when shorter than 5 minutes).
 */
export const DEMO_WATCH = {
  duration: "45s",
  interval: "5s",
  noDataGrace: "15s",
  baseline: { mode: "pre-deploy", window: "30s" },
} as const satisfies Partial<EnvironmentSpec["watch"]>;

/**
 * How long a deployed version serves before deploy.sh returns: its warm-up, so the first reading of
 * the window sees it settled.
 */
const SETTLE_SECONDS = 6;

/**
 * Rates over 5 minutes, as the watch e2e tests read them: a version deployed seconds ago has only its
 * own seconds in the range (earlier runs of the same version add samples of the same behaviour), the
 * baseline's version has minutes; so each ratio is the version table's within a reading or two.
 */
export const ERROR_RATE_QUERY =
  'sum(rate(demo_requests_total{code=~"5..",version="{version}"}[5m])) / sum(rate(demo_requests_total{version="{version}"}[5m]))';
export const LATENCY_QUERY =
  'histogram_quantile(0.95, sum by (le) (rate(demo_request_duration_seconds_bucket{version="{version}"}[5m])))';

export const DEMO_OBJECTS = {
  registrySecret: "nav-demo-registry-pull",
  /** username and password of the git server: reads nav.git, pushes to reports.git. */
  gitSecret: "nav-demo-git",
  deployScript: "nav-demo-deploy-script",
  /** DEMO_ADMIN_URL and DEPLOY_SETTLE_SECONDS. */
  deployEnv: "nav-demo-deploy-env",
  /** DEMO_ADMIN_TOKEN. */
  adminSecret: "nav-demo-app-admin",
  /** The latest test run, JUnit XML under `results.xml`. */
  testReport: "nav-demo-test-results",
} as const;

/**
 * The team's latest test run, as CI would leave it: every test behind an acceptance criterion passed,
 * so the gate finds the criteria met (the demo's bad version is caught by the watch, not by tests).
 */
export const TEST_RESULTS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nav" tests="4" failures="0">
  <testsuite name="nav" tests="4" failures="0">
    <testcase classname="nav.RouteTest" name="test_closed_roads" time="0.21"/>
    <testcase classname="nav.EtaTest" name="test_local_time_zone" time="0.04"/>
    <testcase classname="nav.GuidanceTest" name="test_lane_change_300m" time="0.11"/>
    <testcase classname="map.StyleTest" name="test_tunnel_outline" time="0.08"/>
  </testsuite>
</testsuites>
`;

/** The deploy script the Environment runs; the e2e watch tests run the same file. */
export const DEPLOY_SCRIPT_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "deploy.sh");

const metadata = (name: string) => ({
  name,
  namespace: DEMO_NAMESPACE,
  labels: { [DEMO_LABEL.key]: DEMO_LABEL.value },
});

/**
 * The demo's Environment: staging, approval required (alice gives it), acceptance criteria proved by a
 * JUnit report, smoke tests, short windows, reports committed to reports.git.
 */
export function demoEnvironmentSpec(cluster: ClusterInfo): EnvironmentSpec {
  return {
    tier: "staging",
    strategies: ["all-at-once"],
    approval: { required: true },
    artifact: {
      repository: `${cluster.registry.host}/${cluster.registry.repository}`,
      pullSecret: { name: DEMO_OBJECTS.registrySecret },
      plainHTTP: true,
    },
    source: {
      url: cluster.git.sourceRepo,
      credentialsSecret: { name: DEMO_OBJECTS.gitSecret },
      tagPattern: SOURCE_TAG_PATTERN,
      components: SOURCE_COMPONENTS.map((entry) => ({ ...entry })),
    },
    acceptance: {
      criteria: [
        {
          id: "AC-1",
          description: "Routes avoid closed roads",
          tests: ["nav.RouteTest.test_closed_roads"],
          critical: true,
        },
        {
          id: "AC-2",
          description: "Arrival times are shown in the local time zone",
          tests: ["nav.EtaTest.test_local_time_zone"],
          critical: true,
        },
        { id: "AC-3", description: "Tunnels are drawn dashed", tests: ["map.StyleTest.test_tunnel_outline"] },
      ],
      reports: [{ configMap: { name: DEMO_OBJECTS.testReport, key: "results.xml" } }],
    },
    deploy: {
      image: "demo/deploy-tools:1",
      script: { configMap: { name: DEMO_OBJECTS.deployScript, key: "deploy.sh" } },
      envFrom: [
        { configMapRef: { name: DEMO_OBJECTS.deployEnv } },
        { secretRef: { name: DEMO_OBJECTS.adminSecret } },
      ],
      requiredEnv: ["DEMO_ADMIN_URL", "DEMO_ADMIN_TOKEN"],
    },
    smoke: {
      timeout: "30s",
      http: [
        { name: "healthz", url: `${cluster.demoApp.url}/healthz`, expectedStatus: 200 },
        {
          name: "version",
          url: `${cluster.demoApp.url}/api/version`,
          expectedStatus: 200,
          bodyMatch: { contains: '"weights"' },
        },
      ],
    },
    watch: {
      ...DEMO_WATCH,
      prometheus: { url: cluster.prometheus.url },
      metrics: [
        { name: "error-rate", kind: "error-rate", query: ERROR_RATE_QUERY },
        { name: "p95-latency", kind: "latency", query: LATENCY_QUERY },
      ],
      healthCheck: { url: `${cluster.demoApp.url}/healthz` },
    },
    report: {
      url: cluster.git.reportRepo,
      credentialsSecret: { name: DEMO_OBJECTS.gitSecret },
    },
  };
}

/** Everything the Environment refers to, then the Environment itself: one `kubectl apply` list. */
export function demoObjects(cluster: ClusterInfo, deployScript: string): object[] {
  const { registry, git, demoApp } = cluster;
  const dockerConfig = JSON.stringify({
    auths: {
      [registry.host]: { username: registry.credentials.username, password: registry.credentials.password },
    },
  });
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(DEMO_OBJECTS.registrySecret),
      type: "kubernetes.io/dockerconfigjson",
      stringData: { ".dockerconfigjson": dockerConfig },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(DEMO_OBJECTS.gitSecret),
      stringData: { username: git.credentials.username, password: git.credentials.password },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(DEMO_OBJECTS.deployScript),
      data: { "deploy.sh": deployScript },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(DEMO_OBJECTS.deployEnv),
      data: { DEMO_ADMIN_URL: demoApp.adminUrl, DEPLOY_SETTLE_SECONDS: String(SETTLE_SECONDS) },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(DEMO_OBJECTS.adminSecret),
      stringData: { DEMO_ADMIN_TOKEN: demoApp.adminToken },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(DEMO_OBJECTS.testReport),
      data: { "results.xml": TEST_RESULTS_XML },
    },
    {
      apiVersion: API_VERSION,
      kind: "Environment",
      metadata: metadata(DEMO_ENVIRONMENT),
      spec: demoEnvironmentSpec(cluster),
    },
  ];
}

/** One of the demo's Releases, as `kubectl create` takes it. */
export function demoReleaseObject(release: DemoRelease): object {
  const spec: ReleaseSpec = {
    environment: DEMO_ENVIRONMENT,
    version: release.version,
    rollbackTarget: release.rollbackTarget,
  };
  return { apiVersion: API_VERSION, kind: "Release", metadata: metadata(release.name), spec };
}

/** The admin's kubectl on the local cluster, failing with kubectl's message. */
export function adminKubectl(cluster: ClusterInfo) {
  return (args: readonly string[], input?: string): Promise<string> =>
    kubectl(cluster.binDir, cluster.kubeconfigs.admin, args, input === undefined ? {} : { input });
}

/**
 * Removes what a previous run left: its Releases (found by label) with their Jobs and report
 * ConfigMaps (foreground deletion waits for the garbage collector to remove them, so the same names can
 * be created again at once), and its Environment, whose status holds the previous run's history.
 * Returns the names of the Releases removed.
 */
export async function removePreviousRun(cluster: ClusterInfo): Promise<string[]> {
  const run = adminKubectl(cluster);
  const names = (await run(["get", "releases", "-n", DEMO_NAMESPACE, "-l", DEMO_SELECTOR, "-o", "name"]))
    .split("\n")
    .filter((line) => line !== "");
  const remove = ["--ignore-not-found", "--cascade=foreground", "--wait=true", "--timeout=120s"];
  if (names.length > 0) {
    await run(["delete", "releases", "-n", DEMO_NAMESPACE, "-l", DEMO_SELECTOR, ...remove]);
  }
  await run(["delete", "environment", DEMO_ENVIRONMENT, "-n", DEMO_NAMESPACE, ...remove]);
  return names.map((name) => name.replace(/^[^/]*\//, ""));
}

export async function applyDemoObjects(cluster: ClusterInfo): Promise<void> {
  const list = {
    apiVersion: "v1",
    kind: "List",
    items: demoObjects(cluster, readFileSync(DEPLOY_SCRIPT_FILE, "utf8")),
  };
  await adminKubectl(cluster)(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=release-operator-demo", "-f", "-"],
    JSON.stringify(list),
  );
}

export async function createDemoRelease(cluster: ClusterInfo, release: DemoRelease): Promise<void> {
  await adminKubectl(cluster)(["create", "-f", "-"], JSON.stringify(demoReleaseObject(release)));
}

/** The part of the admin API's answer that says what the demo app serves, and since when. */
export type DemoAppServing = Pick<DemoAppState, "stable" | "candidate" | "weights"> & {
  readonly history: readonly Pick<DemoAppState["history"][number], "at">[];
};

/**
 * Since when the demo app has served START_VERSION alone, or undefined when it serves something else
 * (then it needs a reset). With no history the app has run START_VERSION since it started.
 */
export function servingStartSince(state: DemoAppServing, appStartedAt: string): string | undefined {
  const alone = Object.entries(state.weights).filter(([, weight]) => weight > 0);
  const onStart =
    state.stable === START_VERSION &&
    state.candidate === undefined &&
    alone.length === 1 &&
    alone[0]?.[0] === START_VERSION;
  if (!onStart) return undefined;
  return state.history.at(-1)?.at ?? appStartedAt;
}

export interface DemoAppReset {
  /** Whether it had to be changed (it served another version, or two). */
  readonly changed: boolean;
  readonly weights: Readonly<Record<string, number>>;
  /** Since when it has served START_VERSION alone. */
  readonly since: Date;
}

/**
 * Puts the demo app back on 1.4.1 alone (no version in flight) through its admin API, as a re-run
 * needs: the first release's baseline and rollback target are 1.4.1. Left as it is when it already
 * is there. `appStartedAt`: when the app's process started (it starts on 1.4.1).
 */
export async function resetDemoApp(cluster: ClusterInfo, appStartedAt: string): Promise<DemoAppReset> {
  const state = await callDemoAdmin(cluster.demoApp, "GET", "/state");
  const since = servingStartSince(state, appStartedAt);
  if (since !== undefined) return { changed: false, weights: state.weights, since: new Date(since) };
  const reset = await callDemoAdmin(cluster.demoApp, "PUT", "/state", { stable: START_VERSION });
  return { changed: true, weights: reset.weights, since: new Date(reset.history.at(-1)?.at ?? Date.now()) };
}
