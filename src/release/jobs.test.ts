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
  type OperatorJobPurpose,
} from "./jobs.js";

const UID = "0b6f3c1e-5d2a-4c47-9d8e-1f2a3b4c5d6e";
const SCRIPT_PATH = "/app/scripts/deploy.sh";
/** A Job's name becomes the `job-name` label of its Pods, so it must be a valid label value. */
const LABEL_VALUE = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const PURPOSES: OperatorJobPurpose[] = ["rollback-check", "deploy", "rollback", "smoke"];

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
    { situation: "baseline: no security context written", podSecurity: "baseline", restricted: false },
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
      expect(containerOf(job)).not.toHaveProperty("securityContext");
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
