// The report ConfigMap holds more than `release.md`: the followed output of the script Jobs and the
// snapshot of a hung one, each under its own key, so that a restarted operator rebuilds the report
// from status and these, and never loses what it already read.
export const attachmentKeys = {
  deploy: { log: "deploy.log", snapshot: "deploy-snapshot.txt" },
  rollback: { log: "rollback.log", snapshot: "rollback-snapshot.txt" },
} as const;

export type Attachments = Readonly<Record<string, string>>;
