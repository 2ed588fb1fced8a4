// The demo app's admin API as a client calls it: the demo (hack/demo) and the e2e tests put the app in a
// known state through it, as the demo's deploy.sh deploys through it.
import type { Deployment, HistoryEntry } from "./state.js";

/** What the admin API answers (server.ts `view`): the deployment, its split and its history. */
export interface DemoAppState extends Deployment {
  /** The split, version -> percent. */
  readonly weights: Readonly<Record<string, number>>;
  readonly history: readonly HistoryEntry[];
}

/** Where the admin API is and the bearer token it takes (the local cluster's ClusterInfo.demoApp). */
export interface DemoAppAdmin {
  readonly adminUrl: string;
  readonly adminToken: string;
}

export async function callDemoAdmin(
  admin: DemoAppAdmin,
  method: "GET" | "POST" | "PUT",
  route: string,
  body?: unknown,
): Promise<DemoAppState> {
  const url = `${admin.adminUrl}${route}`;
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${admin.adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`the demo app's admin API: ${method} ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as DemoAppState;
}
