import type {
  ConsentRecord,
  ScheduledSend,
  SendAttempt,
  SendStatus,
  Verdict,
} from "../outbound/sendRecord";

/**
 * The durable state of the outbound queue's sends, consents, the frequency cap's history and the
 * number's shared rate: implemented by both conversation stores (SQLite and DynamoDB), each
 * change one transaction, and tested by one conformance suite on both.
 */
export interface OutboundStore {
  /** Inserts a new send; false when `sendId` exists. */
  createSend(send: ScheduledSend): Promise<boolean>;
  getSend(sendId: string): Promise<ScheduledSend | undefined>;
  /**
   * Takes the send for a worker: only from a waiting status with `dueAt <= now`, or from
   * `sending` whose lease expired before `now` without `callStartedAt`. Sets `sending`,
   * `leaseToken`, `leaseUntil`. Returns the claimed record, or undefined when it is not
   * claimable (another worker holds it, it ended, it is not due).
   */
  claimSend(
    sendId: string,
    leaseToken: string,
    now: string,
    leaseUntil: string,
  ): Promise<ScheduledSend | undefined>;
  /** Marks, under the lease, that the gateway is being called; false when the lease is lost. */
  markCallStarted(sendId: string, leaseToken: string, at: string): Promise<boolean>;
  /**
   * Ends the lease with an outcome: a final status (erasing `to` and `body`), or back to a
   * waiting status with a new `dueAt` (deferral, carrier retry). Appends `attempt` when given.
   * Answers the record as it now stands, so the caller need not read it again; undefined when
   * the lease is not `leaseToken`'s.
   */
  finishSend(
    sendId: string,
    leaseToken: string,
    update: {
      status: SendStatus;
      at: string;
      dueAt?: string;
      verdict?: Verdict;
      attempt?: SendAttempt;
      providerMessageId?: string;
    },
  ): Promise<ScheduledSend | undefined>;
  /**
   * Cancels a waiting send (erasing `to` and `body`): "cancelled", or "not_found", or
   * "not_cancellable" with the status that prevents it (sending or final).
   */
  cancelSend(
    sendId: string,
    at: string,
  ): Promise<"cancelled" | "not_found" | { notCancellable: SendStatus }>;
  /**
   * A final delivery status for the attempt with `providerMessageId`, in one change: recorded on
   * the attempt; with `retry`, a temporary carrier failure puts the send back to `queued` at
   * `retry.dueAt` (destination and text kept); without it, the destination and text are erased.
   * A `sent` send keeps them until this event (or the record's expiry), since a retry needs them.
   */
  recordAttemptDelivery(
    sendId: string,
    providerMessageId: string,
    deliveryStatus: string,
    at: string,
    retry?: { dueAt: string },
  ): Promise<"recorded" | "retry_queued" | "not_found">;
  /** The send whose attempt End User Messaging knows as `providerMessageId`. */
  sendIdForProviderMessage(providerMessageId: string): Promise<string | undefined>;

  /** Records a consent change unless a newer one (`at`) is stored; true when applied. */
  putConsent(consent: ConsentRecord): Promise<boolean>;
  getConsent(patientRef: string, scope: string): Promise<ConsentRecord | undefined>;
  /** Every scope's consent of the patient (STOP revokes them all). */
  listConsents(patientRef: string): Promise<ConsentRecord[]>;

  /** Counts a send for the frequency cap (called when it is sent). */
  recordSendForCap(
    patientRef: string,
    sendId: string,
    at: string,
    expiresAt: string,
  ): Promise<void>;
  /** The cap's history: when this patient's sends since `since` were sent. */
  sendTimesSince(patientRef: string, since: string): Promise<string[]>;

  /**
   * Takes `parts` of the origination identity's budget for the window starting at
   * `windowStartMs`, across every task, and answers the window's running total after adding them
   * (so the caller knows its position in the window: `total - parts`), or undefined when the total
   * would pass `limit`. The counter first moves up to `fromPosition` when it is behind it: the
   * positions whose time has passed are not handed out (default 0).
   */
  takeRateBudget(
    identity: string,
    windowStartMs: number,
    parts: number,
    limit: number,
    fromPosition?: number,
  ): Promise<number | undefined>;
}

/**
 * The conversation stores keep the outbound records in a module of their own on the same
 * connection; this base answers `OutboundStore` by handing each call to it.
 */
export abstract class OutboundStoreDelegate implements OutboundStore {
  protected abstract readonly outbound: OutboundStore;

  createSend(...a: Parameters<OutboundStore["createSend"]>) {
    return this.outbound.createSend(...a);
  }
  getSend(...a: Parameters<OutboundStore["getSend"]>) {
    return this.outbound.getSend(...a);
  }
  claimSend(...a: Parameters<OutboundStore["claimSend"]>) {
    return this.outbound.claimSend(...a);
  }
  markCallStarted(...a: Parameters<OutboundStore["markCallStarted"]>) {
    return this.outbound.markCallStarted(...a);
  }
  finishSend(...a: Parameters<OutboundStore["finishSend"]>) {
    return this.outbound.finishSend(...a);
  }
  cancelSend(...a: Parameters<OutboundStore["cancelSend"]>) {
    return this.outbound.cancelSend(...a);
  }
  recordAttemptDelivery(...a: Parameters<OutboundStore["recordAttemptDelivery"]>) {
    return this.outbound.recordAttemptDelivery(...a);
  }
  sendIdForProviderMessage(...a: Parameters<OutboundStore["sendIdForProviderMessage"]>) {
    return this.outbound.sendIdForProviderMessage(...a);
  }
  putConsent(...a: Parameters<OutboundStore["putConsent"]>) {
    return this.outbound.putConsent(...a);
  }
  getConsent(...a: Parameters<OutboundStore["getConsent"]>) {
    return this.outbound.getConsent(...a);
  }
  listConsents(...a: Parameters<OutboundStore["listConsents"]>) {
    return this.outbound.listConsents(...a);
  }
  recordSendForCap(...a: Parameters<OutboundStore["recordSendForCap"]>) {
    return this.outbound.recordSendForCap(...a);
  }
  sendTimesSince(...a: Parameters<OutboundStore["sendTimesSince"]>) {
    return this.outbound.sendTimesSince(...a);
  }
  takeRateBudget(...a: Parameters<OutboundStore["takeRateBudget"]>) {
    return this.outbound.takeRateBudget(...a);
  }
}
