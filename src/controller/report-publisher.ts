// Committing a completed release's report to its Environment's report repository: the one place the
// operator writes to git. Runs beside the reconciles (a ProbeRunner), after the verdict is written, and
// never throws: a failure is an outcome that status records and retries (src/release/publication.ts).
import type { CoreV1Api, V1ConfigMap } from "@kubernetes/client-node";
import type { Release, ReleaseSettings } from "../api/v1alpha1/index.js";
import { gitCredentialsOf } from "../providers/credentials.js";
import { displayUrl } from "../providers/git/git-process.js";
import {
  commitMessage,
  publishReport,
  ReportPublishError,
  reportFileNames,
  tagFor,
} from "../providers/git/report-repo.js";
import { tagsVersion, type PublicationOutcome } from "../release/publication.js";
import { REPORT_KEY, ROLLBACK_REPORT_KEY } from "../report/render.js";
import { reasonAfterVerdict } from "../report/sections.js";
import type { Redactor } from "../runtime/redaction.js";
import { readHttpCredentials } from "./object-data.js";

export interface PublisherDependencies {
  core: CoreV1Api;
  redactor: Redactor;
  /** Where the operator keeps a working clone per report repository. */
  workDir: string;
  timeoutMs: number;
}

export const REPORT_AUTHOR = { name: "release-operator", email: "release-operator@localhost" } as const;

/** Where a report goes, fit to show: the URL without user info, and the branch. */
export function reportDestination(settings: ReleaseSettings): string {
  const report = settings.environment.report;
  return `${displayUrl(report.url ?? "")} (branch ${report.branch})`;
}

export async function publishReleaseReport(
  dependencies: PublisherDependencies,
  release: Release,
  settings: ReleaseSettings,
  configMap: V1ConfigMap | undefined,
): Promise<PublicationOutcome> {
  const report = settings.environment.report;
  const status = release.status ?? {};
  const namespace = release.metadata.namespace ?? "";
  if (report.url === undefined) return { ok: false, message: "the Environment names no report repository" };
  const releaseReport = configMap?.data?.[REPORT_KEY];
  if (releaseReport === undefined)
    return {
      ok: false,
      message: `ConfigMap ${configMap?.metadata?.name ?? "(report)"} has no ${REPORT_KEY} yet`,
    };
  const rollbackReport = configMap?.data?.[ROLLBACK_REPORT_KEY];
  const credentials = await readHttpCredentials(dependencies.core, namespace, report.credentialsSecret?.name);
  if (!credentials.ok) return { ok: false, message: `report repository credentials: ${credentials.message}` };
  const redact = (text: string): string => dependencies.redactor.redact(text);
  try {
    const names = reportFileNames({
      version: release.spec.version,
      environment: release.spec.environment,
      startedAt: status.startedAt ?? status.completedAt ?? "",
      path: report.path,
      rollback: rollbackReport !== undefined,
    });
    const tag = tagsVersion(status.verdict) ? tagFor(report.tagPattern, release.spec.version) : undefined;
    const gitCredentials = gitCredentialsOf(credentials.value);
    const published = await publishReport({
      url: report.url,
      branch: report.branch,
      ...(gitCredentials === undefined ? {} : { credentials: gitCredentials }),
      files: [
        { path: names.release, content: redact(releaseReport) },
        ...(names.rollback === undefined || rollbackReport === undefined
          ? []
          : [{ path: names.rollback, content: redact(rollbackReport) }]),
      ],
      message: redact(
        commitMessage({
          release: `${namespace}/${release.metadata.name ?? ""}`,
          version: release.spec.version,
          environment: release.spec.environment,
          verdict: status.verdict ?? "no verdict",
          reason: reasonAfterVerdict(status.verdict, status.reason),
        }),
      ),
      author: REPORT_AUTHOR,
      ...(tag === undefined ? {} : { tag }),
      workDir: dependencies.workDir,
      timeoutMs: dependencies.timeoutMs,
    });
    const tagNote =
      published.tagOutcome === "exists-elsewhere"
        ? `tag ${tag ?? ""} already names another commit and was left as it is`
        : undefined;
    return {
      ok: true,
      commit: published.commit,
      gitPath: names.release,
      ...(names.rollback === undefined ? {} : { rollbackGitPath: names.rollback }),
      ...(published.tag === undefined || published.tagOutcome === "exists-elsewhere"
        ? {}
        : { tag: published.tag }),
      ...(tagNote === undefined ? {} : { tagNote }),
      created: published.created,
    };
  } catch (error) {
    if (error instanceof ReportPublishError) return { ok: false, message: redact(error.message) };
    // A tag pattern or folder git refuses: said the same way, and retried in case the Environment is fixed.
    return {
      ok: false,
      message: redact(
        `committing to ${displayUrl(report.url)} failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    };
  }
}
