import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StateDir } from "./paths.js";
import { StopWaiting, waitUntil } from "./wait.js";

/**
 * Every process the harness starts carries this variable (and passes it on to its children, pod
 * processes included), so `down` can find what pid files missed after a crash.
 */
export const CLUSTER_MARKER_ENV = "RELEASE_OPERATOR_CLUSTER";

export interface ServiceSpec {
  /** Unique within the cluster: names the pid file and the log file. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface ServiceRecord {
  readonly name: string;
  readonly pid: number;
  /** The kernel's start time of the pid, so a recycled pid is never taken for ours. */
  readonly startTicks: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly log: string;
  readonly startedAt: string;
}

function pidFile(state: StateDir, name: string): string {
  return path.join(state.pids, `${name}.json`);
}

export function logFile(state: StateDir, name: string): string {
  return path.join(state.logs, `${name}.log`);
}

/** The pids listed in /proc. */
export function processIds(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/**
 * The fields of /proc/<pid>/stat from field 3 (state) on, so index 0 is the state, 1 the parent pid
 * and 19 the start time; undefined when the process is gone.
 */
export function statFieldsOf(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; fields after it start past the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Resident memory of a process (VmRSS) in KiB; 0 when it is gone. */
export function residentKiBOf(pid: number): number {
  try {
    const line = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return line ? Number(line[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in seconds; undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  const fields = statFieldsOf(pid);
  if (fields === undefined) return undefined;
  // utime and stime (fields 14 and 15) count clock ticks, 100 a second on Linux (USER_HZ).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The environment of a process (NAME=value entries), or undefined when it is gone or not ours to read. */
export function environmentOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat, or undefined when the process is gone (or a zombie). */
function startTicksOf(pid: number): string | undefined {
  const fields = statFieldsOf(pid);
  if (fields === undefined || fields[0] === "Z" || fields[0] === "X") return undefined;
  return fields[19];
}

export function isAlive(record: ServiceRecord): boolean {
  return startTicksOf(record.pid) === record.startTicks;
}

export function readRecord(state: StateDir, name: string): ServiceRecord | undefined {
  const file = pidFile(state, name);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as ServiceRecord;
}

export function readRecords(state: StateDir): ServiceRecord[] {
  if (!existsSync(state.pids)) return [];
  return readdirSync(state.pids)
    .filter((file) => file.endsWith(".json"))
    .map((file) => JSON.parse(readFileSync(path.join(state.pids, file), "utf8")) as ServiceRecord);
}

/** The last lines of a service's log, for error messages. */
export function tailOfLog(state: StateDir, name: string, lines = 15): string {
  const file = logFile(state, name);
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Starts a service in the background, detached in its own process group, with stdout and stderr in
 * its log file. Idempotent: a service whose recorded process still runs is left as it is.
 */
export async function startService(state: StateDir, spec: ServiceSpec): Promise<ServiceRecord> {
  const existing = readRecord(state, spec.name);
  if (existing && isAlive(existing)) return existing;

  const log = logFile(state, spec.name);
  const fd = openSync(log, "a");
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd ?? state.root,
      env: { ...process.env, ...spec.env, [CLUSTER_MARKER_ENV]: state.root },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", (error) => {
        reject(new Error(`could not start ${spec.name} (${spec.command}): ${error.message}`));
      });
      child.once("spawn", () => {
        if (child.pid === undefined) reject(new Error(`${spec.name} started without a pid`));
        else resolve(child.pid);
      });
    });
    child.unref();
    const startTicks = startTicksOf(pid);
    if (startTicks === undefined) {
      throw new Error(
        `${spec.name} exited at once; its log ${log} ends with:\n${tailOfLog(state, spec.name)}`,
      );
    }
    const record: ServiceRecord = {
      name: spec.name,
      pid,
      startTicks,
      command: spec.command,
      args: spec.args,
      log,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(pidFile(state, spec.name), JSON.stringify(record, null, 2));
    return record;
  } finally {
    closeSync(fd);
  }
}

/** Fails with the service's log tail when its process has died, so waits end early with the cause. */
export function assertAlive(state: StateDir, record: ServiceRecord): void {
  if (!isAlive(record)) {
    throw new StopWaiting(
      `${record.name} (pid ${record.pid}) exited; its log ${record.log} ends with:\n${tailOfLog(state, record.name)}`,
    );
  }
}

/**
 * A service's saved info when its process still runs, so a fixture's start can return it untouched.
 * A record whose info was never saved is an earlier start that died half-way: that process is
 * stopped, so the caller starts over from a known config.
 */
export async function runningService(
  state: StateDir,
  name: string,
  infoFile: string,
): Promise<{ record: ServiceRecord; info: unknown } | undefined> {
  const record = readRecord(state, name);
  const info: unknown = existsSync(infoFile) ? JSON.parse(readFileSync(infoFile, "utf8")) : undefined;
  if (record && isAlive(record) && info !== undefined) return { record, info };
  if (record) await stopService(state, record);
  return undefined;
}

/** Signals a process group (a detached child leads its own), or the process alone if it has none. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM to the service's process group, SIGKILL after the grace period; removes its pid file. */
export async function stopService(state: StateDir, record: ServiceRecord, graceMs = 10_000): Promise<void> {
  if (isAlive(record)) {
    signalGroup(record.pid, "SIGTERM");
    try {
      await waitUntil(`${record.name} to exit`, () => !isAlive(record), {
        timeoutMs: graceMs,
        intervalMs: 100,
      });
    } catch {
      signalGroup(record.pid, "SIGKILL");
      await waitUntil(`${record.name} to exit after SIGKILL`, () => !isAlive(record), {
        timeoutMs: 5_000,
        intervalMs: 100,
      });
    }
  }
  rmSync(pidFile(state, record.name), { force: true });
}

/** Pids of live processes whose environment carries this cluster's marker (children included). */
export function markedProcesses(state: StateDir): number[] {
  const marker = `${CLUSTER_MARKER_ENV}=${state.root}`;
  return processIds().filter(
    (pid) =>
      pid !== process.pid && environmentOf(pid)?.includes(marker) === true && startTicksOf(pid) !== undefined,
  );
}

/** Kills whatever still carries the marker; returns the pids it had to kill. */
export async function sweepMarkedProcesses(state: StateDir): Promise<number[]> {
  const leftovers = markedProcesses(state);
  for (const pid of leftovers) signalGroup(pid, "SIGTERM");
  try {
    await waitUntil("marked processes to exit", () => markedProcesses(state).length === 0, {
      timeoutMs: 5_000,
      intervalMs: 100,
    });
  } catch {
    for (const pid of markedProcesses(state)) signalGroup(pid, "SIGKILL");
  }
  return leftovers;
}
