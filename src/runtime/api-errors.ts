// Reading the API server's errors: the status code, and the server's own message (a Status object's
// `message`) rather than the client's dump of request headers.
import { ApiException } from "@kubernetes/client-node";

export function statusCodeOf(error: unknown): number | undefined {
  return error instanceof ApiException ? (error as ApiException<unknown>).code : undefined;
}

export const isNotFound = (error: unknown): boolean => statusCodeOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusCodeOf(error) === 409;
/** The object as sent can never be accepted (400 Bad Request, 422 Invalid): sending it again is useless. */
export const isRefused = (error: unknown): boolean => {
  const code = statusCodeOf(error);
  return code === 400 || code === 422;
};

export function apiErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = (error as ApiException<unknown>).body;
    const parsed: unknown = typeof body === "string" ? safeJson(body) : body;
    if (
      parsed !== null &&
      typeof parsed === "object" &&
      "message" in parsed &&
      typeof parsed.message === "string"
    ) {
      return `${String((error as ApiException<unknown>).code)}: ${parsed.message}`;
    }
    return `HTTP ${String((error as ApiException<unknown>).code)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
