import path from "node:path";
import { httpsGet, type TlsGetOptions } from "./https.js";
import { writeCertificateKubeconfig } from "./kubeconfig.js";
import type { StateDir } from "./paths.js";
import {
  ensureCertificate,
  ensureCertificateAuthority,
  ensureServiceAccountKeys,
  type CertificatePaths,
  type CertificateRequest,
} from "./pki.js";
import { assertAlive, startService, type ServiceRecord } from "./processes.js";
import { waitUntil } from "./wait.js";

/** Ports chosen free at the first `up` and kept for the cluster's life (certs and kubeconfigs name them). */
export interface ControlPlanePorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
}

export const LOOPBACK = "127.0.0.1";
export const SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24";
/** The first address of the service range: the `kubernetes` Service, named in the serving cert. */
const KUBERNETES_SERVICE_IP = "10.0.0.1";
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The human users: each a client certificate whose O= is its group, bound by RBAC in bootstrap. */
export const HUMAN_USERS = [
  { name: "alice", group: "release-approvers" },
  { name: "bob", group: "developers" },
] as const;

/** The controllers the harness needs from kube-controller-manager, and nothing more. */
export const CONTROLLERS = [
  "job-controller",
  "garbage-collector-controller",
  "namespace-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "root-ca-certificate-publisher-controller",
  "ttl-after-finished-controller",
  "pod-garbage-collector-controller",
  "node-lifecycle-controller",
  // Fills the built-in view/edit roles from the operator's aggregated ClusterRoles.
  "clusterrole-aggregation-controller",
] as const;

export const NODE_NAMES = ["ground", "onboard"] as const;
export type NodeName = (typeof NODE_NAMES)[number];

/** Every certificate of the cluster: serving, components, nodes and people. */
export function certificateRequests(): CertificateRequest[] {
  return [
    {
      name: "apiserver",
      commonName: "kube-apiserver",
      usage: "server",
      ipAddresses: [LOOPBACK, KUBERNETES_SERVICE_IP],
      dnsNames: [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
      ],
    },
    { name: "apiserver-kubelet-client", commonName: "kube-apiserver-kubelet-client", usage: "client" },
    { name: "admin", commonName: "admin", organizations: ["system:masters"], usage: "client" },
    { name: "controller-manager", commonName: "system:kube-controller-manager", usage: "client" },
    { name: "scheduler", commonName: "system:kube-scheduler", usage: "client" },
    ...NODE_NAMES.flatMap((node): CertificateRequest[] => [
      {
        name: `node-${node}`,
        commonName: `system:node:${node}`,
        organizations: ["system:nodes"],
        usage: "client",
      },
      {
        name: `kubelet-${node}`,
        commonName: `system:node:${node}`,
        usage: "server",
        ipAddresses: [LOOPBACK],
        dnsNames: [node, "localhost"],
      },
    ]),
    ...HUMAN_USERS.map((user): CertificateRequest => ({
      name: `user-${user.name}`,
      commonName: user.name,
      organizations: [user.group],
      usage: "client",
    })),
  ];
}

export interface ControlPlanePki {
  readonly ca: CertificatePaths;
  readonly serviceAccount: { readonly privateKey: string; readonly publicKey: string };
  readonly certs: ReadonlyMap<string, CertificatePaths>;
}

export function ensurePki(state: StateDir): ControlPlanePki {
  const ca = ensureCertificateAuthority(state.pki);
  const certs = new Map<string, CertificatePaths>();
  for (const request of certificateRequests())
    certs.set(request.name, ensureCertificate(state.pki, ca, request));
  return { ca, serviceAccount: ensureServiceAccountKeys(state.pki), certs };
}

export function certOf(pki: ControlPlanePki, name: string): CertificatePaths {
  const paths = pki.certs.get(name);
  if (!paths)
    throw new Error(`no certificate named ${name} was issued; known: ${[...pki.certs.keys()].join(", ")}`);
  return paths;
}

export function etcdArgs(dataDir: string, ports: ControlPlanePorts): string[] {
  const client = `http://${LOOPBACK}:${ports.etcdClient}`;
  const peer = `http://${LOOPBACK}:${ports.etcdPeer}`;
  return [
    "--name=local",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=local=${peer}`,
    "--unsafe-no-fsync=true",
    "--quota-backend-bytes=2147483648",
    "--log-level=warn",
  ];
}

export function apiserverArgs(pki: ControlPlanePki, ports: ControlPlanePorts): string[] {
  const serving = certOf(pki, "apiserver");
  const kubeletClient = certOf(pki, "apiserver-kubelet-client");
  return [
    `--etcd-servers=http://${LOOPBACK}:${ports.etcdClient}`,
    `--bind-address=${LOOPBACK}`,
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${serving.cert}`,
    `--tls-private-key-file=${serving.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccount.publicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    `--kubelet-client-certificate=${kubeletClient.cert}`,
    `--kubelet-client-key=${kubeletClient.key}`,
    `--kubelet-certificate-authority=${pki.ca.cert}`,
    "--kubelet-preferred-address-types=InternalIP",
    "--allow-privileged=true",
    // A loopback address is not a valid endpoint of the `kubernetes` Service; nothing here needs it.
    "--endpoint-reconciler-type=none",
    "--profiling=false",
    "--v=1",
  ];
}

export function controllerManagerArgs(
  pki: ControlPlanePki,
  ports: ControlPlanePorts,
  kubeconfig: string,
): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${ports.controllerManager}`,
    `--controllers=${CONTROLLERS.join(",")}`,
    `--service-account-private-key-file=${pki.serviceAccount.privateKey}`,
    `--root-ca-file=${pki.ca.cert}`,
    "--use-service-account-credentials=true",
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    "--leader-elect=false",
    "--profiling=false",
    "--v=1",
  ];
}

export function schedulerArgs(ports: ControlPlanePorts, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${ports.scheduler}`,
    "--leader-elect=false",
    "--profiling=false",
    "--v=1",
  ];
}

export interface ControlPlane {
  readonly apiserverUrl: string;
  readonly kubeconfigs: {
    readonly admin: string;
    readonly controllerManager: string;
    readonly scheduler: string;
  };
  readonly nodeKubeconfigs: Readonly<Record<NodeName, string>>;
  readonly userKubeconfigs: Readonly<Record<(typeof HUMAN_USERS)[number]["name"], string>>;
  readonly pki: ControlPlanePki;
}

function kubeconfigDir(state: StateDir): string {
  return path.join(state.root, "kubeconfig");
}

/** Writes every certificate-based kubeconfig: admin, components, nodes and human users. */
export function writeKubeconfigs(state: StateDir, pki: ControlPlanePki, apiserverUrl: string): ControlPlane {
  const dir = kubeconfigDir(state);
  const file = (name: string) => path.join(dir, `${name}.kubeconfig`);
  const write = (name: string, user: string, certName: string) => {
    const cert = certOf(pki, certName);
    writeCertificateKubeconfig(file(name), {
      user,
      server: apiserverUrl,
      caFile: pki.ca.cert,
      certFile: cert.cert,
      keyFile: cert.key,
    });
    return file(name);
  };
  const nodeKubeconfigs = Object.fromEntries(
    NODE_NAMES.map((node) => [node, write(`node-${node}`, `system:node:${node}`, `node-${node}`)]),
  ) as Record<NodeName, string>;
  const userKubeconfigs = Object.fromEntries(
    HUMAN_USERS.map((user) => [user.name, write(user.name, user.name, `user-${user.name}`)]),
  ) as Record<(typeof HUMAN_USERS)[number]["name"], string>;
  return {
    apiserverUrl,
    kubeconfigs: {
      admin: write("admin", "admin", "admin"),
      controllerManager: write("controller-manager", "system:kube-controller-manager", "controller-manager"),
      scheduler: write("scheduler", "system:kube-scheduler", "scheduler"),
    },
    nodeKubeconfigs,
    userKubeconfigs,
    pki,
  };
}

export { kubeconfigDir };

const READY_TIMEOUT_MS = 90_000;

async function waitHealthy(
  state: StateDir,
  record: ServiceRecord,
  url: string,
  tls: TlsGetOptions | undefined,
): Promise<void> {
  await waitUntil(
    `${record.name} to answer ${url}`,
    async () => {
      assertAlive(state, record);
      if (!tls) {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        return response.ok;
      }
      const response = await httpsGet(url, tls);
      return response.status === 200;
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 250 },
  );
}

/** Starts (or finds running) etcd and kube-apiserver, and waits until the apiserver is ready. */
export async function startApiserver(
  state: StateDir,
  binDir: string,
  pki: ControlPlanePki,
  ports: ControlPlanePorts,
): Promise<void> {
  const etcd = await startService(state, {
    name: "etcd",
    command: path.join(binDir, "etcd"),
    args: etcdArgs(path.join(state.data, "etcd"), ports),
  });
  await waitHealthy(state, etcd, `http://${LOOPBACK}:${ports.etcdClient}/health`, undefined);
  const apiserver = await startService(state, {
    name: "kube-apiserver",
    command: path.join(binDir, "kube-apiserver"),
    args: apiserverArgs(pki, ports),
  });
  const admin = certOf(pki, "admin");
  await waitHealthy(state, apiserver, `https://${LOOPBACK}:${ports.apiserver}/readyz`, {
    ca: pki.ca.cert,
    cert: admin.cert,
    key: admin.key,
  });
}

/** Starts (or finds running) the controller manager and the scheduler, and waits for their health. */
export async function startControllers(
  state: StateDir,
  binDir: string,
  controlPlane: ControlPlane,
  ports: ControlPlanePorts,
): Promise<void> {
  const controllerManager = await startService(state, {
    name: "kube-controller-manager",
    command: path.join(binDir, "kube-controller-manager"),
    args: controllerManagerArgs(controlPlane.pki, ports, controlPlane.kubeconfigs.controllerManager),
  });
  const scheduler = await startService(state, {
    name: "kube-scheduler",
    command: path.join(binDir, "kube-scheduler"),
    args: schedulerArgs(ports, controlPlane.kubeconfigs.scheduler),
  });
  await Promise.all([
    waitHealthy(state, controllerManager, `https://${LOOPBACK}:${ports.controllerManager}/healthz`, {
      insecure: true,
    }),
    waitHealthy(state, scheduler, `https://${LOOPBACK}:${ports.scheduler}/healthz`, { insecure: true }),
  ]);
}
