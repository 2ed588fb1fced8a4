// Environments whose deploy runs the recorder fixture (test/e2e/fixtures/deploy-recorder.sh): a deploy
// script driven by its environment, appending each run to a file, so a test counts what actually ran
// on the nodes rather than what the operator says it ran.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import type { EnvironmentSpec } from "../../../src/api/v1alpha1/index.js";
import { labelValueOf } from "../../../src/release/names.js";
import { kubectl, kubectlJson } from "./kubectl.js";
import { applyEnvironment, environmentSpec, NAMESPACE } from "./releases.js";

export const RECORDER_CONFIGMAP = "e2e-deploy-recorder";

const scriptText = (): string =>
  readFileSync(
    path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "deploy-recorder.sh"),
    "utf8",
  );

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
    data: { "deploy.sh": scriptText() },
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
