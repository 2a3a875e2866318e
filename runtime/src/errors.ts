/**
 * Errors that reach an HTTP caller. `code` is stable for clients to branch on; `message` is for
 * people and never carries PHI, so it is also safe to log.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (code: string, message: string): AppError =>
  new AppError(400, code, message);
export const unauthorized = (message = "missing or invalid credentials"): AppError =>
  new AppError(401, "UNAUTHORIZED", message);
export const forbidden = (code: string, message: string): AppError =>
  new AppError(403, code, message);
export const notFound = (message: string): AppError => new AppError(404, "NOT_FOUND", message);
export const conflict = (code: string, message: string): AppError =>
  new AppError(409, code, message);
export const unavailable = (code: string, message: string, retryAfterSeconds?: number): AppError =>
  new AppError(
    503,
    code,
    message,
    retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) },
  );

/** The store could not be reached or refused a write: callers answer 5xx so AWS retries. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`conversation store unavailable during ${operation}`, options);
    this.name = "StoreUnavailableError";
  }
}
