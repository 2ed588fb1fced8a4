// Where a release's reports go in the report repository and how their commit is worded: pure, and
// deterministic, so that the same Release always names the same files and a retry finds its own work.

export interface ReportFileNamesInput {
  version: string;
  /** The environment's name. */
  environment: string;
  /** When the release started; its UTC minute is part of the names. */
  startedAt: Date | string;
  /** The folder of the reports in the repository (the environment's `report.path`); "" is the root. */
  path: string;
  /** Whether a rollback ran, which adds its own report. */
  rollback: boolean;
}

export interface ReportFileNames {
  release: string;
  rollback?: string;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/** `YYYY-MM-DD-HHmm` of `at` in UTC; throws on a time that is not one. */
export function reportTimestamp(at: Date | string): string {
  const time = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(time.getTime())) {
    throw new Error(
      `invalid release start time ${JSON.stringify(String(at))}: expected an RFC 3339 timestamp`,
    );
  }
  return [
    pad(time.getUTCFullYear(), 4),
    pad(time.getUTCMonth() + 1),
    pad(time.getUTCDate()),
    `${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}`,
  ].join("-");
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * The report folder as a repository path: no leading or trailing slash, one slash between segments,
 * `.` segments dropped, "" for the repository root. Throws on `..` segments, on a `.git` segment
 * (git keeps no files there) and on control characters.
 */
export function normaliseReportPath(folder: string): string {
  if (CONTROL_CHARACTERS.test(folder)) {
    throw new Error(`invalid report path ${JSON.stringify(folder)}: it contains a control character`);
  }
  const segments = folder.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    throw new Error(
      `invalid report path ${JSON.stringify(folder)}: ".." segments would leave the report folder`,
    );
  }
  if (segments.some((segment) => segment.toLowerCase() === ".git")) {
    throw new Error(`invalid report path ${JSON.stringify(folder)}: git keeps no files in a ".git" folder`);
  }
  return segments.join("/");
}

/** A version or environment name is one file-name segment: no slash, no control character, not "." or "..". */
function checkNamePart(what: string, value: string): void {
  if (
    value === "" ||
    value === "." ||
    value === ".." ||
    /[/\\]/.test(value) ||
    CONTROL_CHARACTERS.test(value)
  ) {
    throw new Error(`invalid ${what} ${JSON.stringify(value)} for a report file name`);
  }
}

/**
 * `<path>/release_<version>_<env>_<YYYY-MM-DD-HHmm>.md` and, when a rollback ran,
 * `<path>/rollback_<version>_<env>_<YYYY-MM-DD-HHmm>.md`, with the release's start time in UTC.
 */
export function reportFileNames(input: ReportFileNamesInput): ReportFileNames {
  checkNamePart("version", input.version);
  checkNamePart("environment name", input.environment);
  const folder = normaliseReportPath(input.path);
  const stem = `${input.version}_${input.environment}_${reportTimestamp(input.startedAt)}.md`;
  const inFolder = (name: string): string => (folder === "" ? name : `${folder}/${name}`);
  return {
    release: inFolder(`release_${stem}`),
    ...(input.rollback ? { rollback: inFolder(`rollback_${stem}`) } : {}),
  };
}

export interface CommitMessageInput {
  /** The Release as `namespace/name`. */
  release: string;
  version: string;
  environment: string;
  verdict: string;
  /** Why the release ended as it did; may be long or span lines. */
  reason?: string;
}

/** The longest subject `git log --oneline` and most tools show whole. */
export const MAX_SUBJECT_LENGTH = 72;

const ELLIPSIS = "...";
/** Fewer characters of the reason than this in the subject say nothing: leave it to the body. */
const MIN_REASON_IN_SUBJECT = 12;

/** Text safe in a commit message: LF line ends, no control characters other than newlines and tabs. */
function cleanText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ")
      .trim()
  );
}

const oneLine = (text: string): string => cleanText(text).replace(/\s+/g, " ");

function cut(text: string, length: number): string {
  if (text.length <= length) return text;
  const room = text.slice(0, Math.max(0, length - ELLIPSIS.length));
  // At a word boundary when there is one in the second half, so a figure is not cut in two.
  const space = room.lastIndexOf(" ");
  return `${(space > room.length / 2 ? room.slice(0, space) : room).trimEnd()}${ELLIPSIS}`;
}

/**
 * The report commit's message: the subject `release <version> to <env>: <verdict> (<reason>)`, the
 * reason cut (or left out) to keep it within 72 characters; the body has the whole reason, then
 * trailers naming the Release, environment, version and verdict.
 */
export function commitMessage(input: CommitMessageInput): string {
  const reason = cleanText(input.reason ?? "");
  const base = oneLine(`release ${input.version} to ${input.environment}: ${input.verdict}`);
  const firstLine = reason.split("\n")[0] ?? "";
  const room = MAX_SUBJECT_LENGTH - base.length - " ()".length;
  const subject =
    firstLine === ""
      ? cut(base, MAX_SUBJECT_LENGTH)
      : firstLine.length <= room
        ? `${base} (${firstLine})`
        : room >= MIN_REASON_IN_SUBJECT
          ? `${base} (${cut(firstLine, room)})`
          : cut(base, MAX_SUBJECT_LENGTH);
  const trailers = [
    `Release: ${input.release}`,
    `Environment: ${input.environment}`,
    `Version: ${input.version}`,
    `Verdict: ${input.verdict}`,
  ].map(oneLine);
  return [subject, ...(reason === "" ? [] : [reason]), trailers.join("\n")].join("\n\n") + "\n";
}
