import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { V1Job } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";

import { minimalEnvironment } from "../../test/support/environments.js";
import {
  API_VERSION,
  readEnvironmentSpec,
  type Deploy,
  type PodSecurityProfile,
  type Release,
  type ReleaseSettings,
} from "../api/v1alpha1/index.js";
import {
  RESTRICTED_CONTAINER,
  RESTRICTED_POD,
  ROLLBACK_CHECK_EXIT,
  jobNameFor,
  labelsFor,
  ownerReferenceTo,
  rollbackCheckJob,
  rollbackCheckResult,
  scriptSupportsRollback,
  type DeployRun,
  type OperatorJobPurpose,
  DEADLINE_BACKSTOP_SECONDS,
  deployJob,
  SCRIPT_MOUNT,
  smokeJob,
} from "./jobs.js";

const UID = "0b6f3c1e-5d2a-4c47-9d8e-1f2a3b4c5d6e";
const SCRIPT_PATH = "/app/scripts/deploy.sh";
/** A Job's name becomes the `job-name` label of its Pods, so it must be a valid label value. */
const LABEL_VALUE = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const PURPOSES: OperatorJobPurpose[] = [
  "rollback-check",
  "deploy",
  "rollback",
  "smoke-0",
  "rollback-smoke-31",
];

const releaseNamed = (name: string): Release => ({
  apiVersion: API_VERSION,
  kind: "Release",
  metadata: { name, namespace: "prod", uid: UID, generation: 1 },
  spec: { environment: "production", version: "1.4.2" },
});
const release = releaseNamed("nav-1-4-2");

function settingsWith(deploy: Partial<Deploy>): ReleaseSettings {
  const read = readEnvironmentSpec({
    ...minimalEnvironment,
    deploy: { ...minimalEnvironment.deploy, ...deploy },
  });
  if (!read.ok) throw new Error(`test environment must be valid: ${JSON.stringify(read.issues)}`);
  return { environment: read.value, argsFor: () => [] };
}

const podSpecOf = (job: V1Job) => {
  const spec = job.spec?.template.spec;
  if (spec === undefined) throw new Error("the Job has no pod template spec");
  return spec;
};
const containerOf = (job: V1Job) => {
  const container = podSpecOf(job).containers[0];
  if (container === undefined) throw new Error("the Job has no container");
  return container;
};

/** A name of `length` characters, DNS-label-shaped, ending in `tail`. */
const longName = (length: number, tail = ""): string => `${"a".repeat(length - tail.length)}${tail}`;

describe("jobNameFor", () => {
  it.each<{ situation: string; releaseName: string; purpose: OperatorJobPurpose; expected: string }>([
    {
      situation: "a short release name: name and purpose",
      releaseName: "nav-1-4-2",
      purpose: "rollback-check",
      expected: "nav-1-4-2-rollback-check",
    },
    {
      situation: "the deploy Job",
      releaseName: "nav-1-4-2",
      purpose: "deploy",
      expected: "nav-1-4-2-deploy",
    },
    {
      situation: "exactly 63 characters: kept whole",
      releaseName: longName(48),
      purpose: "rollback-check",
      expected: `${longName(48)}-rollback-check`,
    },
  ])("$situation", ({ releaseName, purpose, expected }) => {
    expect(jobNameFor(releaseName, purpose)).toBe(expected);
  });

  it.each<{ situation: string; releaseName: string }>([
    { situation: "one character too long", releaseName: longName(49) },
    { situation: "a long release name", releaseName: longName(120, "-1-4-2") },
    { situation: "the longest release name Kubernetes allows", releaseName: longName(253) },
    { situation: "a cut landing on dashes", releaseName: `${"a".repeat(36)}----${"b".repeat(30)}` },
    { situation: "a cut landing on a dot", releaseName: `${"a".repeat(38)}.${"b".repeat(30)}` },
  ])("$situation: cut with a hash where too long, at most 63, a valid label, stable", ({ releaseName }) => {
    for (const purpose of PURPOSES) {
      const name = jobNameFor(releaseName, purpose);
      expect(name.length, name).toBeLessThanOrEqual(63);
      expect(name, name).toMatch(LABEL_VALUE);
      if (`${releaseName}-${purpose}`.length <= 63) {
        expect(name).toBe(`${releaseName}-${purpose}`);
        continue;
      }
      expect(name, name).toMatch(new RegExp(`[a-z0-9]-[0-9a-f]{8}-${purpose}$`));
      expect(releaseName.startsWith(name.slice(0, -`-12345678-${purpose}`.length)), name).toBe(true);
      expect(jobNameFor(releaseName, purpose)).toBe(name);
    }
  });

  it("two long names that differ only past the cut get different Job names", () => {
    const first = jobNameFor(longName(100, "-1-4-2"), "deploy");
    const second = jobNameFor(longName(100, "-1-4-3"), "deploy");
    expect(first).not.toBe(second);
    expect(first.slice(0, -"deploy".length - 10)).toBe(second.slice(0, -"deploy".length - 10));
  });

  it("each purpose of one release has its own name", () => {
    for (const releaseName of ["nav-1-4-2", longName(200)]) {
      const names = PURPOSES.map((purpose) => jobNameFor(releaseName, purpose));
      expect(new Set(names).size).toBe(PURPOSES.length);
    }
  });
});

describe("ownerReferenceTo and labelsFor", () => {
  it("the Release controls the Job: controller true, its UID, deletion blocked until the Job is gone", () => {
    expect(ownerReferenceTo(release)).toEqual({
      apiVersion: "release-operator.io/v1alpha1",
      kind: "Release",
      name: "nav-1-4-2",
      uid: UID,
      controller: true,
      blockOwnerDeletion: true,
    });
  });

  it("labels name the operator, the release, the environment and the purpose", () => {
    expect(labelsFor(release, "deploy")).toEqual({
      "app.kubernetes.io/managed-by": "release-operator",
      "release-operator.io/release": "nav-1-4-2",
      "release-operator.io/environment": "production",
      "release-operator.io/purpose": "deploy",
    });
  });

  it("a Release name too long for a label value: the labels are cut with a hash, the Pods' annotation keeps it whole", () => {
    const name = longName(120, "-1-4-2");
    const job = deployJob(releaseNamed(name), settingsWith({}), {
      purpose: "deploy",
      strategy: "all-at-once",
      version: "1.4.2",
    });
    const labels = job.spec?.template.metadata?.labels ?? {};
    expect(Object.values(labels).every((value) => value.length <= 63 && LABEL_VALUE.test(value))).toBe(true);
    expect(labels["release-operator.io/release"]).toMatch(/^a{54}-[0-9a-f]{8}$/);
    expect(job.spec?.template.metadata?.annotations).toEqual({ "release-operator.io/release": name });
    expect(job.metadata?.ownerReferences?.[0]?.name).toBe(name);
  });
});

describe("rollbackCheckJob", () => {
  it("named, namespaced, owned and labelled for its release", () => {
    const job = rollbackCheckJob(release, settingsWith({}), SCRIPT_PATH);
    expect(job.apiVersion).toBe("batch/v1");
    expect(job.kind).toBe("Job");
    expect(job.metadata).toEqual({
      name: "nav-1-4-2-rollback-check",
      namespace: "prod",
      labels: labelsFor(release, "rollback-check"),
      ownerReferences: [ownerReferenceTo(release)],
    });
    expect(job.spec?.template.metadata?.labels).toEqual(labelsFor(release, "rollback-check"));
  });

  it("a long release name gives the same cut name as jobNameFor", () => {
    const long = releaseNamed(longName(100, "-1-4-2"));
    expect(rollbackCheckJob(long, settingsWith({}), SCRIPT_PATH).metadata?.name).toBe(
      jobNameFor(longName(100, "-1-4-2"), "rollback-check"),
    );
  });

  it("runs once, briefly, with no API token and the deploy image", () => {
    const job = rollbackCheckJob(release, settingsWith({ imagePullPolicy: "Always" }), SCRIPT_PATH);
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 120 });
    expect(podSpecOf(job)).toMatchObject({ restartPolicy: "Never", automountServiceAccountToken: false });
    expect(podSpecOf(job).containers).toHaveLength(1);
    expect(containerOf(job)).toMatchObject({
      name: "rollback-check",
      image: "registry.example.com/nav/deploy-tools:2.3.0",
      imagePullPolicy: "Always",
    });
  });

  it.each<{ situation: string; podSecurity: PodSecurityProfile | undefined; restricted: boolean }>([
    { situation: "restricted by default", podSecurity: undefined, restricted: true },
    { situation: "restricted when asked", podSecurity: "restricted", restricted: true },
    { situation: "baseline: no privilege, no escalation", podSecurity: "baseline", restricted: false },
    { situation: "privileged: no security context written", podSecurity: "privileged", restricted: false },
  ])("security context, $situation", ({ podSecurity, restricted }) => {
    const job = rollbackCheckJob(
      release,
      settingsWith(podSecurity === undefined ? {} : { podSecurity }),
      SCRIPT_PATH,
    );
    if (restricted) {
      expect(podSpecOf(job).securityContext).toEqual(RESTRICTED_POD);
      expect(containerOf(job).securityContext).toEqual(RESTRICTED_CONTAINER);
      // What the restricted Pod Security Standard checks.
      expect(containerOf(job).securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
    } else {
      expect(podSpecOf(job)).not.toHaveProperty("securityContext");
      expect(containerOf(job).securityContext).toEqual(
        podSecurity === "baseline" ? { allowPrivilegeEscalation: false, privileged: false } : undefined,
      );
    }
  });

  it("node placement is copied from the environment: an onboard node with a taint", () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "arch", operator: "In", values: ["arm64"] }] }],
        },
      },
    };
    const job = rollbackCheckJob(
      release,
      settingsWith({
        nodeSelector: { "release-operator.io/node": "onboard" },
        tolerations: [{ key: "onboard", operator: "Exists", effect: "NoSchedule" }],
        affinity,
        serviceAccountName: "nav-deployer",
      }),
      SCRIPT_PATH,
    );
    expect(podSpecOf(job)).toMatchObject({
      nodeSelector: { "release-operator.io/node": "onboard" },
      tolerations: [{ key: "onboard", operator: "Exists", effect: "NoSchedule" }],
      affinity,
      serviceAccountName: "nav-deployer",
    });
  });

  it("no placement configured: no affinity and no service account written, empty selector and tolerations", () => {
    const spec = podSpecOf(rollbackCheckJob(release, settingsWith({}), SCRIPT_PATH));
    expect(spec).not.toHaveProperty("affinity");
    expect(spec).not.toHaveProperty("serviceAccountName");
    expect(spec.nodeSelector).toEqual({});
    expect(spec.tolerations).toEqual([]);
  });

  it.each<{ situation: string; path: string }>([
    { situation: "a plain path", path: SCRIPT_PATH },
    { situation: "a path with spaces and quotes", path: `/app/my "deploy" script's.sh` },
    { situation: "a path with shell syntax", path: "/app/$(reboot);`id`&&deploy.sh" },
  ])("the script path is an argument, never part of the shell text: $situation", ({ path }) => {
    const command = containerOf(rollbackCheckJob(release, settingsWith({}), path)).command ?? [];
    expect(command).toHaveLength(5);
    expect(command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(command.slice(3)).toEqual(["rollback-check", path]);
    expect(command[2]).not.toContain(path);
    expect(command[2]).toBe(
      containerOf(rollbackCheckJob(release, settingsWith({}), SCRIPT_PATH)).command?.[2],
    );
  });
});

describe("deployJob", () => {
  const withArgs = (deploy: Partial<Deploy>, releaseArgs: string[] = []): ReleaseSettings => {
    const settings = settingsWith(deploy);
    return {
      ...settings,
      argsFor: (strategy) => [...(settings.environment.deploy.strategyArgs[strategy] ?? []), ...releaseArgs],
    };
  };

  it.each<{
    situation: string;
    run: DeployRun;
    deploy: Partial<Deploy>;
    releaseArgs?: string[];
    command: string[];
  }>([
    {
      situation: "deploy from a path in the image: the version, then the strategy's args, then the release's",
      run: { purpose: "deploy", strategy: "canary", version: "1.4.2" },
      deploy: { script: { path: SCRIPT_PATH }, strategyArgs: { canary: ["--canary", "5%"] } },
      releaseArgs: ["--region", "north"],
      command: [SCRIPT_PATH, "1.4.2", "--canary", "5%", "--region", "north"],
    },
    {
      situation: "another strategy's args are not passed",
      run: { purpose: "deploy", strategy: "all-at-once", version: "1.4.2" },
      deploy: { script: { path: SCRIPT_PATH }, strategyArgs: { canary: ["--canary", "5%"] } },
      command: [SCRIPT_PATH, "1.4.2"],
    },
    {
      situation: "rollback: --rollback and the target, nothing else",
      run: { purpose: "rollback", strategy: "canary", version: "1.4.2", rollbackTarget: "1.4.1" },
      deploy: { script: { path: SCRIPT_PATH }, strategyArgs: { canary: ["--canary", "5%"] } },
      command: [SCRIPT_PATH, "--rollback", "1.4.1"],
    },
    {
      situation: "a script in a ConfigMap is run with sh from its mount",
      run: { purpose: "deploy", strategy: "all-at-once", version: "1.4.2" },
      deploy: { script: { configMap: { name: "nav-deploy", key: "deploy.sh" } } },
      command: ["sh", `${SCRIPT_MOUNT}/deploy.sh`, "1.4.2"],
    },
  ])("$situation", ({ run, deploy, releaseArgs, command }) => {
    const job = deployJob(release, withArgs(deploy, releaseArgs), run);
    expect(job.metadata?.name).toBe(`nav-1-4-2-${run.purpose}`);
    expect(containerOf(job).name).toBe(run.purpose);
    expect(containerOf(job).command).toEqual(command);
    expect(job.spec?.backoffLimit).toBe(0);
    expect(podSpecOf(job).restartPolicy).toBe("Never");
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Release", uid: UID, controller: true });
    expect(job.metadata?.labels?.["release-operator.io/purpose"]).toBe(run.purpose);
  });

  it("the ConfigMap script is mounted read-only, only its key, executable", () => {
    const job = deployJob(
      release,
      settingsWith({ script: { configMap: { name: "nav-deploy", key: "run.sh" } } }),
      {
        purpose: "deploy",
        strategy: "all-at-once",
        version: "1.4.2",
      },
    );
    expect(podSpecOf(job).volumes).toEqual([
      {
        name: "script",
        configMap: { name: "nav-deploy", items: [{ key: "run.sh", path: "run.sh", mode: 0o555 }] },
      },
    ]);
    expect(containerOf(job).volumeMounts).toEqual([
      { name: "script", mountPath: SCRIPT_MOUNT, readOnly: true },
    ]);
  });

  it("the script's environment: what it is doing and for which release, then the envFrom sources", () => {
    const job = deployJob(
      release,
      settingsWith({
        envFrom: [{ secretRef: { name: "nav-env" } }, { configMapRef: { name: "nav-config" } }],
      }),
      {
        purpose: "rollback",
        strategy: "canary",
        version: "1.4.2",
        previousVersion: "1.4.1",
        rollbackTarget: "1.4.0",
      },
    );
    expect(containerOf(job).env).toEqual([
      { name: "RELEASE_ACTION", value: "rollback" },
      { name: "RELEASE_NAME", value: "nav-1-4-2" },
      { name: "RELEASE_ENVIRONMENT", value: "production" },
      { name: "RELEASE_VERSION", value: "1.4.2" },
      { name: "RELEASE_PREVIOUS_VERSION", value: "1.4.1" },
      { name: "RELEASE_ROLLBACK_TARGET", value: "1.4.0" },
      { name: "RELEASE_STRATEGY", value: "canary" },
    ]);
    expect(containerOf(job).envFrom).toEqual([
      { secretRef: { name: "nav-env" } },
      { configMapRef: { name: "nav-config" } },
    ]);
  });

  it("the Job's own deadline is a backstop past the deploy timeout, so the operator stops it first", () => {
    const job = deployJob(release, settingsWith({ timeout: "10m" }), {
      purpose: "deploy",
      strategy: "all-at-once",
      version: "1.4.2",
    });
    expect(job.spec?.activeDeadlineSeconds).toBe(600 + DEADLINE_BACKSTOP_SECONDS);
  });

  it.each<{ situation: string; podSecurity: PodSecurityProfile; pod: unknown; container: unknown }>([
    {
      situation: "restricted",
      podSecurity: "restricted",
      pod: RESTRICTED_POD,
      container: RESTRICTED_CONTAINER,
    },
    {
      situation: "baseline",
      podSecurity: "baseline",
      pod: undefined,
      container: { allowPrivilegeEscalation: false, privileged: false },
    },
    { situation: "privileged", podSecurity: "privileged", pod: undefined, container: undefined },
  ])("Pod Security $situation", ({ podSecurity, pod, container }) => {
    const job = deployJob(release, settingsWith({ podSecurity }), {
      purpose: "deploy",
      strategy: "all-at-once",
      version: "1.4.2",
    });
    expect(podSpecOf(job).securityContext).toEqual(pod);
    expect(containerOf(job).securityContext).toEqual(container);
  });

  it.each<{ situation: string; serviceAccountName?: string; automount: boolean }>([
    {
      situation: "a ServiceAccount given: its token is mounted for the script",
      serviceAccountName: "nav-deployer",
      automount: true,
    },
    { situation: "no ServiceAccount: no token", automount: false },
  ])("$situation", ({ serviceAccountName, automount }) => {
    const job = deployJob(
      release,
      settingsWith(serviceAccountName === undefined ? {} : { serviceAccountName }),
      {
        purpose: "deploy",
        strategy: "all-at-once",
        version: "1.4.2",
      },
    );
    expect(podSpecOf(job).automountServiceAccountToken).toBe(automount);
  });

  it("a rollback without a target is a caller's bug, said with the release's name", () => {
    expect(() =>
      deployJob(release, settingsWith({}), {
        purpose: "rollback",
        strategy: "all-at-once",
        version: "1.4.2",
      }),
    ).toThrow("Release prod/nav-1-4-2: a rollback Job needs a rollback target");
  });
});

describe("smokeJob", () => {
  const smokeCase = { name: "orders", image: "smoke:1", command: ["smoke", "orders"], timeoutMs: 90_000 };
  const placed = settingsWith({
    nodeSelector: { "node-role.kubernetes.io/onboard": "" },
    envFrom: [{ secretRef: { name: "nav-env" } }],
  });

  it.each<{ run: "release" | "rollback"; index: number; name: string }>([
    { run: "release", index: 0, name: "nav-1-4-2-smoke-0" },
    { run: "rollback", index: 3, name: "nav-1-4-2-rollback-smoke-3" },
  ])("$run run, case $index: $name", ({ run, index, name }) => {
    const job = smokeJob(release, placed, smokeCase, run, index, {
      version: "1.4.2",
      previousVersion: "1.4.1",
    });
    expect(job.metadata?.name).toBe(name);
    expect(containerOf(job)).toMatchObject({ name: "smoke", image: "smoke:1", command: ["smoke", "orders"] });
    expect(containerOf(job).env).toContainEqual({ name: "RELEASE_SMOKE_RUN", value: run });
    expect(containerOf(job).env).toContainEqual({ name: "RELEASE_SMOKE_CASE", value: "orders" });
    expect(job.spec?.activeDeadlineSeconds).toBe(90);
  });

  it("runs on the deploy's placement but never gets the deploy's secrets", () => {
    const job = smokeJob(release, placed, smokeCase, "release", 0, { version: "1.4.2" });
    expect(podSpecOf(job).nodeSelector).toEqual({ "node-role.kubernetes.io/onboard": "" });
    expect(containerOf(job).envFrom).toBeUndefined();
    expect(podSpecOf(job).automountServiceAccountToken).toBe(false);
  });
});

describe("the rollback check script, run by sh", () => {
  const directory = mkdtempSync(join(tmpdir(), "rollback-check-"));
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const script = containerOf(rollbackCheckJob(release, settingsWith({}), SCRIPT_PATH)).command?.[2] ?? "";
  const write = (name: string, text: string): string => {
    const path = join(directory, name);
    writeFileSync(path, text);
    return path;
  };
  const run = (path: string) => {
    const result = spawnSync("sh", ["-c", script, "rollback-check", path], {
      encoding: "utf8",
      cwd: directory,
    });
    return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  const withRollback = [
    "#!/bin/sh",
    "set -eu",
    'if [ "${1:-}" = "--rollback" ]; then target="$2"; else target="$1"; fi',
    'echo "deploying $target"',
  ].join("\n");
  const withoutRollback = ["#!/bin/sh", 'echo "deploying $1"'].join("\n");

  it.each<{
    situation: string;
    file?: { name: string; text: string };
    path?: string;
    exitCode: number;
    says: RegExp;
  }>([
    {
      situation: "a script that handles --rollback: 0",
      file: { name: "deploy.sh", text: withRollback },
      exitCode: ROLLBACK_CHECK_EXIT.supported,
      says: /mentions --rollback/,
    },
    {
      situation: "a script without --rollback: 3",
      file: { name: "plain.sh", text: withoutRollback },
      exitCode: ROLLBACK_CHECK_EXIT.noRollbackFlag,
      says: /has no --rollback option/,
    },
    {
      situation: "an empty script: 3",
      file: { name: "empty.sh", text: "" },
      exitCode: ROLLBACK_CHECK_EXIT.noRollbackFlag,
      says: /has no --rollback option/,
    },
    {
      situation: "no file at the path: 2",
      path: "/nonexistent/scripts/deploy.sh",
      exitCode: ROLLBACK_CHECK_EXIT.missing,
      says: /not found in the image/,
    },
    {
      situation: "a path with spaces, quotes and shell syntax, read literally: 0",
      file: { name: `my "deploy" $(touch pwned) script's.sh`, text: withRollback },
      exitCode: ROLLBACK_CHECK_EXIT.supported,
      says: /mentions --rollback/,
    },
    {
      situation: "a relative path starting with a dash is a file, not an option: 0",
      file: { name: "-deploy.sh", text: withRollback },
      path: "-deploy.sh",
      exitCode: ROLLBACK_CHECK_EXIT.supported,
      says: /mentions --rollback/,
    },
  ])("$situation", ({ file, path, exitCode, says }) => {
    const target = path ?? (file === undefined ? "" : write(file.name, file.text));
    if (path !== undefined && file !== undefined) write(file.name, file.text);
    const result = run(target);
    expect(result.exitCode, result.stderr).toBe(exitCode);
    expect(exitCode === 0 ? result.stdout : result.stderr).toMatch(says);
    expect(existsSync(join(directory, "pwned"))).toBe(false);
  });

  it("a directory at the path is no script: 2", () => {
    const path = join(directory, "scripts");
    mkdirSync(path);
    expect(run(path).exitCode).toBe(ROLLBACK_CHECK_EXIT.missing);
  });
});

describe("rollbackCheckResult: what the exit code means", () => {
  it.each<{ situation: string; exitCode: number | undefined; passed: boolean; message: string }>([
    {
      situation: "0: supported",
      exitCode: 0,
      passed: true,
      message: "deploy script /app/scripts/deploy.sh supports --rollback",
    },
    {
      situation: "2: the script is missing",
      exitCode: 2,
      passed: false,
      message: "deploy script /app/scripts/deploy.sh not found in the deploy image",
    },
    {
      situation: "3: no --rollback, and the release does not patch the script",
      exitCode: 3,
      passed: false,
      message:
        "deploy script /app/scripts/deploy.sh has no --rollback option: fix the deploy script (the release does not patch it)",
    },
    {
      situation: "no exit code: deadline or eviction",
      exitCode: undefined,
      passed: false,
      message: "the Job reading /app/scripts/deploy.sh failed without an exit code (deadline or eviction)",
    },
    {
      situation: "any other code: a failure naming the code",
      exitCode: 137,
      passed: false,
      message: "the Job reading /app/scripts/deploy.sh failed with exit code 137",
    },
    {
      situation: "1 (sh itself failed): a failure, not a verdict on the script",
      exitCode: 1,
      passed: false,
      message: "the Job reading /app/scripts/deploy.sh failed with exit code 1",
    },
  ])("$situation", ({ exitCode, passed, message }) => {
    expect(rollbackCheckResult(exitCode, SCRIPT_PATH)).toEqual({ passed, message });
  });
});

describe("scriptSupportsRollback (a script from a ConfigMap)", () => {
  it.each<{ situation: string; text: string; supported: boolean }>([
    {
      situation: "a case branch for --rollback",
      text: 'case "$1" in --rollback) shift;; esac',
      supported: true,
    },
    { situation: "a usage line naming it", text: "usage: deploy.sh [--rollback] <version>", supported: true },
    { situation: "no mention", text: 'echo "deploying $1"', supported: false },
    { situation: "a different flag", text: "deploy.sh --roll-back <version>", supported: false },
    { situation: "empty", text: "", supported: false },
  ])("$situation: $supported", ({ text, supported }) => {
    expect(scriptSupportsRollback(text)).toBe(supported);
  });
});
