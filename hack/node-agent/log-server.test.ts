// The log endpoint over real TLS with client certificates, as the apiserver calls it.
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpsGet } from "../cluster/https.js";
import { ensureCertificate, ensureCertificateAuthority, type CertificatePaths } from "../cluster/pki.js";
import { freePort } from "../cluster/ports.js";
import type { NodeAgentConfig } from "./config.js";
import { routeOf, startLogServer, type LogLocation } from "./log-server.js";
import { encodeRecord, formatRfc3339Nano, nanoClock } from "./logs.js";

const dir = mkdtempSync(path.join(tmpdir(), "node-agent-log-server-"));
const clock = nanoClock();
const line = (content: string, stream: "stdout" | "stderr" = "stdout") =>
  encodeRecord({ timestamp: formatRfc3339Nano(clock()), stream, partial: false, content });

let port = 0;
let server: Server;
let client: CertificatePaths;
let stranger: CertificatePaths;
let ca: CertificatePaths;
const state = { active: false };
const logs = {
  done: path.join(dir, "done.log"),
  live: path.join(dir, "live.log"),
  previous: path.join(dir, "done.previous.log"),
};

function findLogs(namespace: string, pod: string, container: string): LogLocation {
  if (namespace !== "team" || pod !== "job-1")
    return { kind: "error", status: 404, message: `pod "${pod}" does not exist` };
  if (container === "done") {
    return { kind: "ok", file: logs.done, previousFile: path.join(dir, "none.log"), isActive: () => false };
  }
  if (container === "live")
    return { kind: "ok", file: logs.live, previousFile: logs.previous, isActive: () => state.active };
  return { kind: "error", status: 404, message: `container "${container}" not found in pod "${pod}"` };
}

beforeAll(async () => {
  const pki = mkdtempSync(path.join(tmpdir(), "node-agent-pki-"));
  ca = ensureCertificateAuthority(pki);
  const serving = ensureCertificate(pki, ca, {
    name: "kubelet",
    commonName: "onboard",
    usage: "server",
    ipAddresses: ["127.0.0.1"],
  });
  client = ensureCertificate(pki, ca, {
    name: "apiserver-kubelet-client",
    commonName: "kube-apiserver",
    usage: "client",
  });
  const otherPki = mkdtempSync(path.join(tmpdir(), "node-agent-pki-other-"));
  stranger = ensureCertificate(otherPki, ensureCertificateAuthority(otherPki), {
    name: "stranger",
    commonName: "stranger",
    usage: "client",
  });
  port = await freePort();
  const config: NodeAgentConfig = {
    nodeName: "onboard",
    kubeconfig: "unused",
    address: "127.0.0.1",
    kubeletPort: port,
    servingCert: serving.cert,
    servingKey: serving.key,
    clientCA: ca.cert,
    workDir: dir,
    labels: {},
    taints: [],
    capacity: { cpu: "1", memory: "1Gi", pods: "10" },
    apiserverHost: "127.0.0.1",
    apiserverPort: 6443,
    kubernetesVersion: "v1.36.3",
  };
  writeFileSync(logs.done, line("one") + line("two", "stderr") + line("three"));
  writeFileSync(logs.live, line("started"));
  server = await startLogServer({ config, findLogs, log: pino({ level: "silent" }) });
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

interface Answer {
  status: number;
  body: string;
}

/** `identity` null: no client certificate at all. */
function get(urlPath: string, identity: CertificatePaths | null = client): Promise<Answer> {
  return httpsGet(`https://127.0.0.1:${port}${urlPath}`, {
    ca: ca.cert,
    ...(identity ? { cert: identity.cert, key: identity.key } : {}),
  });
}

describe("log endpoint", () => {
  it("answers /healthz", async () => {
    expect(await get("/healthz")).toEqual({ status: 200, body: "ok\n" });
  });

  it("refuses clients without a certificate, or with one the client CA did not sign", async () => {
    await expect(get("/healthz", null)).rejects.toThrow();
    await expect(get("/healthz", stranger)).rejects.toThrow();
  });

  it.each([
    ["all lines, stdout and stderr", "", "one\ntwo\nthree\n"],
    ["tailLines", "?tailLines=2", "two\nthree\n"],
    ["limitBytes", "?limitBytes=6", "one\ntw"],
  ])("serves a finished container's log: %s", async (_name, query, body) => {
    expect(await get(`/containerLogs/team/job-1/done${query}`)).toEqual({ status: 200, body });
  });

  it("timestamps=true prefixes each line with its RFC3339Nano time", async () => {
    const { body } = await get("/containerLogs/team/job-1/done?timestamps=true&tailLines=1");
    expect(body).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z three\n$/);
  });

  it.each([
    ["an unknown pod", "/containerLogs/team/nope/done", 404, 'pod "nope" does not exist\n'],
    [
      "an unknown container",
      "/containerLogs/team/job-1/ghost",
      404,
      'container "ghost" not found in pod "job-1"\n',
    ],
    [
      "a bad query",
      "/containerLogs/team/job-1/done?tailLines=-3",
      400,
      "tailLines must be greater than or equal to 0\n",
    ],
    [
      "a previous instance that was not kept",
      "/containerLogs/team/job-1/done?previous=true",
      400,
      'previous terminated container "done" in pod "job-1" not found\n',
    ],
    [
      "another endpoint",
      "/exec/team/job-1/done",
      404,
      "the node agent serves only /healthz and /containerLogs/{namespace}/{pod}/{container}, not /exec/team/job-1/done\n",
    ],
  ])("answers %s with %i and a message", async (_name, urlPath, status, body) => {
    expect(await get(urlPath)).toEqual({ status, body });
  });

  it("follow streams new lines until the container instance stops, then ends", async () => {
    state.active = true;
    const answer = get("/containerLogs/team/job-1/live?follow=true");
    await new Promise((resolve) => setTimeout(resolve, 300));
    appendFileSync(logs.live, line("working"));
    // Half a line first: it is sent only once it is whole.
    const last = line("finished");
    appendFileSync(logs.live, last.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    appendFileSync(logs.live, last.slice(10));
    state.active = false;
    expect(await answer).toEqual({ status: 200, body: "started\nworking\nfinished\n" });
  });
});

describe("routeOf", () => {
  it.each([
    ["/healthz", { kind: "healthz" }],
    ["/containerLogs/ns/pod/c", { kind: "containerLogs", namespace: "ns", pod: "pod", container: "c" }],
    ["/containerLogs/ns/pod/c/", { kind: "containerLogs", namespace: "ns", pod: "pod", container: "c" }],
    ["/containerLogs/ns/pod", { kind: "unknown" }],
    ["/stats/summary", { kind: "unknown" }],
  ])("%s", (pathname, route) => {
    expect(routeOf(pathname)).toEqual(route);
  });
});
