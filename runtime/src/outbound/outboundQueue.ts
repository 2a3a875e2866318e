/**
 * Due sends, by id only: in AWS an SQS queue (with EventBridge Scheduler one-time schedules for
 * sends further out than SQS's 15-minute delay), locally an embedded SQLite table. Both pass
 * `tests/outbound/outboundQueueConformance.ts`. The queue is at-least-once: a delivery can come
 * twice or after its send was cancelled, so the worker decides from the record in the store,
 * never from the message.
 */

/** One received message: the send it names and what it takes to delete or delay it. */
export interface QueueDelivery {
  sendId: string;
  /** Opaque handle for `delete` / `retryLater` (SQS ReceiptHandle, or a lease token). */
  receipt: string;
  /** How many times this message was received, this time included. */
  receiveCount: number;
}

export interface QueueStats {
  /** Due and waiting to be received. */
  visible: number;
  /** Received and not yet deleted (held by a worker). */
  inFlight: number;
  /**
   * Delayed in the queue: due within SQS's 15-minute horizon but not yet. Sends due later (SQS:
   * schedules, which IAM cannot let a task list for one group only) are counted from their
   * records, not here.
   */
  delayed: number;
  /** Age of the oldest visible message in seconds, when the engine tells (SQS via CloudWatch only). */
  oldestAgeSeconds?: number;
}

/** SQS's longest delay; a send due later than this goes through a schedule. */
export const MAX_QUEUE_DELAY_MS = 15 * 60 * 1000;

export interface OutboundQueue {
  readonly kind: "sqlite" | "sqs";
  /**
   * Makes `sendId` due at `dueAt` (now or in the past: at once). Later than 15 minutes ahead,
   * the SQS queue creates a one-time schedule named after the send that enqueues it then.
   * Enqueuing the same id twice may deliver it twice; the worker's claim makes that harmless.
   */
  enqueue(sendId: string, dueAt: Date): Promise<void>;
  /**
   * Up to `max` due messages, each hidden from other receivers for `visibilityMs` (the lease);
   * waits up to `waitMs` for one to arrive (long polling), then answers [] .
   */
  receive(max: number, options: { waitMs: number; visibilityMs: number }): Promise<QueueDelivery[]>;
  /** The work is done (or was not needed): the message is removed. */
  delete(delivery: QueueDelivery): Promise<void>;
  /** Hides the message again for `delayMs` (≤ 15 min), e.g. when the rate is full. */
  retryLater(delivery: QueueDelivery, delayMs: number): Promise<void>;
  /** Removes a pending schedule for the send, if any (a message already queued is left: see above). */
  cancel(sendId: string): Promise<void>;
  stats(): Promise<QueueStats>;
  close(): Promise<void>;
}
