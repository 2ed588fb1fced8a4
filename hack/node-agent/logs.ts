/**
 * Test infrastructure: container logs as the CRI keeps them, and the kubelet's log queries over them.
 *
 * Each line of `<podDir>/logs/<container>.log` is `<RFC3339Nano time> <stdout|stderr> <F|P> <content>`:
 * F ends a line, P is a piece of a line longer than MAX_LINE_BYTES. A restart moves the file to
 * `<container>.previous.log`, which serves `previous=true`. Everything here but ContainerLogWriter
 * is pure: query parsing and validation, filtering (sinceTime/sinceSeconds), tailLines, limitBytes
 * and timestamps, and the log tail used as a termination message.
 */
import { createWriteStream } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";

export type LogStream = "stdout" | "stderr";

export interface LogRecord {
  /** As stored: RFC3339Nano, UTC. */
  readonly timestamp: string;
  readonly stream: LogStream;
  /** A piece of a longer line: rendered without a newline. */
  readonly partial: boolean;
  readonly content: string;
}

/** containerd's limit before it splits a line into partial records. */
export const MAX_LINE_BYTES = 16 * 1024;

export function logFile(logsDir: string, container: string): string {
  return path.join(logsDir, `${container}.log`);
}

export function previousLogFile(logsDir: string, container: string): string {
  return path.join(logsDir, `${container}.previous.log`);
}

/** RFC3339Nano as Go formats it: nanoseconds with trailing zeros dropped, no fraction when zero. */
export function formatRfc3339Nano(epochNanos: bigint): string {
  const millis = epochNanos / 1_000_000n;
  const seconds = new Date(Number(millis)).toISOString().slice(0, 19);
  const fraction = (epochNanos % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${seconds}${fraction ? `.${fraction}` : ""}Z`;
}

/** A clock with nanosecond resolution, monotonic within the process, anchored to wall time at start. */
export function nanoClock(): () => bigint {
  const anchor = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  let last = 0n;
  return () => {
    // Strictly increasing, so sinceTime and ordering never tie between two lines.
    const now = anchor + process.hrtime.bigint();
    last = now > last ? now : last + 1n;
    return last;
  };
}

export function encodeRecord(record: LogRecord): string {
  return `${record.timestamp} ${record.stream} ${record.partial ? "P" : "F"} ${record.content}\n`;
}

/** Parses one stored line (without its newline); undefined for a line that is not a CRI record. */
export function parseRecord(line: string): LogRecord | undefined {
  const first = line.indexOf(" ");
  const second = line.indexOf(" ", first + 1);
  const third = line.indexOf(" ", second + 1);
  if (first <= 0 || second === -1) return undefined;
  const stream = line.slice(first + 1, second);
  if (stream !== "stdout" && stream !== "stderr") return undefined;
  const tag = third === -1 ? line.slice(second + 1) : line.slice(second + 1, third);
  if (tag !== "F" && tag !== "P") return undefined;
  return {
    timestamp: line.slice(0, first),
    stream,
    partial: tag === "P",
    content: third === -1 ? "" : line.slice(third + 1),
  };
}

/** Splits a byte stream into lines, cutting lines longer than MAX_LINE_BYTES into partial pieces. */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { content: string; partial: boolean }[] {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: { content: string; partial: boolean }[] = [];
    for (;;) {
      const newline = data.indexOf(0x0a);
      if (newline === -1) break;
      out.push(...this.cut(data.subarray(0, newline)));
      data = data.subarray(newline + 1);
    }
    while (data.length >= MAX_LINE_BYTES) {
      out.push({ content: data.subarray(0, MAX_LINE_BYTES).toString("utf8"), partial: true });
      data = data.subarray(MAX_LINE_BYTES);
    }
    this.pending = Buffer.from(data);
    return out;
  }

  /** What is left at the end of the stream: a last line without a newline is still a full line. */
  flush(): { content: string; partial: boolean }[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest.length > 0 ? [{ content: rest.toString("utf8"), partial: false }] : [];
  }

  private cut(line: Buffer): { content: string; partial: boolean }[] {
    const pieces: { content: string; partial: boolean }[] = [];
    let rest = line;
    while (rest.length > MAX_LINE_BYTES) {
      pieces.push({ content: rest.subarray(0, MAX_LINE_BYTES).toString("utf8"), partial: true });
      rest = rest.subarray(MAX_LINE_BYTES);
    }
    pieces.push({ content: rest.toString("utf8"), partial: false });
    return pieces;
  }
}

/**
 * Appends a container's stdout and stderr to its log file as CRI records, one writer per container
 * instance. `finished` resolves once both streams ended and every record is on disk.
 */
export class ContainerLogWriter {
  private readonly out;
  private open = 0;
  private closed = false;
  private readonly done: Promise<void>;
  private resolveDone: () => void = () => undefined;

  constructor(
    readonly file: string,
    private readonly clock: () => bigint,
  ) {
    this.out = createWriteStream(file, { flags: "a" });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    // A failing log file must not take the agent down; the container runs on without its log.
    this.out.on("error", () => {
      this.closed = true;
      this.resolveDone();
    });
  }

  attach(stream: LogStream, source: Readable): void {
    this.open++;
    const splitter = new LineSplitter();
    const write = (pieces: { content: string; partial: boolean }[]) => {
      if (this.closed) return;
      for (const piece of pieces) {
        this.out.write(encodeRecord({ timestamp: formatRfc3339Nano(this.clock()), stream, ...piece }));
      }
    };
    source.on("data", (chunk: Buffer) => {
      write(splitter.push(chunk));
    });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      write(splitter.flush());
      this.open--;
      if (this.open === 0) this.close();
    };
    source.on("end", end);
    source.on("close", end);
    source.on("error", end);
  }

  /** Ends the file even if a stream never closes (a grandchild holding the pipe): used after a kill. */
  forceEnd(): void {
    if (this.open > 0) {
      this.open = 0;
      this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.end(() => {
      this.resolveDone();
    });
  }

  finished(): Promise<void> {
    return this.done;
  }
}

export interface LogQuery {
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly limitBytes?: number;
  readonly sinceSeconds?: number;
  readonly sinceTime?: Date;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const TRUE_WORDS = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** Parses the kubelet's /containerLogs query (PodLogOptions as query parameters) and validates it. */
export function parseLogQuery(params: URLSearchParams): Parsed<LogQuery> {
  const problems: string[] = [];
  const flag = (name: string): boolean => {
    const value = params.get(name);
    if (value === null || value === "") return false;
    if (TRUE_WORDS.has(value)) return true;
    if (!FALSE_WORDS.has(value)) problems.push(`${name}=${value} is not a boolean`);
    return false;
  };
  const integer = (name: string, min: number): number | undefined => {
    const value = params.get(name);
    if (value === null || value === "") return undefined;
    if (!/^-?\d+$/.test(value)) {
      problems.push(`${name}=${value} is not an integer`);
      return undefined;
    }
    const number = Number(value);
    if (number < min) problems.push(`${name} must be greater than or equal to ${min}`);
    return number;
  };
  const follow = flag("follow");
  const previous = flag("previous");
  const timestamps = flag("timestamps");
  const tailLines = integer("tailLines", 0);
  const limitBytes = integer("limitBytes", 1);
  const sinceSeconds = integer("sinceSeconds", 1);
  let sinceTime: Date | undefined;
  const sinceText = params.get("sinceTime");
  if (sinceText !== null && sinceText !== "") {
    const millis = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(sinceText)
      ? Date.parse(sinceText)
      : NaN;
    if (Number.isNaN(millis)) problems.push(`sinceTime=${sinceText} is not an RFC3339 time`);
    else sinceTime = new Date(millis);
  }
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    problems.push("at most one of sinceTime or sinceSeconds may be specified");
  }
  if (problems.length > 0) return { ok: false, message: problems.join("; ") };
  return {
    ok: true,
    value: {
      follow,
      previous,
      timestamps,
      ...(tailLines !== undefined ? { tailLines } : {}),
      ...(limitBytes !== undefined ? { limitBytes } : {}),
      ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
      ...(sinceTime !== undefined ? { sinceTime } : {}),
    },
  };
}

/** Milliseconds since the epoch of a stored timestamp (sub-millisecond digits dropped). */
export function recordMillis(timestamp: string): number {
  return Date.parse(timestamp);
}

/** The earliest time a line may have to be shown, or undefined for no lower bound. */
export function sinceCutoff(query: LogQuery, now: Date): number | undefined {
  if (query.sinceTime !== undefined) return query.sinceTime.getTime();
  if (query.sinceSeconds !== undefined) return now.getTime() - query.sinceSeconds * 1000;
  return undefined;
}

/** The last `tailLines` stored lines of a file's text (all of them without tailLines). */
export function tailOf(text: string, tailLines: number | undefined): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (tailLines === undefined) return lines;
  return tailLines === 0 ? [] : lines.slice(-tailLines);
}

/**
 * Renders stored lines for a query, line by line, so the first read and a follow share one state: the
 * since cutoff, timestamps, and the bytes left under limitBytes (the last output is cut to fit).
 */
export class LogSelection {
  private remaining: number;

  constructor(
    private readonly query: LogQuery,
    private readonly cutoff: number | undefined,
  ) {
    this.remaining = query.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Whether limitBytes is used up: nothing more will be rendered. */
  get exhausted(): boolean {
    return this.remaining <= 0;
  }

  /** The bytes to send for one stored line (empty when filtered out or unparseable). */
  render(line: string): Buffer {
    if (this.exhausted) return Buffer.alloc(0);
    const record = parseRecord(line);
    if (record === undefined) return Buffer.alloc(0);
    if (this.cutoff !== undefined && recordMillis(record.timestamp) < this.cutoff) return Buffer.alloc(0);
    const text = `${this.query.timestamps ? `${record.timestamp} ` : ""}${record.content}${record.partial ? "" : "\n"}`;
    let bytes = Buffer.from(text, "utf8");
    if (bytes.length > this.remaining) bytes = bytes.subarray(0, this.remaining);
    this.remaining -= bytes.length;
    return bytes;
  }
}

/** What a query shows of a whole file's text (no follow): tail first, then the since filter and limit. */
export function selectLog(text: string, query: LogQuery, now: Date): Buffer {
  const selection = new LogSelection(query, sinceCutoff(query, now));
  return Buffer.concat(tailOf(text, query.tailLines).map((line) => selection.render(line)));
}

export const TERMINATION_LOG_LINES = 80;
export const TERMINATION_LOG_BYTES = 2048;

/** The kubelet's FallbackToLogsOnError message: the last 80 lines, then at most the last 2048 bytes of them. */
export function terminationLogTail(text: string): string {
  const rendered = Buffer.from(
    tailOf(text, TERMINATION_LOG_LINES)
      .map((line) => parseRecord(line))
      .map((record) => (record === undefined ? "" : `${record.content}${record.partial ? "" : "\n"}`))
      .join(""),
    "utf8",
  );
  return rendered.subarray(Math.max(0, rendered.length - TERMINATION_LOG_BYTES)).toString("utf8");
}
