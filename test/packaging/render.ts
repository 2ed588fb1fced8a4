// Renders the two ways of installing the operator, kustomize (config/default) and the Helm chart, into
// parsed manifests, with the same tools a user runs: kubectl's built-in kustomize and helm.
import { constants } from "node:fs";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1CustomResourceDefinition,
  V1Deployment,
  V1Namespace,
  V1ObjectMeta,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from "@kubernetes/client-node";
import { execa } from "execa";
import { parseAllDocuments } from "yaml";
import { startDiscoveryServer } from "./discovery-server.js";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const chartDir = join(repoRoot, "charts/release-operator");

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta & { name: string };
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== "object" || value === null) return false;
  const { apiVersion, kind, metadata } = value as Record<string, unknown>;
  return (
    typeof apiVersion === "string" &&
    typeof kind === "string" &&
    typeof metadata === "object" &&
    metadata !== null &&
    typeof (metadata as Record<string, unknown>).name === "string"
  );
}

/** Every object in a multi-document YAML stream; empty documents (a lone `---`) are skipped. */
export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`${source}: document ${index} is not valid YAML: ${document.errors.join("; ")}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return [];
    if (!isManifest(value)) {
      throw new Error(`${source}: document ${index} has no apiVersion, kind and metadata.name`);
    }
    return [value];
  });
}

// The client library models objects as classes; parsed YAML has their shape but was never built by
// their constructors, so it is typed as the plain shape.
type Plain<T> = { [K in keyof T]: T[K] };

/** The kinds the packaging renders, shaped as the client library models them. */
export interface Kinds {
  ClusterRole: Plain<V1ClusterRole>;
  ClusterRoleBinding: Plain<V1ClusterRoleBinding>;
  CustomResourceDefinition: Plain<V1CustomResourceDefinition>;
  Deployment: Plain<V1Deployment>;
  Namespace: Plain<V1Namespace>;
  Role: Plain<V1Role>;
  RoleBinding: Plain<V1RoleBinding>;
  Service: Plain<V1Service>;
  ServiceAccount: Plain<V1ServiceAccount>;
  ValidatingAdmissionPolicy: Plain<V1ValidatingAdmissionPolicy>;
  ValidatingAdmissionPolicyBinding: Plain<V1ValidatingAdmissionPolicyBinding>;
}

/** Objects of one kind, typed by their kind. */
export function ofKind<K extends keyof Kinds>(manifests: Manifest[], kind: K): (Kinds[K] & Manifest)[] {
  return manifests.filter((manifest) => manifest.kind === kind) as (Kinds[K] & Manifest)[];
}

/**
 * The helm binary: HELM as hack/test.sh exports it, else the copy hack/lib/helm.sh builds into the
 * cache (or its half-moved `.tmp` twin while that build finishes).
 */
export async function findHelm(): Promise<string> {
  const cache = process.env.RELEASE_OPERATOR_CACHE ?? join(homedir(), ".cache/release-operator");
  const candidates = [
    process.env.HELM,
    join(cache, "helm-v4.3.1/helm"),
    join(cache, "helm-v4.3.1.tmp/helm"),
  ].filter((candidate): candidate is string => candidate !== undefined && candidate !== "");
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there: try the next place.
    }
  }
  throw new Error(
    `helm not found (looked at ${candidates.join(", ")}): run hack/test.sh, or set HELM=/path/to/helm`,
  );
}

export interface Rendered {
  text: string;
  manifests: Manifest[];
  /** Whatever the tool printed besides the manifests: warnings land here. */
  stderr: string;
}

export async function renderKustomize(): Promise<Rendered> {
  const { stdout, stderr } = await execa("kubectl", ["kustomize", "config/default"], { cwd: repoRoot });
  return { text: stdout, manifests: parseManifests(stdout, "kubectl kustomize config/default"), stderr };
}

export async function renderHelm(
  helm: string,
  releaseName: string,
  values: Record<string, string> = {},
): Promise<Rendered> {
  const set = Object.entries(values).flatMap(([key, value]) => ["--set", `${key}=${value}`]);
  const args = ["template", releaseName, chartDir, "-n", "release-operator-system", "--include-crds", ...set];
  const { stdout, stderr } = await execa(helm, args, { cwd: repoRoot });
  return { text: stdout, manifests: parseManifests(stdout, `helm ${args.join(" ")}`), stderr };
}

/**
 * `kubectl apply --dry-run=client` of `-k <dir>` or of a rendered stream on stdin (`-f -` with input),
 * against the stand-in discovery server. Runs with its own kubeconfig and discovery cache so neither
 * the user's cluster credentials nor their ~/.kube are touched.
 */
export async function applyDryRun(
  source: string[],
  input?: string,
): Promise<{ applied: string[]; writes: string[] }> {
  const server = await startDiscoveryServer();
  const home = await mkdtemp(join(tmpdir(), "release-operator-packaging-"));
  try {
    const kubeconfig = join(home, "kubeconfig");
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "offline", cluster: { server: server.url } }],
        users: [{ name: "offline", user: {} }],
        contexts: [{ name: "offline", context: { cluster: "offline", user: "offline" } }],
        "current-context": "offline",
      }),
    );
    const args = ["apply", "--dry-run=client", "--validate=false", "-o", "name", ...source];
    const { stdout } = await execa("kubectl", [...args, "--cache-dir", join(home, "cache")], {
      ...(input === undefined ? {} : { input }),
      env: { KUBECONFIG: kubeconfig },
      cwd: repoRoot,
    });
    return { applied: stdout.split("\n").filter((line) => line !== ""), writes: server.writes };
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}
