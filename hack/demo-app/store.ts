// The state file: the demo app's memory across restarts. Written atomically (temporary file, fsync,
// rename), so a crash mid-write leaves the old state, never half a file.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { parseStoredState } from "./admin.js";
import type { DemoState } from "./state.js";

/** The saved state, or undefined when there is no file yet; a file that does not parse is an error. */
export function loadState(file: string, knownVersions: readonly string[]): DemoState | undefined {
  if (!existsSync(file)) return undefined;
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(
      `the demo app's state file ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix or delete it`,
      { cause: error },
    );
  }
  const parsed = parseStoredState(content, knownVersions);
  if (!parsed.ok)
    throw new Error(
      `the demo app's state file ${file} is not a valid state: ${parsed.error}; fix or delete it`,
    );
  return parsed.value;
}

export function saveState(file: string, state: DemoState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
