// The gate's external checks run beside the reconciles, never inside one: a slow git server must not
// hold a worker that a hundred other Releases wait for. A reconcile asks for results; the first ask
// starts a run (at most `limit` at once across all Releases), and when it ends the Release is woken
// and its next reconcile finds them. Results stay until the status holding them is written, so a
// conflicting write loses nothing. They live in memory only: after a restart a gate that had not
// recorded its checks yet simply runs them again (they only read).

export interface ProbeRunnerOptions {
  /** Runs at once, across all Releases. */
  limit: number;
  /** Wakes a Release's reconcile, now or after a delay. */
  wake: (key: string, delayMs: number) => void;
  /** Reports a run that threw (the checks themselves turn failures into results). */
  failed: (key: string, error: unknown) => void;
  /** How long after a run that threw the Release is woken to try again. */
  retryAfterMs?: number;
}

type Entry<T> =
  | { state: "waiting" | "running"; uid: string; run: () => Promise<T> }
  | { state: "done"; uid: string; result: T };

export class ProbeRunner<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly waiting: string[] = [];
  private running = 0;

  constructor(private readonly options: ProbeRunnerOptions) {}

  /**
   * The finished results for this Release (by key and UID), or undefined after starting a run when
   * none is under way. A different UID (the Release was deleted and created again) starts afresh.
   */
  resultOrStart(key: string, uid: string, run: () => Promise<T>): T | undefined {
    const entry = this.entries.get(key);
    if (entry?.uid === uid) return entry.state === "done" ? entry.result : undefined;
    this.entries.set(key, { state: "waiting", uid, run });
    this.waiting.push(key);
    this.pump();
    return undefined;
  }

  /** Whether a run for this Release is queued or under way. */
  isRunning(key: string, uid: string): boolean {
    const entry = this.entries.get(key);
    return entry?.uid === uid && entry.state !== "done";
  }

  /** The results are in status now (or the Release is gone): forget them. */
  settle(key: string): void {
    const entry = this.entries.get(key);
    if (entry?.state === "done") this.entries.delete(key);
  }

  /** Runs under way or queued, for the metrics and tests. */
  get pending(): number {
    return this.running + this.waiting.length;
  }

  private pump(): void {
    while (this.running < this.options.limit) {
      const key = this.waiting.shift();
      if (key === undefined) return;
      const entry = this.entries.get(key);
      if (entry?.state !== "waiting") continue;
      this.running += 1;
      this.entries.set(key, { ...entry, state: "running" });
      void this.execute(key, entry.uid, entry.run);
    }
  }

  private async execute(key: string, uid: string, run: () => Promise<T>): Promise<void> {
    try {
      const result = await run();
      if (this.entries.get(key)?.uid === uid) this.entries.set(key, { state: "done", uid, result });
      this.options.wake(key, 0);
    } catch (error) {
      if (this.entries.get(key)?.uid === uid) this.entries.delete(key);
      this.options.failed(key, error);
      this.options.wake(key, this.options.retryAfterMs ?? 30_000);
    } finally {
      this.running -= 1;
      this.pump();
    }
  }
}
