/**
 * Test infrastructure: one container instance as a host process. Images are ignored; the command runs
 * detached in its own process group (so `sh -c 'sleep 100'` and its children are signalled together),
 * with stdout and stderr appended to the container's CRI log. When the main process exits, whatever it
 * left in its group is killed, as a container's processes die with its init process.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { environmentOf, signalGroup } from "../cluster/processes.js";
import { ContainerLogWriter } from "./logs.js";

export interface ProcessSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  readonly clock: () => bigint;
}

export interface ProcessExit {
  readonly exitCode: number;
  readonly finishedAt: Date;
}

export interface ContainerProcess {
  readonly pid: number;
  readonly startedAt: Date;
  /** Resolves after the process exited and its log is complete on disk. */
  readonly exited: Promise<ProcessExit>;
  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void;
}

export type StartResult =
  | { readonly ok: true; readonly process: ContainerProcess }
  | {
      readonly ok: false;
      readonly exitCode: number;
      readonly reason: "StartError";
      readonly message: string;
    };

/** The exit code a container runtime reports: the process's own, or 128 + the number of the signal that killed it. */
export function exitCodeFor(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + ((constants.signals[signal] as number | undefined) ?? 0);
  return 128;
}

/** The reason of a terminated state for an exit code, as the kubelet reports it. */
export function terminatedReason(exitCode: number): "Completed" | "Error" {
  return exitCode === 0 ? "Completed" : "Error";
}

/** The exit code runtimes report for a container whose process could not be started. */
export const START_ERROR_EXIT_CODE = 128;

/** A start failure's message in the words of runc, naming the command. */
export function startErrorMessage(command: string, errorCode: string | undefined, detail: string): string {
  const cause = (() => {
    switch (errorCode) {
      case "ENOENT":
        return command.includes("/") ? "no such file or directory" : "executable file not found in $PATH";
      case "EACCES":
        return "permission denied";
      case undefined:
      default:
        return detail;
    }
  })();
  return `failed to start container process: exec: "${command}": ${cause}`;
}

/** How long to wait for the pipes to drain once the main process exited and its group was killed. */
const DRAIN_TIMEOUT_MS = 2_000;

export async function startContainerProcess(spec: ProcessSpec): Promise<StartResult> {
  const [command, ...args] = spec.argv;
  if (command === undefined || command === "") {
    return {
      ok: false,
      exitCode: START_ERROR_EXIT_CODE,
      reason: "StartError",
      message:
        "container has no command: images are ignored by the node agent, so there is no image entrypoint; set command",
    };
  }
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started = await new Promise<{ ok: true } | { ok: false; code: string | undefined; detail: string }>(
    (resolve) => {
      child.once("spawn", () => {
        resolve({ ok: true });
      });
      child.once("error", (error: NodeJS.ErrnoException) => {
        resolve({ ok: false, code: error.code, detail: error.message });
      });
    },
  );
  if (!started.ok || child.pid === undefined) {
    const failure = started.ok ? { code: undefined, detail: "no pid" } : started;
    return {
      ok: false,
      exitCode: START_ERROR_EXIT_CODE,
      reason: "StartError",
      message: startErrorMessage(command, failure.code, failure.detail),
    };
  }
  const pid = child.pid;
  const startedAt = new Date();
  const writer = new ContainerLogWriter(spec.logFile, spec.clock);
  writer.attach("stdout", child.stdout);
  writer.attach("stderr", child.stderr);

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("exit", (code, signal) => {
      const exit = { exitCode: exitCodeFor(code, signal), finishedAt: new Date() };
      // The container ends with its main process: nothing it started may outlive it.
      signalGroup(pid, "SIGKILL");
      const drained = writer.finished();
      const timeout = new Promise<void>((done) => setTimeout(done, DRAIN_TIMEOUT_MS).unref());
      void Promise.race([drained, timeout]).then(async () => {
        writer.forceEnd();
        await writer.finished();
        resolve(exit);
      });
    });
  });
  return {
    ok: true,
    process: {
      pid,
      startedAt,
      exited,
      signal: (signal) => {
        signalGroup(pid, signal);
      },
    },
  };
}

/**
 * Kills the process group of a pid an earlier agent recorded, but only when that process still
 * carries this pod's marker: a recycled pid belongs to someone else. Returns whether it killed.
 */
export function killLeftoverGroup(pid: number, marker: string): boolean {
  if (environmentOf(pid)?.includes(marker) !== true) return false;
  signalGroup(pid, "SIGKILL");
  return true;
}
