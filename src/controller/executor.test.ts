import { KubeConfig, type V1Job } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import type { Release } from "../api/v1alpha1/index.js";
import { apiStandIn, type ApiStandIn } from "../../test/support/api-stand-in.js";
import { ensureJob, JobRefusedError, OwnershipError, writeReport } from "./executor.js";
import { kubeClients } from "./kube.js";

const release: Release = {
  apiVersion: "release-operator.io/v1alpha1",
  kind: "Release",
  metadata: { name: "nav-1-4-2", namespace: "nav", uid: "release-uid" },
  spec: { environment: "staging", version: "1.4.2" },
};
const job: V1Job = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "nav-1-4-2-deploy", namespace: "nav" },
};

let standIn: ApiStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const status = (code: number, reason: string, message: string): string =>
  JSON.stringify({ apiVersion: "v1", kind: "Status", status: "Failure", code, reason, message });

/** The API server answers the create with `create`, and a read of the Job with `existing`. */
async function serving(create: { code: number; body: string }, existing?: V1Job): Promise<ApiStandIn> {
  standIn = await apiStandIn((request, response) => {
    const answer = request.method === "POST" ? create : { code: 200, body: JSON.stringify(existing ?? {}) };
    response.writeHead(answer.code, { "content-type": "application/json" });
    response.end(answer.body);
  });
  return standIn;
}

describe("ensureJob", () => {
  it("creates the Job", async () => {
    const server = await serving({ code: 201, body: JSON.stringify(job) });
    await expect(ensureJob(kubeClients(server.kubeConfig), release, job)).resolves.toBe("created");
  });

  it.each([
    { code: 422, reason: "Invalid" },
    { code: 400, reason: "BadRequest" },
  ])(
    "a $code $reason is a refusal, with the API server's words, never retried as is",
    async ({ code, reason }) => {
      const message =
        'Job.batch "nav-1-4-2-deploy" is invalid: spec.template.spec.nodeSelector: Invalid value: "node role"';
      const server = await serving({ code, body: status(code, reason, message) });
      const refused = await ensureJob(kubeClients(server.kubeConfig), release, job).catch(
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(JobRefusedError);
      expect(refused).toMatchObject({ jobName: "nav-1-4-2-deploy", apiMessage: `${code}: ${message}` });
    },
  );

  it("a 403 (a quota, RBAC) is an error to retry, not a refusal", async () => {
    const server = await serving({ code: 403, body: status(403, "Forbidden", "exceeded quota: jobs") });
    const failed = await ensureJob(kubeClients(server.kubeConfig), release, job).catch(
      (error: unknown) => error,
    );
    expect(failed).not.toBeInstanceOf(JobRefusedError);
    expect(String(failed)).toContain(
      "Release nav/nav-1-4-2: creating Job nav-1-4-2-deploy failed: 403: exceeded quota: jobs",
    );
  });

  it.each([
    { situation: "owned by this Release: adopted", owner: "release-uid", outcome: "existed" },
    {
      situation: "owned by another Release of the same name: refused",
      owner: "other-uid",
      outcome: "ownership",
    },
  ])("AlreadyExists, $situation", async ({ owner, outcome }) => {
    const existing: V1Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "nav-1-4-2-deploy",
        namespace: "nav",
        ownerReferences: [
          {
            apiVersion: "release-operator.io/v1alpha1",
            kind: "Release",
            name: "nav-1-4-2",
            uid: owner,
            controller: true,
          },
        ],
      },
    };
    const server = await serving({ code: 409, body: status(409, "AlreadyExists", "exists") }, existing);
    const result = await ensureJob(kubeClients(server.kubeConfig), release, job).catch(
      (error: unknown) => error,
    );
    if (outcome === "existed") expect(result).toBe("existed");
    else expect(result).toBeInstanceOf(OwnershipError);
  });
});

describe("writeReport", () => {
  const configMap = (data: Record<string, string>, resourceVersion = "7") => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "nav-1-4-2-report",
      namespace: "nav",
      resourceVersion,
      ownerReferences: [
        {
          apiVersion: "release-operator.io/v1alpha1",
          kind: "Release",
          name: "nav-1-4-2",
          uid: "release-uid",
          controller: true,
        },
      ],
    },
    data,
  });

  /** Serves `fresh` on GET, records the body of each PUT or POST. */
  async function serveReport(fresh: ReturnType<typeof configMap>): Promise<{ written: unknown[] }> {
    const written: unknown[] = [];
    standIn = await apiStandIn((request, response) => {
      if (request.method === "GET") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(fresh));
        return;
      }
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        written.push(JSON.parse(body));
        response.writeHead(200, { "content-type": "application/json" });
        response.end(body);
      });
    });
    return { written };
  }

  const appendLine = (stored: Readonly<Record<string, string>>) => ({
    ...stored,
    "watch.jsonl": `${stored["watch.jsonl"] ?? ""}line\n`,
  });

  it.each<{
    name: string;
    cached: Record<string, string>;
    fresh: Record<string, string>;
    compose: (stored: Readonly<Record<string, string>>) => Record<string, string>;
    outcome: string;
    data: Record<string, string> | undefined;
  }>([
    {
      name: "a cache behind the API server: composed again on the fresh data, nothing it holds lost",
      cached: { "watch.jsonl": "line\n" },
      fresh: { "watch.jsonl": "line\nline\n", "deploy.log": "output" },
      compose: appendLine,
      outcome: "updated",
      data: { "watch.jsonl": "line\nline\nline\n", "deploy.log": "output" },
    },
    {
      name: "a key the composer drops stays dropped",
      cached: { "release.md": "# old", "big.log": "x" },
      fresh: { "release.md": "# old", "big.log": "x" },
      compose: (stored: Readonly<Record<string, string>>) => ({ "release.md": stored["release.md"] ?? "" }),
      outcome: "updated",
      data: { "release.md": "# old" },
    },
    {
      name: "what the cache holds is what it would write: no request",
      cached: { "release.md": "# same" },
      fresh: { "release.md": "# same" },
      compose: (stored: Readonly<Record<string, string>>) => ({ ...stored }),
      outcome: "unchanged",
      data: undefined,
    },
  ])("$name", async ({ cached, fresh, compose, outcome, data }) => {
    const { written } = await serveReport(configMap(fresh, "8"));
    const clients = kubeClients(standIn?.kubeConfig ?? new KubeConfig());
    await expect(writeReport(clients, release, compose, configMap(cached))).resolves.toBe(outcome);
    expect(written.map((body) => (body as { data: unknown }).data)).toEqual(data === undefined ? [] : [data]);
  });

  it("creates the ConfigMap, owned by the Release, when there is none", async () => {
    const { written } = await serveReport(configMap({}));
    const clients = kubeClients(standIn?.kubeConfig ?? new KubeConfig());
    await expect(
      writeReport(clients, release, () => ({ "release.md": "# Release" }), undefined),
    ).resolves.toBe("created");
    const [body] = written as { metadata: { name: string; ownerReferences: unknown[] }; data: unknown }[];
    expect(body?.metadata.name).toBe("nav-1-4-2-report");
    expect(body?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Release", uid: "release-uid" }),
    ]);
    expect(body?.data).toEqual({ "release.md": "# Release" });
  });
});
