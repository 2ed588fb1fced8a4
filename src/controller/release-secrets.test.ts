import { CoreV1Api } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import {
  readEnvironmentSpec,
  resolveReleaseSettings,
  type EnvironmentSpec,
  type ReleaseSettings,
} from "../api/v1alpha1/index.js";
import { REDACTION, Redactor } from "../runtime/redaction.js";
import { apiStandIn, type ApiStandIn } from "../../test/support/api-stand-in.js";
import { minimalEnvironment } from "../../test/support/environments.js";
import { ReleaseSecrets, secretsTouchedBy } from "./release-secrets.js";

function settingsOf(spec: EnvironmentSpec): ReleaseSettings {
  const environment = readEnvironmentSpec(spec);
  if (!environment.ok) throw new Error("the test's Environment is not valid");
  const resolved = resolveReleaseSettings("staging", environment.value, {
    environment: "staging",
    version: "1.4.2",
  });
  if (!resolved.ok) throw new Error("the test's Release is not accepted");
  return resolved.value;
}

describe("secretsTouchedBy", () => {
  it.each([
    { name: "the smallest Environment touches none", spec: minimalEnvironment, touched: [] },
    {
      name: "every Secret named, each once, ConfigMaps left out",
      spec: {
        ...minimalEnvironment,
        artifact: { repository: "registry.example.com/nav", pullSecret: { name: "pull" } },
        source: { url: "https://git.example/nav.git", credentialsSecret: { name: "git" } },
        deploy: {
          ...minimalEnvironment.deploy,
          envFrom: [
            { secretRef: { name: "deploy-env" } },
            { configMapRef: { name: "deploy-config" } },
            { secretRef: { name: "deploy-env" } },
          ],
        },
        watch: {
          ...minimalEnvironment.watch,
          prometheus: { url: "http://prometheus:9090", authSecret: { name: "prom" } },
        },
        report: { url: "https://git.example/reports.git", credentialsSecret: { name: "git" } },
      } satisfies EnvironmentSpec,
      touched: [
        { name: "deploy-env", purpose: "environment" },
        { name: "git", purpose: "credentials" },
        { name: "pull", purpose: "credentials" },
        { name: "prom", purpose: "credentials" },
      ],
    },
  ])("$name", ({ spec, touched }) => {
    expect(secretsTouchedBy(settingsOf(spec))).toEqual(touched);
  });
});

describe("ReleaseSecrets", () => {
  let standIn: ApiStandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
  });

  const secretAnswer = (data: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "x", namespace: "default" },
    data: Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString("base64")]),
    ),
  });

  async function serve(secrets: Record<string, Record<string, string> | number>): Promise<CoreV1Api> {
    standIn = await apiStandIn((request, response) => {
      const name = decodeURIComponent(request.url?.split("/").pop() ?? "");
      const answer = secrets[name];
      if (typeof answer === "number" || answer === undefined) {
        const code = answer ?? 404;
        response.writeHead(code, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            code,
            reason: code === 404 ? "NotFound" : "InternalError",
          }),
        );
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(secretAnswer(answer)));
    });
    return standIn.kubeConfig.makeApiClient(CoreV1Api);
  }

  it("learns the values of each Secret, the username of credentials left out, a missing Secret skipped", async () => {
    const core = await serve({
      "deploy-env": { API_TOKEN: "sk-SEEDED-777", REGION: "eu-north" },
      git: { username: "release-operator", password: "hunter2hunter2" },
    });
    const redactor = new Redactor();
    const secrets = new ReleaseSecrets(core, redactor);
    await secrets.learn("default", [
      { name: "deploy-env", purpose: "environment" },
      { name: "git", purpose: "credentials" },
      { name: "gone", purpose: "credentials" },
    ]);
    expect(redactor.redact("sk-SEEDED-777 eu-north hunter2hunter2 release-operator")).toBe(
      `${REDACTION} ${REDACTION} ${REDACTION} release-operator`,
    );
  });

  it("reads each Secret once within its time to live, and again after it", async () => {
    const core = await serve({ "deploy-env": { API_TOKEN: "sk-SEEDED-777" } });
    let now = 0;
    const secrets = new ReleaseSecrets(core, new Redactor(), 60_000, () => now);
    const touched = [{ name: "deploy-env", purpose: "environment" as const }];
    await secrets.learn("default", touched);
    await secrets.learn("default", touched);
    expect(standIn?.requests).toHaveLength(1);
    now = 60_000;
    await secrets.learn("default", touched);
    expect(standIn?.requests).toHaveLength(2);
  });

  it("throws, naming the Secret, when the API server fails: nothing may be written unredacted", async () => {
    const core = await serve({ "deploy-env": 500 });
    const secrets = new ReleaseSecrets(core, new Redactor());
    await expect(secrets.learn("default", [{ name: "deploy-env", purpose: "environment" }])).rejects.toThrow(
      "reading Secret default/deploy-env to keep its values out of reports failed",
    );
  });
});
