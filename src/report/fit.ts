// The report ConfigMap within the API's size limit, whatever the inputs: when its keys and values
// together are over the limit, the least needed is cut first, and every cut says so where it was made.
// Pure, deterministic, and idempotent (what fits is returned as it is).
//
// The order of the cuts, and why:
//  1. the middle rows of the documents' interval tables, keeping the first and last 10: the series
//     attachment still has them and the charts were drawn from them, so nothing is lost;
//  2. the middle of the Job logs and snapshots (each with the copy a document shows, cut alike), down to
//     8 KiB of head and 16 KiB of tail: the log follower writes them whole again at the next reconcile
//     while it follows the Job;
//  3. the oldest intervals of the watch series, down to the last 60: gone for good, since the documents
//     are drawn from the series at the next reconcile (the tables' notes are updated to say so);
//  4. the same again, harder: one row at each end of a table, 1 + 2 KiB of a log, one interval, then
//     a log's first line only;
//  5. last resorts that keep the bound whatever the input: the head of the largest values, then
//     whole keys, then `release.md` itself.
import { attachmentKeys } from "./attachments.js";
import { REPORT_KEY } from "./render.js";
import { ROLLBACK_REPORT_KEY } from "./rollback-report.js";
import { INTERVAL_TABLE_START } from "./sections.js";
import { isSeriesCutLine, seriesCutLine } from "./series-cut.js";
import { parseSeries, WATCH_SERIES_KEYS } from "./watch-series.js";

/** The API refuses an object over 1 MiB; what is left is for the ConfigMap's metadata and field names. */
export const REPORT_DATA_LIMIT = 900_000;

const WHY = "to keep the report ConfigMap under 1 MiB";

type Entries = Record<string, string>;

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** What the entries weigh against the limit: every key and every value, in UTF-8. */
export function reportBytes(entries: Readonly<Entries>): number {
  return Object.entries(entries).reduce((sum, [key, value]) => sum + bytes(key) + bytes(value), 0);
}

/** The documents, each with the series its interval table is drawn from. */
const DOCUMENT_SERIES: Readonly<Record<string, string>> = {
  [REPORT_KEY]: WATCH_SERIES_KEYS.release,
  [ROLLBACK_REPORT_KEY]: WATCH_SERIES_KEYS.rollback,
};

const LOG_KEYS: readonly string[] = Object.values(attachmentKeys).flatMap((keys) => [
  keys.log,
  keys.snapshot,
]);

// --- Cutting a run of lines -------------------------------------------------------------------------

interface CutRule {
  /** Lines that stay at the start and at the end, whatever is cut. */
  keepHead: number;
  keepTail: number;
  /** Where the cut sits in what may be cut: 0 at its start (the oldest first), 0.5 in its middle. */
  position: number;
  /** Lines that stand for an earlier cut: a new cut takes them in, so one note says it all. */
  isMarker: (line: string) => boolean;
  /** What replaces lines [from, end). */
  marker: (from: number, end: number) => string[];
  /** A new first line that describes the cut (a log's summary), if the first line does. */
  firstLine?: (from: number, end: number) => string | undefined;
}

/**
 * The lines with the smallest cut that saves `need` bytes (the largest allowed when none does), or
 * undefined when no cut is allowed or none saves anything.
 */
function cutLines(lines: readonly string[], rule: CutRule, need: number): string[] | undefined {
  const start = rule.keepHead;
  const stop = lines.length - rule.keepTail;
  if (stop - start <= 0) return undefined;
  // prefix[i]: bytes of lines [0, i), each with its newline.
  const prefix = [0];
  for (const line of lines) prefix.push((prefix.at(-1) ?? 0) + bytes(line) + 1);
  const markers = lines
    .map((line, index) => (rule.isMarker(line) ? index : -1))
    .filter((index) => index >= 0);
  const firstMarker = markers.find((index) => index >= start && index < stop);
  const lastMarker = markers.findLast((index) => index >= start && index < stop);
  let best: { from: number; end: number; saved: number } | undefined;
  for (let count = 1; count <= stop - start; count += 1) {
    let from = start + Math.floor((stop - start - count) * rule.position);
    let end = from + count;
    if (firstMarker !== undefined && lastMarker !== undefined) {
      from = Math.min(from, firstMarker);
      end = Math.max(end, lastMarker + 1);
    }
    const replacement = rule.marker(from, end);
    const first = rule.firstLine?.(from, end);
    const saved =
      (prefix[end] ?? 0) -
      (prefix[from] ?? 0) -
      replacement.reduce((sum, line) => sum + bytes(line) + 1, 0) +
      (first === undefined ? 0 : bytes(lines[0] ?? "") - bytes(first));
    if (saved > (best?.saved ?? 0)) best = { from, end, saved };
    if (saved >= need) break;
  }
  if (best === undefined) return undefined;
  const cut = [...lines.slice(0, best.from), ...rule.marker(best.from, best.end), ...lines.slice(best.end)];
  const first = rule.firstLine?.(best.from, best.end);
  if (first !== undefined) cut[0] = first;
  return cut;
}

// --- Logs and snapshots -----------------------------------------------------------------------------

/** `... 12 lines cut ...` (job-log.ts) or `... 40 lines cut (28 of them to keep ...) ...` (here). */
const LOG_MARKER = /^\.\.\. (\d+) lines cut(?: \((\d+) of them)?/;
const LOG_SUMMARY = /^# (\d+) lines/;

function logRule(lines: readonly string[], headBytes: number, tailBytes: number): CutRule {
  const summary = LOG_SUMMARY.exec(lines[0] ?? "");
  // Prefix sums of the lines each line stands for (a marker: those it says were cut), all and for size.
  const all = [0];
  const forSize = [0];
  for (const line of lines) {
    const marker = LOG_MARKER.exec(line);
    all.push((all.at(-1) ?? 0) + (marker === null ? 1 : Number(marker[1])));
    forSize.push((forSize.at(-1) ?? 0) + (marker === null ? 1 : Number(marker[2] ?? 0)));
  }
  const counted = (from: number, end: number): { all: number; forSize: number } => ({
    all: (all[end] ?? 0) - (all[from] ?? 0),
    forSize: (forSize[end] ?? 0) - (forSize[from] ?? 0),
  });
  const within = (budget: number, from: number, step: 1 | -1): number => {
    let kept = 0;
    let used = 0;
    for (let index = from; index >= 0 && index < lines.length; index += step) {
      used += bytes(lines[index] ?? "") + 1;
      if (used > budget) break;
      kept += 1;
    }
    return kept;
  };
  const head = summary === null ? 0 : 1;
  return {
    keepHead: head + within(headBytes, head, 1),
    keepTail: within(tailBytes, lines.length - 1, -1),
    position: 1 / 3,
    isMarker: (line) => LOG_MARKER.test(line),
    marker: (from, end) => {
      const { all, forSize } = counted(from, end);
      return [`... ${all} lines cut (${forSize} of them ${WHY}; the operator keeps them nowhere else) ...`];
    },
    ...(summary === null
      ? {}
      : {
          firstLine: (from: number, end: number) => {
            const { all, forSize } = counted(from, end);
            return `# ${summary[1] ?? "?"} lines, ${all} lines cut between line ${from} and ${from + all - 1} (${forSize} of them ${WHY})`;
          },
        }),
  };
}

interface Fence {
  key: string;
  /** Indices in the document's lines of the opening and the closing fence. */
  open: number;
  close: number;
}

/** The `text` code blocks of the documents: the logs and snapshots they show, the gate's box. */
function textFences(entries: Readonly<Entries>): Fence[] {
  const fences: Fence[] = [];
  for (const key of Object.keys(DOCUMENT_SERIES)) {
    const lines = entries[key]?.split("\n") ?? [];
    for (let index = 0; index < lines.length; index += 1) {
      const fence = /^(`{3,})text$/.exec(lines[index] ?? "")?.[1];
      if (fence === undefined) continue;
      const close = lines.indexOf(fence, index + 1);
      if (close === -1) break;
      fences.push({ key, open: index, close });
      index = close;
    }
  }
  return fences;
}

/**
 * Each log and snapshot with the copies the documents show of it, cut alike: one note in each says
 * what was cut, and neither claims the other has what it lost. The largest (by all its copies) first.
 */
function cutLogs(headBytes: number, tailBytes: number) {
  return (entries: Entries, excess: number): Entries => {
    const fitted = { ...entries };
    let left = excess;
    const groups = new Map<string, { attachments: string[]; fences: Fence[] }>();
    for (const key of LOG_KEYS) {
      const text = fitted[key];
      if (text === undefined || text === "") continue;
      const group = groups.get(text) ?? { attachments: [], fences: [] };
      group.attachments.push(key);
      groups.set(text, group);
    }
    for (const fence of textFences(fitted)) {
      const text = (fitted[fence.key] ?? "")
        .split("\n")
        .slice(fence.open + 1, fence.close)
        .join("\n");
      const group = groups.get(text) ?? { attachments: [], fences: [] };
      group.fences.push(fence);
      groups.set(text, group);
    }
    const bySize = [...groups.entries()]
      .map(([text, group]) => ({ text, group, copies: group.attachments.length + group.fences.length }))
      .sort((a, b) => bytes(b.text) * b.copies - bytes(a.text) * a.copies || (a.text < b.text ? -1 : 1));
    // Fences later in a document first, so the indices of the earlier ones stay right.
    const edits: { fence: Fence; lines: string[] }[] = [];
    for (const { text, group, copies } of bySize) {
      if (left <= 0) break;
      const lines = text.split("\n");
      const cut = cutLines(lines, logRule(lines, headBytes, tailBytes), Math.ceil(left / copies));
      if (cut === undefined) continue;
      const joined = cut.join("\n");
      for (const key of group.attachments) fitted[key] = joined;
      for (const fence of group.fences) edits.push({ fence, lines: cut });
      left -= (bytes(text) - bytes(joined)) * copies;
    }
    edits.sort((a, b) =>
      a.fence.key < b.fence.key ? -1 : a.fence.key > b.fence.key ? 1 : b.fence.open - a.fence.open,
    );
    for (const { fence, lines } of edits) {
      const document = (fitted[fence.key] ?? "").split("\n");
      document.splice(fence.open + 1, fence.close - fence.open - 1, ...lines);
      fitted[fence.key] = document.join("\n");
    }
    return fitted;
  };
}

// --- Interval tables --------------------------------------------------------------------------------

const TABLE_MARKER = "| … |";

const MARKER_RANGE = /^\| … \| Intervals (\d+) to (\d+) are not shown here/;

/** The interval a row shows; for the note of an earlier cut, the first or the last it stands for. */
function intervalOf(row: string | undefined, end: "first" | "last"): number {
  const range = MARKER_RANGE.exec(row ?? "");
  if (range !== null) return Number(end === "first" ? range[1] : range[2]);
  return Number(/^\| (\d+) \|/.exec(row ?? "")?.[1] ?? Number.NaN);
}

/** Where intervals `from` to `to` are, besides the table: in the series (`held`: its intervals), in part, or nowhere. */
function whereIntervals(from: number, to: number, seriesKey: string, held: readonly number[]): string {
  const first = held.find((interval) => interval >= from);
  if (first === from) return `they are in ${seriesKey} in this ConfigMap`;
  if (first !== undefined && first <= to)
    return `intervals ${first} to ${to} are in ${seriesKey} in this ConfigMap, the others nowhere else`;
  return "they are kept nowhere else";
}

const tableMarker = (from: number, to: number, seriesKey: string, held: readonly number[]): string =>
  `${TABLE_MARKER} Intervals ${from} to ${to} are not shown here ${WHY}; ${whereIntervals(from, to, seriesKey, held)}. |`;

const intervalsIn = (series: string | undefined): number[] =>
  parseSeries(series).map((entry) => entry.interval);

/** Which lines of a document are Markdown, not the inside of a code block (a log may print anything). */
function outsideCode(lines: readonly string[]): boolean[] {
  const outside: boolean[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const opening = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      outside.push(opening === undefined);
      fence = opening;
    } else {
      outside.push(false);
      if (line === fence) fence = undefined;
    }
  }
  return outside;
}

/** The body rows of each interval table of a document, as [first, end) line indices. */
function tableBodies(lines: readonly string[]): [number, number][] {
  const bodies: [number, number][] = [];
  const markdown = outsideCode(lines);
  for (let index = 0; index < lines.length; index += 1) {
    if (markdown[index] !== true || !(lines[index] ?? "").startsWith(INTERVAL_TABLE_START)) continue;
    const first = index + 2;
    let end = first;
    while (end < lines.length && (lines[end] ?? "").startsWith("|")) end += 1;
    bodies.push([first, end]);
    index = end;
  }
  return bodies;
}

function cutTables(keep: number) {
  return (entries: Entries, excess: number): Entries => {
    const fitted = { ...entries };
    let left = excess;
    for (const [key, seriesKey] of Object.entries(DOCUMENT_SERIES)) {
      const text = fitted[key];
      if (text === undefined || left <= 0) continue;
      const lines = text.split("\n");
      const held = intervalsIn(fitted[seriesKey]);
      // The last table first, so the indices of the earlier ones stay right.
      for (const [first, end] of tableBodies(lines).reverse()) {
        if (left <= 0) break;
        const rows = lines.slice(first, end);
        const cut = cutLines(
          rows,
          {
            keepHead: keep,
            keepTail: keep,
            position: 0.5,
            isMarker: (row) => row.startsWith(TABLE_MARKER),
            marker: (from, to) => [
              tableMarker(
                intervalOf(rows[from - 1], "last") + 1,
                intervalOf(rows[to], "first") - 1,
                seriesKey,
                held,
              ),
            ],
          },
          left,
        );
        if (cut === undefined) continue;
        lines.splice(first, end - first, ...cut);
        left -=
          rows.reduce((sum, row) => sum + bytes(row) + 1, 0) -
          cut.reduce((sum, row) => sum + bytes(row) + 1, 0);
      }
      fitted[key] = lines.join("\n");
    }
    return fitted;
  };
}

/** After the series were cut, each table's note says again where its missing rows are. */
function refreshTableNotes(entries: Entries): Entries {
  const fitted = { ...entries };
  for (const [key, seriesKey] of Object.entries(DOCUMENT_SERIES)) {
    const text = fitted[key];
    if (text?.includes(TABLE_MARKER) !== true) continue;
    const lines = text.split("\n");
    const markdown = outsideCode(lines);
    const held = intervalsIn(fitted[seriesKey]);
    fitted[key] = lines
      .map((line, index) => {
        const range = markdown[index] === true ? MARKER_RANGE.exec(line) : null;
        return range === null ? line : tableMarker(Number(range[1]), Number(range[2]), seriesKey, held);
      })
      .join("\n");
  }
  return fitted;
}

// --- Series -----------------------------------------------------------------------------------------

function cutSeries(keep: number) {
  return (entries: Entries, excess: number): Entries => {
    let fitted = { ...entries };
    let left = excess;
    for (const key of Object.values(WATCH_SERIES_KEYS)) {
      const text = fitted[key];
      if (text === undefined || left <= 0) continue;
      const trailing = text.endsWith("\n") ? "\n" : "";
      const lines = text.split("\n").filter((line) => line.trim() !== "" && !isSeriesCutLine(line));
      const cut = cutLines(
        lines,
        {
          keepHead: 0,
          keepTail: keep,
          position: 0,
          isMarker: () => false,
          marker: (_from, end) => [seriesCutLine(parseSeries(lines[end]).at(0)?.interval ?? 0)],
        },
        left - (bytes(text) - bytes(lines.join("\n") + trailing)),
      );
      if (cut === undefined) continue;
      fitted[key] = cut.join("\n") + trailing;
      left -= bytes(text) - bytes(fitted[key]);
    }
    fitted = refreshTableNotes(fitted);
    return fitted;
  };
}

// --- Last resorts -----------------------------------------------------------------------------------

/** The first `limit` bytes of `text`, never half a character. */
function headOf(text: string, limit: number): string {
  if (limit <= 0) return "";
  let head = Buffer.from(text, "utf8").subarray(0, limit).toString("utf8");
  while (bytes(head) > limit) head = head.slice(0, -1);
  return head;
}

/** The largest values first, each cut to its head and a note, as far as needed. */
function truncateValues(entries: Entries, excess: number): Entries {
  const fitted = { ...entries };
  let left = excess;
  const bySize = Object.keys(fitted).sort(
    (a, b) => bytes(fitted[b] ?? "") - bytes(fitted[a] ?? "") || (a < b ? -1 : 1),
  );
  for (const key of bySize) {
    if (left <= 0) break;
    const value = fitted[key] ?? "";
    const cutBytes = (kept: number): string =>
      `\n[... ${bytes(value) - kept} bytes cut here ${WHY}; the operator keeps them nowhere else]`;
    const note = cutBytes(0);
    const kept = bytes(value) - left - bytes(note);
    if (kept <= 0 && bytes(note) >= bytes(value)) continue;
    const head = headOf(value, kept);
    fitted[key] = head + cutBytes(bytes(head));
    left -= bytes(value) - bytes(fitted[key]);
  }
  return fitted;
}

/** Whole keys, the largest first; the release report stays. */
function dropEntries(entries: Entries, excess: number): Entries {
  const fitted = { ...entries };
  let left = excess;
  const bySize = Object.keys(fitted)
    .filter((key) => key !== REPORT_KEY)
    .sort((a, b) => bytes(fitted[b] ?? "") - bytes(fitted[a] ?? "") || (a < b ? -1 : 1));
  for (const key of bySize) {
    if (left <= 0) break;
    left -= bytes(key) + bytes(fitted[key] ?? "");
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the keys are data here
    delete fitted[key];
  }
  return fitted;
}

function hardLimit(limit: number) {
  return (entries: Entries): Entries => {
    const report = entries[REPORT_KEY];
    if (report === undefined || bytes(REPORT_KEY) > limit) return {};
    return { [REPORT_KEY]: headOf(report, limit - bytes(REPORT_KEY)) };
  };
}

type Stage = (entries: Entries, excess: number) => Entries;

const STAGES: readonly Stage[] = [
  cutTables(10),
  cutLogs(8 * 1024, 16 * 1024),
  cutSeries(60),
  cutTables(1),
  cutLogs(1024, 2 * 1024),
  cutSeries(1),
  cutLogs(0, 0),
  truncateValues,
  dropEntries,
];

/**
 * The report's entries (documents and attachments) cut to at most `limitBytes` of keys and values;
 * entries that fit are returned as they are.
 */
export function fitReport(
  entries: Readonly<Record<string, string>>,
  limitBytes = REPORT_DATA_LIMIT,
): Entries {
  let fitted: Entries = { ...entries };
  for (const stage of STAGES) {
    const excess = reportBytes(fitted) - limitBytes;
    if (excess <= 0) return fitted;
    fitted = stage(fitted, excess);
  }
  return reportBytes(fitted) <= limitBytes ? fitted : hardLimit(limitBytes)(fitted);
}
