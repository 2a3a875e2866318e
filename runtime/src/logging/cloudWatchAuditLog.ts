import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Logger } from "pino";
import type { AuditEvent, AuditLog } from "./audit";

export interface CloudWatchAuditLogOptions {
  client: CloudWatchLogsClient;
  logGroupName: string;
  logStreamName: string;
  /** Where a batch goes when CloudWatch Logs refuses it, so no audit event is lost. */
  fallback: AuditLog;
  /** Operational logger, for counts of fallbacks (never event contents). */
  log: Logger;
  flushIntervalMs?: number;
  maxBatch?: number;
  now?: () => number;
}

/**
 * Writes audit events straight to a restricted CloudWatch log group (the stack's audit group,
 * long retention, readable only by compliance), apart from operational logs. Events are batched
 * and flushed every couple of seconds and at shutdown; a batch CloudWatch Logs refuses is written
 * to the fallback (stdout, tagged logType "audit") instead of being dropped.
 */
export class CloudWatchAuditLog implements AuditLog {
  private buffer: { timestamp: number; event: AuditEvent }[] = [];
  private readonly timer: NodeJS.Timeout;
  private streamReady: Promise<void> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: CloudWatchAuditLogOptions) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 2000);
    this.timer.unref();
  }

  record(event: AuditEvent): void {
    const timestamp = (this.options.now ?? Date.now)();
    this.buffer.push({ timestamp, event });
    if (this.buffer.length >= (this.options.maxBatch ?? 500)) void this.flush();
  }

  /** Sends what is buffered; resolves when it is written (to CloudWatch or to the fallback). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.send());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async send(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.streamReady ??= this.createStream();
      await this.streamReady;
      await this.options.client.send(
        new PutLogEventsCommand({
          logGroupName: this.options.logGroupName,
          logStreamName: this.options.logStreamName,
          logEvents: batch.map(({ timestamp, event }) => ({
            timestamp,
            message: JSON.stringify({ ...event, time: new Date(timestamp).toISOString() }),
          })),
        }),
      );
    } catch (err) {
      this.streamReady = undefined;
      this.options.log.error(
        { err, events: batch.length },
        "audit batch refused by CloudWatch Logs; written to stdout",
      );
      for (const entry of batch) this.options.fallback.record(entry.event);
    }
  }

  private async createStream(): Promise<void> {
    try {
      await this.options.client.send(
        new CreateLogStreamCommand({
          logGroupName: this.options.logGroupName,
          logStreamName: this.options.logStreamName,
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceAlreadyExistsException)) throw err;
    }
  }
}
