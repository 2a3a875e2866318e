import { randomUUID } from "node:crypto";
import { openSqliteDatabase, type SqliteDatabase, type SqlValue } from "../../store/sqliteDriver";
import {
  MAX_QUEUE_DELAY_MS,
  type OutboundQueue,
  type QueueDelivery,
  type QueueStats,
} from "../outboundQueue";
import { assertRetryDelay, assertSendId } from "./queueMessageBody";
import { QueueUnavailableError } from "./queueUnavailableError";

export interface SqliteOutboundQueueOptions {
  /** The time due and visibility are measured against; tests move it instead of waiting. */
  now?: () => Date;
  /** How often a long poll looks at the table again (another process may have enqueued). */
  pollIntervalMs?: number;
  open?: (path: string) => SqliteDatabase;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbound_queue (
  message_id TEXT PRIMARY KEY,
  send_id TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receipt TEXT UNIQUE,
  receive_count INTEGER NOT NULL DEFAULT 0,
  enqueued_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbound_queue_by_visibility ON outbound_queue (visible_at);
CREATE INDEX IF NOT EXISTS outbound_queue_by_send ON outbound_queue (send_id);
`;

/**
 * The embedded queue for local runs: one table in a SQLite file (WAL, busy timeout) that several
 * processes may share. Like SQS, each enqueue is its own message (twice is delivered twice), and
 * a received message is hidden for its visibility and then comes back with a higher
 * receiveCount. Times are epoch milliseconds from the injected clock.
 */
export class SqliteOutboundQueue implements OutboundQueue {
  readonly kind = "sqlite" as const;
  private readonly db: SqliteDatabase;
  private readonly now: () => Date;
  private readonly pollIntervalMs: number;
  private closed = false;
  /** Long polls of this process, woken at once by a local enqueue or by close(). */
  private readonly waiters = new Set<() => void>();

  constructor(path: string, options: SqliteOutboundQueueOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.db = (options.open ?? openSqliteDatabase)(path);
    try {
      this.db.exec("PRAGMA busy_timeout = 5000");
      this.db.exec("PRAGMA journal_mode = WAL");
      this.db.exec("PRAGMA synchronous = FULL");
      this.db.exec(SCHEMA);
    } catch (err) {
      this.db.close();
      throw new QueueUnavailableError("open", { cause: err });
    }
  }

  async enqueue(sendId: string, dueAt: Date): Promise<void> {
    assertSendId(sendId);
    const due = dueAt.getTime();
    if (!Number.isFinite(due)) throw new RangeError("enqueue dueAt is not a valid date");
    const now = this.nowMs();
    this.run("enqueue", () =>
      this.db
        .prepare(
          `INSERT INTO outbound_queue (message_id, send_id, due_at, visible_at, enqueued_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(randomUUID(), sendId, due, Math.max(due, now), now),
    );
    this.wakeWaiters();
  }

  async receive(
    max: number,
    options: { waitMs: number; visibilityMs: number },
  ): Promise<QueueDelivery[]> {
    if (!Number.isInteger(max) || max < 1) throw new RangeError("receive max must be >= 1");
    const deadline = Date.now() + Math.max(0, options.waitMs);
    for (;;) {
      if (this.closed) return [];
      const taken = this.take(max, options.visibilityMs);
      const remaining = deadline - Date.now();
      if (taken.length > 0 || remaining <= 0) return taken;
      await this.sleep(Math.min(this.pollIntervalMs, remaining));
    }
  }

  async delete(delivery: QueueDelivery): Promise<void> {
    // A receipt from an earlier receive no longer matches once the message was received again:
    // the newer holder owns it, as with SQS.
    this.run("delete", () =>
      this.db.prepare("DELETE FROM outbound_queue WHERE receipt = ?").run(delivery.receipt),
    );
  }

  async retryLater(delivery: QueueDelivery, delayMs: number): Promise<void> {
    assertRetryDelay(delayMs, MAX_QUEUE_DELAY_MS);
    const visibleAt = this.nowMs() + Math.ceil(delayMs);
    this.run("retryLater", () =>
      this.db
        .prepare("UPDATE outbound_queue SET visible_at = ? WHERE receipt = ?")
        .run(visibleAt, delivery.receipt),
    );
  }

  async cancel(sendId: string): Promise<void> {
    assertSendId(sendId);
    // What SQS keeps as a schedule: not yet due and never received. Messages already due or
    // held by a worker stay; the worker finds the record cancelled.
    this.run("cancel", () =>
      this.db
        .prepare(
          "DELETE FROM outbound_queue WHERE send_id = ? AND receive_count = 0 AND due_at > ?",
        )
        .run(sendId, this.nowMs()),
    );
  }

  async stats(): Promise<QueueStats> {
    const now = this.nowMs();
    const row = this.run(
      "stats",
      () =>
        this.db
          .prepare(
            `SELECT
               COALESCE(SUM(visible_at <= ?), 0) AS visible,
               COALESCE(SUM(visible_at > ? AND receipt IS NOT NULL), 0) AS in_flight,
               COALESCE(SUM(visible_at > ? AND receipt IS NULL AND due_at <= ?), 0) AS delayed,
               MIN(CASE WHEN visible_at <= ? THEN visible_at END) AS oldest_visible
             FROM outbound_queue`,
          )
          // Rows due further out than SQS could delay are what the SQS engine keeps as schedules,
          // which it does not count: both engines report the same thing.
          .get(now, now, now, now + MAX_QUEUE_DELAY_MS, now) as Record<string, SqlValue>,
    );
    const oldest = row.oldest_visible;
    return {
      visible: Number(row.visible),
      inFlight: Number(row.in_flight),
      delayed: Number(row.delayed),
      ...(oldest === null ? {} : { oldestAgeSeconds: Math.floor((now - Number(oldest)) / 1000) }),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeWaiters();
    this.db.close();
  }

  /**
   * One statement takes the due rows and hides them, so two processes sharing the file never
   * get the same row within its visibility (SQLite runs a write statement under its lock).
   */
  private take(max: number, visibilityMs: number): QueueDelivery[] {
    const now = this.nowMs();
    const rows = this.run(
      "receive",
      () =>
        this.db
          .prepare(
            `UPDATE outbound_queue
                SET visible_at = ?, receipt = lower(hex(randomblob(16))),
                    receive_count = receive_count + 1
              WHERE message_id IN (
                SELECT message_id FROM outbound_queue
                 WHERE visible_at <= ? ORDER BY visible_at, enqueued_at LIMIT ?)
            RETURNING send_id, receipt, receive_count`,
          )
          .all(now + Math.max(0, Math.ceil(visibilityMs)), now, max) as Record<string, SqlValue>[],
    );
    return rows.map((row) => ({
      sendId: String(row.send_id),
      receipt: String(row.receipt),
      receiveCount: Number(row.receive_count),
    }));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  private wakeWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private nowMs(): number {
    return this.now().getTime();
  }

  private run<T>(operation: string, statement: () => T): T {
    if (this.closed) throw new QueueUnavailableError(operation, { cause: new Error("closed") });
    try {
      return statement();
    } catch (err) {
      throw new QueueUnavailableError(operation, { cause: err });
    }
  }
}
