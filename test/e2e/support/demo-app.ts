// The demo app (hack/demo-app) as the tests see it: one process the whole cluster shares, so a test
// that changes what it runs puts it in a known state first and back the way it found it after. Its
// admin API is the one the demo deploy script (hack/demo/deploy.sh) calls.
import { inject } from "vitest";
import { callDemoAdmin, type DemoAppState } from "../../../hack/demo-app/client.js";

export type { DemoAppState };

/** The deployment part of a state: what `PUT /admin/state` takes back. */
export type DemoDeployment = Pick<DemoAppState, "stable" | "candidate" | "previousStable">;

export function demoAdmin(
  method: "GET" | "POST" | "PUT",
  route: string,
  body?: unknown,
): Promise<DemoAppState> {
  return callDemoAdmin(inject("cluster").demoApp, method, route, body);
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
