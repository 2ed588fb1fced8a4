import { describe, expect, it } from "vitest";
import { checkDeployEnvironment, isPlaceholder, type EnvSource } from "./deploy-env.js";

const secret = (name: string, values: Record<string, string>, found = true): EnvSource => ({
  kind: "Secret",
  name,
  found,
  values: new Map(Object.entries(values)),
});
const configMap = (name: string, values: Record<string, string>): EnvSource => ({
  ...secret(name, values),
  kind: "ConfigMap",
});

describe("isPlaceholder", () => {
  it.each([
    "",
    "   ",
    "changeme",
    "CHANGEME",
    "change-me",
    "change_me",
    "<your token>",
    "<>",
    "TODO",
    "tbd",
    "FIXME",
    "xxx",
    "XXXXXXXX",
    "placeholder",
    "replace-me",
    "your-api-key-here",
    "your_db_password_here",
    "...",
    "${DB_PASSWORD}",
    "change-it",
    "CHANGE THIS",
    "null",
    "nil",
    "undefined",
    "TODO: ask ops",
    "fixme later",
    "  changeme  ",
  ])("%j is a placeholder", (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each([
    "todo-service.internal",
    "https://x",
    "s3cr3t",
    "0",
    "false",
    "xx",
    "changeme-not",
    "my <tag> value",
    "a...b",
    "none",
    "todo-list",
    "<a> and <b>",
    "${A}${B}",
    "secretary",
  ])("%j is a real value", (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });
});

describe("checkDeployEnvironment", () => {
  it.each<{ situation: string; required: string[]; sources: EnvSource[]; problems: string[] }>([
    {
      situation: "every required name set to a real value",
      required: ["API_TOKEN", "REGION"],
      sources: [secret("nav-env", { API_TOKEN: "t0k3n-4f9a" }), configMap("nav-config", { REGION: "north" })],
      problems: [],
    },
    {
      situation: "a required name set nowhere: named, with the sources looked at",
      required: ["API_TOKEN"],
      sources: [configMap("nav-config", { REGION: "north" })],
      problems: [
        "API_TOKEN is required (deploy.requiredEnv) but no envFrom source sets it (ConfigMap nav-config)",
      ],
    },
    {
      situation: "no sources at all",
      required: ["API_TOKEN"],
      sources: [],
      problems: ["API_TOKEN is required (deploy.requiredEnv) but no envFrom source sets it"],
    },
    {
      situation: "a required value left as a placeholder",
      required: ["API_TOKEN"],
      sources: [secret("nav-env", { API_TOKEN: "changeme" })],
      problems: ["API_TOKEN from Secret nav-env is a placeholder, not a real value"],
    },
    {
      situation: "a later source overrides an earlier placeholder, as in Kubernetes",
      required: ["API_TOKEN"],
      sources: [secret("defaults", { API_TOKEN: "changeme" }), secret("nav-env", { API_TOKEN: "t0k3n" })],
      problems: [],
    },
    {
      situation: "a placeholder in a Secret counts even when not required",
      required: [],
      sources: [secret("nav-env", { SENTRY_DSN: "<fill me in>" })],
      problems: ["SENTRY_DSN from Secret nav-env is a placeholder, not a real value"],
    },
    {
      situation: "an empty optional ConfigMap value is the team's business",
      required: [],
      sources: [configMap("nav-config", { FEATURE_FLAGS: "" })],
      problems: [],
    },
    {
      situation: "a required name only in a ConfigMap's binaryData: said why it is not in the environment",
      required: ["CA_BUNDLE"],
      sources: [{ ...configMap("nav-config", {}), binaryDataKeys: ["CA_BUNDLE"] }],
      problems: [
        "CA_BUNDLE is required (deploy.requiredEnv) but no envFrom source sets it: ConfigMap nav-config holds it in binaryData, which Kubernetes never puts into the environment",
      ],
    },
    {
      situation: "a name required twice is reported once",
      required: ["API_TOKEN", "API_TOKEN"],
      sources: [],
      problems: ["API_TOKEN is required (deploy.requiredEnv) but no envFrom source sets it"],
    },
    {
      situation: "a placeholder in a ConfigMap counts only when required",
      required: ["REGION"],
      sources: [configMap("nav-config", { REGION: "TODO", ZONE: "TODO" })],
      problems: ["REGION from ConfigMap nav-config is a placeholder, not a real value"],
    },
    {
      situation: "a source that does not exist",
      required: [],
      sources: [secret("nav-env", {}, false)],
      problems: ["Secret nav-env named in deploy.envFrom not found"],
    },
  ])("$situation", ({ required, sources, problems }) => {
    expect(checkDeployEnvironment(required, sources)).toEqual(problems);
  });

  it("never says a value, whatever it is", () => {
    const values = { API_TOKEN: "changeme", DB_PASSWORD: "<the password>", OTHER: "TODO" };
    const problems = checkDeployEnvironment(["API_TOKEN", "DB_PASSWORD"], [secret("nav-env", values)]);
    expect(problems).toHaveLength(3);
    for (const value of Object.values(values)) expect(problems.join("\n")).not.toContain(value);
  });
});
