// Environments whose deploy runs the recorder fixture (test/e2e/fixtures/deploy-recorder.sh): a deploy
// script driven by its environment, appending each run to a file, so a test counts what actually ran
// on the nodes rather than what the operator says it ran. And Environments whose deploy really deploys
// the demo app (test/e2e/hack/demo/deploy.sh), for the watch window to see the version run.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import type { EnvironmentSpec } from "../../../src/api/v1alpha1/index.js";
import { labelValueOf } from "../../../src/release/names.js";
import { kubectl, kubectlJson } from "./kubectl.js";
import { applyEnvironment, deleteObjects, environmentSpec, NAMESPACE } from "./releases.js";

export const RECORDER_CONFIGMAP = "e2e-deploy-recorder";

const fixtureText = (file: string): string =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", file), "utf8");

/** Where the recorder appends `<release> deploy <args>` and `<release> rollback <target>`. */
export function recordFile(): string {
  return path.join(inject("cluster").stateDir, "e2e-deploy-runs.log");
}

async function apply(object: unknown): Promise<void> {
  await kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], {
    input: JSON.stringify(object),
  });
}

export async function applyRecorderScript(): Promise<void> {
  await apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: RECORDER_CONFIGMAP, namespace: NAMESPACE },
    data: { "deploy.sh": fixtureText("deploy-recorder.sh") },
  });
}

/** The runs of deploy.sh recorded for a release, in order: `deploy 1.4.2`, `rollback 1.4.1`. */
export function runsOf(release: string): string[] {
  let text: string;
  try {
    text = readFileSync(recordFile(), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${release} `))
    .map((line) => line.slice(release.length + 1));
}

/**
 * An Environment named `name` whose deploy runs the recorder with `behaviour` (DEPLOY_EXIT,
 * DEPLOY_HANG, DEPLOY_STEPS, DEPLOY_STEP_SECONDS, ROLLBACK_EXIT) in a ConfigMap `<name>-env`.
 * Returns the objects created, for cleanup.
 */
export async function applyRecorderEnvironment(
  name: string,
  behaviour: Record<string, string>,
  changes: Partial<EnvironmentSpec> = {},
  deploy: Partial<EnvironmentSpec["deploy"]> = {},
): Promise<{ configMap: string }> {
  const configMap = `${name}-env`;
  await apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: configMap, namespace: NAMESPACE },
    data: { RECORD_FILE: recordFile(), ...behaviour },
  });
  await applyEnvironment(name, {
    ...environmentSpec(),
    deploy: {
      image: "demo/deploy-tools:1",
      script: { configMap: { name: RECORDER_CONFIGMAP, key: "deploy.sh" } },
      envFrom: [{ configMapRef: { name: configMap } }],
      ...deploy,
    },
    ...changes,
  });
  return { configMap };
}

/** The names of the Jobs that exist for a release, sorted. */
export async function jobsOf(release: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
    "get",
    "jobs",
    "-n",
    NAMESPACE,
    "-l",
    `release-operator.io/release=${labelValueOf(release)}`,
  ]);
  return list.items.map((item) => item.metadata.name).sort();
}

export const DEMO_DEPLOY_OBJECTS = {
  /** The script, under the key `deploy.sh`. */
  script: "e2e-deploy-demo-app",
  /** DEMO_ADMIN_URL and DEPLOY_SETTLE_SECONDS. */
  configMap: "e2e-demo-app-deploy-env",
  /** DEMO_ADMIN_TOKEN. */
  secret: "e2e-demo-app-admin",
} as const;

/**
 * The demo deploy script and its `.env`: the admin URL in a ConfigMap, its token in a Secret, and how
 * long a deployed version warms up before the script returns (so the watch's first reading sees it
 * serve for a while). Idempotent.
 */
export async function applyDemoDeployFixtures(settleSeconds: number): Promise<void> {
  const { demoApp } = inject("cluster");
  await apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: DEMO_DEPLOY_OBJECTS.script, namespace: NAMESPACE },
    data: { "deploy.sh": fixtureText("../../../hack/demo/deploy.sh") },
  });
  await apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: DEMO_DEPLOY_OBJECTS.configMap, namespace: NAMESPACE },
    data: { DEMO_ADMIN_URL: demoApp.adminUrl, DEPLOY_SETTLE_SECONDS: String(settleSeconds) },
  });
  await apply({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: DEMO_DEPLOY_OBJECTS.secret, namespace: NAMESPACE },
    stringData: { DEMO_ADMIN_TOKEN: demoApp.adminToken },
  });
}

export async function deleteDemoDeployFixtures(): Promise<void> {
  await deleteObjects("configmap", [DEMO_DEPLOY_OBJECTS.script, DEMO_DEPLOY_OBJECTS.configMap]);
  await deleteObjects("secret", [DEMO_DEPLOY_OBJECTS.secret]);
}

/** The deploy of an Environment that really deploys the demo app (applyDemoDeployFixtures first). */
export function demoAppDeploy(changes: Partial<EnvironmentSpec["deploy"]> = {}): EnvironmentSpec["deploy"] {
  return {
    image: "demo/deploy-tools:1",
    script: { configMap: { name: DEMO_DEPLOY_OBJECTS.script, key: "deploy.sh" } },
    envFrom: [
      { configMapRef: { name: DEMO_DEPLOY_OBJECTS.configMap } },
      { secretRef: { name: DEMO_DEPLOY_OBJECTS.secret } },
    ],
    requiredEnv: ["DEMO_ADMIN_URL", "DEMO_ADMIN_TOKEN"],
    ...changes,
  };
}
