import { auditFor, type Caller } from "../conversations/caller";
import { AppError } from "../errors";
import type { AuditLog } from "../logging/audit";
import type { OutboundStore } from "../store/outboundStore";
import type { OutboundQueue } from "./outboundQueue";
import type { ScheduledSend } from "./sendRecord";

export const SEND_ID_PREFIX = "send-";

/** A send as `GET /v1/messages/:id` shows it: no destination, no text. */
export function sendView(send: ScheduledSend): Record<string, unknown> {
  return {
    messageId: send.providerMessageId ?? send.sendId,
    sendId: send.sendId,
    status: send.status,
    ...(send.conversationId ? { conversationId: send.conversationId } : {}),
    requestedAt: send.requestedAt,
    ...(send.status === "sent" || send.status === "sending" ? {} : { dueAt: send.dueAt }),
    attempts: send.attempts.map((a) => ({
      at: a.at,
      outcome: a.outcome,
      ...(a.providerMessageId ? { messageId: a.providerMessageId } : {}),
      ...(a.code ? { code: a.code } : {}),
      ...(a.deliveryStatus ? { deliveryStatus: a.deliveryStatus } : {}),
    })),
    ...(send.verdict ? { verdict: send.verdict } : {}),
  };
}

/**
 * Reads and cancels sends by either id: the send id (`send-…`) the agent holds from the start,
 * or End User Messaging's message id once sent.
 */
export class SendViews {
  constructor(
    private readonly deps: {
      store: Pick<OutboundStore, "getSend" | "sendIdForProviderMessage" | "cancelSend">;
      queue: Pick<OutboundQueue, "cancel">;
      audit: AuditLog;
      now: () => Date;
      log: { warn(obj: object, msg: string): void };
    },
  ) {}

  async sendIdFor(id: string): Promise<string | undefined> {
    if (id.startsWith(SEND_ID_PREFIX)) return id;
    return this.deps.store.sendIdForProviderMessage(id);
  }

  async find(id: string): Promise<ScheduledSend | undefined> {
    const sendId = await this.sendIdFor(id);
    return sendId === undefined ? undefined : this.deps.store.getSend(sendId);
  }

  async cancel(id: string, caller: Caller): Promise<Record<string, unknown>> {
    const sendId = await this.sendIdFor(id);
    if (sendId === undefined) throw new AppError("NOT_FOUND", "no message with that id");
    const result = await this.deps.store.cancelSend(sendId, this.deps.now().toISOString());
    const record = `send:${sendId}`;
    if (result === "not_found") throw new AppError("NOT_FOUND", "no message with that id");
    if (result !== "cancelled") {
      auditFor(
        this.deps.audit,
        caller,
        "send.cancelled",
        record,
        "rejected",
        result.notCancellable,
      );
      throw new AppError(
        "SEND_NOT_CANCELLABLE",
        `the send is ${result.notCancellable}; only a queued, scheduled or deferred send can be cancelled`,
      );
    }
    auditFor(this.deps.audit, caller, "send.cancelled", record, "success");
    try {
      // The schedule, if any; a message already queued finds the send cancelled and is dropped.
      await this.deps.queue.cancel(sendId);
    } catch (err) {
      this.deps.log.warn(
        { err, sendId },
        "schedule of a cancelled send not removed; it is dropped when due",
      );
    }
    return { messageId: sendId, sendId, status: "cancelled" };
  }
}
