import { describe, expect, it } from "vitest";
import {
  describeMissing,
  HARNESS_DEBIAN_PACKAGES,
  installPlan,
  manualInstallCommand,
  missingPackages,
  tailOf,
  type DebianPackage,
} from "./debian.js";

const registry = { package: "docker-registry", binary: "/usr/bin/docker-registry" };
const git = { package: "git", binary: "/usr/bin/git" };
const htpasswd = { package: "apache2-utils", binary: "/usr/bin/htpasswd", why: "bcrypt entries" };

describe("missingPackages", () => {
  it.each<{ situation: string; packages: DebianPackage[]; present: string[]; missing: string[] }>([
    {
      situation: "everything installed",
      packages: [registry, git],
      present: [registry.binary, git.binary],
      missing: [],
    },
    {
      situation: "nothing installed",
      packages: [registry, git],
      present: [],
      missing: ["docker-registry", "git"],
    },
    {
      situation: "one of two missing",
      packages: [registry, git],
      present: [git.binary],
      missing: ["docker-registry"],
    },
    {
      situation: "a package listed twice, missing: named once",
      packages: [registry, git, registry],
      present: [git.binary],
      missing: ["docker-registry"],
    },
    { situation: "an empty list", packages: [], present: [], missing: [] },
  ])("$situation", ({ packages, present, missing }) => {
    const found = missingPackages(packages, (binary) => present.includes(binary));
    expect(found.map((pkg) => pkg.package)).toEqual(missing);
  });
});

describe("installPlan", () => {
  it.each([
    { situation: "as root: commands run as they are", privilege: "root" as const, prefix: [] },
    {
      situation: "through sudo: never prompting for a password",
      privilege: "sudo" as const,
      prefix: ["sudo", "-n"],
    },
  ])("$situation", ({ privilege, prefix }) => {
    const plan = installPlan(["docker-registry", "apache2-utils"], privilege);
    expect(plan.update.slice(0, prefix.length + 2)).toEqual([...prefix, "apt-get", "update"]);
    expect(plan.install.slice(0, prefix.length + 2)).toEqual([
      ...prefix,
      "env",
      "DEBIAN_FRONTEND=noninteractive",
    ]);
    // The packages are the script's positional arguments, after $0.
    expect(plan.install.slice(-2)).toEqual(["docker-registry", "apache2-utils"]);
    const script = plan.install[prefix.length + 4] ?? "";
    expect(script).toContain("apt-get install -y --no-install-recommends");
    expect(script).toContain("/usr/sbin/policy-rc.d");
    expect(script).toContain("exit 101");
    expect(script).toContain("trap restore EXIT");
  });
});

describe("messages", () => {
  it("names the command to run by hand, with every package", () => {
    expect(manualInstallCommand(["git", "openssl"])).toBe(
      "sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git openssl",
    );
  });

  it.each([
    {
      situation: "a package with a reason",
      pkg: htpasswd,
      line: "Installing Debian package apache2-utils (for /usr/bin/htpasswd): bcrypt entries",
    },
    {
      situation: "a package without one",
      pkg: git,
      line: "Installing Debian package git (for /usr/bin/git)",
    },
  ])("says what it installs and why: $situation", ({ pkg, line }) => {
    expect(describeMissing([pkg])).toEqual([line]);
  });

  it.each([
    { situation: "short output, kept whole", output: "a\nb\n", lines: 3, tail: "a\nb" },
    { situation: "long output, cut to its end", output: "1\n2\n3\n4\n", lines: 2, tail: "3\n4" },
    { situation: "no output", output: "", lines: 2, tail: "" },
  ])("tailOf: $situation", ({ output, lines, tail }) => {
    expect(tailOf(output, lines)).toBe(tail);
  });
});

describe("HARNESS_DEBIAN_PACKAGES", () => {
  it("names an absolute binary and a reason for every package, each package once", () => {
    for (const pkg of HARNESS_DEBIAN_PACKAGES) {
      expect(pkg.binary).toMatch(/^\/usr\/s?bin\/[a-z0-9.-]+$/);
      expect(pkg.why).not.toBe("");
    }
    const names = HARNESS_DEBIAN_PACKAGES.map((pkg) => pkg.package);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(["prometheus", "docker-registry", "git", "openssl", "apache2-utils"]),
    );
  });
});
