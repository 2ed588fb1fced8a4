import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { environmentOf, renderEnvFile, shellQuote } from "./env-file.js";
import type { ClusterInfo } from "./info.js";

const info: ClusterInfo = {
  kind: "local",
  stateDir: "/state",
  kubernetesVersion: "v1.36.3",
  binDir: "/cache/k8s v1.36.3",
  apiserverUrl: "https://127.0.0.1:6443",
  kubeconfigs: {
    admin: "/state/admin",
    operator: "/state/operator",
    alice: "/state/alice",
    bob: "/state/bob",
  },
  nodes: [{ name: "ground", kubeletPort: 10250 }],
  prometheus: { url: "http://127.0.0.1:9090" },
  registry: {
    url: "http://127.0.0.1:5000",
    host: "127.0.0.1:5000",
    credentials: { username: "release-operator", password: `p'a"ss $HOME \`x\`` },
    repository: "demo/nav",
    tags: ["1.4.1"],
  },
  git: {
    url: "http://127.0.0.1:8080/git",
    credentials: { username: "git", password: "s3cret" },
    sourceRepo: "http://127.0.0.1:8080/git/nav.git",
    reportRepo: "http://127.0.0.1:8080/git/reports.git",
  },
  demoApp: {
    url: "http://127.0.0.1:3000",
    adminUrl: "http://127.0.0.1:3000/admin",
    adminToken: "t0k",
    versions: [],
  },
};

describe("shellQuote", () => {
  it.each([
    { value: "plain", quoted: "'plain'" },
    { value: "", quoted: "''" },
    { value: "it's", quoted: `'it'\\''s'` },
    { value: '$HOME `x` "y"', quoted: `'$HOME \`x\` "y"'` },
  ])("quotes $value as $quoted", ({ value, quoted }) => {
    expect(shellQuote(value)).toBe(quoted);
  });
});

describe("renderEnvFile", () => {
  it("exports every variable so that a shell reads back exactly the values, and puts the cluster's kubectl first on PATH", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "env-file-"));
    const file = path.join(dir, "env");
    writeFileSync(file, renderEnvFile(info));
    const names = environmentOf(info).map(([name]) => name);
    const printed = execFileSync(
      "bash",
      [
        "-c",
        `. "$1"; for name in ${names.join(" ")}; do printf '%s=%s\\0' "$name" "\${!name}"; done; printf 'PATH=%s\\0' "$PATH"`,
        "_",
        file,
      ],
      { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } },
    );
    const read = new Map(
      printed
        .split("\0")
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
    );
    for (const [name, value] of environmentOf(info)) expect(read.get(name)).toBe(value);
    expect(read.get("REGISTRY_PASSWORD")).toBe(info.registry.credentials.password);
    expect(read.get("PATH")?.split(":")[0]).toBe("/cache/k8s v1.36.3");
  });

  it("names the admin kubeconfig as KUBECONFIG, and each identity's own", () => {
    const variables = new Map(environmentOf(info));
    expect(variables.get("KUBECONFIG")).toBe("/state/admin");
    expect(variables.get("KUBECONFIG_OPERATOR")).toBe("/state/operator");
    expect(variables.get("KUBECONFIG_ALICE")).toBe("/state/alice");
    expect(variables.get("KUBECONFIG_BOB")).toBe("/state/bob");
  });
});
