// Where in-container paths land on the host, and how strings naming them are rewritten.
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { planMounts, podLayout, rewritePaths, sortedRewrites, type PathRewrite } from "./mounts.js";

const rewrites: PathRewrite[] = sortedRewrites([
  { from: "/etc/config", to: "/pods/u/root/etc/config" },
  { from: "/etc/config/extra", to: "/pods/u/root/etc/config/extra" },
  { from: "/data", to: "/pods/u/root/data" },
  { from: "/dev/termination-log", to: "/pods/u/containers/main/termination-log" },
]);

describe("rewritePaths", () => {
  it.each([
    ["the mount path itself", "/etc/config", "/pods/u/root/etc/config"],
    ["a file under it", "/etc/config/app.yaml", "/pods/u/root/etc/config/app.yaml"],
    [
      "after a space in a shell line",
      "cat /etc/config/a && ls /data",
      "cat /pods/u/root/etc/config/a && ls /pods/u/root/data",
    ],
    ["after =", "--config=/etc/config/app.yaml", "--config=/pods/u/root/etc/config/app.yaml"],
    ["inside quotes", `sh -c "cat '/data/x'"`, `sh -c "cat '/pods/u/root/data/x'"`],
    ["after a colon, as in PATH-like lists", "/usr/bin:/data/bin", "/usr/bin:/pods/u/root/data/bin"],
    [
      "the termination log",
      "echo bye > /dev/termination-log",
      "echo bye > /pods/u/containers/main/termination-log",
    ],
    ["a file URL", "file:///etc/config/app.yaml", "file:///pods/u/root/etc/config/app.yaml"],
    ["the longest mount wins", "/etc/config/extra/x", "/pods/u/root/etc/config/extra/x"],
    ["not a longer segment name", "/etc/configuration /datafile", "/etc/configuration /datafile"],
    ["not a name with a dot suffix", "/etc/config.bak", "/etc/config.bak"],
    ["not inside another path", "/opt/etc/config /x/data", "/opt/etc/config /x/data"],
    ["not after a variable", "$HOME/data", "$HOME/data"],
    ["a relative path is untouched", "etc/config/a", "etc/config/a"],
    ["text without paths", "hello world", "hello world"],
  ])("%s: %j", (_name, input, expected) => {
    expect(rewritePaths(input, rewrites)).toBe(expected);
  });

  it("rewritten text is never rewritten again", () => {
    const nested = sortedRewrites([
      { from: "/a", to: "/a/b" },
      { from: "/b", to: "/zzz" },
    ]);
    expect(rewritePaths("/a /b", nested)).toBe("/a/b /zzz");
  });
});

const layout = podLayout("/work/pods/uid-1");

function pod(spec: Partial<NonNullable<V1Pod["spec"]>>): V1Pod {
  return { metadata: { name: "p", namespace: "ns", uid: "uid-1" }, spec: { containers: [], ...spec } };
}

describe("planMounts", () => {
  it("links each mount to its volume (or subPath) and gives each container its rewrites", () => {
    const plan = planMounts(
      pod({
        volumes: [
          { name: "cfg", configMap: { name: "app" } },
          { name: "scratch", emptyDir: {} },
        ],
        initContainers: [{ name: "setup", volumeMounts: [{ name: "scratch", mountPath: "/work/" }] }],
        containers: [
          {
            name: "main",
            terminationMessagePath: "/tmp/msg",
            volumeMounts: [
              { name: "cfg", mountPath: "/etc/config" },
              { name: "cfg", mountPath: "/etc/app.yaml", subPath: "app.yaml" },
              { name: "scratch", mountPath: "/work" },
            ],
          },
        ],
      }),
      layout,
    );
    expect(plan).toEqual({
      ok: true,
      links: [
        { link: "/work/pods/uid-1/root/work", target: "/work/pods/uid-1/volumes/scratch", volume: "scratch" },
        { link: "/work/pods/uid-1/root/etc/config", target: "/work/pods/uid-1/volumes/cfg", volume: "cfg" },
        {
          link: "/work/pods/uid-1/root/etc/app.yaml",
          target: "/work/pods/uid-1/volumes/cfg/app.yaml",
          volume: "cfg",
        },
      ],
      rewrites: new Map([
        [
          "setup",
          [
            { from: "/dev/termination-log", to: "/work/pods/uid-1/containers/setup/termination-log" },
            { from: "/work", to: "/work/pods/uid-1/root/work" },
          ],
        ],
        [
          "main",
          [
            { from: "/etc/app.yaml", to: "/work/pods/uid-1/root/etc/app.yaml" },
            { from: "/etc/config", to: "/work/pods/uid-1/root/etc/config" },
            { from: "/tmp/msg", to: "/work/pods/uid-1/containers/main/termination-log" },
            { from: "/work", to: "/work/pods/uid-1/root/work" },
          ],
        ],
      ]),
    });
  });

  it.each<[string, Partial<NonNullable<V1Pod["spec"]>>, string]>([
    [
      "a mount of a volume the pod lacks",
      { containers: [{ name: "c", volumeMounts: [{ name: "ghost", mountPath: "/x" }] }] },
      'the pod has no volume "ghost"',
    ],
    [
      "a mount at /",
      {
        volumes: [{ name: "v", emptyDir: {} }],
        containers: [{ name: "c", volumeMounts: [{ name: "v", mountPath: "/" }] }],
      },
      "cannot be emulated on the host",
    ],
    [
      "a subPath that leaves the volume",
      {
        volumes: [{ name: "v", emptyDir: {} }],
        containers: [{ name: "c", volumeMounts: [{ name: "v", mountPath: "/x", subPath: "../../etc" }] }],
      },
      "leaves the volume",
    ],
    [
      "two containers mounting different volumes at one path",
      {
        volumes: [
          { name: "a", emptyDir: {} },
          { name: "b", emptyDir: {} },
        ],
        containers: [
          { name: "one", volumeMounts: [{ name: "a", mountPath: "/shared" }] },
          { name: "two", volumeMounts: [{ name: "b", mountPath: "/shared" }] },
        ],
      },
      'container "one" mounts another volume or subPath there',
    ],
  ])("refuses %s", (_name, spec, message) => {
    const plan = planMounts(pod(spec), layout);
    expect(plan.ok).toBe(false);
    expect(plan.ok ? "" : plan.message).toContain(message);
  });
});
