// Lists in pages against the real API server, through both kinds of client the operator uses: the
// custom-objects client (raw JSON, `metadata.continue`) and a typed one (`metadata._continue`). A
// token read under the wrong spelling lists the first page alone, and the operator would believe
// the rest of the cluster does not exist.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listInPages } from "../../src/runtime/paged-list.js";
import { kubectl, uniqueName } from "./support/kubectl.js";

const NAMESPACE = "default";
const COUNT = 5;
const label = uniqueName("paged");
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject("cluster").kubeconfigs.admin);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  core = kubeConfig.makeApiClient(CoreV1Api);
  const items = Array.from({ length: COUNT }, (_, index) => [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: `${label}-${index}`,
        namespace: NAMESPACE,
        labels: { "e2e.release-operator.io/paged": label },
      },
    },
    {
      apiVersion: "release-operator.io/v1alpha1",
      kind: "Release",
      metadata: {
        name: `${label}-${index}`,
        namespace: NAMESPACE,
        labels: { "e2e.release-operator.io/paged": label },
      },
      spec: { environment: `${label}-nowhere`, version: "1.0.0" },
    },
  ]).flat();
  await kubectl(["create", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items }) });
});

afterAll(async () => {
  for (const kind of ["configmaps", "releases"]) {
    await kubectl([
      "delete",
      kind,
      "-n",
      NAMESPACE,
      "-l",
      `e2e.release-operator.io/paged=${label}`,
      "--wait=false",
    ]);
  }
});

describe("listInPages against the API server, pages of 2", () => {
  const selector = `e2e.release-operator.io/paged=${label}`;

  it("custom objects: every Release, across 3 pages", async () => {
    const list = await listInPages(
      async (page) =>
        (await custom.listNamespacedCustomObject({
          group: "release-operator.io",
          version: "v1alpha1",
          namespace: NAMESPACE,
          plural: "releases",
          labelSelector: selector,
          ...page,
        })) as KubernetesListObject<KubernetesObject>,
      undefined,
      2,
    );
    expect(list.items.map((item) => item.metadata?.name).sort()).toEqual(
      Array.from({ length: COUNT }, (_, index) => `${label}-${index}`).sort(),
    );
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it("typed objects: every ConfigMap, across 3 pages", async () => {
    const list = await listInPages(
      (page) => core.listNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: selector, ...page }),
      undefined,
      2,
    );
    expect(list.items).toHaveLength(COUNT);
  });
});
