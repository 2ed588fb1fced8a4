// The local cluster's figures: the cold build of the Kubernetes binaries, the time from `up` to
// all-ready with a warm cache (and of a second, idempotent `up`), and each component's resident memory.
import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { bringDown, bringUp } from "../hack/cluster/lifecycle.js";
import { REPO_ROOT, stateDirAt } from "../hack/cluster/paths.js";
import { processIds, readRecords, residentKiBOf, statFieldsOf } from "../hack/cluster/processes.js";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** VmRSS of a process and of all its descendants (a node agent's pods, a server's CGI children). */
function residentKiB(pid: number): { own: number; withChildren: number } {
  const rss = residentKiBOf;
  const children = new Map<number, number[]>();
  for (const child of processIds()) {
    const parent = statFieldsOf(child)?.[1];
    if (parent !== undefined) children.set(Number(parent), [...(children.get(Number(parent)) ?? []), child]);
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined) break;
    total += rss(next);
    stack.push(...(children.get(next) ?? []));
  }
  return { own: rss(pid), withChildren: total };
}

async function coldBuild(): Promise<void> {
  const binDir = process.env.K8S_BIN_DIR;
  if (process.env.BENCH_COLD_BUILD !== "1") {
    const recorded = binDir ? path.join(binDir, ".build-seconds") : undefined;
    if (recorded && existsSync(recorded)) {
      console.log(
        `cold build of the Kubernetes binaries: ${readFileSync(recorded, "utf8").trim()} s (recorded when ${binDir} was built; BENCH_COLD_BUILD=1 measures afresh)`,
      );
    } else {
      console.log(
        "cold build of the Kubernetes binaries: not recorded (binaries from KUBEBUILDER_ASSETS?); BENCH_COLD_BUILD=1 measures it",
      );
    }
    return;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), "release-operator-cold-build-"));
  try {
    const started = performance.now();
    await execa("bash", ["-c", "source hack/lib/k8s.sh && ensure_k8s"], {
      cwd: REPO_ROOT,
      env: {
        RELEASE_OPERATOR_CACHE: scratch,
        GOCACHE: path.join(scratch, "gocache"),
        KUBEBUILDER_ASSETS: "",
      },
      stdio: "inherit",
    });
    console.log(
      `cold build of the Kubernetes binaries (empty Go build cache, modules cached): ${seconds(performance.now() - started)}`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function benchCluster(): Promise<void> {
  await coldBuild();
  const scratch = mkdtempSync(path.join(os.tmpdir(), "release-operator-bench-"));
  const state = stateDirAt(path.join(scratch, "cluster"));
  let started = performance.now();
  try {
    await bringUp(state);
    console.log(`up to all-ready (warm cache, fresh state): ${seconds(performance.now() - started)}`);
    started = performance.now();
    await bringUp(state);
    console.log(`up again with everything running (idempotent): ${seconds(performance.now() - started)}`);

    console.log("resident memory per component (own / with child processes):");
    let total = 0;
    for (const record of readRecords(state).sort((a, b) => a.name.localeCompare(b.name))) {
      const { own, withChildren } = residentKiB(record.pid);
      total += withChildren;
      console.log(
        `  ${record.name.padEnd(26)} ${(own / 1024).toFixed(0).padStart(5)} MiB / ${(withChildren / 1024).toFixed(0).padStart(5)} MiB`,
      );
    }
    console.log(`  ${"total".padEnd(26)} ${(total / 1024).toFixed(0).padStart(5)} MiB`);
  } finally {
    started = performance.now();
    await bringDown(state);
    console.log(`down: ${seconds(performance.now() - started)}`);
    rmSync(scratch, { recursive: true, force: true });
  }
}
