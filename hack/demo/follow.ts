// Following one Release to its verdict: read it every second through the API (as the admin), print
// what changed since the last reading, and let the demo act on a reading (answer a question, restart
// the operator). Bounded: no verdict within the time given is an error naming where the release stood.
import { setTimeout as sleep } from "node:timers/promises";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { GROUP, RELEASE, VERSION, type Release, type ReleaseStatus } from "../../src/api/v1alpha1/index.js";
import { progressLines, renderLine } from "./progress.js";

export type ReadRelease = () => Promise<Release>;

/** Reads one Release with the kubeconfig's identity. */
export function releaseReader(kubeconfig: string, namespace: string, name: string): ReadRelease {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const api = config.makeApiClient(CustomObjectsApi);
  return async () =>
    (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: RELEASE.plural,
      name,
    })) as Release;
}

export interface FollowOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly print: (line: string) => void;
  /** Called with each reading of a release not yet completed, after its lines are printed. */
  readonly onReading?: (release: Release) => Promise<void>;
}

/** Prints the release's progress until it is Completed, and returns it then. */
export async function followRelease(
  name: string,
  read: ReadRelease,
  options: FollowOptions,
): Promise<Release> {
  const deadline = Date.now() + options.timeoutMs;
  let previous: ReleaseStatus | undefined;
  let lastError: unknown;
  for (;;) {
    let release: Release | undefined;
    try {
      release = await read();
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (release !== undefined) {
      const status = release.status ?? {};
      for (const line of progressLines(previous, status, new Date())) options.print(renderLine(name, line));
      previous = status;
      if (status.phase === "Completed") return release;
      await options.onReading?.(release);
    }
    if (Date.now() > deadline) {
      const stood =
        previous === undefined
          ? "it was never read"
          : `it is in phase ${previous.phase ?? "(none yet: the operator has not picked it up)"}${previous.reason ? `: ${previous.reason}` : ""}`;
      const cause = lastError instanceof Error ? `; the last read failed: ${lastError.message}` : "";
      throw new Error(
        `Release ${name} reached no verdict within ${Math.round(options.timeoutMs / 1000)} s: ${stood}${cause}`,
      );
    }
    await sleep(options.intervalMs ?? 1_000);
  }
}
