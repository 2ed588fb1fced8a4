import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { kubeClients, USER_AGENT } from "./kube.js";

let server: http.Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => {
    if (server === undefined) resolve();
    else
      server.close(() => {
        resolve();
      });
  });
  server = undefined;
});

/** An API server stand-in that answers every request with an empty object and remembers it. */
async function apiServer(): Promise<{ kubeConfig: KubeConfig; requests: http.IncomingMessage[] }> {
  const requests: http.IncomingMessage[] = [];
  server = http.createServer((request, response) => {
    requests.push(request);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "local", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "operator", token: "not-a-real-token" }],
    contexts: [{ name: "local", cluster: "local", user: "operator" }],
    currentContext: "local",
  });
  return { kubeConfig, requests };
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
    expect(requests.every((request) => request.headers.authorization === "Bearer not-a-real-token")).toBe(
      true,
    );
  });

  it("a kubeconfig without a current cluster is refused with a reason", () => {
    expect(() => kubeClients(new KubeConfig())).toThrow(/no current cluster/);
  });
});
