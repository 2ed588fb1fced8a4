// Installs the Debian packages the local cluster needs, when they are missing. The decisions (what is
// missing, which commands to run, how to become root) are pure; `ensureDebianPackages` runs them.
import { existsSync } from "node:fs";
import { execa } from "execa";

export interface DebianPackage {
  /** The Debian package name. */
  readonly package: string;
  /** An absolute path the package installs; when it exists the package counts as installed. */
  readonly binary: string;
  /** What the harness uses it for, printed before installing it. */
  readonly why?: string;
}

/** Everything the local cluster's fixtures run that comes from Debian. */
export const HARNESS_DEBIAN_PACKAGES = [
  {
    package: "prometheus",
    binary: "/usr/bin/prometheus",
    why: "scrapes the demo app; the watch window queries it",
  },
  {
    package: "docker-registry",
    binary: "/usr/bin/docker-registry",
    why: "the OCI registry the pre-release gate looks images up in",
  },
  {
    package: "git",
    binary: "/usr/bin/git",
    why: "the git server (git http-backend) for the source and report repositories",
  },
  { package: "openssl", binary: "/usr/bin/openssl", why: "the control plane's certificates" },
  {
    package: "apache2-utils",
    binary: "/usr/bin/htpasswd",
    why: "bcrypt password entries for the registry's htpasswd file",
  },
  {
    package: "curl",
    binary: "/usr/bin/curl",
    why: "the demo's deploy.sh, run on the node agents, calls the demo app's admin API with it",
  },
  {
    package: "lua5.4",
    binary: "/usr/bin/lua5.4",
    why: "runs the chart's Argo CD health check in the packaging tests",
  },
] as const satisfies readonly DebianPackage[];

/** How this process can run commands as root. */
export type Privilege = "root" | "sudo" | "none";

/**
 * Wait this long for another apt/dpkg run to release its lock instead of failing at once (two setup
 * scripts on one machine are not unusual).
 */
const APT_LOCK_TIMEOUT_SECONDS = 300;

/**
 * Runs apt-get install with a policy-rc.d that forbids starting services (exit 101), so packages such
 * as docker-registry or prometheus do not start a system instance that would take their default port;
 * whatever policy-rc.d was there before is put back, also when apt-get fails or is interrupted.
 */
const GUARDED_INSTALL_SCRIPT = `set -eu
guard=/usr/sbin/policy-rc.d
saved=""
if [ -e "$guard" ]; then saved=$(mktemp); cp -p "$guard" "$saved"; fi
restore() { if [ -n "$saved" ]; then mv -f "$saved" "$guard"; else rm -f "$guard"; fi; }
trap restore EXIT
trap 'exit 130' INT TERM HUP
printf '#!/bin/sh\\n# written by release-operator hack/cluster/debian.ts during an install\\nexit 101\\n' >"$guard"
chmod 755 "$guard"
apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_SECONDS} "$@"
`;

/** The packages whose binary is absent, each named once even when listed twice. */
export function missingPackages(
  packages: readonly DebianPackage[],
  exists: (path: string) => boolean,
): DebianPackage[] {
  const seen = new Set<string>();
  return packages.filter((pkg) => {
    if (seen.has(pkg.package) || exists(pkg.binary)) return false;
    seen.add(pkg.package);
    return true;
  });
}

export interface InstallPlan {
  readonly update: readonly string[];
  readonly install: readonly string[];
}

/** The argv of `apt-get update` and of the guarded install, run as root directly or through `sudo -n`. */
export function installPlan(packageNames: readonly string[], privilege: "root" | "sudo"): InstallPlan {
  const asRoot = privilege === "sudo" ? ["sudo", "-n"] : [];
  return {
    update: [...asRoot, "apt-get", "update", "-o", `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_SECONDS}`],
    // `env` sets the variable after sudo, which would otherwise drop it.
    install: [
      ...asRoot,
      "env",
      "DEBIAN_FRONTEND=noninteractive",
      "sh",
      "-c",
      GUARDED_INSTALL_SCRIPT,
      "guarded-apt-get-install",
      ...packageNames,
    ],
  };
}

/** What a user without root or sudo is asked to run by hand. */
export function manualInstallCommand(packageNames: readonly string[]): string {
  return `sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packageNames.join(" ")}`;
}

/** One line per missing package: what is installed, for which binary, and why. */
export function describeMissing(missing: readonly DebianPackage[]): string[] {
  return missing.map(
    (pkg) => `Installing Debian package ${pkg.package} (for ${pkg.binary})${pkg.why ? `: ${pkg.why}` : ""}`,
  );
}

/** The last lines of a command's output, for error messages. */
export function tailOf(output: string, lines = 20): string {
  return output.trimEnd().split("\n").slice(-lines).join("\n");
}

/** A readable form of an argv for messages; the guard script is long, so it is named, not printed. */
function displayCommand(argv: readonly string[]): string {
  return argv
    .map((arg) => (arg === GUARDED_INSTALL_SCRIPT ? "'<policy-rc.d guard; apt-get install>'" : arg))
    .join(" ");
}

async function detectPrivilege(): Promise<Privilege> {
  if (process.getuid?.() === 0) return "root";
  const probe = await execa("sudo", ["-n", "true"], { reject: false, stdin: "ignore" });
  return probe.exitCode === 0 ? "sudo" : "none";
}

async function run(argv: readonly string[], what: string): Promise<void> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error(`no command given to ${what}`);
  const result = await execa(command, args, { all: true, reject: false, stdin: "ignore" });
  if (result.exitCode !== 0) {
    const cause = result.exitCode === undefined ? result.shortMessage : `exit code ${result.exitCode}`;
    throw new Error(
      `${what} failed (${cause}); command: ${displayCommand(argv)}; its output ends with:\n${tailOf(result.all)}`,
    );
  }
}

/**
 * Makes sure every package's binary exists, installing the missing packages with apt-get (as root, or
 * through `sudo -n`). Quiet and without side effects when everything is there.
 */
export async function ensureDebianPackages(
  packages: readonly DebianPackage[],
  log: (line: string) => void,
): Promise<void> {
  const missing = missingPackages(packages, existsSync);
  if (missing.length === 0) return;
  const names = missing.map((pkg) => pkg.package);
  for (const line of describeMissing(missing)) log(line);

  const privilege = await detectPrivilege();
  if (privilege === "none") {
    throw new Error(
      `Debian packages ${names.join(", ")} are missing and this user is neither root nor allowed to sudo without a password; install them by hand: ${manualInstallCommand(names)}`,
    );
  }
  const plan = installPlan(names, privilege);
  await run(plan.update, `apt-get update (before installing ${names.join(", ")})`);
  await run(plan.install, `installing Debian packages ${names.join(", ")}`);

  const stillMissing = missingPackages(missing, existsSync);
  if (stillMissing.length > 0) {
    throw new Error(
      `apt-get installed ${names.join(", ")} but these binaries are still missing: ${stillMissing
        .map((pkg) => `${pkg.binary} (package ${pkg.package})`)
        .join(", ")}`,
    );
  }
  log(`Installed Debian packages ${names.join(", ")}`);
}
