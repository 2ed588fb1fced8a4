// The gate's external checks: test reports, git, the registry, the deploy script, Prometheus. The
// one place the gate reads the world; each result is data for the pure gate (src/release/gate.ts).
// Secrets are read one by one, by the names the Environment gives, and their values never leave here.
import type { CoreV1Api } from "@kubernetes/client-node";
import {
  formatDuration,
  type KeyReference,
  type Release,
  type ReleaseSettings,
} from "../api/v1alpha1/index.js";
import { gitCredentialsOf, registryCredentialsFromDockerConfig } from "../providers/credentials.js";
import type { BasicCredentials } from "../providers/credentials.js";
import { summarizeChanges } from "../providers/git/change-summary.js";
import { evaluateAcceptance, parseJUnitXml, type TestCaseResult } from "../providers/junit/junit.js";
import { checkReachable, instantQuery } from "../providers/prometheus/client.js";
import { renderQuery } from "../providers/prometheus/query.js";
import { preDeployQuery, versionBefore } from "../release/watch-request.js";
import { checkManifest } from "../providers/registry/manifest.js";
import { parseImageRepository } from "../providers/registry/image-reference.js";
import type { GateProbeResults, ProbeOutcome } from "../release/gate.js";
import { scriptSupportsRollback } from "../release/jobs.js";
import {
  decodeSecretValue,
  prometheusConnection,
  readData,
  readHttpCredentials,
  type Read,
} from "./object-data.js";

export interface ProbeDependencies {
  core: CoreV1Api;
  gitCacheDir: string;
  gitTimeoutMs: number;
  registryTimeoutMs: number;
}

/** The values of one key, or of every key, of a ConfigMap or Secret, with where each came from. */
async function readKeyed(
  core: CoreV1Api,
  namespace: string,
  kind: "ConfigMap" | "Secret",
  reference: KeyReference,
): Promise<Read<{ source: string; text: string }[]>> {
  const data = await readData(core, namespace, kind, reference.name);
  if (!data.ok) return data;
  const entries = Object.entries(data.value).map(([key, value]) => ({
    key,
    text: kind === "Secret" ? decodeSecretValue(value) : value,
  }));
  const chosen =
    reference.key === undefined ? entries : entries.filter((entry) => entry.key === reference.key);
  if (chosen.length === 0) {
    return {
      ok: false,
      message:
        reference.key === undefined
          ? `${kind} ${reference.name} has no keys`
          : `${kind} ${reference.name} has no key ${reference.key}`,
    };
  }
  return {
    ok: true,
    value: chosen.map((entry) => ({
      source: `${kind} ${reference.name} key ${entry.key}`,
      text: entry.text,
    })),
  };
}

async function probeAcceptance(
  core: CoreV1Api,
  namespace: string,
  settings: ReleaseSettings,
): Promise<GateProbeResults["acceptance"]> {
  const { criteria, reports } = settings.environment.acceptance;
  if (criteria.length === 0) return undefined;
  if (reports.length === 0) {
    return {
      ok: false,
      message: "acceptance criteria are configured but no test reports are (spec.acceptance.reports)",
    };
  }
  const cases: TestCaseResult[] = [];
  for (const report of reports) {
    const read =
      report.configMap !== undefined
        ? await readKeyed(core, namespace, "ConfigMap", report.configMap)
        : report.secret !== undefined
          ? await readKeyed(core, namespace, "Secret", report.secret)
          : ({ ok: false, message: "a test report source names neither a ConfigMap nor a Secret" } as const);
    if (!read.ok) return { ok: false, message: `test report unreadable: ${read.message}` };
    for (const { source, text } of read.value) {
      const parsed = parseJUnitXml(text, source);
      if (!parsed.ok) return { ok: false, message: parsed.message };
      cases.push(...parsed.cases);
    }
  }
  return { ok: true, value: evaluateAcceptance(criteria, cases) };
}

async function probeChanges(
  release: Release,
  settings: ReleaseSettings,
  runningVersion: string | undefined,
  dependencies: ProbeDependencies,
): Promise<GateProbeResults["changes"]> {
  const source = settings.environment.source;
  if (source === undefined) return undefined;
  const namespace = release.metadata.namespace ?? "";
  const credentials = await readHttpCredentials(dependencies.core, namespace, source.credentialsSecret?.name);
  if (!credentials.ok) return { ok: false, message: `git credentials: ${credentials.message}` };
  const basic = gitCredentialsOf(credentials.value);
  const outcome = await summarizeChanges({
    url: source.url,
    ...(basic === undefined ? {} : { credentials: basic }),
    tagPattern: source.tagPattern,
    components: source.components,
    ...(runningVersion === undefined ? {} : { fromVersion: runningVersion }),
    version: release.spec.version,
    ...(release.spec.revision === undefined ? {} : { revision: release.spec.revision }),
    exclude: release.spec.scope?.exclude ?? [],
    cacheDir: dependencies.gitCacheDir,
    timeoutMs: dependencies.gitTimeoutMs,
  });
  return outcome.ok ? { ok: true, value: { findings: outcome.findings, notes: outcome.notes } } : outcome;
}

async function probeRollbackImage(
  namespace: string,
  settings: ReleaseSettings,
  rollbackTarget: string | undefined,
  dependencies: ProbeDependencies,
): Promise<GateProbeResults["rollbackImage"]> {
  const artifact = settings.environment.artifact;
  if (artifact === undefined) return undefined;
  if (rollbackTarget === undefined)
    return { ok: false, message: "no rollback target, so no rollback image to check" };
  const image = `${artifact.repository}:${rollbackTarget}`;
  let credentials: BasicCredentials | undefined;
  if (artifact.pullSecret !== undefined) {
    const data = await readData(dependencies.core, namespace, "Secret", artifact.pullSecret.name);
    if (!data.ok) return { ok: false, message: `pull secret for ${image}: ${data.message}` };
    const config = data.value[".dockerconfigjson"];
    if (config === undefined) {
      return {
        ok: false,
        message: `pull secret ${artifact.pullSecret.name} has no .dockerconfigjson key (type kubernetes.io/dockerconfigjson)`,
      };
    }
    const host = parseImageRepository(artifact.repository).host;
    const found = registryCredentialsFromDockerConfig(
      artifact.pullSecret.name,
      decodeSecretValue(config),
      host,
    );
    if (!found.ok) return { ok: false, message: found.message };
    credentials = found.credentials;
  }
  const check = await checkManifest({
    repository: artifact.repository,
    tag: rollbackTarget,
    plainHTTP: artifact.plainHTTP ?? false,
    ...(credentials === undefined ? {} : { credentials }),
    timeoutMs: dependencies.registryTimeoutMs,
  });
  return check.found ? { ok: true, value: { image } } : { ok: false, message: check.message };
}

async function probeRollbackScript(
  namespace: string,
  settings: ReleaseSettings,
  dependencies: ProbeDependencies,
): Promise<GateProbeResults["rollbackScript"]> {
  const script = settings.environment.deploy.script;
  if (script.configMap === undefined) return { ok: "job" };
  const read = await readKeyed(dependencies.core, namespace, "ConfigMap", script.configMap);
  if (!read.ok) return { ok: false, message: `deploy script: ${read.message}` };
  if (read.value.length > 1) {
    return {
      ok: false,
      message: `deploy script: ConfigMap ${script.configMap.name} has several keys; name the script's key in spec.deploy.script.configMap.key`,
    };
  }
  const [only] = read.value;
  if (only === undefined)
    return { ok: false, message: `deploy script: ConfigMap ${script.configMap.name} is empty` };
  return scriptSupportsRollback(only.text)
    ? { ok: true, value: { message: `deploy script in ${only.source} supports --rollback` } }
    : {
        ok: false,
        message: `deploy script in ${only.source} has no --rollback option: fix the deploy script (the release does not patch it)`,
      };
}

async function probeObservability(
  release: Release,
  settings: ReleaseSettings,
  previousVersion: string | undefined,
  dependencies: ProbeDependencies,
): Promise<GateProbeResults["observability"]> {
  const watch = settings.environment.watch;
  const namespace = release.metadata.namespace ?? "";
  const connected = await prometheusConnection(dependencies.core, namespace, watch.prometheus);
  if (!connected.ok) return { ok: false, problems: [connected.message] };
  const connection = connected.value;
  const reachable = await checkReachable(connection);
  if (!reachable.ok) return { ok: false, problems: [reachable.message] };
  const problems: string[] = [];
  for (const metric of watch.metrics) {
    const rendered = renderQuery(metric.query, {
      version: release.spec.version,
      ...(previousVersion === undefined ? {} : { previousVersion }),
      environment: release.spec.environment,
    });
    if (!rendered.ok) {
      problems.push(`metric ${metric.name}: ${rendered.message}`);
      continue;
    }
    const outcome = await instantQuery(connection, rendered.query);
    if (!outcome.ok) {
      problems.push(`metric ${metric.name}: ${outcome.message}`);
      continue;
    }
    if (watch.baseline.mode !== "pre-deploy") continue;
    // The baseline is read as a subquery, which Prometheus refuses for a scalar query.
    const baseline = await instantQuery(connection, preDeployQuery(rendered.query, watch.baseline.windowMs));
    if (!baseline.ok) {
      problems.push(
        `metric ${metric.name}: its pre-deploy baseline (averaged over ${formatDuration(watch.baseline.windowMs)}) cannot be read: ${baseline.message}; a pre-deploy baseline needs a query returning an instant vector (e.g. wrap a scalar in vector(...))`,
      );
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    message: `Prometheus ${watch.prometheus.url} reachable${reachable.version === undefined ? "" : ` (${reachable.version})`}; ${watch.metrics.length} metric quer${watch.metrics.length === 1 ? "y" : "ies"} valid`,
  };
}

/** Every external check of the gate, side by side. */
export async function runGateProbes(
  release: Release,
  settings: ReleaseSettings,
  dependencies: ProbeDependencies,
  now: Date,
): Promise<GateProbeResults> {
  const namespace = release.metadata.namespace ?? "";
  const status = release.status ?? {};
  const running = versionBefore(status);
  const [acceptance, changes, rollbackImage, rollbackScript, observability] = await Promise.all([
    failedCheckOnError(probeAcceptance(dependencies.core, namespace, settings)),
    failedCheckOnError(probeChanges(release, settings, running, dependencies)),
    failedCheckOnError(probeRollbackImage(namespace, settings, status.rollbackTarget, dependencies)),
    failedCheckOnError(probeRollbackScript(namespace, settings, dependencies)),
    probeObservability(release, settings, running, dependencies).catch(
      (error: unknown): GateProbeResults["observability"] => ({ ok: false, problems: [messageOf(error)] }),
    ),
  ]);
  return { at: now.toISOString(), acceptance, changes, rollbackImage, rollbackScript, observability };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An unexpected failure of one probe is that check failing, with its reason, not the reconcile failing. */
async function failedCheckOnError<T extends ProbeOutcome<unknown> | { ok: "job" } | undefined>(
  probe: Promise<T>,
): Promise<T | { ok: false; message: string }> {
  try {
    return await probe;
  } catch (error) {
    return { ok: false, message: `check failed: ${messageOf(error)}` };
  }
}
