import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One certificate the cluster needs, signed by the cluster CA. */
export interface CertificateRequest {
  /** File stem: `<name>.crt` and `<name>.key` in the pki dir. */
  readonly name: string;
  readonly commonName: string;
  /** Groups, as the apiserver reads them from O=. */
  readonly organizations?: readonly string[];
  readonly usage: "server" | "client" | "both";
  readonly ipAddresses?: readonly string[];
  readonly dnsNames?: readonly string[];
}

export interface CertificatePaths {
  readonly cert: string;
  readonly key: string;
}

/** `/CN=x/O=a/O=b`, escaping the characters openssl's -subj treats specially. */
export function subjectOf(request: Pick<CertificateRequest, "commonName" | "organizations">): string {
  const escape = (value: string) => value.replace(/[/\\]/g, (c) => `\\${c}`);
  const parts = [`/CN=${escape(request.commonName)}`];
  for (const organization of request.organizations ?? []) parts.push(`/O=${escape(organization)}`);
  return parts.join("");
}

/** The x509v3 extensions section for a leaf certificate. */
export function extensionsOf(request: CertificateRequest): string {
  const extendedUsage = { server: "serverAuth", client: "clientAuth", both: "serverAuth,clientAuth" }[
    request.usage
  ];
  const lines = [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${extendedUsage}`,
  ];
  const altNames = [
    ...(request.dnsNames ?? []).map((name) => `DNS:${name}`),
    ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  if (altNames.length > 0) lines.push(`subjectAltName=${altNames.join(",")}`);
  return `${lines.join("\n")}\n`;
}

function openssl(args: readonly string[], what: string): void {
  try {
    execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? "";
    throw new Error(`openssl failed to ${what}: ${stderr || String(error)}`, { cause: error });
  }
}

const KEY_ARGS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const VALID_DAYS = "825";

/** The cluster CA; kept when it already exists so restarts keep every issued cert valid. */
export function ensureCertificateAuthority(pkiDir: string): CertificatePaths {
  const paths = { cert: path.join(pkiDir, "ca.crt"), key: path.join(pkiDir, "ca.key") };
  if (existsSync(paths.cert) && existsSync(paths.key)) return paths;
  const extensions = path.join(pkiDir, "ca.ext");
  writeFileSync(
    extensions,
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n",
  );
  openssl(
    [
      "req",
      "-x509",
      ...KEY_ARGS,
      "-keyout",
      paths.key,
      "-out",
      paths.cert,
      "-days",
      VALID_DAYS,
      "-subj",
      "/CN=release-operator-local-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ],
    "create the cluster CA",
  );
  return paths;
}

/** Issues a leaf certificate unless it already exists. */
export function ensureCertificate(
  pkiDir: string,
  ca: CertificatePaths,
  request: CertificateRequest,
): CertificatePaths {
  const paths = {
    cert: path.join(pkiDir, `${request.name}.crt`),
    key: path.join(pkiDir, `${request.name}.key`),
  };
  if (existsSync(paths.cert) && existsSync(paths.key)) return paths;
  const csr = path.join(pkiDir, `${request.name}.csr`);
  const extensions = path.join(pkiDir, `${request.name}.ext`);
  writeFileSync(extensions, extensionsOf(request));
  openssl(
    ["req", "-new", ...KEY_ARGS, "-keyout", paths.key, "-out", csr, "-subj", subjectOf(request)],
    `create the key and request for ${request.name}`,
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-CAcreateserial",
      "-days",
      VALID_DAYS,
      "-extfile",
      extensions,
      "-out",
      paths.cert,
    ],
    `sign the certificate for ${request.name}`,
  );
  return paths;
}

/** The RSA key pair that signs and verifies ServiceAccount tokens. */
export function ensureServiceAccountKeys(pkiDir: string): {
  readonly privateKey: string;
  readonly publicKey: string;
} {
  const keys = { privateKey: path.join(pkiDir, "sa.key"), publicKey: path.join(pkiDir, "sa.pub") };
  if (existsSync(keys.privateKey) && existsSync(keys.publicKey)) return keys;
  openssl(
    ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keys.privateKey],
    "create the service-account signing key",
  );
  openssl(
    ["pkey", "-in", keys.privateKey, "-pubout", "-out", keys.publicKey],
    "derive the service-account public key",
  );
  return keys;
}
