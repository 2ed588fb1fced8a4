// A pino logger whose JSON lines a test can read back.
import { pino } from "pino";
import type { Logger } from "../../src/log.js";

export function capturingLogger<Line>(
  read: (line: string) => Line = (line) => JSON.parse(line) as Line,
  level = "debug",
): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const log = pino(
    { level },
    {
      write: (line: string) => {
        lines.push(read(line));
      },
    },
  );
  return { log, lines };
}
