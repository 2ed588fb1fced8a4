// When a release may start: an Environment's change windows and blackouts, as pure functions of the
// schedule and an instant. The gate asks `startPermission`; a waiting release is requeued at `opensAt`.
//
// Windows are written in local wall-clock time, so every instant is found through the zone's UTC offset
// (read from Intl.DateTimeFormat, no time-zone library). Instants are epoch milliseconds inside this
// file and Dates at its edges.

import type { Blackout, ChangeWindow, Weekday } from "../api/v1alpha1/index.js";
import { WEEKDAYS } from "../api/v1alpha1/index.js";

export type StartPermission =
  /** closesAt: when the current window closes; undefined when there are no windows or they never close. */
  | { allowed: true; closesAt?: Date }
  | { allowed: false; reason: "outside-window"; opensAt: Date; message: string }
  | { allowed: false; reason: "blackout"; until: Date; blackout: Blackout; opensAt: Date; message: string };

export interface WindowOccurrence {
  window: ChangeWindow;
  opensAt: Date;
  closesAt: Date;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/**
 * Local days searched for a window's next opening. A weekly opening can fall into a daylight-saving gap
 * and vanish (a window 02:00-02:30 on the spring-forward Sunday); two weeks always reach the next one.
 */
const OPENING_SEARCH_DAYS = 15;
/** Beyond this, blackouts are taken to leave no start at all; the last blackout's end is reported. */
const START_SEARCH_HORIZON_DAYS = 400;
/** Windows that stay open longer than a week (plus a day for DST shifts) cover every instant. */
const ALWAYS_OPEN_SPAN_MS = 8 * DAY_MS;

interface CompiledWindow {
  window: ChangeWindow;
  zone: string;
  days: ReadonlySet<Weekday>;
  startMinute: number;
  endMinute: number;
  /** End at or before start: the window closes on the day after it opens (equal means 24 hours). */
  closesNextDay: boolean;
}

interface Occurrence {
  window: ChangeWindow;
  opensAt: number;
  closesAt: number;
}

interface BlackoutPeriod {
  blackout: Blackout;
  from: number;
  to: number;
}

/** Whether a release may start at `now`, and if not, the earliest instant it may (opensAt) — past every blackout and inside a window. */
export function startPermission(
  windows: readonly ChangeWindow[],
  blackouts: readonly Blackout[],
  now: Date,
): StartPermission {
  const at = instantOf(now, "now");
  const compiled = windows.map(compileWindow);
  const periods = blackouts.map(parseBlackout);

  const blocking = blackoutAt(periods, at);
  if (blocking === undefined) {
    if (compiled.length === 0) return { allowed: true };
    const current = occurrenceContaining(compiled, at);
    if (current !== undefined) {
      const closesAt = windowSpanEnd(compiled, current, at);
      return closesAt === undefined ? { allowed: true } : { allowed: true, closesAt: new Date(closesAt) };
    }
  }

  const search = earliestStart(compiled, periods, at);
  const opensAt = new Date(search.at);
  if (blocking !== undefined) {
    return {
      allowed: false,
      reason: "blackout",
      until: new Date(blocking.to),
      blackout: blocking.blackout,
      opensAt,
      message: blackoutMessage(blocking, search),
    };
  }
  return {
    allowed: false,
    reason: "outside-window",
    opensAt,
    message: outsideWindowMessage(windows, search),
  };
}

/**
 * The occurrence of a window that contains `at` (opensAt <= at < closesAt); when several do, the one
 * that closes last. Undefined when no window contains `at`, or there are no windows.
 */
export function windowContaining(windows: readonly ChangeWindow[], at: Date): WindowOccurrence | undefined {
  const occurrence = occurrenceContaining(windows.map(compileWindow), instantOf(at, "at"));
  return occurrence === undefined ? undefined : toWindowOccurrence(occurrence);
}

/** The first instant strictly after `after` at which a window opens; undefined only when windows is empty. */
export function nextWindowOpening(windows: readonly ChangeWindow[], after: Date): Date | undefined {
  if (windows.length === 0) return undefined;
  return new Date(nextOpening(windows.map(compileWindow), instantOf(after, "after")));
}

/** A window as a person reads it: "Mon-Fri 09:00-17:00 Europe/Berlin", "Fri 22:00-02:00 (next day) UTC". */
export function describeWindow(window: ChangeWindow): string {
  const nextDay = window.end <= window.start ? " (next day)" : "";
  return `${describeDays(window.days)} ${window.start}-${window.end}${nextDay} ${window.timeZone ?? "UTC"}`;
}

// ---- the search for the earliest start ----

type SearchStep =
  { kind: "opening"; at: number } | { kind: "blackout-end"; at: number; period: BlackoutPeriod };

interface StartSearch {
  at: number;
  /** False when blackouts pushed the search past the horizon: `at` is a blackout's end, windows unchecked. */
  withinHorizon: boolean;
  steps: SearchStep[];
}

/**
 * Jumps from candidate to candidate: out of a blackout to its end, out of the gap between windows to the
 * next opening. Every blackout is jumped at most once and a window jump is followed by a return or a
 * blackout jump, so this takes at most 2 x (blackouts + 1) steps.
 */
function earliestStart(
  windows: readonly CompiledWindow[],
  blackouts: readonly BlackoutPeriod[],
  from: number,
): StartSearch {
  const horizon = from + START_SEARCH_HORIZON_DAYS * DAY_MS;
  const steps: SearchStep[] = [];
  let at = from;
  for (;;) {
    const blackout = blackoutAt(blackouts, at);
    if (blackout !== undefined) {
      at = blackout.to;
      steps.push({ kind: "blackout-end", at, period: blackout });
      if (at > horizon) return { at, withinHorizon: false, steps };
      continue;
    }
    if (windows.length > 0 && occurrenceContaining(windows, at) === undefined) {
      at = nextOpening(windows, at);
      steps.push({ kind: "opening", at });
      continue;
    }
    return { at, withinHorizon: true, steps };
  }
}

/** The blackout covering `at` (from <= at < to); of overlapping ones, the one that ends last. */
function blackoutAt(blackouts: readonly BlackoutPeriod[], at: number): BlackoutPeriod | undefined {
  let latest: BlackoutPeriod | undefined;
  for (const period of blackouts) {
    if (period.from <= at && at < period.to && (latest === undefined || period.to > latest.to))
      latest = period;
  }
  return latest;
}

/**
 * Where the run of back-to-back or overlapping windows that contains `at` ends. Undefined when it runs
 * for more than a week: the windows then cover every instant and never close.
 */
function windowSpanEnd(
  windows: readonly CompiledWindow[],
  current: Occurrence,
  at: number,
): number | undefined {
  let end = current.closesAt;
  while (end - at < ALWAYS_OPEN_SPAN_MS) {
    const next = occurrenceContaining(windows, end);
    if (next === undefined || next.closesAt <= end) return end;
    end = next.closesAt;
  }
  return undefined;
}

// ---- messages ----

const iso = (instant: number): string => new Date(instant).toISOString();
const quoted = (text: string): string => JSON.stringify(text);

function beyondHorizon(search: StartSearch): string {
  const last = search.steps.at(-1);
  const lastBlackout =
    last?.kind === "blackout-end" ? ` (the end of blackout ${quoted(last.period.blackout.reason)})` : "";
  return (
    `no instant within ${START_SEARCH_HORIZON_DAYS} days is free of blackouts and inside a change window, ` +
    `so the release may start at ${iso(search.at)} at the earliest${lastBlackout}`
  );
}

function blackoutMessage(blocking: BlackoutPeriod, search: StartSearch): string {
  const head = `blackout ${quoted(blocking.blackout.reason)} until ${iso(blocking.to)}`;
  if (!search.withinHorizon) return `${head}; ${beyondHorizon(search)}`;
  return `${head}; the release may start at ${iso(search.at)}`;
}

function outsideWindowMessage(windows: readonly ChangeWindow[], search: StartSearch): string {
  const head = `outside every change window (${windows.map(describeWindow).join(", ")})`;
  if (!search.withinHorizon) return `${head}; ${beyondHorizon(search)}`;
  const firstOpening = search.steps.find((step) => step.kind === "opening");
  const firstBlackout = search.steps.find((step) => step.kind === "blackout-end");
  if (firstOpening === undefined || firstBlackout === undefined)
    return `${head}; the next opens at ${iso(search.at)}`;
  return (
    `${head}; the next opens at ${iso(firstOpening.at)}, during blackout ${quoted(firstBlackout.period.blackout.reason)} ` +
    `(until ${iso(firstBlackout.at)}); the release may start at ${iso(search.at)}`
  );
}

// ---- window occurrences ----

function toWindowOccurrence(occurrence: Occurrence): WindowOccurrence {
  return {
    window: occurrence.window,
    opensAt: new Date(occurrence.opensAt),
    closesAt: new Date(occurrence.closesAt),
  };
}

/** The occurrence of `window` that opens on the local calendar day `day` (days since 1970-01-01), if any. */
function occurrenceOn(window: CompiledWindow, day: number): Occurrence | undefined {
  if (!window.days.has(weekdayOf(day))) return undefined;
  const opensAt = zonedInstant(window.zone, day, window.startMinute);
  const closesAt = zonedInstant(window.zone, window.closesNextDay ? day + 1 : day, window.endMinute);
  // A window that lies wholly inside a daylight-saving gap does not happen that day.
  return closesAt > opensAt ? { window: window.window, opensAt, closesAt } : undefined;
}

function occurrenceContaining(windows: readonly CompiledWindow[], at: number): Occurrence | undefined {
  let found: Occurrence | undefined;
  for (const window of windows) {
    const today = localDay(window.zone, at);
    // A window opened yesterday may still be open past midnight. No zone's clocks go back across
    // midnight (a fall-back at midnight repeats 23:00-24:00 of the same day), so no other day matters.
    for (let day = today - 1; day <= today; day++) {
      const occurrence = occurrenceOn(window, day);
      if (occurrence === undefined || occurrence.opensAt > at || at >= occurrence.closesAt) continue;
      if (found === undefined || occurrence.closesAt > found.closesAt) found = occurrence;
    }
  }
  return found;
}

function nextOpening(windows: readonly CompiledWindow[], after: number): number {
  let earliest: number | undefined;
  for (const window of windows) {
    const today = localDay(window.zone, after);
    for (let day = today; day <= today + OPENING_SEARCH_DAYS; day++) {
      const occurrence = occurrenceOn(window, day);
      if (occurrence === undefined || occurrence.opensAt <= after) continue;
      if (earliest === undefined || occurrence.opensAt < earliest) earliest = occurrence.opensAt;
      break;
    }
  }
  if (earliest === undefined) {
    throw new Error(
      `expected a change window to open within ${OPENING_SEARCH_DAYS} days after ${iso(after)}, found none in ` +
        `${windows.map((window) => describeWindow(window.window)).join(", ")}: does every window name a day?`,
    );
  }
  return earliest;
}

// ---- parsing the schedule ----

function compileWindow(window: ChangeWindow): CompiledWindow {
  const zone = window.timeZone ?? "UTC";
  wallClock(zone, window); // fails fast, with the window named, on a zone this runtime does not know
  const startMinute = minuteOfDay(window.start, "start", window);
  const endMinute = minuteOfDay(window.end, "end", window);
  return {
    window,
    zone,
    days: new Set(window.days),
    startMinute,
    endMinute,
    closesNextDay: endMinute <= startMinute,
  };
}

function minuteOfDay(time: string, field: "start" | "end", window: ChangeWindow): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (match === null) {
    throw new Error(
      `change window ${describeWindow(window)}: expected ${field} as HH:MM (00:00 to 23:59), found ${quoted(time)}`,
    );
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function parseBlackout(blackout: Blackout): BlackoutPeriod {
  const parse = (field: "from" | "to"): number => {
    const instant = Date.parse(blackout[field]);
    if (Number.isNaN(instant)) {
      throw new Error(
        `blackout ${quoted(blackout.reason)}: expected ${field} as an RFC 3339 timestamp, found ${quoted(blackout[field])}`,
      );
    }
    return instant;
  };
  return { blackout, from: parse("from"), to: parse("to") };
}

function instantOf(date: Date, name: string): number {
  const instant = date.getTime();
  if (Number.isNaN(instant)) throw new Error(`expected ${name} to be a valid date, found an invalid Date`);
  return instant;
}

// ---- days ----

function weekdayOf(day: number): Weekday {
  // getUTCDay counts from Sunday; WEEKDAYS from Monday.
  return WEEKDAYS[(new Date(day * DAY_MS).getUTCDay() + 6) % 7] ?? "Mon";
}

/** "Mon-Fri", "Sat,Sun", "Fri-Mon,Wed": runs of three or more days as ranges, in week order. */
function describeDays(days: readonly Weekday[]): string {
  const present = WEEKDAYS.map((weekday) => days.includes(weekday));
  if (present.every(Boolean)) return "Mon-Sun";
  // A run over the weekend (Fri-Mon) is told from its first day, after the last day not in the window.
  const first = present[0] === true && present[6] === true ? present.lastIndexOf(false) + 1 : 0;
  const runs: Weekday[][] = [];
  let run: Weekday[] = [];
  for (let offset = 0; offset < 7; offset++) {
    const weekday = WEEKDAYS[(first + offset) % 7];
    if (weekday !== undefined && days.includes(weekday)) {
      run.push(weekday);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  if (runs.length === 0) return "no day";
  return runs
    .map((days) => (days.length >= 3 ? `${days[0] ?? ""}-${days.at(-1) ?? ""}` : days.join(",")))
    .join(",");
}

// ---- wall-clock time in a zone ----

// Building an Intl.DateTimeFormat costs far more than using one, and a cluster uses a handful of zones.
const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(zone: string, window?: ChangeWindow): Intl.DateTimeFormat {
  let format = wallClocks.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (error) {
      const where = window === undefined ? "" : `change window ${describeWindow(window)}: `;
      throw new Error(`${where}expected an IANA time zone such as Europe/Berlin, found ${quoted(zone)}`, {
        cause: error,
      });
    }
    if (wallClocks.size < 1024) wallClocks.set(zone, format);
  }
  return format;
}

/** The zone's offset from UTC at `instant`, in milliseconds (Berlin in summer: +7,200,000). */
function offsetAt(zone: string, instant: number): number {
  const fields: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of wallClock(zone).formatToParts(instant)) fields[part.type] = Number(part.value);
  const wall = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  const wholeSecond = instant - (((instant % 1000) + 1000) % 1000);
  return wall - wholeSecond;
}

/** The local calendar day of `instant` in `zone`, as days since 1970-01-01. */
function localDay(zone: string, instant: number): number {
  return Math.floor((instant + offsetAt(zone, instant)) / DAY_MS);
}

/**
 * The instant at which the zone's clocks show `minute` on local `day`. A time skipped by a spring-forward
 * gap resolves to the first instant after the gap; a time repeated by a fall-back to its first occurrence.
 */
function zonedInstant(zone: string, day: number, minute: number): number {
  const wall = day * DAY_MS + minute * MINUTE_MS;
  // Offsets are within ±14 h, so a day either side is surely before and after any transition that day.
  const offsetBefore = offsetAt(zone, wall - DAY_MS);
  const offsetAfter = offsetAt(zone, wall + DAY_MS);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (instant) => offsetAt(zone, instant) === wall - instant,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  return firstInstantWithOffset(zone, offsetAfter, wall - offsetAfter, wall - offsetBefore);
}

/** Bisects (low, high] for the first instant at which the zone's offset is `offset`: the end of a gap. */
function firstInstantWithOffset(zone: string, offset: number, low: number, high: number): number {
  let before = Math.min(low, high);
  let after = Math.max(low, high);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (offsetAt(zone, middle) === offset) after = middle;
    else before = middle;
  }
  return after;
}
