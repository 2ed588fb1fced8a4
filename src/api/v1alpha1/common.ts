// Shapes shared by the Environment and Release APIs. Every exported type here is read by the CRD
// generator (hack/generate), so JSDoc on a field becomes its `description` in the CRD and in
// `kubectl explain`. Named string aliases (Duration, VersionString, ...) get their validation pattern
// from src/api/v1alpha1/formats.ts when the CRD is generated: one source for CRD and zod alike.

/**
 * A duration in Go's notation: a sequence of numbers with units `ms`, `s`, `m`, `h`, e.g. `90s`, `5m`,
 * `1h30m`.
 */
export type Duration = string;

/** An RFC 3339 timestamp, e.g. `2026-11-25T14:00:00Z`. */
export type Timestamp = string;

/** A version as released and as an image tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, e.g. `1.4.2`. */
export type VersionString = string;

/** The name of an object in the same namespace (a DNS-1123 subdomain). */
export type ObjectName = string;

/** An absolute `http://` or `https://` URL. */
export type HttpUrl = string;

/** The name of an environment variable: `[A-Za-z_][A-Za-z0-9_]*`. */
export type EnvVarName = string;

/** A time of day in 24-hour `HH:MM`. */
export type TimeOfDay = string;

/** How releases are rolled out to a target. */
export type Strategy = "all-at-once" | "blue-green" | "canary" | "manual";

/** A reference to a Secret in the same namespace. */
export interface SecretReference {
  /** Name of the Secret. */
  name: ObjectName;
}

/** A reference to one key of a ConfigMap or Secret in the same namespace. */
export interface KeyReference {
  /** Name of the ConfigMap or Secret. */
  name: ObjectName;
  /** The key; when omitted every key is read. */
  key?: string;
}

/**
 * A source of environment variables for the deploy Job (the `.env`): exactly one of `secretRef` and
 * `configMapRef`.
 */
export interface EnvFromSource {
  /** Every key of this Secret becomes an environment variable. Values never appear in reports. */
  secretRef?: SecretReference;
  /** Every key of this ConfigMap becomes an environment variable. */
  configMapRef?: SecretReference;
}

/** A toleration, as in a Pod spec. */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  /** @asType integer */
  tolerationSeconds?: number;
}

/** A status condition, in the shape of metav1.Condition. */
export interface Condition {
  /** The condition's type in CamelCase, e.g. `Ready`, `Reconciling`, `Stalled`. */
  type: string;
  status: "True" | "False" | "Unknown";
  /**
   * The `.metadata.generation` the condition was set for.
   * @asType integer
   * @minimum 0
   */
  observedGeneration?: number;
  /** When the condition last changed status. */
  lastTransitionTime: Timestamp;
  /** A CamelCase machine-readable reason. */
  reason: string;
  /** A human-readable message with details. */
  message: string;
}
