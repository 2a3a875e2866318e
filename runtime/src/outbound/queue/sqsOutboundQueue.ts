import { createHash } from "node:crypto";
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleInput,
  type SchedulerClient,
} from "@aws-sdk/client-scheduler";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import {
  MAX_QUEUE_DELAY_MS,
  type OutboundQueue,
  type QueueDelivery,
  type QueueStats,
} from "../outboundQueue";
import {
  assertRetryDelay,
  assertSendId,
  parseQueueMessageBody,
  queueMessageBody,
} from "./queueMessageBody";
import { QueueUnavailableError } from "./queueUnavailableError";

export interface SqsOutboundQueueSettings {
  queueUrl: string;
  /** The queue's ARN: the target of the one-time schedules. */
  queueArn: string;
  /** The Scheduler group the one-time schedules are created in. */
  scheduleGroup: string;
  /** The role Scheduler assumes to send to the queue. */
  schedulerRoleArn: string;
}

/** What the queue logs: message ids and counts only (bodies are ids too, but are not logged). */
export interface QueueLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface SqsOutboundQueueDeps {
  sqs: SQSClient;
  scheduler: SchedulerClient;
  now?: () => Date;
  logger?: QueueLogger;
  /** Destroy the clients on close (when the queue made them, as `openOutboundQueue` does). */
  ownsClients?: boolean;
}

/** SQS's limits on one ReceiveMessage call. */
const MAX_RECEIVE_BATCH = 10;
const MAX_WAIT_SECONDS = 20;
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/**
 * The outbound queue in AWS: an SQS queue for sends due within 15 minutes (`DelaySeconds`), and
 * an EventBridge Scheduler one-time schedule per send due later, which puts the same id-only
 * message on the queue at its time and then deletes itself.
 */
export class SqsOutboundQueue implements OutboundQueue {
  readonly kind = "sqs" as const;
  private readonly now: () => Date;
  private scheduleKey: Promise<string | undefined> | undefined;

  constructor(
    private readonly settings: SqsOutboundQueueSettings,
    private readonly deps: SqsOutboundQueueDeps,
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  async enqueue(sendId: string, dueAt: Date): Promise<void> {
    const body = queueMessageBody(sendId);
    const due = dueAt.getTime();
    if (!Number.isFinite(due)) throw new RangeError("enqueue dueAt is not a valid date");
    const delayMs = due - this.now().getTime();
    if (delayMs <= MAX_QUEUE_DELAY_MS) {
      await this.call("enqueue", () =>
        this.deps.sqs.send(
          new SendMessageCommand({
            QueueUrl: this.settings.queueUrl,
            MessageBody: body,
            DelaySeconds: Math.min(900, Math.max(0, Math.ceil(delayMs / 1000))),
          }),
        ),
      );
      return;
    }
    await this.schedule(sendId, dueAt, body);
  }

  async receive(
    max: number,
    options: { waitMs: number; visibilityMs: number },
  ): Promise<QueueDelivery[]> {
    if (!Number.isInteger(max) || max < 1) throw new RangeError("receive max must be >= 1");
    const output = await this.call("receive", () =>
      this.deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.settings.queueUrl,
          MaxNumberOfMessages: Math.min(max, MAX_RECEIVE_BATCH),
          WaitTimeSeconds: clamp(Math.ceil(options.waitMs / 1000), 0, MAX_WAIT_SECONDS),
          VisibilityTimeout: clamp(
            Math.ceil(options.visibilityMs / 1000),
            0,
            MAX_VISIBILITY_SECONDS,
          ),
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
      ),
    );
    const deliveries: QueueDelivery[] = [];
    for (const message of output.Messages ?? []) {
      const sendId = parseQueueMessageBody(message.Body);
      if (sendId === undefined || message.ReceiptHandle === undefined) {
        // Not ours to interpret: it stays hidden for its visibility and, after the queue's
        // maxReceiveCount, the redrive policy moves it to the dead-letter queue for a person.
        this.deps.logger?.warn(
          { sqsMessageId: message.MessageId },
          "outbound queue message is not {sendId}; left for the dead-letter queue",
        );
        continue;
      }
      deliveries.push({
        sendId,
        receipt: message.ReceiptHandle,
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? "1") || 1,
      });
    }
    return deliveries;
  }

  async delete(delivery: QueueDelivery): Promise<void> {
    await this.call("delete", () =>
      this.deps.sqs.send(
        new DeleteMessageCommand({
          QueueUrl: this.settings.queueUrl,
          ReceiptHandle: delivery.receipt,
        }),
      ),
    );
  }

  async retryLater(delivery: QueueDelivery, delayMs: number): Promise<void> {
    assertRetryDelay(delayMs, MAX_QUEUE_DELAY_MS);
    await this.call("retryLater", () =>
      this.deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.settings.queueUrl,
          ReceiptHandle: delivery.receipt,
          VisibilityTimeout: Math.ceil(delayMs / 1000),
        }),
      ),
    );
  }

  async cancel(sendId: string): Promise<void> {
    assertSendId(sendId);
    try {
      await this.deps.scheduler.send(
        new DeleteScheduleCommand({
          Name: scheduleName(sendId),
          GroupName: this.settings.scheduleGroup,
        }),
      );
    } catch (err) {
      // No schedule: the send was due within 15 minutes, has fired, or was cancelled before.
      if (err instanceof ResourceNotFoundException) return;
      throw new QueueUnavailableError("cancel", { cause: err });
    }
  }

  async stats(): Promise<QueueStats> {
    const output = await this.call("stats", () =>
      this.deps.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.settings.queueUrl,
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
          ],
        }),
      ),
    );
    const attributes = output.Attributes ?? {};
    return {
      visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  async close(): Promise<void> {
    if (!this.deps.ownsClients) return;
    this.deps.sqs.destroy();
    this.deps.scheduler.destroy();
  }

  /**
   * One schedule per send, named after it. Creating it again (a retried request, or a send
   * deferred again) updates it to the newest due time: the record's `dueAt` is the one truth,
   * and a name left over from a schedule that just fired must not swallow the new one.
   */
  private async schedule(sendId: string, dueAt: Date, body: string): Promise<void> {
    const kmsKeyArn = await this.scheduleKeyArn();
    const input: CreateScheduleInput = {
      ...(kmsKeyArn ? { KmsKeyArn: kmsKeyArn } : {}),
      Name: scheduleName(sendId),
      GroupName: this.settings.scheduleGroup,
      ScheduleExpression: atExpression(dueAt),
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "DELETE",
      Target: {
        Arn: this.settings.queueArn,
        RoleArn: this.settings.schedulerRoleArn,
        Input: body,
      },
    };
    try {
      await this.deps.scheduler.send(new CreateScheduleCommand(input));
      return;
    } catch (err) {
      if (!(err instanceof ConflictException)) {
        throw new QueueUnavailableError("enqueue", { cause: err });
      }
    }
    try {
      await this.deps.scheduler.send(new UpdateScheduleCommand(input));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) {
        throw new QueueUnavailableError("enqueue", { cause: err });
      }
      // The old schedule completed and was deleted between the two calls.
      await this.call("enqueue", () => this.deps.scheduler.send(new CreateScheduleCommand(input)));
    }
  }

  /**
   * The queue's own key encrypts the schedules' payloads too (else Scheduler uses an AWS-owned
   * key), read once from the queue so the stack need not pass it twice. Scheduler takes a key ARN
   * only; a queue set up with an alias or bare key id leaves schedules on Scheduler's key.
   */
  private scheduleKeyArn(): Promise<string | undefined> {
    this.scheduleKey ??= this.call("enqueue", () =>
      this.deps.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.settings.queueUrl,
          AttributeNames: ["KmsMasterKeyId"],
        }),
      ),
    ).then(
      (output) => {
        const key = output.Attributes?.KmsMasterKeyId;
        return key && KEY_ARN.test(key) ? key : undefined;
      },
      (err: unknown) => {
        // Asked again next time rather than caching a failure.
        this.scheduleKey = undefined;
        throw err;
      },
    );
    return this.scheduleKey;
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw new QueueUnavailableError(operation, { cause: err });
    }
  }
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

const SCHEDULE_NAME = /^[0-9a-zA-Z_.-]{1,64}$/;

/**
 * Scheduler names are 1-64 characters of [0-9a-zA-Z-_.]. A send id that fits (`send-<uuid>` is
 * 41) is the name itself, so an operator can find a send's schedule; any other id is hashed.
 */
export function scheduleName(sendId: string): string {
  if (SCHEDULE_NAME.test(sendId)) return sendId;
  return `send-${createHash("sha256").update(sendId).digest("hex").slice(0, 59)}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the second so it never fires early. */
export function atExpression(dueAt: Date): string {
  const seconds = Math.ceil(dueAt.getTime() / 1000);
  return `at(${new Date(seconds * 1000).toISOString().slice(0, 19)})`;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
