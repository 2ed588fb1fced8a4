// The decisions humans give by annotating a Release (SPEC section 4). Only the names live here; what a
// value means is decided by the phase logic that reads it.

export const ANNOTATION_PREFIX = "release-operator.io";

export const ANNOTATIONS = {
  /** Shorthand for the gate decision: `kubectl annotate release x approved=true`. */
  approvedShorthand: "approved",
  gate: `${ANNOTATION_PREFIX}/gate`,
  overrideReason: `${ANNOTATION_PREFIX}/override-reason`,
  strategy: `${ANNOTATION_PREFIX}/strategy`,
  manualResult: `${ANNOTATION_PREFIX}/manual-result`,
  escalation: `${ANNOTATION_PREFIX}/escalation`,
  skipWatch: `${ANNOTATION_PREFIX}/skip-watch`,
  abort: `${ANNOTATION_PREFIX}/abort`,
} as const;

/** One approver of N: `approval.release-operator.io/<approver>=approved`. */
export const APPROVER_ANNOTATION_PREFIX = `approval.${ANNOTATION_PREFIX}/`;

/** Labels the operator puts on what it creates, to find them again by selector. */
export const LABELS = {
  release: `${ANNOTATION_PREFIX}/release`,
  environment: `${ANNOTATION_PREFIX}/environment`,
  purpose: `${ANNOTATION_PREFIX}/purpose`,
  managedBy: "app.kubernetes.io/managed-by",
} as const;

export const MANAGED_BY = "release-operator";
