// A stand-in API server for `kubectl apply --dry-run=client`, which cannot run offline: kubectl must
// map every object to a served resource (discovery) and GET it to choose between create and patch,
// even when nothing is sent. This server answers discovery for the built-in kinds a real
// kube-apiserver (1.29 and later) serves, and "not found" for every object, so each object takes the
// create path. An object of a kind or version not listed here fails to map, as it would on a cluster.
// Any write reaching it is recorded: a client dry-run must send none.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface ServedResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const namespaced = (name: string, kind: string): ServedResource => ({ name, kind, namespaced: true });
const clusterScoped = (name: string, kind: string): ServedResource => ({ name, kind, namespaced: false });

/** Group versions and their resources, as kube-apiserver serves them; "v1" is the core group. */
const served: Record<string, ServedResource[]> = {
  v1: [
    clusterScoped("namespaces", "Namespace"),
    namespaced("serviceaccounts", "ServiceAccount"),
    namespaced("services", "Service"),
    namespaced("configmaps", "ConfigMap"),
    namespaced("secrets", "Secret"),
  ],
  "apps/v1": [namespaced("deployments", "Deployment")],
  "policy/v1": [namespaced("poddisruptionbudgets", "PodDisruptionBudget")],
  "networking.k8s.io/v1": [namespaced("networkpolicies", "NetworkPolicy")],
  "rbac.authorization.k8s.io/v1": [
    namespaced("roles", "Role"),
    namespaced("rolebindings", "RoleBinding"),
    clusterScoped("clusterroles", "ClusterRole"),
    clusterScoped("clusterrolebindings", "ClusterRoleBinding"),
  ],
  "apiextensions.k8s.io/v1": [clusterScoped("customresourcedefinitions", "CustomResourceDefinition")],
  "admissionregistration.k8s.io/v1": [
    clusterScoped("validatingadmissionpolicies", "ValidatingAdmissionPolicy"),
    clusterScoped("validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding"),
  ],
};

const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function discovery(path: string): unknown {
  if (path === "/version") return { major: "1", minor: "32", gitVersion: "v1.32.0" };
  if (path === "/api") return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] };
  if (path === "/apis") {
    const groups = Object.keys(served)
      .filter((groupVersion) => groupVersion.includes("/"))
      .map((groupVersion) => {
        const [name = "", version = ""] = groupVersion.split("/");
        const preferred = { groupVersion, version };
        return { name, versions: [preferred], preferredVersion: preferred };
      });
    return { kind: "APIGroupList", apiVersion: "v1", groups };
  }
  const groupVersion = path === "/api/v1" ? "v1" : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
  const resources = groupVersion === undefined ? undefined : served[groupVersion];
  if (groupVersion === undefined || resources === undefined) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: resources.map((resource) => ({ ...resource, singularName: "", verbs })),
  };
}

function reply(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

const notFound = { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 };

export interface DiscoveryServer {
  url: string;
  /** Requests that would have changed the cluster, as `METHOD path`. */
  writes: string[];
  close(): Promise<void>;
}

export async function startDiscoveryServer(): Promise<DiscoveryServer> {
  const writes: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method !== "GET") {
      writes.push(`${request.method ?? "?"} ${path}`);
      reply(response, 405, { ...notFound, reason: "MethodNotAllowed", code: 405 });
      return;
    }
    const body = discovery(path);
    if (body === undefined) reply(response, 404, notFound);
    else reply(response, 200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    writes,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
