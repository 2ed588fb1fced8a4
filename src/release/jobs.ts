// The Jobs a Release runs, as manifests: deterministic names (a restarted operator finds the Job it
// created instead of creating another), owned by the Release, labelled to be found by selector, and
// written for the restricted Pod Security profile. Pure.
import type {
  V1Container,
  V1EnvVar,
  V1Job,
  V1OwnerReference,
  V1PodSecurityContext,
  V1SecurityContext,
  V1Volume,
} from "@kubernetes/client-node";
import {
  API_VERSION,
  LABELS,
  MANAGED_BY,
  type JobSmokeSettings,
  type Release,
  type ReleaseSettings,
  type Strategy,
} from "../api/v1alpha1/index.js";
import { fitName, labelValueOf, MAX_LABEL_VALUE } from "./names.js";

/** What a Job is for; part of its name and its purpose label. */
export type OperatorJobPurpose =
  "rollback-check" | "deploy" | "rollback" | `smoke-${number}` | `rollback-smoke-${number}`;

/** The purpose of the Job running smoke case `index` after the deploy, or after a rollback. */
export function smokeJobPurpose(run: "release" | "rollback", index: number): OperatorJobPurpose {
  return run === "release" ? `smoke-${index}` : `rollback-smoke-${index}`;
}

/** What a release records of a Job the API server refused to create (it never ran, and never will). */
export function refusedJobMessage(what: string, jobName: string, apiMessage: string): string {
  return `${what} Job ${jobName} was refused by the API server (${apiMessage})`;
}

/** `<release>-<purpose>`, cut with a hash suffix when longer than a label value may be. */
export function jobNameFor(releaseName: string, purpose: OperatorJobPurpose): string {
  return fitName(releaseName, `-${purpose}`, MAX_LABEL_VALUE);
}

export function ownerReferenceTo(release: Release): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    name: release.metadata.name ?? "",
    uid: release.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Labels to select by: names longer than a label value holds are cut with a hash (see names.ts). */
export function labelsFor(release: Release, purpose: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.release]: labelValueOf(release.metadata.name ?? ""),
    [LABELS.environment]: labelValueOf(release.spec.environment),
    [LABELS.purpose]: purpose,
  };
}

/** The whole name of the Release, on its Jobs' Pods: a label value may be cut, an annotation is not. */
export function podAnnotationsFor(release: Release): Record<string, string> {
  return { [LABELS.release]: release.metadata.name ?? "" };
}

/** The security context the restricted Pod Security profile demands. */
export const RESTRICTED_POD: V1PodSecurityContext = {
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

export const RESTRICTED_CONTAINER: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

/** What the baseline profile forbids and a script never needs; restricted adds non-root and seccomp. */
const BASELINE_CONTAINER: V1SecurityContext = { allowPrivilegeEscalation: false, privileged: false };

/**
 * A Job of the release: owned by it, labelled for it, run once (`backoffLimit: 0`, never restarted),
 * placed where the Environment's deploy runs, written for its Pod Security profile.
 */
function releaseJob(
  release: Release,
  settings: ReleaseSettings,
  purpose: OperatorJobPurpose,
  container: V1Container,
  options: { activeDeadlineSeconds: number; volumes?: V1Volume[]; apiAccess: boolean },
): V1Job {
  const deploy = settings.environment.deploy;
  const labels = labelsFor(release, purpose);
  const profile = deploy.podSecurity;
  const containerSecurity =
    profile === "restricted" ? RESTRICTED_CONTAINER : profile === "baseline" ? BASELINE_CONTAINER : undefined;
  // A deploy script often talks to the API with the ServiceAccount it was given; without one, no token.
  // The rollback check and smoke cases run other code than the team's script: they never get the token.
  const automount = options.apiAccess && deploy.serviceAccountName !== undefined;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobNameFor(release.metadata.name ?? "", purpose),
      namespace: release.metadata.namespace ?? "",
      labels,
      ownerReferences: [ownerReferenceTo(release)],
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: options.activeDeadlineSeconds,
      template: {
        metadata: { labels, annotations: podAnnotationsFor(release) },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: automount,
          ...(deploy.serviceAccountName === undefined
            ? {}
            : { serviceAccountName: deploy.serviceAccountName }),
          nodeSelector: deploy.nodeSelector,
          tolerations: deploy.tolerations,
          ...(deploy.affinity === undefined ? {} : { affinity: deploy.affinity }),
          ...(profile === "restricted" ? { securityContext: RESTRICTED_POD } : {}),
          ...(options.volumes === undefined ? {} : { volumes: options.volumes }),
          containers: [
            containerSecurity === undefined
              ? container
              : Object.assign(container, { securityContext: containerSecurity }),
          ],
        },
      },
    },
  };
}

/** Where a deploy script kept in a ConfigMap is mounted in the deploy and rollback Jobs. */
export const SCRIPT_MOUNT = "/release-operator/script";

/**
 * The operator stops a deploy at `timeout` itself (snapshot first, then delete); the Job's own deadline
 * is only a backstop for when the operator is down, and must not beat it to the stop.
 */
export const DEADLINE_BACKSTOP_SECONDS = 60;

export interface DeployRun {
  purpose: "deploy" | "rollback";
  strategy: Strategy;
  /** The release's version. */
  version: string;
  previousVersion?: string;
  rollbackTarget?: string;
}

const env = (name: string, value: string | undefined): V1EnvVar[] =>
  value === undefined ? [] : [{ name, value }];

/** `deploy.sh <version> <args>` or `deploy.sh --rollback <target>`, in its deterministic Job. */
export function deployJob(release: Release, settings: ReleaseSettings, run: DeployRun): V1Job {
  const deploy = settings.environment.deploy;
  const name = release.metadata.name ?? "";
  if (run.purpose === "rollback" && run.rollbackTarget === undefined) {
    throw new Error(
      `Release ${release.metadata.namespace ?? ""}/${name}: a rollback Job needs a rollback target`,
    );
  }
  const args =
    run.purpose === "deploy"
      ? [run.version, ...settings.argsFor(run.strategy)]
      : ["--rollback", run.rollbackTarget ?? ""];
  const script = deploy.script;
  const key = script.configMap?.key ?? "deploy.sh";
  const command =
    script.path !== undefined ? [script.path, ...args] : ["sh", `${SCRIPT_MOUNT}/${key}`, ...args];
  const volumes: V1Volume[] | undefined =
    script.configMap === undefined
      ? undefined
      : [
          {
            name: "script",
            configMap: { name: script.configMap.name, items: [{ key, path: key, mode: 0o555 }] },
          },
        ];
  return releaseJob(
    release,
    settings,
    run.purpose,
    {
      name: run.purpose,
      image: deploy.image,
      imagePullPolicy: deploy.imagePullPolicy,
      command,
      env: [
        { name: "RELEASE_ACTION", value: run.purpose },
        { name: "RELEASE_NAME", value: name },
        { name: "RELEASE_ENVIRONMENT", value: release.spec.environment },
        { name: "RELEASE_VERSION", value: run.version },
        ...env("RELEASE_PREVIOUS_VERSION", run.previousVersion),
        ...env("RELEASE_ROLLBACK_TARGET", run.rollbackTarget),
        { name: "RELEASE_STRATEGY", value: run.strategy },
      ],
      envFrom: deploy.envFrom.map((source) =>
        source.secretRef !== undefined
          ? { secretRef: { name: source.secretRef.name } }
          : { configMapRef: { name: source.configMapRef?.name ?? "" } },
      ),
      ...(volumes === undefined
        ? {}
        : { volumeMounts: [{ name: "script", mountPath: SCRIPT_MOUNT, readOnly: true }] }),
      resources: { requests: { cpu: "50m", memory: "64Mi" } },
    },
    {
      activeDeadlineSeconds: Math.ceil(deploy.timeoutMs / 1000) + DEADLINE_BACKSTOP_SECONDS,
      ...(volumes === undefined ? {} : { volumes }),
      apiAccess: true,
    },
  );
}

/** One smoke Job case: its own image and command, on the deploy's placement, without the deploy's secrets. */
export function smokeJob(
  release: Release,
  settings: ReleaseSettings,
  smokeCase: JobSmokeSettings,
  run: "release" | "rollback",
  index: number,
  versions: { version: string; previousVersion?: string },
): V1Job {
  return releaseJob(
    release,
    settings,
    smokeJobPurpose(run, index),
    {
      name: "smoke",
      image: smokeCase.image,
      imagePullPolicy: settings.environment.deploy.imagePullPolicy,
      command: smokeCase.command,
      env: [
        { name: "RELEASE_NAME", value: release.metadata.name ?? "" },
        { name: "RELEASE_ENVIRONMENT", value: release.spec.environment },
        { name: "RELEASE_VERSION", value: versions.version },
        ...env("RELEASE_PREVIOUS_VERSION", versions.previousVersion),
        { name: "RELEASE_SMOKE_RUN", value: run },
        { name: "RELEASE_SMOKE_CASE", value: smokeCase.name },
      ],
      resources: { requests: { cpu: "10m", memory: "32Mi" } },
    },
    { activeDeadlineSeconds: Math.max(1, Math.ceil(smokeCase.timeoutMs / 1000)), apiAccess: false },
  );
}

/** Exit codes of the rollback check, read back from the Pod. */
export const ROLLBACK_CHECK_EXIT = { supported: 0, missing: 2, noRollbackFlag: 3 } as const;

// Reads the script rather than running it: running `deploy.sh --help` could deploy with a script that
// ignores --help. `$1` is the path, passed as an argument so nothing is interpolated into the shell;
// `--` keeps grep from reading a relative path that starts with a dash as an option.
const ROLLBACK_CHECK_SCRIPT = [
  'if [ ! -f "$1" ]; then echo "deploy script $1 not found in the image" >&2; exit 2; fi',
  'if ! grep -q -e "--rollback" -- "$1"; then echo "deploy script $1 has no --rollback option" >&2; exit 3; fi',
  'echo "deploy script $1 mentions --rollback"',
].join("\n");

const CHECK_DEADLINE_SECONDS = 120;

/** A short Job that reads the deploy script in its image and says whether it supports `--rollback`. */
export function rollbackCheckJob(release: Release, settings: ReleaseSettings, scriptPath: string): V1Job {
  const deploy = settings.environment.deploy;
  return releaseJob(
    release,
    settings,
    "rollback-check",
    {
      name: "rollback-check",
      image: deploy.image,
      imagePullPolicy: deploy.imagePullPolicy,
      command: ["sh", "-c", ROLLBACK_CHECK_SCRIPT, "rollback-check", scriptPath],
      resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    },
    { activeDeadlineSeconds: CHECK_DEADLINE_SECONDS, apiAccess: false },
  );
}

/** What the rollback check's exit code means. */
export function rollbackCheckResult(
  exitCode: number | undefined,
  scriptPath: string,
): { passed: boolean; message: string } {
  switch (exitCode) {
    case ROLLBACK_CHECK_EXIT.supported:
      return { passed: true, message: `deploy script ${scriptPath} supports --rollback` };
    case ROLLBACK_CHECK_EXIT.missing:
      return { passed: false, message: `deploy script ${scriptPath} not found in the deploy image` };
    case ROLLBACK_CHECK_EXIT.noRollbackFlag:
      return {
        passed: false,
        message: `deploy script ${scriptPath} has no --rollback option: fix the deploy script (the release does not patch it)`,
      };
    case undefined:
      return {
        passed: false,
        message: `the Job reading ${scriptPath} failed without an exit code (deadline or eviction)`,
      };
    default:
      return { passed: false, message: `the Job reading ${scriptPath} failed with exit code ${exitCode}` };
  }
}

/** Whether a script text (a ConfigMap key) supports `--rollback`. */
export function scriptSupportsRollback(text: string): boolean {
  return text.includes("--rollback");
}
