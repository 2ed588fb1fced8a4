// A Job's output as the report keeps it: every line with the kubelet's timestamp, the head and the tail
// within byte budgets (the report lives in a ConfigMap of at most 1 MiB, whatever a deploy prints), and
// a first line saying how many lines there were and what was cut. Pure.

export interface LogLine {
  /** RFC3339Nano, as the kubelet gives it; empty when the line had none. */
  at: string;
  text: string;
}

export interface LogLimits {
  headBytes: number;
  tailBytes: number;
  maxLineBytes: number;
}

const DEFAULT_LIMITS: LogLimits = { headBytes: 32 * 1024, tailBytes: 64 * 1024, maxLineBytes: 4 * 1024 };

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?(.*)$/s;

/** `2026-11-25T10:00:00.123456789Z text` -> { at, text }; a line without a timestamp keeps `at` empty. */
export function splitTimestamp(raw: string): LogLine {
  const match = TIMESTAMPED.exec(raw);
  return match === null ? { at: "", text: raw } : { at: match[1] ?? "", text: match[2] ?? "" };
}

const bytesOf = (line: LogLine): number => Buffer.byteLength(line.at) + Buffer.byteLength(line.text) + 2;

function cutLine(line: LogLine, maxBytes: number): LogLine {
  if (Buffer.byteLength(line.text) <= maxBytes) return line;
  const kept = Buffer.from(line.text)
    .subarray(0, maxBytes)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  const cut = Buffer.byteLength(line.text) - Buffer.byteLength(kept);
  return { at: line.at, text: `${kept} [... ${cut} bytes of this line cut]` };
}

export class BoundedLog {
  private readonly limits: LogLimits;
  private readonly head: LogLine[] = [];
  private headBytes = 0;
  private readonly tail: LogLine[] = [];
  private tailBytes = 0;
  private total = 0;
  private cutLines = 0;
  private cutBytes = 0;
  private headFull = false;
  private last: string | undefined;

  constructor(limits: Partial<LogLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  push(raw: LogLine): void {
    const line = cutLine(raw, this.limits.maxLineBytes);
    const size = bytesOf(line);
    this.total += 1;
    if (line.at !== "") this.last = line.at;
    if (!this.headFull && this.headBytes + size <= this.limits.headBytes) {
      this.head.push(line);
      this.headBytes += size;
      return;
    }
    this.headFull = true;
    this.tail.push(line);
    this.tailBytes += size;
    while (this.tailBytes > this.limits.tailBytes && this.tail.length > 1) {
      const dropped = this.tail.shift();
      if (dropped === undefined) break;
      const droppedSize = bytesOf(dropped);
      this.tailBytes -= droppedSize;
      this.cutLines += 1;
      this.cutBytes += droppedSize;
    }
  }

  /** Lines pushed in total. */
  get seen(): number {
    return this.total;
  }

  /** The timestamp of the last line that had one. */
  get lastAt(): string | undefined {
    return this.last;
  }

  lastLines(count: number): LogLine[] {
    const kept = [...this.head, ...this.tail];
    return kept.slice(Math.max(0, kept.length - count));
  }

  render(): string {
    const format = (line: LogLine): string => (line.at === "" ? line.text : `${line.at} ${line.text}`);
    const summary =
      this.cutLines === 0
        ? `# ${this.total} lines`
        : `# ${this.total} lines, ${this.cutLines} lines (${this.cutBytes} bytes) cut between line ${this.head.length + 1} and ${this.head.length + this.cutLines}`;
    const marker = this.cutLines === 0 ? [] : [`... ${this.cutLines} lines cut ...`];
    return [summary, ...this.head.map(format), ...marker, ...this.tail.map(format)].join("\n");
  }
}

/** How many lines the log a `render()` came from had; 0 for anything else. */
export function seenLinesIn(rendered: string): number {
  const match = /^# (\d+) lines/.exec(rendered);
  return match === null ? 0 : Number(match[1]);
}
