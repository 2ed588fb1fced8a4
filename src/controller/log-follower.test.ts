import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { capturingLogger } from "../../test/support/logs.js";
import { apiStandIn } from "../../test/support/api-stand-in.js";
import { kubeLogSource, LogFollowers, type LogSource, type LogTarget } from "./log-follower.js";

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
let logs: ReturnType<typeof capturingLogger>;

describe("LogFollowers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    source = new FakeSource();
    woken = [];
    logs = capturingLogger();
    followers = new LogFollowers({
      source: source.source,
      wake: (key) => woken.push(key),
      throttleMs: 2000,
      retryMs: 1000,
      log: logs.log,
    });
  });

  afterEach(() => {
    followers.stopAll();
    vi.useRealTimers();
  });

  const flush = async (): Promise<void> => {
    await vi.advanceTimersByTimeAsync(0);
  };

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

  it("a stream that ended before the container was said stopped: the rest is read at once, then ended", async () => {
    followers.follow(KEY, "deploy", TARGET, true);
    source.last.line(line(1, "one"));
    source.last.end();
    await flush();
    expect(woken).toEqual([KEY, KEY]);
    expect(followers.view(KEY, "deploy")).toMatchObject({ ended: false, following: false });
    followers.follow(KEY, "deploy", TARGET, false);
    expect(source.streams).toHaveLength(2);
    source.last.line(line(1, "one"));
    source.last.line(line(2, "last words"));
    source.last.end();
    await flush();
    const view = followers.view(KEY, "deploy");
    expect(view).toMatchObject({ ended: true, following: false });
    expect(view?.log.lastLines(5).map((entry) => entry.text)).toEqual(["one", "last words"]);
    // The retry planned for the first end was dropped.
    await vi.advanceTimersByTimeAsync(5000);
    expect(source.streams).toHaveLength(2);
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
    expect(logs.lines).toEqual([
      expect.objectContaining({ msg: "Log stream failed; following again", failures: 1, error: "HTTP 500" }),
      expect.objectContaining({ failures: 2 }),
    ]);
  });

  it("the backoff stops growing at 30 s", async () => {
    followers.follow(KEY, "deploy", TARGET, true);
    for (let failure = 1; failure <= 7; failure += 1) {
      source.last.fail(new Error("HTTP 500"));
      await flush();
      await vi.advanceTimersByTimeAsync(Math.min(30_000, 1000 * 2 ** (failure - 1)));
      expect(source.streams).toHaveLength(failure + 1);
    }
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
    const wakes = woken.length;
    source.streams[0]?.line(line(1, "after forget"));
    expect(woken).toHaveLength(wakes);
    expect(followers.view(KEY, "deploy")).toBeUndefined();
    expect(followers.active).toBe(0);
  });
});

describe("kubeLogSource", () => {
  it.each([
    { situation: "lines in one chunk", chunks: ["a 1\nb 2\n"], lines: ["a 1", "b 2"] },
    {
      situation: "a line split across chunks",
      chunks: ["a 1\nb", " 2\nc", " 3\n"],
      lines: ["a 1", "b 2", "c 3"],
    },
    { situation: "a last line without a newline", chunks: ["a 1\r\nb 2"], lines: ["a 1", "b 2"] },
  ])("$situation: one call per line, resolved at the end of the stream", async ({ chunks, lines }) => {
    const server = await apiStandIn((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      for (const chunk of chunks) response.write(chunk);
      response.end();
    });
    try {
      const seen: string[] = [];
      await kubeLogSource(server.kubeConfig)(TARGET, (raw) => seen.push(raw), new AbortController().signal);
      expect(seen).toEqual(lines);
      expect(server.requests[0]?.headers.authorization).toBe("Bearer not-a-real-token");
      const url = new URL(server.requests[0]?.url ?? "", "http://x");
      expect(url.pathname).toBe("/api/v1/namespaces/nav/pods/nav-1-4-2-deploy-abcde/log");
      expect(Object.fromEntries(url.searchParams)).toEqual({
        container: "deploy",
        follow: "true",
        timestamps: "true",
      });
    } finally {
      await server.close();
    }
  });

  it("an error answer rejects with the status and the API server's message", async () => {
    const server = await apiStandIn((_request, response) => {
      response.writeHead(400, { "content-type": "application/json" });
      response.end('{"message":"container \\"deploy\\" is waiting to start: ContainerCreating"}');
    });
    try {
      await expect(
        kubeLogSource(server.kubeConfig)(TARGET, () => undefined, new AbortController().signal),
      ).rejects.toThrow(/nav\/nav-1-4-2-deploy-abcde: HTTP 400 .*ContainerCreating/);
    } finally {
      await server.close();
    }
  });

  it.each([
    {
      situation: "aborted by the caller",
      cut: (controller: AbortController) => {
        controller.abort();
      },
    },
    {
      situation: "the connection reset",
      cut: (_controller: AbortController, socket: () => void) => {
        socket();
      },
    },
  ])("a stream $situation rejects, and nothing escapes as an uncaught error", async ({ cut }) => {
    let destroy: () => void = () => undefined;
    const server = await apiStandIn((request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("a 1\n");
      destroy = () => request.socket.destroy();
    });
    try {
      const controller = new AbortController();
      const seen: string[] = [];
      const streaming = kubeLogSource(server.kubeConfig)(TARGET, (raw) => seen.push(raw), controller.signal);
      await vi.waitFor(() => {
        expect(seen).toEqual(["a 1"]);
      });
      cut(controller, destroy);
      await expect(streaming).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
