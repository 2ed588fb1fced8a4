// A container instance as a real host process: exit codes, signals, start errors, logs, process groups.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  exitCodeFor,
  killLeftoverGroup,
  startContainerProcess,
  startErrorMessage,
  terminatedReason,
  type ProcessSpec,
} from "./containers.js";
import { waitFor, waitUntil } from "../cluster/wait.js";
import { nanoClock, parseRecord } from "./logs.js";

describe("exitCodeFor", () => {
  it.each<[number | null, NodeJS.Signals | null, number]>([
    [0, null, 0],
    [3, null, 3],
    [null, "SIGKILL", 137],
    [null, "SIGTERM", 143],
    [null, "SIGINT", 130],
    [null, "SIGSEGV", 139],
  ])("code %s, signal %s → %i", (code, signal, expected) => {
    expect(exitCodeFor(code, signal)).toBe(expected);
  });

  it.each([
    [0, "Completed"],
    [1, "Error"],
    [137, "Error"],
  ])("exit %i is %s", (exitCode, reason) => {
    expect(terminatedReason(exitCode)).toBe(reason);
  });
});

describe("startErrorMessage", () => {
  it.each([
    ["nope", "ENOENT", 'failed to start container process: exec: "nope": executable file not found in $PATH'],
    [
      "/opt/nope",
      "ENOENT",
      'failed to start container process: exec: "/opt/nope": no such file or directory',
    ],
    ["/etc/passwd", "EACCES", 'failed to start container process: exec: "/etc/passwd": permission denied'],
    ["x", "EIO", 'failed to start container process: exec: "x": spawn x EIO'],
  ])("%s with %s", (command, code, message) => {
    expect(startErrorMessage(command, code, `spawn ${command} ${code}`)).toBe(message);
  });
});

const notExecutable = path.join(mkdtempSync(path.join(tmpdir(), "node-agent-noexec-")), "data.txt");
writeFileSync(notExecutable, "not a program", { mode: 0o644 });

function spec(argv: string[], env: Record<string, string> = {}): ProcessSpec {
  const dir = mkdtempSync(path.join(tmpdir(), "node-agent-containers-"));
  return {
    argv,
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    logFile: path.join(dir, "main.log"),
    clock: nanoClock(),
  };
}

function logLines(file: string) {
  return readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => parseRecord(line));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

describe("startContainerProcess", () => {
  it("runs the command with its env and cwd, logs stdout and stderr as CRI records, and reports the exit code", async () => {
    const s = spec(["sh", "-c", 'echo "hi $WHO from $(pwd)"; echo oops >&2; printf tail; exit 3'], {
      WHO: "there",
    });
    const started = await startContainerProcess(s);
    if (!started.ok) throw new Error(started.message);
    const exit = await started.process.exited;
    expect(exit.exitCode).toBe(3);
    const records = logLines(s.logFile);
    expect(records.map((r) => [r?.stream, r?.content])).toEqual(
      expect.arrayContaining([
        ["stdout", `hi there from ${s.cwd}`],
        ["stderr", "oops"],
        ["stdout", "tail"],
      ]),
    );
    expect(records.every((r) => r !== undefined && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(r.timestamp))).toBe(
      true,
    );
  });

  it("a process killed by a signal reports 128 + the signal number", async () => {
    const started = await startContainerProcess(spec(["sleep", "30"]));
    if (!started.ok) throw new Error(started.message);
    started.process.signal("SIGTERM");
    expect((await started.process.exited).exitCode).toBe(143);
  });

  it("signals reach the whole process group, children included", async () => {
    const s = spec(["sh", "-c", "sleep 30 & echo $!; wait"]);
    const started = await startContainerProcess(s);
    if (!started.ok) throw new Error(started.message);
    const child = await waitFor(
      "the child's pid in the log",
      () => {
        const pid = Number(logLines(s.logFile)[0]?.content);
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    expect(alive(child)).toBe(true);
    started.process.signal("SIGKILL");
    await started.process.exited;
    // The kernel tears the child down beside its parent, not before the parent's exit is reported.
    await waitUntil(`child ${child} gone`, () => !alive(child), { timeoutMs: 5_000, intervalMs: 20 });
  });

  it("what the main process leaves behind dies with it, like a container's processes", async () => {
    const s = spec(["sh", "-c", "sleep 30 & echo $!; exit 0"]);
    const started = await startContainerProcess(s);
    if (!started.ok) throw new Error(started.message);
    expect((await started.process.exited).exitCode).toBe(0);
    const child = Number(logLines(s.logFile)[0]?.content);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(child)).toBe(false);
  });

  it.each([
    [
      "a command not on PATH",
      ["no-such-command-xyz"],
      'exec: "no-such-command-xyz": executable file not found in $PATH',
    ],
    ["a file that is not executable", [notExecutable], `exec: "${notExecutable}": permission denied`],
    ["no command at all", [], "container has no command: images are ignored by the node agent"],
  ])("%s is a StartError with exit code 128", async (_name, argv, message) => {
    const started = await startContainerProcess(spec(argv));
    expect(started.ok).toBe(false);
    if (started.ok) return;
    expect(started.exitCode).toBe(128);
    expect(started.reason).toBe("StartError");
    expect(started.message).toContain(message);
  });
});

describe("killLeftoverGroup", () => {
  it("kills only a process that carries the pod's marker", async () => {
    const marked = await startContainerProcess(spec(["sleep", "30"], { RELEASE_OPERATOR_POD_UID: "uid-1" }));
    if (!marked.ok) throw new Error(marked.message);
    expect(killLeftoverGroup(marked.process.pid, "RELEASE_OPERATOR_POD_UID=uid-2")).toBe(false);
    expect(killLeftoverGroup(marked.process.pid, "RELEASE_OPERATOR_POD_UID=uid-1")).toBe(true);
    expect((await marked.process.exited).exitCode).toBe(137);
  });
});
