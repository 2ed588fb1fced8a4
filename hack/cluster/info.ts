import { readFileSync } from "node:fs";
import { defaultStateDir, type StateDir } from "./paths.js";

/** What `npm run cluster -- up` started, as written to cluster.json and (flattened) to the env file. */
export interface ClusterInfo {
  /**
   * `local`: the cluster this harness runs (nodes ground and onboard, its own identities); `external`:
   * a cluster named by a kubeconfig (K3s in Docker, or any other), with only the fixtures run here.
   */
  readonly kind: "local" | "external";
  readonly stateDir: string;
  readonly kubernetesVersion: string;
  readonly binDir: string;
  readonly apiserverUrl: string;
  readonly kubeconfigs: Readonly<Record<IdentityName, string>>;
  readonly nodes: readonly NodeInfo[];
  readonly prometheus: PrometheusInfo;
  readonly registry: RegistryInfo;
  readonly git: GitInfo;
  readonly demoApp: DemoAppInfo;
}

/** The cluster's identities; each has a kubeconfig in the state dir. */
export type IdentityName = "admin" | "operator" | "alice" | "bob";

export interface NodeInfo {
  readonly name: string;
  readonly kubeletPort: number;
}

export interface PrometheusInfo {
  readonly url: string;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistryInfo {
  /** e.g. http://127.0.0.1:PORT (plain HTTP on loopback). */
  readonly url: string;
  /** host:port, as used in image references. */
  readonly host: string;
  readonly credentials: Credentials;
  /** The repository holding the demo app's images, e.g. "demo/nav". */
  readonly repository: string;
  /** Tags seeded into `repository`. */
  readonly tags: readonly string[];
}

export interface GitInfo {
  /** Base URL, e.g. http://127.0.0.1:PORT/git; repositories live at `${url}/<name>.git`. */
  readonly url: string;
  readonly credentials: Credentials;
  /** Full clone URL (without credentials) of the demo source repo: tags and commits over several components. */
  readonly sourceRepo: string;
  /** Full clone URL (without credentials) of the repo reports are pushed to. */
  readonly reportRepo: string;
}

export interface DemoAppInfo {
  /** Where the app serves traffic and /metrics. */
  readonly url: string;
  /** The admin API deploy.sh calls. */
  readonly adminUrl: string;
  /** Bearer token the admin API requires (a secret: never logged). */
  readonly adminToken: string;
  /** The version table: which versions exist and how each behaves. */
  readonly versions: readonly string[];
}

/** The info of the cluster `up` started, or a clear error naming the command that starts one. */
export function readClusterInfo(state: StateDir = defaultStateDir()): ClusterInfo {
  try {
    return JSON.parse(readFileSync(state.infoFile, "utf8")) as ClusterInfo;
  } catch (error) {
    throw new Error(
      `no local cluster at ${state.root} (${error instanceof Error ? error.message : String(error)}); start one with npm run cluster -- up`,
      { cause: error },
    );
  }
}
