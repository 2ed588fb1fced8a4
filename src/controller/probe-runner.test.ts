import { describe, expect, it } from "vitest";
import { ProbeRunner } from "./probe-runner.js";

/** A run the test finishes by hand. */
function deferred(): {
  promise: Promise<string>;
  resolve: (value: string) => void;
  reject: (error: Error) => void;
} {
  let resolve: (value: string) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function runner(limit = 2) {
  const woken: [string, number][] = [];
  const failures: string[] = [];
  const probes = new ProbeRunner<string>({
    limit,
    wake: (key, delayMs) => woken.push([key, delayMs]),
    failed: (key) => failures.push(key),
    retryAfterMs: 5_000,
  });
  return { probes, woken, failures };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("ProbeRunner", () => {
  it("the first ask starts a run and answers nothing; the ask after it finished gets the result and the release was woken", async () => {
    const { probes, woken } = runner();
    const run = deferred();
    let starts = 0;
    const start = () => {
      starts += 1;
      return run.promise;
    };
    expect(probes.resultOrStart("ns/a", "uid-a", start)).toBeUndefined();
    expect(probes.resultOrStart("ns/a", "uid-a", start)).toBeUndefined();
    expect(probes.isRunning("ns/a", "uid-a")).toBe(true);
    run.resolve("checked");
    await settle();
    expect(woken).toEqual([["ns/a", 0]]);
    expect(probes.resultOrStart("ns/a", "uid-a", start)).toBe("checked");
    expect(starts).toBe(1);
  });

  it("results stay until settled (a conflicting status write loses nothing), then a new ask runs again", async () => {
    const { probes } = runner();
    probes.resultOrStart("ns/a", "uid-a", () => Promise.resolve("first"));
    await settle();
    expect(probes.resultOrStart("ns/a", "uid-a", () => Promise.resolve("second"))).toBe("first");
    probes.settle("ns/a");
    expect(probes.resultOrStart("ns/a", "uid-a", () => Promise.resolve("second"))).toBeUndefined();
    await settle();
    expect(probes.resultOrStart("ns/a", "uid-a", () => Promise.resolve("third"))).toBe("second");
  });

  it("a release created again under the same name (a new UID) never gets the old one's results", async () => {
    const { probes } = runner();
    probes.resultOrStart("ns/a", "uid-old", () => Promise.resolve("old"));
    await settle();
    expect(probes.resultOrStart("ns/a", "uid-new", () => Promise.resolve("new"))).toBeUndefined();
    await settle();
    expect(probes.resultOrStart("ns/a", "uid-new", () => Promise.resolve("unused"))).toBe("new");
  });

  it("at most `limit` runs at once; the others wait their turn", async () => {
    const { probes } = runner(2);
    const runs = [deferred(), deferred(), deferred()];
    let active = 0;
    let most = 0;
    runs.forEach((run, index) =>
      probes.resultOrStart(`ns/r${index}`, `u${index}`, async () => {
        active += 1;
        most = Math.max(most, active);
        const value = await run.promise;
        active -= 1;
        return value;
      }),
    );
    expect(probes.pending).toBe(3);
    runs[0]?.resolve("0");
    await settle();
    runs[1]?.resolve("1");
    runs[2]?.resolve("2");
    await settle();
    await settle();
    expect(most).toBe(2);
    expect(probes.pending).toBe(0);
    expect(probes.resultOrStart("ns/r2", "u2", () => Promise.resolve("x"))).toBe("2");
  });

  it("a run that throws is reported, and the release is woken later to try again", async () => {
    const { probes, woken, failures } = runner();
    const run = deferred();
    probes.resultOrStart("ns/a", "uid-a", () => run.promise);
    run.reject(new Error("boom"));
    await settle();
    expect(failures).toEqual(["ns/a"]);
    expect(woken).toEqual([["ns/a", 5_000]]);
    expect(probes.isRunning("ns/a", "uid-a")).toBe(false);
    expect(probes.resultOrStart("ns/a", "uid-a", () => Promise.resolve("again"))).toBeUndefined();
  });
});
