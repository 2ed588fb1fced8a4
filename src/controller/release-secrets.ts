// The Secrets a release touches, read so that their values can be removed from everything the operator
// writes for it (src/runtime/redaction.ts). Read before each reconcile writes anything, each Secret at
// most once per `ttlMs`: a rotated value is learnt within that time, and the old one stays redacted.
import type { CoreV1Api } from "@kubernetes/client-node";
import type { ReleaseSettings } from "../api/v1alpha1/index.js";
import { secretValuesOf, type Redactor } from "../runtime/redaction.js";
import { decodeSecretValue, readData } from "./object-data.js";

export interface TouchedSecret {
  name: string;
  purpose: "environment" | "credentials";
}

/** Every Secret the release's settings name: the deploy's `envFrom` and each credentials Secret. */
export function secretsTouchedBy(settings: ReleaseSettings): TouchedSecret[] {
  const environment = settings.environment;
  const credentials = [
    environment.source?.credentialsSecret,
    environment.artifact?.pullSecret,
    environment.watch.prometheus.authSecret,
    environment.report.credentialsSecret,
  ];
  const touched: TouchedSecret[] = [
    ...environment.deploy.envFrom.flatMap((source) =>
      source.secretRef === undefined
        ? []
        : [{ name: source.secretRef.name, purpose: "environment" as const }],
    ),
    ...credentials.flatMap((secret) =>
      secret === undefined ? [] : [{ name: secret.name, purpose: "credentials" as const }],
    ),
  ];
  const seen = new Set<string>();
  return touched.filter((secret) => {
    const key = `${secret.purpose}/${secret.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class ReleaseSecrets {
  private readonly readAt = new Map<string, number>();

  constructor(
    private readonly core: CoreV1Api,
    readonly redactor: Redactor,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Learns the values of `secrets` in `namespace`. A missing Secret has nothing to redact (the gate
   * says it is missing); any other failure throws, so nothing is written before the values are known.
   */
  async learn(namespace: string, secrets: readonly TouchedSecret[]): Promise<void> {
    for (const secret of secrets) {
      const key = `${namespace}/${secret.name}/${secret.purpose}`;
      const at = this.readAt.get(key);
      if (at !== undefined && this.now() - at < this.ttlMs) continue;
      let read;
      try {
        read = await readData(this.core, namespace, "Secret", secret.name);
      } catch (error) {
        throw new Error(
          `reading Secret ${namespace}/${secret.name} to keep its values out of reports failed`,
          { cause: error },
        );
      }
      if (read.ok) {
        const decoded = Object.fromEntries(
          Object.entries(read.value).map(([name, value]) => [name, decodeSecretValue(value)]),
        );
        this.redactor.add(secretValuesOf(secret.purpose, decoded));
      }
      this.readAt.set(key, this.now());
    }
  }
}
