// The operator's caches: informers for Releases and Environments, and for the Jobs and ConfigMaps it
// owns (label-selected, so it never caches a cluster's worth of either). What each change means for
// the work queues is decided here: a Release wakes itself and its Environment; an Environment wakes
// itself and its Releases; an owned object wakes its Release.
import type {
  KubernetesListObject,
  KubernetesObject,
  V1ConfigMap,
  V1Job,
  V1Pod,
} from "@kubernetes/client-node";
import {
  ENVIRONMENT,
  GROUP,
  LABELS,
  MANAGED_BY,
  RELEASE,
  VERSION,
  type Environment,
  type Release,
} from "../api/v1alpha1/index.js";
import type { Logger } from "../log.js";
import { ResilientInformer } from "../runtime/informer.js";
import { listInPages } from "../runtime/paged-list.js";
import type { OperatorMetrics } from "../runtime/metrics.js";
import type { KubeClients } from "./kube.js";

export interface OperatorCaches {
  releases: ResilientInformer<Release>;
  environments: ResilientInformer<Environment>;
  jobs: ResilientInformer<V1Job>;
  configMaps: ResilientInformer<V1ConfigMap>;
  pods: ResilientInformer<V1Pod>;
  /** The Pod of each Job the operator owns, by `namespace/jobName`. */
  podsByJob: PodsByJob;
}

const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

/**
 * The Pod of each owned Job. Jobs run with backoffLimit 0, so a Job has one Pod; should a second
 * appear (a replacement while the first terminates), the newest is the one that matters.
 */
export class PodsByJob {
  private readonly pods = new Map<string, V1Pod>();

  changed(pod: V1Pod, event: "add" | "update" | "delete"): void {
    const job = pod.metadata?.labels?.[JOB_NAME_LABEL];
    if (job === undefined) return;
    const key = `${pod.metadata?.namespace ?? ""}/${job}`;
    const known = this.pods.get(key);
    if (event === "delete") {
      if (known?.metadata?.uid === pod.metadata?.uid) this.pods.delete(key);
      return;
    }
    const newer =
      known === undefined ||
      known.metadata?.uid === pod.metadata?.uid ||
      Date.parse(String(pod.metadata?.creationTimestamp ?? "")) >=
        Date.parse(String(known.metadata?.creationTimestamp ?? ""));
    if (newer) this.pods.set(key, pod);
  }

  podOf(namespace: string, jobName: string): V1Pod | undefined {
    return this.pods.get(`${namespace}/${jobName}`);
  }

  get size(): number {
    return this.pods.size;
  }
}

export interface Wakeups {
  release(key: string): void;
  environment(key: string): void;
}

export const keyOf = (object: KubernetesObject): string =>
  `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;

/** The Release that owns a Job or ConfigMap, by its controller ownerReference. */
export function ownerKey(object: KubernetesObject): string | undefined {
  const owner = object.metadata?.ownerReferences?.find(
    (reference) => reference.kind === RELEASE.kind && reference.controller === true,
  );
  return owner === undefined ? undefined : `${object.metadata?.namespace ?? ""}/${owner.name}`;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** What of a completed Release is kept in memory: what admission and history read, nothing more. */
export const COMPLETED_STATUS_KEPT = [
  "phase",
  "verdict",
  "reason",
  "startedAt",
  "completedAt",
  "rollbackTarget",
  "previousVersion",
  "observedGeneration",
  "report",
] as const;

const MAX_KEPT_REASON = 1024;

/**
 * Trims a Release before it is cached. A completed Release is terminal: it is never decided on again,
 * only counted and recorded in its Environment's history, so its gate, phases, decisions and
 * conditions (most of its size) stay in the API server. 10,000 of them must fit in a small operator.
 */
export function trimRelease(release: Release): void {
  deleteLastApplied(release);
  const status = release.status;
  if (status?.phase !== "Completed") return;
  const kept: Record<string, unknown> = {};
  for (const field of COMPLETED_STATUS_KEPT) {
    if (status[field] !== undefined) kept[field] = status[field];
  }
  if (typeof kept.reason === "string" && kept.reason.length > MAX_KEPT_REASON) {
    kept.reason = kept.reason.slice(0, MAX_KEPT_REASON);
  }
  release.status = kept;
}

/** `kubectl apply`'s copy of the whole object, in an annotation: never read, often the largest part. */
export function deleteLastApplied(object: KubernetesObject): void {
  const annotations = object.metadata?.annotations;
  if (annotations !== undefined) Reflect.deleteProperty(annotations, LAST_APPLIED);
}

function pathOf(prefix: string, plural: string, namespace: string | undefined): string {
  return namespace === undefined ? `${prefix}/${plural}` : `${prefix}/namespaces/${namespace}/${plural}`;
}

const OWNED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;
const CUSTOM_PREFIX = `/apis/${GROUP}/${VERSION}`;

export function operatorCaches(
  clients: KubeClients,
  options: { namespace: string | undefined; stallAfterMs: number; log: Logger; metrics: OperatorMetrics },
  wake: Wakeups,
): OperatorCaches {
  const { namespace, metrics } = options;
  const common = {
    kubeConfig: clients.kubeConfig,
    log: options.log,
    stallAfterMs: options.stallAfterMs,
    hooks: {
      restarted: (informer: string, cause: "error" | "stall") => {
        metrics.informerRestarted(informer, cause);
      },
    },
  };
  const listCustom =
    <T extends KubernetesObject>(plural: string, trim: (object: T) => void) =>
    (): Promise<KubernetesListObject<T>> =>
      listInPages<T>(
        async (page) =>
          (namespace === undefined
            ? await clients.custom.listClusterCustomObject({
                group: GROUP,
                version: VERSION,
                plural,
                ...page,
              })
            : await clients.custom.listNamespacedCustomObject({
                group: GROUP,
                version: VERSION,
                namespace,
                plural,
                ...page,
              })) as KubernetesListObject<T>,
        trim,
      );
  const wakeOwner = (object: KubernetesObject): void => {
    const owner = ownerKey(object);
    if (owner !== undefined) wake.release(owner);
  };

  const releases = new ResilientInformer<Release>({
    ...common,
    name: "releases",
    path: pathOf(CUSTOM_PREFIX, RELEASE.plural, namespace),
    list: listCustom<Release>(RELEASE.plural, trimRelease),
    trim: trimRelease,
    onChange: (release) => {
      wake.release(keyOf(release));
      wake.environment(`${release.metadata.namespace ?? ""}/${release.spec.environment}`);
    },
  });
  const environments = new ResilientInformer<Environment>({
    ...common,
    name: "environments",
    path: pathOf(CUSTOM_PREFIX, ENVIRONMENT.plural, namespace),
    list: listCustom<Environment>(ENVIRONMENT.plural, deleteLastApplied),
    trim: deleteLastApplied,
    onChange: (environment) => {
      wake.environment(keyOf(environment));
      for (const release of releases.list(environment.metadata.namespace)) {
        if (release.spec.environment === environment.metadata.name) wake.release(keyOf(release));
      }
    },
  });
  const jobs = new ResilientInformer<V1Job>({
    ...common,
    name: "jobs",
    path: pathOf("/apis/batch/v1", "jobs", namespace),
    labelSelector: OWNED_SELECTOR,
    list: () =>
      listInPages((page) =>
        namespace === undefined
          ? clients.batch.listJobForAllNamespaces({ labelSelector: OWNED_SELECTOR, ...page })
          : clients.batch.listNamespacedJob({ namespace, labelSelector: OWNED_SELECTOR, ...page }),
      ),
    onChange: wakeOwner,
  });
  const configMaps = new ResilientInformer<V1ConfigMap>({
    ...common,
    name: "configmaps",
    path: pathOf("/api/v1", "configmaps", namespace),
    labelSelector: OWNED_SELECTOR,
    list: () =>
      listInPages((page) =>
        namespace === undefined
          ? clients.core.listConfigMapForAllNamespaces({ labelSelector: OWNED_SELECTOR, ...page })
          : clients.core.listNamespacedConfigMap({ namespace, labelSelector: OWNED_SELECTOR, ...page }),
      ),
    onChange: wakeOwner,
  });
  const podsByJob = new PodsByJob();
  const pods = new ResilientInformer<V1Pod>({
    ...common,
    name: "pods",
    path: pathOf("/api/v1", "pods", namespace),
    labelSelector: OWNED_SELECTOR,
    list: () =>
      listInPages((page) =>
        namespace === undefined
          ? clients.core.listPodForAllNamespaces({ labelSelector: OWNED_SELECTOR, ...page })
          : clients.core.listNamespacedPod({ namespace, labelSelector: OWNED_SELECTOR, ...page }),
      ),
    onChange: (pod, event) => {
      podsByJob.changed(pod, event);
      // A Pod is owned by its Job; the Release it works for is named whole in its annotations (a label
      // value may be cut); Pods created before the annotation existed carry the name in their labels.
      const release = pod.metadata?.annotations?.[LABELS.release] ?? pod.metadata?.labels?.[LABELS.release];
      if (release !== undefined) wake.release(`${pod.metadata?.namespace ?? ""}/${release}`);
    },
  });
  return { releases, environments, jobs, configMaps, pods, podsByJob };
}
