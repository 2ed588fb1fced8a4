// The exact commands a human runs to answer the operator. Pure; shell-quoted so they paste as they are.
import { ANNOTATIONS, APPROVER_ANNOTATION_PREFIX, type Strategy } from "../api/v1alpha1/index.js";

export interface ReleaseRef {
  namespace: string;
  name: string;
}

/** Quotes a value for a POSIX shell when it needs quoting. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'"'"'`)}'`;
}

export function annotateCommand(release: ReleaseRef, annotation: string, value: string): string {
  return `kubectl annotate release ${release.name} -n ${release.namespace} ${shellQuote(`${annotation}=${value}`)}`;
}

export const approveCommand = (release: ReleaseRef): string =>
  annotateCommand(release, ANNOTATIONS.approvedShorthand, "true");

export const approveAsCommand = (release: ReleaseRef): string =>
  annotateCommand(release, `${APPROVER_ANNOTATION_PREFIX}<your-user-name>`, "approved");

export const rejectCommand = (release: ReleaseRef): string =>
  annotateCommand(release, ANNOTATIONS.approvedShorthand, "false");

export const abortCommand = (release: ReleaseRef): string =>
  annotateCommand(release, ANNOTATIONS.abort, "<reason>");

export const overrideCommand = (release: ReleaseRef): string =>
  annotateCommand(release, ANNOTATIONS.overrideReason, "<why it ships anyway>");

export const strategyCommand = (release: ReleaseRef, strategy: Strategy): string =>
  annotateCommand(release, ANNOTATIONS.strategy, strategy);
