// The Jobs a Release runs, as manifests: deterministic names (a restarted operator finds the Job it
// created instead of creating another), owned by the Release, labelled to be found by selector, and
// written for the restricted Pod Security profile. Pure.
import { createHash } from "node:crypto";
import type {
  V1Job,
  V1OwnerReference,
  V1PodSecurityContext,
  V1SecurityContext,
} from "@kubernetes/client-node";
import {
  API_VERSION,
  LABELS,
  MANAGED_BY,
  type Release,
  type ReleaseSettings,
} from "../api/v1alpha1/index.js";

/** What a Job is for; part of its name and its purpose label. */
export type OperatorJobPurpose = "rollback-check" | "deploy" | "rollback" | "smoke";

const MAX_NAME = 63;

/** `<release>-<purpose>`, cut with a hash suffix when longer than a label value may be. */
export function jobNameFor(releaseName: string, purpose: OperatorJobPurpose): string {
  const name = `${releaseName}-${purpose}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  const head = releaseName.slice(0, MAX_NAME - purpose.length - hash.length - 2).replace(/[-.]+$/, "");
  return `${head}-${hash}-${purpose}`;
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

export function labelsFor(release: Release, purpose: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.release]: release.metadata.name ?? "",
    [LABELS.environment]: release.spec.environment,
    [LABELS.purpose]: purpose,
  };
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
  const name = jobNameFor(release.metadata.name ?? "", "rollback-check");
  const labels = labelsFor(release, "rollback-check");
  const restricted = deploy.podSecurity === "restricted";
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: release.metadata.namespace ?? "",
      labels,
      ownerReferences: [ownerReferenceTo(release)],
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: CHECK_DEADLINE_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          ...(deploy.serviceAccountName === undefined
            ? {}
            : { serviceAccountName: deploy.serviceAccountName }),
          nodeSelector: deploy.nodeSelector,
          tolerations: deploy.tolerations,
          ...(deploy.affinity === undefined ? {} : { affinity: deploy.affinity }),
          ...(restricted ? { securityContext: RESTRICTED_POD } : {}),
          containers: [
            {
              name: "rollback-check",
              image: deploy.image,
              imagePullPolicy: deploy.imagePullPolicy,
              command: ["sh", "-c", ROLLBACK_CHECK_SCRIPT, "rollback-check", scriptPath],
              ...(restricted ? { securityContext: RESTRICTED_CONTAINER } : {}),
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
            },
          ],
        },
      },
    },
  };
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
