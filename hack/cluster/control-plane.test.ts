import { describe, expect, it } from "vitest";
import { humanRoleBindings } from "./bootstrap.js";
import {
  apiserverArgs,
  certificateRequests,
  controllerManagerArgs,
  CONTROLLERS,
  etcdArgs,
  schedulerArgs,
  type ControlPlanePki,
} from "./control-plane.js";
import { impersonatingKubeconfig, renderKubeconfig } from "./kubeconfig.js";
import { stopRank } from "./stop-order.js";
import { parse } from "yaml";

const ports = {
  etcdClient: 2379,
  etcdPeer: 2380,
  apiserver: 6443,
  controllerManager: 10257,
  scheduler: 10259,
};
const pki: ControlPlanePki = {
  ca: { cert: "/pki/ca.crt", key: "/pki/ca.key" },
  serviceAccount: { privateKey: "/pki/sa.key", publicKey: "/pki/sa.pub" },
  certs: new Map(
    certificateRequests().map((request) => [
      request.name,
      { cert: `/pki/${request.name}.crt`, key: `/pki/${request.name}.key` },
    ]),
  ),
};

const flag = (args: readonly string[], name: string) =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

describe("component flags", () => {
  it.each([
    {
      component: "etcd",
      args: etcdArgs("/data/etcd", ports),
      name: "listen-client-urls",
      value: "http://127.0.0.1:2379",
    },
    {
      component: "apiserver",
      args: apiserverArgs(pki, ports),
      name: "authorization-mode",
      value: "Node,RBAC",
    },
    {
      component: "apiserver",
      args: apiserverArgs(pki, ports),
      name: "enable-admission-plugins",
      value: "NodeRestriction",
    },
    { component: "apiserver", args: apiserverArgs(pki, ports), name: "bind-address", value: "127.0.0.1" },
    {
      component: "apiserver",
      args: apiserverArgs(pki, ports),
      name: "etcd-servers",
      value: "http://127.0.0.1:2379",
    },
    {
      component: "apiserver",
      args: apiserverArgs(pki, ports),
      name: "kubelet-preferred-address-types",
      value: "InternalIP",
    },
    {
      component: "apiserver",
      args: apiserverArgs(pki, ports),
      name: "kubelet-client-certificate",
      value: "/pki/apiserver-kubelet-client.crt",
    },
    {
      component: "apiserver",
      args: apiserverArgs(pki, ports),
      name: "service-account-signing-key-file",
      value: "/pki/sa.key",
    },
    {
      component: "controller-manager",
      args: controllerManagerArgs(pki, ports, "/k/cm"),
      name: "controllers",
      value: CONTROLLERS.join(","),
    },
    {
      component: "controller-manager",
      args: controllerManagerArgs(pki, ports, "/k/cm"),
      name: "root-ca-file",
      value: "/pki/ca.crt",
    },
    {
      component: "controller-manager",
      args: controllerManagerArgs(pki, ports, "/k/cm"),
      name: "secure-port",
      value: "10257",
    },
    { component: "scheduler", args: schedulerArgs(ports, "/k/s"), name: "kubeconfig", value: "/k/s" },
    { component: "scheduler", args: schedulerArgs(ports, "/k/s"), name: "bind-address", value: "127.0.0.1" },
  ])("$component runs with --$name=$value", ({ args, name, value }) => {
    expect(flag(args, name)).toBe(value);
  });

  it("runs every controller the harness relies on, the ServiceAccount one included (Pods fail admission without it)", () => {
    for (const controller of [
      "job-controller",
      "garbage-collector-controller",
      "serviceaccount-controller",
      "node-lifecycle-controller",
      "ttl-after-finished-controller",
      "clusterrole-aggregation-controller",
    ]) {
      expect(CONTROLLERS).toContain(controller);
    }
  });
});

describe("certificateRequests", () => {
  const byName = new Map(certificateRequests().map((request) => [request.name, request]));
  it.each([
    { name: "admin", commonName: "admin", organizations: ["system:masters"] },
    { name: "node-onboard", commonName: "system:node:onboard", organizations: ["system:nodes"] },
    { name: "node-ground", commonName: "system:node:ground", organizations: ["system:nodes"] },
    { name: "user-alice", commonName: "alice", organizations: ["release-approvers"] },
    { name: "user-bob", commonName: "bob", organizations: ["developers"] },
  ])("$name authenticates as $commonName in $organizations", ({ name, commonName, organizations }) => {
    expect(byName.get(name)).toMatchObject({ commonName, organizations, usage: "client" });
  });

  it("serves the apiserver and each node's log endpoint on loopback", () => {
    expect(byName.get("apiserver")?.ipAddresses).toContain("127.0.0.1");
    expect(byName.get("kubelet-onboard")?.ipAddresses).toEqual(["127.0.0.1"]);
    expect(byName.get("kubelet-onboard")?.usage).toBe("server");
  });

  it("gives the two humans different groups", () => {
    expect(byName.get("user-alice")?.organizations).not.toEqual(byName.get("user-bob")?.organizations);
  });
});

describe("humanRoleBindings", () => {
  it("binds approvers to view and the release editor, developers to view only, never to edit or admin", () => {
    const bindings = humanRoleBindings("default") as {
      roleRef: { name: string };
      subjects: { name: string }[];
    }[];
    const rolesOf = (group: string) =>
      bindings
        .filter((binding) => binding.subjects.some((subject) => subject.name === group))
        .map((binding) => binding.roleRef.name);
    expect(rolesOf("release-approvers").sort()).toEqual(["release-operator-release-editor", "view"]);
    expect(rolesOf("developers")).toEqual(["view"]);
  });
});

describe("renderKubeconfig", () => {
  it.each([
    {
      credentials: { kind: "certificate" as const, cert: "CERT", key: "KEY" },
      user: { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" },
    },
    { credentials: { kind: "token" as const, token: "abc.def" }, user: { token: "abc.def" } },
  ])("inlines $credentials.kind credentials", ({ credentials, user }) => {
    const config = parse(
      renderKubeconfig({ user: "u", server: "https://127.0.0.1:1", caPem: "CA", credentials }),
    ) as {
      users: { user: unknown }[];
      clusters: { cluster: Record<string, string> }[];
      "current-context": string;
    };
    expect(config.users[0]?.user).toEqual(user);
    expect(config.clusters[0]?.cluster).toEqual({
      server: "https://127.0.0.1:1",
      "certificate-authority-data": "Q0E=",
    });
    expect(config["current-context"]).toBe("u");
  });
});

describe("stopRank", () => {
  it("stops node agents before the apiserver, and etcd last", () => {
    const order = ["etcd", "kube-apiserver", "node-agent-ground", "prometheus", "kube-scheduler"].sort(
      (a, b) => stopRank(a) - stopRank(b),
    );
    expect(order).toEqual(["node-agent-ground", "prometheus", "kube-scheduler", "kube-apiserver", "etcd"]);
  });
});

describe("impersonatingKubeconfig", () => {
  const admin = renderKubeconfig({
    user: "admin",
    server: "https://127.0.0.1:6443",
    caPem: "CA",
    credentials: { kind: "token", token: "admin-token" },
  });

  it("keeps the admin's credentials and adds the user and groups to impersonate", () => {
    const config = parse(impersonatingKubeconfig(admin, "bob", ["developers", "system:authenticated"])) as {
      users: { user: Record<string, unknown> }[];
    };
    expect(config.users[0]?.user).toEqual({
      token: "admin-token",
      as: "bob",
      "as-groups": ["developers", "system:authenticated"],
    });
  });

  it("refuses a kubeconfig without a current context, naming what it found", () => {
    expect(() => impersonatingKubeconfig("apiVersion: v1\nkind: Config\n", "bob", [])).toThrow(
      /no current context with a user \(current-context: unset\)/,
    );
  });
});
