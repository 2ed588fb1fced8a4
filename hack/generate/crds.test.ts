// The generated CRDs, read as the apiserver will read them: structural, complete against SPEC
// section 2, with the printer columns, names and rules the issue asks for.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FIXED_DEFAULTS, GROUP } from "../../src/api/v1alpha1/index.js";
import { renderCrds } from "./crds.js";
import { schemaAt, type OpenApiSchema } from "./structural.js";

interface Crd {
  spec: {
    names: { shortNames: string[]; categories: string[] };
    versions: {
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: { name: string; jsonPath: string; type: string }[];
      schema: { openAPIV3Schema: OpenApiSchema };
    }[];
  };
}

const files = renderCrds();
const crd = (plural: string): Crd => parse(files.get(`crds/${GROUP}_${plural}.yaml`) ?? "") as Crd;
const version = (plural: string) => {
  const first = crd(plural).spec.versions[0];
  if (first === undefined) throw new Error(`${plural}: no version`);
  return first;
};
const root = (plural: string) => version(plural).schema.openAPIV3Schema;

/** Every node has a type (or is free-form), and nothing non-structural is left. */
function structuralProblems(node: OpenApiSchema, where: string): string[] {
  const problems: string[] = [];
  const raw = node as Record<string, unknown>;
  for (const key of ["$ref", "definitions", "anyOf", "oneOf", "allOf", "nullable"]) {
    if (key in raw) problems.push(`${where}: has ${key}`);
  }
  if (node.type === undefined && node["x-kubernetes-preserve-unknown-fields"] !== true) {
    problems.push(`${where}: has no type`);
  }
  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    problems.push(`${where}: has both properties and additionalProperties`);
  }
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    problems.push(...structuralProblems(child, `${where}.${name}`));
  }
  if (node.items !== undefined) problems.push(...structuralProblems(node.items, `${where}[]`));
  if (node.additionalProperties !== undefined) {
    problems.push(...structuralProblems(node.additionalProperties, `${where}{}`));
  }
  return problems;
}

describe("generated CRDs", () => {
  it("are written to crds/, config/crd/bases/ and the chart, identical", () => {
    for (const plural of ["environments", "releases"]) {
      const copies = ["crds", "config/crd/bases", "charts/release-operator/crds"].map((dir) =>
        files.get(`${dir}/${GROUP}_${plural}.yaml`),
      );
      expect(copies[0]).toContain(`name: ${plural}.${GROUP}`);
      expect(new Set(copies).size).toBe(1);
    }
  });

  it.each(["environments", "releases"])("%s: the schema is structural", (plural) => {
    expect(structuralProblems(root(plural), plural)).toEqual([]);
  });

  it.each(["environments", "releases"])("%s: has the status subresource", (plural) => {
    expect(version(plural).subresources).toEqual({ status: {} });
  });

  it.each([
    { plural: "releases", columns: ["Env", "Version", "Phase", "Verdict", "Waiting-For", "Age", "Reason"] },
    { plural: "environments", columns: ["Tier", "Current", "Active", "Age"] },
  ])("$plural: printer columns $columns", ({ plural, columns }) => {
    expect(version(plural).additionalPrinterColumns.map((column) => column.name)).toEqual(columns);
  });

  // Short names of the built-in resources kubectl knows: a CRD's short name must not shadow one.
  const BUILT_IN_SHORT_NAMES = new Set(
    "cs cm ds deploy ep ev hpa ing limits netpol no ns pdb po pv pvc quota rc rs sa sc sts svc crd crds csr pc".split(
      " ",
    ),
  );
  it.each([
    { plural: "releases", shortNames: ["rel"] },
    { plural: "environments", shortNames: ["env"] },
  ])("$plural: short names $shortNames clash with no built-in", ({ plural, shortNames }) => {
    const names = crd(plural).spec.names;
    expect(names.shortNames).toEqual(shortNames);
    expect(names.shortNames.filter((name) => BUILT_IN_SHORT_NAMES.has(name))).toEqual([]);
    expect(names.categories).toEqual(["release-operator"]);
  });

  // SPEC section 2, field by field.
  it.each([
    "tier",
    "strategies",
    "defaultStrategy",
    "autoSelectStrategy",
    "approval.required",
    "approval.count",
    "changeWindows[].days",
    "changeWindows[].start",
    "changeWindows[].end",
    "changeWindows[].timeZone",
    "blackouts[].from",
    "blackouts[].to",
    "blackouts[].reason",
    "artifact.repository",
    "artifact.pullSecret.name",
    "source.url",
    "source.credentialsSecret.name",
    "source.tagPattern",
    "source.components[].pathPrefix",
    "source.components[].component",
    "acceptance.criteria[].id",
    "acceptance.criteria[].tests",
    "acceptance.criteria[].critical",
    "acceptance.reports[].configMap.name",
    "acceptance.reports[].secret.name",
    "deploy.image",
    "deploy.script.path",
    "deploy.script.configMap.key",
    "deploy.strategyArgs.canary",
    "deploy.envFrom[].secretRef.name",
    "deploy.requiredEnv",
    "deploy.nodeSelector",
    "deploy.tolerations[].key",
    "deploy.affinity",
    "deploy.serviceAccountName",
    "deploy.idleTimeout",
    "deploy.timeout",
    "smoke.required",
    "smoke.timeout",
    "smoke.http[].method",
    "smoke.http[].url",
    "smoke.http[].expectedStatus",
    "smoke.http[].bodyMatch.regex",
    "smoke.jobs[].image",
    "smoke.jobs[].command",
    "watch.duration",
    "watch.interval",
    "watch.noDataGrace",
    "watch.prometheus.url",
    "watch.prometheus.authSecret.name",
    "watch.baseline.mode",
    "watch.baseline.window",
    "watch.metrics[].name",
    "watch.metrics[].query",
    "watch.metrics[].direction",
    "watch.metrics[].hardRatio",
    "watch.metrics[].softRatio",
    "watch.metrics[].floor",
    "watch.healthCheck.url",
    "report.url",
    "report.branch",
    "report.path",
    "report.credentialsSecret.name",
    "report.tagPattern",
  ])("Environment spec.%s is in the schema", (path) => {
    expect(schemaAt(root("environments"), `spec.${path}`)?.type).toBeDefined();
  });

  it.each([
    "currentVersion",
    "activeRelease",
    "lastReleased.version",
    "history[].verdict",
    "conditions[].observedGeneration",
  ])("Environment status.%s is in the schema", (path) => {
    expect(schemaAt(root("environments"), `status.${path}`)?.type).toBeDefined();
  });

  it.each([
    "spec.environment",
    "spec.version",
    "spec.revision",
    "spec.rollbackTarget",
    "spec.strategy",
    "spec.strategyArgs",
    "spec.overrides.watch.duration",
    "spec.scope.exclude",
    "status.phase",
    "status.verdict",
    "status.reason",
    "status.conditions[].observedGeneration",
    "status.conditions[].lastTransitionTime",
    "status.phases[].startedAt",
    "status.phases[].finishedAt",
    "status.phases[].outcome",
    "status.phases[].message",
    "status.pendingDecision.commands",
    "status.decisions[].value",
    "status.decisions[].at",
    "status.baseline.values[].value",
    "status.watch.snapshots[].metrics[].ratio",
    "status.breaches[].ratio",
    "status.jobs[].name",
    "status.jobs[].exitCode",
    "status.report.configMap",
    "status.report.gitCommit",
  ])("Release %s is in the schema", (path) => {
    expect(schemaAt(root("releases"), path)?.type).toBeDefined();
  });

  it("conditions merge by type under server-side apply", () => {
    for (const plural of ["environments", "releases"]) {
      expect(schemaAt(root(plural), "status.conditions")).toMatchObject({
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      });
    }
  });

  it.each(Object.entries(FIXED_DEFAULTS))("Environment spec.%s defaults to %s", (path, value) => {
    expect(schemaAt(root("environments"), `spec.${path}`)?.default).toBe(value);
  });

  it.each([
    { plural: "releases", path: "spec", rule: "self == oldSelf" },
    { plural: "releases", path: "spec", rule: "size(self.version) > 0" },
    {
      plural: "environments",
      path: "spec.watch.metrics[]",
      rule: "!has(self.softRatio) || !has(self.hardRatio) || self.softRatio < self.hardRatio",
    },
    { plural: "environments", path: "spec.deploy.script", rule: "has(self.path) != has(self.configMap)" },
  ])("$plural $path has the CEL rule $rule", ({ plural, path, rule }) => {
    const rules = schemaAt(root(plural), path)?.["x-kubernetes-validations"] ?? [];
    expect(rules.map((candidate) => candidate.rule)).toContain(rule);
  });

  it("requires version and environment on a Release, tier, deploy and watch on an Environment", () => {
    expect(schemaAt(root("releases"), "spec")?.required).toEqual(["environment", "version"]);
    expect(schemaAt(root("environments"), "spec")?.required).toEqual(["tier", "deploy", "watch"]);
  });
});
