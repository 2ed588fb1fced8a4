// The samples users copy must be what the operator accepts, and say what the README promises.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  describeIssues,
  readEnvironmentSpec,
  readReleaseSpec,
  resolveReleaseSettings,
  type EnvironmentSettings,
} from "../../src/api/v1alpha1/index.js";

interface Sample {
  kind: string;
  metadata: { name: string };
  spec: unknown;
}

const sample = async (file: string): Promise<Sample> =>
  parse(await readFile(new URL(`../../config/samples/${file}`, import.meta.url), "utf8")) as Sample;

async function environment(file: string): Promise<EnvironmentSettings> {
  const result = readEnvironmentSpec((await sample(file)).spec);
  if (!result.ok) throw new Error(`${file}:\n${describeIssues(result.issues)}`);
  return result.value;
}

describe("config/samples", () => {
  it("the Release is five lines and valid", async () => {
    const text = await readFile(new URL("../../config/samples/release.yaml", import.meta.url), "utf8");
    expect(text.trimEnd().split("\n")).toHaveLength(5);
    const release = readReleaseSpec((await sample("release.yaml")).spec);
    expect(release).toEqual({ ok: true, value: { environment: "staging", version: "1.4.2" } });
  });

  it("the staging Environment is valid and takes staging's defaults", async () => {
    const settings = await environment("environment-staging.yaml");
    expect({
      approval: settings.approval.required,
      autoSelect: settings.autoSelectStrategy,
      smokeRequired: settings.smoke.required,
      watchMinutes: settings.watch.durationMs / 60_000,
      baseline: settings.watch.baseline.mode,
    }).toEqual({
      approval: false,
      autoSelect: true,
      smokeRequired: false,
      watchMinutes: 15,
      baseline: "concurrent",
    });
  });

  it("the production Environment is valid and takes production's defaults", async () => {
    const settings = await environment("environment-production.yaml");
    expect({
      approval: settings.approval,
      autoSelect: settings.autoSelectStrategy,
      smokeRequired: settings.smoke.required,
      watchMinutes: settings.watch.durationMs / 60_000,
      placement: settings.deploy.nodeSelector,
      everySmokeCaseSafe: settings.smoke.http.every((smokeCase) => smokeCase.safety !== undefined),
    }).toEqual({
      approval: { required: true, count: 2, approverGroups: ["release-managers"], fourEyes: true },
      autoSelect: false,
      smokeRequired: true,
      watchMinutes: 60,
      placement: { "node-role.release-operator.io/onboard": "true" },
      everySmokeCaseSafe: true,
    });
  });

  it("the sample Release resolves against the staging Environment", async () => {
    const release = readReleaseSpec((await sample("release.yaml")).spec);
    if (!release.ok) throw new Error(describeIssues(release.issues));
    const settings = resolveReleaseSettings(
      "staging",
      await environment("environment-staging.yaml"),
      release.value,
    );
    expect(settings.ok).toBe(true);
  });
});
