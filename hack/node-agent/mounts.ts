/**
 * Test infrastructure: where a pod's in-container paths live on the host, and how the agent rewrites
 * them.
 *
 * Containers run as host processes without a mount namespace, so a volume mounted at `/etc/config`
 * cannot appear there. Instead every volume is materialised in `<podDir>/volumes/<volume>`, each
 * mount becomes a symlink `<podDir>/root/<mountPath>` to it (or to its subPath), and the agent rewrites
 * the mount paths it finds in command, args, env values and workingDir to those host locations. A
 * path is rewritten only as whole segments at the start of a word: `/etc/config/app.yaml` and
 * `--file=/etc/config` are rewritten for a mount at `/etc/config`; `/etc/configs`, `/x/etc/config` and
 * `$HOME/etc/config` are not. The longest mount path wins, and rewritten text is never rewritten again.
 * A container's terminationMessagePath is rewritten the same way, to a file of its own under
 * `<podDir>/containers/<name>/` (two containers may both use the default /dev/termination-log).
 */
import path from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { allContainers } from "./references.js";

export interface PathRewrite {
  /** The in-container path, absolute and normalised. */
  readonly from: string;
  /** Its host location. */
  readonly to: string;
}

export interface MountLink {
  /** `<podDir>/root/<mountPath>`. */
  readonly link: string;
  /** The volume directory, or the subPath inside it. */
  readonly target: string;
  readonly volume: string;
}

export interface PodLayout {
  readonly podDir: string;
  readonly rootDir: string;
  readonly logsDir: string;
  readonly kubeconfig: string;
  volumeDir(volume: string): string;
  terminationMessageFile(container: string): string;
}

export function podLayout(podDir: string): PodLayout {
  return {
    podDir,
    rootDir: path.join(podDir, "root"),
    logsDir: path.join(podDir, "logs"),
    kubeconfig: path.join(podDir, "kubeconfig"),
    volumeDir: (volume) => path.join(podDir, "volumes", volume),
    terminationMessageFile: (container) => path.join(podDir, "containers", container, "termination-log"),
  };
}

export type MountPlan =
  | {
      readonly ok: true;
      readonly links: readonly MountLink[];
      /** Per container (init containers included): its rewrites, longest `from` first. */
      readonly rewrites: ReadonlyMap<string, readonly PathRewrite[]>;
    }
  | { readonly ok: false; readonly message: string };

export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

/** Resolves `relative` inside `base`, or undefined when it would escape it. */
export function insideDir(base: string, relative: string): string | undefined {
  const resolved = path.resolve(base, relative);
  return resolved === base || resolved.startsWith(base + path.sep) ? resolved : undefined;
}

export function planMounts(pod: V1Pod, layout: PodLayout): MountPlan {
  const volumes = new Set((pod.spec?.volumes ?? []).map((volume) => volume.name));
  const links = new Map<string, MountLink & { container: string }>();
  const rewrites = new Map<string, PathRewrite[]>();

  for (const container of allContainers(pod)) {
    const own: PathRewrite[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const where = `container "${container.name}" volumeMount "${mount.name}" at ${mount.mountPath}`;
      if (!volumes.has(mount.name))
        return { ok: false, message: `${where}: the pod has no volume "${mount.name}"` };
      if (!mount.mountPath.startsWith("/"))
        return { ok: false, message: `${where}: mountPath must be absolute` };
      const from = path.posix.normalize(mount.mountPath).replace(/\/+$/, "");
      if (from === "")
        return { ok: false, message: `${where}: a volume mounted at / cannot be emulated on the host` };
      const volumeDir = layout.volumeDir(mount.name);
      const target = mount.subPath ? insideDir(volumeDir, mount.subPath) : volumeDir;
      if (target === undefined)
        return { ok: false, message: `${where}: subPath "${mount.subPath}" leaves the volume` };
      const link = path.join(layout.rootDir, from);
      const existing = links.get(link);
      if (existing !== undefined && existing.target !== target) {
        return {
          ok: false,
          message: `${where}: container "${existing.container}" mounts another volume or subPath there; the node agent shares one root per pod`,
        };
      }
      links.set(link, { link, target, volume: mount.name, container: container.name });
      own.push({ from, to: link });
    }
    const messagePath = path.posix.normalize(
      container.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH,
    );
    own.push({ from: messagePath, to: layout.terminationMessageFile(container.name) });
    rewrites.set(container.name, sortedRewrites(own));
  }
  return {
    ok: true,
    links: [...links.values()].map(({ link, target, volume }) => ({ link, target, volume })),
    rewrites,
  };
}

export function sortedRewrites(rewrites: readonly PathRewrite[]): PathRewrite[] {
  return [...rewrites].sort((a, b) => b.from.length - a.from.length);
}

/** Characters that continue a path segment: a mount path followed or preceded by one is not that path. */
function isSegmentChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9._~@+-]/.test(char);
}

/** Whether a path may start at `index`: at the start, after a non-path character, or right after "://". */
function startsWord(value: string, index: number): boolean {
  if (index === 0) return true;
  if (value.slice(Math.max(0, index - 3), index) === "://") return true;
  const before = value[index - 1];
  return before !== "/" && !isSegmentChar(before);
}

/** Rewrites in-container paths in `value`; `rewrites` must be longest `from` first (see sortedRewrites). */
export function rewritePaths(value: string, rewrites: readonly PathRewrite[]): string {
  if (rewrites.length === 0 || !value.includes("/")) return value;
  let output = "";
  let index = 0;
  while (index < value.length) {
    if (value[index] === "/" && startsWord(value, index)) {
      const match = rewrites.find(
        ({ from }) => value.startsWith(from, index) && !isSegmentChar(value[index + from.length]),
      );
      if (match !== undefined) {
        output += match.to;
        index += match.from.length;
        continue;
      }
    }
    output += value.charAt(index);
    index += 1;
  }
  return output;
}
