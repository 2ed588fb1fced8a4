import type { TestProject } from "vitest/node";
import type { ClusterInfo } from "../../hack/cluster/info.js";
import { bringDown, bringUp } from "../../hack/cluster/lifecycle.js";
import { defaultStateDir } from "../../hack/cluster/paths.js";
import { isAlive, readRecords } from "../../hack/cluster/processes.js";

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

/**
 * Brings the local cluster up for the e2e suites through the same code as `npm run cluster -- up`.
 * A cluster someone already runs (every process alive) is used and left running; one started here
 * is stopped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const state = defaultStateDir();
  const records = readRecords(state);
  const alreadyRunning = records.length > 0 && records.every(isAlive);
  const info = await bringUp(state);
  project.provide("cluster", info);
  return async () => {
    if (alreadyRunning || process.env.KEEP_CLUSTER === "true") return;
    await bringDown(state);
  };
}
