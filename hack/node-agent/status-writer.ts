/**
 * Test infrastructure: writes one pod's status, one patch at a time. Requests coalesce: a burst of
 * changes becomes one patch of the latest state. Failed writes are retried; a pod that is gone (404)
 * or refuses the change (409 uid mismatch, 422 e.g. "may not transition from terminal phase") ends
 * the writer, since retrying cannot help.
 */
import type { Logger } from "pino";
import { describeError, statusCodeOf } from "./api.js";

const RETRY_MS = 1_000;

export class StatusWriter {
  private dirty = false;
  private running = false;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private lastWritten: string | undefined;

  /**
   * @param write patches the status computed now, unless it equals `lastWritten` (compared by key).
   */
  constructor(
    private readonly compute: () => { key: string; write: () => Promise<void> },
    private readonly log: Logger,
  ) {}

  request(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (!this.running) {
      this.running = true;
      this.loop = this.run();
    }
  }

  /** Resolves once every request made so far is written (or the writer gave up). */
  flush(): Promise<void> {
    return this.loop;
  }

  /** No writes after this one: the pod is gone or the agent is shutting down. */
  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    try {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        const { key, write } = this.compute();
        if (key === this.lastWritten) continue;
        try {
          await write();
          this.lastWritten = key;
        } catch (error) {
          const code = statusCodeOf(error);
          if (code === 404 || code === 409 || code === 422) {
            this.log.warn(
              { code, error: describeError(error) },
              "Stopped writing pod status: the API refuses it",
            );
            this.stopped = true;
            return;
          }
          this.log.warn({ error: describeError(error) }, "Could not write pod status; retrying");
          this.dirty = true;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
