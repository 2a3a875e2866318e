import { DependencyUnavailableError } from "../../errors";

/**
 * The queue could not be reached or refused an operation: callers answer 5xx (or leave the
 * message for redelivery) so nothing is acknowledged that was not queued. The message names the
 * operation only; the cause keeps the engine's error for logs, which never hold PHI because the
 * queue carries send ids only. On an HTTP path it answers as the store's outage does (503
 * `STORE_UNAVAILABLE` with Retry-After): an agent's remedy is the same, a retry.
 */
export class QueueUnavailableError extends DependencyUnavailableError {
  readonly callerMessage = "the outbound queue is unavailable; retry";

  constructor(operation: string, options?: { cause?: unknown }) {
    super("outbound queue", operation, options);
    this.name = "QueueUnavailableError";
  }
}
