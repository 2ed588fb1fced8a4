/** Thrown by a check to end a wait at once (the process it waits for has died, say). */
export class StopWaiting extends Error {}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Added to the timeout's message: where to look next. */
  readonly whileWaiting?: () => string | undefined;
}

/**
 * Polls `check` until it returns a value (anything but undefined), and returns that value; or fails
 * naming what was awaited and the last error seen. A check throwing StopWaiting ends the wait at once.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      const hint = options.whileWaiting?.();
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${cause}${hint ? `; ${hint}` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Polls `check` until it returns true; see waitFor. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  options: WaitOptions,
): Promise<void> {
  await waitFor(what, async () => ((await check()) ? true : undefined), options);
}
