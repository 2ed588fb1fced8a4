import { existsSync, rmSync, writeFileSync } from "node:fs";
import { ensureDebianPackages, HARNESS_DEBIAN_PACKAGES } from "./debian.js";
import { renderEnvFile } from "./env-file.js";
import { startDemoApp } from "./fixtures/demo-app.js";
import { startGitServer } from "./fixtures/git.js";
import { startPrometheus } from "./fixtures/prometheus.js";
import { startRegistry } from "./fixtures/registry.js";
import type { ClusterInfo } from "./info.js";
import { connectKubernetes, upKubernetes } from "./kubernetes.js";
import { defaultStateDir, ensureStateDirs, type StateDir } from "./paths.js";
import { isAlive, readRecords, stopService, sweepMarkedProcesses, type ServiceRecord } from "./processes.js";
import { stopRank } from "./stop-order.js";

const say = (line: string) => process.stderr.write(`==> ${line}\n`);

function requiredEnv(name: string, why: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (${why}); run through npm run cluster, which sets it`);
  return value;
}

async function timed<T>(what: string, action: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await action();
  say(`${what}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Which Kubernetes the fixtures are paired with: our own, or one named by an admin kubeconfig. */
export type KubernetesTarget =
  { readonly kind: "local" } | { readonly kind: "external"; readonly kubeconfig: string };

/** Starts every part, or finds it running; writes the env file and cluster.json. */
export async function bringUp(
  state: StateDir,
  target: KubernetesTarget = { kind: "local" },
): Promise<ClusterInfo> {
  const started = Date.now();
  ensureStateDirs(state);
  await ensureDebianPackages(HARNESS_DEBIAN_PACKAGES, say);
  const binDir = requiredEnv("K8S_BIN_DIR", "the directory holding etcd, kube-apiserver and kubectl");
  const kubernetesVersion = requiredEnv("K8S_VERSION", "the Kubernetes version those binaries are");

  // The fixtures do not depend on Kubernetes: start them alongside it.
  const fixtures = (async () => {
    const demoApp = await timed("demo app", () => startDemoApp(state));
    const [prometheus, registry, git] = await Promise.all([
      timed("Prometheus (first sample of the demo app scraped)", () =>
        startPrometheus(state, {
          binary: "/usr/bin/prometheus",
          targets: [{ job: "demo-app", address: new URL(demoApp.url).host }],
        }),
      ),
      timed("OCI registry (seeded)", () => startRegistry(state, { binary: "/usr/bin/docker-registry" })),
      timed("git server (seeded)", () => startGitServer(state)),
    ]);
    return { demoApp, prometheus, registry, git };
  })();
  const kubernetes = timed(`Kubernetes ${kubernetesVersion}`, () =>
    target.kind === "local"
      ? upKubernetes(state, { binDir, kubernetesVersion, progress: say })
      : connectKubernetes(state, { binDir, kubernetesVersion, kubeconfig: target.kubeconfig, progress: say }),
  );
  // Awaited together, so a failure of either is reported and neither is left unobserved.
  const [kubernetesInfo, fixturesInfo] = await Promise.all([kubernetes, fixtures]);
  const info: ClusterInfo = { kind: target.kind, stateDir: state.root, ...kubernetesInfo, ...fixturesInfo };

  writeFileSync(state.infoFile, JSON.stringify(info, null, 2), { mode: 0o600 });
  writeFileSync(state.envFile, renderEnvFile(info), { mode: 0o600 });
  say(
    `all ready in ${((Date.now() - started) / 1000).toFixed(1)} s; environment written to ${state.envFile}`,
  );
  return info;
}

export async function up(): Promise<number> {
  const state = defaultStateDir();
  process.stdout.write(renderEnvFile(await bringUp(state)));
  return 0;
}

/** Stops every recorded process, then any stray one carrying this cluster's marker. */
export async function bringDown(state: StateDir): Promise<{ stopped: string[]; strays: number[] }> {
  const records = readRecords(state).sort((a, b) => stopRank(a.name) - stopRank(b.name));
  const stopped: string[] = [];
  for (const record of records) {
    const wasAlive = isAlive(record);
    await stopService(state, record);
    if (wasAlive) stopped.push(`${record.name} (pid ${record.pid})`);
  }
  const strays = existsSync(state.root) ? await sweepMarkedProcesses(state) : [];
  rmSync(state.root, { recursive: true, force: true });
  return { stopped, strays };
}

export async function down(): Promise<number> {
  const state = defaultStateDir();
  if (!existsSync(state.root)) {
    say(`no local cluster at ${state.root}; nothing to stop`);
    return 0;
  }
  const { stopped, strays } = await bringDown(state);
  for (const line of stopped) say(`stopped ${line}`);
  if (strays.length > 0)
    say(`also stopped ${strays.length} stray process(es) of this cluster: ${strays.join(", ")}`);
  say(`removed ${state.root}`);
  return 0;
}

export function describeRecord(record: ServiceRecord): string {
  return `${isAlive(record) ? "running" : "STOPPED"}  ${record.name.padEnd(26)} pid ${String(record.pid).padEnd(8)} log ${record.log}`;
}

export function status(): number {
  const state = defaultStateDir();
  const records = readRecords(state).sort((a, b) => stopRank(b.name) - stopRank(a.name));
  if (records.length === 0) {
    say(`no local cluster at ${state.root}; start one with npm run cluster -- up`);
    return 3;
  }
  for (const record of records) process.stdout.write(`${describeRecord(record)}\n`);
  const stoppedCount = records.filter((record) => !isAlive(record)).length;
  if (stoppedCount > 0) {
    say(`${stoppedCount} of ${records.length} processes stopped; npm run cluster -- up restarts them`);
    return 1;
  }
  say(`all ${records.length} processes running; environment in ${state.envFile}`);
  return 0;
}
