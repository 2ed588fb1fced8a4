// The two ways to install the operator, `kubectl apply -k config/default` and the Helm chart, checked
// on what they render: restricted Pod Security, probes and ports that line up, least-privilege RBAC
// with no drift between the two, and the generated CRDs in both.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Container,
  V1PodSpec,
  V1PolicyRule,
  V1RoleBinding,
} from "@kubernetes/client-node";
import { execa } from "execa";
import { loadConfig } from "../../src/config.js";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  applyDryRun,
  chartDir,
  findHelm,
  ofKind,
  renderHelm,
  renderKustomize,
  repoRoot,
  type Kinds,
  type Manifest,
  type Rendered,
} from "./render.js";

const namespace = "release-operator-system";

// Rendered once: helm and kubectl take a few hundred milliseconds each.
let helm: string;
let kustomize: Rendered;
// Released as `release-operator`, the chart names its objects as config/ does, so names compare too.
let chart: Rendered;
// Released under another name (`helm template t ...`), every name gets a prefix: nothing may rely on
// the default names.
let chartAsT: Rendered;

beforeAll(async () => {
  helm = await findHelm();
  [kustomize, chart, chartAsT] = await Promise.all([
    renderKustomize(),
    renderHelm(helm, "release-operator"),
    renderHelm(helm, "t"),
  ]);
}, 60_000);

const renders = [
  { name: "kustomize", render: () => kustomize },
  { name: "helm", render: () => chart },
  { name: "helm (release t)", render: () => chartAsT },
];

function only<K extends keyof Kinds>(manifests: Manifest[], kind: K): Kinds[K] & Manifest {
  const found = ofKind(manifests, kind);
  if (found.length !== 1 || found[0] === undefined) {
    throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  }
  return found[0];
}

function podSpec(manifests: Manifest[]): V1PodSpec {
  const spec = only(manifests, "Deployment").spec?.template.spec;
  if (spec === undefined) throw new Error("the Deployment has no pod template spec");
  return spec;
}

function containersOf(spec: V1PodSpec): V1Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

// The volume types the restricted profile allows (Pod Security Standards, "Volume Types").
const restrictedVolumeTypes = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** What breaks the restricted Pod Security profile (and our read-only root), one line each. */
function restrictedViolations(spec: V1PodSpec): string[] {
  const violations: string[] = [];
  const pod = spec.securityContext;
  if (spec.hostNetwork === true || spec.hostPID === true || spec.hostIPC === true) {
    violations.push("pod: shares a host namespace");
  }
  if (pod?.runAsNonRoot !== true) violations.push("pod: runAsNonRoot is not true");
  if (pod?.runAsUser === 0) violations.push("pod: runAsUser is 0");
  if (pod?.seccompProfile?.type !== "RuntimeDefault") {
    violations.push("pod: seccompProfile is not RuntimeDefault");
  }
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== "name");
    for (const type of types.filter((key) => !restrictedVolumeTypes.has(key))) {
      violations.push(`volume ${volume.name}: type ${type} is not allowed`);
    }
  }
  for (const container of containersOf(spec)) {
    const where = `container ${container.name}`;
    const context = container.securityContext;
    if (context?.privileged === true) violations.push(`${where}: privileged`);
    if (context?.allowPrivilegeEscalation !== false) {
      violations.push(`${where}: allowPrivilegeEscalation is not false`);
    }
    if (context?.runAsNonRoot === false) violations.push(`${where}: runAsNonRoot is false`);
    if (context?.runAsUser === 0) violations.push(`${where}: runAsUser is 0`);
    if (!(context?.capabilities?.drop ?? []).includes("ALL")) violations.push(`${where}: does not drop ALL`);
    for (const added of (context?.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE")) {
      violations.push(`${where}: adds capability ${added}`);
    }
    const seccomp = context?.seccompProfile?.type;
    if (seccomp !== undefined && seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      violations.push(`${where}: seccompProfile ${seccomp}`);
    }
    if (context?.readOnlyRootFilesystem !== true) violations.push(`${where}: root filesystem is writable`);
    for (const port of container.ports ?? []) {
      if (port.hostPort !== undefined) violations.push(`${where}: hostPort ${port.hostPort}`);
    }
  }
  return violations;
}

/** A container port by name or number, as a probe or a Service's targetPort names it. */
function containerPort(container: V1Container, port: number | string | undefined): number | undefined {
  const found = (container.ports ?? []).find((candidate) =>
    typeof port === "number" ? candidate.containerPort === port : candidate.name === port,
  );
  return found?.containerPort;
}

function envValue(container: V1Container, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

function manager(manifests: Manifest[]): V1Container {
  const container = podSpec(manifests).containers.find((candidate) => candidate.name === "manager");
  if (container === undefined) throw new Error("the Deployment has no container named manager");
  return container;
}

/** Whether a label selector picks objects with these labels; an empty selector picks none here. */
function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const required = Object.entries(selector ?? {});
  return required.length > 0 && required.every(([key, value]) => labels?.[key] === value);
}

// RBAC, normalised: one "group resource[name]: verbs" line per resource, so rules written in a
// different grouping or order compare equal, and resourceNames or nonResourceURLs cannot hide.
type Permissions = Record<string, string[]>;

function permissions(rules: V1PolicyRule[]): Permissions {
  const verbs = new Map<string, Set<string>>();
  for (const rule of rules) {
    const targets = (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) =>
        (rule.resourceNames ?? [""]).map(
          (name) => `${group === "" ? "core" : group} ${resource}${name ? `[${name}]` : ""}`,
        ),
      ),
    );
    for (const url of rule.nonResourceURLs ?? []) targets.push(`url ${url}`);
    for (const target of targets) {
      const set = verbs.get(target) ?? new Set<string>();
      for (const verb of rule.verbs) set.add(verb);
      verbs.set(target, set);
    }
  }
  return Object.fromEntries(
    [...verbs].sort(([a], [b]) => a.localeCompare(b)).map(([target, set]) => [target, [...set].sort()]),
  );
}

function rulesOfAllRoles(manifests: Manifest[]): { role: string; rule: V1PolicyRule }[] {
  return [...ofKind(manifests, "ClusterRole"), ...ofKind(manifests, "Role")].flatMap((role) =>
    (role.rules ?? []).map((rule) => ({ role: `${role.kind} ${role.metadata.name}`, rule })),
  );
}

/**
 * What the operator's ServiceAccount may do, following its bindings: cluster-wide through
 * ClusterRoleBindings, and in its own namespace through RoleBindings.
 */
function operatorPermissions(manifests: Manifest[]): { clusterWide: Permissions; inNamespace: Permissions } {
  const deployment = only(manifests, "Deployment");
  const account = deployment.spec?.template.spec?.serviceAccountName;
  const accountNamespace = deployment.metadata.namespace;
  const bindsOperator = (binding: V1RoleBinding | V1ClusterRoleBinding): boolean =>
    (binding.subjects ?? []).some(
      (subject) =>
        subject.kind === "ServiceAccount" &&
        subject.name === account &&
        subject.namespace === accountNamespace,
    );
  const rulesOf = (kind: "Role" | "ClusterRole", name: string, inNamespace?: string): V1PolicyRule[] => {
    const role = ofKind(manifests, kind).find(
      (candidate) => candidate.metadata.name === name && candidate.metadata.namespace === inNamespace,
    );
    if (role === undefined) throw new Error(`a binding refers to ${kind} ${name}, which is not rendered`);
    return role.rules ?? [];
  };
  const clusterRules = ofKind(manifests, "ClusterRoleBinding")
    .filter(bindsOperator)
    .flatMap((binding) => rulesOf("ClusterRole", binding.roleRef.name));
  const namespacedRules = ofKind(manifests, "RoleBinding")
    .filter((binding) => binding.metadata.namespace === accountNamespace && bindsOperator(binding))
    .flatMap((binding) =>
      binding.roleRef.kind === "Role"
        ? rulesOf("Role", binding.roleRef.name, accountNamespace)
        : rulesOf("ClusterRole", binding.roleRef.name),
    );
  return { clusterWide: permissions(clusterRules), inNamespace: permissions(namespacedRules) };
}

function aggregatedRole(manifests: Manifest[], to: "edit" | "view"): V1ClusterRole & Manifest {
  const label = `rbac.authorization.k8s.io/aggregate-to-${to}`;
  const roles = ofKind(manifests, "ClusterRole").filter((role) => role.metadata.labels?.[label] === "true");
  if (roles.length !== 1 || roles[0] === undefined) {
    throw new Error(`expected one ClusterRole aggregated to ${to}, found ${roles.length}`);
  }
  return roles[0];
}

// The operator's permissions, derived verb by verb from what it does (SPEC sections 3 to 6).
const expectedOperatorPermissions: Permissions = {
  "batch jobs": ["create", "delete", "get", "list", "watch"],
  "core configmaps": ["create", "get", "list", "patch", "update", "watch"],
  "core events": ["create", "list", "patch"],
  "core pods": ["get", "list", "watch"],
  "core pods/log": ["get"],
  "core secrets": ["get"],
  "events.k8s.io events": ["create", "patch"],
  "release-operator.io environments": ["get", "list", "watch"],
  "release-operator.io environments/status": ["get", "patch", "update"],
  "release-operator.io releases": ["get", "list", "watch"],
  "release-operator.io releases/status": ["get", "patch", "update"],
};

// These spawn helm and kubectl: slower than a unit test, more so on a loaded CI machine.
describe("rendering", { timeout: 30_000 }, () => {
  it("kubectl kustomize config/default prints no warnings", () => {
    expect(kustomize.stderr).toBe("");
  });

  it.each([
    { name: "helm template release-operator", render: () => chart },
    { name: "helm template t", render: () => chartAsT },
  ])("$name prints no warnings", ({ render }) => {
    expect(render().stderr).toBe("");
  });

  it("helm lint --strict passes without warnings", async () => {
    const result = await execa(helm, ["lint", "--strict", chartDir], { reject: false, all: true });
    expect(result.all).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.exitCode, result.all).toBe(0);
  });

  it.each([
    {
      name: "kubectl apply -k config/default",
      source: ["-k", "config/default"],
      stdin: false,
      rendered: () => kustomize,
    },
    { name: "helm template | kubectl apply -f -", source: ["-f", "-"], stdin: true, rendered: () => chart },
  ])("$name --dry-run=client takes every object and sends nothing", async ({ source, stdin, rendered }) => {
    const { applied, writes } = await applyDryRun(source, stdin ? rendered().text : undefined);
    expect(writes).toEqual([]);
    // `-o name` prints kind.group/name; the count and names must match what was rendered.
    expect(applied.map((line) => line.slice(line.indexOf("/") + 1)).sort()).toEqual(
      rendered()
        .manifests.map((manifest) => manifest.metadata.name)
        .sort(),
    );
  });

  it("helm install prints NOTES that say how to apply a Release and watch it", async () => {
    // --dry-run=client renders NOTES.txt without a cluster; the kubeconfig points nowhere to keep it so.
    const { stdout } = await execa(helm, ["install", "t", chartDir, "-n", namespace, "--dry-run=client"], {
      env: { KUBECONFIG: join(repoRoot, "no-such-kubeconfig") },
    });
    const notes = stdout.slice(stdout.indexOf("NOTES:"));
    expect(notes).toContain(`kubectl -n ${namespace} rollout status deployment/t-release-operator`);
    expect(notes).toContain("kind: Release");
    expect(notes).toContain("kubectl get releases -w");
  });

  it("the version is the same in package.json, the chart and the kustomize image", async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as { version: string };
    const chartYaml = parse(await readFile(join(chartDir, "Chart.yaml"), "utf8")) as {
      version: string;
      appVersion: string;
    };
    expect({ chart: chartYaml.version, app: chartYaml.appVersion }).toEqual({
      chart: pkg.version,
      app: `v${pkg.version}`,
    });
    expect(manager(kustomize.manifests).image).toBe(
      `ghcr.io/release-operator/release-operator:${chartYaml.appVersion}`,
    );
    expect(manager(chart.manifests).image).toBe(manager(kustomize.manifests).image);
  });
});

describe.each(renders)("$name: the operator Pod", ({ render }) => {
  it("meets the restricted Pod Security profile, with a read-only root filesystem", () => {
    expect(restrictedViolations(podSpec(render().manifests))).toEqual([]);
  });

  it("writes only to an emptyDir at /tmp, where HOME points for git", () => {
    const spec = podSpec(render().manifests);
    const writable = containersOf(spec).flatMap((container) =>
      (container.volumeMounts ?? [])
        .filter((mount) => mount.readOnly !== true)
        .map((mount) => ({
          container: container.name,
          path: mount.mountPath,
          emptyDir: spec.volumes?.find((volume) => volume.name === mount.name)?.emptyDir !== undefined,
        })),
    );
    expect(writable).toEqual([{ container: "manager", path: "/tmp", emptyDir: true }]);
    expect(envValue(manager(render().manifests), "HOME")).toBe("/tmp");
  });

  it("probes /healthz and /readyz on the port the operator serves health on", () => {
    const container = manager(render().manifests);
    const healthPort = Number(
      envValue(container, "RELEASE_OPERATOR_HEALTH_PROBE_BIND_ADDRESS")?.split(":").pop(),
    );
    expect({
      liveness: container.livenessProbe?.httpGet?.path,
      readiness: container.readinessProbe?.httpGet?.path,
      livenessPort: containerPort(container, container.livenessProbe?.httpGet?.port),
      readinessPort: containerPort(container, container.readinessProbe?.httpGet?.port),
    }).toEqual({
      liveness: "/healthz",
      readiness: "/readyz",
      livenessPort: healthPort,
      readinessPort: healthPort,
    });
  });

  it("exposes the metrics port the operator binds, through a Service that selects the Pod", () => {
    const container = manager(render().manifests);
    const deployment = only(render().manifests, "Deployment");
    const service = only(render().manifests, "Service");
    const podLabels = deployment.spec?.template.metadata?.labels;
    const metricsPort = containerPort(container, "metrics");
    const servicePort = service.spec?.ports?.find((port) => port.name === "metrics");
    expect(metricsPort).toBeDefined();
    expect(envValue(container, "RELEASE_OPERATOR_METRICS_BIND_ADDRESS")).toBe(`:${metricsPort ?? ""}`);
    expect(containerPort(container, servicePort?.targetPort)).toBe(metricsPort);
    expect(service.metadata.namespace).toBe(deployment.metadata.namespace);
    expect(selects(service.spec?.selector, podLabels)).toBe(true);
    expect(selects(deployment.spec?.selector.matchLabels, podLabels)).toBe(true);
  });

  it("runs one leader-elected replica under its own ServiceAccount", () => {
    const deployment = only(render().manifests, "Deployment");
    const account = only(render().manifests, "ServiceAccount");
    expect({
      replicas: deployment.spec?.replicas,
      leaderElect: envValue(manager(render().manifests), "RELEASE_OPERATOR_LEADER_ELECT"),
      serviceAccountName: deployment.spec?.template.spec?.serviceAccountName,
      serviceAccountNamespace: deployment.metadata.namespace,
      command: manager(render().manifests).command,
    }).toEqual({
      replicas: 1,
      leaderElect: "true",
      serviceAccountName: account.metadata.name,
      serviceAccountNamespace: account.metadata.namespace,
      command: ["node", "--max-semi-space-size=4", "dist/main.js"],
    });
  });

  it("configures the operator with values its configuration reader accepts, and the ports it serves on", () => {
    const container = manager(render().manifests);
    const env = Object.fromEntries(
      (container.env ?? []).map((entry) => [
        entry.name,
        entry.value ??
          (entry.valueFrom?.fieldRef?.fieldPath === "metadata.namespace"
            ? "release-operator-system"
            : "pod-0"),
      ]),
    );
    const loaded = loadConfig([], env);
    if (!loaded.ok) throw new Error(loaded.message);
    expect({
      metrics: loaded.config.metricsAddress.port,
      health: loaded.config.healthAddress.port,
      leaseNamespace: loaded.config.leaderElection.namespace,
      identity: loaded.config.identity,
    }).toEqual({
      metrics: containerPort(container, "metrics"),
      health: containerPort(container, container.readinessProbe?.httpGet?.port),
      leaseNamespace: "release-operator-system",
      identity: "pod-0",
    });
  });
});

describe.each(renders)("$name: RBAC", ({ render }) => {
  it("uses no * verb, resource or apiGroup", () => {
    const wildcards = rulesOfAllRoles(render().manifests).filter(
      ({ rule }) =>
        rule.verbs.includes("*") ||
        (rule.resources ?? []).includes("*") ||
        (rule.apiGroups ?? []).includes("*") ||
        (rule.nonResourceURLs ?? []).includes("*"),
    );
    expect(wildcards).toEqual([]);
  });

  it("never lets anyone list or watch Secrets", () => {
    const offending = rulesOfAllRoles(render().manifests).filter(
      ({ rule }) =>
        (rule.apiGroups ?? []).includes("") &&
        (rule.resources ?? []).includes("secrets") &&
        rule.verbs.some((verb) => verb === "list" || verb === "watch"),
    );
    expect(offending).toEqual([]);
  });

  it("gives the operator exactly what it uses, cluster-wide", () => {
    expect(operatorPermissions(render().manifests).clusterWide).toEqual(expectedOperatorPermissions);
  });

  it("gives the operator Leases only in its own namespace, for leader election", () => {
    const deployment = only(render().manifests, "Deployment");
    const role = only(render().manifests, "Role");
    expect(role.metadata.namespace).toBe(deployment.metadata.namespace);
    expect(operatorPermissions(render().manifests).inNamespace).toEqual({
      "coordination.k8s.io leases": ["create", "get", "update"],
    });
  });

  it("aggregates a release editor into edit and a viewer into view", () => {
    expect(permissions(aggregatedRole(render().manifests, "edit").rules ?? [])).toEqual({
      "release-operator.io environments": ["get", "list", "watch"],
      "release-operator.io releases": ["create", "delete", "get", "list", "patch", "update", "watch"],
    });
    expect(permissions(aggregatedRole(render().manifests, "view").rules ?? [])).toEqual({
      "release-operator.io environments": ["get", "list", "watch"],
      "release-operator.io releases": ["get", "list", "watch"],
    });
  });
});

describe.each(renders)("$name: CRDs", ({ render }) => {
  it.each([
    { name: "releases.release-operator.io", kind: "Release", plural: "releases" },
    { name: "environments.release-operator.io", kind: "Environment", plural: "environments" },
  ])("has $name, namespaced, v1alpha1 with a status subresource", ({ name, kind, plural }) => {
    const crd = ofKind(render().manifests, "CustomResourceDefinition").find(
      (candidate) => candidate.metadata.name === name,
    );
    expect(crd).toBeDefined();
    expect({
      group: crd?.spec.group,
      kind: crd?.spec.names.kind,
      plural: crd?.spec.names.plural,
      scope: crd?.spec.scope,
      versions: crd?.spec.versions.map((version) => ({
        name: version.name,
        served: version.served,
        storage: version.storage,
        status: version.subresources?.status !== undefined,
      })),
    }).toEqual({
      group: "release-operator.io",
      kind,
      plural,
      scope: "Namespaced",
      versions: [{ name: "v1alpha1", served: true, storage: true, status: true }],
    });
    // Client-side apply stores the whole object in the last-applied-configuration annotation,
    // which the API server caps at 256 KiB.
    expect(JSON.stringify(crd).length).toBeLessThan(256 * 1024);
  });
});

describe("kustomize and helm install the same operator (no drift)", () => {
  it.each([
    { name: "release-operator", render: () => chart },
    { name: "t", render: () => chartAsT },
  ])("with the same rules in the ClusterRole bound to the operator (helm release $name)", ({ render }) => {
    expect(operatorPermissions(render().manifests)).toEqual(operatorPermissions(kustomize.manifests));
  });

  it("with the same rules in every Role and ClusterRole, by name", () => {
    const byName = (manifests: Manifest[]): Record<string, Permissions> =>
      Object.fromEntries(
        [...ofKind(manifests, "ClusterRole"), ...ofKind(manifests, "Role")].map((role) => [
          `${role.kind} ${role.metadata.name}`,
          permissions(role.rules ?? []),
        ]),
      );
    expect(byName(chart.manifests)).toEqual(byName(kustomize.manifests));
  });

  it("with the same Pod spec", () => {
    expect(podSpec(chart.manifests)).toEqual(podSpec(kustomize.manifests));
  });

  it("with the same objects, by kind and name (besides the Namespace, which helm leaves to --create-namespace)", () => {
    const names = (manifests: Manifest[]): string[] =>
      manifests
        .filter((manifest) => manifest.kind !== "Namespace")
        .map((manifest) => `${manifest.kind} ${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`)
        .sort();
    expect(names(chart.manifests)).toEqual(names(kustomize.manifests));
  });

  it("with the same admission policy authenticating approvals, bound to deny", () => {
    const policies = (manifests: Manifest[]) => ({
      policies: ofKind(manifests, "ValidatingAdmissionPolicy").map((policy) => policy.spec),
      bindings: ofKind(manifests, "ValidatingAdmissionPolicyBinding").map(
        (binding) => binding.spec.validationActions,
      ),
    });
    expect(policies(chart.manifests)).toEqual(policies(kustomize.manifests));
    expect(policies(kustomize.manifests).bindings).toEqual([["Deny"]]);
  });

  it("with the same CRDs", () => {
    const specs = (manifests: Manifest[]): Record<string, unknown> =>
      Object.fromEntries(
        ofKind(manifests, "CustomResourceDefinition").map((crd) => [crd.metadata.name, crd.spec]),
      );
    expect(specs(chart.manifests)).toEqual(specs(kustomize.manifests));
  });
});

describe("kustomize: the namespace", () => {
  it("enforces the restricted Pod Security profile", () => {
    const ns = only(kustomize.manifests, "Namespace");
    expect(ns.metadata.name).toBe(namespace);
    expect(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("holds every namespaced object", () => {
    const clusterScoped = new Set([
      "Namespace",
      "CustomResourceDefinition",
      "ClusterRole",
      "ClusterRoleBinding",
      "ValidatingAdmissionPolicy",
      "ValidatingAdmissionPolicyBinding",
    ]);
    const elsewhere = kustomize.manifests
      .filter((manifest) => !clusterScoped.has(manifest.kind) && manifest.metadata.namespace !== namespace)
      .map((manifest) => `${manifest.kind} ${manifest.metadata.name}`);
    expect(elsewhere).toEqual([]);
    // and nothing cluster-scoped claims a namespace (an apply would fail on it)
    const namespacedClusterObjects = kustomize.manifests
      .filter((manifest) => clusterScoped.has(manifest.kind) && manifest.metadata.namespace !== undefined)
      .map((manifest) => `${manifest.kind} ${manifest.metadata.name}`);
    expect(namespacedClusterObjects).toEqual([]);
  });
});

interface ValuesCase {
  situation: string;
  values: Record<string, string>;
  check: (manifests: Manifest[]) => void;
}

interface RefusedCase {
  situation: string;
  values: Record<string, string>;
  error: RegExp;
}

describe("helm: values", { timeout: 30_000 }, () => {
  it.each<ValuesCase>([
    {
      situation: "rbac.create=false renders no roles or bindings",
      values: { "rbac.create": "false" },
      check: (manifests) => {
        expect(
          manifests.filter((manifest) => manifest.apiVersion.startsWith("rbac.authorization.k8s.io/")),
        ).toEqual([]);
      },
    },
    {
      situation: "leaderElection.enabled=false drops the Lease Role and tells the operator",
      values: { "leaderElection.enabled": "false" },
      check: (manifests) => {
        expect(ofKind(manifests, "Role")).toEqual([]);
        expect(envValue(manager(manifests), "RELEASE_OPERATOR_LEADER_ELECT")).toBe("false");
      },
    },
    {
      situation: "an existing ServiceAccount is used and bound, not created",
      values: { "serviceAccount.create": "false", "serviceAccount.name": "platform-operator" },
      check: (manifests) => {
        expect(ofKind(manifests, "ServiceAccount")).toEqual([]);
        expect(podSpec(manifests).serviceAccountName).toBe("platform-operator");
        expect(operatorPermissions(manifests).clusterWide).toEqual(expectedOperatorPermissions);
      },
    },
    {
      situation: "other ports move the bind addresses, the container ports and the probes together",
      values: { "metrics.port": "9090", "health.port": "9091" },
      check: (manifests) => {
        const container = manager(manifests);
        expect({
          metrics: envValue(container, "RELEASE_OPERATOR_METRICS_BIND_ADDRESS"),
          health: envValue(container, "RELEASE_OPERATOR_HEALTH_PROBE_BIND_ADDRESS"),
          probe: containerPort(container, container.readinessProbe?.httpGet?.port),
          scraped: containerPort(container, only(manifests, "Service").spec?.ports?.[0]?.targetPort),
        }).toEqual({ metrics: ":9090", health: ":9091", probe: 9091, scraped: 9090 });
      },
    },
    {
      situation: "image.tag overrides the appVersion",
      values: { "image.tag": "v0.2.0" },
      check: (manifests) => {
        expect(manager(manifests).image).toBe("ghcr.io/release-operator/release-operator:v0.2.0");
      },
    },
  ])("$situation", async ({ values, check }) => {
    check((await renderHelm(helm, "release-operator", values)).manifests);
  });

  it.each<RefusedCase>([
    {
      situation: "two replicas without leader election would run releases twice",
      values: { replicaCount: "2", "leaderElection.enabled": "false" },
      error: /replicaCount > 1 needs leaderElection.enabled/,
    },
    {
      situation: "serviceAccount.create=false needs a name",
      values: { "serviceAccount.create": "false" },
      error: /serviceAccount.name must name an existing ServiceAccount/,
    },
    {
      situation: "a misspelt value is refused by the schema",
      values: { "leaderElection.enable": "true" },
      error: /additional properties 'enable' not allowed/,
    },
    {
      situation: "an unknown log level is refused by the schema",
      values: { logLevel: "verbose" },
      error: /logLevel/,
    },
  ])("refused: $situation", async ({ values, error }) => {
    await expect(renderHelm(helm, "release-operator", values)).rejects.toThrow(error);
  });
});
