/**
 * The runtime's ResilientInformer against the real apiserver: it syncs the ConfigMaps its label
 * selector picks, follows adds, updates and deletes, and comes back by itself after its connections
 * are cut, delivering what changed while it was blind. The informer talks to the apiserver through a
 * TCP proxy this test can cut; the test's own changes go straight to the apiserver with kubectl.
 */
import { connect, createServer, isIP, type AddressInfo, type Socket } from "node:net";
import { CoreV1Api, KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ResilientInformer, type ChangeEvent, type RestartCause } from "../../src/runtime/informer.js";
import { eventually, kubectl, uniqueName } from "./support/kubectl.js";

const NAMESPACE = "default";
const LABEL = "release-operator.io/e2e-informer";

const adminConfig = new KubeConfig();
adminConfig.loadFromFile(inject("cluster").kubeconfigs.admin);
const log = pino({ level: process.env.E2E_LOG_LEVEL ?? "silent" });

/** A TCP proxy whose connections can be cut, and which refuses new ones until healed. */
interface CuttableProxy {
  readonly port: number;
  /** Drops every open connection and refuses new ones until heal(). */
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

async function startCuttableProxy(target: { host: string; port: number }): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => {
        sockets.delete(socket);
        closeBoth();
      });
      socket.on("error", closeBoth);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const cut = (): void => {
    refusing = true;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    heal: () => {
      refusing = false;
    },
    close: async () => {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The admin's kubeconfig, with the current cluster reached through the proxy. */
function throughProxy(base: KubeConfig, proxyPort: number): KubeConfig {
  const current = base.getCurrentCluster();
  if (current === null) throw new Error("the admin kubeconfig names no current cluster");
  const original = new URL(current.server);
  const proxied = new KubeConfig();
  proxied.loadFromOptions({
    clusters: base.clusters.map((cluster) =>
      cluster.name === current.name
        ? {
            ...cluster,
            server: `${original.protocol}//127.0.0.1:${proxyPort}`,
            // The certificate names the apiserver's own host, not the proxy's loopback address.
            tlsServerName:
              cluster.tlsServerName ?? (isIP(original.hostname) === 0 ? original.hostname : undefined),
          }
        : cluster,
    ),
    users: base.users,
    contexts: base.contexts,
    currentContext: base.currentContext,
  });
  return proxied;
}

interface Seen {
  event: ChangeEvent;
  name: string;
  value: string | undefined;
}

interface Watched {
  informer: ResilientInformer<V1ConfigMap>;
  seen: Seen[];
  restartCauses: RestartCause[];
}

let proxy: CuttableProxy;
const informers: ResilientInformer<V1ConfigMap>[] = [];
const runs: string[] = [];

beforeAll(async () => {
  const server = new URL(adminConfig.getCurrentCluster()?.server ?? "");
  proxy = await startCuttableProxy({
    host: server.hostname,
    port: Number(server.port || (server.protocol === "https:" ? 443 : 80)),
  });
});

afterEach(async () => {
  for (const informer of informers.splice(0)) await informer.stop();
  proxy.heal();
});

afterAll(async () => {
  await proxy.close();
  for (const run of runs) {
    await kubectl(["delete", "configmaps", "-n", NAMESPACE, "-l", `${LABEL}=${run}`, "--ignore-not-found"]);
  }
  await kubectl(["delete", "configmaps", "-n", NAMESPACE, "-l", `${LABEL}-outsider`, "--ignore-not-found"]);
});

/** A unique label value for one test: its ConfigMaps carry it and its informer selects it. */
function newRun(): string {
  const run = uniqueName("informer");
  runs.push(run);
  return run;
}

async function createConfigMap(name: string, labels: Record<string, string>, value: string): Promise<void> {
  const manifest = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: NAMESPACE, labels },
    data: { value },
  };
  await kubectl(["create", "-f", "-"], { input: JSON.stringify(manifest) });
}

async function setValue(name: string, value: string): Promise<void> {
  await kubectl([
    "patch",
    "configmap",
    name,
    "-n",
    NAMESPACE,
    "--type",
    "merge",
    "-p",
    JSON.stringify({ data: { value } }),
  ]);
}

async function deleteConfigMap(name: string): Promise<void> {
  await kubectl(["delete", "configmap", name, "-n", NAMESPACE, "--wait=false"]);
}

async function watchRun(run: string): Promise<Watched> {
  const kubeConfig = throughProxy(adminConfig, proxy.port);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const labelSelector = `${LABEL}=${run}`;
  const seen: Seen[] = [];
  const restartCauses: RestartCause[] = [];
  const informer = new ResilientInformer<V1ConfigMap>({
    name: "configmaps",
    kubeConfig,
    path: `/api/v1/namespaces/${NAMESPACE}/configmaps`,
    list: () => core.listNamespacedConfigMap({ namespace: NAMESPACE, labelSelector }),
    labelSelector,
    log,
    onChange: (object, event) => {
      seen.push({ event, name: object.metadata?.name ?? "", value: object.data?.value });
    },
    restart: { baseMs: 200, maxMs: 2_000, jitter: 0.2 },
    hooks: { restarted: (_informer, cause) => restartCauses.push(cause) },
  });
  informers.push(informer);
  await informer.start();
  return { informer, seen, restartCauses };
}

function sawChange(watched: Watched, expected: Seen, since = 0): Promise<true> {
  return eventually(
    `the informer to see ${expected.event} of ${expected.name} (value ${String(expected.value)})`,
    () =>
      Promise.resolve(
        watched.seen
          .slice(since)
          .some(
            (seen) =>
              seen.event === expected.event && seen.name === expected.name && seen.value === expected.value,
          ) || undefined,
      ),
  );
}

function cachedNames(watched: Watched): string[] {
  return watched.informer
    .list(NAMESPACE)
    .map((object) => object.metadata?.name ?? "")
    .sort();
}

describe("ResilientInformer against the real apiserver", () => {
  it("syncs only the ConfigMaps its selector picks, then follows adds, updates and deletes", async () => {
    const run = newRun();
    const [a, b, outsider] = [`${run}-a`, `${run}-b`, `${run}-outsider`];
    await createConfigMap(a, { [LABEL]: run }, "1");
    await createConfigMap(outsider, { [`${LABEL}-outsider`]: run }, "1");

    const watched = await watchRun(run);
    expect(watched.informer.synced).toBe(true);
    expect(cachedNames(watched)).toEqual([a]);
    expect(watched.seen).toEqual([{ event: "add", name: a, value: "1" }]);

    await createConfigMap(b, { [LABEL]: run }, "1");
    await sawChange(watched, { event: "add", name: b, value: "1" });
    await setValue(a, "2");
    await sawChange(watched, { event: "update", name: a, value: "2" });
    expect(watched.informer.get(a, NAMESPACE)?.data?.value).toBe("2");
    await deleteConfigMap(b);
    await sawChange(watched, { event: "delete", name: b, value: "1" });

    expect(cachedNames(watched)).toEqual([a]);
    expect(watched.seen.some((seen) => seen.name === outsider)).toBe(false);
    expect(watched.informer.restarts).toBe(0);
  });

  it("restarts after its connections are cut and delivers what changed while it was blind", async () => {
    const run = newRun();
    const [kept, removed, added] = [`${run}-kept`, `${run}-removed`, `${run}-added`];
    await createConfigMap(kept, { [LABEL]: run }, "before");
    await createConfigMap(removed, { [LABEL]: run }, "before");
    const watched = await watchRun(run);
    expect(cachedNames(watched)).toEqual([kept, removed].sort());

    proxy.cut();
    await eventually("the informer to restart after its watch was cut", () =>
      Promise.resolve(watched.informer.restarts >= 1 || undefined),
    );
    const seenBeforeHeal = watched.seen.length;
    await setValue(kept, "while-cut");
    await deleteConfigMap(removed);
    await createConfigMap(added, { [LABEL]: run }, "while-cut");
    // The proxy still refuses: lists fail and the informer keeps restarting with backoff.
    await eventually("a further restart while the apiserver is unreachable", () =>
      Promise.resolve(watched.informer.restarts >= 2 || undefined),
    );
    expect(watched.seen.length).toBe(seenBeforeHeal);
    proxy.heal();

    await sawChange(watched, { event: "update", name: kept, value: "while-cut" }, seenBeforeHeal);
    await sawChange(watched, { event: "delete", name: removed, value: "before" }, seenBeforeHeal);
    await sawChange(watched, { event: "add", name: added, value: "while-cut" }, seenBeforeHeal);
    expect(cachedNames(watched)).toEqual([added, kept].sort());
    expect(watched.restartCauses.length).toBe(watched.informer.restarts);
    expect(new Set(watched.restartCauses)).toEqual(new Set(["error"]));
    expect(watched.informer.synced).toBe(true);

    // After the recovery it watches again: a later change arrives without another cut.
    const restartsAfterRecovery = watched.informer.restarts;
    await setValue(added, "after");
    await sawChange(watched, { event: "update", name: added, value: "after" });
    expect(watched.informer.restarts).toBe(restartsAfterRecovery);
  });
});
