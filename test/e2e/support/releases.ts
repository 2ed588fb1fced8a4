// Environments and Releases against the local cluster's fixtures: the demo source repo in git, the
// demo app's images in the registry, Prometheus scraping the demo app. Objects are applied as the
// admin (the platform team), decisions are given as the cluster's humans.
import { inject } from "vitest";
import { SOURCE_COMPONENTS, SOURCE_TAG_PATTERN } from "../../../hack/cluster/fixtures/git-history.js";
import type { DecisionKind, EnvironmentSpec, Release, ReleaseSpec } from "../../../src/api/v1alpha1/index.js";
import type { Environment } from "../../../src/api/v1alpha1/index.js";
import type { IdentityName } from "../../../hack/cluster/info.js";
import type { KubectlResult } from "../../../hack/cluster/kubectl.js";
import { eventually, kubectl, kubectlAs, kubectlJson } from "./kubectl.js";

export const NAMESPACE = "default";

export const ERROR_RATE_QUERY =
  'sum(rate(demo_requests_total{code=~"5..",version="{version}"}[1m])) / sum(rate(demo_requests_total{version="{version}"}[1m]))';
export const LATENCY_QUERY =
  'histogram_quantile(0.95, sum by (le) (rate(demo_request_duration_seconds_bucket{version="{version}"}[1m])))';

export const DEPLOY_SCRIPT = `#!/bin/sh
# deploy.sh <version> | deploy.sh --rollback <version>
set -eu
if [ "\${1:-}" = "--rollback" ]; then echo "rolling back to $2"; exit 0; fi
echo "deploying $1 with \${RELEASE_STRATEGY:-all-at-once}"
`;

/** The names of the shared fixture objects in the namespace. */
export const FIXTURE_OBJECTS = {
  registrySecret: "e2e-registry-pull",
  gitSecret: "e2e-git-readonly",
  deployScript: "e2e-deploy-script",
  scriptWithoutRollback: "e2e-deploy-script-no-rollback",
} as const;

async function apply(object: unknown): Promise<void> {
  await kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], {
    input: JSON.stringify(object),
  });
}

/** Secrets and ConfigMaps every environment of these tests uses; idempotent. */
export async function applySharedFixtures(): Promise<void> {
  const cluster = inject("cluster");
  const { registry, git } = cluster;
  const dockerConfig = JSON.stringify({
    auths: {
      [registry.host]: { username: registry.credentials.username, password: registry.credentials.password },
    },
  });
  await apply({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: FIXTURE_OBJECTS.registrySecret, namespace: NAMESPACE },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": Buffer.from(dockerConfig).toString("base64") },
  });
  await apply({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: FIXTURE_OBJECTS.gitSecret, namespace: NAMESPACE },
    stringData: { username: git.credentials.username, password: git.credentials.password },
  });
  await apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: FIXTURE_OBJECTS.deployScript, namespace: NAMESPACE },
    data: { "deploy.sh": DEPLOY_SCRIPT },
  });
  await apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: FIXTURE_OBJECTS.scriptWithoutRollback, namespace: NAMESPACE },
    data: { "deploy.sh": "#!/bin/sh\necho deploying $1\n" },
  });
}

/**
 * Watch timings of seconds rather than the tier's default window of 15 minutes: every release that gets
 * past its smoke tests goes through a watch window, and every rollback through a mini watch as long as
 * the window (at most 5 minutes), so releases of tests about other phases still reach a verdict quickly.
 * A version the deploy did not make the demo app run has no data and rolls back after `noDataGrace`.
 */
export const SHORT_WATCH = {
  duration: "10s",
  interval: "2s",
  noDataGrace: "6s",
  baseline: { mode: "pre-deploy", window: "30s" },
} as const satisfies Partial<EnvironmentSpec["watch"]>;

/** A staging environment over the fixtures; `changes` replaces top-level fields. */
export function environmentSpec(changes: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  const cluster = inject("cluster");
  return {
    tier: "staging",
    strategies: ["all-at-once", "canary"],
    artifact: {
      repository: `${cluster.registry.host}/${cluster.registry.repository}`,
      pullSecret: { name: FIXTURE_OBJECTS.registrySecret },
      plainHTTP: true,
    },
    source: {
      url: cluster.git.sourceRepo,
      credentialsSecret: { name: FIXTURE_OBJECTS.gitSecret },
      tagPattern: SOURCE_TAG_PATTERN,
      components: SOURCE_COMPONENTS.map((entry) => ({ ...entry })),
    },
    deploy: {
      image: "demo/deploy-tools:1",
      script: { configMap: { name: FIXTURE_OBJECTS.deployScript, key: "deploy.sh" } },
    },
    watch: {
      ...SHORT_WATCH,
      prometheus: { url: cluster.prometheus.url },
      metrics: [
        { name: "error-rate", kind: "error-rate", query: ERROR_RATE_QUERY },
        { name: "p95-latency", kind: "latency", query: LATENCY_QUERY },
      ],
    },
    ...changes,
  };
}

export async function applyEnvironment(name: string, spec: EnvironmentSpec): Promise<void> {
  await apply({
    apiVersion: "release-operator.io/v1alpha1",
    kind: "Environment",
    metadata: { name, namespace: NAMESPACE },
    spec,
  });
}

export async function applyRelease(
  name: string,
  spec: ReleaseSpec,
  annotations: Record<string, string> = {},
): Promise<void> {
  await kubectl(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "release-operator.io/v1alpha1",
      kind: "Release",
      metadata: { name, namespace: NAMESPACE, annotations },
      spec,
    }),
  });
}

export function getRelease(name: string): Promise<Release> {
  return kubectlJson<Release>(["get", "release", name, "-n", NAMESPACE]);
}

/** The data of a Release's report ConfigMap `<name>-report`. */
export async function reportOf(name: string): Promise<Record<string, string>> {
  const configMap = await kubectlJson<{ data?: Record<string, string> }>([
    "get",
    "configmap",
    `${name}-report`,
    "-n",
    NAMESPACE,
  ]);
  return configMap.data ?? {};
}

export function getEnvironment(name: string): Promise<Environment> {
  return kubectlJson<Environment>(["get", "environment", name, "-n", NAMESPACE]);
}

/** Waits until the Release satisfies `check` and returns it, failing with its last status. */
export async function releaseWhen(
  name: string,
  what: string,
  check: (release: Release) => boolean,
  timeoutMs = 60_000,
): Promise<Release> {
  let last: Release | undefined;
  try {
    return await eventually(
      `Release ${name}: ${what}`,
      async () => {
        last = await getRelease(name);
        return check(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nlast status: ${JSON.stringify(last?.status, null, 2)}`,
      { cause: error },
    );
  }
}

export interface KubeEvent {
  type: string;
  reason: string;
  message: string;
  involvedObject: { name: string; kind: string };
  count?: number;
}

export async function eventsFor(kind: string, name: string): Promise<KubeEvent[]> {
  const list = await kubectlJson<{ items: KubeEvent[] }>([
    "get",
    "events",
    "-n",
    NAMESPACE,
    "--field-selector",
    `involvedObject.kind=${kind},involvedObject.name=${name}`,
  ]);
  return list.items;
}

/** The messages of the object's Events with `reason` (and `type`, when given), for `expect.poll`. */
export async function eventMessages(
  kind: string,
  name: string,
  reason: string,
  type?: KubeEvent["type"],
): Promise<string[]> {
  return (await eventsFor(kind, name))
    .filter((event) => event.reason === reason && (type === undefined || event.type === type))
    .map((event) => event.message);
}

/** Whether the Release passed its gate and strategy choice: it entered Execute (and may be past it). */
export const enteredExecute = (release: Release): boolean =>
  release.status?.phases?.some((record) => record.phase === "Execute") === true;

/** Waits until the Release asks a human for this kind of decision, and returns it. */
export function releaseWaitingFor(name: string, kind: DecisionKind, timeoutMs = 60_000): Promise<Release> {
  return releaseWhen(
    name,
    `waiting for a ${kind} decision`,
    (release) => release.status?.pendingDecision?.kind === kind,
    timeoutMs,
  );
}

/** Annotates a Release as one of the cluster's identities; never throws, so refusals can be asserted. */
export function annotateAs(
  identity: IdentityName,
  release: string,
  ...annotations: string[]
): Promise<KubectlResult> {
  return kubectlAs(identity, ["annotate", "release", release, "-n", NAMESPACE, ...annotations]);
}

/** Runs a command from `pendingDecision.commands` (`kubectl annotate release ...`) as a given identity. */
export function commandArgs(command: string): string[] {
  const words = command.match(/'[^']*'|\S+/g) ?? [];
  const unquoted = words.map((word) => (word.startsWith("'") ? word.slice(1, -1) : word));
  if (unquoted[0] !== "kubectl") throw new Error(`not a kubectl command: ${command}`);
  return unquoted.slice(1);
}

export async function deleteObjects(kind: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await kubectl(["delete", kind, "-n", NAMESPACE, "--ignore-not-found", "--wait=false", ...names]);
}
