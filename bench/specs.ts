// What every reconcile will pay: reading an Environment and a Release spec (zod validation plus
// defaults), and the heap that 10,000 resolved Environment settings hold.
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { parse } from "yaml";
import { readEnvironmentSpec, readReleaseSpec, type EnvironmentSettings } from "../src/api/v1alpha1/index.js";

interface Sample {
  spec: unknown;
}

const load = async (file: string): Promise<unknown> =>
  (parse(await readFile(new URL(`../config/samples/${file}`, import.meta.url), "utf8")) as Sample).spec;

function measure(name: string, iterations: number, run: () => void): void {
  for (let i = 0; i < Math.min(1000, iterations); i++) run();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  const elapsed = performance.now() - start;
  const perOp = (elapsed * 1000) / iterations;
  console.log(
    `${name.padEnd(44)} ${iterations.toString().padStart(7)} ops  ${perOp.toFixed(1).padStart(8)} µs/op  ${Math.round(
      (iterations / elapsed) * 1000,
    )
      .toString()
      .padStart(8)} ops/s`,
  );
}

function heapMiB(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

export async function benchSpecs(): Promise<void> {
  const production = await load("environment-production.yaml");
  const staging = await load("environment-staging.yaml");
  const release = await load("release.yaml");

  measure("readEnvironmentSpec (production sample)", 20_000, () => readEnvironmentSpec(production));
  measure("readEnvironmentSpec (staging sample)", 20_000, () => readEnvironmentSpec(staging));
  measure("readReleaseSpec (five-line sample)", 100_000, () => readReleaseSpec(release));

  const before = heapMiB();
  const kept: EnvironmentSettings[] = [];
  for (let i = 0; i < 10_000; i++) {
    const result = readEnvironmentSpec(production);
    if (result.ok) kept.push(result.value);
  }
  const after = heapMiB();
  console.log(
    `heap held by ${kept.length} resolved production Environments: ${(after - before).toFixed(1)} MiB${globalThis.gc === undefined ? " (run with --expose-gc for a settled figure)" : ""}`,
  );
}
