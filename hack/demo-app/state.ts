// What the demo app is running and how it got there, and how each admin operation changes it. Pure:
// the server persists the result and swaps it in, nothing here touches the outside world.
import type { Share } from "./routing.js";

/** The strategies the admin API deploys with (the operator's `manual` has nothing to automate here). */
export const STRATEGIES = ["all-at-once", "canary", "blue-green"] as const;
export type DemoStrategy = (typeof STRATEGIES)[number];

/** A version released next to the stable one, with its share of traffic in percent. */
export interface Candidate {
  readonly version: string;
  readonly weight: number;
}

/** Which versions serve and how traffic is split. Weights are derived, so they always sum to 100. */
export interface Deployment {
  /** Serves whatever share the candidate does not take. */
  readonly stable: string;
  /** A canary (weight > 0) or an idle blue-green version (weight 0) being released. */
  readonly candidate?: Candidate;
  /** Where a rollback naming no version returns to, after a release replaced the stable version. */
  readonly previousStable?: string;
}

export type Command =
  | { readonly action: "deploy"; readonly version: string; readonly strategy: "all-at-once" }
  | {
      readonly action: "deploy";
      readonly version: string;
      readonly strategy: "canary";
      readonly weight: number;
    }
  | { readonly action: "deploy"; readonly version: string; readonly strategy: "blue-green" }
  | { readonly action: "set-weight"; readonly weight: number }
  | { readonly action: "promote"; readonly version?: string }
  | { readonly action: "rollback"; readonly version?: string }
  | { readonly action: "restore"; readonly deployment: Deployment };

export interface HistoryEntry {
  readonly at: string;
  readonly action: Command["action"];
  /** What happened, in words, e.g. "Canary 1.4.3 at 50% next to 1.4.1". */
  readonly summary: string;
  /** The split after the operation, version -> percent. */
  readonly weights: Readonly<Record<string, number>>;
}

export interface DemoState extends Deployment {
  /** Oldest first, the last HISTORY_LIMIT operations. */
  readonly history: readonly HistoryEntry[];
}

/** Enough to follow a demo run; the file stays small. */
export const HISTORY_LIMIT = 100;

export type Transition =
  { readonly ok: true; readonly state: DemoState } | { readonly ok: false; readonly error: string };

export function initialState(version: string): DemoState {
  return { stable: version, history: [] };
}

/** The split as the router uses it: the stable version first, then the candidate. */
export function sharesOf(deployment: Deployment): Share[] {
  const candidateWeight = deployment.candidate?.weight ?? 0;
  const shares: Share[] = [{ version: deployment.stable, weight: 100 - candidateWeight }];
  if (deployment.candidate) shares.push({ version: deployment.candidate.version, weight: candidateWeight });
  return shares;
}

export function weightsOf(deployment: Deployment): Record<string, number> {
  return Object.fromEntries(sharesOf(deployment).map((share) => [share.version, share.weight]));
}

/** The deployment part of a state, with absent fields left out (so equal deployments compare equal). */
export function deploymentOf(state: Deployment): Deployment {
  return {
    stable: state.stable,
    ...(state.candidate ? { candidate: { ...state.candidate } } : {}),
    ...(state.previousStable !== undefined ? { previousStable: state.previousStable } : {}),
  };
}

function conflict(error: string): Transition {
  return { ok: false, error };
}

/** Applies one validated command; versions and weights were checked by the request parser. */
export function applyCommand(state: DemoState, command: Command, now: Date): Transition {
  const next = nextDeployment(state, command);
  if ("error" in next) return conflict(next.error);
  const deployment = deploymentOf(next.deployment);
  const entry: HistoryEntry = {
    at: now.toISOString(),
    action: command.action,
    summary: next.summary,
    weights: weightsOf(deployment),
  };
  return { ok: true, state: { ...deployment, history: [...state.history, entry].slice(-HISTORY_LIMIT) } };
}

type Next = { readonly deployment: Deployment; readonly summary: string } | { readonly error: string };

function nextDeployment(state: Deployment, command: Command): Next {
  switch (command.action) {
    case "deploy":
      return deploy(state, command);
    case "set-weight":
      return setWeight(state, command.weight);
    case "promote":
      return promote(state, command.version);
    case "rollback":
      return rollback(state, command.version);
    case "restore":
      return { deployment: command.deployment, summary: `Restored ${describe(command.deployment)}` };
  }
}

function deploy(state: Deployment, command: Extract<Command, { action: "deploy" }>): Next {
  const { version } = command;
  switch (command.strategy) {
    case "all-at-once":
      return {
        // Redeploying the stable version repairs the split but is no release: the rollback target stays.
        deployment: {
          stable: version,
          previousStable: version === state.stable ? state.previousStable : state.stable,
        },
        summary: `Deployed ${version} to all traffic`,
      };
    case "canary":
    case "blue-green": {
      if (version === state.stable) {
        return {
          error: `${version} is already the stable version; a ${command.strategy} deploy needs another version (or deploy ${version} all-at-once)`,
        };
      }
      const weight = command.strategy === "canary" ? command.weight : 0;
      const summary =
        command.strategy === "canary"
          ? `Canary ${version} at ${weight}% next to ${state.stable}`
          : `Deployed ${version} idle (blue-green, 0%) next to ${state.stable}`;
      return { deployment: { ...state, candidate: { version, weight } }, summary };
    }
  }
}

function setWeight(state: Deployment, weight: number): Next {
  if (!state.candidate) {
    return {
      error: `no release in flight (only ${state.stable} runs): deploy a canary or blue-green version before setting a weight`,
    };
  }
  return {
    deployment: { ...state, candidate: { version: state.candidate.version, weight } },
    summary: `Set ${state.candidate.version} to ${weight}% next to ${state.stable}`,
  };
}

function promote(state: Deployment, expected: string | undefined): Next {
  const { candidate } = state;
  if (!candidate) {
    return { error: `no release in flight to promote (only ${state.stable} runs)` };
  }
  if (expected !== undefined && expected !== candidate.version) {
    return { error: `cannot promote ${expected}: the version in flight is ${candidate.version}` };
  }
  return {
    deployment: { stable: candidate.version, previousStable: state.stable },
    summary: `Promoted ${candidate.version} to all traffic, replacing ${state.stable}`,
  };
}

function rollback(state: Deployment, target: string | undefined): Next {
  const { candidate } = state;
  if (target === undefined || target === state.stable) {
    if (candidate) {
      // A release in flight is abandoned: the stable version takes all traffic back, nothing else changes.
      return {
        deployment: { stable: state.stable, previousStable: state.previousStable },
        summary: `Rolled back ${candidate.version}; ${state.stable} takes all traffic`,
      };
    }
    if (target !== undefined) {
      return { deployment: state, summary: `Rolled back to ${target}, which already took all traffic` };
    }
    if (state.previousStable === undefined) {
      return {
        error: `nothing to roll back to: no release is in flight and ${state.stable} replaced no earlier version; name a version to roll back to`,
      };
    }
    return {
      deployment: { stable: state.previousStable },
      summary: `Rolled back ${state.stable} to ${state.previousStable}`,
    };
  }
  // The version rolled back from is presumed bad, so it is not kept as a rollback target.
  return {
    deployment: { stable: target },
    summary: `Rolled back ${describe(state)} to ${target}`,
  };
}

/** A deployment in words, e.g. "1.4.1 (50%) and 1.4.3 (50%)" or "1.4.1". */
export function describe(deployment: Deployment): string {
  if (!deployment.candidate) return deployment.stable;
  return sharesOf(deployment)
    .map((share) => `${share.version} (${share.weight}%)`)
    .join(" and ");
}
