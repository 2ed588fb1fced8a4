// Which operator process works: every operator started against the cluster (each e2e file's, the
// demo's) competes for one Lease, and only its holder reconciles, in every namespace. A test that reads
// its own operator's log or kills it between two phases must know its operator is the one working.
import { OPERATOR_NAMESPACE } from "../../../hack/cluster/bootstrap.js";
import { eventually, kubectlJson } from "./kubectl.js";

/** The Lease the operator's leader election holds (its `--leader-election-id` default). */
export const OPERATOR_LEASE = { namespace: OPERATOR_NAMESPACE, name: "release-operator" } as const;

interface Lease {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export async function leaseHolder(): Promise<string | undefined> {
  const lease = await kubectlJson<Lease>([
    "get",
    "lease",
    OPERATOR_LEASE.name,
    "-n",
    OPERATOR_LEASE.namespace,
  ]).catch(() => undefined);
  return lease?.spec?.holderIdentity;
}

/**
 * Waits until the operator with `identity` holds the Lease. Another operator holding it (the demo's,
 * run beside the e2e tests) keeps it as long as it runs: the error names it.
 */
export async function waitUntilLeader(identity: string, timeoutMs: number): Promise<void> {
  let holder: string | undefined;
  try {
    await eventually(
      `operator ${identity} to hold the Lease ${OPERATOR_LEASE.namespace}/${OPERATOR_LEASE.name}`,
      async () => {
        holder = await leaseHolder();
        return holder === identity ? true : undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}: it is held by ${holder ?? "nobody"}; ` +
        "another operator process (the demo's?) reconciles every namespace while it holds it",
      { cause: error },
    );
  }
}
