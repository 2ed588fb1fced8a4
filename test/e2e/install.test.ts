/**
 * Both ways of installing the operator pass a real apiserver's validation and admission (server-side
 * dry run): the generated CRDs, RBAC, and a Deployment the restricted Pod Security profile accepts
 * without a warning.
 */
import { describe, expect, it } from "vitest";
import { findHelm, renderHelm } from "../packaging/render.js";
import { kubectlAs } from "./support/kubectl.js";

async function serverDryRun(args: readonly string[], input?: string) {
  const result = await kubectlAs(
    "admin",
    ["apply", "--server-side", "--force-conflicts", "--dry-run=server", "-o", "name", ...args],
    input === undefined ? {} : { input },
  );
  expect(result.exitCode, result.stderr).toBe(0);
  return result;
}

describe("install manifests against a real apiserver", () => {
  it("kustomize config/default is accepted, Deployment included, without Pod Security warnings", async () => {
    const result = await serverDryRun(["-k", "config/default"]);
    expect(result.stdout).toMatch(/^deployment\.apps\/release-operator/m);
    expect(result.stdout).toMatch(
      /^customresourcedefinition\.apiextensions\.k8s\.io\/releases\.release-operator\.io/m,
    );
    expect(result.stderr).not.toMatch(/PodSecurity|would violate/);
  });

  it("the Helm chart's rendering is accepted the same way", async () => {
    const rendered = await renderHelm(await findHelm(), "release-operator");
    const result = await serverDryRun(["-n", "release-operator-system", "-f", "-"], rendered.text);
    expect(result.stdout).toMatch(/^deployment\.apps\//m);
    expect(result.stderr).not.toMatch(/PodSecurity|would violate/);
  });
});
