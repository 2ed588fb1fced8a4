// The operator's caches: informers for Releases and Environments, and for the Jobs and ConfigMaps it
// owns (label-selected, so it never caches a cluster's worth of either). What each change means for
// the work queues is decided here: a Release wakes itself and its Environment; an Environment wakes
// itself and its Releases; an owned object wakes its Release.
import type { KubernetesListObject, KubernetesObject, V1ConfigMap, V1Job } from "@kubernetes/client-node";
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
import type { OperatorMetrics } from "../runtime/metrics.js";
import type { KubeClients } from "./kube.js";

export interface OperatorCaches {
  releases: ResilientInformer<Release>;
  environments: ResilientInformer<Environment>;
  jobs: ResilientInformer<V1Job>;
  configMaps: ResilientInformer<V1ConfigMap>;
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
    <T extends KubernetesObject>(plural: string) =>
    async (): Promise<KubernetesListObject<T>> =>
      (namespace === undefined
        ? await clients.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
        : await clients.custom.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace,
            plural,
          })) as KubernetesListObject<T>;
  const wakeOwner = (object: KubernetesObject): void => {
    const owner = ownerKey(object);
    if (owner !== undefined) wake.release(owner);
  };

  const releases = new ResilientInformer<Release>({
    ...common,
    name: "releases",
    path: pathOf(CUSTOM_PREFIX, RELEASE.plural, namespace),
    list: listCustom<Release>(RELEASE.plural),
    onChange: (release) => {
      wake.release(keyOf(release));
      wake.environment(`${release.metadata.namespace ?? ""}/${release.spec.environment}`);
    },
  });
  const environments = new ResilientInformer<Environment>({
    ...common,
    name: "environments",
    path: pathOf(CUSTOM_PREFIX, ENVIRONMENT.plural, namespace),
    list: listCustom<Environment>(ENVIRONMENT.plural),
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
    list: async () =>
      namespace === undefined
        ? await clients.batch.listJobForAllNamespaces({ labelSelector: OWNED_SELECTOR })
        : await clients.batch.listNamespacedJob({ namespace, labelSelector: OWNED_SELECTOR }),
    onChange: wakeOwner,
  });
  const configMaps = new ResilientInformer<V1ConfigMap>({
    ...common,
    name: "configmaps",
    path: pathOf("/api/v1", "configmaps", namespace),
    labelSelector: OWNED_SELECTOR,
    list: async () =>
      namespace === undefined
        ? await clients.core.listConfigMapForAllNamespaces({ labelSelector: OWNED_SELECTOR })
        : await clients.core.listNamespacedConfigMap({ namespace, labelSelector: OWNED_SELECTOR }),
    onChange: wakeOwner,
  });
  return { releases, environments, jobs, configMaps };
}
