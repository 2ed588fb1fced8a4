import { describe, expect, it } from "vitest";

import type { Blackout, ChangeWindow } from "../api/v1alpha1/index.js";
import { describeWindow, nextWindowOpening, startPermission, windowContaining } from "./schedule.js";

// Calendar used below: 2026-11-23 is a Monday; Berlin is UTC+1 in winter and UTC+2 in summer, New York
// UTC-5 and UTC-4, Tokyo always UTC+9. DST in 2026: Berlin 03-29 and 10-25, New York 03-08 and 11-01.
const berlinOffice: ChangeWindow = {
  days: ["Mon", "Tue", "Wed", "Thu", "Fri"],
  start: "09:00",
  end: "17:00",
  timeZone: "Europe/Berlin",
};
const utcOffice: ChangeWindow = { days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "09:00", end: "17:00" };
const fridayNight: ChangeWindow = { days: ["Fri"], start: "22:00", end: "02:00" };
const sundayNight: ChangeWindow = { days: ["Sun"], start: "22:00", end: "02:00", timeZone: "UTC" };
const tokyoEarlyMonday: ChangeWindow = {
  days: ["Mon"],
  start: "06:00",
  end: "10:00",
  timeZone: "Asia/Tokyo",
};
const tokyoMonday: ChangeWindow = { days: ["Mon"], start: "09:00", end: "17:00", timeZone: "Asia/Tokyo" };
const newYorkFridayEvening: ChangeWindow = {
  days: ["Fri"],
  start: "16:00",
  end: "20:00",
  timeZone: "America/New_York",
};
const newYorkFriday: ChangeWindow = {
  days: ["Fri"],
  start: "09:00",
  end: "17:00",
  timeZone: "America/New_York",
};
const allWeek: ChangeWindow = {
  days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  start: "00:00",
  end: "00:00",
};

const blackout = (reason: string, from: string, to: string): Blackout => ({ reason, from, to });
const yearEndFreeze = blackout("year-end freeze", "2026-12-18T00:00:00Z", "2027-01-04T00:00:00Z");
const date = (iso: string): Date => new Date(iso);

describe("startPermission", () => {
  it.each<{
    situation: string;
    windows: ChangeWindow[];
    blackouts?: Blackout[];
    now: string;
    closesAt: string | undefined;
  }>([
    { situation: "no windows: any time", windows: [], now: "2026-11-28T03:00:00Z", closesAt: undefined },
    {
      situation: "inside a weekday window in Berlin",
      windows: [berlinOffice],
      now: "2026-11-25T09:00:00Z",
      closesAt: "2026-11-25T16:00:00Z",
    },
    {
      situation: "the first instant of a window (start is inclusive)",
      windows: [berlinOffice],
      now: "2026-11-25T08:00:00Z",
      closesAt: "2026-11-25T16:00:00Z",
    },
    {
      situation: "across midnight: the evening half, on the window's day",
      windows: [fridayNight],
      now: "2026-11-27T23:00:00Z",
      closesAt: "2026-11-28T02:00:00Z",
    },
    {
      situation: "across midnight: the morning half, on the next day",
      windows: [fridayNight],
      now: "2026-11-28T01:00:00Z",
      closesAt: "2026-11-28T02:00:00Z",
    },
    {
      situation: "a window on the last day of the week wrapping to Monday",
      windows: [sundayNight],
      now: "2026-11-30T01:30:00Z",
      closesAt: "2026-11-30T02:00:00Z",
    },
    {
      situation: "zone ahead of UTC: Monday in Tokyo while still Sunday in UTC",
      windows: [tokyoEarlyMonday],
      now: "2026-11-29T22:00:00Z",
      closesAt: "2026-11-30T01:00:00Z",
    },
    {
      situation: "zone behind UTC: still Friday in New York while Saturday in UTC",
      windows: [newYorkFridayEvening],
      now: "2026-11-28T00:30:00Z",
      closesAt: "2026-11-28T01:00:00Z",
    },
    {
      situation: "a 24-hour window (start equals end) in its last minute",
      windows: [{ days: ["Wed"], start: "09:00", end: "09:00" }],
      now: "2026-11-26T08:59:00Z",
      closesAt: "2026-11-26T09:00:00Z",
    },
    {
      situation: "overlapping windows: open until the later one closes",
      windows: [utcOffice, { days: ["Wed"], start: "16:00", end: "20:00" }],
      now: "2026-11-25T10:00:00Z",
      closesAt: "2026-11-25T20:00:00Z",
    },
    {
      situation: "back-to-back windows: open until the second closes",
      windows: [
        { days: ["Wed"], start: "09:00", end: "12:00" },
        { days: ["Wed"], start: "12:00", end: "15:00" },
      ],
      now: "2026-11-25T10:00:00Z",
      closesAt: "2026-11-25T15:00:00Z",
    },
    {
      situation: "windows covering the whole week never close",
      windows: [allWeek],
      now: "2026-11-25T10:00:00Z",
      closesAt: undefined,
    },
    {
      situation: "windows open all week but one hour: they close at that hour, six days later",
      windows: [
        { days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], start: "00:00", end: "00:00" },
        { days: ["Sun"], start: "00:00", end: "23:00" },
      ],
      now: "2026-11-23T00:30:00Z",
      closesAt: "2026-11-29T23:00:00Z",
    },
    {
      situation: "a blackout has just ended (its end is exclusive)",
      windows: [utcOffice],
      blackouts: [blackout("incident", "2026-11-25T08:00:00Z", "2026-11-25T10:00:00Z")],
      now: "2026-11-25T10:00:00Z",
      closesAt: "2026-11-25T17:00:00Z",
    },
    {
      situation: "a blackout later the same day does not stop a start now",
      windows: [],
      blackouts: [blackout("incident", "2026-11-25T12:00:00Z", "2026-11-25T14:00:00Z")],
      now: "2026-11-25T11:59:59Z",
      closesAt: undefined,
    },
  ])("allowed: $situation", ({ windows, blackouts = [], now, closesAt }) => {
    const permission = startPermission(windows, blackouts, date(now));

    expect(permission).toEqual(
      closesAt === undefined ? { allowed: true } : { allowed: true, closesAt: date(closesAt) },
    );
  });

  it.each<{
    situation: string;
    windows: ChangeWindow[];
    blackouts?: Blackout[];
    now: string;
    opensAt: string;
  }>([
    {
      situation: "Saturday, outside a weekday window in Berlin",
      windows: [berlinOffice],
      now: "2026-11-28T12:00:00Z",
      opensAt: "2026-11-30T08:00:00Z",
    },
    {
      situation: "the closing instant of a window (end is exclusive)",
      windows: [berlinOffice],
      now: "2026-11-25T16:00:00Z",
      opensAt: "2026-11-26T08:00:00Z",
    },
    {
      situation: "across midnight: just after it closed, the next opens a week later",
      windows: [fridayNight],
      now: "2026-11-28T02:00:00Z",
      opensAt: "2026-12-04T22:00:00Z",
    },
    {
      situation: "across midnight: the night before the window's day",
      windows: [fridayNight],
      now: "2026-11-26T23:00:00Z",
      opensAt: "2026-11-27T22:00:00Z",
    },
    {
      situation: "a window on the last day of the week, waiting on Monday morning after it",
      windows: [sundayNight],
      now: "2026-11-30T02:30:00Z",
      opensAt: "2026-12-06T22:00:00Z",
    },
    {
      situation: "zone ahead of UTC: Monday 08:00 in Tokyo, Sunday in UTC",
      windows: [tokyoMonday],
      now: "2026-11-29T23:00:00Z",
      opensAt: "2026-11-30T00:00:00Z",
    },
    {
      situation: "zone behind UTC: Friday's window in New York closed, still Friday in UTC",
      windows: [newYorkFriday],
      now: "2026-11-27T22:30:00Z",
      opensAt: "2026-12-04T14:00:00Z",
    },
    {
      situation: "the earliest of windows in different zones",
      windows: [newYorkFriday, tokyoMonday, fridayNight],
      now: "2026-11-28T12:00:00Z",
      opensAt: "2026-11-30T00:00:00Z",
    },
    {
      situation: "the next opening lies in a blackout: wait for the blackout's end inside the window",
      windows: [utcOffice],
      blackouts: [blackout("db migration", "2026-11-30T00:00:00Z", "2026-11-30T12:00:00Z")],
      now: "2026-11-28T12:00:00Z",
      opensAt: "2026-11-30T12:00:00Z",
    },
    {
      situation: "the next opening lies in a blackout that outlasts the window: wait for the one after",
      windows: [utcOffice],
      blackouts: [blackout("db migration", "2026-11-30T00:00:00Z", "2026-11-30T18:00:00Z")],
      now: "2026-11-28T12:00:00Z",
      opensAt: "2026-12-01T09:00:00Z",
    },
  ])("outside every window: $situation", ({ windows, blackouts = [], now, opensAt }) => {
    const permission = startPermission(windows, blackouts, date(now));

    expect(permission).toMatchObject({ allowed: false, reason: "outside-window", opensAt: date(opensAt) });
  });

  it.each<{
    situation: string;
    windows: ChangeWindow[];
    blackouts: Blackout[];
    now: string;
    blockedBy: string;
    until: string;
    opensAt: string;
  }>([
    {
      situation: "a blackout inside a window, ending inside it",
      windows: [utcOffice],
      blackouts: [blackout("incident", "2026-11-25T12:00:00Z", "2026-11-25T14:00:00Z")],
      now: "2026-11-25T13:00:00Z",
      blockedBy: "incident",
      until: "2026-11-25T14:00:00Z",
      opensAt: "2026-11-25T14:00:00Z",
    },
    {
      situation: "the first instant of a blackout (from is inclusive)",
      windows: [utcOffice],
      blackouts: [blackout("incident", "2026-11-25T12:00:00Z", "2026-11-25T14:00:00Z")],
      now: "2026-11-25T12:00:00Z",
      blockedBy: "incident",
      until: "2026-11-25T14:00:00Z",
      opensAt: "2026-11-25T14:00:00Z",
    },
    {
      situation: "a blackout written with a UTC offset",
      windows: [],
      blackouts: [blackout("incident", "2026-11-25T13:00:00+01:00", "2026-11-25T15:00:00+01:00")],
      now: "2026-11-25T13:00:00Z",
      blockedBy: "incident",
      until: "2026-11-25T14:00:00Z",
      opensAt: "2026-11-25T14:00:00Z",
    },
    {
      situation: "a blackout ending after the window closed: wait for the next day's window",
      windows: [utcOffice],
      blackouts: [blackout("incident", "2026-11-25T15:00:00Z", "2026-11-25T18:00:00Z")],
      now: "2026-11-25T16:00:00Z",
      blockedBy: "incident",
      until: "2026-11-25T18:00:00Z",
      opensAt: "2026-11-26T09:00:00Z",
    },
    {
      situation: "a blackout spanning several windows",
      windows: [berlinOffice],
      blackouts: [yearEndFreeze],
      now: "2026-12-21T10:00:00Z",
      blockedBy: "year-end freeze",
      until: "2027-01-04T00:00:00Z",
      opensAt: "2027-01-04T08:00:00Z",
    },
    {
      situation: "a blackout wins over no windows at all",
      windows: [],
      blackouts: [yearEndFreeze],
      now: "2026-12-21T10:00:00Z",
      blockedBy: "year-end freeze",
      until: "2027-01-04T00:00:00Z",
      opensAt: "2027-01-04T00:00:00Z",
    },
    {
      situation: "overlapping blackouts, now in both: the one ending last is reported",
      windows: [],
      blackouts: [
        blackout("first", "2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z"),
        blackout("second", "2026-11-25T13:00:00Z", "2026-11-25T18:00:00Z"),
      ],
      now: "2026-11-25T13:30:00Z",
      blockedBy: "second",
      until: "2026-11-25T18:00:00Z",
      opensAt: "2026-11-25T18:00:00Z",
    },
    {
      situation: "overlapping blackouts, now in the first only: the start waits for the second too",
      windows: [],
      blackouts: [
        blackout("first", "2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z"),
        blackout("second", "2026-11-25T13:00:00Z", "2026-11-25T18:00:00Z"),
      ],
      now: "2026-11-25T11:00:00Z",
      blockedBy: "first",
      until: "2026-11-25T14:00:00Z",
      opensAt: "2026-11-25T18:00:00Z",
    },
    {
      situation: "a short blackout nested in a long one: the long one is reported",
      windows: [],
      blackouts: [
        blackout("short", "2026-11-25T12:00:00Z", "2026-11-25T13:00:00Z"),
        blackout("long", "2026-11-25T10:00:00Z", "2026-11-25T20:00:00Z"),
      ],
      now: "2026-11-25T12:30:00Z",
      blockedBy: "long",
      until: "2026-11-25T20:00:00Z",
      opensAt: "2026-11-25T20:00:00Z",
    },
    {
      situation: "back-to-back blackouts inside a window",
      windows: [utcOffice],
      blackouts: [
        blackout("first", "2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z"),
        blackout("second", "2026-11-25T14:00:00Z", "2026-11-25T16:00:00Z"),
      ],
      now: "2026-11-25T11:00:00Z",
      blockedBy: "first",
      until: "2026-11-25T14:00:00Z",
      opensAt: "2026-11-25T16:00:00Z",
    },
  ])("blackout: $situation", ({ windows, blackouts, now, blockedBy, until, opensAt }) => {
    const permission = startPermission(windows, blackouts, date(now));

    expect(permission).toMatchObject({
      allowed: false,
      reason: "blackout",
      until: date(until),
      blackout: { reason: blockedBy },
      opensAt: date(opensAt),
    });
  });

  it.each<{
    situation: string;
    windows: ChangeWindow[];
    blackouts: Blackout[];
    now: string;
    message: string;
  }>([
    {
      situation: "outside the window, nothing in the way",
      windows: [berlinOffice],
      blackouts: [],
      now: "2026-11-28T12:00:00Z",
      message:
        "outside every change window (Mon-Fri 09:00-17:00 Europe/Berlin); the next opens at 2026-11-30T08:00:00.000Z",
    },
    {
      situation: "outside several windows",
      windows: [berlinOffice, fridayNight],
      blackouts: [],
      now: "2026-11-28T12:00:00Z",
      message:
        "outside every change window (Mon-Fri 09:00-17:00 Europe/Berlin, Fri 22:00-02:00 (next day) UTC); " +
        "the next opens at 2026-11-30T08:00:00.000Z",
    },
    {
      situation: "outside the window, and its next opening is blacked out",
      windows: [utcOffice],
      blackouts: [blackout("db migration", "2026-11-30T00:00:00Z", "2026-11-30T12:00:00Z")],
      now: "2026-11-28T12:00:00Z",
      message:
        "outside every change window (Mon-Fri 09:00-17:00 UTC); the next opens at 2026-11-30T09:00:00.000Z, " +
        'during blackout "db migration" (until 2026-11-30T12:00:00.000Z); the release may start at 2026-11-30T12:00:00.000Z',
    },
    {
      situation: "in a blackout spanning several windows",
      windows: [berlinOffice],
      blackouts: [yearEndFreeze],
      now: "2026-12-21T10:00:00Z",
      message:
        'blackout "year-end freeze" until 2027-01-04T00:00:00.000Z; the release may start at 2027-01-04T08:00:00.000Z',
    },
    {
      situation: "in a blackout longer than 400 days: its end is reported anyway",
      windows: [berlinOffice],
      blackouts: [blackout("decommissioning", "2026-11-01T00:00:00Z", "2028-06-01T00:00:00Z")],
      now: "2026-11-25T10:00:00Z",
      message:
        'blackout "decommissioning" until 2028-06-01T00:00:00.000Z; no instant within 400 days is free of blackouts ' +
        "and inside a change window, so the release may start at 2028-06-01T00:00:00.000Z at the earliest " +
        '(the end of blackout "decommissioning")',
    },
    {
      situation: "outside the window, and blackouts chained past 400 days cover every later opening",
      windows: [berlinOffice],
      blackouts: [
        blackout("migration", "2026-11-30T00:00:00Z", "2027-09-01T00:00:00Z"),
        blackout("sunset", "2027-09-01T00:00:00Z", "2028-03-01T00:00:00Z"),
      ],
      now: "2026-11-28T12:00:00Z",
      message:
        "outside every change window (Mon-Fri 09:00-17:00 Europe/Berlin); no instant within 400 days is free of " +
        "blackouts and inside a change window, so the release may start at 2028-03-01T00:00:00.000Z at the earliest " +
        '(the end of blackout "sunset")',
    },
    {
      situation: "a reason with a line break stays on one line",
      windows: [],
      blackouts: [blackout("freeze\nask #release", "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z")],
      now: "2026-11-25T10:00:00Z",
      message:
        'blackout "freeze\\nask #release" until 2026-11-26T00:00:00.000Z; the release may start at 2026-11-26T00:00:00.000Z',
    },
  ])("message: $situation", ({ windows, blackouts, now, message }) => {
    const permission = startPermission(windows, blackouts, date(now));

    expect(permission).toMatchObject({ allowed: false, message });
  });

  it.each<{ situation: string; windows: ChangeWindow[]; blackouts: Blackout[]; from: string; to: string }>([
    {
      situation: "a Berlin office week across the spring-forward weekend, with a blackout",
      windows: [berlinOffice],
      blackouts: [blackout("incident", "2026-03-31T10:00:00Z", "2026-04-01T12:00:00Z")],
      from: "2026-03-25T00:00:00Z",
      to: "2026-04-08T00:00:00Z",
    },
    {
      situation: "New York nights across the fall-back weekend, with overlapping blackouts",
      windows: [
        { days: ["Fri", "Sat", "Sun"], start: "22:00", end: "06:00", timeZone: "America/New_York" },
        newYorkFriday,
      ],
      blackouts: [
        blackout("first", "2026-11-06T20:00:00Z", "2026-11-07T05:00:00Z"),
        blackout("second", "2026-11-07T04:00:00Z", "2026-11-08T04:30:00Z"),
      ],
      from: "2026-10-28T00:00:00Z",
      to: "2026-11-12T00:00:00Z",
    },
    {
      situation: "Tokyo and a UTC window wrapping into Monday",
      windows: [tokyoMonday, sundayNight],
      blackouts: [],
      from: "2026-11-20T00:00:00Z",
      to: "2026-12-05T00:00:00Z",
    },
  ])(
    "every instant of $situation: opensAt is the first allowed instant",
    ({ windows, blackouts, from, to }) => {
      // An odd step (97 minutes) lands on every time of day over the span.
      for (let at = Date.parse(from); at < Date.parse(to); at += 97 * 60_000) {
        const now = new Date(at);
        const permission = startPermission(windows, blackouts, now);
        if (permission.allowed) {
          if (permission.closesAt === undefined)
            throw new Error(`expected a closing time at ${now.toISOString()}`);
          expect(permission.closesAt.getTime()).toBeGreaterThan(at);
          expect(windowContaining(windows, new Date(permission.closesAt.getTime() - 1))).toBeDefined();
          expect(windowContaining(windows, permission.closesAt)).toBeUndefined();
        } else {
          const opensAt = permission.opensAt.getTime();
          expect(opensAt).toBeGreaterThan(at);
          expect(startPermission(windows, blackouts, permission.opensAt).allowed).toBe(true);
          expect(startPermission(windows, blackouts, new Date(opensAt - 1)).allowed).toBe(false);
        }
      }
    },
  );
});

describe("windowContaining", () => {
  it.each<{ situation: string; window: ChangeWindow; at: string; opensAt: string; closesAt: string }>([
    {
      situation: "Berlin spring forward: a start in the gap opens at the first instant after it",
      window: { days: ["Sun"], start: "02:30", end: "04:00", timeZone: "Europe/Berlin" },
      at: "2026-03-29T01:30:00Z",
      opensAt: "2026-03-29T01:00:00Z",
      closesAt: "2026-03-29T02:00:00Z",
    },
    {
      situation: "New York spring forward: a start in the gap opens at the first instant after it",
      window: { days: ["Sun"], start: "02:15", end: "05:00", timeZone: "America/New_York" },
      at: "2026-03-08T07:00:00Z",
      opensAt: "2026-03-08T07:00:00Z",
      closesAt: "2026-03-08T09:00:00Z",
    },
    {
      situation: "Berlin fall back: a repeated start opens at its first occurrence, inside during the second",
      window: { days: ["Sun"], start: "02:30", end: "03:30", timeZone: "Europe/Berlin" },
      at: "2026-10-25T01:45:00Z",
      opensAt: "2026-10-25T00:30:00Z",
      closesAt: "2026-10-25T02:30:00Z",
    },
    {
      situation:
        "New York fall back: a repeated start opens at its first occurrence, inside during the second",
      window: { days: ["Sun"], start: "01:30", end: "02:00", timeZone: "America/New_York" },
      at: "2026-11-01T06:45:00Z",
      opensAt: "2026-11-01T05:30:00Z",
      closesAt: "2026-11-01T07:00:00Z",
    },
    {
      situation: "New York fall back in a window across midnight: the night is an hour longer",
      window: { days: ["Sat"], start: "22:00", end: "06:00", timeZone: "America/New_York" },
      at: "2026-11-01T10:30:00Z",
      opensAt: "2026-11-01T02:00:00Z",
      closesAt: "2026-11-01T11:00:00Z",
    },
    {
      situation: "Berlin spring forward in a window across midnight: the night is an hour shorter",
      window: { days: ["Sat"], start: "22:00", end: "06:00", timeZone: "Europe/Berlin" },
      at: "2026-03-29T03:30:00Z",
      opensAt: "2026-03-28T21:00:00Z",
      closesAt: "2026-03-29T04:00:00Z",
    },
    {
      situation: "the second half of a window across midnight",
      window: fridayNight,
      at: "2026-11-28T01:00:00Z",
      opensAt: "2026-11-27T22:00:00Z",
      closesAt: "2026-11-28T02:00:00Z",
    },
  ])("$situation", ({ window, at, opensAt, closesAt }) => {
    expect(windowContaining([window], date(at))).toEqual({
      window,
      opensAt: date(opensAt),
      closesAt: date(closesAt),
    });
  });

  it.each<{ situation: string; windows: ChangeWindow[]; at: string }>([
    { situation: "no windows", windows: [], at: "2026-11-25T10:00:00Z" },
    {
      situation: "after the close of a window across midnight",
      windows: [fridayNight],
      at: "2026-11-28T02:00:00Z",
    },
    {
      situation: "Berlin fall back: the repeated hour after the window closed",
      windows: [{ days: ["Sun"], start: "02:00", end: "02:30", timeZone: "Europe/Berlin" }],
      at: "2026-10-25T01:15:00Z",
    },
  ])("nothing contains the instant: $situation", ({ windows, at }) => {
    expect(windowContaining(windows, date(at))).toBeUndefined();
  });
});

describe("nextWindowOpening", () => {
  it.each<{ situation: string; windows: ChangeWindow[]; after: string; opening: string | undefined }>([
    { situation: "no windows", windows: [], after: "2026-11-25T10:00:00Z", opening: undefined },
    {
      situation: "at an opening: the next one, strictly after",
      windows: [berlinOffice],
      after: "2026-11-30T08:00:00Z",
      opening: "2026-12-01T08:00:00Z",
    },
    {
      situation: "Berlin spring forward: the week after opens an hour earlier in UTC",
      windows: [berlinOffice],
      after: "2026-03-27T17:00:00Z",
      opening: "2026-03-30T07:00:00Z",
    },
    {
      situation: "New York fall back: the week after opens an hour later in UTC",
      windows: [newYorkFriday],
      after: "2026-10-30T22:00:00Z",
      opening: "2026-11-06T14:00:00Z",
    },
    {
      situation: "Berlin spring forward: a start in the gap opens at the first instant after it",
      windows: [{ days: ["Sun"], start: "02:30", end: "04:00", timeZone: "Europe/Berlin" }],
      after: "2026-03-28T12:00:00Z",
      opening: "2026-03-29T01:00:00Z",
    },
    {
      situation: "New York spring forward: a start in the gap opens at the first instant after it",
      windows: [{ days: ["Sun"], start: "02:15", end: "05:00", timeZone: "America/New_York" }],
      after: "2026-03-07T12:00:00Z",
      opening: "2026-03-08T07:00:00Z",
    },
    {
      situation: "Berlin fall back: a repeated start opens at its first occurrence",
      windows: [{ days: ["Sun"], start: "02:30", end: "03:30", timeZone: "Europe/Berlin" }],
      after: "2026-10-24T00:00:00Z",
      opening: "2026-10-25T00:30:00Z",
    },
    {
      situation: "New York fall back: a repeated start opens at its first occurrence",
      windows: [{ days: ["Sun"], start: "01:30", end: "02:00", timeZone: "America/New_York" }],
      after: "2026-10-31T00:00:00Z",
      opening: "2026-11-01T05:30:00Z",
    },
    {
      situation: "a window wholly inside the spring-forward gap skips that day",
      windows: [{ days: ["Sun"], start: "02:00", end: "02:30", timeZone: "Europe/Berlin" }],
      after: "2026-03-22T03:00:00Z",
      opening: "2026-04-05T00:00:00Z",
    },
  ])("$situation", ({ windows, after, opening }) => {
    expect(nextWindowOpening(windows, date(after))).toEqual(
      opening === undefined ? undefined : date(opening),
    );
  });
});

describe("describeWindow", () => {
  it.each<{ situation: string; window: ChangeWindow; text: string }>([
    {
      situation: "weekdays in a named zone",
      window: berlinOffice,
      text: "Mon-Fri 09:00-17:00 Europe/Berlin",
    },
    {
      situation: "across midnight, zone left out",
      window: fridayNight,
      text: "Fri 22:00-02:00 (next day) UTC",
    },
    {
      situation: "a 24-hour window",
      window: { days: ["Wed"], start: "09:00", end: "09:00" },
      text: "Wed 09:00-09:00 (next day) UTC",
    },
    {
      situation: "two days, written in any order",
      window: { days: ["Sun", "Sat"], start: "10:00", end: "12:00" },
      text: "Sat,Sun 10:00-12:00 UTC",
    },
    {
      situation: "days apart",
      window: { days: ["Fri", "Mon", "Wed"], start: "10:00", end: "12:00" },
      text: "Mon,Wed,Fri 10:00-12:00 UTC",
    },
    {
      situation: "a run over the weekend",
      window: { days: ["Mon", "Fri", "Sat", "Sun"], start: "10:00", end: "12:00", timeZone: "Asia/Tokyo" },
      text: "Fri-Mon 10:00-12:00 Asia/Tokyo",
    },
    {
      situation: "every day but Thursday",
      window: { days: ["Mon", "Tue", "Wed", "Fri", "Sat", "Sun"], start: "10:00", end: "12:00" },
      text: "Fri-Wed 10:00-12:00 UTC",
    },
    { situation: "every day", window: allWeek, text: "Mon-Sun 00:00-00:00 (next day) UTC" },
  ])("$situation", ({ window, text }) => {
    expect(describeWindow(window)).toBe(text);
  });
});

describe("input the schema should have rejected fails fast, with context", () => {
  it.each<{ situation: string; run: () => unknown; error: RegExp }>([
    {
      situation: "an unknown time zone",
      run: () =>
        startPermission(
          [{ days: ["Mon"], start: "09:00", end: "17:00", timeZone: "Mars/Olympus" }],
          [],
          date("2026-11-25T10:00:00Z"),
        ),
      error:
        /change window Mon 09:00-17:00 Mars\/Olympus: expected an IANA time zone .*found "Mars\/Olympus"/,
    },
    {
      situation: "an unknown time zone, looking for the next opening",
      run: () =>
        nextWindowOpening(
          [{ days: ["Mon"], start: "09:00", end: "17:00", timeZone: "CEST+1" }],
          date("2026-11-25"),
        ),
      error: /found "CEST\+1"/,
    },
    {
      situation: "a time that is not HH:MM",
      run: () =>
        windowContaining([{ days: ["Mon"], start: "9:00", end: "17:00" }], date("2026-11-25T10:00:00Z")),
      error: /expected start as HH:MM \(00:00 to 23:59\), found "9:00"/,
    },
    {
      situation: "a window without days",
      run: () =>
        startPermission([{ days: [], start: "09:00", end: "17:00" }], [], date("2026-11-25T10:00:00Z")),
      error: /expected a change window to open within 15 days after 2026-11-25T10:00:00.000Z, found none/,
    },
    {
      situation: "a blackout end that is not a timestamp",
      run: () =>
        startPermission([], [blackout("freeze", "2026-11-25T00:00:00Z", "soon")], date("2026-11-25")),
      error: /blackout "freeze": expected to as an RFC 3339 timestamp, found "soon"/,
    },
    {
      situation: "an invalid now",
      run: () => startPermission([berlinOffice], [], new Date(Number.NaN)),
      error: /expected now to be a valid date/,
    },
  ])("$situation", ({ run, error }) => {
    expect(run).toThrow(error);
  });
});
