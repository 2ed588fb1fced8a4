import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { capturingLogger } from "../../test/support/logs.js";
import { LogFollowers, type LogSource, type LogTarget } from "./log-follower.js";

/** A log source the test drives: each opened stream is exposed to push lines, end or fail it. */
class FakeSource {
  readonly streams: {
    target: LogTarget;
    signal: AbortSignal;
    line: (raw: string) => void;
    end: () => void;
    fail: (error: Error) => void;
  }[] = [];

  readonly source: LogSource = (target, onLine, signal) =>
    new Promise<void>((resolve, reject) => {
      this.streams.push({ target, signal, line: onLine, end: resolve, fail: reject });
    });

  get last() {
    const stream = this.streams.at(-1);
    if (stream === undefined) throw new Error("no stream opened");
    return stream;
  }
}

const KEY = "nav/nav-1-4-2";
const TARGET: LogTarget = { namespace: "nav", pod: "nav-1-4-2-deploy-abcde", container: "deploy" };
const line = (second: number, text: string): string => `2026-11-25T10:00:0${second}.5Z ${text}`;

let source: FakeSource;
let woken: string[];
let followers: LogFollowers;

beforeEach(() => {
  vi.useFakeTimers();
  source = new FakeSource();
  woken = [];
  followers = new LogFollowers({
    source: source.source,
    wake: (key) => woken.push(key),
    throttleMs: 2000,
    retryMs: 1000,
    log: capturingLogger().log,
  });
});

afterEach(() => {
  followers.stopAll();
  vi.useRealTimers();
});

const flush = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

describe("LogFollowers", () => {
  it("follows once per Pod whatever the number of reconciles, keeping each line with its timestamp", () => {
    followers.follow(KEY, "deploy", TARGET, true);
    followers.follow(KEY, "deploy", TARGET, true);
    expect(source.streams).toHaveLength(1);
    source.last.line(line(1, "deploying 1.4.2"));
    const view = followers.view(KEY, "deploy");
    expect(view?.log.seen).toBe(1);
    expect(view?.log.lastAt).toBe("2026-11-25T10:00:01.5Z");
    expect(view?.log.lastLines(1)).toEqual([{ at: "2026-11-25T10:00:01.5Z", text: "deploying 1.4.2" }]);
    expect(view?.following).toBe(true);
  });

  it("wakes the Release at most once per throttle period, and once more for the last lines", async () => {
    followers.follow(KEY, "deploy", TARGET, true);
    for (let index = 0; index < 5; index += 1) source.last.line(line(index, `line ${index}`));
    expect(woken).toEqual([KEY]);
    await vi.advanceTimersByTimeAsync(1999);
    expect(woken).toEqual([KEY]);
    await vi.advanceTimersByTimeAsync(1);
    expect(woken).toEqual([KEY, KEY]);
  });

  it("a stream cut short while the container runs is opened again and the lines already read are skipped", async () => {
    followers.follow(KEY, "deploy", TARGET, true);
    source.last.line(line(1, "one"));
    source.last.line(line(2, "two"));
    source.last.end();
    await flush();
    expect(followers.view(KEY, "deploy")?.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(source.streams).toHaveLength(2);
    source.last.line(line(1, "one"));
    source.last.line(line(2, "two"));
    source.last.line(line(3, "three"));
    expect(followers.view(KEY, "deploy")?.log.render()).toBe(
      ["# 3 lines", line(1, "one"), line(2, "two"), line(3, "three")].join("\n"),
    );
  });

  it("ended once the stream ends after the container stopped: every line is in", async () => {
    followers.follow(KEY, "deploy", TARGET, true);
    source.last.line(line(1, "deployed"));
    followers.follow(KEY, "deploy", TARGET, false);
    source.last.end();
    await flush();
    expect(followers.view(KEY, "deploy")).toMatchObject({ ended: true, following: false });
    expect(woken.at(-1)).toBe(KEY);
    // Once ended, nothing is opened again.
    followers.follow(KEY, "deploy", TARGET, false);
    expect(source.streams).toHaveLength(1);
  });

  it("a failing stream is retried with backoff, never thrown", async () => {
    followers.follow(KEY, "deploy", TARGET, true);
    source.last.fail(new Error("HTTP 500"));
    await flush();
    await vi.advanceTimersByTimeAsync(999);
    expect(source.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.streams).toHaveLength(2);
    source.last.fail(new Error("HTTP 500"));
    await flush();
    await vi.advanceTimersByTimeAsync(1999);
    expect(source.streams).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.streams).toHaveLength(3);
  });

  it("a new Pod for the same purpose replaces the old stream", () => {
    followers.follow(KEY, "deploy", TARGET, true);
    const first = source.last;
    followers.follow(KEY, "deploy", { ...TARGET, pod: "nav-1-4-2-deploy-fghij" }, true);
    expect(first.signal.aborted).toBe(true);
    expect(source.last.target.pod).toBe("nav-1-4-2-deploy-fghij");
  });

  it("forget stops every stream of the Release and drops what was read", () => {
    followers.follow(KEY, "deploy", TARGET, true);
    followers.follow(KEY, "rollback", { ...TARGET, container: "rollback" }, true);
    expect(followers.active).toBe(2);
    followers.forget(KEY);
    expect(source.streams.every((stream) => stream.signal.aborted)).toBe(true);
    expect(followers.view(KEY, "deploy")).toBeUndefined();
    expect(followers.active).toBe(0);
  });
});
