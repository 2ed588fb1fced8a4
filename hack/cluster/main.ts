/**
 * The local cluster for the tests and the demo: `up` (idempotent) starts etcd, the Kubernetes control
 * plane, two node agents, Prometheus with the demo app, an OCI registry and a git server, all on
 * 127.0.0.1, writes `.local/cluster/env` and prints it; `down` stops every process it started and
 * removes the state; `status` says what runs; `packages` only installs the Debian packages the harness
 * and the packaging tests use (prometheus, docker-registry, git, openssl, apache2-utils, curl, lua5.4).
 * Run it through `npm run cluster -- <command>`, which first installs Node 24 and builds the
 * Kubernetes binaries (hack/cluster.sh).
 */
import { ensureDebianPackages, HARNESS_DEBIAN_PACKAGES } from "./debian.js";
import { up, down, status } from "./lifecycle.js";

const USAGE = "usage: npm run cluster -- up | down | status | packages";

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0];
  switch (command) {
    case "up":
      return up();
    case "down":
      return down();
    case "status":
      return status();
    case "packages":
      await ensureDebianPackages(HARNESS_DEBIAN_PACKAGES, (line) => {
        process.stderr.write(`${line}\n`);
      });
      return 0;
    case undefined:
    default:
      process.stderr.write(
        `${command === undefined ? "no command given" : `unknown command ${command}`}\n${USAGE}\n`,
      );
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
