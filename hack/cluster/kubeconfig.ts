import { readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";

export type KubeconfigCredentials =
  | { readonly kind: "certificate"; readonly cert: string; readonly key: string }
  | { readonly kind: "token"; readonly token: string };

export interface KubeconfigInput {
  readonly user: string;
  readonly server: string;
  /** PEM text of the CA that signed the apiserver's serving certificate. */
  readonly caPem: string;
  /** PEM texts (certificate) or the bearer token. */
  readonly credentials: KubeconfigCredentials;
  readonly namespace?: string;
}

const base64 = (text: string) => Buffer.from(text).toString("base64");

/** A self-contained kubeconfig (everything inline), so it works from any directory and any client. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const user =
    input.credentials.kind === "certificate"
      ? {
          "client-certificate-data": base64(input.credentials.cert),
          "client-key-data": base64(input.credentials.key),
        }
      : { token: input.credentials.token };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "local",
        cluster: {
          server: input.server,
          // Without a CA (a cluster served by a publicly trusted certificate) the system roots apply.
          ...(input.caPem ? { "certificate-authority-data": base64(input.caPem) } : {}),
        },
      },
    ],
    users: [{ name: input.user, user }],
    contexts: [
      {
        name: input.user,
        context: {
          cluster: "local",
          user: input.user,
          ...(input.namespace ? { namespace: input.namespace } : {}),
        },
      },
    ],
    "current-context": input.user,
    preferences: {},
  });
}

export function writeCertificateKubeconfig(
  file: string,
  options: {
    user: string;
    server: string;
    caFile: string;
    certFile: string;
    keyFile: string;
    namespace?: string;
  },
): void {
  writeFileSync(
    file,
    renderKubeconfig({
      user: options.user,
      server: options.server,
      caPem: readFileSync(options.caFile, "utf8"),
      credentials: {
        kind: "certificate",
        cert: readFileSync(options.certFile, "utf8"),
        key: readFileSync(options.keyFile, "utf8"),
      },
      ...(options.namespace ? { namespace: options.namespace } : {}),
    }),
    { mode: 0o600 },
  );
}

interface KubeconfigDocument {
  "current-context"?: string;
  contexts?: { name: string; context: { user: string } }[];
  users?: { name: string; user: Record<string, unknown> }[];
}

/**
 * A copy of a kubeconfig whose current user impersonates `user` in `groups`: on a cluster whose
 * users we cannot mint (K3s in Docker, someone's cluster), the human identities are impersonated by
 * the admin, and RBAC judges them exactly as it would the real users.
 */
export function impersonatingKubeconfig(
  kubeconfigYaml: string,
  user: string,
  groups: readonly string[],
): string {
  const document = parse(kubeconfigYaml) as KubeconfigDocument;
  const contextName = document["current-context"];
  const context = document.contexts?.find((entry) => entry.name === contextName);
  const entry = document.users?.find((candidate) => candidate.name === context?.context.user);
  if (!context || !entry) {
    throw new Error(
      `the kubeconfig has no current context with a user (current-context: ${contextName ?? "unset"})`,
    );
  }
  entry.user = { ...entry.user, as: user, "as-groups": [...groups] };
  return stringify(document);
}
