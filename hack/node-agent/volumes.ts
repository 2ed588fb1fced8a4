/**
 * Test infrastructure: a pod's volumes as files. `planVolumes` is pure: from the pod, the objects it
 * refers to and the tokens issued for it, the files each volume holds, or why a volume cannot be set
 * up yet (the kubelet's FailedMount; the pod waits in ContainerCreating and the agent retries).
 * `materialise` writes a plan and the mount symlinks once, when the pod starts: unlike the kubelet,
 * the agent does not refresh ConfigMap, Secret or token volumes afterwards.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { V1DownwardAPIVolumeFile, V1KeyToPath, V1Pod, V1Volume } from "@kubernetes/client-node";
import { fieldPathValue, type PodAddresses } from "./downward.js";
import { insideDir, type MountLink, type PodLayout } from "./mounts.js";
import { configMapEntries, secretEntries, type PodObjects } from "./references.js";

/** The API's default file mode for configMap, secret, downwardAPI and projected volumes (0644). */
export const DEFAULT_VOLUME_MODE = 0o644;

export interface VolumeFile {
  /** Relative to the volume's directory. */
  readonly path: string;
  readonly content: Buffer;
  readonly mode: number;
}

export interface PlannedVolume {
  readonly name: string;
  readonly files: readonly VolumeFile[];
}

/** A projected serviceAccountToken source that needs a TokenRequest before the plan can be made. */
export interface TokenNeed {
  readonly key: string;
  readonly volume: string;
  readonly audience?: string;
  readonly expirationSeconds: number;
}

export type VolumePlan =
  | { readonly ok: true; readonly volumes: readonly PlannedVolume[] }
  | { readonly ok: false; readonly volume: string; readonly message: string };

export function tokenKey(volume: string, filePath: string): string {
  return `${volume}/${filePath}`;
}

/** The tokens a pod's projected volumes need, each to be requested bound to the pod. */
export function tokenNeeds(pod: V1Pod): TokenNeed[] {
  return (pod.spec?.volumes ?? []).flatMap((volume) =>
    (volume.projected?.sources ?? []).flatMap((source) => {
      const token = source.serviceAccountToken;
      if (token === undefined) return [];
      return [
        {
          key: tokenKey(volume.name, token.path),
          volume: volume.name,
          ...(token.audience ? { audience: token.audience } : {}),
          expirationSeconds: token.expirationSeconds ?? 3600,
        },
      ];
    }),
  );
}

type Files = { ok: true; files: VolumeFile[] } | { ok: false; message: string };

function keyedFiles(
  entries: readonly [string, Buffer][],
  items: readonly V1KeyToPath[] | undefined,
  defaultMode: number,
  missingKey: (key: string) => string,
  optional: boolean,
): Files {
  if (items === undefined || items.length === 0) {
    return { ok: true, files: entries.map(([key, content]) => ({ path: key, content, mode: defaultMode })) };
  }
  const byKey = new Map(entries);
  const files: VolumeFile[] = [];
  for (const item of items) {
    const content = byKey.get(item.key);
    if (content === undefined) {
      if (optional) continue;
      return { ok: false, message: missingKey(item.key) };
    }
    files.push({ path: item.path, content, mode: item.mode ?? defaultMode });
  }
  return { ok: true, files };
}

function downwardFiles(
  pod: V1Pod,
  items: readonly V1DownwardAPIVolumeFile[] | undefined,
  defaultMode: number,
  addresses: PodAddresses,
): Files {
  const files: VolumeFile[] = [];
  for (const item of items ?? []) {
    if (item.fieldRef === undefined) {
      return {
        ok: false,
        message: `downwardAPI item ${item.path}: only fieldRef is supported by the node agent`,
      };
    }
    const field = fieldPathValue(pod, item.fieldRef.fieldPath, addresses);
    if (!field.ok) return { ok: false, message: `downwardAPI item ${item.path}: ${field.message}` };
    files.push({
      path: item.path,
      content: Buffer.from(field.value, "utf8"),
      mode: item.mode ?? defaultMode,
    });
  }
  return { ok: true, files };
}

function volumeFiles(
  pod: V1Pod,
  volume: V1Volume,
  objects: PodObjects,
  tokens: ReadonlyMap<string, string>,
  addresses: PodAddresses,
): Files {
  if (volume.emptyDir) return { ok: true, files: [] };
  if (volume.configMap) {
    const { name = "", items, optional = false, defaultMode = DEFAULT_VOLUME_MODE } = volume.configMap;
    const configMap = objects.configMaps.get(name);
    if (configMap === undefined) {
      return optional ? { ok: true, files: [] } : { ok: false, message: `configmap "${name}" not found` };
    }
    return keyedFiles(
      configMapEntries(configMap),
      items,
      defaultMode,
      (key) => `configmap references non-existent config key: ${key}`,
      optional,
    );
  }
  if (volume.secret) {
    const { secretName = "", items, optional = false, defaultMode = DEFAULT_VOLUME_MODE } = volume.secret;
    const secret = objects.secrets.get(secretName);
    if (secret === undefined) {
      return optional ? { ok: true, files: [] } : { ok: false, message: `secret "${secretName}" not found` };
    }
    return keyedFiles(
      secretEntries(secret),
      items,
      defaultMode,
      (key) => `references non-existent secret key: ${key}`,
      optional,
    );
  }
  if (volume.downwardAPI) {
    return downwardFiles(
      pod,
      volume.downwardAPI.items,
      volume.downwardAPI.defaultMode ?? DEFAULT_VOLUME_MODE,
      addresses,
    );
  }
  if (volume.projected) {
    const defaultMode = volume.projected.defaultMode ?? DEFAULT_VOLUME_MODE;
    const files: VolumeFile[] = [];
    for (const source of volume.projected.sources ?? []) {
      let part: Files;
      if (source.serviceAccountToken) {
        const token = tokens.get(tokenKey(volume.name, source.serviceAccountToken.path));
        if (token === undefined)
          return { ok: false, message: `no token was issued for ${source.serviceAccountToken.path}` };
        part = {
          ok: true,
          files: [{ path: source.serviceAccountToken.path, content: Buffer.from(token), mode: defaultMode }],
        };
      } else if (source.configMap) {
        const { name = "", items, optional = false } = source.configMap;
        const configMap = objects.configMaps.get(name);
        if (configMap === undefined) {
          if (optional) continue;
          return { ok: false, message: `configmap "${name}" not found` };
        }
        part = keyedFiles(
          configMapEntries(configMap),
          items,
          defaultMode,
          (key) => `configmap "${name}" references non-existent config key: ${key}`,
          optional,
        );
      } else if (source.secret) {
        const { name = "", items, optional = false } = source.secret;
        const secret = objects.secrets.get(name);
        if (secret === undefined) {
          if (optional) continue;
          return { ok: false, message: `secret "${name}" not found` };
        }
        part = keyedFiles(
          secretEntries(secret),
          items,
          defaultMode,
          (key) => `secret "${name}" references non-existent secret key: ${key}`,
          optional,
        );
      } else if (source.downwardAPI) {
        part = downwardFiles(pod, source.downwardAPI.items, defaultMode, addresses);
      } else {
        return {
          ok: false,
          message:
            "only serviceAccountToken, configMap, secret and downwardAPI projections are supported by the node agent",
        };
      }
      if (!part.ok) return part;
      files.push(...part.files);
    }
    return { ok: true, files };
  }
  return {
    ok: false,
    message:
      "only configMap, secret, emptyDir, downwardAPI and projected volumes are supported by the node agent",
  };
}

export function planVolumes(
  pod: V1Pod,
  objects: PodObjects,
  tokens: ReadonlyMap<string, string>,
  addresses: PodAddresses,
): VolumePlan {
  const volumes: PlannedVolume[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    const files = volumeFiles(pod, volume, objects, tokens, addresses);
    if (!files.ok) return { ok: false, volume: volume.name, message: files.message };
    for (const file of files.files) {
      if (path.isAbsolute(file.path) || insideDir("/volume", file.path) === undefined) {
        return { ok: false, volume: volume.name, message: `file path "${file.path}" leaves the volume` };
      }
    }
    volumes.push({ name: volume.name, files: files.files });
  }
  return { ok: true, volumes };
}

/** The token and CA a pod's kubeconfig uses: the first projected token, and a ca.crt projected beside it. */
export function podCredentials(
  plan: readonly PlannedVolume[],
  pod: V1Pod,
): { token: string; caPem?: string } | undefined {
  for (const volume of pod.spec?.volumes ?? []) {
    const tokenSource = volume.projected?.sources?.find((source) => source.serviceAccountToken !== undefined);
    if (tokenSource?.serviceAccountToken === undefined) continue;
    const files = plan.find((planned) => planned.name === volume.name)?.files ?? [];
    const token = files.find((file) => file.path === tokenSource.serviceAccountToken?.path);
    if (token === undefined) continue;
    const ca = files.find((file) => file.path === "ca.crt");
    return { token: token.content.toString("utf8"), ...(ca ? { caPem: ca.content.toString("utf8") } : {}) };
  }
  return undefined;
}

/** Writes every planned volume and creates the mount symlinks (replacing any left by an earlier attempt). */
export function materialise(
  layout: PodLayout,
  volumes: readonly PlannedVolume[],
  links: readonly MountLink[],
): void {
  for (const volume of volumes) {
    const dir = layout.volumeDir(volume.name);
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    // emptyDir is world-writable in the kubelet too; other volumes hold files written here.
    chmodSync(dir, 0o777);
    for (const file of volume.files) {
      const target = path.join(dir, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.content, { mode: file.mode });
      chmodSync(target, file.mode);
    }
  }
  // Shorter paths first, so a mount nested in another lands inside it rather than blocking it.
  for (const { link, target } of [...links].sort((a, b) => a.link.length - b.link.length)) {
    // A subPath that does not exist yet is created as a directory, as the kubelet does for emptyDir.
    if (!existsSync(target)) mkdirSync(target, { recursive: true });
    mkdirSync(path.dirname(link), { recursive: true });
    removeOldLink(link);
    symlinkSync(target, link);
  }
}

/** Removes a symlink left by an earlier attempt; anything else at a mount path is a conflict. */
function removeOldLink(link: string): void {
  let stat;
  try {
    stat = lstatSync(link);
  } catch {
    return;
  }
  if (!stat.isSymbolicLink()) {
    throw new Error(
      `cannot mount at ${link}: something else is already there (a mount nested in another mount?)`,
    );
  }
  unlinkSync(link);
}
