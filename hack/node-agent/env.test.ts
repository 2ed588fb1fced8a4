// A container's environment as the kubelet assembles it, and the host process's final environment.
import type { V1ConfigMap, V1Container, V1Pod, V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  expandedArgv,
  isEnvVarName,
  processEnv,
  resolveContainerEnv,
  serviceEnv,
  type EnvResolution,
} from "./env.js";
import type { PodObjects } from "./references.js";

const configMap = (name: string, data: Record<string, string>): V1ConfigMap => ({ metadata: { name }, data });
const secret = (name: string, data: Record<string, string>): V1Secret => ({
  metadata: { name },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
});

const objects: PodObjects = {
  configMaps: new Map([
    ["app", configMap("app", { LEVEL: "info", MODE: "fast", "bad key": "x", "1START": "y" })],
    ["other", configMap("other", { MODE: "slow" })],
  ]),
  secrets: new Map([["creds", secret("creds", { PASSWORD: "s3cret", TOKEN: "t0k" })]]),
};

function podWith(container: V1Container): V1Pod {
  return {
    metadata: {
      name: "job-abc",
      namespace: "team",
      uid: "uid-1",
      labels: { app: "demo", tier: "web" },
      annotations: { note: "hello" },
    },
    spec: { nodeName: "onboard", serviceAccountName: "runner", containers: [container] },
  };
}

function resolve(container: Omit<V1Container, "name">): EnvResolution {
  const full = { name: "main", ...container };
  return resolveContainerEnv({
    pod: podWith(full),
    container: full,
    objects,
    addresses: { hostIP: "127.0.0.1", podIP: "127.0.0.1" },
    serviceEnv: serviceEnv("127.0.0.1", 6443),
  });
}

function envOf(container: Omit<V1Container, "name">): Record<string, string> {
  const result = resolve(container);
  if (!result.ok) throw new Error(result.message);
  return Object.fromEntries(result.env);
}

describe("resolveContainerEnv", () => {
  it("the kubernetes service variables are always there", () => {
    expect(envOf({})).toEqual({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: "6443" });
  });

  it.each<[string, Omit<V1Container, "name">, Record<string, string>]>([
    [
      "envFrom configMap with a prefix, invalid names skipped",
      { envFrom: [{ configMapRef: { name: "app" }, prefix: "APP_" }] },
      { APP_LEVEL: "info", APP_MODE: "fast", APP_1START: "y" },
    ],
    [
      "envFrom without prefix skips keys that are not env names",
      { envFrom: [{ configMapRef: { name: "app" } }] },
      { LEVEL: "info", MODE: "fast" },
    ],
    [
      "a later envFrom source overrides an earlier one",
      { envFrom: [{ configMapRef: { name: "app" } }, { configMapRef: { name: "other" } }] },
      { LEVEL: "info", MODE: "slow" },
    ],
    [
      "envFrom secret values are decoded",
      { envFrom: [{ secretRef: { name: "creds" } }] },
      { PASSWORD: "s3cret", TOKEN: "t0k" },
    ],
    [
      "an optional missing envFrom source is skipped",
      {
        envFrom: [
          { configMapRef: { name: "nope", optional: true } },
          { secretRef: { name: "gone", optional: true } },
        ],
      },
      {},
    ],
    [
      "env overrides envFrom",
      { envFrom: [{ configMapRef: { name: "app" } }], env: [{ name: "MODE", value: "manual" }] },
      { LEVEL: "info", MODE: "manual" },
    ],
    [
      "env values expand earlier env, envFrom and service variables",
      {
        envFrom: [{ configMapRef: { name: "app" } }],
        env: [
          { name: "A", value: "a" },
          { name: "B", value: "$(A)-$(LEVEL)-$(KUBERNETES_SERVICE_PORT)" },
        ],
      },
      { LEVEL: "info", MODE: "fast", A: "a", B: "a-info-6443" },
    ],
    [
      "a reference to a later variable is left as written",
      {
        env: [
          { name: "B", value: "$(A)" },
          { name: "A", value: "a" },
        ],
      },
      { B: "$(A)", A: "a" },
    ],
    ["$$ escapes in env values", { env: [{ name: "X", value: "$$(HOME)" }] }, { X: "$(HOME)" }],
    ["a variable without value is empty", { env: [{ name: "EMPTY" }] }, { EMPTY: "" }],
    [
      "fieldRef values",
      {
        env: [
          { name: "NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
          { name: "UID", valueFrom: { fieldRef: { fieldPath: "metadata.uid" } } },
          { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: "NOTE", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
          { name: "ABSENT", valueFrom: { fieldRef: { fieldPath: "metadata.labels['absent']" } } },
          { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
          { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
          { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
        ],
      },
      {
        NAME: "job-abc",
        NS: "team",
        UID: "uid-1",
        APP: "demo",
        NOTE: "hello",
        ABSENT: "",
        NODE: "onboard",
        SA: "runner",
        POD_IP: "127.0.0.1",
        HOST_IP: "127.0.0.1",
      },
    ],
    [
      "configMapKeyRef and secretKeyRef, and optional misses skipped",
      {
        env: [
          { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "app", key: "LEVEL" } } },
          { name: "PW", valueFrom: { secretKeyRef: { name: "creds", key: "PASSWORD" } } },
          { name: "NO_KEY", valueFrom: { configMapKeyRef: { name: "app", key: "nope", optional: true } } },
          { name: "NO_SECRET", valueFrom: { secretKeyRef: { name: "gone", key: "x", optional: true } } },
        ],
      },
      { LEVEL: "info", PW: "s3cret" },
    ],
    [
      "values from references are not expanded",
      {
        env: [
          { name: "LEVEL", value: "debug" },
          { name: "LITERAL", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
        ],
      },
      { LEVEL: "debug", LITERAL: "hello" },
    ],
  ])("%s", (_name, container, expected) => {
    expect(envOf(container)).toEqual({
      KUBERNETES_SERVICE_HOST: "127.0.0.1",
      KUBERNETES_SERVICE_PORT: "6443",
      ...expected,
    });
  });

  it.each<[string, Omit<V1Container, "name">, string]>([
    [
      "a missing envFrom configMap",
      { envFrom: [{ configMapRef: { name: "nope" } }] },
      'configmap "nope" not found',
    ],
    ["a missing envFrom secret", { envFrom: [{ secretRef: { name: "gone" } }] }, 'secret "gone" not found'],
    [
      "a missing configMap key",
      { env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "app", key: "nope" } } }] },
      "couldn't find key nope in ConfigMap team/app",
    ],
    [
      "a missing secret key",
      { env: [{ name: "X", valueFrom: { secretKeyRef: { name: "creds", key: "nope" } } }] },
      "couldn't find key nope in Secret team/creds",
    ],
    [
      "a missing configMap for a key",
      { env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "k" } } }] },
      'configmap "nope" not found',
    ],
    [
      "an unsupported source",
      { env: [{ name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } }] },
      "env CPU: only value, fieldRef, configMapKeyRef and secretKeyRef are supported by the node agent",
    ],
    [
      "an unsupported field path",
      { env: [{ name: "X", valueFrom: { fieldRef: { fieldPath: "spec.schedulerName" } } }] },
      "env X: unsupported fieldPath: spec.schedulerName",
    ],
  ])("a container config error names the cause: %s", (_name, container, message) => {
    expect(resolve(container)).toEqual({ ok: false, message });
  });

  it("skipped envFrom keys are reported as the kubelet's event says", () => {
    const result = resolve({ envFrom: [{ configMapRef: { name: "app" } }] });
    expect(result.ok && result.warnings).toEqual([
      "Keys [1START, bad key] from the EnvFrom configMap team/app were skipped since they are considered invalid environment variable names.",
    ]);
  });
});

describe("isEnvVarName", () => {
  it.each([
    ["PATH", true],
    ["my.var-1", true],
    ["_x", true],
    ["1ABC", false],
    ["has space", false],
    ["a=b", false],
    ["", false],
  ])("%j → %s", (name, valid) => {
    expect(isEnvVarName(name)).toBe(valid);
  });
});

describe("expandedArgv", () => {
  it("joins command and args and expands each against the container env", () => {
    const env = new Map([
      ["GREETING", "hi there"],
      ["TARGET", "world"],
    ]);
    expect(
      expandedArgv(
        { name: "c", command: ["sh", "-c"], args: ["echo $(GREETING) $(TARGET) $$(TARGET) $(NOPE)"] },
        env,
      ),
    ).toEqual(["sh", "-c", "echo hi there world $(TARGET) $(NOPE)"]);
  });

  it("a container without command has an empty argv (refused later)", () => {
    expect(expandedArgv({ name: "c", args: ["x"] }, new Map())).toEqual(["x"]);
    expect(expandedArgv({ name: "c" }, new Map())).toEqual([]);
  });
});

describe("processEnv", () => {
  const base = { PATH: "/usr/bin:/bin", HOME: "/work/pods/u", HOSTNAME: "job-abc" };
  const rewrite = (value: string) => value.replace("/etc/config", "/work/pods/u/root/etc/config");

  it.each<[string, Map<string, string>, string | undefined, Record<string, string>]>([
    [
      "base, then the container's values rewritten, then KUBECONFIG, then the forced markers",
      new Map([
        ["CONFIG", "/etc/config/app.yaml"],
        ["RELEASE_OPERATOR_CLUSTER", "spoofed"],
      ]),
      "/work/pods/u/kubeconfig",
      {
        ...base,
        CONFIG: "/work/pods/u/root/etc/config/app.yaml",
        KUBECONFIG: "/work/pods/u/kubeconfig",
        RELEASE_OPERATOR_CLUSTER: "/state",
      },
    ],
    [
      "a container that sets KUBECONFIG keeps its own",
      new Map([["KUBECONFIG", "/etc/config/kc"]]),
      "/work/pods/u/kubeconfig",
      { ...base, KUBECONFIG: "/work/pods/u/root/etc/config/kc", RELEASE_OPERATOR_CLUSTER: "/state" },
    ],
    [
      "the container may override PATH and HOME",
      new Map([
        ["PATH", "/opt/bin"],
        ["HOME", "/home/app"],
      ]),
      undefined,
      { PATH: "/opt/bin", HOME: "/home/app", HOSTNAME: "job-abc", RELEASE_OPERATOR_CLUSTER: "/state" },
    ],
  ])("%s", (_name, containerEnv, kubeconfig, expected) => {
    expect(
      processEnv({
        base,
        containerEnv,
        rewrite,
        ...(kubeconfig ? { kubeconfig } : {}),
        forced: { RELEASE_OPERATOR_CLUSTER: "/state" },
      }),
    ).toEqual(expected);
  });
});
