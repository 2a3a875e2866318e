import type { Logger } from "pino";
import { LOG_METRICS, logMetric } from "../contract/logMetrics";
import type { OutboundStore } from "../store/outboundStore";
import type { OutboundQueue } from "./outboundQueue";
import { WAITING_STATUSES } from "./sendRecord";

/**
 * Final delivery statuses that say a carrier could not deliver *this time*, so the same text may
 * be tried again. From End User Messaging's SMS event types (configuration-sets-event-types.html,
 * quoted in the project's reference notes): TEXT_UNREACHABLE (the handset is off or out of
 * coverage), TEXT_CARRIER_UNREACHABLE (a carrier network problem) and TEXT_TTL_EXPIRED (the
 * message could not be delivered within its validity period).
 *
 * Never retried: TEXT_UNKNOWN (the outcome is not known; the patient may have it, and a blind
 * re-send could text them twice), TEXT_BLOCKED, TEXT_CARRIER_BLOCKED, TEXT_SPAM,
 * TEXT_PROTECT_BLOCKED (refused on purpose; a retry is refused again or looks like spam),
 * TEXT_INVALID, TEXT_INVALID_MESSAGE (a bad number or message) and opt-outs.
 */
export const TEMPORARY_CARRIER_FAILURES: ReadonlySet<string> = new Set([
  "TEXT_UNREACHABLE",
  "TEXT_CARRIER_UNREACHABLE",
  "TEXT_TTL_EXPIRED",
]);

/**
 * The event's `messageStatus` names the status without the event type's `TEXT_` prefix
 * (`UNREACHABLE` in a `TEXT_UNREACHABLE` event); either form is recognised.
 */
export function isTemporaryCarrierFailure(deliveryStatus: string): boolean {
  const status = deliveryStatus.toUpperCase();
  return TEMPORARY_CARRIER_FAILURES.has(status.startsWith("TEXT_") ? status : `TEXT_${status}`);
}

export interface CarrierRetryOptions {
  store: Pick<OutboundStore, "sendIdForProviderMessage" | "getSend" | "recordAttemptDelivery">;
  queue: Pick<OutboundQueue, "enqueue">;
  log: Logger;
  now: () => Date;
  /** The wait before each retry: one entry per retry (default +1 min, +10 min). */
  backoffMs?: readonly number[];
  /** No retry is due later than this after the send was accepted (default 24 h). */
  maxAgeMs?: number;
}

export type CarrierRetryOutcome = "not_a_send" | "recorded" | "retry_queued";

/**
 * A final delivery event of a queued send's attempt: recorded on the attempt, and for a temporary
 * carrier failure the send goes back to `queued` on a backoff within a maximum age (the executor
 * asks the rules again then, so quiet hours and a STOP since are respected). The destination and
 * text are erased by the store when the send ends without a retry.
 */
export class CarrierRetry {
  private readonly backoffMs: readonly number[];
  private readonly maxAgeMs: number;

  constructor(private readonly options: CarrierRetryOptions) {
    this.backoffMs = options.backoffMs ?? [60_000, 600_000];
    this.maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
  }

  async onFinalDelivery(
    providerMessageId: string,
    deliveryStatus: string,
    at: string,
  ): Promise<CarrierRetryOutcome> {
    const { store, queue, log } = this.options;
    const sendId = await store.sendIdForProviderMessage(providerMessageId);
    if (sendId === undefined) return "not_a_send";
    const send = await store.getSend(sendId);
    if (!send) return "not_a_send";
    const retry = this.retryFor(send, providerMessageId, deliveryStatus);
    const result = await store.recordAttemptDelivery(
      sendId,
      providerMessageId,
      deliveryStatus,
      at,
      retry,
    );
    if (result === "not_found") return "not_a_send";
    // Also on a redelivered event (the first enqueue may have failed): enqueuing twice is harmless.
    const now = await store.getSend(sendId);
    if (now && WAITING_STATUSES.includes(now.status) && retry) {
      await queue.enqueue(sendId, new Date(now.dueAt));
      log.info(
        {
          sendId,
          deliveryStatus,
          dueAt: now.dueAt,
          ...logMetric(LOG_METRICS.carrierRetryQueued.name, 1),
        },
        "temporary carrier failure: send queued again",
      );
      return "retry_queued";
    }
    return "recorded";
  }

  private retryFor(
    send: {
      createdAt: string;
      attempts: readonly { outcome: string; providerMessageId?: string }[];
    },
    providerMessageId: string,
    deliveryStatus: string,
  ): { dueAt: string } | undefined {
    if (!isTemporaryCarrierFailure(deliveryStatus)) return undefined;
    // Only the newest accepted attempt may be retried (an older attempt's late event may not).
    const accepted = send.attempts.filter((a) => a.outcome === "sent");
    if (accepted.at(-1)?.providerMessageId !== providerMessageId) return undefined;
    const wait = this.backoffMs[accepted.length - 1];
    if (wait === undefined) return undefined;
    const dueAt = this.options.now().getTime() + wait;
    if (dueAt - Date.parse(send.createdAt) > this.maxAgeMs) return undefined;
    return { dueAt: new Date(dueAt).toISOString() };
  }
}
