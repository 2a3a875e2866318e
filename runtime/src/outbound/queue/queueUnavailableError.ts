/**
 * The queue could not be reached or refused an operation: callers answer 5xx (or leave the
 * message for redelivery) so nothing is acknowledged that was not queued. The message names the
 * operation only; the cause keeps the engine's error for logs, which never hold PHI because the
 * queue carries send ids only.
 */
export class QueueUnavailableError extends Error {
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`outbound queue unavailable during ${operation}`, options);
    this.name = "QueueUnavailableError";
  }
}
