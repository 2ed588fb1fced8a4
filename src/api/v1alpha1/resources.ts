// The Kubernetes objects themselves: the spec/status types wrapped with metadata, and the API's
// identifiers. Kept apart from the spec types so the CRD generator never walks ObjectMeta.
import type { V1ObjectMeta } from "@kubernetes/client-node";
import type { EnvironmentSpec, EnvironmentStatus } from "./environment.js";
import type { ReleaseSpec, ReleaseStatus } from "./release.js";

export const GROUP = "release-operator.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface ResourceNames {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
}

export const ENVIRONMENT: ResourceNames = {
  kind: "Environment",
  listKind: "EnvironmentList",
  plural: "environments",
  singular: "environment",
  // No built-in resource uses `env` (kubectl's `set env` is a verb, not a resource).
  shortNames: ["env"],
  categories: ["release-operator"],
};

export const RELEASE: ResourceNames = {
  kind: "Release",
  listKind: "ReleaseList",
  plural: "releases",
  singular: "release",
  shortNames: ["rel"],
  // Not in `all`: `kubectl get all` is read as "workloads", and a namespace with hundreds of completed
  // Releases would drown it. `kubectl get release-operator` lists both kinds.
  categories: ["release-operator"],
};

export interface Environment {
  apiVersion: typeof API_VERSION;
  kind: "Environment";
  metadata: V1ObjectMeta;
  spec: EnvironmentSpec;
  status?: EnvironmentStatus;
}

export interface Release {
  apiVersion: typeof API_VERSION;
  kind: "Release";
  metadata: V1ObjectMeta;
  spec: ReleaseSpec;
  status?: ReleaseStatus;
}
