// What each volume holds, from the pod, the objects it names and the tokens issued for it.
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { V1ConfigMap, V1Pod, V1Volume } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { planMounts, podLayout } from "./mounts.js";
import type { PodObjects } from "./references.js";
import {
  materialise,
  planVolumes,
  podCredentials,
  tokenKey,
  tokenNeeds,
  type VolumePlan,
} from "./volumes.js";

const objects: PodObjects = {
  configMaps: new Map<string, V1ConfigMap>([
    [
      "app",
      {
        metadata: { name: "app" },
        data: { "app.yaml": "level: info\n", "extra.txt": "x" },
        binaryData: { "logo.bin": "AAEC" },
      },
    ],
    ["kube-root-ca.crt", { metadata: { name: "kube-root-ca.crt" }, data: { "ca.crt": "-----CA-----\n" } }],
  ]),
  secrets: new Map([
    ["creds", { metadata: { name: "creds" }, data: { password: Buffer.from("s3cret").toString("base64") } }],
  ]),
};
const addresses = { hostIP: "127.0.0.1", podIP: "127.0.0.1" };

function pod(volumes: V1Volume[]): V1Pod {
  return {
    metadata: { name: "web-1", namespace: "team", uid: "uid-1", labels: { b: "2", a: "1" } },
    spec: { serviceAccountName: "runner", containers: [{ name: "main" }], volumes },
  };
}

function files(plan: VolumePlan): Record<string, Record<string, [string, string]>> {
  if (!plan.ok) throw new Error(plan.message);
  return Object.fromEntries(
    plan.volumes.map((v) => [
      v.name,
      Object.fromEntries(v.files.map((f) => [f.path, [f.content.toString("utf8"), f.mode.toString(8)]])),
    ]),
  );
}

const serviceAccountVolume: V1Volume = {
  name: "kube-api-access",
  projected: {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
    ],
  },
};

describe("planVolumes", () => {
  it("configMap, secret, emptyDir, downwardAPI and projected volumes", () => {
    const plan = planVolumes(
      pod([
        { name: "cfg", configMap: { name: "app" } },
        {
          name: "picked",
          configMap: {
            name: "app",
            items: [{ key: "app.yaml", path: "conf/app.yaml", mode: 0o600 }],
            defaultMode: 0o640,
          },
        },
        { name: "secret", secret: { secretName: "creds", defaultMode: 0o400 } },
        { name: "scratch", emptyDir: {} },
        {
          name: "info",
          downwardAPI: {
            items: [
              { path: "name", fieldRef: { fieldPath: "metadata.name" } },
              { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
            ],
          },
        },
        serviceAccountVolume,
      ]),
      objects,
      new Map([[tokenKey("kube-api-access", "token"), "jwt-token"]]),
      addresses,
    );
    expect(files(plan)).toEqual({
      cfg: {
        "app.yaml": ["level: info\n", "644"],
        "extra.txt": ["x", "644"],
        "logo.bin": ["\u0000\u0001\u0002", "644"],
      },
      picked: { "conf/app.yaml": ["level: info\n", "600"] },
      secret: { password: ["s3cret", "400"] },
      scratch: {},
      info: { name: ["web-1", "644"], labels: ['a="1"\nb="2"', "644"] },
      "kube-api-access": {
        token: ["jwt-token", "644"],
        "ca.crt": ["-----CA-----\n", "644"],
        namespace: ["team", "644"],
      },
    });
  });

  it("optional sources that are missing leave the volume empty", () => {
    const plan = planVolumes(
      pod([
        { name: "a", configMap: { name: "nope", optional: true } },
        { name: "b", secret: { secretName: "nope", optional: true } },
        { name: "c", configMap: { name: "app", optional: true, items: [{ key: "missing", path: "m" }] } },
      ]),
      objects,
      new Map(),
      addresses,
    );
    expect(files(plan)).toEqual({ a: {}, b: {}, c: {} });
  });

  it.each<[string, V1Volume, string]>([
    ["a missing configMap", { name: "v", configMap: { name: "nope" } }, 'configmap "nope" not found'],
    ["a missing secret", { name: "v", secret: { secretName: "nope" } }, 'secret "nope" not found'],
    [
      "an item naming a missing key",
      { name: "v", configMap: { name: "app", items: [{ key: "missing", path: "m" }] } },
      "configmap references non-existent config key: missing",
    ],
    [
      "an unsupported volume type",
      { name: "v", hostPath: { path: "/etc" } },
      "only configMap, secret, emptyDir, downwardAPI and projected volumes are supported by the node agent",
    ],
    [
      "an item path that leaves the volume",
      { name: "v", configMap: { name: "app", items: [{ key: "app.yaml", path: "../../escape" }] } },
      'file path "../../escape" leaves the volume',
    ],
  ])("refuses %s, naming the volume", (_name, volume, message) => {
    const plan = planVolumes(pod([volume]), objects, new Map(), addresses);
    expect(plan).toEqual({ ok: false, volume: "v", message });
  });
});

describe("tokenNeeds and podCredentials", () => {
  it("asks for one token per projected token source, with its audience and expiry", () => {
    expect(
      tokenNeeds(
        pod([
          serviceAccountVolume,
          {
            name: "vault",
            projected: { sources: [{ serviceAccountToken: { path: "vault-token", audience: "vault" } }] },
          },
        ]),
      ),
    ).toEqual([
      { key: "kube-api-access/token", volume: "kube-api-access", expirationSeconds: 3607 },
      { key: "vault/vault-token", volume: "vault", audience: "vault", expirationSeconds: 3600 },
    ]);
  });

  it("the kubeconfig uses the projected token and the ca.crt beside it", () => {
    const thePod = pod([serviceAccountVolume]);
    const plan = planVolumes(thePod, objects, new Map([["kube-api-access/token", "jwt"]]), addresses);
    if (!plan.ok) throw new Error(plan.message);
    expect(podCredentials(plan.volumes, thePod)).toEqual({ token: "jwt", caPem: "-----CA-----\n" });
  });

  it("a pod without a token volume has no credentials", () => {
    expect(podCredentials([], pod([{ name: "x", emptyDir: {} }]))).toBeUndefined();
  });
});

describe("materialise", () => {
  it("writes files with their modes and links mount paths to volumes and subPaths", () => {
    const podDir = mkdtempSync(path.join(tmpdir(), "node-agent-volumes-"));
    const layout = podLayout(podDir);
    const thePod = pod([
      { name: "cfg", configMap: { name: "app" } },
      { name: "scratch", emptyDir: {} },
    ]);
    thePod.spec?.containers.splice(0, 1, {
      name: "main",
      volumeMounts: [
        { name: "cfg", mountPath: "/etc/config" },
        { name: "cfg", mountPath: "/etc/app.yaml", subPath: "app.yaml" },
        { name: "scratch", mountPath: "/work/cache", subPath: "cache" },
      ],
    });
    const volumes = planVolumes(thePod, objects, new Map(), addresses);
    const mounts = planMounts(thePod, layout);
    if (!volumes.ok || !mounts.ok) throw new Error("plans failed");
    materialise(layout, volumes.volumes, mounts.links);
    // Twice: a retry after a failed attempt replaces the links it made.
    materialise(layout, volumes.volumes, mounts.links);

    expect(readFileSync(path.join(podDir, "root/etc/config/app.yaml"), "utf8")).toBe("level: info\n");
    expect(readFileSync(path.join(podDir, "root/etc/app.yaml"), "utf8")).toBe("level: info\n");
    expect(lstatSync(path.join(podDir, "root/etc/config")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(podDir, "root/etc/config"))).toBe(path.join(podDir, "volumes/cfg"));
    expect(statSync(path.join(podDir, "volumes/scratch/cache")).isDirectory()).toBe(true);
    expect(statSync(path.join(podDir, "volumes/cfg/app.yaml")).mode & 0o777).toBe(0o644);
  });
});
