// The demo app (hack/demo-app) as the tests see it: one process the whole cluster shares, so a test
// that changes what it runs puts it in a known state first and back the way it found it after. Its
// admin API is the one the demo deploy script (hack/demo/deploy.sh) calls.
import { inject } from "vitest";

/** What the admin API answers (main.ts documents it); the part a test reads. */
export interface DemoAppState {
  readonly stable: string;
  readonly candidate?: { readonly version: string; readonly weight: number };
  readonly previousStable?: string;
  /** The split, version -> percent. */
  readonly weights: Readonly<Record<string, number>>;
  readonly history: readonly { readonly at: string; readonly action: string; readonly summary: string }[];
}

/** The deployment part of a state: what `PUT /admin/state` takes back. */
export type DemoDeployment = Pick<DemoAppState, "stable" | "candidate" | "previousStable">;

export async function demoAdmin(
  method: "GET" | "POST" | "PUT",
  route: string,
  body?: unknown,
): Promise<DemoAppState> {
  const { demoApp } = inject("cluster");
  const response = await fetch(`${demoApp.adminUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${demoApp.adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`demo app: ${method} /admin${route} answered ${response.status}: ${text}`);
  return JSON.parse(text) as DemoAppState;
}

export const demoAppState = (): Promise<DemoAppState> => demoAdmin("GET", "/state");

/** Sets exactly this deployment; returns the one it replaced, for putting back. */
export async function putDemoApp(deployment: DemoDeployment): Promise<DemoDeployment> {
  const { stable, candidate, previousStable } = await demoAppState();
  await demoAdmin("PUT", "/state", deployment);
  return {
    stable,
    ...(candidate === undefined ? {} : { candidate }),
    ...(previousStable === undefined ? {} : { previousStable }),
  };
}
