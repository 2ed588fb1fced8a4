import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, whatever the caller's working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where one local cluster keeps everything it made: certs, data, kubeconfigs, logs, pids, the env file. */
export interface StateDir {
  readonly root: string;
  readonly pki: string;
  readonly logs: string;
  readonly pids: string;
  readonly data: string;
  /** The shell-sourceable file `up` writes and prints. */
  readonly envFile: string;
  /** The JSON twin of envFile, read by tests and the bench. */
  readonly infoFile: string;
}

export function stateDirAt(root: string): StateDir {
  return {
    root,
    pki: path.join(root, "pki"),
    logs: path.join(root, "logs"),
    pids: path.join(root, "pids"),
    data: path.join(root, "data"),
    envFile: path.join(root, "env"),
    infoFile: path.join(root, "cluster.json"),
  };
}

/** `.local/cluster` in the repository unless RELEASE_OPERATOR_CLUSTER_DIR names another place. */
export function defaultStateDir(): StateDir {
  return stateDirAt(process.env.RELEASE_OPERATOR_CLUSTER_DIR ?? path.join(REPO_ROOT, ".local", "cluster"));
}

export function ensureStateDirs(state: StateDir): void {
  for (const dir of [state.root, state.pki, state.logs, state.pids, state.data]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/** The cache of heavy builds and installs shared by every clone on this machine. */
export function cacheDir(): string {
  return (
    process.env.RELEASE_OPERATOR_CACHE ?? path.join(process.env.HOME ?? "/tmp", ".cache", "release-operator")
  );
}
