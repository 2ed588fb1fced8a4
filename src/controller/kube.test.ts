import { KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { apiStandIn, STAND_IN_TOKEN, type ApiStandIn } from "../../test/support/api-stand-in.js";
import { kubeClients, USER_AGENT } from "./kube.js";

let standIn: ApiStandIn | undefined;

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

/** Answers every request with an empty ConfigMap. */
async function apiServer(): Promise<ApiStandIn> {
  standIn = await apiStandIn((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }));
  });
  return standIn;
}

describe("kubeClients", () => {
  it("tells the observer of every request, with its method, and sends the operator's user agent and credentials", async () => {
    const { kubeConfig, requests } = await apiServer();
    const seen: string[] = [];
    const clients = kubeClients(kubeConfig, (method) => seen.push(method));
    await clients.core.readNamespacedConfigMap({ name: "x", namespace: "nav" });
    // A call's own middleware (a merge patch's content type) is appended, never replaces the counting.
    await clients.core.patchNamespacedConfigMap(
      { name: "x", namespace: "nav", body: { data: {} } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await clients.batch.deleteNamespacedJob({ name: "nav-deploy", namespace: "nav" });
    expect(seen).toEqual(["GET", "PATCH", "DELETE"]);
    expect(requests.map((request) => `${request.method ?? ""} ${request.url ?? ""}`)).toEqual([
      "GET /api/v1/namespaces/nav/configmaps/x",
      "PATCH /api/v1/namespaces/nav/configmaps/x",
      "DELETE /apis/batch/v1/namespaces/nav/jobs/nav-deploy",
    ]);
    expect(requests[1]?.headers["content-type"]).toBe(PatchStrategy.MergePatch);
    expect(requests.every((request) => request.headers["user-agent"] === USER_AGENT)).toBe(true);
    expect(requests.every((request) => request.headers.authorization === `Bearer ${STAND_IN_TOKEN}`)).toBe(
      true,
    );
  });

  it("a kubeconfig without a current cluster is refused with a reason", () => {
    expect(() => kubeClients(new KubeConfig())).toThrow(/no current cluster/);
  });
});
