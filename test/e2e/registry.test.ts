// The local cluster's OCI registry, as the pre-release gate sees it: seeded tags exist, others do not,
// and nothing is answered without credentials.
import { describe, expect, it } from "vitest";
import { basicAuthorization } from "../../hack/cluster/fixtures/credentials.js";
import { MANIFEST_ACCEPT } from "../../hack/cluster/fixtures/oci-push.js";
import { readClusterInfo } from "../../hack/cluster/info.js";

const { registry } = readClusterInfo();
const authorization = basicAuthorization(registry.credentials);

async function headManifest(tag: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${registry.url}/v2/${registry.repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: { Accept: MANIFEST_ACCEPT, ...headers },
    signal: AbortSignal.timeout(10_000),
  });
}

describe("the local OCI registry", () => {
  it("has seeded the demo app's versions", () => {
    expect(registry.tags.length).toBeGreaterThan(0);
    expect(registry.host).toBe(new URL(registry.url).host);
  });

  it.each(readClusterInfo().registry.tags)("HEAD %s: 200 with a digest, with credentials", async (tag) => {
    const response = await headManifest(tag, { Authorization: authorization });
    expect(response.status).toBe(200);
    expect(response.headers.get("docker-content-digest")).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("lists every seeded tag", async () => {
    const response = await fetch(`${registry.url}/v2/${registry.repository}/tags/list`, {
      headers: { Authorization: authorization },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { tags: string[] };
    expect(body.tags).toEqual(expect.arrayContaining([...registry.tags]));
  });

  it("HEAD a tag that was never pushed: 404", async () => {
    const response = await headManifest("0.0.0-never-pushed", { Authorization: authorization });
    expect(response.status).toBe(404);
  });

  it.each<{ situation: string; headers: Record<string, string> }>([
    { situation: "without credentials", headers: {} },
    {
      situation: "with a wrong password",
      headers: { Authorization: basicAuthorization({ ...registry.credentials, password: "wrong" }) },
    },
  ])("HEAD a seeded tag $situation: 401 with a Basic challenge", async ({ headers }) => {
    const response = await headManifest(registry.tags[0] ?? "1.4.0", headers);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
  });
});
