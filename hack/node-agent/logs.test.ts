// CRI log records and the kubelet's log queries over them.
import { describe, expect, it } from "vitest";
import {
  LineSplitter,
  LogSelection,
  MAX_LINE_BYTES,
  encodeRecord,
  formatRfc3339Nano,
  parseLogQuery,
  parseRecord,
  selectLog,
  terminationLogTail,
  type LogQuery,
} from "./logs.js";

const file = [
  "2030-01-01T00:00:01.5Z stdout F first",
  "2030-01-01T00:00:02.000000001Z stderr F second (stderr)",
  "2030-01-01T00:00:03Z stdout P par",
  "2030-01-01T00:00:03.1Z stdout F tial",
  "2030-01-01T00:00:04Z stdout F ",
  "2030-01-01T00:00:05Z stdout F last",
  "",
].join("\n");

const query = (over: Partial<LogQuery> = {}): LogQuery => ({
  follow: false,
  previous: false,
  timestamps: false,
  ...over,
});
const now = new Date("2030-01-01T00:00:06Z");

describe("selectLog", () => {
  it.each<[string, Partial<LogQuery>, string]>([
    ["everything, stdout and stderr, partial lines joined", {}, "first\nsecond (stderr)\npartial\n\nlast\n"],
    ["tailLines counts stored records", { tailLines: 2 }, "\nlast\n"],
    ["tailLines=0 shows nothing", { tailLines: 0 }, ""],
    ["tailLines beyond the file shows all", { tailLines: 100 }, "first\nsecond (stderr)\npartial\n\nlast\n"],
    [
      "sinceTime keeps lines at or after it",
      { sinceTime: new Date("2030-01-01T00:00:03.1Z") },
      "tial\n\nlast\n",
    ],
    ["sinceSeconds counts back from now", { sinceSeconds: 2 }, "\nlast\n"],
    ["limitBytes cuts the output mid-line", { limitBytes: 9 }, "first\nsec"],
    [
      "timestamps prefix each record as stored",
      { timestamps: true, tailLines: 3 },
      "2030-01-01T00:00:03.1Z tial\n2030-01-01T00:00:04Z \n2030-01-01T00:00:05Z last\n",
    ],
    [
      "limitBytes counts the timestamp too",
      { timestamps: true, limitBytes: 25 },
      "2030-01-01T00:00:01.5Z fi",
    ],
    ["tail then since", { tailLines: 4, sinceTime: new Date("2030-01-01T00:00:04Z") }, "\nlast\n"],
  ])("%s", (_name, over, expected) => {
    expect(selectLog(file, query(over), now).toString("utf8")).toBe(expected);
  });

  it("limitBytes spans a first read and later follow reads", () => {
    const selection = new LogSelection(query({ limitBytes: 8 }), undefined);
    expect(selection.render("2030-01-01T00:00:01Z stdout F hello").toString()).toBe("hello\n");
    expect(selection.exhausted).toBe(false);
    expect(selection.render("2030-01-01T00:00:02Z stdout F world").toString()).toBe("wo");
    expect(selection.exhausted).toBe(true);
    expect(selection.render("2030-01-01T00:00:03Z stdout F more").toString()).toBe("");
  });

  it("lines that are not CRI records are skipped", () => {
    expect(selectLog("garbage\n2030-01-01T00:00:01Z stdout F ok\n", query(), now).toString()).toBe("ok\n");
  });
});

describe("parseRecord / encodeRecord", () => {
  it.each([
    [
      "2030-01-01T00:00:01Z stdout F hello world",
      { stream: "stdout", partial: false, content: "hello world" },
    ],
    [
      "2030-01-01T00:00:01Z stderr P  leading space",
      { stream: "stderr", partial: true, content: " leading space" },
    ],
    ["2030-01-01T00:00:01Z stdout F", { stream: "stdout", partial: false, content: "" }],
  ])("%j", (line, expected) => {
    expect(parseRecord(line)).toEqual({ timestamp: "2030-01-01T00:00:01Z", ...expected });
  });

  it.each(["", "no-spaces", "2030-01-01T00:00:01Z stdin F x", "2030-01-01T00:00:01Z stdout X x"])(
    "%j is not a record",
    (line) => {
      expect(parseRecord(line)).toBeUndefined();
    },
  );

  it("round-trips", () => {
    const record = {
      timestamp: "2030-01-01T00:00:01.123456789Z",
      stream: "stderr" as const,
      partial: true,
      content: "a b",
    };
    expect(parseRecord(encodeRecord(record).slice(0, -1))).toEqual(record);
  });
});

describe("formatRfc3339Nano", () => {
  it.each([
    [1_893_456_000_000_000_000n, "2030-01-01T00:00:00Z"],
    [1_893_456_000_500_000_000n, "2030-01-01T00:00:00.5Z"],
    [1_893_456_001_000_000_001n, "2030-01-01T00:00:01.000000001Z"],
    [1_893_456_001_123_456_780n, "2030-01-01T00:00:01.12345678Z"],
  ])("%i → %s (Go drops trailing zeros)", (nanos, expected) => {
    expect(formatRfc3339Nano(nanos)).toBe(expected);
  });
});

describe("LineSplitter", () => {
  it("joins chunks into lines and keeps an unfinished line for later", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from("hel"))).toEqual([]);
    expect(splitter.push(Buffer.from("lo\nwor"))).toEqual([{ content: "hello", partial: false }]);
    expect(splitter.push(Buffer.from("ld\n\n"))).toEqual([
      { content: "world", partial: false },
      { content: "", partial: false },
    ]);
    expect(splitter.flush()).toEqual([]);
  });

  it("a last line without newline is a full line at the end", () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from("no newline"));
    expect(splitter.flush()).toEqual([{ content: "no newline", partial: false }]);
  });

  it("cuts lines longer than 16 KiB into partial records", () => {
    const splitter = new LineSplitter();
    const pieces = splitter.push(Buffer.from(`${"x".repeat(MAX_LINE_BYTES + 10)}\n`));
    expect(pieces.map((p) => [p.content.length, p.partial])).toEqual([
      [MAX_LINE_BYTES, true],
      [10, false],
    ]);
  });

  it("does not split a multi-byte character across chunks", () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from("é\n");
    expect(splitter.push(bytes.subarray(0, 1))).toEqual([]);
    expect(splitter.push(bytes.subarray(1))).toEqual([{ content: "é", partial: false }]);
  });
});

describe("parseLogQuery", () => {
  const parse = (query: string) => parseLogQuery(new URLSearchParams(query));

  it.each<[string, LogQuery]>([
    ["", query()],
    ["follow=true&timestamps=1&previous=false", query({ follow: true, timestamps: true })],
    ["tailLines=10&limitBytes=100", query({ tailLines: 10, limitBytes: 100 })],
    ["sinceSeconds=30", query({ sinceSeconds: 30 })],
    ["sinceTime=2030-01-01T00:00:00Z", query({ sinceTime: new Date("2030-01-01T00:00:00Z") })],
    ["sinceTime=2030-01-01T02:00:00%2B02:00", query({ sinceTime: new Date("2030-01-01T00:00:00Z") })],
  ])("%j", (text, expected) => {
    expect(parse(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["follow=yes", "follow=yes is not a boolean"],
    ["tailLines=-1", "tailLines must be greater than or equal to 0"],
    ["tailLines=ten", "tailLines=ten is not an integer"],
    ["limitBytes=0", "limitBytes must be greater than or equal to 1"],
    ["sinceSeconds=0", "sinceSeconds must be greater than or equal to 1"],
    ["sinceTime=yesterday", "sinceTime=yesterday is not an RFC3339 time"],
    [
      "sinceSeconds=5&sinceTime=2030-01-01T00:00:00Z",
      "at most one of sinceTime or sinceSeconds may be specified",
    ],
  ])("%j is refused: %s", (text, message) => {
    expect(parse(text)).toEqual({ ok: false, message });
  });
});

describe("terminationLogTail", () => {
  const record = (i: number) => `2030-01-01T00:00:01Z stdout F line ${i}`;

  it("keeps the last 80 lines", () => {
    const text = `${Array.from({ length: 100 }, (_, i) => record(i)).join("\n")}\n`;
    const tail = terminationLogTail(text);
    expect(tail.startsWith("line 20\n")).toBe(true);
    expect(tail.endsWith("line 99\n")).toBe(true);
  });

  it("then at most the last 2048 bytes", () => {
    const long = `2030-01-01T00:00:01Z stderr F ${"e".repeat(3000)}\n2030-01-01T00:00:02Z stderr F fatal: boom\n`;
    const tail = terminationLogTail(long);
    expect(Buffer.byteLength(tail)).toBe(2048);
    expect(tail.endsWith("e\nfatal: boom\n")).toBe(true);
  });
});
