/** Thrown by a check to end a wait at once (the process it waits for has died, say). */
export class StopWaiting extends Error {}

/** Polls `check` until it returns true, or fails naming what was awaited and the last error seen. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs?: number; whileWaiting?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
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
