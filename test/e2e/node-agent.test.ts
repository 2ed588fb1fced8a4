/**
 * The node agent (hack/node-agent) end to end, for what its unit tests cannot show: pods bound by the
 * real scheduler run as host processes with their env, envFrom, volumes and `$(VAR)` expansion; the
 * ServiceAccount kubeconfig works against the apiserver; activeDeadlineSeconds, deletion and restarts
 * behave as on a kubelet; and logs (also -f, --previous, --timestamps) come back through the apiserver.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { eventually, kubectl, kubectlAs, kubectlJson, uniqueName } from "./support/kubectl.js";

const NAMESPACE = "default";
const onLocalCluster = inject("cluster").kind === "local";

interface ContainerStatus {
  name: string;
  restartCount: number;
  containerID?: string;
  state: {
    waiting?: { reason: string; message?: string };
    running?: { startedAt: string };
    terminated?: { exitCode: number; reason?: string; message?: string };
  };
  lastState: { terminated?: { exitCode: number } };
}
interface PodObject {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

const created: string[] = [];

afterAll(async () => {
  for (const object of created) {
    await kubectlAs("admin", ["delete", "-n", NAMESPACE, object, "--wait=false", "--ignore-not-found"]);
  }
});

async function create(object: Record<string, unknown>): Promise<void> {
  await kubectl(["create", "-n", NAMESPACE, "-f", "-"], { input: JSON.stringify(object) });
  const { kind, metadata } = object as { kind: string; metadata: { name: string } };
  created.push(`${kind.toLowerCase()}/${metadata.name}`);
}

/** A pod pinned to the ground node (no taint there), images ignored by the node agent. */
function podObject(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "node-agent-e2e" } },
    spec: { nodeSelector: { "kubernetes.io/hostname": "ground" }, terminationGracePeriodSeconds: 5, ...spec },
  };
}

const getPod = (name: string) => kubectlJson<PodObject>(["get", "pod", name, "-n", NAMESPACE]);

async function phaseOf(name: string, phases: readonly string[], timeoutMs = 60_000): Promise<PodObject> {
  return eventually(
    `pod ${name} to reach ${phases.join(" or ")}`,
    async () => {
      const pod = await getPod(name);
      return phases.includes(pod.status.phase ?? "") ? pod : undefined;
    },
    timeoutMs,
  );
}

function pidOf(status: ContainerStatus | undefined): number {
  const match = /^node-agent:\/\/(\d+)$/.exec(status?.containerID ?? "");
  if (!match?.[1]) throw new Error(`no node-agent containerID in ${JSON.stringify(status)}`);
  return Number(match[1]);
}

/** `kubectl logs -f`, noting when output arrives, so a test can tell streaming from one late dump. */
function follow(
  pod: string,
): Promise<{ exitCode: number; stdout: string; firstChunkAt: number; lastChunkAt: number }> {
  const cluster = inject("cluster");
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(cluster.binDir, "kubectl"), [
      "--kubeconfig",
      cluster.kubeconfigs.admin,
      "logs",
      "-f",
      pod,
      "-n",
      NAMESPACE,
    ]);
    let stdout = "";
    let firstChunkAt = 0;
    let lastChunkAt = 0;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      lastChunkAt = Date.now();
      firstChunkAt ||= lastChunkAt;
      stdout += chunk;
    });
    child.stderr.pipe(process.stderr);
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ exitCode: code ?? -1, stdout, firstChunkAt, lastChunkAt });
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(onLocalCluster)("node agent", () => {
  it("runs a pod with envFrom, env references, $(VAR) expansion, volumes, a termination message and a ServiceAccount kubeconfig", async () => {
    const name = uniqueName("na-config");
    const kubectlBinary = path.join(inject("cluster").binDir, "kubectl");
    await create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-cfg` },
      data: { TARGET: "world", "app.properties": "color=blue\n" },
    });
    await create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `${name}-secret` },
      stringData: { password: "s3cret" },
    });
    const script = [
      'echo "greeting=$GREETING"',
      'echo "name=$POD_NAME node=$NODE password=$PASSWORD"',
      "cat /etc/app/app.properties",
      "cat /etc/info/labels; echo",
      'echo "args=$1"',
      '"$KUBECTL" auth whoami -o jsonpath="{.status.userInfo.username}"; echo',
      'echo "all done" > /dev/termination-log',
    ].join("\n");
    await create(
      podObject(name, {
        restartPolicy: "Never",
        containers: [
          {
            name: "main",
            image: "busybox",
            command: ["sh", "-c", script, "sh"],
            args: ["target=$(CFG_TARGET) escaped=$$(CFG_TARGET) unknown=$(NOPE)"],
            envFrom: [{ configMapRef: { name: `${name}-cfg` }, prefix: "CFG_" }],
            env: [
              { name: "GREETING", value: "hello $(CFG_TARGET)" },
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              { name: "PASSWORD", valueFrom: { secretKeyRef: { name: `${name}-secret`, key: "password" } } },
              { name: "KUBECTL", value: kubectlBinary },
            ],
            volumeMounts: [
              { name: "config", mountPath: "/etc/app" },
              { name: "info", mountPath: "/etc/info" },
            ],
          },
        ],
        volumes: [
          { name: "config", configMap: { name: `${name}-cfg` } },
          {
            name: "info",
            downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
          },
        ],
      }),
    );

    const pod = await phaseOf(name, ["Succeeded", "Failed"]);
    const logs = await kubectl(["logs", name, "-n", NAMESPACE]);
    expect(pod.status.phase, logs).toBe("Succeeded");
    expect(pod.spec.nodeName).toBe("ground");
    expect(logs.split("\n")).toEqual([
      "greeting=hello world",
      `name=${name} node=ground password=s3cret`,
      "color=blue",
      'app="node-agent-e2e"',
      "args=target=world escaped=$(CFG_TARGET) unknown=$(NOPE)",
      "system:serviceaccount:default:default",
    ]);
    expect(pod.status.containerStatuses?.[0]?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: "Completed",
      message: "all done\n",
    });
  });

  it("waits in CreateContainerConfigError for a missing ConfigMap, naming it, and starts once it exists", async () => {
    const name = uniqueName("na-missing");
    await create(
      podObject(name, {
        restartPolicy: "Never",
        containers: [
          {
            name: "main",
            image: "busybox",
            command: ["sh", "-c", 'echo "value=$VALUE"'],
            env: [{ name: "VALUE", valueFrom: { configMapKeyRef: { name: `${name}-late`, key: "value" } } }],
          },
        ],
      }),
    );
    const waiting = await eventually(`pod ${name} to report CreateContainerConfigError`, async () => {
      const state = (await getPod(name)).status.containerStatuses?.[0]?.state.waiting;
      return state?.reason === "CreateContainerConfigError" ? state : undefined;
    });
    expect(waiting.message).toBe(`configmap "${name}-late" not found`);
    expect((await getPod(name)).status.phase).toBe("Pending");

    await create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-late` },
      data: { value: "arrived" },
    });
    await phaseOf(name, ["Succeeded"]);
    expect((await kubectl(["logs", name, "-n", NAMESPACE])).trim()).toBe("value=arrived");
  });

  it("runs init containers first, sharing an emptyDir with the main container", async () => {
    const name = uniqueName("na-init");
    await create(
      podObject(name, {
        restartPolicy: "Never",
        initContainers: [
          {
            name: "prepare",
            image: "busybox",
            command: ["sh", "-c", "echo prepared > /work/state"],
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          },
        ],
        containers: [
          {
            name: "main",
            image: "busybox",
            command: ["cat", "/work/state"],
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          },
        ],
        volumes: [{ name: "work", emptyDir: {} }],
      }),
    );
    const pod = await phaseOf(name, ["Succeeded", "Failed"]);
    expect(pod.status.phase).toBe("Succeeded");
    expect(pod.status.initContainerStatuses?.[0]?.state.terminated?.reason).toBe("Completed");
    expect((await kubectl(["logs", name, "-n", NAMESPACE, "-c", "main"])).trim()).toBe("prepared");
  });

  it("restarts a failed container under OnFailure and keeps the previous instance's log", async () => {
    const name = uniqueName("na-restart");
    await create(
      podObject(name, {
        restartPolicy: "OnFailure",
        containers: [
          {
            name: "main",
            image: "busybox",
            command: [
              "sh",
              "-c",
              "if [ -e /scratch/ran ]; then echo second try; else touch /scratch/ran; echo first try; exit 7; fi",
            ],
            volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
          },
        ],
        volumes: [{ name: "scratch", emptyDir: {} }],
      }),
    );
    const pod = await phaseOf(name, ["Succeeded", "Failed"]);
    expect(pod.status.phase).toBe("Succeeded");
    expect(pod.status.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      lastState: { terminated: { exitCode: 7 } },
    });
    expect((await kubectl(["logs", name, "-n", NAMESPACE])).trim()).toBe("second try");
    expect((await kubectl(["logs", name, "-n", NAMESPACE, "--previous"])).trim()).toBe("first try");
  });

  it("kills a pod past its activeDeadlineSeconds and reports DeadlineExceeded", async () => {
    const name = uniqueName("na-deadline");
    await create(
      podObject(name, {
        restartPolicy: "Never",
        activeDeadlineSeconds: 3,
        containers: [{ name: "main", image: "busybox", command: ["sh", "-c", "sleep 300"] }],
      }),
    );
    const running = await phaseOf(name, ["Running"]);
    const pid = pidOf(running.status.containerStatuses?.[0]);
    expect(processAlive(pid)).toBe(true);

    const failed = await phaseOf(name, ["Failed"], 30_000);
    expect(failed.status.reason).toBe("DeadlineExceeded");
    expect(failed.status.message).toBe("Pod was active on the node longer than the specified deadline");
    expect(failed.status.containerStatuses?.[0]?.state.terminated?.exitCode).toBeGreaterThan(128);
    expect(processAlive(pid)).toBe(false);
  });

  it("stops the process group when the pod is deleted, then removes the pod", async () => {
    const name = uniqueName("na-delete");
    await create(
      podObject(name, {
        restartPolicy: "Never",
        containers: [{ name: "main", image: "busybox", command: ["sh", "-c", "echo started; sleep 300"] }],
      }),
    );
    const running = await phaseOf(name, ["Running"]);
    const pid = pidOf(running.status.containerStatuses?.[0]);
    expect(processAlive(pid)).toBe(true);

    const started = Date.now();
    await kubectl(["delete", "pod", name, "-n", NAMESPACE, "--wait=false"]);
    await eventually(`pod ${name} to be gone`, async () => {
      const result = await kubectlAs("admin", ["get", "pod", name, "-n", NAMESPACE]);
      return result.exitCode !== 0 && result.stderr.includes("NotFound") ? true : undefined;
    });
    expect(processAlive(pid)).toBe(false);
    // SIGTERM ends `sh -c` at once: well inside the 5 s grace period, no SIGKILL wait.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("follows a running container's log through the apiserver until it exits", async () => {
    const name = uniqueName("na-follow");
    await create(
      podObject(name, {
        restartPolicy: "Never",
        containers: [
          {
            name: "main",
            image: "busybox",
            command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; sleep 0.5; done; echo oops >&2"],
          },
        ],
      }),
    );
    await phaseOf(name, ["Running", "Succeeded"]);
    const followed = await follow(name);
    expect(followed.exitCode, followed.stdout).toBe(0);
    expect(followed.stdout.split("\n")).toEqual([
      "line 1",
      "line 2",
      "line 3",
      "line 4",
      "line 5",
      "oops",
      "",
    ]);
    // Lines arrive while the container runs (about 2.5 s), not all at once at its end.
    expect(followed.lastChunkAt - followed.firstChunkAt).toBeGreaterThan(1_000);

    await phaseOf(name, ["Succeeded"]);
    const tail = await kubectl(["logs", name, "-n", NAMESPACE, "--tail=2", "--timestamps"]);
    const lines = tail.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line 5$/);
    expect(lines[1]).toMatch(/Z oops$/);
  });
});
