// Objects for the unit tests of the Release and Environment reconciles: a Release, an Environment,
// the settings the operator reads from it, and the gate's probe results. Every builder returns a
// valid object that passes everything; a test changes the one thing its situation is about.
import {
  API_VERSION,
  readEnvironmentSpec,
  type Condition,
  type Environment,
  type EnvironmentSettings,
  type EnvironmentSpec,
  type EnvironmentStatus,
  type Release,
  type ReleaseSpec,
  type ReleaseStatus,
  type Verdict,
} from "../../src/api/v1alpha1/index.js";
import type { ChangeSummaryFindings } from "../../src/providers/git/classify.js";
import type { CriterionResult } from "../../src/providers/junit/junit.js";
import type { EnvironmentView } from "../../src/release/decide.js";
import type { GateProbeResults } from "../../src/release/gate.js";
import { minimalEnvironment } from "./environments.js";

/** A Wednesday morning, inside any office-hours window in Europe. */
export const NOW = new Date("2026-11-25T10:00:00Z");
export const NAMESPACE = "nav";
export const ENVIRONMENT_NAME = "nav-staging";
export const GATE_RECHECK_MS = 5 * 60_000;

export const minutesAfter = (at: Date, minutes: number): Date => new Date(at.getTime() + minutes * 60_000);

/** The minimal Environment with `changes` applied on top (shallow: a test replaces whole sections). */
export function environmentSpec(changes: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return { ...structuredClone(minimalEnvironment), ...structuredClone(changes) };
}

/** A production Environment: approval required, no auto-selection; three strategies to choose from. */
export function productionSpec(changes: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return environmentSpec({
    tier: "production",
    strategies: ["all-at-once", "blue-green", "canary"],
    // Production requires smoke tests: without a case the gate aborts the release.
    smoke: { http: [{ name: "health", url: "https://nav.example.com/healthz", safety: "smoke-endpoint" }] },
    ...changes,
  });
}

/** The settings the operator reads from `spec`; a test that builds an invalid spec by mistake fails here. */
export function settingsFor(spec: EnvironmentSpec): EnvironmentSettings {
  const read = readEnvironmentSpec(spec);
  if (!read.ok) {
    throw new Error(`test Environment spec is invalid: ${read.issues.map((issue) => issue.path).join(", ")}`);
  }
  return read.value;
}

/** What a Release reconcile sees of a valid Environment. */
export function readyEnvironment(
  options: { spec?: EnvironmentSpec; status?: EnvironmentStatus; name?: string } = {},
): EnvironmentView {
  return {
    kind: "ready",
    name: options.name ?? ENVIRONMENT_NAME,
    settings: settingsFor(options.spec ?? environmentSpec()),
    status: options.status ?? { currentVersion: "1.4.1" },
  };
}

/** A ready Environment held by `holder`, with `currentVersion` 1.4.1 unless the status says otherwise. */
export function heldBy(
  holder: string | undefined,
  options: { spec?: EnvironmentSpec; status?: EnvironmentStatus } = {},
): EnvironmentView {
  return readyEnvironment({
    ...(options.spec === undefined ? {} : { spec: options.spec }),
    status: {
      currentVersion: "1.4.1",
      ...options.status,
      ...(holder === undefined ? {} : { activeRelease: holder }),
    },
  });
}

export interface ReleaseOptions {
  name?: string;
  spec?: Partial<ReleaseSpec>;
  annotations?: Record<string, string>;
  status?: ReleaseStatus;
  /** RFC 3339; creation order decides admission. */
  createdAt?: string;
  generation?: number;
}

export function releaseObject(options: ReleaseOptions = {}): Release {
  const name = options.name ?? "nav-1-4-2";
  return {
    apiVersion: API_VERSION,
    kind: "Release",
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: `uid-${name}`,
      generation: options.generation ?? 1,
      creationTimestamp: new Date(options.createdAt ?? "2026-11-25T09:00:00Z"),
      ...(options.annotations === undefined ? {} : { annotations: { ...options.annotations } }),
    },
    spec: { environment: ENVIRONMENT_NAME, version: "1.4.2", ...options.spec },
    ...(options.status === undefined ? {} : { status: structuredClone(options.status) }),
  };
}

/** The same Release as stored after a reconcile wrote `status`: what the next reconcile reads. */
export function withStatus(release: Release, status: ReleaseStatus): Release {
  return { ...structuredClone(release), status: structuredClone(status) };
}

/** The same Release with `annotations` added or overwritten, as after `kubectl annotate --overwrite`. */
export function annotated(release: Release, annotations: Record<string, string>): Release {
  const copy = structuredClone(release);
  copy.metadata.annotations = { ...copy.metadata.annotations, ...annotations };
  return copy;
}

/** A Release that ended with `verdict`, as the Environment's reconcile sees it. */
export function completedRelease(
  options: ReleaseOptions & { verdict: Verdict; rollbackTarget?: string; completedAt?: string },
): Release {
  return releaseObject({
    ...options,
    status: {
      phase: "Completed",
      verdict: options.verdict,
      completedAt: options.completedAt ?? NOW.toISOString(),
      reason: `ended ${options.verdict}`,
      ...(options.rollbackTarget === undefined ? {} : { rollbackTarget: options.rollbackTarget }),
    },
  });
}

/** A Release in flight (past Pending), as the Environment's reconcile sees it. */
export function runningRelease(options: ReleaseOptions = {}): Release {
  return releaseObject({ ...options, status: { phase: "PreReleaseGate", ...options.status } });
}

export function environmentObject(
  options: { name?: string; spec?: EnvironmentSpec; status?: EnvironmentStatus; generation?: number } = {},
): Environment {
  return {
    apiVersion: API_VERSION,
    kind: "Environment",
    metadata: {
      name: options.name ?? ENVIRONMENT_NAME,
      namespace: NAMESPACE,
      generation: options.generation ?? 1,
    },
    spec: options.spec ?? environmentSpec(),
    ...(options.status === undefined ? {} : { status: structuredClone(options.status) }),
  };
}

export function criterion(id: string, options: { critical?: boolean; met?: boolean } = {}): CriterionResult {
  const met = options.met ?? true;
  return {
    id,
    critical: options.critical ?? true,
    met,
    tests: [{ test: `nav.${id}Test.test_it`, status: met ? "passed" : "failed" }],
    message: met ? `${id}: every test passed` : `${id}: nav.${id}Test.test_it failed`,
  };
}

export function changeFindings(changes: Partial<ChangeSummaryFindings> = {}): ChangeSummaryFindings {
  return {
    fromTag: "release/1.4.1",
    toRevision: "0123456789abcdef0123456789abcdef01234567",
    commits: 3,
    tickets: ["NAV-101"],
    breaking: false,
    components: [{ component: "nav", features: 1, fixes: 2, breaking: 0, security: 0, other: 0 }],
    breakingChanges: [],
    migrations: [],
    excluded: [],
    ...changes,
  };
}

/** A breaking change in the `geo` component. */
export function breakingFindings(): ChangeSummaryFindings {
  return changeFindings({
    breaking: true,
    components: [{ component: "geo", features: 0, fixes: 0, breaking: 1, security: 0, other: 0 }],
    breakingChanges: ["abc1234 geo: drop the v1 tile API"],
  });
}

/** Gate probe results where every external check passed, taken at `at`. */
export function probeResults(changes: Partial<GateProbeResults> = {}, at: Date = NOW): GateProbeResults {
  return {
    at: at.toISOString(),
    acceptance: { ok: true, value: [criterion("AC-1")] },
    changes: { ok: true, value: { findings: changeFindings(), notes: [] } },
    rollbackImage: { ok: true, value: { image: "registry.example.com/nav/app:1.4.1" } },
    rollbackScript: { ok: true, value: { message: "deploy script mentions --rollback" } },
    observability: { ok: true, message: "Prometheus reachable; 1 query valid" },
    ...changes,
  };
}

export function conditionOf(
  status: { conditions?: Condition[] } | undefined,
  type: string,
): Condition | undefined {
  return status?.conditions?.find((entry) => entry.type === type);
}
